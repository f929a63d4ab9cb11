"""Loading: the data are found from any folder, and a broken file is refused with a precise message.

``test_a_file_as_an_analyst_sends_it`` is the one table of the files a bank analyst may send: each
row builds a file in tmp_path from the first rows of the shipped ``data/loans.csv``, and states
either that it loads (to the same typed frame as the plain CSV) or the substrings its error must
hold: file name, column, the file's own line (or sheet row) numbers and the expected format.
"""

from __future__ import annotations

import codecs
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from smecredit import LoanBookError, load_loans
from smecredit.loading import DATA_ENV_VAR, DataFileError, PublicDataError, data_dir
from smecredit.schema import CHINESE_HEADERS, COLUMN_NAMES, chinese_headers_markdown

ROOT = Path(__file__).resolve().parents[1]
SAVE_AS = "in Excel: File > Save As > CSV UTF-8"
CHINESE = {name: headers[0] for name, headers in CHINESE_HEADERS.items()}  # the first header of each column


def write(frame: pd.DataFrame, path):
    frame.to_csv(path, index=False)
    return path


def test_one_error_type_for_every_data_file():
    assert LoanBookError is DataFileError and PublicDataError is DataFileError
    assert issubclass(DataFileError, ValueError)


def test_typed_columns(loans):
    assert str(loans["loan_id"].dtype) == "string"
    assert loans["origination_date"].dtype == "datetime64[ns]"
    assert loans["default_12m"].dtype == "int64"
    assert loans["markup_pct"].dtype == "float64"
    # the first level of each category is the model's reference level
    assert list(loans["guarantee_method"].cat.categories)[0] == "mortgage"
    assert list(loans["repayment_method"].cat.categories)[0] == "quarterly_interest_bullet"
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


def test_missing_file_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.csv"):
        load_loans(tmp_path / "nope.csv")


# --- The table of files an analyst may send -----------------------------------------------------------------
# Each builder gets the first 50 loans granted from 2014 on in data/loans.csv as text, with its 35 columns
# (row i is line i + 2 of a plain CSV) and a folder, writes one file and returns its path. Row 23 (line 25) is
# a default. An expected message names a row's loan id as loan(i) and a value as value(i, column): the rows
# are the committed book's, so these are read from them.

def loan(row: int) -> str:
    """In an expected message, the loan id of row ``row`` of the rows (filled in by the test)."""
    return f"<loan id of row {row}>"


def value(row: int, column: str) -> str:
    """In an expected message, the text of ``column`` in row ``row`` of the rows (filled in by the test)."""
    return f"<{column} of row {row}>"


def with_loan_ids(part: str, rows: pd.DataFrame) -> str:
    part = re.sub(r"<loan id of row (\d+)>", lambda m: rows.loc[int(m.group(1)), "loan_id"], part)
    return re.sub(r"<(\w+) of row (\d+)>", lambda m: rows.loc[int(m.group(2)), m.group(1)], part)


def changed(rows: pd.DataFrame, changes: dict) -> pd.DataFrame:
    """A copy of the rows with {(row, column): text} put in."""
    rows = rows.copy()
    for (row, column), value in changes.items():
        rows.loc[row, column] = value
    return rows


def csv_with(changes: dict, name: str = "bad.csv"):
    return lambda rows, folder: write(changed(rows, changes), folder / name)


def text_file(name: str, content: str | bytes):
    def build(rows, folder):
        path = folder / name
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
        return path
    return build


def encoded(name: str, encoding: str, sep: str = ",", chinese: bool = False):
    def build(rows, folder):
        rows = rows.rename(columns=CHINESE) if chinese else rows
        path = folder / name
        path.write_bytes(rows.to_csv(index=False, sep=sep).encode(encoding))
        return path
    return build


def renamed(headers: dict, name: str = "ledger.csv"):
    return lambda rows, folder: write(rows.rename(columns=headers), folder / name)


def with_lines(inserted: dict[int, str], changes: dict | None = None, name: str = "blank_lines.csv"):
    """The CSV text with extra lines put in before the given (0-based) line indices."""
    def build(rows, folder):
        lines = changed(rows, changes or {}).to_csv(index=False).splitlines()
        for index in sorted(inserted, reverse=True):
            lines.insert(index, inserted[index])
        path = folder / name
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path
    return build


