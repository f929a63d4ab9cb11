"""The SBA case (Li, Mickel & Taylor 2018): the shipped file, its page, its loader and its errors."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pandas as pd
import pytest

from smecredit.loading import DataFileError, data_registry
from smecredit.sba import (ORIGINAL_COLUMN_NAMES, ORIGINAL_SHA256, SBA_COLUMN_NAMES, derive_shipped_copy,
                           load_sba_case, sba_date, sba_dictionary_markdown)

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "data" / "sba_case.csv"
PAGE = ROOT / "data" / "sba_case.md"
ORIGINAL = ROOT.parent / "shared" / "data" / "SBAcase.11.13.17.csv"  # outside the repository, when at hand


@pytest.fixture(scope="module")
def sba() -> pd.DataFrame:
    return load_sba_case()


def between(text: str, marker: str) -> str:
    match = re.search(rf"<!-- {marker}:start -->\n(.*?)<!-- {marker}:end -->", text, re.S)
    assert match, f"markers for {marker} not found"
    return match.group(1)


def test_shape_outcome_and_halves(sba):
    assert sba.shape == (2102, 34)
    assert list(sba.columns) == SBA_COLUMN_NAMES and "Name" not in sba.columns
    assert int(sba["Default"].sum()) == 686
    assert sba["Default"].mean() == pytest.approx(0.326, abs=5e-4)
    assert int(sba["Selected"].sum()) == 1051
    assert sba["LoanNr_ChkDgt"].is_unique


def test_key_columns(sba):
    assert sba[["New", "RealEstate", "Recession", "Default", "Selected"]].isin([0, 1]).all().all()
    assert (int(sba["New"].sum()), int(sba["RealEstate"].sum()), int(sba["Recession"].sum())) == (324, 577, 144)
    assert sba["Portion"].between(0, 1).all()
    assert (sba["Portion"] - sba["SBA_Appv"] / sba["GrAppv"]).abs().max() < 1e-6
    first = sba.iloc[0]
    assert (first["LoanNr_ChkDgt"], first["GrAppv"], first["SBA_Appv"], first["Term"]) == (1004285007, 30000, 15000, 36)
    # day numbers count from 1960-01-01: the first loan was approved in fiscal year 2001
    assert sba_date([first["ApprovalDate"]])[0] == pd.Timestamp("2001-04-09") and first["ApprovalFY"] == 2001
    assert set(sba["RevLineCr"].dropna()) == {"Y", "N", "0", "T"}  # undocumented codes kept as written


def test_page_facts_and_dictionary(sba):
    text = PAGE.read_text(encoding="utf-8")
    assert between(text, "sba-dictionary") == sba_dictionary_markdown()
    assert ORIGINAL_SHA256 in text
    digest = hashlib.sha256(SHIPPED.read_bytes()).hexdigest()
    assert digest in text and data_registry()[1]["sba_case.csv"] == digest
    assert f"{len(SHIPPED.read_bytes()):,} bytes" in text
    assert "| charged off (`Default` = 1) | 686 (32.6%) |" in text


@pytest.mark.skipif(not ORIGINAL.is_file(), reason="the article's original file is not at hand")
def test_shipped_file_is_the_original_without_names():
    original = ORIGINAL.read_bytes()
    assert hashlib.sha256(original).hexdigest() == ORIGINAL_SHA256
    assert derive_shipped_copy(original) == SHIPPED.read_bytes()
    header = original.decode("utf-8").lstrip("\ufeff").split("\n", 1)[0].split(",")
    assert header == ORIGINAL_COLUMN_NAMES


def broken(tmp_path: Path, edit) -> Path:
    raw = pd.read_csv(SHIPPED, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    raw = edit(raw)
    path = tmp_path / "broken.csv"
    raw.to_csv(path, index=False)
    return path


def test_a_bad_code_names_file_column_line_and_loan(tmp_path):
    def edit(raw):
        raw.loc[4, "LowDoc"] = "X"
        raw.loc[9, "UrbanRural"] = "5"
        return raw

    path = broken(tmp_path, edit)
    with pytest.raises(DataFileError) as err:
        load_sba_case(path)
    message = str(err.value)
    assert str(path) in message
    assert re.search(r"column LowDoc: value not one of .*\('X'\) in line 6 \(\d{10}\)", message)
    assert re.search(r"column UrbanRural: value not one of .*\(5\) in line 11 \(\d{10}\)", message)


def test_a_missing_column_is_named(tmp_path):
    path = broken(tmp_path, lambda raw: raw.drop(columns=["Portion"]))
    with pytest.raises(DataFileError, match=r"missing column\(s\): Portion"):
        load_sba_case(path)


def test_wrong_type_empty_value_and_broken_relation(tmp_path):
    path = broken(tmp_path, lambda raw: raw.assign(Term=raw["Term"].where(raw.index != 2, "ten")))
    with pytest.raises(DataFileError, match=r"column Term: not a valid integer \('ten'\) in line 4"):
        load_sba_case(path)
    path = broken(tmp_path, lambda raw: raw.assign(GrAppv=raw["GrAppv"].where(raw.index != 0, "")))
    with pytest.raises(DataFileError, match=r"column GrAppv: empty value in line 2 \(1004285007\)"):
        load_sba_case(path)
    path = broken(tmp_path, lambda raw: raw.assign(Default=raw["Default"].where(raw.index != 0, "1")))
    with pytest.raises(DataFileError, match=r"Default is not 1 exactly when MIS_Status is CHGOFF.*line 2 \(1004285007\)"):
        load_sba_case(path)


def test_no_file_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_sba_case(tmp_path / "absent.csv")
