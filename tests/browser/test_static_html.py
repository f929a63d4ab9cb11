"""The built HTML, read as files: nothing a page needs comes from another host, and launch buttons
(when on) open the page's own notebook. No browser needed."""

from __future__ import annotations

import re
import sys
from urllib.parse import urlparse

import pytest
from bs4 import BeautifulSoup

from pages import notebook_source, pages
from serving import ROOT

sys.path.insert(0, str(ROOT / "tools"))
import yaml  # noqa: E402
from set_repository import configured_repository  # noqa: E402  (tools/set_repository.py)

# Elements and attributes through which a page LOADS something by itself (not links a reader clicks).
LOADED = [("script", "src"), ("link", "href"), ("img", "src"), ("iframe", "src"), ("source", "src"),
          ("video", "src"), ("audio", "src"), ("embed", "src"), ("object", "data"), ("track", "src")]
# <link rel=...> values that a browser does not fetch while showing the page.
NOT_FETCHED_LINK_RELS = {"canonical", "index", "search", "next", "prev", "author", "license", "alternate"}
CSS_EXTERNAL = re.compile(r"""(?:url\(\s*['"]?|@import\s+['"])\s*(?:https?:)?//""", re.I)


def external(url: str | None) -> bool:
    return bool(url) and urlparse(url.strip()).scheme in {"http", "https", ""} and url.strip().startswith(("http:", "https:", "//"))


def loaded_external_resources(html: str) -> list[str]:
    soup = BeautifulSoup(html, "html.parser")
    found = []
    for tag, attribute in LOADED:
        for element in soup.find_all(tag):
            if tag == "link" and set(element.get("rel") or []) <= NOT_FETCHED_LINK_RELS and element.get("rel"):
                continue
            for attr in (attribute, "srcset") if tag in {"img", "source"} else (attribute,):
                value = element.get(attr)
                if value and any(external(part.split()[0]) for part in value.split(",") if part.strip()):
                    found.append(f"<{tag} {attr}={value!r}>")
    for style in soup.find_all("style"):
        if CSS_EXTERNAL.search(style.get_text()):
            found.append("<style> with an external url() or @import")
    for element in soup.find_all(style=True):
        if CSS_EXTERNAL.search(element["style"]):
            found.append(f"style attribute with an external url(): {element['style'][:80]}")
    return found


def test_the_checker_catches_external_resources():
    page = ('<html><head><script src="https://cdn.example.invalid/x.js"></script>'
            '<link rel="stylesheet" href="//fonts.example.invalid/f.css"><style>@import "https://a.invalid/b.css";</style>'
            '</head><body><a href="https://mybinder.org/">launch</a><img src="_static/x.png" alt="x"></body></html>')
    assert len(loaded_external_resources(page)) == 3
    assert loaded_external_resources('<a href="https://doi.org/10.1/x">a reference</a>') == []


@pytest.mark.parametrize("page", pages())
def test_page_loads_nothing_from_another_host(built_site, page):
    found = loaded_external_resources((built_site / page).read_text(encoding="utf-8"))
    assert not found, f"{page} loads from another host: {found}"


def test_style_sheets_load_nothing_from_another_host(built_site):
    offenders = []
    for css in (built_site / "_static").rglob("*.css"):
        text = re.sub(r"/\*.*?\*/", "", css.read_text(encoding="utf-8", errors="replace"), flags=re.S)
        if CSS_EXTERNAL.search(text):
            offenders.append(str(css.relative_to(built_site)))
    assert not offenders, f"style sheets with external url() or @import: {offenders}"


def test_math_and_widgets_use_the_vendored_scripts(built_site):
    chapter = (built_site / "book" / "06-first-logistic-regression.html")
    if not chapter.is_file():
        pytest.skip("chapter 6 not built")
    html = chapter.read_text(encoding="utf-8")
    assert "_static/vendor/mathjax-3.2.2/es5/tex-mml-chtml.js" in html
    assert "application/vnd.jupyter.widget-state+json" in html
    assert "_static/widgets/embed.js" in html  # the book's mount script runs the stored explorers
    assert "require.js" not in html and "embed-amd.js" not in html


@pytest.mark.parametrize("page", [p for p in pages() if notebook_source(p)])
def test_launch_buttons_open_this_pages_notebook(built_site, page):
    """Built with SMECREDIT_LAUNCH_PREVIEW=1: Binder and Colab links exist and name this page's notebook."""
    soup = BeautifulSoup((built_site / page).read_text(encoding="utf-8"), "html.parser")
    notebook = notebook_source(page)
    hrefs = [a["href"] for a in soup.find_all("a", href=True)]
    binder = [h for h in hrefs if h.startswith("https://mybinder.org/")]
    colab = [h for h in hrefs if h.startswith("https://colab.research.google.com/")]
    repo = configured_repository(ROOT)  # "owner/name" of repository.url in _config.yml
    branch = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["repository"]["branch"]
    assert binder == [f"https://mybinder.org/v2/gh/{repo}/{branch}?urlpath=lab/tree/{notebook}"], binder
    assert colab == [f"https://colab.research.google.com/github/{repo}/blob/{branch}/{notebook}"], colab
    assert soup.select("button.btn-launch-thebe, button[onclick*='initThebe']"), "no Thebe live-code button"
