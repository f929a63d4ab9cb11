"""Loading: the data are found from any folder, and a broken file is refused with a precise message."""

from __future__ import annotations

import os
import subprocess
import sys

import pandas as pd
import pytest

from smecredit import LoanBookError, load_loans
from smecredit.loading import DATA_ENV_VAR, data_dir


def write(frame: pd.DataFrame, path):
    frame.to_csv(path, index=False)
    return path


def test_typed_columns(loans):
    assert str(loans["loan_id"].dtype) == "string"
    assert loans["origination_date"].dtype == "datetime64[ns]"
    assert loans["default_12m"].dtype == "int64"
    assert loans["markup_pct"].dtype == "float64"
    # the first level of each category is the model's reference level
    assert list(loans["guarantee_method"].cat.categories)[0] == "mortgage"
    assert list(loans["repayment_method"].cat.categories)[0] == "monthly_interest_bullet"
    assert loans["internal_rating"].cat.ordered
    assert loans["months_to_default"].isna().sum() == (loans["default_12m"] == 0).sum()


@pytest.mark.parametrize("folder", ["", "book", "src/smecredit"])
def test_found_from_folders_inside_the_repository(root, folder, monkeypatch):
    monkeypatch.delenv(DATA_ENV_VAR, raising=False)
    monkeypatch.chdir(root / folder)
    assert data_dir() == root / "data"


def test_found_from_a_folder_outside_the_repository(root, tmp_path):
    env = {k: v for k, v in os.environ.items() if k != DATA_ENV_VAR}
    code = "from smecredit import load_loans; print(len(load_loans()))"
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "20000"


def test_environment_variable_wins(tmp_path, raw_rows, monkeypatch):
    write(raw_rows, tmp_path / "loans.csv")
    monkeypatch.setenv(DATA_ENV_VAR, str(tmp_path))
    assert len(load_loans()) == 50


def test_environment_variable_naming_a_wrong_folder_is_an_error(tmp_path, monkeypatch):
    monkeypatch.setenv(DATA_ENV_VAR, str(tmp_path / "typo"))
    with pytest.raises(FileNotFoundError, match="holds no loans.csv"):
        load_loans()


@pytest.mark.parametrize("content,message", [
    ("", "the file is empty"),
    ("loan_id;borrower_id;loan_sequence\nL000001;B000001;1\n", "another separator"),
])
def test_empty_or_oddly_separated_files(tmp_path, content, message):
    path = tmp_path / "odd.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(LoanBookError, match=message):
        load_loans(path)


def test_header_without_loans(tmp_path, raw_rows):
    path = write(raw_rows.iloc[:0], tmp_path / "header_only.csv")
    with pytest.raises(LoanBookError, match="a header but no loans"):
        load_loans(path)


def test_missing_file_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.csv"):
        load_loans(tmp_path / "nope.csv")


def test_missing_column(tmp_path, raw_rows):
    path = write(raw_rows.drop(columns=["markup_pct"]), tmp_path / "no_markup.csv")
    with pytest.raises(LoanBookError, match=r"no_markup\.csv: missing column\(s\): markup_pct"):
        load_loans(path)


def test_unexpected_column(tmp_path, raw_rows):
    path = write(raw_rows.assign(favourite_colour="blue"), tmp_path / "extra.csv")
    with pytest.raises(LoanBookError, match="unexpected column.*favourite_colour"):
        load_loans(path)


def test_wrong_type_names_column_rows_and_values(tmp_path, raw_rows):
    bad = raw_rows.copy()
    bad.loc[[3, 7], "loan_amount_10k"] = "about 50"
    path = write(bad, tmp_path / "bad_type.csv")
    with pytest.raises(LoanBookError) as err:
        load_loans(path)
    message = str(err.value)
    assert "bad_type.csv" in message
    assert "column loan_amount_10k: not a valid float ('about 50', 'about 50')" in message
    assert f"line 5 ({bad.loc[3, 'loan_id']}), line 9 ({bad.loc[7, 'loan_id']})" in message


def test_integer_column_refuses_a_decimal(tmp_path, raw_rows):
    bad = raw_rows.copy()
    bad.loc[0, "term_months"] = "12.5"
    with pytest.raises(LoanBookError, match=r"column term_months: not a valid int \('12.5'\) in line 2"):
        load_loans(write(bad, tmp_path / "decimal.csv"))


def test_out_of_range(tmp_path, raw_rows):
    bad = raw_rows.copy()
    bad.loc[10, "debt_ratio_pct"] = "130.0"
    with pytest.raises(LoanBookError) as err:
        load_loans(write(bad, tmp_path / "range.csv"))
    assert "column debt_ratio_pct: value outside 0 to 100 in line 12" in str(err.value)


def test_unknown_category(tmp_path, raw_rows):
    bad = raw_rows.copy()
    bad.loc[4, "guarantee_method"] = "handshake"
    with pytest.raises(LoanBookError) as err:
        load_loans(write(bad, tmp_path / "category.csv"))
    assert "column guarantee_method: value not one of" in str(err.value)
    assert "line 6" in str(err.value)


def test_duplicate_loan_ids(tmp_path, raw_rows):
    bad = raw_rows.copy()
    bad.loc[9, "loan_id"] = bad.loc[8, "loan_id"]
    with pytest.raises(LoanBookError) as err:
        load_loans(write(bad, tmp_path / "dupes.csv"))
    message = str(err.value)
    assert "column loan_id: duplicate values" in message
    assert "line 10" in message and "line 11" in message


def test_empty_value_where_none_may_be(tmp_path, raw_rows):
    bad = raw_rows.copy()
    bad.loc[2, "industry"] = ""
    with pytest.raises(LoanBookError, match=r"column industry: empty value in line 4"):
        load_loans(write(bad, tmp_path / "empty.csv"))


def test_inconsistent_columns(tmp_path, raw_rows):
    bad = raw_rows.copy()
    bad.loc[1, "shareholder_holding_years"] = str(float(bad.loc[1, "firm_age_years"]) + 1)
    with pytest.raises(LoanBookError) as err:
        load_loans(write(bad, tmp_path / "holding.csv"))
    assert "shareholder_holding_years is longer than firm_age_years in line 3" in str(err.value)


def test_every_problem_is_reported_at_once(tmp_path, raw_rows):
    bad = raw_rows.copy()
    bad.loc[0, "debt_ratio_pct"] = "-5"
    bad.loc[1, "internal_rating"] = "AAA+"
    with pytest.raises(LoanBookError) as err:
        load_loans(write(bad, tmp_path / "two.csv"))
    assert "debt_ratio_pct" in str(err.value) and "internal_rating" in str(err.value)


def test_nothing_is_changed_on_the_way_in(root, loans):
    raw = pd.read_csv(root / "data" / "loans.csv", dtype=str, keep_default_na=False)
    assert len(raw) == len(loans)
    assert raw["loan_id"].tolist() == loans["loan_id"].tolist()
    assert (raw["markup_pct"].astype(float) == loans["markup_pct"]).all()
    assert raw["guarantee_method"].tolist() == loans["guarantee_method"].astype(str).tolist()
