"""The student edition: the chapters as notebooks without the exercises' solutions (``make student``).

In the web book a solution is folded under its exercise; in JupyterLab, Notebook 7 and Colab it is
not, because a solution's text and code are cells of their own. An instructor who wants students to
try the exercises first hands out this edition instead: every chapter with each solution (a
``:::{solution}`` block, or everything from ``:::{solution-start}`` to ``:::{solution-end}``,
code cells included) replaced by a place for the answer, and nothing else changed. Where the
exercise asks for numbers (``smecredit.exercises``), that place is a cell that checks them. The
chapters' stored outputs stay, so the edition reads like the book before it is run.

Written to ``_build/student/`` and the same as one file to hand out, ``_build/student.zip``:
``book/`` with the chapters, the glossary and a bibliography written out from ``references.bib``
(its citations, which the web book resolves, link to it), ``data/`` with the data pages the chapters
link to, and a ``README.txt``. The data themselves are found as for the book (``SMECREDIT_DATA``, a
``data/`` folder above the working folder, the installed package's source tree, or the download).
The edition is built in a temporary folder and replaces the old one only when it is complete; the
tool replaces only a folder that holds an earlier edition (its marker file), never another one.

Usage: python tools/student_edition.py [--out DIR]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

import nbformat
from pybtex.database import parse_file
from pybtex.plugin import find_plugin

from smecredit.exercises import EXERCISES, answer_cell

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = "[0-9][0-9]-*.ipynb"
# pages a chapter links to, copied beside it so that its links work in Jupyter too
PAGES = ["book/glossary.md"]
MARKER = ".smecredit-student-edition"  # in every edition's folder: the only kind of folder build() replaces
CITE_LINK = re.compile(r"\[([^\]]+)\]\(cite:([\w-]+)\)")  # [Cook, 1977](cite:cook1977detection)
PLACEHOLDER_REPOSITORY = "github.com/OWNER/REPOSITORY"
EDITION_NOTE = """:::{note} Student edition
The solutions of this chapter's exercises are left out: each exercise is followed by a place for
your answer. Where an exercise asks for numbers, that place checks them: replace each `...` with
your value and run the cell.
:::"""
README = """Student edition of the chapters: the exercises' solutions are left out, and a place for your
answer follows each exercise. Where an exercise asks for numbers, that place is a cell that checks
them: replace each ... with your value and run the cell.

Open this folder (the one holding book/ and data/) in JupyterLab or Notebook 7, for example
`jupyter lab student` (add --allow-root when you are root, as in a container), then open the
chapters in book/. Opened from this folder, the chapters' links to the data pages and the
bibliography work. JupyterLab draws the chapters' boxes and exercises with the jupyterlab-myst
extension; without it they show as text starting with :::.

The chapters need the book's Python package (smecredit) and its data:
- in a copy of the book's repository where `make book` has run, use its .venv
  (`.venv/bin/jupyter lab _build/student`): it has both;
- elsewhere, each chapter's first cell installs the package where it is missing (this needs the
  internet once); set SMECREDIT_DATA to a folder holding loans.csv to read a loan book of your own,
  such as the one your instructor gives you.

