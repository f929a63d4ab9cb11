"""The book snapshot (smecredit.schedule.book_at) against balances worked out by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from smecredit.schedule import book_at


@pytest.fixture()
def small_book():
    # Nine loans; the snapshot date 2015-07-01 is 181 days (5 whole months of 30.44 days)
    # after 2015-01-01.
    rows = [
        # origination, term, amount, method, rate, default, months_to_default, ead
        ("2015-01-01", 12, 100.0, "quarterly_interest_bullet", 6.0, 0, np.nan, np.nan),   # performing, 100
        ("2015-01-01", 12, 120.0, "equal_principal", 6.0, 0, np.nan, np.nan),           # 120 x 7/12 = 70
        ("2015-01-01", 12, 100.0, "equal_instalment", 12.0, 0, np.nan, np.nan),         # annuity, 59.78
        ("2015-01-01", 12, 100.0, "custom_schedule", 6.0, 0, np.nan, np.nan),           # 100 x 19/24
        ("2015-01-01", 12, 100.0, "quarterly_interest_bullet", 6.0, 1, 4.0, 80.0),        # NPL since day 122
        ("2015-03-01", 12, 50.0, "quarterly_interest_bullet", 6.0, 1, 6.0, 45.0),         # defaults 2015-08-31
        ("2014-01-01", 6, 40.0, "quarterly_interest_bullet", 6.0, 0, np.nan, np.nan),     # repaid 2014-07-03
        ("2015-08-01", 12, 60.0, "quarterly_interest_bullet", 6.0, 0, np.nan, np.nan),    # not yet granted
        ("2014-01-01", 6, 35.0, "quarterly_interest_bullet", 6.0, 1, 5.0, 30.0),          # NPL past maturity
    ]
    columns = ["origination_date", "term_months", "loan_amount_10k", "repayment_method", "contract_rate_pct",
               "default_12m", "months_to_default", "ead_10k"]
    frame = pd.DataFrame(rows, columns=columns)
    frame["origination_date"] = pd.to_datetime(frame["origination_date"])
    return frame


def test_book_at_status_and_balances(small_book):
    snap = book_at(small_book, "2015-07-01")
    assert list(snap["status"]) == ["performing", "performing", "performing", "performing", "non_performing",
                                    "performing", "repaid", "not_yet_granted", "non_performing"]
    # Annuity balance after 5 of 12 payments at 1% a month: (1.01^12 - 1.01^5) / (1.01^12 - 1) = 0.59779.
    expected = [100.0, 70.0, 59.779, 100 * 19 / 24, 80.0, 50.0, 0.0, 0.0, 30.0]
    assert snap["balance_10k"].to_numpy() == pytest.approx(expected, abs=1e-3)
    assert snap.index.equals(small_book.index)


def test_book_at_on_the_day_of_origination_and_after_maturity(small_book):
    first = book_at(small_book, "2015-01-01")
    assert first.loc[0, "status"] == "performing" and first.loc[0, "balance_10k"] == 100.0
    assert first.loc[2, "balance_10k"] == pytest.approx(100.0)  # nothing repaid yet
    later = book_at(small_book, "2016-06-30")
    # Five loans have matured and left; the three defaults stay on the book at their EAD
    # (80 + 45 + 30); the loan of 2015-08-01 is still performing (60).
    assert later["status"].value_counts().to_dict() == {"repaid": 5, "non_performing": 3, "performing": 1}
    assert later.loc[later["status"] == "non_performing", "balance_10k"].sum() == pytest.approx(155.0)
    assert later.loc[7, "balance_10k"] == 60.0


def test_book_at_names_missing_columns(small_book):
    with pytest.raises(KeyError, match="ead_10k"):
        book_at(small_book.drop(columns="ead_10k"), "2015-07-01")


def test_share_outstanding_follows_each_schedule():
    from smecredit.schedule import share_outstanding

    methods = ["quarterly_interest_bullet", "equal_instalment", "equal_principal", "custom_schedule", "equal_instalment"]
    share = share_outstanding(methods, [6, 6, 6, 6, 6], [12, 12, 12, 12, 12], [6.0, 6.0, 6.0, 6.0, 0.0])
    r = 0.005  # 6% a year, monthly
    annuity = ((1 + r) ** 12 - (1 + r) ** 6) / ((1 + r) ** 12 - 1)
    assert share == pytest.approx([1.0, annuity, 0.5, 0.75, 0.5])
    assert annuity == pytest.approx(0.5075, abs=1e-4)  # an annuity repays less principal early on


def test_book_at_disposes_of_bad_loans_after_the_stated_months(small_book):
    # Loan 8 (granted 2014-01-01) turned non-performing after 5 months, on 2014-06-02 (152 days); loan 4
    # (2015-01-01) after 4 months, on 2015-05-03; loan 5 (2015-03-01) after 6 months, on 2015-08-31.
    snap = book_at(small_book, "2015-07-01", write_off_months=12)
    assert snap.loc[8, "status"] == "disposed" and snap.loc[8, "balance_10k"] == 0.0  # 13 months after
    assert snap.loc[4, "status"] == "non_performing" and snap.loc[4, "balance_10k"] == 80.0
    # The day it turns 12 months (365 days after 2015-05-03 is 2016-05-02) it is disposed of; the day before, not.
    assert book_at(small_book, "2016-05-01", write_off_months=12).loc[4, "status"] == "non_performing"
    assert book_at(small_book, "2016-05-02", write_off_months=12).loc[4, "status"] == "disposed"
    # Nothing else changes: the rule touches only loans that went bad.
    kept = book_at(small_book, "2015-07-01")
    assert (snap["status"] == kept["status"]).drop(index=8).all()
    with pytest.raises(ValueError, match="write_off_months"):
        book_at(small_book, "2015-07-01", write_off_months=-1)
