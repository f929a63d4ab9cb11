"""Exploration helpers (chapter 4) against values computed by hand."""

from __future__ import annotations

from math import comb

import numpy as np
import pandas as pd
import pytest

from smecredit.exploration import (binned_default_rates, funnel_limits, funnel_table, vintage_curves,
                                   within_group_default_correlation)


def binomial_cdf(k: int, n: int, p: float) -> float:
    """P(X <= k) for X ~ binomial(n, p), summed term by term (independent of scipy)."""
    return sum(comb(n, j) * p**j * (1 - p) ** (n - j) for j in range(k + 1))


def binomial_quantile(q: float, n: int, p: float) -> int:
    """The smallest k with P(X <= k) >= q."""
    return next(k for k in range(n + 1) if binomial_cdf(k, n, p) >= q - 1e-12)


@pytest.fixture()
def ten_loans():
    # x = 1..10; loans at x = 1, 9 and 10 default.
    return pd.DataFrame({"x": np.arange(1.0, 11.0), "default_12m": [1, 0, 0, 0, 0, 0, 0, 0, 1, 1]})


def test_binned_default_rates_with_edges(ten_loans):
    table = binned_default_rates(ten_loans, "x", bins=[0, 5, 10])
    assert list(table["loans"]) == [5, 5]
    assert list(table["defaults"]) == [1, 2]
    assert table["rate"].tolist() == pytest.approx([0.2, 0.4])
    assert table["x_min"].tolist() == [1.0, 6.0]
    assert table["x_mean"].tolist() == pytest.approx([3.0, 8.0])
    assert table["x_max"].tolist() == [5.0, 10.0]
    assert table.index.name == "x"
    assert (table["ci_low"] < table["rate"]).all() and (table["rate"] < table["ci_high"]).all()


def test_binned_default_rates_with_quantiles_matches_the_edges(ten_loans):
    # Two equal-count bins of 1..10 split at the median 5.5: the same groups as edges 0, 5, 10.
    table = binned_default_rates(ten_loans, "x", bins=2)
    assert list(table["loans"]) == [5, 5] and list(table["defaults"]) == [1, 2]


def test_binned_default_rates_ties_merge_bins():
    data = pd.DataFrame({"x": [1.0] * 8 + [2.0, 3.0], "default_12m": [0] * 9 + [1]})
    table = binned_default_rates(data, "x", bins=5)
    assert table["loans"].sum() == 10 and len(table) < 5


def test_binned_default_rates_errors(ten_loans):
    with pytest.raises(ValueError, match="outside the bin edges"):
        binned_default_rates(ten_loans, "x", bins=[0, 5, 8])
    with pytest.raises(ValueError, match="missing"):
        binned_default_rates(ten_loans.assign(x=[np.nan] + list(range(9))), "x")
    with pytest.raises(ValueError, match="not numeric"):
        binned_default_rates(ten_loans.assign(x=list("abcdefghij")), "x")
    with pytest.raises(ValueError, match="at least 1"):
        binned_default_rates(ten_loans, "x", bins=0)
    with pytest.raises(KeyError):
        binned_default_rates(ten_loans, "nothing")


def test_funnel_limits_by_hand():
    # n = 20, p = 0.1: P(X <= 4) = 0.957 and P(X <= 5) = 0.989, so the upper 95% limit is 5/20;
    # P(X <= 6) = 0.9976 and P(X <= 7) = 0.9996, so the upper 99.8% limit is 7/20;
    # P(X = 0) = 0.9^20 = 0.122 > 0.025, so both lower limits are 0.
    table = funnel_limits(0.1, 20)
    row = table.loc[20]
    assert row["lower_95"] == 0.0 and row["lower_99.8"] == 0.0
    assert row["upper_95"] == pytest.approx(5 / 20)
    assert row["upper_99.8"] == pytest.approx(7 / 20)
    assert list(table.columns) == ["lower_95", "upper_95", "lower_99.8", "upper_99.8"]


@pytest.mark.parametrize("n", [1, 9, 100, 400, 1500])
def test_funnel_limits_are_binomial_quantiles(n):
    p = 0.054
    row = funnel_limits(p, [n]).loc[n]
    assert row["lower_95"] * n == pytest.approx(binomial_quantile(0.025, n, p))
    assert row["upper_95"] * n == pytest.approx(binomial_quantile(0.975, n, p))
    assert row["lower_99.8"] * n == pytest.approx(binomial_quantile(0.001, n, p))
    assert row["upper_99.8"] * n == pytest.approx(binomial_quantile(0.999, n, p))


def test_funnel_limits_narrow_as_units_grow():
    table = funnel_limits(0.05, [10, 100, 1000, 10000])
    width = table["upper_95"] - table["lower_95"]
    assert width.is_monotonic_decreasing


def test_funnel_limits_errors():
    with pytest.raises(ValueError, match="rate"):
        funnel_limits(0.0, 10)
    with pytest.raises(ValueError, match="at least 1"):
        funnel_limits(0.1, [0, 10])
    with pytest.raises(ValueError, match="levels"):
        funnel_limits(0.1, 10, levels=(1.2,))


