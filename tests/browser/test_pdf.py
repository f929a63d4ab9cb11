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
from serving import ROOT, in_ci

sys.path.insert(0, str(ROOT / "tools"))
import print_pdf  # noqa: E402  (tools/print_pdf.py)


def bookmarks(reader, outline=None, level=0):
    """(level, title, page index) of every bookmark, depth first, from pypdf's nested outline list."""
    for item in reader.outline if outline is None else outline:
        if isinstance(item, list):
            yield from bookmarks(reader, item, level + 1)
        else:
            yield level, item.title, reader.get_destination_page_number(item)


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
    """(what was printed, text of every page, (level, title, page) of every bookmark)."""
    found, pdf = reader
    # NFKC: Chromium prints "fi" as a ligature, which would hide "first" from a search
    pages = [unicodedata.normalize("NFKC", page.extract_text()) for page in pdf.pages]
    return found, pages, list(bookmarks(pdf))


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


def squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_every_chapter_is_printed_in_reading_order(printed):
    _found, pages, marks = printed
    chapters = {title: page for level, title, page in marks if level == 2 and re.match(r"\d+\. ", title)}
    expected = [f"{n}. {title}" for n, title in enumerate(chapter_titles(), start=1)]
    assert list(chapters) == expected, "a chapter is missing from the bookmarks, or out of order"
    starts = [chapters[title] for title in expected]
    assert starts == sorted(starts) and len(set(starts)) == len(starts), starts
    for title, page in chapters.items():  # each bookmark lands on the page where its chapter begins
        assert squeezed(title.split(". ", 1)[1]) in squeezed(pages[page]), (title, page)
        assert "Learning objectives" in pages[page] or "Learning objectives" in pages[page + 1], title
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
    assert "Jump to the structural coefficients" in text  # the prose that sends readers to the explorer
    # a widget's code or its text fallback ("VBox(children=(FloatSlider(value=...") is not printed
    assert "coefficient_widget(explorer" not in text and "VBox(children" not in text


def test_bookmarks_are_the_headings_parts_then_chapters(printed):
    _found, _pages, marks = printed
    parts = [caption for caption, _first, _files in print_pdf.printed_parts()]
    top = [title for level, title, _page in marks if level == 1]
    assert top[-len(parts):] == parts, "the parts are not the last top-level bookmarks, in order"
    assert top.index("Licence") < len(top) - len(parts), "the introduction's licence is not before the parts"
    garbled = [title for _level, title, _page in marks
               if re.search(r"(.{6,})\1", title) or re.search(r"[a-z][A-Z]", title)]
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
    import subprocess

    has_font = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True).stdout.strip()
    if not has_font and not in_ci():
        pytest.skip("no font with Chinese characters (apt-get install fonts-wqy-microhei); .ci/run installs one")
    _found, pdf = reader
    _found, pages, _bookmarks = printed
    page_number = next(i for i, text in enumerate(pages) if "上浮" in text)
    fonts = {str(font.get_object().get("/BaseFont")) for font in pdf.pages[page_number]["/Resources"]["/Font"].values()}
    # fonts with Chinese characters, as fontconfig names them (Debian: fonts-wqy-*, fonts-noto-cjk, fonts-arphic-*)
    assert any(re.search(r"WenQuanYi|CJK|Hei|Song|Ming|Kai|Uming|Ukai", font) for font in fonts), fonts


def test_the_students_copy_leaves_out_solutions_and_instructor_pages_and_says_so(printed):
    _found, pages, marks = printed
    text = "\n".join(pages)
    assert text.count("Exercise 3.1") >= 1
    assert not re.search(r"Solution to\s*Exercise", text)
    titles = [title for _level, title, _page in marks]
    assert "For instructors" not in titles and "Instructor guide" not in titles and "Rubric" not in titles
    assert "Instructor guide" not in pages[0]  # nor in the contents list
    assert re.search(r"Release v\d+\.\d+\.\d+\. This printed copy leaves out the exercises' solutions", squeezed_spaces(pages[0]))


def squeezed_spaces(text: str) -> str:
    return re.sub(r"\s+", " ", text)
