"""Features for the tree ensemble and the test of the average PD (smecredit.baselines)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from smecredit.baselines import TREE_COLUMNS, calibration_in_the_large, tree_features


def _book():
    levels = {
        "internal_rating": ["AA", "A", "BBB", "BB", "B"], "size_class": ["micro", "small", "medium"],
        "industry": ["manufacturing", "retail", "software_it"],
        "repayment_method": ["equal_instalment", "quarterly_interest_bullet"],
        "guarantee_method": ["mortgage", "credit", "joint_mutual"],
    }
    rows = {
        "internal_rating": ["B", "AA", "BBB"], "size_class": ["medium", "micro", "small"],
        "industry": ["retail", "retail", "manufacturing"],
        "repayment_method": ["equal_instalment"] * 3, "guarantee_method": ["credit", "mortgage", "credit"],
    }
    book = pd.DataFrame({c: pd.Categorical(v, categories=levels[c], ordered=c in ("internal_rating", "size_class"))
                         for c, v in rows.items()}, index=[10, 11, 12])
    for column in ["debt_ratio_pct", "markup_pct", "shareholder_holding_years", "owner_experience_years",
                   "owner_age_years", "firm_age_years", "registered_capital_10k"]:
        book[column] = [1, 2, 3]
    book["origination_year"] = [2014, 2016, 2018]
    return book


def test_ordered_factors_become_their_rank_and_the_rest_keep_every_level():
    features = tree_features(_book())
    assert list(features.columns) == TREE_COLUMNS
    assert features["internal_rating"].tolist() == [4, 0, 2]  # AA = 0 (best) ... B = 4
    assert features["size_class"].tolist() == [2, 0, 1]
    # a subset that lacks a level still knows it, so the codes agree between training and test loans
    assert list(features.loc[[10, 11], "industry"].cat.categories) == ["manufacturing", "retail", "software_it"]
    assert features["guarantee_method"].cat.codes.tolist() == [1, 0, 1]
    assert features["markup_pct"].dtype == float
    assert list(features.index) == [10, 11, 12]


def test_vintage_only_when_asked():
    assert "origination_year" not in tree_features(_book())
    assert tree_features(_book(), vintage=True)["origination_year"].tolist() == [2014.0, 2016.0, 2018.0]


def test_bad_input_is_refused():
    with pytest.raises(KeyError, match="markup_pct"):
        tree_features(_book().drop(columns="markup_pct"))
    plain = _book()
    plain["industry"] = plain["industry"].astype(str)
    with pytest.raises(TypeError, match="industry"):
        tree_features(plain)
    gap = _book()
    gap.loc[10, "internal_rating"] = np.nan
    with pytest.raises(TypeError, match="internal_rating"):
        tree_features(gap)


def test_calibration_in_the_large_by_hand():
    # four loans, PDs 0.1, 0.2, 0.3, 0.4: E = 1, V = 0.09 + 0.16 + 0.21 + 0.24 = 0.70; two defaults
    result = calibration_in_the_large([0, 1, 0, 1], [0.1, 0.2, 0.3, 0.4])
    assert result.observed == 2 and result.expected == pytest.approx(1.0)
    assert result.statistic == pytest.approx(1 / 0.70)
    assert result.df == 1
    assert result.pvalue == pytest.approx(stats.chi2.sf(1 / 0.70, 1))


def test_calibration_in_the_large_of_a_null_model_is_the_binomial_score_test():
    y = np.r_[np.ones(30), np.zeros(470)]
    result = calibration_in_the_large(y, np.full(500, 0.05))
    z = (30 - 25) / np.sqrt(500 * 0.05 * 0.95)
    assert result.statistic == pytest.approx(z**2)
    assert result.pvalue == pytest.approx(2 * stats.norm.sf(z))


def test_calibration_in_the_large_refuses_degenerate_pds():
    with pytest.raises(ValueError, match="no variance"):
        calibration_in_the_large([0, 1], [0.0, 1.0])
    with pytest.raises(ValueError):
        calibration_in_the_large([0, 1], [0.1, 1.2])