data/ holds the pages that describe the data, not the data themselves.
"""
ANSWER_PROMPT = "**Your answer.** Write it here; add code cells for what you compute."
CHECKED_PROMPT = ("**Your answer.** Write it here; add code cells for what you compute. Then put your numbers "
                  "in the cell below and run it: it says whether they are right.")
ANSWER_CODE = "# your answer (add more cells as you need)\n"

SOLUTION_START = re.compile(r"^:::\{solution-start\}\s*(\S*)", re.M)
SOLUTION_END = re.compile(r"^:::\{solution-end\}[^\n]*\n:::[ \t]*$\n?", re.M)
SOLUTION_BLOCK = re.compile(r"^(?P<fence>:{3,})\{solution\}\s*(?P<label>\S*)[^\n]*\n.*?^(?P=fence)[ \t]*$\n?",
                            re.M | re.S)


class SolutionLayoutError(ValueError):
    """A chapter's solutions are not laid out as the book writes them (an unclosed solution-start, or a
    solution-end without its start)."""


def _answer_cells(label: str) -> list[nbformat.NotebookNode]:
    """The place left for one exercise's answer, with stable ids: a prompt and an empty code cell, or,
    for an exercise that checks itself (``smecredit.exercises``), a cell that checks the answer."""
    slug = re.sub(r"[^A-Za-z0-9-]", "-", label or "exercise")[:50]
    checked = label in EXERCISES
    prompt = nbformat.v4.new_markdown_cell(CHECKED_PROMPT if checked else ANSWER_PROMPT, id=f"answer-{slug}")
    code = nbformat.v4.new_code_cell(answer_cell(label) if checked else ANSWER_CODE, id=f"answer-{slug}-code")
    return [prompt, code]


def without_solutions(notebook: nbformat.NotebookNode, name: str = "notebook") -> tuple[nbformat.NotebookNode, list[str]]:
    """A copy of a chapter with every exercise's solution replaced by a place for the answer.

    Args:
        notebook: the chapter (nbformat 4); it is not changed.
        name: the chapter's file name, for error messages.

    Returns:
        ``(student_notebook, labels)``: the edition's notebook (a note under the chapter's title says
        what it is) and the labels of the exercises whose solutions were taken out, in order.

    Raises:
        SolutionLayoutError: a ``solution-start`` without its ``solution-end`` (or the reverse), named
            with the cell's number.
    """
    cells: list[nbformat.NotebookNode] = []
    labels: list[str] = []
    inside: str | None = None  # the label of the open solution-start, if any
    for number, original in enumerate(notebook.cells):
        cell = nbformat.from_dict(original)
        if inside is not None:
            if cell.cell_type != "markdown":
                continue
            end = SOLUTION_END.search(cell.source)
            if end is None:
                if SOLUTION_START.search(cell.source):
                    raise SolutionLayoutError(f"{name}, cell {number}: a solution-start inside the solution of "
                                              f"{inside!r}; close it with :::{{solution-end}} first")
                continue
            labels.append(inside)
            cells.extend(_answer_cells(inside))
            inside = None
            rest = cell.source[end.end():].strip("\n")
            if not rest:
                continue
            cell.source = rest
        if cell.cell_type == "markdown":
            if SOLUTION_END.search(cell.source) and not SOLUTION_START.search(cell.source):
                raise SolutionLayoutError(f"{name}, cell {number}: a solution-end with no solution-start before it")
            answers: list[nbformat.NotebookNode] = []
            for block in SOLUTION_BLOCK.finditer(cell.source):
                labels.append(block["label"])
                answers.extend(_answer_cells(block["label"]))
            cell.source = SOLUTION_BLOCK.sub("", cell.source)
            start = SOLUTION_START.search(cell.source)
            if start:
                end = SOLUTION_END.search(cell.source, start.end())
                if end:  # a gated solution opened and closed in one cell
                    labels.append(start[1])
                    answers.extend(_answer_cells(start[1]))
                    cell.source = cell.source[:start.start()] + cell.source[end.end():]
                else:
                    inside = start[1]
                    cell.source = cell.source[:start.start()]
            cell.source = re.sub(r"\n{3,}", "\n\n", cell.source).strip("\n")
            if cell.source:
                cells.append(cell)
            cells.extend(answers)
        else:
            cells.append(cell)
    if inside is not None:
        raise SolutionLayoutError(f"{name}: the solution of {inside!r} is never closed with :::{{solution-end}}")
    title = next(c for c in cells if c.cell_type == "markdown" and c.source.startswith("# "))
    heading, _, rest = title.source.partition("\n")
    title.source = f"{heading}\n\n{EDITION_NOTE}\n\n{rest.lstrip()}".rstrip("\n")
    student = nbformat.from_dict(notebook)
    student.cells = cells
    student.metadata["smecredit"] = {"edition": "student"}
    return student, labels


def bibliography_page(root: Path = ROOT, link_texts: dict[str, str] | None = None) -> str:
    """The bibliography as a Markdown page that any viewer shows (the book's own page is a Sphinx
    directive, empty outside the web book): one entry a line, sorted, each led by the author-year text
    the chapters link with (``link_texts``: key -> "Cook, 1977"), formatted by pybtex."""
    bibliography = parse_file(str(root / "book" / "references.bib"))
    style, text = find_plugin("pybtex.style.formatting", "unsrt")(), find_plugin("pybtex.backends", "text")()
    link_texts = link_texts or {}
    entries = []
    for entry in style.format_entries(bibliography.entries.values()):
        reference = " ".join(entry.text.render(text).split())
        label = link_texts.get(entry.key) or _author_year(bibliography.entries[entry.key])
        entries.append((label.casefold(), f"- **{label}**: {reference}"))
    return ("# Bibliography\n\nThe works the chapters cite, by the author and year their citations show.\n\n"
            + "\n".join(line for _, line in sorted(entries)) + "\n")


def _author_year(entry) -> str:
    """"Cook, 1977", "Stiglitz and Weiss, 1981", "Altman et al., 2010" for an entry no chapter cites."""
    people = entry.persons.get("author") or entry.persons.get("editor") or []
    names = [" ".join(person.last_names) or str(person) for person in people]
    who = (names[0] if len(names) == 1 else " and ".join(names) if len(names) == 2
           else f"{names[0]} et al." if names else entry.fields.get("organization", entry.key))
    return f"{who}, {entry.fields.get('year', 'n.d.')}"


def _link_to_bibliography(source: str, page: str, link_texts: dict[str, str]) -> str:
    """Point every ``[text](cite:key)`` at the bibliography page, recording each key's author-year text."""
    def relink(match: re.Match) -> str:
        text, key = match[1], match[2]
        author_year = re.fullmatch(r"(.+) \((\d{4}[a-z]?)\)", text)  # textual form "Cook (1977)"
        link_texts.setdefault(key, f"{author_year[1]}, {author_year[2]}" if author_year else text)
        return f"[{text}]({page})"

    return CITE_LINK.sub(relink, source)


