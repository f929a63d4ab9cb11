"""Plain labels for tables, figures, explorers and sentences (smecredit.labels)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from smecredit import load_loans
from smecredit.labels import (COLUMNS, LEVELS, column_label, column_noun, level_label, percent, readable,
                              term_for_label, term_label)
from smecredit.exploration import default_rate_table
from smecredit.schema import LOAN_COLUMNS


@pytest.mark.parametrize("term,label", [
    ("guarantee_method[T.joint_mutual]", "Guarantee method: joint/mutual guarantee"),
    ("repayment_method[T.equal_instalment]", "Repayment method: equal instalments"),
    ("internal_rating[T.BB]", "Internal rating: BB"),
    ("C(origination_year)[T.2015]", "Vintage: 2015"),
    ("I(markup_pct / 10)", "Markup over the benchmark (per 10 percentage points)"),
    ("I(shareholder_holding_years / 5)", "Controlling shareholder's holding time (per 5 years)"),
    ("I(registered_capital_10k / 100)", "Registered capital (per 1,000,000 yuan)"),
    ("markup_pct", "Markup over the benchmark (%)"),
    ("Intercept", "Intercept"),
    ("checking_account[T.no_account]", "Checking account: no account"),  # a public data set's column, tidied
])
def test_term_label(term, label):
    assert term_label(term) == label


def test_term_label_in_a_sentence_starts_in_lower_case_but_keeps_acronyms():
    assert term_label("internal_rating[T.A]", in_sentence=True) == "internal rating: A"
    assert term_label("NPL", in_sentence=True) == "NPL"


def test_term_for_label_finds_the_parameter_or_says_which_labels_exist():
    terms = ["Intercept", "guarantee_method[T.credit]", "markup_pct"]
    assert term_for_label("Guarantee method: credit (unsecured)", terms) == "guarantee_method[T.credit]"
    assert term_for_label("markup_pct", terms) == "markup_pct"
    with pytest.raises(KeyError, match="Markup over the benchmark"):
        term_for_label("the markup", terms)


def test_every_level_label_names_a_level_of_the_schema():
    schema_levels = {c.name: set(c.levels) for c in LOAN_COLUMNS if c.levels}
    for column, labels in LEVELS.items():
        assert set(labels) == schema_levels[column], column


def test_every_labelled_column_is_in_the_schema():
    schema_columns = {c.name for c in LOAN_COLUMNS}
    assert set(COLUMNS) <= schema_columns


def test_column_labels_and_nouns():
    assert column_label("C(origination_year)") == "Vintage"
    assert column_label("loan_amount_10k") == "Loan amount (10k yuan)"
    assert column_label("loan_amount_10k", unit=False) == "Loan amount"
    assert column_noun("I(owner_age_years / 10)") == "the owner's age"
    assert column_noun("purpose") == "the purpose"
    assert level_label("guarantee_method", "credit") == "Credit (unsecured)"
    assert level_label("internal_rating", "BBB") == "BBB"


def test_percent():
    assert percent(0.072799) == "7.3%"
    assert percent(0.072799, 2) == "7.28%"
    assert percent(float("nan")) == ""


def test_readable_labels_a_default_rate_table_and_keeps_the_numbers_in_the_original():
    loans = load_loans()
    table = default_rate_table(loans, "guarantee_method")
    shown = readable(table)
    assert shown.index.name == "Guarantee method"
    assert list(shown.index)[-1] == "Joint/mutual guarantee"
    assert list(shown.columns) == ["Loans", "Defaults", "Default rate", "95% interval, low", "95% interval, high"]
    assert shown.loc["Joint/mutual guarantee", "Default rate"] == percent(table.loc["joint_mutual", "rate"])
    assert table["rate"].dtype == float  # the original is untouched


def test_readable_labels_model_terms_rounds_and_takes_a_chapters_names():
    table = pd.DataFrame({"coef": [0.123456, -1.0], "share": [0.5, 0.25]},
                         index=["guarantee_method[T.credit]", "I(markup_pct / 10)"])
    shown = readable(table, percent_columns=["share"], names={"share": "Share"})
    assert list(shown.index) == ["Guarantee method: credit (unsecured)",
                                 "Markup over the benchmark (per 10 percentage points)"]
    assert list(shown.columns) == ["Coefficient", "Share"]
    assert shown.iloc[0, 0] == 0.123 and list(shown["Share"]) == ["50.0%", "25.0%"]
    with pytest.raises(KeyError, match="no column 'nothing'"):
        readable(table, percent_columns=["nothing"])
    assert np.isclose(table.iloc[0, 0], 0.123456)


def test_readable_keeps_a_coefficients_interval_on_the_coefficients_scale():
    # compare_with_truth gives ci_low/ci_high in log-odds: not shares, so not percentages
    table = pd.DataFrame({"estimate": [0.0378], "ci_low": [-0.419], "ci_high": [0.0448]}, index=["markup_pct"])
    shown = readable(table)
    assert shown.iloc[0, 1] == -0.419 and shown.iloc[0, 2] == 0.045
    rates = pd.DataFrame({"rate": [0.05], "ci_low": [0.04], "ci_high": [0.06]}, index=["all"])
    assert list(readable(rates).iloc[0]) == ["5.0%", "4.0%", "6.0%"]


def test_readable_shows_missing_values_blank_not_nan():
    table = pd.DataFrame({"growth": [np.nan, 0.125, 2.0], "passes": [np.nan, True, False],
                          "rate": [0.05, np.nan, 0.04]}, index=[2016, 2017, 2018])
    shown = readable(table, percent_columns=["rate"])
    assert list(shown.iloc[0]) == ["", "", "5.0%"]
    assert list(shown["growth"]) == ["", "0.125", "2"] and list(shown["passes"]) == ["", True, False]
    assert "NaN" not in shown.to_html()
