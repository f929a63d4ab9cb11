"""The student edition (tools/student_edition.py, `make student`): every chapter without its solutions,
and nothing else lost; it still runs from top to bottom."""

from __future__ import annotations

import ast
import re
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from smecredit.exercises import EXERCISES, answer_cell

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import student_edition  # noqa: E402  (tools/student_edition.py)

CHAPTERS = sorted((ROOT / "book").glob("[0-9][0-9]-*.ipynb"))


def solution_spans(notebook) -> tuple[set[int], list[str]]:
    """Cells from each solution-start's cell to its solution-end's cell, and every solution's label
    (gated or a single ``{solution}`` block), read straight from the chapter."""
    spans, labels, start = set(), [], None
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "markdown":
            continue
        for match in re.finditer(r"^:::\{(solution-start|solution-end|solution)\}\s*(\S*)", cell.source, re.M):
            if match[1] == "solution-start":
                start, label = index, match[2]
            elif match[1] == "solution-end":
                spans.update(range(start, index + 1))
                labels.append(label)
            else:
                labels.append(match[2])
    return spans, labels


def solution_lines(notebook) -> list[str]:
    """The longest line of every solution's text (markdown and code): what must not reach students."""
    spans, _ = solution_spans(notebook)
    lines = []
    for index, cell in enumerate(notebook.cells):
        text = cell.source
        if index in spans and cell.cell_type == "markdown":
            start = re.search(r"^:::\{solution-start\}", text, re.M)
            end = re.search(r"^:::\{solution-end\}", text, re.M)
            text = text[start.start() if start else 0:end.start() if end else len(text)]
        elif index not in spans:
            blocks = re.findall(r"^:::\{solution\}.*?^:::$", text, re.M | re.S)
            for block in blocks:
                lines.append(max(block.splitlines()[2:], key=len))
            continue
        prose = [line for line in text.splitlines() if not re.match(r":::|:class:", line)]
        if prose:
            lines.append(max(prose, key=len))
    return [line for line in lines if len(line.strip()) > 20]


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_every_solution_is_left_out_and_everything_else_kept(path):
    chapter = nbformat.read(path, as_version=4)
    student, labels = student_edition.without_solutions(chapter, path.name)
    spans, expected_labels = solution_spans(chapter)
    exercises = re.findall(r"^:label: (\S+)", "\n".join(c.source for c in chapter.cells if c.cell_type == "markdown"
                                                          and "{exercise}" in c.source), re.M)
    assert labels == expected_labels and sorted(labels) == sorted(exercises) and labels, path.name
    assert chapter.cells == nbformat.read(path, as_version=4).cells, "the chapter itself must not change"
    nbformat.validate(student)

    text = "\n".join(cell.source for cell in student.cells)
    assert not re.search(r"\{solution|:class: dropdown", text), f"{path.name}: a solution directive is left"
    for line in solution_lines(chapter):
        assert line not in text, f"{path.name}: solution text reaches students: {line[:80]}"

    # every code cell outside the solutions is there, in order, with its outputs; none inside them
    kept = [c for i, c in enumerate(chapter.cells) if c.cell_type == "code" and i not in spans]
    shown = [c for c in student.cells if c.cell_type == "code" and not c.id.startswith("answer-")]
    assert [(c.id, c.source, c.outputs) for c in shown] == [(c.id, c.source, c.outputs) for c in kept]
    # every markdown cell outside the solutions keeps its text (a cell that holds an exercise and a single
    # solution block keeps the exercise)
    student_markdown = "\n".join(c.source for c in student.cells if c.cell_type == "markdown")
    for index, cell in enumerate(chapter.cells):
        if cell.cell_type == "markdown" and index not in spans:
            for paragraph in re.sub(r"^:::\{solution\}.*?^:::$", "", cell.source, flags=re.M | re.S).split("\n\n"):
                assert paragraph.strip() in student_markdown, f"{path.name}, cell {index}: {paragraph[:80]}"

    # each exercise is followed at once by its place for an answer
    for label in labels:
        at = next(i for i, c in enumerate(student.cells) if c.id == f"answer-{label}")
        assert re.findall(r"^:label: (\S+)", student.cells[at - 1].source, re.M)[-1] == label
        assert student.cells[at + 1].cell_type == "code" and student.cells[at + 1].id == f"answer-{label}-code"
        assert student.cells[at + 1].source == (answer_cell(label) if label in EXERCISES else student_edition.ANSWER_CODE)
    title = chapter.cells[0].source.split("\n")[0]
    assert student.cells[0].source.startswith(f"{title}\n\n{student_edition.EDITION_NOTE}\n\n"), "the note is under the title"
    assert student.metadata["smecredit"] == {"edition": "student"}


