"""Benchmark: how long each chapter takes to run from a fresh kernel; writes book/execution-times.md.

Run from anywhere: python benchmarks/execution_times.py [--timeout 600] [--output PATH]
(``--longest-first`` only prints the chapters' paths ordered by this page's times, longest first.)

Every book/[0-9][0-9]-*.ipynb is copied to a temporary folder and executed there with nbclient
(a new kernel per chapter, default kernel ``python3``); the time includes starting the kernel.
Each chapter runs twice: in a kernel started as ``make test`` starts it (``OPENBLAS_NUM_THREADS=1``)
and in one started as ``jupyter lab`` starts it (no thread setting at all; the smecredit package
then sets one BLAS thread itself), so the page shows that a class gets the tested speed.
Running from a temporary folder also checks that a chapter finds its data from any working
folder. The notebooks in book/ are never changed. The page lists, per chapter, the seconds, the
date measured and the machine's number of cores; a chapter that fails is listed with its error
and the script exits with status 1.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
PAGE = BOOK / "execution-times.md"


def chapter_title(path: Path) -> str:
    """The first level-1 heading of the notebook's Markdown cells, or the file name."""
    for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] == "markdown":
            for line in "".join(cell["source"]).splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return path.stem


THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def time_notebook(path: Path, timeout: int, threads: str | None = None) -> tuple[float, str | None]:
    """Execute a temporary copy of the notebook from a fresh kernel; return (seconds, error or None).

    ``threads``: the kernel's OPENBLAS_NUM_THREADS, or None to start it with no thread setting.
    """
    saved = {name: os.environ.pop(name, None) for name in THREAD_VARIABLES}
    if threads is not None:
        os.environ["OPENBLAS_NUM_THREADS"] = threads
    try:
        return _time_notebook(path, timeout)
    finally:
        for name, value in saved.items():
            os.environ.pop(name, None)
            if value is not None:
                os.environ[name] = value


def _time_notebook(path: Path, timeout: int) -> tuple[float, str | None]:
    with tempfile.TemporaryDirectory(prefix="exec-times-") as folder:
        copy = Path(folder) / path.name
        shutil.copyfile(path, copy)
        notebook = nbformat.read(copy, as_version=4)
        client = NotebookClient(notebook, timeout=timeout, kernel_name="python3",
                                resources={"metadata": {"path": folder}})
        start = time.perf_counter()
        try:
            client.execute()
        except Exception as err:  # report any failure in the table, keep timing the others
            return time.perf_counter() - start, f"{type(err).__name__}"
        return time.perf_counter() - start, None


def longest_first(chapters: list[Path], page: Path = PAGE) -> list[Path]:
    """The chapters ordered by their time on the page (``make test`` column), longest first.

    Running them in this order, one kernel per core, keeps a long chapter from starting last and
    finishing alone (``make execute``, ``benchmarks/book_budget.py``). A chapter the page does not
    list yet goes first; without the page the order is unchanged.
    """
    text = page.read_text(encoding="utf-8") if page.exists() else ""
    seconds = {name: float(value) for name, value in
               re.findall(r"^\| \[[^\]]*\]\(([^)]+\.ipynb)\) \| ([0-9.]+) \|", text, flags=re.MULTILINE)}
    return sorted(chapters, key=lambda path: -seconds.get(path.name, float("inf")))


def page(rows: list[dict], cores: int, today: str) -> str:
    """The Markdown page: a short explanation and the table."""
    lines = [
        "# Execution times",
        "",
        "How long each chapter takes to run from top to bottom in a fresh Python kernel, including",
        "starting the kernel, when executed from a temporary folder (so the chapter also had to find its",
        "data from another working folder). Use it to plan a class: a chapter that runs in a few seconds",
        "can be re-run live; add the time students need to read and do the exercises, given in each",
        "chapter's *About this chapter* box.",
        "",
        "Two columns: a kernel started as `make test` starts it (`OPENBLAS_NUM_THREADS=1`), and one",
        "started as `jupyter lab` or Colab starts it, with no thread setting. They agree because the",
        "book's package sets the linear-algebra library to one thread when a chapter imports it (the",
        "chapters' many small fits run several times faster so; set `OPENBLAS_NUM_THREADS` yourself to",
        "override it).",
        "",
        "| chapter | seconds, as `make test` | seconds, as `jupyter lab` | date measured | machine: cores |",
        "|---|--:|--:|---|--:|",
    ]
    for row in rows:
        cells = [f"{seconds:.1f}" if error is None else f"failed ({error})"
                 for seconds, error in (row["tested"], row["jupyter"])]
        lines.append(f"| [{row['title']}]({row['file']}) | {cells[0]} | {cells[1]} | {today} | {cores} |")
    lines += [
        "",
        f"Measured with Python {platform.python_version()} on {platform.system()}; one run per chapter,",
        "so expect a second or two of variation, more on a busy machine.",
        "To measure again on your own machine, run from the repository's folder:",
        "",
        "```bash",
        ".venv/bin/python benchmarks/execution_times.py",
        "```",
        "",
        "which rewrites this page (`book/execution-times.md`). On Windows use",
        "`.venv\\Scripts\\python benchmarks\\execution_times.py`.",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=int, default=600, help="seconds allowed per cell (default 600)")
    parser.add_argument("--output", type=Path, default=PAGE, help=f"page to write (default {PAGE.relative_to(ROOT)})")
    parser.add_argument("--longest-first", action="store_true",
                        help="only print the chapters' paths, longest first by this page (for make execute)")
    args = parser.parse_args(argv)
    chapters = sorted(BOOK.glob("[0-9][0-9]-*.ipynb"))
    if args.longest_first:
        print("\n".join(str(path) for path in longest_first(chapters)))
        return 0
    if not chapters:
        print(f"no chapters book/[0-9][0-9]-*.ipynb under {ROOT}", file=sys.stderr)
        return 1
    # One untimed run first: the first kernel of a session reads every library from a cold disk cache,
    # which would be charged to whichever chapter came first.
    time_notebook(chapters[0], args.timeout, threads="1")
    rows = []
    for path in chapters:
        tested = time_notebook(path, args.timeout, threads="1")
        jupyter = time_notebook(path, args.timeout, threads=None)
        rows.append({"file": path.name, "title": chapter_title(path), "tested": tested, "jupyter": jupyter})
        print(f"{path.name}: {tested[0]:.1f} s as make test, {jupyter[0]:.1f} s as jupyter lab"
              + (" FAILED" if tested[1] or jupyter[1] else ""), file=sys.stderr)
    cores = os.cpu_count() or 1
    args.output.write_text(page(rows, cores, dt.date.today().isoformat()), encoding="utf-8")
    print(f"wrote {args.output}", file=sys.stderr)
    return 1 if any(row["tested"][1] or row["jupyter"][1] for row in rows) else 0


if __name__ == "__main__":
    raise SystemExit(main())