def build(out: Path, root: Path = ROOT) -> dict[str, list[str]]:
    """Write the student edition into ``out`` and ``out`` + ``.zip``.

    The edition is written to a temporary folder beside ``out`` and moved into place only when it is
    complete; an earlier edition in ``out`` is replaced, and the old zip removed first.

    Returns:
        ``{chapter file name: labels of the exercises whose solutions were taken out}``.

    Raises:
        FileExistsError: ``out`` exists, is not empty and holds no earlier edition (no marker file):
            the tool does not delete a folder it did not make.
        SolutionLayoutError: a chapter's solutions are not laid out as the book writes them.
    """
    out = out.resolve()
    if out.exists() and any(out.iterdir()) and not (out / MARKER).is_file():
        raise FileExistsError(f"{out} exists and is not a student edition (it has no {MARKER}); "
                              "name a new or empty folder with --out")
    zip_path = out.with_name(out.name + ".zip")
    zip_path.unlink(missing_ok=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
        (staging / "book").mkdir()
        (staging / "data").mkdir()
        taken_out, link_texts = {}, {}
        for source in sorted((root / "book").glob(CHAPTERS)):
            student, labels = without_solutions(nbformat.read(source, as_version=4), source.name)
            for cell in student.cells:
                if cell.cell_type == "markdown":
                    cell.source = _link_to_bibliography(cell.source, "bibliography.md", link_texts)
            nbformat.validate(student)
            nbformat.write(student, staging / "book" / source.name)
            taken_out[source.name] = labels
        pages = [(root / page, staging / page, "bibliography.md") for page in PAGES]
        pages += [(page, staging / "data" / page.name, "../book/bibliography.md")
                  for page in sorted((root / "data").glob("*.md"))]
        for source, target, bibliography in pages:
            target.write_text(_link_to_bibliography(source.read_text(encoding="utf-8"), bibliography, link_texts),
                              encoding="utf-8")
        (staging / "book" / "bibliography.md").write_text(bibliography_page(root, link_texts), encoding="utf-8")
        (staging / "README.txt").write_text(README, encoding="utf-8")
        (staging / MARKER).write_text("made by tools/student_edition.py\n", encoding="utf-8")
        os.chmod(staging, 0o755)
        if out.exists():
            shutil.rmtree(out)
        staging.rename(out)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    shutil.make_archive(str(out), "zip", root_dir=out.parent, base_dir=out.name)
    return taken_out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "student",
                        help="folder to write (an earlier edition there is replaced; default _build/student)")
    args = parser.parse_args(argv)
    try:
        taken_out = build(args.out)
    except (FileExistsError, SolutionLayoutError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for chapter, labels in taken_out.items():
        print(f"{chapter}: {len(labels)} solutions left out")
    out = args.out.resolve()
    print(f"Student edition: {out}/ and {out}.zip")
    print(f"Look at it with: jupyter lab {out}   (from the repository: .venv/bin/jupyter lab {out})")
    if any(PLACEHOLDER_REPOSITORY in path.read_text(encoding="utf-8") for path in (ROOT / "book").glob(CHAPTERS)):
        print("Note: the chapters' install cell still names the placeholder repository, so on Colab it cannot "
              "install the book's package; name the real one with tools/set_repository.py first")
    return 0


if __name__ == "__main__":
    sys.exit(main())
