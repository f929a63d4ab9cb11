"""Trim @jupyter-widgets/html-manager's ``dist/embed-amd.js`` to the modules ipywidgets 8 needs.

The npm file bundles six AMD modules: ``@jupyter-widgets/base`` and ``controls`` (ipywidgets 8),
``base7`` and ``controls7`` (to render state saved by ipywidgets 7), ``html-manager`` and its
``libembed-amd``. The book's notebooks are saved by ipywidgets 8 (``tests/test_publishing.py``
checks every stored widget model is version 2.x), so the two ipywidgets-7 modules are dead weight:
0.8 MB of the file's 3.6 MB on every page with widgets. This script drops them, line by line
(each module is a license comment, one ``define(...)`` line and a source-map comment), and checks
that exactly the four needed modules remain.

Usage (when refreshing the vendored copy, see ``_assets/README.md``)::

    python tools/trim_widget_manager.py package/dist/embed-amd.js _assets/vendor/html-manager-1.0.15/dist/embed-amd.js
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

DROPPED = ("@jupyter-widgets/base7", "@jupyter-widgets/controls7")
KEPT = ("@jupyter-widgets/base", "@jupyter-widgets/controls", "@jupyter-widgets/html-manager",
        "@jupyter-widgets/html-manager/dist/libembed-amd")
DEFINE = re.compile(r'^define\("([^"]+)"')


def defined_modules(text: str) -> list[str]:
    """The AMD module names ``define``d at the start of a line, in order."""
    return [match.group(1) for line in text.splitlines() if (match := DEFINE.match(line))]


def trim(text: str) -> str:
    """``text`` without the modules in ``DROPPED``.

    Raises:
        ValueError: the file does not define exactly ``KEPT`` + ``DROPPED`` (another release,
            another layout): check it by hand rather than trim blindly.
    """
    found = defined_modules(text)
    if sorted(found) != sorted(KEPT + DROPPED):
        raise ValueError(f"embed-amd.js defines {found}; expected {sorted(KEPT + DROPPED)}")
    lines = text.split("\n")
    kept, index = [], 0
    while index < len(lines):
        line = lines[index]
        following = lines[index + 1] if index + 1 < len(lines) else ""
        match = DEFINE.match(following)
        if line.startswith("/*! For license information") and match and match.group(1) in DROPPED:
            while not lines[index].startswith("//# sourceMappingURL="):  # the module's last line
                index += 1
            index += 1
            if index < len(lines) and lines[index] == "":  # and the blank line after it
                index += 1
            continue
        kept.append(line)
        index += 1
    result = "\n".join(kept)
    if sorted(defined_modules(result)) != sorted(KEPT):
        raise ValueError(f"trimming left {defined_modules(result)}; expected {sorted(KEPT)}")
    return result


def main(argv: list[str]) -> None:
    source, target = (Path(arg) for arg in argv)
    before = source.read_text(encoding="utf-8")
    after = trim(before)
    target.write_text(after, encoding="utf-8")
    print(f"{target}: {len(before.encode()):,} -> {len(after.encode()):,} bytes; modules {defined_modules(after)}")


if __name__ == "__main__":
    main(sys.argv[1:])
