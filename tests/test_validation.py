"""Validation helpers (AUC, Gini, KS, ROC, calibration, Hosmer-Lemeshow, confusion matrix) against hand-computed values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from smecredit.validation import (auc, calibration_table, confusion_matrix, gini,
    hosmer_lemeshow, ks_statistic, roc_curve)

# Four loans worked by hand: two non-defaulters (scores 0.1, 0.4), two defaulters (0.35, 0.8).
# Of the 2 x 2 (defaulter, non-defaulter) pairs the defaulter scores higher in 3: AUC = 3/4.
# ROC points (flag score >= cutoff): cutoff 0.8 -> (fpr 0, tpr 1/2), 0.4 -> (1/2, 1/2),
# 0.35 -> (1/2, 1), 0.1 -> (1, 1); the largest gap tpr - fpr is 1/2 = KS.
Y = [0, 0, 1, 1]
S = [0.1, 0.4, 0.35, 0.8]


def test_hand_case_auc_gini_ks():
    assert auc(Y, S) == pytest.approx(0.75)
    assert gini(Y, S) == pytest.approx(0.5)
    assert ks_statistic(Y, S) == pytest.approx(0.5)


def test_hand_case_roc_points():
    curve = roc_curve(Y, S)
    assert curve["cutoff"].tolist() == [np.inf, 0.8, 0.4, 0.35, 0.1]
    assert curve["fpr"].tolist() == [0, 0, 0.5, 0.5, 1]
    assert curve["tpr"].tolist() == [0, 0.5, 0.5, 1, 1]
    # the trapezoid area under the ROC points is the AUC
    assert np.trapezoid(curve["tpr"], curve["fpr"]) == pytest.approx(0.75)


def test_ties_count_one_half():
    # defaulter 0.5 ties non-defaulter 0.5 (1/2), beats 0.2 (1); defaulter 0.9 beats both: (1 + 1/2 + 2) / 4
    assert auc([0, 0, 1, 1], [0.2, 0.5, 0.5, 0.9]) == pytest.approx(0.875)
    assert ks_statistic([0, 0, 1, 1], [0.2, 0.5, 0.5, 0.9]) == pytest.approx(0.5)
    # all scores tied: no discrimination, and one ROC step from (0, 0) to (1, 1)
    assert auc([0, 1, 0, 1], [0.3] * 4) == pytest.approx(0.5)
    assert ks_statistic([0, 1, 0, 1], [0.3] * 4) == pytest.approx(0.0)
    assert len(roc_curve([0, 1, 0, 1], [0.3] * 4)) == 2


def test_a_perfect_and_a_reversed_score():
    assert auc([0, 0, 1], [0.1, 0.2, 0.3]) == 1.0
    assert gini([0, 0, 1], [0.3, 0.2, 0.1]) == -1.0
    assert ks_statistic([0, 0, 1], [0.3, 0.2, 0.1]) == 1.0


def test_agrees_with_scipy_on_random_scores_with_ties():
    rng = np.random.default_rng(1)
    y = rng.random(500) < 0.2
    score = np.round(rng.normal(size=500) + 0.8 * y, 1)  # rounding makes many ties
    x1, x0 = score[y], score[~y]
    u = stats.mannwhitneyu(x1, x0).statistic
    assert auc(y.astype(int), score) == pytest.approx(u / (x1.size * x0.size))
    assert ks_statistic(y.astype(int), score) == pytest.approx(stats.ks_2samp(x1, x0).statistic)


@pytest.mark.parametrize("func", [auc, gini, ks_statistic, roc_curve])
def test_one_class_is_an_error(func):
    with pytest.raises(ValueError, match="all one class"):
        func([0, 0, 0], [0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match="all one class"):
        func([1, 1], [0.1, 0.2])


@pytest.mark.parametrize("y,score,message", [
    ([0, 1], [0.1], "differ in length"),
    ([0, 2], [0.1, 0.2], "0 \\(no default\\) or 1"),
    ([0, 1], [0.1, np.nan], "missing"),
    ([], [], "no observations"),
])
def test_bad_input_is_an_error(y, score, message):
    with pytest.raises(ValueError, match=message):
        auc(y, score)


# Six loans in three groups of two, worked by hand:
#   PDs 0.1, 0.1 with 1 default: E = 0.2, variance 0.2 (1 - 0.1) = 0.18, (1 - 0.2)^2 / 0.18 = 32/9
#   PDs 0.5, 0.5 with 1 default: E = 1.0, O - E = 0
#   PDs 0.9, 0.9 with 2 defaults: E = 1.8, variance 1.8 (1 - 0.9) = 0.18, 0.2^2 / 0.18 = 2/9
# H = 34/9 with 3 - 2 = 1 degree of freedom.
Y6 = [0, 1, 0, 1, 1, 1]
P6 = [0.1, 0.1, 0.5, 0.5, 0.9, 0.9]


def test_calibration_table_by_hand():
    table = calibration_table(Y6, P6, n_groups=3)
    assert table.index.tolist() == [1, 2, 3]
    assert table["n"].tolist() == [2, 2, 2]
    assert table["defaults"].tolist() == [1, 1, 2]
    assert table["mean_pd"].tolist() == pytest.approx([0.1, 0.5, 0.9])
    assert table["expected"].tolist() == pytest.approx([0.2, 1.0, 1.8])
    assert table["observed_rate"].tolist() == pytest.approx([0.5, 0.5, 1.0])


def test_calibration_groups_follow_the_pd_order_not_the_row_order():
    table = calibration_table([1, 0, 0, 1], [0.9, 0.1, 0.2, 0.8], n_groups=2)
    assert table["mean_pd"].tolist() == pytest.approx([0.15, 0.85])
    assert table["defaults"].tolist() == [0, 2]


def test_hosmer_lemeshow_by_hand():
    result = hosmer_lemeshow(Y6, P6, n_groups=3, fitted_on_these_loans=True)
    assert result.statistic == pytest.approx(34 / 9)
    assert result.df == 1
    assert result.pvalue == pytest.approx(stats.chi2.sf(34 / 9, 1))  # statsmodels' name
    assert result._fields == ("statistic", "df", "pvalue")
    statistic, df, pvalue = result  # also unpacks as a tuple, in that order
    assert (statistic, df, pvalue) == (result.statistic, 1, result.pvalue)


def test_hosmer_lemeshow_on_loans_the_model_never_saw_has_g_degrees_of_freedom():
    held_out = hosmer_lemeshow(Y6, P6, n_groups=3, fitted_on_these_loans=False)
    assert held_out.statistic == pytest.approx(34 / 9)
    assert held_out.df == 3
    assert held_out.pvalue == pytest.approx(stats.chi2.sf(34 / 9, 3))
    with pytest.raises(TypeError, match="fitted_on_these_loans"):
        hosmer_lemeshow(Y6, P6, n_groups=3)  # the caller must choose


def test_tied_pds_stay_together_whatever_the_row_order():
    rng = np.random.default_rng(5)
    pd_hat = np.r_[np.full(477, 0.05), rng.uniform(0.01, 0.2, 1523)]  # a block of 477 equal PDs
    y = (rng.random(pd_hat.size) < pd_hat).astype(int)
    results = set()
    for seed in range(5):
        order = np.random.default_rng(seed).permutation(pd_hat.size)
        with pytest.warns(UserWarning, match="tied predicted PDs kept together"):
            result = hosmer_lemeshow(y[order], pd_hat[order], n_groups=10, fitted_on_these_loans=False)
        results.add(round(result.statistic, 9))
    assert len(results) == 1  # one answer, not one per row order
    with pytest.warns(UserWarning):
        table = calibration_table(y, pd_hat, n_groups=10)
    tied = table[(table["pd_low"] <= 0.05) & (table["pd_high"] >= 0.05)]
    assert len(tied) == 1 and tied["n"].iloc[0] >= 477  # the whole block sits in one group


def test_ties_that_fill_whole_groups_leave_fewer_groups():
    with pytest.warns(UserWarning, match="2 groups"):
        table = calibration_table([0, 1, 0, 1, 0, 1], [0.1, 0.1, 0.1, 0.1, 0.1, 0.9], n_groups=3)
    assert table.index.tolist() == [1, 2] and table["n"].tolist() == [5, 1]


def test_hosmer_lemeshow_errors():
    with pytest.raises(ValueError, match="at least 3 groups"):
        hosmer_lemeshow(Y6, P6, n_groups=2, fitted_on_these_loans=True)
    with pytest.raises(ValueError, match="between 1 and the number of loans"):
        calibration_table(Y6, P6, n_groups=7)
    with pytest.raises(ValueError, match="between 0 and 1"):
        hosmer_lemeshow(Y6, [0.1, 0.1, 0.5, 0.5, 0.9, 1.2], n_groups=3, fitted_on_these_loans=True)
    with pytest.raises(ValueError, match="all 0 or all 1"):
        hosmer_lemeshow([0, 0, 0, 1, 1, 1], [0, 0, 0.5, 0.5, 1, 1], n_groups=3, fitted_on_these_loans=True)


def test_confusion_matrix_by_hand():
    at_04 = confusion_matrix(Y, S, cutoff=0.4)  # flags 0.4 and 0.8
    assert at_04.to_numpy().tolist() == [[1, 1], [1, 1]]
    at_035 = confusion_matrix(Y, S, cutoff=0.35)  # flags 0.4, 0.35 and 0.8
    assert at_035.to_numpy().tolist() == [[1, 1], [0, 2]]
    assert at_035.loc[1, 1] == 2 and at_035.index.name == "actual" and at_035.columns.name == "predicted"
    assert int(confusion_matrix(Y, S, cutoff=0.0).to_numpy().sum()) == 4


def test_confusion_matrix_accepts_one_class_but_not_a_missing_cutoff():
    assert confusion_matrix([0, 0], [0.1, 0.9], cutoff=0.5).to_numpy().tolist() == [[1, 1], [0, 0]]
    with pytest.raises(ValueError, match="cutoff"):
        confusion_matrix(Y, S, cutoff=float("nan"))


def test_works_with_pandas_input():
    y = pd.Series(Y, index=[10, 11, 12, 13])
    s = pd.Series(S, index=[3, 2, 1, 0])  # values are used in order, indexes are ignored
    assert auc(y, s) == pytest.approx(0.75)


def test_groups_a_loan_or_two_apart_do_not_warn():
    import warnings

    # 6,000 loans in deciles of 599 to 601: a tie of three PDs moves one loan across a cut
    pd_hat = np.r_[np.linspace(0.01, 0.2, 5997), [0.2, 0.2, 0.2]]
    pd_hat[598:601] = pd_hat[598]
    y = np.zeros(pd_hat.size, dtype=int)
    y[::25] = 1
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        table = calibration_table(y, pd_hat, n_groups=10)
    assert len(table) == 10 and table["n"].max() - table["n"].min() <= 3