def names(cell) -> tuple[set[str], set[str]]:
    """(names a code cell binds, names it reads), IPython magics left out."""
    source = re.sub(r"^(\s*)[%!].*$", r"\1pass", cell.source, flags=re.M)
    tree = ast.parse(source)
    bound = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    bound |= {n.name for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    bound |= {(a.asname or a.name).split(".")[0] for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))
              for a in n.names}
    read = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    return bound, read


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_no_cell_students_keep_needs_a_name_only_a_solution_defines(path):
    """What would stop the edition running: a kept cell reading a variable that only a solution's code set."""
    chapter = nbformat.read(path, as_version=4)
    student, _ = student_edition.without_solutions(chapter, path.name)
    in_student = {c.id for c in student.cells}
    only_in_solutions, problems = set(), []
    for cell in chapter.cells:
        if cell.cell_type != "code":
            continue
        bound, read = names(cell)
        if cell.id in in_student:
            problems += [f"{cell.id}: {name}" for name in read & only_in_solutions]
            only_in_solutions -= bound
        else:
            only_in_solutions |= bound
    assert not problems, f"{path.name}: cells that need a solution's variables: {problems}"


def test_the_edition_runs_top_to_bottom():
    """Chapter 6, which has both kinds of solution (gated, with code, and a single block), executes."""
    path = ROOT / "book" / "06-first-logistic-regression.ipynb"
    student, labels = student_edition.without_solutions(nbformat.read(path, as_version=4), path.name)
    assert len(labels) == 4
    NotebookClient(student, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    errors = [o for c in student.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors
    # the self-checking exercise's cell, run as handed out, asks for the answer
    checked = next(c for c in student.cells if c.id == "answer-ex-first-zero-code")
    assert "✗ chance  not answered yet" in checked.outputs[0]["data"]["text/plain"]


def test_a_solution_left_open_or_closed_twice_is_named():
    cell = nbformat.v4.new_markdown_cell
    chapter = nbformat.v4.new_notebook(cells=[
        cell("# A chapter"),
        cell(":::{exercise}\n:label: ex-a\n\nSay why.\n:::\n\n:::{solution-start} ex-a\n:class: dropdown\n:::\n\nBecause."),
        nbformat.v4.new_code_cell("1 + 1"),
    ])
    with pytest.raises(student_edition.SolutionLayoutError, match=r"ch\.ipynb: the solution of 'ex-a' is never closed"):
        student_edition.without_solutions(chapter, "ch.ipynb")
    chapter.cells.append(cell(":::{solution-end}\n:::\n\nAfter the solution."))
    student, labels = student_edition.without_solutions(chapter, "ch.ipynb")
    assert labels == ["ex-a"]
    assert [c.source for c in student.cells if c.cell_type == "markdown"] == [
        f"# A chapter\n\n{student_edition.EDITION_NOTE}", ":::{exercise}\n:label: ex-a\n\nSay why.\n:::",
        student_edition.ANSWER_PROMPT, "After the solution."]
    assert [c.source for c in student.cells if c.cell_type == "code"] == [student_edition.ANSWER_CODE]
    chapter.cells.append(cell(":::{solution-end}\n:::"))
    with pytest.raises(student_edition.SolutionLayoutError, match=r"ch\.ipynb, cell 4: a solution-end with no"):
        student_edition.without_solutions(chapter, "ch.ipynb")


def test_build_writes_the_chapters_the_pages_they_link_to_and_a_zip(tmp_path):
    out = tmp_path / "student"
    taken_out = student_edition.build(out)
    assert sorted(taken_out) == [p.name for p in CHAPTERS] and sum(map(len, taken_out.values())) >= 40
    bibliography = (out / "book" / "bibliography.md").read_text(encoding="utf-8")
    cited = set()
    for page in [*(out / "book").glob("*"), *(out / "data").glob("*")]:
        text = page.read_text(encoding="utf-8")
        assert "cite:" not in text, f"{page.name}: a citation the edition cannot resolve"
        if page.suffix == ".ipynb":
            notebook = nbformat.reads(text, as_version=4)
            assert notebook.metadata["smecredit"]["edition"] == "student"
            text = "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
        for target in re.findall(r"\]\(((?:\.\./)?[\w./-]+\.(?:md|ipynb))(?:#[\w-]*)?\)", text):
            assert (page.parent / target).is_file(), f"{page.name} links to {target}, missing from the edition"
        cited |= {link for link in re.findall(r"\[([^\]]+)\]\((?:\.\./book/)?bibliography\.md\)", text)}
    # every citation's text leads to its entry: "Cook, 1977" or "Cook (1977)" -> "- **Cook, 1977**:"
    entries = set(re.findall(r"^- \*\*(.+?)\*\*: ", bibliography, re.M))
    as_entries = {re.sub(r"^(.+) \((\d{4}[a-z]?)\)$", r"\1, \2", text) for text in cited}
    assert as_entries <= entries, as_entries - entries
    assert bibliography.count("\n- ") == len(re.findall(r"^@", (ROOT / "book" / "references.bib")
                                                                        .read_text(encoding="utf-8"), re.M))
    assert not list((out / "data").glob("*.csv")), "the edition carries the data pages, not the data"
    assert "jupyter lab student" in (out / "README.txt").read_text(encoding="utf-8")
    with zipfile.ZipFile(tmp_path / "student.zip") as archive:
        listed = set(archive.namelist())
    assert {f"student/book/{p.name}" for p in CHAPTERS} <= listed and "student/README.txt" in listed
    assert "student/book/bibliography.md" in listed


def small_book(root: Path, chapter_text: str) -> Path:
    """A repository with one chapter, the pages the edition copies and a bibliography."""
    (root / "book").mkdir(parents=True)
    (root / "data").mkdir()
    for page in student_edition.PAGES:
        (root / page).write_text("# Glossary\n", encoding="utf-8")
    (root / "book" / "references.bib").write_text(
        "@article{cook1977, author={Cook, R. Dennis}, title={Detection}, journal={Technometrics}, year={1977}}\n",
        encoding="utf-8")
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(chapter_text)])
    nbformat.write(notebook, root / "book" / "01-one.ipynb")
    return root


