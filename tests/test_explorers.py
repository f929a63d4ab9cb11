"""The explorers' update functions, at known settings, with known values."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from scipy.special import expit

from smecredit.explorers import (CoefficientExplorer, _auc_and_roc, borrower_pd, borrower_widget,
                                 coefficient_widget, cutoff_outcome, cutoff_widget, fit_logit_newton, mulberry32,
                                 pack_columns, sampling_experiment, sampling_widget, unpack_columns)


@pytest.fixture(scope="module")
def small_fit():
    rng = np.random.default_rng(5)
    n = 400
    data = pd.DataFrame({"x": rng.normal(size=n), "g": pd.Categorical(rng.choice(["a", "b", "c"], n),
                                                                       categories=["a", "b", "c"])})
    eta = -1.0 + 0.8 * data["x"] + np.where(data["g"] == "b", 0.5, 0.0) + np.where(data["g"] == "c", -0.7, 0.0)
    data["y"] = (rng.random(n) < expit(eta)).astype(int)
    fit = smf.logit("y ~ x + g", data=data).fit(disp=0)
    truth = pd.Series({"Intercept": -1.0, "g[T.b]": 0.5, "g[T.c]": -0.7, "x": 0.8})
    return data, fit, truth


def test_auc_hand_case():
    auc, fpr, tpr = _auc_and_roc(np.array([0, 0, 1, 1.0]), np.array([0.1, 0.4, 0.35, 0.8]))
    assert auc == pytest.approx(0.75)
    assert fpr[0] == tpr[0] == 0 and fpr[-1] == tpr[-1] == 1
    assert _auc_and_roc(np.array([0, 1.0]), np.array([0.5, 0.5]))[0] == pytest.approx(0.5)  # a tie counts one half


def test_coefficient_explorer_at_the_estimate(small_fit):
    data, fit, truth = small_fit
    explorer = CoefficientExplorer(fit, truth)
    state = explorer.update(explorer.estimate, "x")
    assert state.loglik == pytest.approx(fit.llf, rel=1e-9)
    assert state.loglik_max == fit.llf
    np.testing.assert_allclose(state.pd, fit.predict(data))
    # partial dependence at the first grid value, by hand
    b = fit.params
    base = b["Intercept"] + np.select([data["g"] == "b", data["g"] == "c"], [b["g[T.b]"], b["g[T.c]"]], 0.0)
    assert state.effect_pd[0] == pytest.approx(expit(base + b["x"] * state.effect_x[0]).mean())
    categorical = explorer.update(explorer.estimate, "g")
    assert categorical.effect_pd[0] == pytest.approx(expit(b["Intercept"] + b["x"] * data["x"]).mean())
    assert len(categorical.effect_pd) == 3


def test_the_fit_panel_states_the_log_likelihood_lost(small_fit):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from smecredit.explorers import draw_coefficient_state

    data, fit, truth = small_fit
    explorer = CoefficientExplorer(fit, truth)
    at_estimate = draw_coefficient_state(explorer, explorer.update(explorer.estimate, "x"), "x")
    assert [t.get_text() for t in at_estimate.axes[0].texts] == ["  0.0 (at the maximum)"]
    state = explorer.update(explorer.estimate + 0.5, "x")
    away = draw_coefficient_state(explorer, state, "x")
    assert [t.get_text() for t in away.axes[0].texts] == [f"  {state.loglik_max - state.loglik:,.1f}"]
    plt.close("all")


def test_coefficient_explorer_moves_away_from_the_maximum(small_fit):
    _, fit, truth = small_fit
    explorer = CoefficientExplorer(fit, truth)
    moved = explorer.update(explorer.estimate + 0.5, "x")
    assert moved.loglik < fit.llf
    flipped = explorer.update(explorer.estimate * np.array([1, 1, 1, -1]), "x")
    assert flipped.auc < 0.5  # the slope of x reversed: the ranking turns upside down


def test_coefficient_explorer_survives_extreme_coefficients(small_fit):
    _, fit, truth = small_fit
    explorer = CoefficientExplorer(fit, truth)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        state = explorer.update(np.array([500.0, -500.0, 500.0, 500.0]), "g")
    assert np.isfinite(state.loglik) and 0 <= state.auc <= 1
    assert state.pd.min() >= 0 and state.pd.max() <= 1


def test_coefficient_explorer_errors(small_fit):
    _, fit, truth = small_fit
    explorer = CoefficientExplorer(fit, truth)
    with pytest.raises(ValueError, match="expected 4 coefficients"):
        explorer.update([0.0, 1.0], "x")
    with pytest.raises(ValueError, match="unknown factor"):
        explorer.update(explorer.estimate, "z")


def test_borrower_pd(small_fit):
    data, fit, _ = small_fit
    reference = {"x": 0.0, "g": "a"}
    same = borrower_pd(fit, reference, reference)
    assert same.odds_ratio_vs_reference == pytest.approx(1.0)
    assert (same.contributions == 0).all()
    assert same.pd == pytest.approx(expit(fit.params["Intercept"]))
    other = borrower_pd(fit, {"x": 1.5, "g": "c"}, reference)
    expected_log_or = 1.5 * fit.params["x"] + fit.params["g[T.c]"]
    assert np.log(other.odds_ratio_vs_reference) == pytest.approx(expected_log_or)
    assert other.contributions.sum() == pytest.approx(expected_log_or)
    assert other.ci_low < other.pd < other.ci_high
    with pytest.raises(ValueError, match="every factor"):
        borrower_pd(fit, {"g": "c"}, reference)


def test_cutoff_outcome_by_hand():
    p = [0.05, 0.2, 0.5, 0.01]
    y = [0, 1, 1, 0]
    amount = [100, 200, 300, 400]
    rate = [5, 6, 7, 5]
    outcome = cutoff_outcome(p, y, amount, rate, cutoff=0.3, lgd=0.45, funding_cost_pct=3.0)
    assert outcome.approval_rate == 0.75
    assert outcome.bad_rate_approved == pytest.approx(1 / 3)
    assert outcome.expected_loss == pytest.approx(0.45 * (0.05 * 100 + 0.2 * 200 + 0.01 * 400))
    assert outcome.net_interest_income == pytest.approx((100 * 2 + 200 * 3 + 400 * 2) / 100)
    assert outcome.realised_loss == pytest.approx(0.45 * 200)
    assert outcome.confusion.to_numpy().tolist() == [[2, 1], [0, 1]]
    nothing = cutoff_outcome(p, y, amount, rate, cutoff=0.0)
    assert nothing.approval_rate == 0 and nothing.bad_rate_approved == 0 and nothing.expected_loss == 0
    everything = cutoff_outcome(p, y, amount, rate, cutoff=1.0)
    assert everything.approval_rate == 1 and everything.bad_rate_approved == 0.5
    per_loan = cutoff_outcome(p, y, amount, rate, cutoff=0.3, lgd=[0.2, 0.5, 0.9, 0.4])
    assert per_loan.expected_loss == pytest.approx(0.05 * 0.2 * 100 + 0.2 * 0.5 * 200 + 0.01 * 0.4 * 400)
    assert per_loan.realised_loss == pytest.approx(0.5 * 200)
    with pytest.raises(ValueError, match="between 0 and 1"):
        cutoff_outcome(p, y, amount, rate, cutoff=1.5)
    with pytest.raises(ValueError, match="between 0 and 1"):
        cutoff_outcome(p, y, amount, rate, cutoff=0.5, lgd=[0.2, 1.5, 0.1, 0.1])
    with pytest.raises(ValueError, match="same length"):
        cutoff_outcome(p, y[:3], amount, rate, cutoff=0.5)


def test_sampling_experiment(small_fit):
    _, fit, truth = small_fit
    a = sampling_experiment(fit, truth, "x", 0.8, sample_size=400, replications=30, seed=1)
    b = sampling_experiment(fit, truth, "x", 0.8, sample_size=400, replications=30, seed=1)
    np.testing.assert_array_equal(a.estimates, b.estimates)
    assert a.failed_fits == 0 and a.estimates.size == 30
    # unbiased within sampling error, and a strong effect is always detected at this size
    assert abs(a.estimates.mean() - 0.8) < 3 * a.estimates.std() / np.sqrt(30)
    assert a.power == 1.0
    assert 0.8 <= a.coverage <= 1.0
    null = sampling_experiment(fit, truth, "x", 0.0, sample_size=400, replications=30, seed=2)
    assert null.power <= 0.2
    with pytest.raises(ValueError, match="unknown term"):
        sampling_experiment(fit, truth, "nope", 0.0, 400)
    with pytest.raises(ValueError, match="at least 200"):
        sampling_experiment(fit, truth, "x", 0.0, 100)


def _design_from_spec(spec, columns):
    """Rebuild the design matrix the way static/README.md tells the browser to."""
    x = np.zeros((spec["n"], len(spec["names"])))
    if spec["intercept"] is not None:
        x[:, spec["intercept"]] = 1.0
    for term in spec["terms"]:
        values = columns[term["column"]]
        if term["kind"] == "continuous":
            x[:, term["design"]] = values
        else:
            for code, j in enumerate(term["design"], start=1):
                x[:, j] = values == code
    return x


def test_packed_columns_come_back_exactly_and_compactly():
    columns = {"codes": np.array([0, 3, 1], dtype=np.uint8), "tenths": np.array([12.3, -0.1, 3276.7]),
               "wide": np.array([1.5, 250000.25, 0.0]), "pd": np.array([0.1234567890123, 0.5, 1 / 3])}
    described, data = pack_columns(columns)
    assert [(d["name"], d["dtype"], d["scale"]) for d in described] == [
        ("codes", "uint8", 1), ("tenths", "int16", 10), ("wide", "int32", 100), ("pd", "float64", 1)]
    assert all(d["offset"] % 8 == 0 for d in described) and len(data) % 8 == 0
    back = unpack_columns(described, data)
    for name, values in columns.items():
        np.testing.assert_array_equal(back[name], values.astype(float))  # exact, not approximately
    with pytest.raises(ValueError, match=r"'tenths' has values that are not finite \(rows \[1\]\)"):
        pack_columns({"tenths": np.array([1.0, np.nan])})
    with pytest.raises(ValueError, match="different lengths"):
        pack_columns({"a": np.zeros(2), "b": np.zeros(3)})


def test_mulberry32_is_the_published_generator():
    def reference(seed, count):  # Tommy Ettinger's mulberry32, with Python integers
        draws, state = [], seed
        for _ in range(count):
            state = (state + 0x6D2B79F5) & 0xFFFFFFFF
            t = state
            t = ((t ^ (t >> 15)) * (t | 1)) & 0xFFFFFFFF
            t = (t ^ (t + ((t ^ (t >> 7)) * (t | 61)))) & 0xFFFFFFFF
            draws.append((t ^ (t >> 14)) / 2**32)
        return draws

    assert mulberry32(1, 1, 3).tolist() == pytest.approx([0.6270739405881613, 0.002735721180215478,
                                                           0.5274470399599522], abs=0)  # as JavaScript prints
    assert mulberry32(2**32 - 5, 1, 1000).tolist() == reference(2**32 - 5, 1000)
    assert mulberry32(7, 501, 3).tolist() == reference(7, 503)[500:]


def test_newton_fit_matches_statsmodels_and_refuses_separation(small_fit):
    import statsmodels.api as sm

    _, fit, _ = small_fit
    x, y = np.asarray(fit.model.exog), np.asarray(fit.model.endog)
    estimates, errors = fit_logit_newton(x, y)
    np.testing.assert_allclose(estimates, sm.Logit(y, x).fit(disp=0).params, rtol=1e-8)
    np.testing.assert_allclose(errors, fit.bse, rtol=1e-6)
    separated = np.column_stack([np.ones(6), [0, 1, 2, 3, 4, 5.0]])
    assert fit_logit_newton(separated, np.array([0, 0, 0, 1, 1, 1.0])) is None


def test_coefficient_widget_ships_the_design_exactly(small_fit):
    data, fit, truth = small_fit
    explorer = CoefficientExplorer(fit, truth)
    widget = coefficient_widget(explorer, factor="g")
    spec = widget.spec
    assert widget.kind == "coefficients" and spec["factor"] == "g" and spec["names"] == explorer.names
    columns = unpack_columns(spec["columns"], widget.data)
    np.testing.assert_array_equal(_design_from_spec(spec, columns), explorer.exog)
    np.testing.assert_array_equal(columns["y"], explorer.y)
    assert [t["kind"] for t in spec["terms"]] == ["categorical", "continuous"]
    assert spec["terms"][0]["levels"] == ["a (reference)", "b", "c"]
    assert all(lo <= t <= hi for lo, t, hi in zip(spec["low"], spec["truth"], spec["high"]))  # truth reachable
    assert spec["loglik_max"] == pytest.approx(fit.llf)
    with pytest.raises(ValueError, match="unknown factor"):
        coefficient_widget(explorer, factor="z")
    interaction = smf.logit("y ~ x * g", data=data).fit(disp=0)
    with pytest.raises(ValueError, match="main effects only"):
        coefficient_widget(CoefficientExplorer(interaction))


def test_borrower_widget_adds_up_to_the_reference_pd(small_fit):
    _, fit, _ = small_fit
    reference = {"x": 0.0, "g": "a"}
    widget = borrower_widget(fit, reference)
    spec = widget.spec
    controls = {c["name"]: c for c in spec["controls"]}
    assert controls["g"]["kind"] == "choice" and [o["value"] for o in controls["g"]["options"]] == ["a", "b", "c"]
    assert controls["x"]["kind"] == "number" and controls["x"]["low"] < 0 < controls["x"]["high"]
    # the browser's arithmetic, done here: borrower x = 1.5, g = c
    row = np.array(spec["reference_x"])
    for j, d in controls["x"]["delta"].items():
        row[int(j)] += 1.5 * d
    for j, d in next(o for o in controls["g"]["options"] if o["value"] == "c")["delta"].items():
        row[int(j)] += d
    b = np.array(spec["estimate"])
    cov = np.array(spec["cov"]).reshape(len(b), len(b))
    eta, se = row @ b, np.sqrt(row @ cov @ row)
    expected = borrower_pd(fit, {"x": 1.5, "g": "c"}, reference)
    assert expit(eta) == pytest.approx(expected.pd, rel=1e-12)
    assert expit(eta - spec["z"] * se) == pytest.approx(expected.ci_low, rel=1e-9)
    assert expit(eta + spec["z"] * se) == pytest.approx(expected.ci_high, rel=1e-9)
    with pytest.raises(ValueError, match="every factor"):
        borrower_widget(fit, {"g": "a"})


def test_cutoff_widget_opens_at_the_setting_of_its_static_twin(small_fit):
    data, fit, _ = small_fit
    p = fit.predict(data).to_numpy()
    lgd = np.where(data["g"] == "a", 0.3, 0.6)
    widget = cutoff_widget(p, data["y"], np.full(len(p), 100.0), np.full(len(p), 5.5), cutoff=0.2, lgd=lgd,
                           funding_cost_pct=3.5, lgd_groups=np.where(data["g"] == "a", "mortgage", "credit"))
    spec = widget.spec
    assert (spec["cutoff"], spec["lgd_mode"], spec["funding_cost_pct"]) == (0.2, "by guarantee", 3.5)
    assert spec["lgd_levels"] == [{"label": "mortgage", "value": 0.3}, {"label": "credit", "value": 0.6}]
    columns = unpack_columns(spec["columns"], widget.data)
    np.testing.assert_array_equal(columns["pd"], p)
    np.testing.assert_array_equal(np.array([0.3, 0.6])[columns["lgd_code"].astype(int)], lgd)
    assert len(spec["grid"]) == 40
    single = cutoff_widget(p, data["y"], np.full(len(p), 100.0), np.full(len(p), 5.5), lgd=0.45)
    assert (single.spec["lgd_mode"], single.spec["lgd"]) == ("single", 0.45)


def test_sampling_widget_starts_where_the_reference_run_does(small_fit):
    _, fit, truth = small_fit
    widget = sampling_widget(fit, truth, term="x", sample_size=500, replications=5, seed=3)
    spec = widget.spec
    assert (spec["term"], spec["true_value"], spec["sample_size"], spec["replications"], spec["seed"]) == (
        "x", 0.8, 500, 5, 3)
    np.testing.assert_array_equal(_design_from_spec(spec, unpack_columns(spec["columns"], widget.data)),
                                  np.asarray(fit.model.exog))
    with pytest.raises(ValueError, match="unknown term"):
        sampling_widget(fit, truth, term="nope")


def test_cutoff_confusion_counts_decisions_against_outcomes():
    p = np.array([0.01, 0.2, 0.05, 0.5, 0.9])
    y = np.array([0, 1, 1, 0, 1])
    at_10 = cutoff_outcome(p, y, np.ones(5), np.full(5, 6.0), 0.1, 0.45, 3.0)
    assert at_10.confusion.to_numpy().tolist() == [[1, 1], [1, 2]]  # approved: 0.01 (good), 0.05 (bad)
    assert list(at_10.confusion.index) == ["approved", "rejected"]
    everything = cutoff_outcome(p, y, np.ones(5), np.full(5, 6.0), 1.0, 0.45, 3.0)
    assert everything.confusion.to_numpy().tolist() == [[2, 3], [0, 0]]