def test_funnel_table_flags():
    # Unit a: 8 defaults in 20 loans; unit b: 12 in 180. Overall 20 / 200 = 0.1.
    # For a, the upper 99.8% limit is 7/20 (see above), so 8/20 is above both funnels.
    rows = ([("a", 1)] * 8 + [("a", 0)] * 12 + [("b", 1)] * 12 + [("b", 0)] * 168)
    data = pd.DataFrame(rows, columns=["unit", "default_12m"])
    table = funnel_table(data, "unit")
    assert table.loc["a", "above_95"] and table.loc["a", "above_99.8"]
    assert not table.loc["a", "below_95"]
    lower_b = binomial_quantile(0.025, 180, 0.1)
    upper_b = binomial_quantile(0.975, 180, 0.1)
    assert table.loc["b", "lower_95"] * 180 == pytest.approx(lower_b)
    assert table.loc["b", "upper_95"] * 180 == pytest.approx(upper_b)
    assert table.loc["b", "below_95"] == (12 < lower_b)
    assert not table.loc["b", "above_95"]
    # A benchmark rate given by hand replaces the overall rate.
    assert funnel_table(data, "unit", rate=0.5).loc["b", "below_99.8"]


def test_vintage_curves_by_hand():
    # Vintage 2014: four loans, defaults in months 2 and 5; vintage 2015: two loans, one default in month 12.
    data = pd.DataFrame({
        "origination_year": [2014] * 4 + [2015] * 2,
        "default_12m": [1, 1, 0, 0, 1, 0],
        "months_to_default": [2.0, 5.0, np.nan, np.nan, 12.0, np.nan],
    })
    curves = vintage_curves(data)
    assert curves.index.tolist() == list(range(1, 13)) and curves.index.name == "months_on_book"
    assert curves[2014].tolist() == pytest.approx([0, 0.25, 0.25, 0.25, 0.5] + [0.5] * 7)
    assert curves[2015].tolist() == pytest.approx([0.0] * 11 + [0.5])
    # The last month is each vintage's default rate.
    assert curves.iloc[-1].tolist() == pytest.approx(data.groupby("origination_year")["default_12m"].mean().tolist())


def test_vintage_curves_errors():
    data = pd.DataFrame({"origination_year": [2014, 2014], "default_12m": [1, 0], "months_to_default": [np.nan, np.nan]})
    with pytest.raises(ValueError, match="no months_to_default"):
        vintage_curves(data)
    with pytest.raises(ValueError, match="between 1 and 12"):
        vintage_curves(data.assign(months_to_default=[13.0, np.nan]))
    with pytest.raises(KeyError):
        vintage_curves(data, by="sub_branch")


def test_vintage_curves_on_the_loan_book(loans):
    curves = vintage_curves(loans)
    assert curves.index[-1] == 12
    assert curves.iloc[-1].to_numpy() == pytest.approx(
        loans.groupby("origination_year")["default_12m"].mean().to_numpy())
    assert (curves.diff().dropna() >= 0).all().all()


@pytest.fixture()
def two_circles():
    # Circle G1: borrowers a1 and a2, each with two loans (defaulted, then not); circle G2: b1, b2 and b3,
    # one loan each, all defaulted. Two loans outside any circle ("" and missing) default too.
    return pd.DataFrame({
        "guarantee_circle": ["G1", "G1", "G1", "G1", "G2", "G2", "G2", "", None],
        "borrower_id": ["a1", "a1", "a2", "a2", "b1", "b2", "b3", "c1", "c2"],
        "default_12m": [1, 0, 1, 0, 1, 1, 1, 1, 1],
    })


def test_within_group_default_correlation_by_hand(two_circles):
    # The 7 loans in circles hold 5 defaults: p = 5/7. Pairs of loans of different borrowers: 2 x 2 = 4
    # in G1 (a1's two loans are not a pair), one of them both defaulted; 3 in G2, all both defaulted.
    # So 4 of the 7 pairs both defaulted: rho = (4/7 - (5/7)^2) / (5/7 x 2/7) = (28 - 25) / 10 = 0.3.
    assert within_group_default_correlation(two_circles) == pytest.approx(0.3)
    # Every loan here has two partners, so this is also Pearson's correlation over the list of pairs.
    x = two_circles["default_12m"].to_numpy()
    pairs = [(i, j) for i in range(7) for j in range(7) if i != j
             and two_circles["guarantee_circle"][i] == two_circles["guarantee_circle"][j]
             and two_circles["borrower_id"][i] != two_circles["borrower_id"][j]]
    first, second = np.array(pairs).T
    assert np.corrcoef(x[first], x[second])[0, 1] == pytest.approx(0.3)
    # Loans outside circles change nothing, whatever their outcome.
    assert within_group_default_correlation(two_circles.assign(
        default_12m=[1, 0, 1, 0, 1, 1, 1, 0, 0])) == pytest.approx(0.3)


def test_within_group_default_correlation_is_negative_when_groups_split_defaults():
    # Two circles of two borrowers, one default in each: in every pair exactly one loan defaulted.
    data = pd.DataFrame({"group": ["x", "x", "y", "y"], "firm": ["f1", "f2", "f3", "f4"], "bad": [1, 0, 0, 1]})
    assert within_group_default_correlation(data, group="group", unit="firm", outcome="bad") == pytest.approx(-1.0)


def test_within_group_default_correlation_errors(two_circles):
    with pytest.raises(KeyError, match="guarantee_circle"):
        within_group_default_correlation(two_circles.drop(columns="guarantee_circle"))
    with pytest.raises(KeyError, match="firm"):
        within_group_default_correlation(two_circles, unit="firm")
    with pytest.raises(ValueError, match="only 0 and 1"):
        within_group_default_correlation(two_circles.assign(default_12m=[2, 0, 1, 0, 1, 1, 1, 1, 1]))
    with pytest.raises(ValueError, match="no pairs"):
        within_group_default_correlation(two_circles.assign(borrower_id="a1"))
    with pytest.raises(ValueError, match="undefined"):
        within_group_default_correlation(two_circles.assign(default_12m=1))
