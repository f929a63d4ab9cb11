"""Sphinx extension for this book: launch buttons only for a real repository, and small theme fixes.

Loaded through ``sphinx.local_extensions`` in ``_config.yml``.

Launch buttons (Binder, Colab, Thebe live code) are built from ``repository.url`` in
``_config.yml``. While that is still the placeholder ``https://github.com/OWNER/REPOSITORY``
they would point at a repository that does not exist, so this extension switches them off
(and says so once in the build log). Set ``SMECREDIT_LAUNCH_PREVIEW=1`` to keep them with the
placeholder, which the browser tests do to check where the buttons point.
"""

from __future__ import annotations

import os

from sphinx.util import logging

PLACEHOLDER_MARKER = "OWNER/REPOSITORY"
PREVIEW_ENV_VAR = "SMECREDIT_LAUNCH_PREVIEW"
LAUNCH_KEYS = ("binderhub_url", "jupyterhub_url", "colab_url", "deepnote_url", "jupyterlite_url", "thebe")

logger = logging.getLogger(__name__)


def is_placeholder(url: str | None) -> bool:
    """True when the repository URL is missing or still the placeholder of ``_config.yml``."""
    return not url or PLACEHOLDER_MARKER in url


def guard_launch_buttons(theme_options: dict, environ=os.environ) -> list[str]:
    """Switch off the launch buttons in ``theme_options`` (in place) while the repository is a placeholder.

    Returns:
        The launch providers that were switched off (empty when the URL is real or preview is on).
    """
    if not is_placeholder(theme_options.get("repository_url")) or environ.get(PREVIEW_ENV_VAR) == "1":
        return []
    launch = dict(theme_options.get("launch_buttons") or {})
    removed = [key for key in LAUNCH_KEYS if launch.get(key)]
    for key in removed:
        launch[key] = False if key == "thebe" else ""
    theme_options["launch_buttons"] = launch
    for button in ("use_repository_button", "use_edit_page_button", "use_issues_button"):
        theme_options[button] = False
    return removed


def _config_inited(app, config) -> None:
    removed = guard_launch_buttons(config.html_theme_options)
    if removed:
        logger.info("[offline_book] launch buttons off (%s): repository.url in _config.yml is still the "
                    "placeholder", ", ".join(removed))


def _dedupe_scripts(app, pagename, templatename, context, doctree) -> None:
    """Drop repeated inline scripts: sphinx-thebe registers its ``const THEBE_JS_URL`` twice under
    Jupyter Book, and the second copy throws "Identifier 'THEBE_JS_URL' has already been declared"."""
    seen = set()
    kept = []
    for script in context.get("script_files", []):
        key = (getattr(script, "filename", script) or "", tuple(sorted(getattr(script, "attributes", {}).items())))
        if key in seen:
            continue
        seen.add(key)
        kept.append(script)
    context["script_files"][:] = kept  # in place: handlers after this one still append to the same list


def _single_page_hidden_cells(app) -> None:
    """Let the single-page build (``--builder singlehtml``, which the printable PDF is made from) skip
    the cells that sphinx-jupyterbook-latex hides from print. That extension registers how to write
    its ``HiddenCellNode`` for the ``html`` builder only, so ``singlehtml`` stopped with "unknown node
    type: HiddenCellNode" (jupyter-book issue 2322)."""
    if app.builder.name != "singlehtml":
        return
    try:
        from sphinx_jupyterbook_latex.nodes import HiddenCellNode, visit_HiddenCellNode
    except ImportError:
        return
    app.add_node(HiddenCellNode, override=True, singlehtml=(visit_HiddenCellNode, None))


def setup(app):
    app.connect("config-inited", _config_inited, priority=100)
    app.connect("builder-inited", _single_page_hidden_cells)
    # early: 'html-page-context' is emitted with emit_firstresult, so a late handler may never run
    app.connect("html-page-context", _dedupe_scripts, priority=100)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
