"""The explorers' update functions, at known settings, with known values."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from scipy.special import expit

from smecredit.explorers import (CoefficientExplorer, _auc_and_roc, borrower_pd, cutoff_outcome,
                                 sampling_experiment)


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


def _find(widget, kind):
    """All descendants of an ipywidgets container of a given class."""
    found = [widget] if isinstance(widget, kind) else []
    for child in getattr(widget, "children", ()):
        found += _find(child, kind)
    return found


def test_widgets_respond_to_their_controls(small_fit):
    """What a reader does in Jupyter: move a control, press a button; the view follows, with no error."""
    import ipywidgets as w

    from smecredit.explorers import borrower_widget, coefficient_widget, cutoff_widget, sampling_widget

    data, fit, truth = small_fit
    explorer = CoefficientExplorer(fit, truth)
    panel = coefficient_widget(explorer, factor="x")
    sliders = _find(panel, w.FloatSlider)
    assert [s.description for s in sliders] == ["Intercept", "g = b", "g = c", "x"]
    assert all(s.min <= t <= s.max for s, t in zip(sliders, truth[explorer.names]))  # the truth is reachable
    sliders[3].value = sliders[3].max
    buttons = {b.description: b for b in _find(panel, w.Button)}
    draws = []
    import smecredit.explorers as explorers_module

    original = explorers_module.draw_coefficient_state
    explorers_module.draw_coefficient_state = lambda *a, **k: draws.append(1) or original(*a, **k)
    try:
        buttons["Jump to the true coefficients"].click()
    finally:
        explorers_module.draw_coefficient_state = original
    assert len(draws) == 1  # one redraw for the whole jump, not one per slider
    assert [s.value for s in sliders] == pytest.approx(list(truth[explorer.names]), abs=1e-9)
    buttons["Reset to the estimate"].click()
    assert [s.value for s in sliders] == pytest.approx(list(explorer.estimate))

    calculator = borrower_widget(fit, {"x": 0.0, "g": "a"})
    choice = _find(calculator, w.Dropdown)[0]
    choice.value = "c"
    slider = _find(calculator, w.FloatSlider)[0]
    slider.value = slider.max

    cut = cutoff_widget(fit.predict(data), data["y"], np.full(len(data), 100.0), np.full(len(data), 5.0))
    for control in _find(cut, w.FloatSlider):
        control.value = control.max
        control.value = control.min

    experiment = sampling_widget(fit, truth, term="x", sample_size=500, replications=5)
    progress = _find(experiment, w.IntProgress)[0]
    _find(experiment, w.Button)[0].click()
    assert progress.value == progress.max == 5
