"""The book as a whole: it builds with warnings as errors, its chapters keep one shape,
its notebooks are stored clean, and its data pages say what the code does."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from browser.pages import toc_entries as toc_files  # the one reader of _toc.yml
from smecredit import prose
from smecredit.schema import data_dictionary_markdown
from smecredit.simulate import true_coefficients

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "book").glob("[0-9][0-9]-*.ipynb"))
TEMPLATE = ROOT / "book" / "_chapter-template.ipynb"  # the chapter shape, for authors to copy
SHAPED = [*CHAPTERS, TEMPLATE]


def cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def markdown_of(path: Path) -> str:
    return "\n".join("".join(c["source"]) for c in cells(path) if c["cell_type"] == "markdown")


def between(text: str, marker: str) -> str:
    match = re.search(rf"<!-- {marker}:start -->\n(.*?)<!-- {marker}:end -->", text, re.S)
    assert match, f"markers for {marker} not found"
    return match.group(1)


def test_data_page_dictionary_is_the_schema():
    page = (ROOT / "data" / "loans.md").read_text(encoding="utf-8")
    assert between(page, "data-dictionary") == data_dictionary_markdown()


def test_data_page_true_coefficients_are_the_parameter_file():
    page = between((ROOT / "data" / "loans.md").read_text(encoding="utf-8"), "true-coefficients")
    rows = {name: (float(structural), float(pseudo)) for name, structural, pseudo
            in re.findall(r"^\| `(.+?)` \| (-?[\d.]+) \| (-?[\d.]+) \|$", page, re.M)}
    truth, pseudo_true = true_coefficients(), true_coefficients("pseudo_true")
    assert set(rows) == set(truth.index)
    for name, (structural, pseudo) in rows.items():
        assert structural == truth[name], name
        assert pseudo == pytest.approx(pseudo_true[name], abs=5e-5), name


def test_every_toc_entry_exists_and_chapters_are_numbered_in_reading_order():
    files = toc_files()
    for entry in files:
        assert any((ROOT / f"{entry}{ext}").is_file() for ext in (".md", ".ipynb")), entry
    numbered = [Path(f).name[:2] for f in files if re.match(r"book/\d\d-", f)]
    assert numbered == sorted(numbered) and len(set(numbered)) == len(numbered)


@pytest.mark.parametrize("path", SHAPED, ids=lambda p: p.name)
def test_chapter_has_the_book_shape(path):
    text = markdown_of(path)
    for part in ["**Learning objectives.**", "**Prerequisites.**", "**Time needed.**", "## Summary", "## Exercises"]:
        assert part in text, f"{path.name} lacks {part}"
    exercises = re.findall(r"^:::\{exercise\}\n:label: (\S+)", text, re.M)
    solutions = re.findall(r"^:::\{solution(?:-start)?\} (\S+)\n:class: dropdown", text, re.M)
    assert "```{" not in text, f"{path.name}: a directive in a backtick fence (use ::: so it degrades to text)"
    assert len(exercises) >= 3, f"{path.name}: fewer than three exercises"
    assert sorted(exercises) == sorted(solutions), f"{path.name}: every exercise needs a folded solution"
    assert "simulated" in text.lower(), f"{path.name} must say the data are simulated"


@pytest.mark.parametrize("path", SHAPED, ids=lambda p: p.name)
def test_every_number_the_text_states_is_its_computation(path):
    """The prose states its numbers literally (so every viewer shows them), each marked with the
    glued value it comes from; nbval checks the glued values against a fresh run."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    assert prose.number_mismatches(notebook) == []
    assert prose.NUMBER.search(markdown_of(path)), f"{path.name} states no computed number"


