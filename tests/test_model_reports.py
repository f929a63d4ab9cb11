"""Report helpers against values computed by hand."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf

from smecredit import true_coefficients, true_model
from smecredit.exploration import default_rate_table
from smecredit.model_reports import UnstableFitError, compare_with_truth, odds_ratio_table, unstable_parameters


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


# --- Unstable fits: separation and non-convergence are refused, or flagged on request ----------------

PLEDGE = "guarantee_method[T.pledge]"


def _quiet_fit(formula, data, **kwargs):
    """A logit fitted with its ConvergenceWarning / PerfectSeparationWarning silenced (the report must speak)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return smf.logit(formula, data=data).fit(disp=0, **kwargs)


@pytest.fixture(scope="module")
def no_pledge_defaults(loans):
    """The loan book with every pledge loan set to non-default: guarantee_method[T.pledge] is separated."""
    data = loans[["default_12m", "guarantee_method"]].copy()
    data.loc[data["guarantee_method"] == "pledge", "default_12m"] = 0
    return data, _quiet_fit("default_12m ~ guarantee_method", data)


def test_odds_ratio_table_refuses_a_separated_level_and_says_what_to_do(no_pledge_defaults):
    data, fit = no_pledge_defaults
    n_pledge = int((data["guarantee_method"] == "pledge").sum())
    assert not fit.mle_retvals["converged"]
    with pytest.raises(UnstableFitError) as caught:
        odds_ratio_table(fit)
    message = str(caught.value)
    assert message.startswith("odds_ratio_table: refusing to report an unstable fit (it did not converge")
    assert f"  {PLEDGE}: no defaults among the {n_pledge:,} loans where it is not 0" in message
    assert "quasi-complete separation" in message
    assert "merge the level with a neighbouring one, drop the level" in message
    assert "penalised logit" in message and "Firth" in message
    assert "allow_unstable=True" in message
    # only the pledge level is named: the other levels have defaults and finite estimates
    assert list(caught.value.parameters.index) == [PLEDGE]
    assert isinstance(caught.value, ValueError)


def test_odds_ratio_table_flags_the_separated_level_when_asked(no_pledge_defaults):
    data, fit = no_pledge_defaults
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow (or any other) warning may escape
        table = odds_ratio_table(fit, allow_unstable=True)
    assert table["unstable"].dtype == bool
    assert table.index[table["unstable"]].tolist() == [PLEDGE]
    assert table.loc[PLEDGE, ["z", "p_value", "odds_ratio", "or_low", "or_high"]].isna().all()
    assert table.loc[PLEDGE, "coef"] < -15 and table.loc[PLEDGE, "std_err"] > 1e3  # the evidence stays
    # the stable rows are the crude odds ratios of each level against mortgage, from the counts
    rates = data.groupby("guarantee_method", observed=True)["default_12m"].mean()
    odds = rates / (1 - rates)
    for level in ["guarantee", "credit", "guarantee_company", "joint_mutual"]:
        name = f"guarantee_method[T.{level}]"
        assert table.loc[name, "odds_ratio"] == pytest.approx(odds[level] / odds["mortgage"], rel=1e-6)
        assert table.loc[name, "or_low"] < table.loc[name, "odds_ratio"] < table.loc[name, "or_high"] < np.inf
    assert table.loc["Intercept", "odds_ratio"] == pytest.approx(odds["mortgage"], rel=1e-6)


def test_compare_with_truth_never_counts_an_exploded_interval_as_covering(no_pledge_defaults):
    _, fit = no_pledge_defaults
    truth = true_coefficients()
    # the raw interval is about -20 +/- 5,000: it "covers" the true 0.1, which is the bug
    low, high = fit.conf_int().loc[PLEDGE]
    assert low < truth[PLEDGE] < high
    with pytest.raises(UnstableFitError, match=r"compare_with_truth: refusing.*\n  guarantee_method\[T\.pledge\]: "):
        compare_with_truth(fit, truth)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        table = compare_with_truth(fit, truth, allow_unstable=True)
    assert table.index[table["unstable"]].tolist() == [PLEDGE]
    assert not table.loc[PLEDGE, "covered"]
    assert table.loc[PLEDGE, ["ci_low", "ci_high", "error_in_se"]].isna().all()
    assert table.loc[PLEDGE, "true"] == truth[PLEDGE]
    stable = table[~table["unstable"]]
    assert stable[["ci_low", "ci_high", "error_in_se"]].notna().all().all()
    expected = (stable["ci_low"] <= stable["true"]) & (stable["true"] <= stable["ci_high"])
    assert stable["covered"].equals(expected)


