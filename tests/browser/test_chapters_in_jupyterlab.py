"""Every chapter opened in JupyterLab as the README installs it (jupyterlab-myst renders the MyST),
without running it: the text shows its numbers and no raw directive, role or placeholder."""

from __future__ import annotations

import json
import re
import shutil
import sys

import nbformat
import pytest

from serving import ROOT
from smecredit import prose

CHAPTERS = sorted((ROOT / "book").glob("[0-9][0-9]-*.ipynb"))
# What a reader must never see: directive fences and options, roles, glue placeholders, comments.
# A citation jupyterlab-myst cannot find shows as a bare key, a figure label it cannot resolve as the label.
RAW = re.compile(r"\{[a-z-]+(?::[a-z]+)?\}|^:{3}|^`{3}|^:(?:class|label):|<!--|-->|not rendered by jupyterlab-myst"
                 r"|citation not found|\bfig-[a-z0-9]+-[a-z0-9-]+", re.M)

# Every Markdown cell's text once jupyterlab-myst has rendered it (class "myst"); the harness turns
# off JupyterLab's windowing, so all cells render without scrolling.
RENDERED_MARKDOWN = """async () => {
    const notebook = window.jupyterapp.shell.currentWidget.content;
    const cells = notebook.widgets.map((cell, i) => [i, cell]).filter(([, cell]) => cell.model.type === "markdown");
    const done = () => cells.every(([, cell]) => cell.rendered && cell.node.querySelector(".myst"));
    for (let k = 0; k < 500 && !done(); k++) await new Promise(r => setTimeout(r, 20));
    const texts = {};
    for (const [i, cell] of cells) {
        texts[i] = !cell.node.querySelector(".myst") ? "not rendered by jupyterlab-myst"
            : cell.node.innerText + (cell.node.querySelector('[title="Citation Not Found"]') ? " citation not found" : "");
    }
    return texts;
}"""


def plain(text: str) -> str:
    """Text as compared: whitespace collapsed, typographic quotes (which MyST renders) made straight."""
    return " ".join(text.translate(str.maketrans("‘’“”", "''\"\"")).split())


def rendered_markdown(page, jupyterlab, name: str) -> dict[int, str]:
    """Open a notebook of the lab's folder and return every Markdown cell's rendered text by cell number."""
    page.goto(jupyterlab.notebook_url(name), wait_until="domcontentloaded")
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell.currentWidget"
                           " && window.jupyterapp.shell.currentWidget.content.widgets.length > 0", timeout=60000)
    page.wait_for_selector(".jp-MarkdownCell", timeout=60000)
    page.evaluate("() => window.jupyterapp.shell.currentWidget.context.ready")
    return {int(k): v for k, v in page.evaluate(RENDERED_MARKDOWN).items()}


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_chapter_reads_in_jupyterlab(browser, jupyterlab, path):
    shutil.copy(path, jupyterlab.root / path.name)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        texts = rendered_markdown(page, jupyterlab, path.stem)
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        assert sorted(texts) == [i for i, c in enumerate(cells) if c["cell_type"] == "markdown"]
        for index, text in texts.items():
            shown = plain(text)
            raw = [m.group(0) for m in RAW.finditer(text)]
            assert not raw, f"cell {index} shows {raw}: {shown[:200]}"
            for match in prose.NUMBER.finditer("".join(cells[index]["source"])):
                assert plain(match["text"]) in shown, f"cell {index}: {match['name']} not shown"
        page.screenshot(path=str(ROOT / "_build" / "screenshots" / f"jupyterlab-{path.stem}.png"))
    finally:
        page.close()


STUDENT_CHAPTERS = [ROOT / "book" / name for name in ("03-the-loan-book.ipynb", "06-first-logistic-regression.ipynb")]


@pytest.mark.parametrize("path", STUDENT_CHAPTERS, ids=lambda p: p.name)
def test_student_edition_shows_the_exercises_and_no_solution(browser, jupyterlab, path):
    """The student edition (tools/student_edition.py) in JupyterLab: each exercise rendered with a place for
    the answer under it, no "Solution" bar and no solution text (chapter 3's are gated across cells,
    chapter 6 also has one inside its exercise's cell)."""
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import student_edition
    finally:
        sys.path.remove(str(ROOT / "tools"))
    student, labels = student_edition.without_solutions(nbformat.read(path, as_version=4), path.name)
    name = f"student-{path.stem}"
    nbformat.write(student, jupyterlab.root / f"{name}.ipynb")
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        texts = rendered_markdown(page, jupyterlab, name)
        shown = {index: plain(text) for index, text in texts.items()}
        for index, text in texts.items():
            raw = [m.group(0) for m in RAW.finditer(text)]
            assert not raw, f"cell {index} shows {raw}: {shown[index][:200]}"
        everything = " ".join(shown.values())
        assert "Student edition" in everything
        assert re.findall(r"\bSolution\b", everything) == [], "a solution bar or heading is shown"
        assert everything.count("Your answer.") == len(labels)
        exercises = page.locator(".jp-MarkdownCell aside, .jp-MarkdownCell .admonition").filter(has_text="Exercise")
        assert exercises.count() >= len(labels)
        # run a self-checking exercise's cell as handed out: it asks for the answer
        index = next(i for i, c in enumerate(student.cells) if c.id.endswith("-code") and "check(" in c.source)
        output = page.evaluate("""async (index) => {
            const panel = window.jupyterapp.shell.currentWidget;
            await panel.sessionContext.ready;
            panel.content.activeCellIndex = index;
            await window.jupyterapp.commands.execute("notebook:run-cell");
            const cell = panel.content.widgets[index];
            for (let k = 0; k < 1500 && !cell.node.querySelector(".jp-OutputArea-output"); k++)
                await new Promise(r => setTimeout(r, 20));
            cell.node.scrollIntoView({block: "center"});
            return cell.node.querySelector(".jp-OutputArea-output")?.innerText || "";
        }""", index)
        assert "not answered yet" in output and "✗" in output, output
        page.screenshot(path=str(ROOT / "_build" / "screenshots" / f"jupyterlab-{name}.png"))
    finally:
        page.close()
