"""The printable PDF (`make pdf`, tools/print_pdf.py): built from the stored outputs and printed by
Debian's Chromium; every chapter in it, in order, under its part, with its math typeset, its figures,
nothing cut off at the edge of the paper, and bookmarks that read like the headings."""

from __future__ import annotations

import logging
import re
import sys
import unicodedata

import pytest

from pages import toc_entries
from serving import ROOT

sys.path.insert(0, str(ROOT / "tools"))
import print_pdf  # noqa: E402  (tools/print_pdf.py)


def bookmarks(outline, level=0):
    """(level, title) of every bookmark, depth first, from pypdf's nested outline list."""
    for item in outline:
        if isinstance(item, list):
            yield from bookmarks(item, level + 1)
        else:
            yield level, item.title


@pytest.fixture(scope="module")
def reader(tmp_path_factory, browser):
    """(what was printed, pypdf's reader of the PDF)."""
    from pypdf import PdfReader

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    out = tmp_path_factory.mktemp("pdf")
    html = print_pdf.build_single_page(out)
    found = print_pdf.print_with(browser, html, out / print_pdf.PDF_NAME)
    return found, PdfReader(out / print_pdf.PDF_NAME)


@pytest.fixture(scope="module")
def printed(reader):
    """(what was printed, text of every page, (level, title) of every bookmark)."""
    found, pdf = reader
    # NFKC: Chromium prints "fi" as a ligature, which would hide "first" from a search
    pages = [unicodedata.normalize("NFKC", page.extract_text()) for page in pdf.pages]
    return found, pages, list(bookmarks(pdf.outline))


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
    _found, pages, _bookmarks = printed
    flat = re.sub(r"\s+", " ", "\n".join(pages))
    positions = []
    for title in chapter_titles():
        hits = [m.start() for m in re.finditer(re.escape(re.sub(r"\s+", " ", title)), flat)]
        assert hits, f"chapter '{title}' is not in the PDF"
        positions.append(hits[-1])  # the last: the first hits are the contents list
    assert positions == sorted(positions), "chapters are out of order"
    assert len(pages) > 100, f"only {len(pages)} pages"
    assert re.search(r"\d+ / " + str(len(pages)), pages[-1]), "no page number in the footer"


def test_nothing_is_cut_off_at_the_edge_of_the_paper(printed):
    found, _pages, _bookmarks = printed
    assert found["overflowing"] == [], found["overflowing"][:5]


def test_math_is_typeset_and_figures_load(printed):
    found, pages, _bookmarks = printed
    text = "\n".join(pages)
    assert found["math"] > 20
    assert "\\frac" not in text and "\\beta" not in text, "raw TeX in the PDF"
    assert found["images"] > 20


def test_live_widgets_are_left_out_and_their_static_twins_kept(printed):
    _found, pages, _bookmarks = printed
    text = "\n".join(pages)
    assert "Jump to the true coefficients" in text  # the prose that sends readers to the explorer
    # a widget's code or its text fallback ("VBox(children=(FloatSlider(value=...") is not printed
    assert "coefficient_widget(explorer" not in text and "VBox(children" not in text


def test_bookmarks_are_the_headings_parts_then_chapters(printed):
    _found, _pages, marks = printed
    parts = [caption for caption, _first in print_pdf.parts()]
    top = [title for level, title in marks if level == 1]
    assert top[-len(parts):] == parts, "the parts are not the last top-level bookmarks, in order"
    assert top.index("Licence") < len(top) - len(parts), "the introduction's licence is not before the parts"
    chapters = [title for level, title in marks if level == 2 and re.match(r"\d+\. ", title)]
    assert chapters == [f"{n}. {title}" for n, title in enumerate(chapter_titles(), start=1)]
    garbled = [title for _level, title in marks if re.search(r"(.{6,})\1", title) or re.search(r"[a-z][A-Z]", title)]
    assert not garbled, garbled  # Chromium's doubled or run-together titles are mended


def test_links_stay_inside_the_book_or_go_to_real_sites(reader):
    _found, pdf = reader
    internal, external = 0, []
    for page in pdf.pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A")
            uri = action.get_object().get("/URI") if action is not None else None
            if uri is None:
                internal += 1
            else:
                external.append(str(uri))
    assert internal > 100  # citations, glossary terms and cross-references jump within the PDF
    assert not [uri for uri in external if "127.0.0.1" in uri or "localhost" in uri], "links to the print server"
    assert all(uri.startswith(("https://", "http://", "mailto:")) for uri in external)


def test_chinese_terms_are_printed_in_a_font_that_has_them(reader, printed):
    _found, pdf = reader
    _found, pages, _bookmarks = printed
    page_number = next(i for i, text in enumerate(pages) if "上浮" in text)
    fonts = {str(font.get_object().get("/BaseFont")) for font in pdf.pages[page_number]["/Resources"]["/Font"].values()}
    # fonts with Chinese characters, as fontconfig names them (Debian: fonts-wqy-*, fonts-noto-cjk, fonts-arphic-*)
    assert any(re.search(r"WenQuanYi|CJK|Hei|Song|Ming|Kai|Uming|Ukai", font) for font in fonts), fonts


def test_the_printed_copy_leaves_out_the_solutions(printed):
    _found, pages, _bookmarks = printed
    text = "\n".join(pages)
    assert text.count("Exercise 3.1") >= 1
    assert not re.search(r"Solution to\s*Exercise", text)
