"""Per-student loan books: seeds from ids, an answer key that holds the truth, and the checker."""

from __future__ import annotations

import re
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from smecredit import true_coefficients
from smecredit.classroom import (StudentIdError, check_submission, make_class_data, read_answer_key,
                                 read_student_ids, read_submission, student_seed, validate_student_ids)
from smecredit.simulate import simulate_loan_book, write_loan_book

N_LOANS = 3000  # small books keep the tests fast; s001 and s003 converge at this size (s001 does not at 2,000)


@pytest.fixture(scope="module")
def class_data(tmp_path_factory):
    """Books for s001 and s003 made by the command line, as an instructor would."""
    out = tmp_path_factory.mktemp("class")
    ids = out / "ids.txt"
    ids.write_text("# my class\ns001\n\n  s003  \n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "smecredit.classroom", "--students", str(ids), "--out", str(out),
                             "--n-loans", str(N_LOANS)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return out


def test_seed_is_the_first_8_hex_digits_of_sha256():
    # printf s001 | sha256sum  ->  7e3bc81f04b2f13a...;  0x7e3bc81f = 2117847071
    assert student_seed("s001") == 0x7E3BC81F == 2117847071
    # with a salt the digest is of "<salt>:<id>": printf 'econ2026:s001' | sha256sum  ->  6417bb17...
    assert student_seed("s001", salt="econ2026") == 0x6417BB17 == 1679276823
    with pytest.raises(StudentIdError, match="an empty id"):
        student_seed("")


def test_command_writes_one_book_per_student_and_the_key(class_data):
    assert sorted(p.name for p in class_data.iterdir() if p.is_dir()) == ["s001", "s003"]
    assert (class_data / "answer_key_README.txt").read_text(encoding="utf-8").startswith("ANSWER KEY: FOR THE INSTRUCTOR")
    key = read_answer_key(class_data / "answer_key.csv")
    assert list(key["student_id"].unique()) == ["s001", "s003"]
    assert set(key.loc[key["student_id"] == "s001", "seed"]) == {2117847071}
    assert set(key["n_loans"]) == {N_LOANS}
    # the student's file is exactly what the generator makes from the student's seed
    expected = class_data / "expected.csv"
    write_loan_book(simulate_loan_book(N_LOANS, seed=2117847071), expected)
    assert (class_data / "s001" / "loans.csv").read_bytes() == expected.read_bytes()


def test_key_holds_the_pseudo_true_coefficients_beside_the_structural_ones(class_data):
    key = read_answer_key(class_data / "answer_key.csv")
    pseudo_true = true_coefficients("pseudo_true")
    for student_id, rows in key.groupby("student_id"):
        rows = rows.set_index("term")
        pd.testing.assert_series_equal(rows["pseudo_true_coefficient"], pseudo_true, check_names=False)
    markup = key[key["term"] == "markup_pct"].iloc[0]
    # the soft information the markup carries: the logit's target is three times the causal effect
    assert markup["pseudo_true_coefficient"] == pytest.approx(0.045, abs=0.002)
    assert markup["true_coefficient"] == 0.015
    readme = (class_data / "answer_key_README.txt").read_text(encoding="utf-8")
    assert "pseudo_true_coefficient" in readme and "no amount of data closes the gap" in readme


def test_two_students_get_different_books(class_data):
    a = pd.read_csv(class_data / "s001" / "loans.csv")
    b = pd.read_csv(class_data / "s003" / "loans.csv")
    # N_LOANS loans granted 2014-2018 each, and each its own seasoned stock on top
    assert (~a["seasoned_stock"]).sum() == (~b["seasoned_stock"]).sum() == N_LOANS
    assert a["seasoned_stock"].sum() > 0 and a["seasoned_stock"].sum() != b["seasoned_stock"].sum()
    assert not a["markup_pct"].equals(b["markup_pct"])
    assert a["default_12m"].sum() != b["default_12m"].sum()


def test_key_truth_is_the_true_model_for_every_student_and_estimates_differ(class_data):
    key = read_answer_key(class_data / "answer_key.csv")
    truth = true_coefficients()
    for student_id, rows in key.groupby("student_id"):
        rows = rows.set_index("term")
        assert list(rows.index) == list(truth.index), student_id
        pd.testing.assert_series_equal(rows["true_coefficient"], truth, check_names=False)
        assert rows["converged"].all()
        assert (rows["std_err"] > 0).all()
    estimates = key.pivot(index="term", columns="student_id", values="estimate")
    assert (estimates["s001"] != estimates["s003"]).all()


def test_checker_accepts_the_keys_own_estimates(class_data):
    key = read_answer_key(class_data / "answer_key.csv")
    own = key[key["student_id"] == "s001"].set_index("term")["estimate"]
    result = check_submission(own, key, "s001")
    assert result["passed"].all() and (result["verdict"] == "ok").all()
    assert len(result) == len(true_coefficients())


def test_checker_reads_the_csv_a_student_writes_with_statsmodels(class_data, tmp_path):
    import statsmodels.formula.api as smf

    from smecredit import load_loans, true_model
    from smecredit.model_reports import odds_ratio_table

    fit = smf.logit(true_model().formula, data=load_loans(class_data / "s003" / "loans.csv")).fit(disp=0)
    key = read_answer_key(class_data / "answer_key.csv")
    documented = tmp_path / "documented.csv"
    fit.params.rename("estimate").rename_axis("term").to_csv(documented)
    fit.params.to_csv(tmp_path / "plain.csv")
    odds_ratio_table(fit).to_csv(tmp_path / "table.csv")
    for path in [documented, tmp_path / "plain.csv", tmp_path / "table.csv"]:
        assert check_submission(path, key, "s003")["passed"].all(), path.name
    # the same estimates are wrong for another student's book
    assert not check_submission(documented, key, "s001")["passed"].all()


def test_checker_rejects_a_wrong_sign_an_odds_ratio_a_missing_and_an_extra_term(class_data):
    key = read_answer_key(class_data / "answer_key.csv")
    rows = key[key["student_id"] == "s001"].set_index("term")
    sub = rows["estimate"].copy()
    # joint/mutual guarantee: the key's estimate is more than 2 standard errors from zero,
    # so flipping its sign moves it more than 4 standard errors
    term = "guarantee_method[T.joint_mutual]"
    assert abs(rows.loc[term, "estimate"]) > 2 * rows.loc[term, "std_err"]
    sub[term] = -sub[term]
    sub["markup_pct"] = np.exp(sub["markup_pct"])
    sub = sub.drop("Intercept")
    sub["owner_age"] = 0.1
    result = check_submission(sub, key, "s001", k=2.0)
    assert result.loc[term, "verdict"] == "wrong sign"
    assert result.loc[term, "distance_se"] == pytest.approx(2 * abs(rows.loc[term, "estimate"]) / rows.loc[term, "std_err"])
    assert result.loc["markup_pct", "verdict"] == "odds ratio, not a coefficient"
    assert result.loc["Intercept", "verdict"] == "missing"
    assert result.loc["owner_age", "verdict"] == "unexpected term"
    assert result["passed"].sum() == len(true_coefficients()) - 3
    assert not result.loc[[term, "markup_pct", "Intercept", "owner_age"], "passed"].any()


def test_checker_tolerance_is_k_standard_errors(class_data):
    key = read_answer_key(class_data / "answer_key.csv")
    rows = key[key["student_id"] == "s001"].set_index("term")
    sub = rows["estimate"] + 1.5 * rows["std_err"]
    assert check_submission(sub, key, "s001", k=2.0)["passed"].all()
    assert not check_submission(sub, key, "s001", k=1.0)["passed"].any()
    with pytest.raises(ValueError, match="k must be positive"):
        check_submission(sub, key, "s001", k=0)
    with pytest.raises(KeyError, match="s999"):
        check_submission(sub, key, "s999")


def test_check_command_passes_and_fails(class_data, tmp_path):
    key = read_answer_key(class_data / "answer_key.csv")
    own = key[key["student_id"] == "s001"].set_index("term")["estimate"].rename_axis("term")
    own.to_csv(tmp_path / "s001.csv")
    (-own).to_csv(tmp_path / "s003.csv")
    command = [sys.executable, "-m", "smecredit.classroom", "check", "--key", str(class_data / "answer_key.csv")]
    ok = subprocess.run([*command, "--student", "s001", str(tmp_path / "s001.csv")], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    assert "pass" in ok.stdout
    both = subprocess.run([*command, str(tmp_path / "s001.csv"), str(tmp_path / "s003.csv")],
                          capture_output=True, text=True)
    assert both.returncode == 1
    assert "fail" in both.stdout


@pytest.mark.parametrize("ids,message", [
    ([], "no student ids"),
    (["s001", ""], "an empty id"),
    (["s001", "   "], "an empty id"),
    (["s001", "s002", "s001"], "duplicate student id"),
    (["Ana", "ana"], "duplicate student id"),
    (["../etc"], "characters other than"),
    (["a/b"], "characters other than"),
    (["Li Wei"], "characters other than"),
    (["王伟"], "characters other than"),
    (["-rf"], "must start with a letter or a digit"),
    (["s001."], "ends with '.'"),
    (["con"], "reserved device name"),
    (["answer_key.csv"], "name of a file the command writes"),
    (["x" * 65], "longer than 64"),
])
def test_unusable_ids_are_refused(ids, message):
    with pytest.raises(StudentIdError, match=message):
        validate_student_ids(ids)


def test_good_ids_pass_unchanged():
    ids = ["s001", "2026-A.17", "li_wei", "X"]
    assert validate_student_ids(ids) == ids


def test_id_file_errors_name_the_line(tmp_path):
    path = tmp_path / "ids.txt"
    path.write_text("s001\nLi Wei\n", encoding="utf-8")
    with pytest.raises(StudentIdError, match="line 2: 'Li Wei'"):
        read_student_ids(path)
    path.write_text("# nobody yet\n\n", encoding="utf-8")
    with pytest.raises(StudentIdError, match="no student ids"):
        read_student_ids(path)
    with pytest.raises(FileNotFoundError):
        read_student_ids(tmp_path / "missing.txt")


def test_command_line_refuses_bad_ids_before_writing(tmp_path):
    out = tmp_path / "out"
    result = subprocess.run([sys.executable, "-m", "smecredit.classroom", "--ids", "s001", "s001", "--out", str(out),
                             "--n-loans", "100"], capture_output=True, text=True)
    assert result.returncode == 2
    assert "duplicate student id(s)" in result.stderr
    assert not out.exists()


def test_make_class_data_refuses_a_non_positive_size(tmp_path):
    with pytest.raises(ValueError, match="n_loans must be at least 1"):
        make_class_data(["s001"], tmp_path, n_loans=0)


def test_submission_without_a_coefficient_column_is_refused(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("term,odds,p\nmarkup_pct,1.01,0.2\n", encoding="utf-8")
    with pytest.raises(ValueError, match="expected columns 'term' and 'estimate'"):
        read_submission(path)
    path.write_text("term,estimate\nmarkup_pct,zero\n", encoding="utf-8")
    with pytest.raises(ValueError, match="not a number"):
        read_submission(path)


# --- Every error names the file; a missing file is called missing --------------------------------------

LAYOUT = "expected: a comma-separated CSV file with the header line 'term,estimate'"


@pytest.fixture()
def small_key(tmp_path):
    """A two-term answer key for s001, written as the make step writes it."""
    key = pd.DataFrame({"student_id": "s001", "seed": 2117847071, "n_loans": 100, "term": ["Intercept", "markup_pct"],
                        "true_coefficient": [-4.0, 0.02], "estimate": [-3.9, 0.021], "std_err": [0.2, 0.005],
                        "converged": True})
    path = tmp_path / "answer_key.csv"
    key.to_csv(path, index=False)
    return path


def test_a_missing_submission_is_called_missing_not_absent_from_the_key(small_key, tmp_path):
    key = read_answer_key(small_key)
    missing = tmp_path / "nope.csv"
    for student_id in ["nope", "s001"]:
        with pytest.raises(FileNotFoundError, match=r"nope\.csv: no such file: the submission does not exist"):
            check_submission(missing, key, student_id)
    result = subprocess.run([sys.executable, "-m", "smecredit.classroom", "check", "--key", str(small_key),
                             str(missing)], capture_output=True, text=True)
    assert result.returncode == 1
    assert f"{missing}: cannot check: no such file: the submission does not exist" in result.stderr
    assert "answer key" not in result.stderr
    with pytest.raises(IsADirectoryError, match="is a folder, not a submission file"):
        read_submission(tmp_path)


@pytest.mark.parametrize("text,message", [
    ("term,estimate\nIntercept,-3.9\nmarkup_pct,0.021,0.2\n", "line 3: 3 fields where the header (line 1) has 2: "
                                                              "'markup_pct,0.021,0.2'"),
    ("term,estimate\n\nIntercept,-3.9\n\nmarkup_pct,0.021,x\n", "line 5: 3 fields where the header (line 1) has 2"),
    ('term,estimate\n"Intercept,-3.9\nmarkup_pct,0.021\n', 'line 2: a quote (") opened on this line is never closed'),
    ("", "the file is empty"),
    ("\n\n", "the file is empty"),
    ("term;estimate\nIntercept;-3,9\n", "line 1: the columns are separated by ';', not commas"),
    ("term\testimate\nIntercept\t-3.9\n", "line 1: the columns are separated by tabs, not commas"),
])
def test_a_malformed_submission_names_the_file_the_line_and_the_layout(tmp_path, text, message):
    path = tmp_path / "s001.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError) as caught:
        read_submission(path)
    assert str(caught.value).startswith(f"{path}: {message}")
    assert LAYOUT in str(caught.value)


def test_a_spreadsheet_saved_as_csv_is_named(tmp_path):
    path = tmp_path / "s001.csv"
    path.write_bytes(b"PK\x03\x04\x14\x00\xff\xfe binary workbook")
    with pytest.raises(ValueError, match=r"s001\.csv: not a UTF-8 text file \(byte 6 cannot be read"):
        read_submission(path)


def test_bad_values_and_repeated_terms_are_given_with_their_lines(tmp_path):
    path = tmp_path / "s001.csv"
    path.write_text("term,estimate\nIntercept,-3.9\n\nmarkup_pct,zero\nowner_age_years,n/a\n", encoding="utf-8")
    with pytest.raises(ValueError) as caught:
        read_submission(path)
    assert str(caught.value).startswith(f"{path}: not a number in column 'estimate': line 4: 'zero'; "
                                        "line 5: 'n/a'; expected:")
    path.write_text("term,estimate\nIntercept,-3.9\nmarkup_pct,0.02\nIntercept,-4\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"s001\.csv: term\(s\) given more than once: Intercept \(lines 2 and 4\)"):
        read_submission(path)


def test_tolerant_reading_keeps_its_values(tmp_path):
    # a byte-order mark, spaces, blank lines, CRLF line ends and a short line are all fine
    path = tmp_path / "s001.csv"
    path.write_bytes("\ufeffterm , estimate\r\n\r\n Intercept , -3.9 \r\nmarkup_pct\r\n".encode("utf-8"))
    submitted = read_submission(path)
    assert submitted.index.tolist() == ["Intercept", "markup_pct"]
    assert submitted["Intercept"] == -3.9 and np.isnan(submitted["markup_pct"])


def test_check_command_names_a_malformed_file_and_line(small_key, tmp_path):
    good = tmp_path / "s001.csv"
    good.write_text("term,estimate\nIntercept,-3.9\nmarkup_pct,0.021\n", encoding="utf-8")
    bad = tmp_path / "s002.csv"
    bad.write_text("term,estimate\nIntercept,-3.9,1\n", encoding="utf-8")
    command = [sys.executable, "-m", "smecredit.classroom", "check", "--key", str(small_key)]
    result = subprocess.run([*command, str(good), str(bad)], capture_output=True, text=True)
    assert result.returncode == 1
    assert f"{bad}: cannot check: line 2: 3 fields where the header (line 1) has 2" in result.stderr
    assert "Error tokenizing" not in result.stderr
    assert [line.split() for line in result.stdout.splitlines()[1:]] == [["s001", "2", "2", "pass"],
                                                                        ["s002", "<NA>", "<NA>", "error"]]
    # a file whose name is not a student in the key: the message says where the id came from
    stranger = tmp_path / "s009.csv"
    stranger.write_text(good.read_text(encoding="utf-8"), encoding="utf-8")
    result = subprocess.run([*command, str(stranger)], capture_output=True, text=True)
    assert (f"{stranger}: cannot check: student 's009' is not in the answer key (the student id is taken from "
            "the file name, s009.csv; or give --student)") in result.stderr


def test_a_malformed_or_missing_answer_key_is_named(small_key, tmp_path):
    broken = tmp_path / "key.csv"
    broken.write_text(small_key.read_text(encoding="utf-8") + "s001,1,100,x,0,0,0,True,extra\n", encoding="utf-8")
    where = re.escape(str(broken))
    with pytest.raises(ValueError, match=rf"^{where}: line 4: 9 fields where the header \(line 1\) has 8"):
        read_answer_key(broken)
    with pytest.raises(FileNotFoundError, match=r"nokey\.csv: no such file: the answer key does not exist"):
        read_answer_key(tmp_path / "nokey.csv")
    result = subprocess.run([sys.executable, "-m", "smecredit.classroom", "check", "--key", str(broken),
                             str(tmp_path / "s001.csv")], capture_output=True, text=True)
    assert result.returncode == 2
    assert f"{broken}: line 4: 9 fields" in result.stderr
