"""The pages of the built book, from _toc.yml (plus Sphinx's own search and index pages)."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
from print_pdf import parts, read_toc  # noqa: E402  (tools/print_pdf.py: the one reader of _toc.yml)


def toc_entries() -> list[str]:
    return [read_toc()["root"], *(file for _, _, files in parts() for file in files)]


def pages() -> list[str]:
    """Every page a reader can open, as paths relative to the html/ folder."""
    return [f"{entry}.html" for entry in toc_entries()] + ["search.html", "genindex.html"]


def notebook_source(entry_html: str) -> str | None:
    """The repository path of the notebook behind a page, or None for a Markdown page."""
    stem = entry_html.removesuffix(".html")
    return f"{stem}.ipynb" if (ROOT / f"{stem}.ipynb").is_file() else None
