"""Citations that read in Jupyter as well as on the page: ``[Cook, 1977](cite:cook1977detection)``.

jupyterlab-myst cannot read a BibTeX file, so a ``{cite:p}`` role shows there as a bare key with a
"Citation Not Found" warning. The chapters therefore cite with a Markdown link whose text is the
author-year citation and whose target is ``cite:`` and the key: Jupyter, Colab and VS Code show the
text, and this extension makes the HTML link go to the key's entry on the bibliography page
(``bibtex_cite_id = "cite-{key}"`` gives each entry that id). A key missing from the bibliography is
a build warning, so a build with warnings as errors fails on it. ``myst_url_schemes`` must list
``cite`` so that MyST keeps these links for the extension. tests/test_citations.py checks that each
link's text names the entry's author and year.
"""

from __future__ import annotations

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging

SCHEME = "cite:"
BIBLIOGRAPHY_PAGE = "book/bibliography"
logger = logging.getLogger(__name__)


class CiteLinks(SphinxPostTransform):
    """Point every ``cite:KEY`` link at KEY's entry on the bibliography page."""

    default_priority = 5  # before Sphinx's own handling of references

    def run(self, **kwargs) -> None:
        links = [ref for ref in self.document.findall(nodes.reference)
                 if ref.get("refuri", "").startswith(SCHEME)]
        if not links:
            return
        keys = set(self.env.get_domain("cite").bibdata.data.entries)
        page = self.app.builder.get_relative_uri(self.env.docname, BIBLIOGRAPHY_PAGE)
        for ref in links:
            key = ref["refuri"][len(SCHEME):]
            if key not in keys:
                logger.warning("citation key %r is not in the bibliography (%s)", key,
                               ", ".join(self.config.bibtex_bibfiles), location=ref)
                continue
            ref["refuri"] = f"{page}#{self.config.bibtex_cite_id.format(key=key, bibliography_count=1)}"
            ref["internal"] = True
            ref["classes"].append("bibtex-citation")


def setup(app):
    app.add_post_transform(CiteLinks)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
