"""The SBA case (Li, Mickel & Taylor 2018): the shipped file, its page, its loader and its errors."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pandas as pd
import pytest
import statsmodels.formula.api as smf
from scipy.stats import chi2

from smecredit.loading import DataFileError, data_registry
from smecredit.sba import (ARTICLE_APPLICATIONS, ARTICLE_CLASSIFICATION, ARTICLE_MISCLASSIFICATION, ARTICLE_MODELS,
                           ARTICLE_TYPE3, ORIGINAL_COLUMN_NAMES, ORIGINAL_SHA256, REPRODUCED, SBA_COLUMN_NAMES,
                           agrees_with_printed, article_classification, article_comparison, as_printed,
                           derive_shipped_copy, load_sba_case, sba_date, sba_dictionary_markdown)

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


def test_the_training_half_reproduces_the_articles_printed_logistic_regressions(sba):
    """Li, Mickel and Taylor (2018), Tables 7(a), 7(b) and 8: every printed estimate, standard error, Wald
    chi-square and p-value, refitted on the shipped file's training half, to the digits printed."""
    train = sba[sba["Selected"] == 1]
    assert len(train) == 1051
    for model in ARTICLE_MODELS.values():
        fit = smf.logit(model.formula, data=train).fit(disp=0)
        assert list(fit.params.index) == list(model.estimates), model.table
        here = {"estimate": fit.params, "SE": fit.bse, "Wald": fit.tvalues ** 2, "p": fit.pvalues}
        for term, printed in model.estimates.items():
            for (what, values), text in zip(here.items(), printed):
                assert agrees_with_printed(float(values[term]), text), (
                    f"{model.table}, {term}, {what}: printed {text}, refitted {values[term]:.6g}")
        assert (article_comparison(fit, model)[REPRODUCED] == "yes").all()
    initial = smf.logit(ARTICLE_MODELS["initial"].formula, data=train).fit(disp=0)
    terms = list(ARTICLE_TYPE3)
    for term, (lr_printed, p_printed) in ARTICLE_TYPE3.items():
        reduced = smf.logit("Default ~ " + " + ".join(t for t in terms if t != term), data=train).fit(disp=0)
        lr = 2 * (initial.llf - reduced.llf)
        assert agrees_with_printed(lr, lr_printed), f"Table 7(b), {term}: printed {lr_printed}, refitted {lr:.4f}"
        assert agrees_with_printed(chi2.sf(lr, 1), p_printed), term


def test_the_testing_half_is_classed_as_the_article_prints(sba):
    """Table 9 (the final model at the cut-off 0.5 on Selected = 0), its misclassification rate, and the
    two applications of Table 10."""
    train, test = sba[sba["Selected"] == 1], sba[sba["Selected"] == 0]
    final = smf.logit(ARTICLE_MODELS["final"].formula, data=train).fit(disp=0)
    classed = article_classification(test["Default"], final.predict(test))
    pd.testing.assert_frame_equal(classed, pd.DataFrame(ARTICLE_CLASSIFICATION))
    wrong = classed.loc["lower risk", "charged off"] + classed.loc["higher risk", "paid in full"]
    assert agrees_with_printed(wrong / len(test), ARTICLE_MISCLASSIFICATION)
    for name, (application, printed) in ARTICLE_APPLICATIONS.items():
        assert agrees_with_printed(float(final.predict(pd.DataFrame([application]))[0]), printed), name


def test_printed_precision_is_read_from_the_printed_number():
    assert agrees_with_printed(-2.128217, "-2.1282") and not agrees_with_printed(-2.12826, "-2.1282")
    assert agrees_with_printed(-3.3709557e-07, "-3.37E-7") and not agrees_with_printed(-3.376e-07, "-3.37E-7")
    assert agrees_with_printed(0.3215985, "32.16%") and not agrees_with_printed(0.3217, "32.16%")
    assert agrees_with_printed(1.5e-5, "<0.0001") and not agrees_with_printed(0.0002, "<0.0001")
    assert agrees_with_printed(0.135, "0.14") and not agrees_with_printed(0.1349, "0.14")
    assert [as_printed(-3.3709557e-07, "-3.37E-7"), as_printed(0.3215985, "32.16%"), as_printed(1.5e-5, "<0.0001"),
            as_printed(0.00015, "<0.0001"), as_printed(0.5041229, "0.5041")] == [
        "-3.37E-7", "32.16%", "<0.0001", "0.0001", "0.5041"]


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
