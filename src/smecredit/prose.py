"""Numbers for the prose: every number a chapter's text states is computed by a cell.

``glue(name, value)`` records a value in the cell's stored outputs (myst-nb's glue, with numpy
scalars turned into plain Python numbers, since myst-nb formats a value from its text form and
numpy 2 writes ``np.float64(0.05)``; it never displays the value). Floats are rounded to
``SIGNIFICANT_DIGITS`` significant digits: far more than any sentence shows, and few enough that
the last-digit noise of floating point (which varies with the number of BLAS threads) does not
change the stored output that nbval compares.

The Markdown states the number itself, between two HTML comments that name its source::

    the AUC is <!--{auc_estimate:.3f}-->0.794<!--/-->

so the text reads the same on the page, in JupyterLab, in Colab, on GitHub and in any Markdown
viewer (comments are invisible everywhere), with no extension and no build step. The text between
the comments is written by :func:`fill_numbers` from the glued value and a format spec (Python's
format mini-language, formatted exactly as myst-nb's ``{glue:text}`` role formats it);
``make execute`` runs it after executing the chapters, and :func:`number_mismatches`, run by the
tests, fails when a stated number differs from its computation. An author writes a new number
as ``<!--{name:format}--><!--/-->`` and runs ``python -m smecredit.prose --write book/*.ipynb``.
"""

from __future__ import annotations

import argparse
import json
import numbers
import re
import sys
from pathlib import Path

import numpy as np

from smecredit.labels import column_noun

SIGNIFICANT_DIGITS = 8
# How myst-nb stores a glued value (myst_nb.ext.glue.GLUE_PREFIX; a test holds glue to myst-nb's own output).
GLUE_MIME_PREFIX = "application/papermill.record/"


def glue(name: str, value) -> None:
    """Store ``value`` under ``name`` for the chapter's text; numpy scalars become Python numbers.

    Raises:
        TypeError: value is not a number, a string or a numpy scalar (figures and tables are
            shown by cells, with captions, not glued into sentences).
    """
    if isinstance(value, np.generic):
        value = value.item()
    if not isinstance(value, (numbers.Number, str)):
        raise TypeError(f"glue {name!r}: expected a number or a string, got {type(value).__name__}")
    if isinstance(value, float):
        value = rounded(value)
    # What myst_nb.glue(name, value, display=False) displays. Importing myst-nb in a kernel costs about 3 s
    # (its nbformat import loads jsonschema's URI grammar), paid by every chapter; IPython is already loaded.
    from IPython.core.formatters import format_display_data
    from IPython.display import display

    bundle, metadata = format_display_data(value)
    metadata["scrapbook"] = {"name": name, "mime_prefix": GLUE_MIME_PREFIX}
    display({GLUE_MIME_PREFIX + mime: data for mime, data in bundle.items()}, raw=True, metadata=metadata)


def rounded(value: float, digits: int = SIGNIFICANT_DIGITS) -> float:
    """``value`` rounded to ``digits`` significant digits (0, inf and nan unchanged)."""
    if value == 0 or not np.isfinite(value):
        return value
    return float(f"{value:.{digits - 1}e}")


# Words for computed results, so a sentence reads well whatever the numbers turn out to be.

def in_words(n: int) -> str:
    """A count as prose writes it: zero to ten in words ("no" for zero), larger counts in digits."""
    words = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]
    return words[n] if 0 <= n < len(words) else f"{n:,}"


def how_many(k: int, n: int, noun: str = "", verbs: tuple[str, str] | None = None) -> str:
    """k of n for a sentence: 'all five factors', 'none of the three', 'two of the eight candidates'.

    With ``verbs=(singular, plural)`` the verb that agrees follows: 'one of the three stays'.

    Raises:
        ValueError: k outside 0..n.
    """
    if not 0 <= k <= n:
        raise ValueError(f"k must lie between 0 and n, got k={k}, n={n}")
    count = in_words if n <= 10 else (lambda m: f"{m:,}")
    if k == n:
        phrase = f"both {noun}" if n == 2 else f"all {count(n)} {noun}"
    elif k == 0:
        phrase = f"none of the {count(n)} {noun}"
    else:
        phrase = f"{count(k)} of the {count(n)} {noun}"
    if verbs:
        phrase = f"{phrase} {verbs[0] if k <= 1 and k != n else verbs[1]}"
    return " ".join(phrase.split())


