"""The pages of the built book, from _toc.yml (plus Sphinx's own search and index pages)."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def toc_entries() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    files = [toc["root"]]
    for part in toc.get("parts", []):
        files += [chapter["file"] for chapter in part["chapters"]]
    return files


def pages() -> list[str]:
    """Every page a reader can open, as paths relative to the html/ folder."""
    return [f"{entry}.html" for entry in toc_entries()] + ["search.html", "genindex.html"]


def notebook_source(entry_html: str) -> str | None:
    """The repository path of the notebook behind a page, or None for a Markdown page."""
    stem = entry_html.removesuffix(".html")
    return f"{stem}.ipynb" if (ROOT / f"{stem}.ipynb").is_file() else None
