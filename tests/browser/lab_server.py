"""JupyterLab for the browser checks: a server from this virtual environment on loopback, and a helper
that writes a notebook, opens it in Chromium, runs all its cells and waits for an output.

The server is kept off the network and away from the user's own Jupyter state: its own config,
settings, workspaces and runtime folders (in a temporary folder), no news feed, no update check, the
read-only extension manager (the default "pypi" one asks pypi.org), no terminals. The kernel inherits
the server's environment, with OPENBLAS_NUM_THREADS=1. ``window.jupyterapp`` is exposed
(``LabApp.expose_app_in_browser``) so that a test can run JupyterLab's commands directly.

Used by the ``jupyterlab`` fixture in conftest.py and by benchmarks/explorer_latency.py.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import nbformat

from serving import free_port, stop_process

# User settings: JupyterLab's front end would otherwise ask whether to fetch news and look for updates;
# and it would render only the cells in view (a test reads every cell at once).
SETTINGS = {
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/notebook-extension:tracker": {"windowingMode": "none"},
}


class JupyterLab:
    """``python -m jupyter lab`` on 127.0.0.1, started by the constructor, stopped by :meth:`stop`.

    Args:
        workdir: an empty folder for the notebooks (``root``) and the server's private state.
        timeout: seconds to wait for /api/status to answer.
    """

    def __init__(self, workdir: Path, timeout: float = 60):
        self.workdir = Path(workdir)
        self.root = self.workdir / "notebooks"
        state = {name: self.workdir / name for name in ("config", "data", "settings", "workspaces", "runtime")}
        for folder in [self.root, *state.values()]:
            folder.mkdir(parents=True, exist_ok=True)
        # Config values that cannot be given on the command line (news_url=None).
        (state["config"] / "jupyter_server_config.json").write_text(json.dumps({
            "LabApp": {"news_url": None, "extension_manager": "readonly", "expose_app_in_browser": True,
                       "collaborative": False,
                       "check_for_updates_class": "jupyterlab.handlers.announcements.NeverCheckForUpdate"},
            # No build check on each page load (it takes seconds, and nothing here builds).
            "ServerApp": {"terminals_enabled": False,
                          "tornado_settings": {"page_config_data": {"buildCheck": False, "buildAvailable": False}}},
        }))
        for plugin, values in SETTINGS.items():  # user settings: <package>/<plugin>.jupyterlab-settings
            package, name = plugin.split(":")
            (state["settings"] / package).mkdir(parents=True, exist_ok=True)
            (state["settings"] / package / f"{name}.jupyterlab-settings").write_text(json.dumps(values))
        self.port = free_port()
        self.token = secrets.token_hex(16)
        self.url = f"http://127.0.0.1:{self.port}/"
        env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "JUPYTER_CONFIG_DIR": str(state["config"]),
               "JUPYTER_DATA_DIR": str(state["data"]),
               "JUPYTERLAB_SETTINGS_DIR": str(state["settings"]),
               "JUPYTERLAB_WORKSPACES_DIR": str(state["workspaces"]),
               "JUPYTER_RUNTIME_DIR": str(state["runtime"]), "PYTHONUNBUFFERED": "1",
               "MPLBACKEND": "Agg"}
        command = [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ip=127.0.0.1",
                   f"--port={self.port}", "--port-retries=0", f"--IdentityProvider.token={self.token}",
                   f"--ServerApp.root_dir={self.root}", "--LabApp.news_url=None"]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            command.append("--allow-root")
        self.log = self.workdir / "jupyterlab.log"
        self._log = open(self.log, "w")
        self.process = subprocess.Popen(command, stdout=self._log, stderr=subprocess.STDOUT, env=env,
                                        cwd=self.root)
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(f"{self.url}api/status?token={self.token}", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except Exception:
                pass
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.stop()
                raise RuntimeError(f"JupyterLab did not answer on {self.url} within {timeout} s:\n"
                                   + self.log.read_text()[-3000:])
            time.sleep(0.2)

    def server_log(self) -> str:
        if not self._log.closed:
            self._log.flush()
        return self.log.read_text()

    def api(self, path: str, method: str = "GET"):
        """Call the server's REST API; returns the decoded JSON answer (or None when empty)."""
        request = urllib.request.Request(f"{self.url}api/{path}", method=method,
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=10) as answer:
            body = answer.read()
        return json.loads(body) if body else None

    def shutdown_kernels(self):
        """Shut down every running kernel (keeps the server; frees the kernels' memory between tests)."""
        for kernel in self.api("kernels"):
            self.api(f"kernels/{kernel['id']}", method="DELETE")

    def stop(self):
        stop_process(self.process)
        if not self._log.closed:
            self._log.close()

    # ------------------------------------------------------------------------------------------
    # Notebooks in the browser
    # ------------------------------------------------------------------------------------------

    def write_notebook(self, name: str, cells: list[str]) -> Path:
        """Write ``name``.ipynb (code cells, no outputs, the venv's python3 kernel) into the root folder."""
        notebook = nbformat.v4.new_notebook()
        notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)",
                                           "language": "python"}
        notebook.cells = [nbformat.v4.new_code_cell(source) for source in cells]
        path = self.root / f"{name}.ipynb"
        nbformat.write(notebook, path)
        return path

    def notebook_url(self, name: str) -> str:
        return f"{self.url}lab/tree/{name}.ipynb?token={self.token}&reset"

    def open_notebook(self, browser, name: str, cells: list[str], wait_for: str, timeout: float = 60,
                      viewport: dict | None = None) -> "LabPage":
        """Write the notebook, open it in a new page, run all its cells and wait for ``wait_for``.

        Returns a :class:`LabPage`: the playwright page, every request it made to a host other than
        this server (should stay empty), and the frames it sent on each kernel WebSocket. Raises
        playwright's TimeoutError, with the notebook's error output added, when the selector does not
        appear within ``timeout`` seconds.
        """
        self.write_notebook(name, cells)
        page = browser.new_page(viewport=viewport or {"width": 1400, "height": 1000})
        opened = LabPage(page, local=urlparse(self.url).netloc)
        page.goto(self.notebook_url(name), wait_until="domcontentloaded", timeout=timeout * 1000)
        page.wait_for_function(
            "() => window.jupyterapp && window.jupyterapp.shell.currentWidget"
            " && window.jupyterapp.shell.currentWidget.sessionContext"
            " && window.jupyterapp.shell.currentWidget.content.widgets.length > 0",
            timeout=timeout * 1000)
        run_all_cells(page, timeout)
        try:
            page.wait_for_selector(wait_for, timeout=timeout * 1000)
        except Exception as error:
            errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
            detail = "\n".join(errors.all_inner_texts())[-3000:]
            raise type(error)(f"{error}\nnotebook error output:\n{detail}") from None
        return opened


