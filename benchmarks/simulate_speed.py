"""Benchmark: how fast the generator makes a loan book, and how fast the loader reads one.

Run: python benchmarks/simulate_speed.py [n_loans]   (default 1,000,000)
Prints wall-clock seconds (best of three) and peak memory; the target is a few seconds for
1,000,000 loans on a 2-core machine. Figures only: nothing here passes or fails.
"""

from __future__ import annotations

import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from smecredit import load_loans, simulate_loan_book
from smecredit.simulate import write_loan_book


def best_of(runs: int, func):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    seconds, book = best_of(3, lambda: simulate_loan_book(n, seed=1))
    print(f"simulate_loan_book({n:,}): {seconds:.2f} s (best of 3), {n / seconds:,.0f} loans/s")
    tracemalloc.start()
    simulate_loan_book(n, seed=1)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"  peak memory traced by Python: {peak / 2**20:,.0f} MiB")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "loans.csv"
        seconds, _ = best_of(1, lambda: write_loan_book(book, path))
        print(f"write_loan_book: {seconds:.2f} s, {path.stat().st_size / 2**20:,.0f} MiB of CSV")
        seconds, _ = best_of(1, lambda: load_loans(path))
        print(f"load_loans (read, validate, type): {seconds:.2f} s")


if __name__ == "__main__":
    main()
