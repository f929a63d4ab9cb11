"""Plot style: one look for every figure of the book, with a colour-blind-safe palette.

The qualitative palette is Okabe and Ito's (2008) eight colours, distinguishable with
the common forms of colour-vision deficiency; continuous scales use ``cividis``.
"""

from __future__ import annotations

import matplotlib as mpl

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


# seaborn's theme for the book, ``sns.set_theme(context="notebook", style="whitegrid")``, as the
# matplotlib settings it makes (seaborn 0.13), but its colour map and palette, which the book sets
# itself. Set directly, a chapter that draws with matplotlib alone does not import seaborn and the
# scipy.stats it loads (about 1.5 s of a chapter's start); tests/test_style.py checks these against
# seaborn's own.
SEABORN_WHITEGRID_NOTEBOOK = {
    "axes.axisbelow": True, "axes.edgecolor": ".8", "axes.grid": True, "axes.labelcolor": ".15",
    "axes.labelsize": 12.0, "axes.linewidth": 1.25, "axes.titlesize": 12.0,
    "font.sans-serif": ["Arial", "DejaVu Sans", "Liberation Sans", "Bitstream Vera Sans", "sans-serif"],
    "font.size": 12.0, "grid.color": ".8", "grid.linewidth": 1.0,
    "legend.fontsize": 11.0, "legend.title_fontsize": 12.0, "lines.solid_capstyle": "round",
    "patch.edgecolor": "w", "patch.force_edgecolor": True, "text.color": ".15",
    "xtick.bottom": False, "xtick.color": ".15", "xtick.labelsize": 11.0, "xtick.major.size": 6.0,
    "xtick.major.width": 1.25, "xtick.minor.size": 4.0, "xtick.minor.width": 1.0,
    "ytick.color": ".15", "ytick.labelsize": 11.0, "ytick.left": False, "ytick.major.size": 6.0,
    "ytick.major.width": 1.25, "ytick.minor.size": 4.0, "ytick.minor.width": 1.0,
}


def use_book_style() -> None:
    """Set seaborn's theme, the palette and deterministic figure output for every chapter.

    The theme is seaborn's whitegrid style in its notebook context (``SEABORN_WHITEGRID_NOTEBOOK``),
    set without importing seaborn; chapters that draw with seaborn import it themselves.
    """
    mpl.rcParams.update(SEABORN_WHITEGRID_NOTEBOOK)
    mpl.rcParams["axes.prop_cycle"] = mpl.cycler(color=PALETTE)
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
