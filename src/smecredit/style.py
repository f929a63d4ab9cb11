"""Plot style: one look for every figure of the book, with a colour-blind-safe palette.

The qualitative palette is Okabe and Ito's (2008) eight colours, distinguishable with
the common forms of colour-vision deficiency; continuous scales use ``cividis``.
"""

from __future__ import annotations

import matplotlib as mpl
import seaborn as sns

# Okabe, M. and Ito, K. (2008). Color Universal Design (CUD): how to make figures and
# presentations that are friendly to colorblind people. https://jfly.uni-koeln.de/color/
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}
# Yellow is hard to see on white, so it comes last.
PALETTE = [OKABE_ITO[k] for k in ["blue", "orange", "bluish_green", "vermillion", "reddish_purple",
                                  "sky_blue", "black", "yellow"]]
SEQUENTIAL_CMAP = "cividis"
DIVERGING_CMAP = "PuOr"
# Defaulted loans are drawn in vermillion, performing loans in blue, everywhere in the book.
DEFAULT_COLOURS = {0: OKABE_ITO["blue"], 1: OKABE_ITO["vermillion"]}


def use_book_style() -> None:
    """Set seaborn's theme, the palette and deterministic figure output for every chapter."""
    sns.set_theme(context="notebook", style="whitegrid", palette=PALETTE)
    mpl.rcParams.update({
        "figure.figsize": (7.0, 4.0),
        "figure.dpi": 100,
        "savefig.dpi": 100,
        "image.cmap": SEQUENTIAL_CMAP,
        "axes.titlesize": "medium",
        "axes.titleweight": "bold",
        "svg.hashsalt": "smecredit",  # stable ids in SVG output
        "figure.max_open_warning": 0,
    })
