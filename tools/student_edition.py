"""The student edition: the chapters as notebooks without the exercises' solutions (``make student``).

In the web book a solution is folded under its exercise; in JupyterLab, Notebook 7 and Colab it is
not, because a solution's text and code are cells of their own. An instructor who wants students to
try the exercises first hands out this edition instead: every chapter with each solution (a
``:::{solution}`` block, or everything from ``:::{solution-start}`` to ``:::{solution-end}``,
code cells included) replaced by a place for the answer, and nothing else changed. Where the
exercise asks for numbers (``smecredit.exercises``), that place is a cell that checks them. The
chapters' stored outputs stay, so the edition reads like the book before it is run.

Written to ``_build/student/`` (the folder is replaced): ``book/`` with the chapters, the glossary,
the bibliography and the troubleshooting page, ``data/`` with the data pages the chapters link to
(the data themselves are found as for the book: ``SMECREDIT_DATA``, a ``data/`` folder above the
working folder, the installed package's source tree, or the download), a ``README.txt``, and the
same as one file to hand out, ``_build/student.zip``.

Usage: python tools/student_edition.py [--out DIR]
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
from pathlib import Path

import nbformat

from smecredit.exercises import EXERCISES, answer_cell

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = "[0-9][0-9]-*.ipynb"
# pages a chapter links to, copied beside it so that its links work in Jupyter too
PAGES = ["book/glossary.md", "book/bibliography.md", "book/references.bib", "book/troubleshooting.md"]
EDITION_NOTE = """:::{note} Student edition
The solutions of this chapter's exercises are left out: each exercise is followed by a place for
your answer. Where an exercise asks for numbers, that place checks them: replace each `...` with
your value and run the cell. Your instructor has the solutions; the web book folds them under the
exercises.
:::"""
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
    title = next((i for i, c in enumerate(cells) if c.cell_type == "markdown" and c.source.startswith("# ")), 0)
    cells.insert(title + 1, nbformat.v4.new_markdown_cell(EDITION_NOTE, id="student-edition-note"))
    student = nbformat.from_dict(notebook)
    student.cells = cells
    student.metadata["smecredit"] = {"edition": "student"}
    return student, labels


def build(out: Path, root: Path = ROOT) -> dict[str, list[str]]:
    """Write the student edition into ``out`` (replaced) and ``out`` + ``.zip``.

    Returns:
        ``{chapter file name: labels of the exercises whose solutions were taken out}``.
    """
    if out.exists():
        shutil.rmtree(out)
    (out / "book").mkdir(parents=True)
    (out / "data").mkdir()
    taken_out = {}
    for source in sorted((root / "book").glob(CHAPTERS)):
        notebook = nbformat.read(source, as_version=4)
        student, labels = without_solutions(notebook, source.name)
        nbformat.validate(student)
        nbformat.write(student, out / "book" / source.name)
        taken_out[source.name] = labels
    for page in PAGES:
        shutil.copy2(root / page, out / page)
    for page in sorted((root / "data").glob("*.md")):
        shutil.copy2(page, out / "data" / page.name)
    (out / "README.txt").write_text(
        "Student edition of the chapters: the exercises' solutions are left out.\n\n"
        "Open book/ in JupyterLab, Notebook 7 or Colab. The chapters need the book's Python package\n"
        "(smecredit) and its data; each chapter's first cell installs them where they are missing.\n"
        "data/ holds the pages that describe the data, not the data themselves.\n",
        encoding="utf-8")
    shutil.make_archive(str(out), "zip", root_dir=out.parent, base_dir=out.name)
    return taken_out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "student",
                        help="folder to write (replaced; default _build/student)")
    args = parser.parse_args(argv)
    taken_out = build(args.out.resolve())
    for chapter, labels in taken_out.items():
        print(f"{chapter}: {len(labels)} solutions left out")
    print(f"Student edition: {args.out}/ and {args.out}.zip")
    return 0


if __name__ == "__main__":
    sys.exit(main())
