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
    """The first 50 rows of the committed CSV as text, to break on purpose."""
    return pd.read_csv(ROOT / "data" / "loans.csv", dtype=str, keep_default_na=False, nrows=50)