@pytest.mark.filterwarnings("ignore:Your element with mimetype:UserWarning")  # glued values: not for display
@pytest.mark.parametrize("path", SHAPED, ids=lambda p: p.name)
def test_chapter_reads_in_a_plain_notebook_viewer(path):
    """Colab, VS Code and GitHub's viewer render a notebook's Markdown with no book extension; plain
    nbconvert does the same, so it stands in for them: the numbers show, and the boxes, exercises and
    solutions degrade to text and Markdown (colon fences), not to code blocks or placeholders."""
    from bs4 import BeautifulSoup, Comment
    from nbconvert import HTMLExporter

    html, _ = HTMLExporter().from_filename(str(path))
    soup = BeautifulSoup(html, "html.parser")
    for comment in soup.find_all(string=lambda text: isinstance(text, Comment)):
        comment.extract()
    rendered = soup.select(".jp-MarkdownCell .jp-RenderedMarkdown")
    sources = [c for c in cells(path) if c["cell_type"] == "markdown"]
    assert len(rendered) == len(sources)
    for source, cell in zip(sources, rendered):
        text = " ".join(cell.get_text(" ").split())
        assert "{glue" not in text and "-->" not in text, text[:200]
        for match in prose.NUMBER.finditer("".join(source["source"])):
            assert " ".join(match["text"].split()) in text, f"{match['name']} ({match['text']}) not shown: {text[:200]}"
        for block in cell.find_all("pre"):
            assert not re.search(r"^:(label|class):", block.get_text(), re.M), f"a directive shown as code: {block.get_text()[:80]}"
    assert soup.find("strong", string=re.compile("Learning objectives"))  # the box's Markdown is rendered


def test_a_stated_number_that_disagrees_is_caught():
    notebook = {"cells": [
        {"cell_type": "code", "source": "glue('auc', 0.79362241)", "outputs": [{
            "output_type": "display_data", "metadata": {"scrapbook": {"name": "auc"}},
            "data": {"application/papermill.record/text/plain": "0.79362241"}}]},
        {"cell_type": "markdown", "source": "AUC <!--{auc:.3f}-->0.800<!--/--> and {glue:text}`auc:.1%`."}]}
    assert prose.number_mismatches(notebook) == [
        "cell 1: a {glue:text} role is left ({glue:text}`auc:.1%`); run python -m smecredit.prose --write",
        "cell 1: auc is stated as '0.800' but computes to '0.794'"]
    assert prose.fill_numbers(notebook) == 1
    assert notebook["cells"][1]["source"] == ["AUC <!--{auc:.3f}-->0.794<!--/--> and <!--{auc:.1%}-->79.4%<!--/-->."]
    assert prose.number_mismatches(notebook) == []
    notebook["cells"][1]["source"] = "See <!--{nothing}--><!--/-->."
    assert prose.number_mismatches(notebook) == [
        "cell 1: no value is glued under 'nothing': run the chapter (make execute), or fix the name"]
    notebook["cells"][1]["source"] = "Text.\n\n<!--{auc:.3f}-->0.794<!--/--> is the AUC."
    assert prose.number_mismatches(notebook) == [
        "cell 1: a line starts with a stated number; Markdown reads such a line as an HTML block, which "
        "splits the sentence: start the paragraph with a word"]
    notebook["cells"][1]["source"] = "The AUC is\n<!--{auc:.3f}-->0.794<!--/-->."
    prose.fill_numbers(notebook)  # a number that starts a line inside a sentence joins the line before
    assert notebook["cells"][1]["source"] == ["The AUC is <!--{auc:.3f}-->0.794<!--/-->."]


@pytest.mark.parametrize("path", SHAPED, ids=lambda p: p.name)
def test_chapter_has_no_empty_cell(path):
    empty = [i for i, c in enumerate(cells(path)) if not "".join(c["source"]).strip()]
    assert not empty, f"{path.name}: empty cells at positions {empty} (they show as blank boxes on the page)"


@pytest.mark.parametrize("path", SHAPED, ids=lambda p: p.name)
def test_chapter_is_stored_executed_clean_and_captioned(path):
    code = [c for c in cells(path) if c["cell_type"] == "code" and "".join(c["source"]).strip()]
    counts = [c["execution_count"] for c in code]
    assert counts == list(range(1, len(code) + 1)), f"{path.name}: not run top to bottom from a fresh kernel"
    for cell in code:
        outputs = json.dumps(cell["outputs"])
        assert '"output_type": "error"' not in outputs, f"{path.name}: stored error"
        assert '"name": "stderr"' not in outputs, f"{path.name}: stored warning or stderr output"
        assert not re.search(r"/(work|tmp|root|home|Users)/", outputs), f"{path.name}: a machine path in outputs"
        if "image/png" in outputs:
            meta = cell["metadata"].get("mystnb", {})
            assert meta.get("figure", {}).get("caption"), f"{path.name}: a figure without a caption"
            assert meta.get("image", {}).get("alt"), f"{path.name}: a figure without alt text"