def workbook(changes: dict | None = None, blank_rows: tuple[int, ...] = (), name: str = "book.xlsx"):
    """An .xlsx as Excel keeps it: numbers as numbers, dates as date cells; blank sheet rows where asked."""
    def build(rows, folder):
        cells = rows.astype(object)
        for column in cells.columns:
            numbers = pd.to_numeric(rows[column], errors="coerce")
            if numbers.notna().sum() == (rows[column] != "").sum() and column not in ("loan_id", "borrower_id"):
                cells[column] = numbers.astype(object).where(numbers.notna(), None)
        cells["origination_date"] = pd.to_datetime(rows["origination_date"]).astype(object)
        for (row, column), value in (changes or {}).items():
            cells.loc[row, column] = value
        for sheet_row in sorted(blank_rows):  # 1-based sheet row numbers, the header is row 1
            top, bottom = cells.iloc[:sheet_row - 2], cells.iloc[sheet_row - 2:]
            cells = pd.concat([top, pd.DataFrame([[None] * cells.shape[1]], columns=cells.columns), bottom])
        path = folder / name
        cells.to_excel(path, index=False, sheet_name="贷款台账")
        return path
    return build


LOADS = "loads"
CASES = [
    # encodings
    pytest.param(encoded("gbk.csv", "gbk", chinese=True), {},
                 ["gbk.csv", "not UTF-8", "line 1", "GBK/GB18030", 'encoding="gb18030"', SAVE_AS], id="gbk-csv"),
    pytest.param(encoded("gbk.csv", "gbk", chinese=True), {"encoding": "gb18030"}, LOADS, id="gbk-csv-encoding-named"),
    pytest.param(encoded("unicode.txt", "utf-16", sep="\t"), {},
                 ["unicode.txt", "UTF-16", "'Unicode Text' (tab-separated)", 'encoding="utf-16"', SAVE_AS],
                 id="utf16-tab-text"),
    pytest.param(encoded("unicode.txt", "utf-16", sep="\t"), {"encoding": "utf-16"}, LOADS,
                 id="utf16-tab-text-encoding-named"),
    pytest.param(encoded("bom.csv", "utf-8-sig"), {}, LOADS, id="utf8-with-bom"),
    pytest.param(encoded("bom.csv", "utf-8-sig"), {"encoding": "utf-8"}, LOADS, id="utf8-with-bom-encoding-named"),
    pytest.param(encoded("latin.csv", "latin-1"), {"encoding": "no-such-codec"},
                 ["latin.csv", "'no-such-codec' is not an encoding"], id="unknown-encoding"),
    pytest.param(text_file("chinese.csv", "借据号,客户编号\nL000001,B000001\n".encode("gbk")),
                 {"encoding": "utf-8"},
                 ["chinese.csv", "not utf-8 text", "line 1", "GBK/GB18030"], id="wrong-encoding-named"),
    # workbooks
    pytest.param(workbook(), {}, LOADS, id="xlsx"),
    pytest.param(workbook(name="renamed.csv"), {}, LOADS, id="xlsx-named-csv"),
    pytest.param(workbook({(2, "loan_amount_10k"): "1,234.5", (4, "origination_date"): 41641},
                          blank_rows=(3,)), {},
                 ["book.xlsx (sheet 贷款台账)", "values of the wrong type",
                  f"column loan_amount_10k: not a valid float ('1,234.5') in row 5 ({loan(2)})", "1234.5",
                  f"column origination_date: not a valid date ('41641') in row 7 ({loan(4)})", "YYYY-MM-DD",
                  "Excel serial date number: it is 2014-01-02"], id="xlsx-bad-values-and-blank-row"),
    pytest.param(workbook({(1, "debt_ratio_pct"): 130}), {},
                 ["book.xlsx (sheet 贷款台账)",
                  f"column debt_ratio_pct: value outside 0 to 100 (130.0) in row 3 ({loan(1)})"],
                 id="xlsx-out-of-range"),
    pytest.param(workbook(), {"sheet": "summary"}, ["book.xlsx", "no sheet 'summary'", "'贷款台账'"],
                 id="xlsx-no-such-sheet"),
    pytest.param(text_file("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100)), {},
                 ["old.xls", "Excel 97-2003", "*.xlsx", "CSV UTF-8"], id="xls-97-2003"),
    pytest.param(text_file("broken.xlsx", b"PK\x03\x04 not really a zip"), {},
                 ["broken.xlsx", "cannot be read as an Excel workbook"], id="xlsx-broken"),
    # headers
    pytest.param(renamed(CHINESE), {}, LOADS, id="chinese-headers"),
    pytest.param(renamed({name: f" {headers[-1].replace('(', '（').replace(')', '）').replace('%', '％')} "
                          for name, headers in CHINESE_HEADERS.items()}), {}, LOADS,
                 id="chinese-headers-full-width-and-spaces"),
    pytest.param(renamed({"loan_amount_10k": "贷款金额(万元)", "term_months": "期限(月)"}), {},
                 ["ledger.csv", "missing column(s): loan_amount_10k, term_months",
                  "unexpected column(s): 贷款金额(万元), 期限(月)", "chinese_headers=True"],
                 id="some-chinese-headers"),
    pytest.param(renamed({"loan_amount_10k": "贷款金额(万元)", "term_months": "期限(月)"}),
                 {"chinese_headers": True}, LOADS, id="some-chinese-headers-asked"),
    pytest.param(renamed(CHINESE), {"chinese_headers": False},
                 ["ledger.csv", "missing column(s): loan_id, borrower_id", "found (35): 借据号, 客户编号"],
                 id="chinese-headers-refused"),
    pytest.param(renamed({**CHINESE, "loan_amount_10k": "贷款金额(元)"}), {},
                 ["ledger.csv", "missing column(s): loan_amount_10k", "unexpected column(s): 贷款金额(元)",
                  "贷款金额(元) is not read as loan_amount_10k, whose values are in 10k yuan",
                  "under the header 贷款金额(万元)"], id="chinese-header-in-yuan"),
    pytest.param(renamed({**CHINESE, "loan_id": "借据号", "borrower_id": "贷款编号"}), {},
                 ["ledger.csv", "a column appears more than once", "column loan_id: named by 2 headers ('借据号', "
                  "'贷款编号')"], id="two-chinese-headers-for-one-column"),
    pytest.param(lambda rows, folder: write(rows.drop(columns=["markup_pct"]).assign(colour="blue"),
                                            folder / "no_markup.csv"), {},
                 ["no_markup.csv: the columns are not those of the loan book",
                  "missing column(s): markup_pct; unexpected column(s): colour",
                  "expected (35): loan_id, borrower_id, loan_sequence", "found (35): loan_id, borrower_id",
                  ", contract_rate_pct, default_12m, months_to_default, max_days_past_due, classification_at_cutoff, "
                  "ead_10k, recovery_10k, guarantee_circle, inclusive_scope, seasoned_stock, colour",
                  "Rename the file's headers"], id="missing-and-unexpected-columns"),
    pytest.param(text_file("title.csv", "S支行贷款台账\n" + ",".join(COLUMN_NAMES) + "\n"), {},
                 ["title.csv", "found (1): S支行贷款台账", "is a title, delete it"],
                 id="title-line-above-header"),
    pytest.param(with_lines({0: "", 1: "", 2: "   "}, name="blank_top.csv"), {}, LOADS,
                 id="blank-lines-before-the-header-and-between-rows"),
    pytest.param(lambda rows, folder: text_file("trailing.csv", rows.to_csv(index=False).replace("\n", ",\n"))(
                 rows, folder), {}, LOADS, id="trailing-commas-of-an-excel-export"),
    pytest.param(lambda rows, folder: text_file("unnamed.csv", rows.assign(**{"": ""}).to_csv(index=False).replace(
                 "\n", "note\n", 3).replace("note\n", "\n", 1))(rows, folder), {},
                 ["unnamed.csv", f"column 36 (no header): has values but no header in line 2 ({loan(0)}), "
                  f"line 3 ({loan(1)})"], id="values-under-no-header"),
    # formats of values
    pytest.param(csv_with({(2, "loan_amount_10k"): "1,234.5", (3, "markup_pct"): "15%"}, "thousands.csv"), {},
                 ["thousands.csv: values of the wrong type",
                  f"column loan_amount_10k: not a valid float ('1,234.5') in line 4 ({loan(2)}). Expected plain "
                  "numbers such as 1234.5", "write 1,234.5 as 1234.5",
                  f"column markup_pct: not a valid float ('15%') in line 5 ({loan(3)})", "write 15% as 15"],
                 id="thousands-separators-and-percent-signs"),
    pytest.param(csv_with({(1, "employees"): "1,200"}, "int_thousands.csv"), {},
                 ["int_thousands.csv", f"column employees: not a valid int ('1,200') in line 3 ({loan(1)})",
                  "Expected whole numbers such as 12", "write 1,200 as 1200"], id="thousands-separator-in-a-count"),
    pytest.param(csv_with({(2, "origination_date"): "2014/1/2"}, "slash.csv"), {},
                 ["slash.csv", f"column origination_date: not a valid date ('2014/1/2') in line 4 ({loan(2)})",
                  "Expected ISO dates YYYY-MM-DD", "write 2014/1/2 as 2014-01-02"], id="slash-dates"),
    pytest.param(csv_with({(2, "origination_date"): "41641"}, "serial.csv"), {},
                 ["serial.csv", f"column origination_date: not a valid date ('41641') in line 4 ({loan(2)})",
                  "Expected ISO dates YYYY-MM-DD", "41641 looks like an Excel serial date number: it is 2014-01-02"],
                 id="excel-serial-dates"),
    pytest.param(csv_with({(2, "origination_date"): "2014-01-02 00:00:00"}, "datetime.csv"), {},
                 ["datetime.csv", "column origination_date: not a valid date", "YYYY-MM-DD", "has a time of day"],
                 id="dates-with-a-time"),
    pytest.param(csv_with({(3, "industry"): "  "}, "blank_value.csv"), {},
                 ["blank_value.csv: values missing where none may be", "column industry: empty value in line 5"],
                 id="value-of-spaces-only"),
    pytest.param(text_file("odd.csv", "loan_id;borrower_id;loan_sequence\nL000001;B000001;1\n"), {},
                 ["odd.csv", "another separator (';')", "CSV UTF-8"], id="semicolon-separated"),
    pytest.param(text_file("empty.csv", ""), {}, ["empty.csv: the file is empty"], id="empty-file"),
    pytest.param(lambda rows, folder: write(rows.iloc[:0], folder / "header_only.csv"), {},
                 ["header_only.csv: the file has a header but no loans"], id="header-without-loans"),
    # cross-column rules a banker checks, each naming its rows
    pytest.param(csv_with({(1, "owner_experience_years"): "40.0", (1, "owner_age_years"): "50"}, "experience.csv"),
                 {}, ["experience.csv: the data break the schema",
                      "owner_experience_years is more than owner_age_years - 16", "owner_experience_years 40.0, "
                      "owner_age_years 50", f"in line 3 ({loan(1)})"], id="experience-beyond-working-life"),
    pytest.param(csv_with({(1, "shareholder_holding_years"): "30.0", (1, "firm_age_years"): "5.6"}, "holding.csv"),
                 {}, ["holding.csv", "shareholder_holding_years is longer than firm_age_years",
                      f"in line 3 ({loan(1)})"], id="holding-longer-than-firm-age"),
    pytest.param(csv_with({(23, "ead_10k"): "999.0", (23, "recovery_10k"): "10.0"}, "ead.csv"), {},
                 ["ead.csv", "ead_10k is larger than loan_amount_10k (ead_10k 999.0, "
                  f"loan_amount_10k {value(23, 'loan_amount_10k')}) "
                  f"in line 25 ({loan(23)})"], id="ead-above-amount"),
    pytest.param(csv_with({(23, "recovery_10k"): "999.0"}, "recovery.csv"), {},
                 ["recovery.csv", "recovery_10k is larger than ead_10k (recovery_10k 999.0, "
                  f"ead_10k {value(23, 'ead_10k')}) "
                  f"in line 25 ({loan(23)})"], id="recovery-above-ead"),
    # the file's own line numbers
    pytest.param(with_lines({1: "", 4: "   ", 5: ""}, {(5, "debt_ratio_pct"): "130.0"}), {},
                 ["blank_lines.csv",
                  f"column debt_ratio_pct: value outside 0 to 100 (130.0) in line 10 ({loan(5)})"],
                 id="blank-lines-above-an-error"),
    pytest.param(with_lines({1: "", 3: ""}, {(2, "loan_amount_10k"): "1,234.5"}), {},
                 ["blank_lines.csv",
                  f"column loan_amount_10k: not a valid float ('1,234.5') in line 6 ({loan(2)})"],
                 id="blank-lines-above-a-wrong-type"),
    pytest.param(with_lines({3: ""}, {(1, "shareholder_holding_years"): "99.0"}), {},
                 ["blank_lines.csv", "shareholder_holding_years is longer than firm_age_years",
                  f"in line 3 ({loan(1)})",
                  f"column shareholder_holding_years: value outside 0 to 80 (99.0) in line 3 ({loan(1)})"],
                 id="blank-line-below-an-error"),
    pytest.param(with_lines({4: "L999999,too,many,values" + "," * 34}), {},
                 ["blank_lines.csv", "line 5 has 38 values where the header has 35 columns", "double quotes"],
                 id="a-line-with-too-many-values"),
    pytest.param(with_lines({2: 'L999999,"B000001'}), {},
                 ["blank_lines.csv", "a double quote (\") opens a value on line 3 that is never closed"],
                 id="a-quote-never-closed"),
]


@pytest.mark.parametrize("build,options,expected", CASES)
def test_a_file_as_an_analyst_sends_it(tmp_path, raw_rows, build, options, expected):
    path = build(raw_rows, tmp_path)
    if expected == LOADS:
        plain = load_loans(write(raw_rows, tmp_path / "plain.csv"))
        pd.testing.assert_frame_equal(load_loans(path, **options), plain)
        return
    with pytest.raises(DataFileError) as err:
        load_loans(path, **options)
    message = str(err.value)
    missing = [part for part in (with_loan_ids(part, raw_rows) for part in expected) if part not in message]
    assert not missing, f"{missing} not in:\n{message}"
    assert err.value.source.startswith(str(path))


def test_data_page_lists_the_chinese_headers():
    page = (ROOT / "data" / "loans.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- chinese-headers:start -->\n(.*?)<!-- chinese-headers:end -->", page, re.S)
    assert block and block.group(1) == chinese_headers_markdown()
    assert set(CHINESE_HEADERS) == set(COLUMN_NAMES)


def test_shipped_file_has_no_byte_order_mark_and_is_utf8(root):
    data = (root / "data" / "loans.csv").read_bytes()
    assert not data.startswith(codecs.BOM_UTF8)
    data.decode("utf-8")


# --- Values against the schema (one rule each) --------------------------------------------------------------

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
    assert "column debt_ratio_pct: value outside 0 to 100 (130.0) in line 12" in str(err.value)


def test_unknown_category(tmp_path, raw_rows):
    bad = raw_rows.copy()
    bad.loc[4, "guarantee_method"] = "handshake"
    with pytest.raises(LoanBookError) as err:
        load_loans(write(bad, tmp_path / "category.csv"))
    assert "column guarantee_method: value not one of" in str(err.value)
    assert "('handshake') in line 6" in str(err.value)


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


def test_every_problem_is_reported_at_once(tmp_path, raw_rows):
    bad = raw_rows.copy()
    bad.loc[0, "debt_ratio_pct"] = "-5"
    bad.loc[1, "internal_rating"] = "AAA+"
    with pytest.raises(LoanBookError) as err:
        load_loans(write(bad, tmp_path / "two.csv"))
    assert "debt_ratio_pct" in str(err.value) and "internal_rating" in str(err.value)


def test_nothing_is_changed_on_the_way_in(root, loans):
    raw = pd.read_csv(root / "data" / "loans.csv", dtype=str, keep_default_na=False)
    assert len(raw) == 22858 and list(raw.columns[-3:]) == ["guarantee_circle", "inclusive_scope", "seasoned_stock"]
    # By default the seasoned stock (granted 2011-2013) is left out, with its column; nothing else is.
    granted = raw.loc[raw["seasoned_stock"] == "False"].reset_index(drop=True)
    assert len(granted) == len(loans) == 20000
    assert list(loans.columns) == list(raw.columns[:-1])
    assert granted["loan_id"].tolist() == loans["loan_id"].tolist()
    assert (granted["markup_pct"].astype(float) == loans["markup_pct"]).all()
    assert granted["guarantee_method"].tolist() == loans["guarantee_method"].astype(str).tolist()
    assert loans["guarantee_circle"].fillna("").tolist() == granted["guarantee_circle"].tolist()
    assert (granted["inclusive_scope"] == "True").tolist() == loans["inclusive_scope"].tolist()
    # Asked for, every row of the file comes back, in the file's order.
    whole = load_loans(root / "data" / "loans.csv", seasoned_stock=True)
    assert list(whole.columns) == list(raw.columns)
    assert raw["loan_id"].tolist() == whole["loan_id"].tolist()
    assert (raw["seasoned_stock"] == "True").tolist() == whole["seasoned_stock"].tolist()
    assert (raw["markup_pct"].astype(float) == whole["markup_pct"]).all()
    assert whole.loc[whole["seasoned_stock"], "origination_date"].dt.year.between(2011, 2013).all()


# --- The optional columns of the generator's version-2 scenarios ------------------------------------------------

@pytest.fixture(scope="module")
def circles_book():
    from smecredit.simulate import simulate_loan_book

    return simulate_loan_book(600, seed=5, scenario="circles")


@pytest.mark.parametrize("dropped", [[], ["guarantee_circle"], ["inclusive_scope"],
                                     ["guarantee_circle", "inclusive_scope"]])
def test_a_book_loads_with_or_without_the_optional_columns(tmp_path, circles_book, dropped):
    from smecredit.loading import validate_loans
    from smecredit.simulate import write_loan_book

    frame = circles_book.drop(columns=dropped)
    loaded = load_loans(write_loan_book(frame, tmp_path / "v2.csv"))
    assert list(loaded.columns) == list(frame.columns)
    if "inclusive_scope" in loaded:
        assert loaded["inclusive_scope"].dtype == bool
        assert (loaded["inclusive_scope"] == circles_book["inclusive_scope"]).all()
    if "guarantee_circle" in loaded:
        assert loaded["guarantee_circle"].notna().sum() == (circles_book["guarantee_circle"] != "").sum()
    assert validate_loans(loaded) is loaded


def test_inclusive_scope_is_read_in_any_case_and_checked(tmp_path, circles_book):
    from smecredit.simulate import write_loan_book

    raw = pd.read_csv(write_loan_book(circles_book, tmp_path / "v2.csv"), dtype=str, keep_default_na=False)
    raw["inclusive_scope"] = raw["inclusive_scope"].str.upper()  # as Excel writes them
    upper = load_loans(write(raw, tmp_path / "upper.csv"))
    assert upper["inclusive_scope"].sum() == circles_book["inclusive_scope"].sum()
    bad = raw.copy()
    bad.loc[2, "inclusive_scope"] = "yes"
    with pytest.raises(DataFileError,
                       match=r"column inclusive_scope: not a valid bool \('yes'\) in line 4.*True or False"):
        load_loans(write(bad, tmp_path / "yes.csv"))
    bad = raw.copy()
    medium = bad.index[bad["size_class"] == "medium"][0]
    bad.loc[medium, "inclusive_scope"] = "True"
    with pytest.raises(DataFileError, match=f"inclusive_scope is True for a medium firm.*line {medium + 2}"):
        load_loans(write(bad, tmp_path / "medium.csv"))
    bad = raw.copy()
    bad.loc[3, "inclusive_scope"] = ""
    with pytest.raises(DataFileError, match=r"column inclusive_scope: empty value in line 5"):
        load_loans(write(bad, tmp_path / "empty.csv"))


def test_a_guarantee_circle_must_be_named_like_G0001(tmp_path, circles_book):
    from smecredit.simulate import write_loan_book

    raw = pd.read_csv(write_loan_book(circles_book, tmp_path / "v2.csv"), dtype=str, keep_default_na=False)
    member = raw.index[raw["guarantee_circle"] != ""][0]
    raw.loc[member, "guarantee_circle"] = "circle 7"
    with pytest.raises(DataFileError, match=r"column guarantee_circle: value does not match"):
        load_loans(write(raw, tmp_path / "circle.csv"))


def test_a_folder_with_a_loan_book_alone_takes_the_books_other_data_from_the_book(tmp_path, monkeypatch):
    """SMECREDIT_DATA naming a student's folder with loans.csv alone (smecredit.classroom): the loan book
    comes from there, the book's other files from the book's own data; a file the folder holds wins."""
    from smecredit.interviews import interviews_dir
    from smecredit.loading import data_file, local_data_dir

    (tmp_path / "loans.csv").write_text("placeholder\n", encoding="utf-8")
    monkeypatch.setenv("SMECREDIT_DATA", str(tmp_path))
    book_data, _ = local_data_dir(honour_override=False)
    assert data_file("loans.csv") == tmp_path / "loans.csv"
    assert data_file("sme_finance_stats.csv") == book_data / "sme_finance_stats.csv" != tmp_path / "sme_finance_stats.csv"
    assert interviews_dir() == book_data / "interviews"
    (tmp_path / "sme_finance_stats.csv").write_text("mine\n", encoding="utf-8")
    assert data_file("sme_finance_stats.csv") == tmp_path / "sme_finance_stats.csv"
    with pytest.raises(FileNotFoundError, match="has no nothing.csv"):
        data_file("nothing.csv")
