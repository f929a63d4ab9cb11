"""The book's plot style: seaborn's theme, set without importing seaborn."""

import subprocess
import sys

import matplotlib as mpl

from smecredit.style import PALETTE, SEABORN_WHITEGRID_NOTEBOOK, SEQUENTIAL_CMAP, use_book_style


def test_book_style_makes_the_settings_of_seaborns_theme():
    import seaborn as sns

    with mpl.rc_context():
        mpl.rcdefaults()
        defaults = dict(mpl.rcParams)
        sns.set_theme(context="notebook", style="whitegrid")
        seaborns = {key: value for key, value in mpl.rcParams.items() if value != defaults[key]}
    # the book sets its own colour map and palette
    seaborns = {key: value for key, value in seaborns.items() if key not in ("image.cmap", "axes.prop_cycle")}
    assert len(seaborns) > 25
    with mpl.rc_context():
        mpl.rcdefaults()
        mpl.rcParams.update(SEABORN_WHITEGRID_NOTEBOOK)
        copied = {key: value for key, value in mpl.rcParams.items() if value != defaults[key]}
        use_book_style()
        books = dict(mpl.rcParams)
    assert copied == seaborns
    # the book's style is that theme, its palette and colour map, and its titles
    assert {key: books[key] for key in seaborns if key != "axes.titlesize"} == \
        {key: value for key, value in seaborns.items() if key != "axes.titlesize"}
    assert books["axes.titlesize"] == "medium"
    assert [style["color"] for style in books["axes.prop_cycle"]] == PALETTE
    assert books["image.cmap"] == SEQUENTIAL_CMAP


def test_book_style_does_not_import_seaborn():
    code = "import sys; from smecredit import use_book_style; use_book_style(); print('seaborn' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
