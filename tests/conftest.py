"""Shared fixtures: the repository root, the committed loan book, and a writable copy of it."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def loans():
    from smecredit import load_loans

    return load_loans(ROOT / "data" / "loans.csv")


@pytest.fixture(scope="session")
def raw_rows() -> pd.DataFrame:
    """50 consecutive loans granted from 2014 on in the committed CSV, the first of them that defaulted as row
    23, as text, with all its 35 columns (the three optional ones included), to break on purpose. The file's
    first rows are the seasoned stock (granted 2011-2013, ``seasoned_stock`` True), which ``load_loans``
    leaves out by default; these rows are all kept, so row i is line i + 2 of a plain CSV made from them."""
    text = pd.read_csv(ROOT / "data" / "loans.csv", dtype=str, keep_default_na=False, nrows=4000)
    granted = text.loc[text["seasoned_stock"] == "False"].reset_index(drop=True)
    start = max(int(granted.index[granted["default_12m"] == "1"][0]) - 23, 0)
    rows = granted.iloc[start:start + 50].reset_index(drop=True)
    assert len(rows) == 50 and (rows["origination_year"] >= "2014").all() and rows.loc[23, "default_12m"] == "1"
    return rows
