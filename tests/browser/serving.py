"""Shared by the site checks and the data-download test: a loopback static server and the browser settings."""

from __future__ import annotations

import gzip
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
from chromium import CHROMIUM, CHROMIUM_FLAGS  # noqa: E402,F401  (tools/chromium.py; imported from here by the tests)
SCREENSHOTS = ROOT / "_build" / "screenshots"

# The performance budget for one page: what a reader downloads to read it, the page plus every file
# it loads, as transfer size (compressed where the server compresses), the measure of Lighthouse's
# "Avoid enormous network payloads" audit (total-byte-weight). MB = 10**6 bytes.
PAGE_WEIGHT_BUDGET_MB = 2.0
# Types that GitHub Pages, like most servers, sends gzip-compressed; fonts and images go as they are.
COMPRESSED_TYPES = ("text/", "application/javascript", "application/json", "image/svg+xml", "application/xml")


def transfer_size(body: bytes, content_type: str) -> int:
    """Bytes a reader downloads for one response: ``body`` gzip-compressed (level 6, as servers use)
    when ``content_type`` is one servers compress, else ``body`` as it is."""
    if content_type.split(";")[0].strip().startswith(COMPRESSED_TYPES):
        return min(len(body), len(gzip.compress(body, compresslevel=6)))
    return len(body)


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"true", "1", "yes"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class StaticServer:
    """``python -m http.server`` on 127.0.0.1 serving one folder, started and stopped by the caller."""

    def __init__(self, folder: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.log = folder.parent / f"http-{self.port}.log"
        self._log = open(self.log, "w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "http.server", str(self.port), "--bind", "127.0.0.1", "--directory", str(folder)],
            stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 15
        while True:
            try:
                urllib.request.urlopen(self.url, timeout=1).close()
                break
            except Exception:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.stop()
                    raise RuntimeError(f"http.server did not start on {self.url}")
                time.sleep(0.1)

    def requests_log(self) -> str:
        self._log.flush()
        return self.log.read_text()

    def stop(self):
        stop_process(self.process)
        self._log.close()


def stop_process(process: subprocess.Popen, timeout: float = 15) -> None:
    """Terminate a server the tests started; kill it if it has not ended within ``timeout`` seconds."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def jupyterlab_harness():
    """The JupyterLab harness, tests/browser/lab_server.py (imported here for the tests and the benchmark)."""
    import lab_server

    return lab_server