def and_list(items) -> str:
    """'a', 'a and b', 'a, b and c'; '' for no items."""
    items = [str(item) for item in items]
    return " and ".join(items) if len(items) <= 2 else ", ".join(items[:-1]) + " and " + items[-1]


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """A count with its noun in agreement: 'no factors', 'one factor', 'two factors', '12 factors'."""
    return f"{in_words(n)} {noun if n == 1 else plural or noun + 's'}"


def nouns(names) -> str:
    """Columns or model terms as a sentence names them: 'the markup, the owner's age and the
    guarantee method' (``smecredit.labels.column_noun``); 'none' when there are none."""
    return and_list(column_noun(name) for name in names) or "none"


def split_verdict(passed, failed, noun: str, verbs: tuple[str, str], negations: tuple[str, str]) -> str:
    """Which of a group pass a test, in one clause that agrees in number whatever the outcome.

    Args:
        passed, failed: the names (columns or model terms) that pass and that do not.
        noun: what the group is, in the plural ("of the thesis's factors" reads "all five of the
            thesis's factors"; "candidates" reads "two of the three candidates").
        verbs: (singular, plural) of what passing is: ("is significant", "are significant").
        negations: (singular, plural) for the rest: ("is not", "are not").

    Returns:
        'all five of the thesis's factors are significant: the markup, ... and the guarantee method',
        'none of the three candidates passes the 5% line', or 'one of the three candidates passes
        the 5% line (the owner's age) and the firm's age and the registered capital do not'.
    """
    passed, failed = list(passed), list(failed)
    n = len(passed) + len(failed)
    if not failed:
        return f"{how_many(n, n, noun, verbs)}: {nouns(passed)}"
    if not passed:
        return how_many(0, n, noun, verbs)
    rest = negations[0] if len(failed) == 1 else negations[1]
    return f"{how_many(len(passed), n, noun, verbs)} ({nouns(passed)}) and {nouns(failed)} {rest}"


def tests_in_words(pairs) -> str:
    """(column, test) pairs as a sentence names them, grouped by column in order of first mention:
    [("owner_age_years", "trend"), ("owner_age_years", "chi-square")] -> 'the chi-square and trend
    tests of the owner's age'; 'no test' when there are none."""
    by_column: dict[str, list[str]] = {}
    for column, test in pairs:
        by_column.setdefault(column, []).append(test)
    named = [f"the {and_list(sorted(tests))} test{'s' if len(tests) > 1 else ''} of {column_noun(column)}"
             for column, tests in by_column.items()]
    return and_list(named) or "no test"


# Numbers stated in the Markdown, filled from the glued values.

NUMBER = re.compile(r"<!--\{(?P<name>[A-Za-z_]\w*)(?::(?P<spec>[^}]*))?\}-->(?P<text>.*?)<!--/-->", re.S)
# A line that starts with "<!--" opens an HTML block in CommonMark, which would split the sentence:
# such a line is joined to the line before it when that is text of the same paragraph.
_LINE_STARTING_WITH_NUMBER = re.compile(r"(?P<before>^[ \t]*[^\s:`|#>][^\n]*)\n[ \t]*(?P<marker><!--\{)", re.M)
_PARAGRAPH_STARTING_WITH_NUMBER = re.compile(r"(?:\A|\n[ \t]*\n|^[ \t]*(?::|```|#|[-*+] |\d+\. )[^\n]*\n)[ \t]{0,3}<!--\{", re.M)
_GLUE_ROLE = re.compile(r"\{glue(?::text)?\}`(?P<name>[A-Za-z_]\w*)(?::(?P<spec>[^`]*))?`")