class LabPage:
    """A JupyterLab page with what it sent: ``outside`` lists requests (and WebSockets) to any host
    other than the server; ``kernel_frames`` holds every frame sent on a kernel channel WebSocket, as
    (time.monotonic(), payload) pairs, payload str or bytes."""

    def __init__(self, page, local: str):
        self.page = page
        self.local = local
        self.outside: list[str] = []
        self.kernel_frames: list[tuple[float, str | bytes]] = []
        page.on("request", self._check_host)
        page.on("websocket", self._on_websocket)

    def _check_host(self, request):
        if request.url.startswith(("http:", "https:", "ws:", "wss:")) and urlparse(request.url).netloc != self.local:
            self.outside.append(request.url)

    def _on_websocket(self, socket):
        self._check_host(socket)  # a WebSocket has a .url too
        if "/api/kernels/" in socket.url:
            socket.on("framesent", lambda payload: self.kernel_frames.append((time.monotonic(), payload)))

    def comm_messages_since(self, start: float) -> list[str | bytes]:
        """Frames sent to a kernel since ``start`` (time.monotonic()) that carry a comm message: what a
        widget sends its kernel (ipywidgets' model updates are comm_msg)."""
        return [payload for when, payload in self.kernel_frames
                if when >= start and ("comm_msg" in payload if isinstance(payload, str) else b"comm_msg" in payload)]

    def close(self):
        self.page.close()


def run_all_cells(page, timeout: float = 60):
    """Start running every cell of the notebook in front ("notebook:run-all-cells") once its kernel is
    connected; returns without waiting for the cells to finish.

    JupyterLab 4 queues cells run before the kernel starts, but a kernel-choice dialog would stop
    them; so wait for the session's kernel first, then run the command through ``window.jupyterapp``.
    """
    page.evaluate(
        """async (timeout) => {
            const panel = window.jupyterapp.shell.currentWidget;
            await panel.sessionContext.ready;
            const start = Date.now();
            while (!(panel.sessionContext.session && panel.sessionContext.session.kernel
                     && panel.sessionContext.session.kernel.connectionStatus === "connected")) {
                if (Date.now() - start > timeout) throw new Error("the notebook's kernel did not start");
                await new Promise(resolve => setTimeout(resolve, 50));
            }
            // Not awaited: the command settles only when every cell has run; the caller waits for output.
            window.jupyterapp.commands.execute("notebook:run-all-cells");
        }""", timeout * 1000)


def kernel_status(page) -> str:
    """The notebook's kernel status as JupyterLab sees it ("idle", "busy", ...)."""
    return page.evaluate("() => window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.status")


__all__ = ["JupyterLab", "LabPage", "run_all_cells", "kernel_status"]