def test_build_replaces_only_an_earlier_edition_and_only_when_the_new_one_is_complete(tmp_path):
    good = small_book(tmp_path / "good", "# One\n\n:::{exercise}\n:label: ex-a\n\nWhy?\n:::\n\n"
                      ":::{solution} ex-a\n:class: dropdown\n\nBecause ([Cook, 1977](cite:cook1977)).\n:::")
    broken = small_book(tmp_path / "broken", "# One\n\n:::{solution-start} ex-a\n:class: dropdown\n:::\n\nBecause.")

    mine = tmp_path / "my-notes"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(FileExistsError, match="is not a student edition"):
        student_edition.build(mine, root=good)
    assert (mine / "notes.txt").read_text(encoding="utf-8") == "keep me"

    out = tmp_path / "student"
    assert student_edition.build(out, root=good) == {"01-one.ipynb": ["ex-a"]}
    assert "Because" not in (out / "book" / "01-one.ipynb").read_text(encoding="utf-8")
    assert "- **Cook, 1977**: R. Dennis Cook. Detection. Technometrics, 1977." in (
        out / "book" / "bibliography.md").read_text(encoding="utf-8")
    with pytest.raises(student_edition.SolutionLayoutError, match="never closed"):
        student_edition.build(out, root=broken)
    assert (out / "book" / "01-one.ipynb").is_file(), "a failed build leaves the earlier edition"
    assert not (tmp_path / "student.zip").exists(), "and no zip that could be handed out by mistake"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == [], "no temporary folder is left"
    student_edition.build(out, root=good)
    assert (tmp_path / "student.zip").is_file()
