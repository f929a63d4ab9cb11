"""Which browser the book's checks and its PDF use, and how it is started: Debian's Chromium (never a
browser a tool downloads), headless, with nothing that reaches the network on its own."""

from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
