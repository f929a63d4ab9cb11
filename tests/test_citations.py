"""Citations and figure references that read in Jupyter as well as on the page.

jupyterlab-myst cannot resolve ``{cite:p}`` (it shows the bare key with a warning) or ``{numref}`` to
a figure made by a code cell (it shows the label). The book cites with ``[Author, year](cite:key)``
links (tools/cite_links.py points them at the bibliography entry in the HTML) and refers to figures
with ``[description](#fig-label)`` links.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from pybtex.database import parse_file

ROOT = Path(__file__).resolve().parents[1]
BIB = parse_file(ROOT / "book" / "references.bib").entries
PAGES = sorted([*(ROOT / "book").glob("*.ipynb"), *(ROOT / "book").glob("*.md"), *(ROOT / "data").glob("*.md")])
CITE_LINK = re.compile(r"\[([^\]]+)\]\(cite:([^)\s]+)\)")
UNREADABLE_IN_JUPYTER = re.compile(r"\{(?:cite(?::[a-z]+)?|numref)\}`")


def markdown_of(path: Path) -> str:
    if path.suffix == ".ipynb":
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        return "\n\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    return path.read_text(encoding="utf-8")


def first_author(key: str) -> str:
    """The last name of the entry's first author (or editor), or the organisation's name, without braces."""
    people = BIB[key].persons.get("author") or BIB[key].persons.get("editor")
    return " ".join(people[0].last_names).replace("{", "").replace("}", "").replace("\\'a", "á")


def test_the_book_cites_and_the_links_name_the_entry():
    links = [(path.name, text, key) for path in PAGES for text, key in CITE_LINK.findall(markdown_of(path))]
    assert len(links) > 100
    wrong = [(page, text, key) for page, text, key in links
             if key not in BIB or BIB[key].fields["year"] not in text or first_author(key) not in text]
    assert not wrong, f"citation links whose key is unknown or whose text is not the entry's author and year: {wrong}"


def test_first_author_reads_names_and_organisations():
    assert first_author("cook1977detection") == "Cook"
    assert first_author("cbrc2018notice") == "General Office of the China Banking Regulatory Commission"


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.name)
def test_no_role_that_jupyter_cannot_resolve(path):
    found = UNREADABLE_IN_JUPYTER.findall(markdown_of(path))
    assert not found, f"{path.name}: use [Author, year](cite:key) and [text](#fig-label), not {found}"


def test_figure_links_point_at_figures_of_the_same_chapter():
    for path in sorted((ROOT / "book").glob("[0-9][0-9]-*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        figures = {c["metadata"].get("mystnb", {}).get("figure", {}).get("name") for c in cells} - {None}
        targets = set(re.findall(r"\]\(#(fig-[a-z0-9-]+)\)", markdown_of(path)))
        assert targets <= figures, f"{path.name}: links to figures it does not have: {targets - figures}"


def test_cite_links_point_at_the_entry_and_warn_on_an_unknown_key(tmp_path):
    """tools/cite_links.py in a small Sphinx project: the link goes to the entry, a wrong key warns."""
    import io
    import sys

    from sphinx.application import Sphinx

    source = tmp_path / "src"
    (source / "book").mkdir(parents=True)
    (source / "book" / "refs.bib").write_text(
        "@article{cook1977detection, author = {Cook, R. Dennis}, title = {Detection}, journal = {T},"
        " year = {1977}}\n", encoding="utf-8")
    (source / "index.md").write_text("# Home\n\n```{toctree}\nbook/chapter\nbook/bibliography\n```\n",
                                     encoding="utf-8")
    (source / "book" / "chapter.md").write_text(
        "# Chapter\n\nA loan ([Cook, 1977](cite:cook1977detection)) and ([Nobody, 2000](cite:nobody2000)).\n",
        encoding="utf-8")
    (source / "book" / "bibliography.md").write_text("# Bibliography\n\n```{bibliography}\n:all:\n```\n",
                                                     encoding="utf-8")
    sys.path.insert(0, str(ROOT / "tools"))
    warnings = io.StringIO()
    try:
        app = Sphinx(str(source), None, str(tmp_path / "html"), str(tmp_path / "doctrees"), "html",
                     confoverrides={"extensions": ["myst_parser", "sphinxcontrib.bibtex", "cite_links"],
                                    "bibtex_bibfiles": ["book/refs.bib"], "bibtex_cite_id": "cite-{key}",
                                    "myst_url_schemes": ["http", "https", "mailto", "cite"]},
                     status=None, warning=warnings)
        app.build()
    finally:
        sys.path.remove(str(ROOT / "tools"))
    html = (tmp_path / "html" / "book" / "chapter.html").read_text(encoding="utf-8")
    assert 'href="bibliography.html#cite-cook1977detection">Cook, 1977</a>' in html
    assert 'id="cite-cook1977detection"' in (tmp_path / "html" / "book" / "bibliography.html").read_text("utf-8")
    assert "citation key 'nobody2000' is not in the bibliography" in warnings.getvalue()