def test_execution_times_page_lists_every_chapter_in_both_thread_settings():
    """The page instructors plan with (benchmarks/execution_times.py writes it): every chapter, timed
    in a kernel started as make test starts it and as jupyter lab starts it, and the two agree within
    20%, since the package sets one BLAS thread in every kernel."""
    page = (ROOT / "book" / "execution-times.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| \[[^\]]+\]\((\d\d-[\w-]+\.ipynb)\) \| ([\d.]+) \| ([\d.]+) \|", page, re.M)
    assert [file for file, _, _ in rows] == [path.name for path in CHAPTERS]
    for file, tested, jupyter in rows:
        assert abs(float(jupyter) - float(tested)) <= 0.2 * float(tested), f"{file}: {tested} s against {jupyter} s"


def test_book_builds_with_warnings_as_errors(tmp_path):
    result = subprocess.run(
        [str(Path(sys.executable).with_name("jupyter-book")), "build", str(ROOT), "-W", "-n", "--keep-going",
         "--path-output", str(tmp_path)],
        capture_output=True, text=True, cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    html = tmp_path / "_build" / "html"
    for entry in toc_files():
        assert (html / f"{entry}.html").is_file(), entry
    tour = (html / "book" / "03-the-loan-book.html").read_text(encoding="utf-8")
    assert "20,000" in tour  # a glued number reached the page
    assert 'alt="Two panels' in tour


@pytest.mark.parametrize("path", SHAPED, ids=lambda p: p.name)
def test_cells_that_record_numbers_for_the_text_are_out_of_the_readers_way(path):
    """A cell that glues values feeds the prose only: it is removed from the page and folded in
    Jupyter, and it holds nothing else a student should see (no figure, no table)."""
    for index, cell in enumerate(cells(path)):
        source = "".join(cell["source"])
        if cell["cell_type"] != "code" or not re.search(r"^\s*glue\(", source, re.M):
            continue
        where = f"{path.name}, cell {index}"
        assert "remove-cell" in cell["metadata"].get("tags", []), f"{where}: glue cell not tagged remove-cell"
        assert cell["metadata"].get("jupyter", {}).get("source_hidden"), f"{where}: glue cell not folded in Jupyter"
        shown = [o for o in cell["outputs"] if "application/papermill.record/text/plain" not in o.get("data", {})]
        assert not shown, f"{where}: a glue cell shows output ({shown[0].get('output_type')}); split it"
        assert not re.search(r"^import |^from ", source, re.M), f"{where}: imports belong in the first cell"


def test_chapter_6_newton_raphson_by_hand_reproduces_statsmodels():
    """Chapter 6's Newton-Raphson steps, as the chapter computed and stored them, agree with statsmodels."""
    from smecredit.prose import glued_values

    values = glued_values(json.loads((ROOT / "book" / "06-first-logistic-regression.ipynb").read_text(encoding="utf-8")))
    agreement = values["newton_agreement"].strip("'\"")  # "to better than 1e-12, ..." or "to 3e-11"
    assert agreement.startswith("to better than 1e-12") or float(agreement.removeprefix("to ")) <= 1e-8
    assert 5 <= int(values["newton_steps"]) <= 12  # quadratic convergence from zero, not a crawl


def test_chapter_7_states_the_clustered_se_range_of_the_table_it_shows():
    """The prose's range of clustered-to-plain SE ratios is taken over the table the reader sees (the
    five factors), not over every coefficient: once it said "to 1.36" beside a table that ends at 1.23."""
    from smecredit.prose import glued_values

    notebook = json.loads((ROOT / "book" / "07-modelling-default.ipynb").read_text(encoding="utf-8"))
    values = glued_values(notebook)
    cell = next(c for c in notebook["cells"] if c["cell_type"] == "code"
                and "se_ratio.rename(index=term_label).round(2)" in "".join(c["source"]))
    text = "".join(cell["outputs"][0]["data"]["text/plain"])
    block = text[text.index("Sub-branch ("):]
    shown = [float(v) for v in re.findall(r"\s(\d+\.\d\d)\s*$", block, re.M)]
    assert len(shown) >= 10  # the five factors' coefficients
    assert round(float(values["branch_ratio_max"]), 2) == max(shown)
    assert round(float(values["branch_ratio_min"]), 2) == min(shown)


def test_no_chapter_types_its_own_cost_or_lgd_assumption():
    """Costs, LGD and capital come from smecredit.assumptions, so chapters 2, 8 and 10 agree."""
    assignment = re.compile(r"^\s*[A-Z_]*(COST|LGD|FUNDING|HURDLE|CAPITAL)[A-Z_]*\s*=\s*[\d.]+\s*(#.*)?$", re.M)
    for path in CHAPTERS:
        code = "\n".join("".join(c["source"]) for c in cells(path) if c["cell_type"] == "code")
        assert not assignment.search(code), f"{path.name}: {assignment.search(code).group(0).strip()}"


def test_instructor_guide_states_the_files_row_count():
    guide = (ROOT / "book" / "instructor-guide.md").read_text(encoding="utf-8")
    stated = re.search(r"`read_csv` keeps: ([\d,]+) rows instead of ([\d,]+)", guide)
    rows = pd.read_csv(ROOT / "data" / "loans.csv", usecols=["seasoned_stock"])["seasoned_stock"]
    assert stated and int(stated.group(1).replace(",", "")) == len(rows)
    assert int(stated.group(2).replace(",", "")) == (~rows).sum()


def test_data_page_states_the_files_and_the_generators_numbers():
    """The numbers data/loans.md states, each against the file or the parameter it describes."""
    from smecredit import load_loans
    from smecredit.simulate import (BOOK, DEFAULT_SEED, N_ACCOUNT_MANAGERS, N_SUB_BRANCHES, RATING_SHARES,
                                    _circle_parameters, _parameter_file, data_cutoff, scenario_spec, true_model)

    page = " ".join((ROOT / "data" / "loans.md").read_text(encoding="utf-8").split())
    book = load_loans(seasoned_stock=True)
    stock = int(book["seasoned_stock"].sum())
    model, spec, circles = true_model(), scenario_spec(BOOK), _circle_parameters()
    parameters = _parameter_file()
    stated = {
        f"with seed {DEFAULT_SEED}": True,
        f"One row per loan: {len(book) - stock:,} SME loans granted by the {N_SUB_BRANCHES} sub-branches": True,
        f"**seasoned stock**: {stock:,} loans granted in 2011-2013": True,
        f"The data stop at the cut-off, {data_cutoff():%-d %B %Y}.": True,
        f"About {N_ACCOUNT_MANAGERS} account managers": True,
        f"shares of {'/'.join(f'{s:.0%}'.rstrip('%') for s in RATING_SHARES)}% for AA to B": True,
        f"circles** of {circles['min_size']} to {circles['max_size']} firms": True,
        f"({spec.soft_info_logit} log-odds per standard deviation)": True,
        f"sub-branch (standard deviation {model.sub_branch_sd:g})": True,
        f"account manager (standard deviation {model.account_manager_sd:g})": True,
        f"with probability {circles['contagion_probability']:g}, a month later": circles["contagion_lag_months"] == 1,
        "A quarter of the borrowers first borrowed in 2011-2013":
            parameters["seasoned_stock"]["borrower_share"] == 0.25,
        "about one default in eight is a downgrade": abs(parameters["timing"]["downgrade_share"] - 1 / 8) < 0.01,
        f"{parameters['loan_size']['max_share_of_total_assets']:.2f} x total assets": True,
    }
    wrong = [text for text, holds in stated.items() if not (holds and text in page)]
    assert not wrong, f"data/loans.md no longer states what the file or the generator does: {wrong}"


def test_every_target_label_names_the_heading_under_it():
    """A `(label)=` line stands right above the heading it names: two labels stacked on one heading (as
    when a section is inserted between a label and its heading) send a link to the wrong section."""
    for path in sorted([*(ROOT / "book").glob("*.md"), *(ROOT / "data").glob("*.md")]):
        lines = path.read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines[:-1], start=1):
            if re.fullmatch(r"\([\w-]+\)=", line):
                assert re.match(r"#+ |:::|```", lines[number]), f"{path.name}:{number}: {line} is not above a heading"
