"""Benchmark: what checking costs when the loader reads the loan book.

Run: python benchmarks/load_speed.py [path] [runs]   (default data/loans.csv, best of 7)
Prints the wall-clock time of a bare ``pandas.read_csv`` of the file, of ``load_loans()`` with full
validation (read, parse, check every column and cross-column rule, type), and their ratio; the
target is a ratio of at most 3. Figures only: nothing here passes or fails.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pandas as pd

from smecredit import load_loans
from smecredit.loading import data_dir


def best_of(runs: int, func) -> float:
    """The fastest of ``runs`` calls, in seconds (the least disturbed by other work on the machine)."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else data_dir() / "loans.csv"
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 7
    load_loans(path)  # warm up: imports, file cache
    bare = best_of(runs, lambda: pd.read_csv(path))
    full = best_of(runs, lambda: load_loans(path))
    print(f"{path} ({path.stat().st_size / 2**20:.1f} MiB), best of {runs}:")
    print(f"  {'pandas.read_csv (bare)':<30} {bare * 1000:7.1f} ms")
    print(f"  {'load_loans (full validation)':<30} {full * 1000:7.1f} ms")
    print(f"  {'ratio':<30} {full / bare:7.2f}    (target: at most 3)")


if __name__ == "__main__":
    main()
