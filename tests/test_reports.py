"""Report helpers against values computed by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf

from smecredit.reports import compare_with_truth, default_rate_table, odds_ratio_table


@pytest.fixture(scope="module")
def two_by_two():
    # 2x2 table: exposed 30 bad / 70 good, unexposed 10 bad / 90 good.
    # The logit's odds ratio equals the table's cross-product ratio (30*90)/(70*10) = 27/7,
    # and its standard error sqrt(1/30 + 1/70 + 1/10 + 1/90).
    rows = [(1, 1)] * 30 + [(1, 0)] * 70 + [(0, 1)] * 10 + [(0, 0)] * 90
    data = pd.DataFrame(rows, columns=["exposed", "bad"])
    return smf.logit("bad ~ exposed", data=data).fit(disp=0)


def test_odds_ratio_table_matches_the_cross_product_ratio(two_by_two):
    table = odds_ratio_table(two_by_two)
    assert table.loc["exposed", "odds_ratio"] == pytest.approx(27 / 7, rel=1e-6)
    se = np.sqrt(1 / 30 + 1 / 70 + 1 / 10 + 1 / 90)
    assert table.loc["exposed", "std_err"] == pytest.approx(se, rel=1e-5)
    assert table.loc["exposed", "or_low"] == pytest.approx(np.exp(np.log(27 / 7) - 1.959964 * se), rel=1e-5)
    assert table.loc["exposed", "or_high"] == pytest.approx(np.exp(np.log(27 / 7) + 1.959964 * se), rel=1e-5)
    assert table.loc["Intercept", "odds_ratio"] == pytest.approx(10 / 90, rel=1e-6)


def test_odds_ratio_table_rejects_a_bad_alpha(two_by_two):
    with pytest.raises(ValueError, match="alpha"):
        odds_ratio_table(two_by_two, alpha=1.5)


def test_compare_with_truth(two_by_two):
    truth = pd.Series({"exposed": np.log(27 / 7) + 0.1, "Intercept": 5.0, "not_in_model": 1.0})
    table = compare_with_truth(two_by_two, truth)
    assert list(table.index) == ["Intercept", "exposed"]
    assert table.loc["exposed", "covered"]
    assert not table.loc["Intercept", "covered"]
    assert table.loc["exposed", "error_in_se"] == pytest.approx(-0.1 / table.loc["exposed", "std_err"])
    with pytest.raises(ValueError, match="no parameter"):
        compare_with_truth(two_by_two, pd.Series({"other": 1.0}))


def test_default_rate_table_wilson_interval():
    data = pd.DataFrame({"group": ["a"] * 100 + ["b"] * 20, "default_12m": [1] * 5 + [0] * 95 + [0] * 20})
    table = default_rate_table(data, "group")
    assert table.loc["a", "loans"] == 100 and table.loc["a", "defaults"] == 5
    assert table.loc["a", "rate"] == pytest.approx(0.05)
    # Wilson 95% interval for 5/100, computed by hand from the closed form.
    assert table.loc["a", "ci_low"] == pytest.approx(0.021543, abs=1e-6)
    assert table.loc["a", "ci_high"] == pytest.approx(0.111750, abs=1e-6)
    assert table.loc["b", "ci_low"] == 0.0


def test_default_rate_table_errors():
    data = pd.DataFrame({"group": ["a", "b"], "default_12m": [0, 2]})
    with pytest.raises(ValueError, match="only 0 and 1"):
        default_rate_table(data, "group")
    with pytest.raises(KeyError, match="nothing"):
        default_rate_table(data, "nothing")