def test_a_reference_level_without_defaults_is_refused_even_if_the_optimiser_says_converged(loans):
    data = loans[["default_12m", "guarantee_method", "markup_pct"]].copy()
    data.loc[data["guarantee_method"] == "mortgage", "default_12m"] = 0  # mortgage is the reference level
    # L-BFGS stops early on the flat likelihood (on this book BFGS runs on until the standard errors pass
    # 1,000, which the standard-error rule would catch): it says it converged, with modest standard errors
    fit = _quiet_fit("default_12m ~ guarantee_method + markup_pct", data, method="lbfgs", maxiter=200)
    assert fit.mle_retvals["converged"] and fit.bse.max() < 1e2  # nothing else gives it away
    flagged = unstable_parameters(fit)
    assert list(flagged.index) == ["Intercept", *[n for n in fit.params.index if n.startswith("guarantee_method")]]
    n_mortgage = int((data["guarantee_method"] == "mortgage").sum())
    assert flagged["Intercept"].startswith(f"no defaults among the {n_mortgage:,} loans of the reference level "
                                           "of guarantee_method")
    with pytest.raises(ValueError, match="reference level of guarantee_method"):
        odds_ratio_table(fit)


def test_a_level_with_only_defaults_and_complete_separation_are_refused():
    # chapter 7's tiny example: every joint/mutual loan defaulted
    tiny = pd.DataFrame({"default_12m": [0, 0, 0, 0, 1, 0, 1, 1, 1, 1],
                         "guarantee_method": pd.Categorical(["mortgage"] * 6 + ["joint_mutual"] * 4,
                                                            categories=["mortgage", "joint_mutual"])})
    flagged = unstable_parameters(_quiet_fit("default_12m ~ guarantee_method", tiny))
    assert list(flagged.index) == ["guarantee_method[T.joint_mutual]"]
    assert flagged.iloc[0].startswith("only defaults among the 4 loans where it is not 0")
    # a continuous x that splits defaults from non-defaults exactly: every estimate runs away
    split = pd.DataFrame({"x": np.arange(20.0), "y": (np.arange(20) >= 10).astype(int)})
    fit = _quiet_fit("y ~ x", split)
    assert list(unstable_parameters(fit).index) == ["Intercept", "x"]
    with pytest.raises(UnstableFitError, match="x: .*standard error"):
        odds_ratio_table(fit)


def test_a_fit_that_did_not_converge_is_refused_whole():
    rows = [(1, 1)] * 30 + [(1, 0)] * 70 + [(0, 1)] * 10 + [(0, 0)] * 90
    data = pd.DataFrame(rows, columns=["exposed", "bad"])
    fit = _quiet_fit("bad ~ exposed", data, maxiter=1)  # stopped after one Newton step
    assert not fit.mle_retvals["converged"]
    flagged = unstable_parameters(fit)
    assert flagged.to_dict() == {"Intercept": "the fit did not converge", "exposed": "the fit did not converge"}
    with pytest.raises(UnstableFitError, match=r"did not converge: result\.mle_retvals\['converged'\] is False"):
        compare_with_truth(fit, pd.Series({"exposed": 1.0}))
    table = odds_ratio_table(fit, allow_unstable=True)
    assert table["unstable"].all() and table["or_low"].isna().all()


def test_a_stable_fit_gets_the_same_table_with_or_without_allow_unstable(two_by_two):
    assert unstable_parameters(two_by_two).empty
    plain = odds_ratio_table(two_by_two)
    assert "unstable" not in plain.columns
    flagged = odds_ratio_table(two_by_two, allow_unstable=True)
    assert not flagged["unstable"].any()
    pd.testing.assert_frame_equal(flagged.drop(columns="unstable"), plain)
    truth = pd.Series({"exposed": np.log(27 / 7)})
    assert compare_with_truth(two_by_two, truth, allow_unstable=True).loc["exposed", "covered"]


def test_the_books_full_model_on_the_shipped_data_is_not_refused(loans):
    fit = smf.logit(true_model().formula, data=loans).fit(disp=0)
    assert unstable_parameters(fit).empty
    table = odds_ratio_table(fit)
    assert np.isfinite(table[["or_low", "or_high"]].to_numpy()).all()
    comparison = compare_with_truth(fit, true_coefficients())
    assert len(comparison) == len(true_coefficients())
