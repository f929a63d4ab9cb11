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
