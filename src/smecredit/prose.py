"""Numbers for the prose: every number a chapter's text states is computed by a cell and glued in.

``glue(name, value)`` stores a value for ``{glue:text}`name:format``` in the Markdown. It wraps
myst-nb's glue, turning numpy scalars into plain Python numbers first (myst-nb formats a value
from its text form, and numpy 2 writes ``np.float64(0.05)``), and never displays the value.
Floats are rounded to ``SIGNIFICANT_DIGITS`` significant digits: far more than any sentence
shows, and few enough that the last-digit noise of floating point (which varies with the number
of BLAS threads) does not change the stored output that nbval compares.
"""

from __future__ import annotations

import numbers

import numpy as np
from myst_nb import glue as _myst_glue

SIGNIFICANT_DIGITS = 8


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
    _myst_glue(name, value, display=False)


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
    """'a', 'a and b', 'a, b and c'."""
    items = [str(item) for item in items]
    return " and ".join(items) if len(items) <= 2 else ", ".join(items[:-1]) + " and " + items[-1]
