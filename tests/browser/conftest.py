"""Fixtures for the checks of the built site: one build per test session, served on loopback, and
Debian's Chromium driven by playwright (never a browser that a tool downloads).

The build runs with SMECREDIT_LAUNCH_PREVIEW=1 so that the launch buttons appear even while
repository.url in _config.yml is the placeholder, and the tests can check where they point.
Browser tests skip when /usr/bin/chromium is missing, except under CI=true, where they fail:
.ci/run installs chromium, so CI always runs them.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from serving import CHROMIUM, CHROMIUM_FLAGS, ROOT, StaticServer, in_ci, jupyterlab_harness


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """The book built from its stored outputs into a temporary folder; returns the html/ folder."""
    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "SMECREDIT_LAUNCH_PREVIEW": "1"}
    result = subprocess.run(
        [str(Path(sys.executable).with_name("jupyter-book")), "build", str(ROOT), "-n", "--keep-going",
         "--path-output", str(out)], capture_output=True, text=True, cwd=ROOT, env=env)
    html = out / "_build" / "html"
    assert result.returncode == 0 and (html / "index.html").is_file(), result.stdout[-3000:] + result.stderr[-3000:]
    return html


@pytest.fixture(scope="session")
def site_url(built_site):
    server = StaticServer(built_site)
    yield server.url
    server.stop()


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing (install Debian's chromium: apt-get install -y chromium)"
        if in_ci():
            pytest.fail(message + "; CI must run the browser tests")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def jupyterlab(browser, tmp_path_factory):
    """JupyterLab from this virtual environment on 127.0.0.1 (tests/browser/lab_server.py), for the whole
    session; depends on ``browser`` so that it skips, or fails under CI, exactly when Chromium is missing.
    Open a notebook with ``jupyterlab.open_notebook(browser, name, cells, wait_for)``."""
    lab = jupyterlab_harness().JupyterLab(tmp_path_factory.mktemp("jupyterlab"))
    yield lab
    lab.stop()
