"""Print the book's performance budget (figures, not a test).

1. Executing every chapter from a fresh kernel (in memory; the stored notebooks are not touched),
   one kernel per core at a time and the longest first, as `make execute` does; with one BLAS
   thread per kernel (OPENBLAS_NUM_THREADS=1, as the Makefile sets). Budget: 60 s of wall-clock time for the whole book.
2. Building the HTML from the stored outputs (jupyter-book build, into a temporary folder). Budget: 30 s.
3. The heaviest page: its HTML plus everything it loads from the book itself. Budget: 2 MB
   transferred, the measure of Lighthouse's total-byte-weight audit: text files (HTML, scripts,
   style sheets, JSON, SVG) gzip-compressed as GitHub Pages sends them, fonts and images as they
   are (tests/browser/serving.py: transfer_size; the browser tests hold every page to the same
   budget). Bytes on disk are printed too. Measured in Debian's Chromium when /usr/bin/chromium
   exists (every response the page really fetches, served on 127.0.0.1), else estimated from the
   HTML (scripts, style sheets, images, and every woff2 font the style sheets name: an upper
   bound, on disk only).

A machine reference is printed beside the times (``reference_seconds``): the same book takes longer
on a slower or busier machine, and a shared virtual machine's speed can change within minutes.

Usage: python benchmarks/book_budget.py
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import unquote, urlparse

import nbformat
from bs4 import BeautifulSoup
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # inherited by every kernel, as under the Makefile
sys.path.insert(0, str(ROOT / "tests" / "browser"))
sys.path.insert(0, str(ROOT / "benchmarks"))
from serving import CHROMIUM, CHROMIUM_FLAGS, PAGE_WEIGHT_BUDGET_MB, StaticServer, transfer_size  # noqa: E402
from execution_times import longest_first  # noqa: E402

BUDGET_EXECUTE_S, BUDGET_BUILD_S = 60.0, 30.0


def reference_seconds() -> float:
    """A fixed single-threaded workload, 5 million additions in a Python loop: the machine's speed at
    that moment. Shared and virtual machines vary (the book's times scale with it), so the budget's
    figures are printed beside it to be compared across machines and moments."""
    start = time.perf_counter()
    total = 0
    for i in range(5_000_000):
        total += i
    return time.perf_counter() - start


def execute_one(source: Path) -> tuple[str, float, str]:
    """Run one chapter in memory (the stored file is not written); (name, seconds, '' or the error)."""
    notebook = nbformat.read(source, as_version=4)
    start = time.perf_counter()
    error = ""
    try:
        NotebookClient(notebook, timeout=300, kernel_name="python3",
                       resources={"metadata": {"path": str(source.parent)}}).execute()
    except Exception as err:  # report and go on: this is a measurement, not a test
        error = f"FAILED: {type(err).__name__}: {str(err).strip().splitlines()[-1][:100] if str(err).strip() else ''}"
    return source.name, time.perf_counter() - start, error


def execute_all(workers: int) -> tuple[list[tuple[str, float, str]], float]:
    """Run every chapter, ``workers`` at a time; the per-chapter results and the wall-clock seconds."""
    from concurrent.futures import ProcessPoolExecutor

    sources = longest_first(sorted((ROOT / "book").glob("[0-9][0-9]-*.ipynb")))  # as make execute runs them
    start = time.perf_counter()
    with ProcessPoolExecutor(max_workers=workers) as pool:
        times = list(pool.map(execute_one, sources))
    wall = time.perf_counter() - start
    for name, seconds, error in sorted(times):
        print(f"  {name:<45} {seconds:6.1f} s {error}", flush=True)
    return times, wall


def build(out: Path) -> float:
    start = time.perf_counter()
    subprocess.run([str(Path(sys.executable).with_name("jupyter-book")), "build", str(ROOT), "--path-output", str(out)],
                   check=True, capture_output=True, cwd=ROOT)
    return time.perf_counter() - start


def local_file(base: Path, page: Path, url: str) -> Path | None:
    if not url or url.startswith(("data:", "#", "mailto:")) or urlparse(url).scheme in {"http", "https"}:
        return None
    path = (page.parent / unquote(urlparse(url).path)).resolve()
    return path if path.is_file() and base in path.parents else None


def weights_in_browser(html_dir: Path) -> dict[str, tuple[int, int, int]]:
    """{page: (bytes on disk, bytes transferred, number of responses)} for every page, loaded in Chromium."""
    from playwright.sync_api import sync_playwright

    server = StaticServer(html_dir)
    results = {}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
            for page_file in sorted(html_dir.rglob("*.html")):
                if "_static" in page_file.parts or "_sources" in page_file.parts:
                    continue
                rel = page_file.relative_to(html_dir).as_posix()
                page = browser.new_page()
                bodies = []
                page.on("response", lambda r: bodies.append(r))
                page.goto(server.url + rel, wait_until="load")
                page.wait_for_load_state("networkidle")
                sizes = []
                for response in bodies:
                    try:
                        body = response.body()
                    except Exception:
                        continue
                    sizes.append((len(body), transfer_size(body, response.headers.get("content-type", ""))))
                results[rel] = (sum(a for a, _ in sizes), sum(b for _, b in sizes), len(sizes))
                page.close()
            browser.close()
    finally:
        server.stop()
    return results


def page_weight(html_dir: Path, page: Path) -> tuple[int, int]:
    """Bytes of the page and of every book file it loads; number of files."""
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    files = {page}
    for tag, attr in [("script", "src"), ("img", "src"), ("link", "href")]:
        for element in soup.find_all(tag):
            if tag == "link" and not set(element.get("rel") or []) & {"stylesheet", "icon", "preload"}:
                continue
            path = local_file(html_dir, page, element.get(attr))
            if path:
                files.add(path)
    for css in [f for f in files if f.suffix == ".css"]:
        for url in re.findall(r"url\(\s*['\"]?([^'\")]+)", css.read_text(encoding="utf-8", errors="replace")):
            # a browser fetches one font format per face: count woff2 and images only
            if url.split("?")[0].endswith((".woff2", ".png", ".svg", ".gif", ".jpg")):
                path = local_file(html_dir, css, url)
                if path:
                    files.add(path)
    return sum(f.stat().st_size for f in files), len(files)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        print(f"Load average before starting: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores", flush=True)
        before = reference_seconds()
        workers = os.cpu_count() or 1
        print(f"Executing every chapter from a fresh kernel, {workers} at a time", flush=True)
        times, wall = execute_all(workers)
        total = sum(t for _, t, _ in times)
        print(f"  {'sum of the chapters':<45} {total:6.1f} s")
        print(f"  {'whole book, wall clock':<45} {wall:6.1f} s   budget {BUDGET_EXECUTE_S:.0f} s   "
              f"{'OK' if wall <= BUDGET_EXECUTE_S else 'OVER'}")
        print(f"Machine reference (5 million additions in a Python loop, one core): {before:.2f} s before "
              f"executing, {reference_seconds():.2f} s after; the times above scale with it", flush=True)
        build(tmp / "warm")  # first build warms caches (imports, bytecode)
        shutil.rmtree(tmp / "warm")
        seconds = build(tmp / "site")
        print(f"Building the HTML from stored outputs: {seconds:.1f} s   budget {BUDGET_BUILD_S:.0f} s   "
              f"{'OK' if seconds <= BUDGET_BUILD_S else 'OVER'}")
        html_dir = (tmp / "site" / "_build" / "html").resolve()
        if CHROMIUM.exists():
            measured = weights_in_browser(html_dir)
            how = "measured in Chromium"
        else:
            measured = {}
            for p in html_dir.rglob("*.html"):
                if "_static" in p.parts or "_sources" in p.parts:
                    continue
                size, count = page_weight(html_dir, p)
                measured[p.relative_to(html_dir).as_posix()] = (size, None, count)
            how = "estimated from the HTML (no Chromium)"
        # heaviest first, by what is transferred (by bytes on disk when only the estimate exists)
        weights = sorted(measured.items(), key=lambda item: (item[1][1] or item[1][0]), reverse=True)
        print(f"Heaviest pages, {how}: the page plus everything it loads from the book")
        for page, (size, sent, count) in weights[:5]:
            extra = f"{sent / 1e6:5.2f} MB transferred, " if sent is not None else ""
            print(f"  {page:<45} {extra}{size / 1e6:5.2f} MB on disk, in {count} files")
        page, (size, sent, _) = weights[0]
        heaviest = sent if sent is not None else size
        print(f"  heaviest: {page} {heaviest / 1e6:.2f} MB {'transferred' if sent is not None else 'on disk'}"
              f"   budget {PAGE_WEIGHT_BUDGET_MB:.0f} MB   {'OK' if heaviest / 1e6 <= PAGE_WEIGHT_BUDGET_MB else 'OVER'}")

if __name__ == "__main__":
    main()
