"""The printable PDF (`make pdf`, tools/print_pdf.py): built from the stored outputs and printed by
Debian's Chromium; every chapter in it, in order, with its math typeset and its figures."""

from __future__ import annotations

import re
import sys

import pytest

from pages import toc_entries
from serving import ROOT

sys.path.insert(0, str(ROOT / "tools"))
import print_pdf  # noqa: E402  (tools/print_pdf.py)


@pytest.fixture(scope="module")
def printed(tmp_path_factory, browser):
    """(what was printed, text of every page, bookmark titles, the one-page HTML folder)."""
    import pypdfium2

    out = tmp_path_factory.mktemp("pdf")
    html = print_pdf.build_single_page(out)
    found = print_pdf.print_with(browser, html, out / print_pdf.PDF_NAME)
    document = pypdfium2.PdfDocument(out / print_pdf.PDF_NAME)
    pages = [document[i].get_textpage().get_text_range() for i in range(len(document))]
    outline = [bookmark.get_title() for bookmark in document.get_toc()]
    return found, pages, outline, html


def chapter_titles() -> list[str]:
    """The chapter pages' first headings, in reading order (from their notebooks)."""
    import nbformat

    titles = []
    for entry in toc_entries():
        if re.match(r"book/\d\d-", entry):
            notebook = nbformat.read(ROOT / (entry + ".ipynb"), as_version=4)
            heading = next(c.source for c in notebook.cells if c.cell_type == "markdown" and c.source.startswith("# "))
            titles.append(heading.splitlines()[0].removeprefix("# ").strip())
    return titles


def test_every_chapter_is_printed_in_reading_order(printed):
    _found, pages, _outline, _html = printed
    text = "\n".join(pages)
    flat = re.sub(r"\s+", " ", text)
    positions = []
    for title in chapter_titles():
        hits = [m.start() for m in re.finditer(re.escape(re.sub(r"\s+", " ", title)), flat)]
        assert hits, f"chapter '{title}' is not in the PDF"
        positions.append(hits[-1])  # the last: the first hits are the contents list
    assert positions == sorted(positions), "chapters are out of order"
    assert len(pages) > 100, f"only {len(pages)} pages"
    assert re.search(r"\d+ / " + str(len(pages)), pages[-1]), "no page number in the footer"


def test_math_is_typeset_and_figures_load(printed):
    found, pages, _outline, html = printed
    text = "\n".join(pages)
    assert found["math"] > 20
    assert "\\frac" not in text and "\\beta" not in text, "raw TeX in the PDF"
    images_on_page = len(re.findall(r"<img ", (html / "index.html").read_text(encoding="utf-8")))
    assert found["images"] == images_on_page > 20


def test_live_widgets_are_left_out_and_their_static_twins_kept(printed):
    _found, pages, _outline, _html = printed
    text = "\n".join(pages)
    assert "Jump to the true coefficients" in text  # the prose that sends readers to the explorer
    # a widget's text fallback, as in the notebooks' text/plain outputs: "VBox(children=(FloatSlider(value=..."
    assert "VBox(children" not in text and "Slider(value" not in text, "a widget printed as its text fallback"


def test_the_pdf_has_bookmarks_for_every_chapter(printed):
    _found, _pages, outline, _html = printed
    squeezed = [re.sub(r"\s+", "", title) for title in outline]  # Chromium drops spaces at line breaks
    for title in chapter_titles():
        assert any(re.sub(r"\s+", "", title) in bookmark for bookmark in squeezed), f"no bookmark for '{title}'"
