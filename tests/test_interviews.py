"""The interview corpus: the loaders accept the real corpus and refuse broken copies with precise
messages; the dictionary coder and the agreement statistics give values checked by hand."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest

from smecredit.interviews import (
    InterviewDataError,
    agreement_by_code,
    code_matrix,
    dictionary_code,
    interviews_dir,
    kappa_2x2,
    load_candidate_indicators,
    load_coder_dictionary,
    load_codebook,
    load_codings,
    load_corpus,
    load_documents,
    segments_of,
)
from smecredit.schema import COLUMN_NAMES

FIVE = {"markup_pct", "repayment_method", "shareholder_holding_years", "owner_experience_years", "guarantee_method"}


@pytest.fixture(scope="module")
def corpus():
    return load_corpus()


@pytest.fixture()
def copy(tmp_path):
    """A writable copy of the corpus folder."""
    target = tmp_path / "interviews"
    shutil.copytree(interviews_dir(), target)
    return target


def edit(path, old, new, count=1):
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


# --- the real corpus -------------------------------------------------------------------------

def test_real_corpus_counts(corpus):
    docs = corpus.documents
    assert len(docs) == 30
    assert docs["sub_branch"].nunique() == 16
    assert sorted(docs["role"].unique()) == ["account_manager", "director", "risk_officer"]
    assert (docs["kind"] == "interview").sum() == 24 and (docs["kind"] == "site_visit").sum() == 6
    assert docs["constructed"].all()
    assert docs["date"].dtype == "datetime64[ns]" and docs["years_in_role"].dtype == "int64"
    assert len(corpus.codebook) == 15
    assert set(corpus.codings["code"]) == set(corpus.codebook["code"])
    assert set(corpus.codings["document_id"]) == set(docs.index)


def test_segments_and_manual_matrix(corpus):
    seg = segments_of(corpus.codings)
    matrix = code_matrix(corpus.codings, list(corpus.codebook["code"]))
    assert seg.index.is_unique and list(matrix.index) == list(seg.index)
    assert matrix.to_numpy().sum() == len(corpus.codings)
    assert (matrix.sum(axis=1) == seg["n_codes"]).all()
    assert (seg["n_codes"] >= 1).all()


def test_dictionary_and_indicators_load(corpus):
    dictionary = load_coder_dictionary(codebook=corpus.codebook)
    assert set(dictionary["code"]) == set(corpus.codebook["code"])
    indicators = load_candidate_indicators(codebook=corpus.codebook)
    measured = indicators["loan_book_column"]
    assert FIVE <= set(measured)
    assert set(measured[measured != ""]) <= set(COLUMN_NAMES)
    assert (measured == "").sum() >= 3


# --- broken copies: every error names the file and what is wrong ----------------------------

def test_missing_field_named_with_file(copy):
    edit(copy / "INT05.md", "role: director\n", "")
    with pytest.raises(InterviewDataError, match=r"INT05\.md: missing field\(s\): role"):
        load_documents(copy)


def test_unknown_role_and_sub_branch_named_with_file(copy):
    edit(copy / "INT02.md", "role: director", "role: boss")
    edit(copy / "INT03.md", "sub_branch: SB07", "sub_branch: SB17")
    with pytest.raises(InterviewDataError) as err:
        load_documents(copy)
    message = str(err.value)
    assert "field role: not one of" in message and "'boss'" in message and "INT02.md" in message
    assert "field sub_branch: not a sub-branch SB01 to SB16 ('SB17') in INT03.md" in message


def test_wrong_type_named_with_file(copy):
    edit(copy / "INT04.md", "years_in_role: 2", "years_in_role: two")
    with pytest.raises(InterviewDataError, match=r"INT04\.md: field years_in_role: not an integer \('two'\)"):
        load_documents(copy)


def test_duplicate_id_named_with_files(copy):
    shutil.copy(copy / "INT01.md", copy / "INT99.md")
    with pytest.raises(InterviewDataError) as err:
        load_documents(copy)
    message = str(err.value)
    assert "field id: duplicate values ('INT01') in INT01.md, INT99.md" in message
    assert "id differs from the file name in INT99.md" in message


def test_no_front_matter(copy):
    (copy / "INT06.md").write_text("Just text.\n", encoding="utf-8")
    with pytest.raises(InterviewDataError, match=r"INT06\.md: no front matter"):
        load_documents(copy)


def test_unknown_code_in_codings(copy):
    edit(copy / "codings.csv", "INT01,INT01-S01,caseload,", "INT01,INT01-S01,workload,")
    with pytest.raises(InterviewDataError) as err:
        load_corpus(copy)
    message = str(err.value)
    assert "codings.csv" in message
    assert "column code: code not in codebook.csv ('workload') in line 2 (INT01-S01)" in message


def test_segment_text_not_in_document(copy):
    edit(copy / "codings.csv", "Around ninety on paper", "Around a hundred on paper", count=2)
    with pytest.raises(InterviewDataError) as err:
        load_corpus(copy)
    message = str(err.value)
    assert "codings.csv" in message
    assert "text is not an exact substring of its document's body in line 2 (INT01-S01), line 3 (INT01-S01)" in message


def test_duplicate_code_on_segment(copy):
    path = copy / "codings.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    pd.concat([frame, frame.iloc[[0]]]).to_csv(path, index=False)
    with pytest.raises(InterviewDataError, match=r"(?s)codings\.csv.*duplicate segment_id and code.*line 2 \(INT01-S01\)"):
        load_corpus(copy)


def test_codebook_duplicate_and_missing_column(copy):
    path = copy / "codebook.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[1, "code"] = frame.loc[0, "code"]
    frame.to_csv(path, index=False)
    with pytest.raises(InterviewDataError, match=r"codebook\.csv: .*\n.*column code: duplicate values"):
        load_codebook(copy)
    frame.drop(columns="example").to_csv(path, index=False)
    with pytest.raises(InterviewDataError, match=r"codebook\.csv: missing column\(s\): example"):
        load_codebook(copy)


def test_indicator_with_unknown_code_and_column(copy):
    edit(copy / "candidate_indicators.csv", "Debt ratio,opaque_finances;rating_model,debt_ratio_pct",
         "Debt ratio,opaque_finances;leverage,debt_ratio")
    with pytest.raises(InterviewDataError) as err:
        load_candidate_indicators(copy)
    message = str(err.value)
    assert "candidate_indicators.csv" in message
    assert "column supporting_codes: a code not in codebook.csv" in message and "(Debt ratio)" in message
    assert "column loan_book_column: not a column of the loan book (nor empty) ('debt_ratio')" in message


def test_dictionary_bad_pattern_and_code(copy):
    with (copy / "coder_dictionary.csv").open("a", encoding="utf-8") as f:
        f.write("pricing_markup,(unclosed\nweather,\\brain\\b\n")
    with pytest.raises(InterviewDataError) as err:
        load_coder_dictionary(copy)
    message = str(err.value)
    assert "coder_dictionary.csv" in message
    assert "column pattern: not a valid regular expression ('(unclosed')" in message
    assert "column code: code not in codebook.csv ('weather')" in message


# --- the dictionary coder ---------------------------------------------------------------------

def test_dictionary_coder_on_hand_made_segments():
    texts = pd.Series({"a": "The MARKUP went up by 30%.", "b": "We met our target and the quota.",
                       "c": "The canteen closes early.", "d": "Targeted help from the regulator.",
                       "e": "上浮比例 is the markup (上浮)."})
    dictionary = pd.DataFrame({"code": ["pricing_markup", "pricing_markup", "lending_targets", "off_topic"],
                               "pattern": [r"\bmarkup\b", "上浮", r"\btargets?\b", r"\bcanteen\b"]})
    coded = dictionary_code(texts, dictionary, ["lending_targets", "pricing_markup", "off_topic", "caseload"])
    expected = pd.DataFrame({"lending_targets": [0, 1, 0, 0, 0], "pricing_markup": [1, 0, 0, 0, 1],
                             "off_topic": [0, 0, 1, 0, 0], "caseload": [0, 0, 0, 0, 0]},
                            index=list("abcde"))
    pd.testing.assert_frame_equal(coded, expected, check_names=False)
    assert coded.dtypes.eq("int64").all()
    with pytest.raises(ValueError, match="off_topic"):
        dictionary_code(texts, dictionary, ["pricing_markup", "lending_targets"])


# --- agreement ---------------------------------------------------------------------------------

def test_kappa_of_a_known_table():
    # po = (20 + 15) / 50 = 0.7; pe = (25 * 30 + 25 * 20) / 50**2 = 0.5; kappa = 0.2 / 0.5 = 0.4
    assert kappa_2x2([[20, 5], [10, 15]]) == pytest.approx(0.4)
    # po = 0.9; margins 10/90 and 10/90: pe = 0.82; kappa = 0.08 / 0.18
    assert kappa_2x2([[5, 5], [5, 85]]) == pytest.approx(0.08 / 0.18)
    assert kappa_2x2([[10, 0], [0, 40]]) == pytest.approx(1.0)
    assert np.isnan(kappa_2x2([[0, 0], [0, 50]]))  # nobody ever uses the code: undefined
    with pytest.raises(ValueError):
        kappa_2x2([[1, 2, 3], [4, 5, 6]])


def test_agreement_by_code_counts_and_kappa():
    # code x: reference 1,1,1,0,0,0,0,0,0,0 ; other 1,1,0,1,0,0,0,0,0,0
    index = [f"s{i}" for i in range(10)]
    reference = pd.DataFrame({"x": [1, 1, 1, 0, 0, 0, 0, 0, 0, 0], "y": [0] * 10}, index=index)
    other = pd.DataFrame({"x": [1, 1, 0, 1, 0, 0, 0, 0, 0, 0], "y": [0] * 9 + [1]}, index=index)
    table = agreement_by_code(reference, other)
    x = table.loc["x"]
    assert (x["both"], x["reference_only"], x["other_only"], x["neither"]) == (2, 1, 1, 6)
    assert x["agreement"] == pytest.approx(0.8)
    # pe = 0.3 * 0.3 + 0.7 * 0.7 = 0.58; kappa = (0.8 - 0.58) / 0.42
    assert x["kappa"] == pytest.approx(0.22 / 0.42)
    y = table.loc["y"]
    assert y["agreement"] == pytest.approx(0.9) and y["kappa"] == pytest.approx(0.0)
    with pytest.raises(ValueError, match="same segments"):
        agreement_by_code(reference, other.iloc[::-1])


def test_coder_agreement_on_the_real_corpus_is_reproducible(corpus):
    dictionary = load_coder_dictionary(codebook=corpus.codebook)
    codes = list(corpus.codebook["code"])
    seg = segments_of(corpus.codings)
    table = agreement_by_code(code_matrix(corpus.codings, codes), dictionary_code(seg["text"], dictionary, codes))
    assert list(table.index) == codes
    assert (table[["both", "reference_only", "other_only", "neither"]].sum(axis=1) == len(seg)).all()
    assert table["kappa"].between(-1, 1).all()
    assert (table["agreement"] >= table["kappa"]).all()
