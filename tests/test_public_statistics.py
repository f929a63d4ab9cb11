"""The small tables of published figures in data/: what their pages say about them holds, every row
names a source in the bibliography, and the June-2017 rate bands add up as published."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
BIB_KEYS = set(re.findall(r"^@\w+\{([^,]+),", (ROOT / "book" / "references.bib").read_text(encoding="utf-8"), re.M))


@pytest.fixture(scope="module")
def stats() -> pd.DataFrame:
    return pd.read_csv(DATA / "sme_finance_stats.csv", parse_dates=["date"])


@pytest.fixture(scope="module")
def bands() -> pd.DataFrame:
    return pd.read_csv(DATA / "loan_rate_bands_2017.csv")


def test_statistics_page_counts_and_indicators_are_the_table(stats):
    page = (DATA / "sme_finance_stats.md").read_text(encoding="utf-8")
    rows = int(re.search(r"one row per published figure \((\d+) rows\)", page).group(1))
    assert len(stats) == rows
    derived_words = {"Thirteen": 13}
    word = re.search(r"(\w+) rows are \*derived\*", page).group(1)
    assert int(stats["derived"].sum()) == derived_words[word]
    documented = set(re.findall(r"^\| `(\w+)` \| (?:trillion_yuan|percent|million) \|", page, re.M))
    assert documented == set(stats["indicator"])
    assert stats.loc[stats["derived"], "arithmetic"].notna().all()
    assert stats.loc[~stats["derived"], "arithmetic"].isna().all()


def test_every_published_figure_names_a_source_in_the_bibliography(stats):
    assert set(stats["source_key"]) <= BIB_KEYS, set(stats["source_key"]) - BIB_KEYS
    assert stats["series"].isin(["PBoC", "CBRC", "CBIRC", "NFRA"]).all()
    assert not stats.duplicated(["indicator", "date", "series"]).any()


def test_rate_bands_add_up_to_all_loans_and_to_the_published_total(bands):
    band = bands[bands["kind"] == "band"]
    total = bands.loc[bands["kind"] == "total", "share_of_loans_pct"].item()
    # seven shares each rounded to 0.01: their sum may miss 100 by up to 7 x 0.005
    assert band["share_of_loans_pct"].sum() == pytest.approx(100.0, abs=0.035)
    above = band[band["multiple_from"] >= 1.0].iloc[1:]  # the five bands above "at the benchmark"
    assert len(above) == 5 and above["share_of_loans_pct"].sum() == pytest.approx(total, abs=0.005)
    # contiguous: each band starts where the one before it ends
    assert (band["multiple_from"].iloc[1:].to_numpy() == band["multiple_to"].iloc[:-1].to_numpy()).all()


def test_rate_bands_page_documents_every_column_and_its_benchmark(bands, stats):
    page = (DATA / "loan_rate_bands_2017.md").read_text(encoding="utf-8")
    assert set(re.findall(r"^\| `(\w+)` \|", page, re.M)) == set(bands.columns)
    benchmark = stats.loc[stats["indicator"] == "benchmark_lending_rate_1y", "value"].item()
    assert f"{benchmark}%" in page and f"{round(1.3 * benchmark, 3)}%" in page
