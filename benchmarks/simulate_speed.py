"""Benchmark: how fast the generator makes a loan book, and how fast the loader reads one.

Run: OPENBLAS_NUM_THREADS=1 python benchmarks/simulate_speed.py [n_loans]   (default 1,000,000)
Prints wall-clock seconds (best of three) and peak memory, and the generator's time relative to what numpy
needs, in the same run, to draw as many bare normal variates as the book has values (n_loans x its
columns, ``np.random.default_rng(1).normal(size=...)``, best of three): a ratio that travels between
machines better than seconds do. The target is a ratio of at most 10. Figures only: nothing here passes
or fails.
"""

from __future__ import annotations

import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np

from smecredit import load_loans, simulate_loan_book
from smecredit.simulate import write_loan_book

TARGET_RATIO = 10.0  # the generator may take at most 10 times as long as numpy's bare normal draws


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
    shape = (n, book.shape[1])
    normal_seconds, _ = best_of(3, lambda: np.random.default_rng(1).normal(size=shape))
    ratio = seconds / normal_seconds
    print(f"  numpy's {shape[0]:,} x {shape[1]} normal variates: {normal_seconds:.3f} s (best of 3); "
          f"ratio {ratio:.1f} (target at most {TARGET_RATIO:g}: {'met' if ratio <= TARGET_RATIO else 'missed'})")
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