def glued_values(notebook: dict) -> dict[str, str]:
    """The values a notebook's cells glued, as stored: name -> the text/plain form myst-nb formats.

    Raises:
        ValueError: a name glued twice (the text could not tell which value it states).
    """
    values: dict[str, str] = {}
    for cell in notebook["cells"]:
        for output in cell.get("outputs", []) if cell["cell_type"] == "code" else []:
            name = output.get("metadata", {}).get("scrapbook", {}).get("name")
            if name is None:
                continue
            if name in values:
                raise ValueError(f"{name!r} is glued twice")
            values[name] = output["data"][GLUE_MIME_PREFIX + "text/plain"]
    return values


def stated_number(values: dict[str, str], name: str, spec: str | None) -> str:
    """The text a number's marker should hold: the glued value, formatted as myst-nb formats it.

    Raises:
        KeyError: nothing is glued under ``name`` (run the chapter first).
    """
    if name not in values:
        raise KeyError(f"no value is glued under {name!r}: run the chapter (make execute), or fix the name")
    from myst_nb.core.variables import format_plain_text  # slow to import (see glue): only where needed

    return format_plain_text(values[name], spec or "")


def fill_numbers(notebook: dict) -> int:
    """Write every stated number of a notebook's Markdown from its glued values, in place.

    Legacy ``{glue:text}`name:spec``` roles are turned into markers first. Returns the number of
    Markdown cells changed.

    Raises:
        KeyError: a marker names a value nothing glued.
    """
    values = glued_values(notebook)
    changed = 0
    for cell in notebook["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        source = "".join(cell["source"])
        text = _GLUE_ROLE.sub(lambda m: f"<!--{{{m['name']}{':' + m['spec'] if m['spec'] else ''}}}--><!--/-->", source)
        text = NUMBER.sub(lambda m: m.group(0)[: m.start("text") - m.start()] + stated_number(values, m["name"], m["spec"])
                          + "<!--/-->", text)
        joined = None
        while joined != text:
            joined, text = text, _LINE_STARTING_WITH_NUMBER.sub(r"\g<before> \g<marker>", text)
        if text != source:
            cell["source"] = _as_lines(text)
            changed += 1
    return changed


def number_mismatches(notebook: dict) -> list[str]:
    """Every stated number that differs from its computation, and every leftover glue role or
    marker without a value, each as a sentence naming the cell and the value; empty when all agree."""
    values = glued_values(notebook)
    problems = []
    for index, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] != "markdown":
            continue
        source = "".join(cell["source"])
        for match in _GLUE_ROLE.finditer(source):
            problems.append(f"cell {index}: a {{glue:text}} role is left ({match.group(0)}); "
                            "run python -m smecredit.prose --write")
        if _PARAGRAPH_STARTING_WITH_NUMBER.search(source) or re.search(r"^[ \t]{0,3}<!--\{", source, re.M):
            problems.append(f"cell {index}: a line starts with a stated number; Markdown reads such a line as "
                            "an HTML block, which splits the sentence: start the paragraph with a word")
        for match in NUMBER.finditer(source):
            try:
                expected = stated_number(values, match["name"], match["spec"])
            except KeyError as error:
                problems.append(f"cell {index}: {error.args[0]}")
                continue
            if match["text"] != expected:
                problems.append(f"cell {index}: {match['name']} is stated as {match['text']!r} "
                                f"but computes to {expected!r}")
    return problems


def _as_lines(text: str) -> list[str]:
    lines = text.split("\n")
    return [line + "\n" for line in lines[:-1]] + ([lines[-1]] if lines[-1] else [])


def main(argv: list[str] | None = None) -> int:
    """``python -m smecredit.prose (--write | --check) NOTEBOOK...``: fill or check stated numbers."""
    parser = argparse.ArgumentParser(prog="python -m smecredit.prose", description=main.__doc__)
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", action="store_true", help="write every stated number from its glued value")
    mode.add_argument("--check", action="store_true", help="list stated numbers that differ; exit 1 if any")
    parser.add_argument("notebooks", nargs="+", type=Path)
    args = parser.parse_args(argv)
    failed = False
    for path in args.notebooks:
        notebook = json.loads(path.read_text(encoding="utf-8"))
        if args.write:
            if fill_numbers(notebook):
                path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        for problem in number_mismatches(notebook):
            failed = True
            print(f"{path}: {problem}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
