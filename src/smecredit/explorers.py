"""Explorers: the logic behind the book's interactive widgets, as plain, testable functions.

Each explorer has a pure update function (numbers in, numbers out), a ``draw_*`` function that
makes its figure at any setting (the chapters store the figure at the default setting as the
widget's static twin), and a ``*_widget`` function that wires ipywidgets controls to them. The
update functions are what the tests check and the benchmark times.

A reader needs a live kernel (Jupyter, Binder, Colab) to move a widget; the static HTML book
shows the figure at the default setting.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats
from scipy.special import expit

from smecredit.reports import term_label
from smecredit.style import DEFAULT_COLOURS, OKABE_ITO

# ----------------------------------------------------------------------------------------------
# Coefficient explorer: move the coefficients, see the fit and the predictions change.
# ----------------------------------------------------------------------------------------------


@dataclass
class CoefficientState:
    """What the coefficient explorer shows for one set of coefficients.

    loglik / loglik_max: log-likelihood at these coefficients and at the estimate (nats).
    pd: predicted PD per loan, shape (n,). auc: area under the ROC curve (0 to 1).
    roc_fpr, roc_tpr: ROC curve points, shape (m,). effect_x, effect_pd: the average predicted
    PD as the chosen factor varies over its grid (partial dependence), shape (g,).
    """

    loglik: float
    loglik_max: float
    pd: np.ndarray
    auc: float
    roc_fpr: np.ndarray
    roc_tpr: np.ndarray
    effect_x: np.ndarray
    effect_pd: np.ndarray


def _auc_and_roc(y: np.ndarray, score: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
    """AUC by the Mann-Whitney rank formula (ties count one half) and the ROC curve points."""
    n_bad = y.sum()
    n_good = y.size - n_bad
    ranks = stats.rankdata(score)
    auc = (ranks[y == 1].sum() - n_bad * (n_bad + 1) / 2) / (n_bad * n_good)
    order = np.argsort(-score, kind="stable")
    tpr = np.concatenate([[0.0], np.cumsum(y[order]) / n_bad])
    fpr = np.concatenate([[0.0], np.cumsum(1 - y[order]) / n_good])
    # Keep every 50th point: enough for a smooth curve, cheap to draw.
    keep = np.unique(np.concatenate([np.arange(0, tpr.size, 50), [tpr.size - 1]]))
    return float(auc), fpr[keep], tpr[keep]


class CoefficientExplorer:
    """Holds a fitted logit's design matrix so the explorer can re-score 20,000 loans quickly.

    Args:
        result: a fitted statsmodels formula Logit result (e.g. the book's extended model).
        truth: optional true coefficients (indexed like ``result.params``), for the "truth" button.
        grid_points: points of the effect curve of a continuous factor.

    Raises:
        ValueError: the result has no formula design (fit it with ``smf.logit``).
    """

    def __init__(self, result, truth: pd.Series | None = None, grid_points: int = 15):
        if getattr(result.model.data, "model_spec", None) is None:
            raise ValueError("the explorer needs a model fitted from a formula (smf.logit)")
        self.result = result
        self.names = list(result.params.index)
        self.estimate = result.params.to_numpy(dtype=float)
        self.std_err = result.bse.to_numpy(dtype=float)
        self.truth = None if truth is None else truth.reindex(self.names).fillna(0.0).to_numpy(dtype=float)
        self.exog = np.asarray(result.model.exog, dtype=float)
        self.y = np.asarray(result.model.endog, dtype=float)
        self.loglik_max = float(result.llf)
        self.grid_points = grid_points
        self._factors = self._factor_columns()

    def _factor_columns(self) -> dict[str, dict]:
        """For each factor of the formula: its columns in the design and the values to vary."""
        spec = self.result.model.data.model_spec
        factors = {}
        for term_name, cols in spec.term_name_slices.items():
            if term_name == "Intercept":
                continue
            idx = np.arange(cols.start, cols.stop)
            if idx.size == 1 and "[" not in self.names[idx[0]]:
                values = self.exog[:, idx[0]]
                grid = np.linspace(np.quantile(values, 0.01), np.quantile(values, 0.99), self.grid_points)
                factors[term_name] = {"columns": idx, "kind": "continuous", "grid": grid}
            else:
                levels = ["reference"] + [self.names[i].split("[T.")[-1].rstrip("]") for i in idx]
                factors[term_name] = {"columns": idx, "kind": "categorical", "levels": levels}
        return factors

    @property
    def factors(self) -> list[str]:
        """Names of the formula's factors (terms), in design order."""
        return list(self._factors)

    def update(self, params, factor: str) -> CoefficientState:
        """Re-score every loan with ``params`` and summarise.

        Args:
            params: coefficients in the order of ``self.names``, shape (k,), log-odds scale.
            factor: a name from ``self.factors`` whose effect curve to compute.

        Raises:
            ValueError: wrong number of coefficients, or an unknown factor.
        """
        b = np.asarray(params, dtype=float)
        if b.shape != self.estimate.shape:
            raise ValueError(f"expected {self.estimate.size} coefficients, got {b.size}")
        if factor not in self._factors:
            raise ValueError(f"unknown factor {factor!r}; choose one of {self.factors}")
        eta = self.exog @ b
        # log-likelihood of a logit, written to stay finite when PDs reach 0 or 1
        loglik = float(np.sum(self.y * eta - np.logaddexp(0.0, eta)))
        pd_hat = expit(eta)
        auc, fpr, tpr = _auc_and_roc(self.y, eta)
        spec = self._factors[factor]
        cols = spec["columns"]
        base = eta - self.exog[:, cols] @ b[cols]
        if spec["kind"] == "continuous":
            x = spec["grid"]
            effect = np.array([expit(base + value * b[cols[0]]).mean() for value in x])
        else:
            x = np.arange(len(spec["levels"]))
            effect = np.array([expit(base).mean()] + [expit(base + b[c]).mean() for c in cols])
        return CoefficientState(loglik, self.loglik_max, pd_hat, auc, fpr, tpr, x, effect)


def draw_coefficient_state(explorer: CoefficientExplorer, state: CoefficientState, factor: str,
                           fig: plt.Figure | None = None) -> plt.Figure:
    """Four panels: log-likelihood against its maximum, PD distributions, ROC curve, effect curve."""
    fig = fig or plt.figure(figsize=(10, 6.5))
    fig.clear()
    ax_ll, ax_pd, ax_roc, ax_eff = fig.subplots(2, 2).flat
    gap = state.loglik_max - state.loglik
    # The gap to the maximum is what changes; the log-likelihoods themselves are printed.
    ax_ll.barh(["below the maximum"], [gap], color=OKABE_ITO["orange"])
    ax_ll.set_xlim(0, max(10.0, gap * 1.25))
    # Say the number, so that a bar of length zero (at the estimate) does not look like a blank panel.
    ax_ll.text(gap, 0, f"  {gap:,.1f}" + (" (at the maximum)" if gap < 0.05 else ""), va="center")
    ax_ll.set(xlabel="Log-likelihood lost against the estimate",
              title=f"Fit: log-likelihood {state.loglik:,.1f} (maximum {state.loglik_max:,.1f})")
    bins = np.linspace(0, min(1.0, max(0.05, np.quantile(state.pd, 0.995))), 40)
    for flag, label in [(0, "did not default"), (1, "defaulted")]:
        ax_pd.hist(state.pd[explorer.y == flag], bins=bins, density=True, alpha=0.6, color=DEFAULT_COLOURS[flag],
                   label=label)
    ax_pd.set(xlabel="Predicted PD", ylabel="Density", title="Predicted PD by outcome")
    ax_pd.legend()
    ax_roc.plot(state.roc_fpr, state.roc_tpr, color=OKABE_ITO["blue"])
    ax_roc.plot([0, 1], [0, 1], linestyle="--", color="grey", linewidth=1)
    ax_roc.set(xlabel="False positive rate", ylabel="True positive rate", title=f"ROC curve: AUC {state.auc:.3f}")
    spec = explorer._factors[factor]
    if spec["kind"] == "continuous":
        ax_eff.plot(state.effect_x, state.effect_pd * 100, marker="o", color=OKABE_ITO["vermillion"])
        ax_eff.set(xlabel=factor)
    else:
        ax_eff.bar([str(level) for level in spec["levels"]], state.effect_pd * 100, color=OKABE_ITO["vermillion"])
        ax_eff.tick_params(axis="x", rotation=30)
        ax_eff.set(xlabel=factor)
    ax_eff.set(ylabel="Average predicted PD (%)", title=f"Effect of {factor}")
    fig.tight_layout()
    return fig


def coefficient_widget(explorer: CoefficientExplorer, factor: str | None = None, width_se: float = 4.0):
    """The coefficient explorer: a slider per coefficient (estimate +/- width_se standard errors),
    a factor chooser, and buttons to reset to the estimate and to jump to the simulation's truth."""
    import ipywidgets as w

    style = {"description_width": "initial"}
    layout = w.Layout(width="95%")
    sliders = []
    for name, est, se in zip(explorer.names, explorer.estimate, explorer.std_err):
        low, high = est - width_se * se, est + width_se * se
        if explorer.truth is not None:
            true_value = explorer.truth[explorer.names.index(name)]
            low, high = min(low, true_value), max(high, true_value)
        sliders.append(w.FloatSlider(value=est, min=low, max=high, step=(high - low) / 200, readout_format=".3f",
                                     description=term_label(name), style=style, layout=layout, continuous_update=False,
                                     tooltip=f"Coefficient of {term_label(name)} on the log-odds scale"))
    chooser = w.Dropdown(options=explorer.factors, value=factor or explorer.factors[0],
                         description="Effect curve of", style=style)
    button_layout = w.Layout(width="auto")
    reset = w.Button(description="Reset to the estimate", tooltip="Set every slider to its estimate",
                     layout=button_layout)
    to_truth = w.Button(description="Jump to the true coefficients", disabled=explorer.truth is None,
                        tooltip="Set every slider to the simulation's true coefficient", layout=button_layout)
    out = w.Output()
    fig = plt.figure(figsize=(10, 6.5))
    plt.close(fig)

    batch = {"active": False}  # while a button sets every slider, draw once at the end, not per slider

    def redraw(*_):
        if batch["active"]:
            return
        values = [s.value for s in sliders]
        state = explorer.update(values, chooser.value)
        draw_coefficient_state(explorer, state, chooser.value, fig)
        with out:
            out.clear_output(wait=True)
            from IPython.display import display
            display(fig)

    def set_all(values):
        batch["active"] = True
        try:
            for s, v in zip(sliders, values):
                s.value = float(np.clip(v, s.min, s.max))
        finally:
            batch["active"] = False
        redraw()

    for s in sliders:
        s.observe(redraw, names="value")
    chooser.observe(redraw, names="value")
    reset.on_click(lambda _: set_all(explorer.estimate))
    to_truth.on_click(lambda _: set_all(explorer.truth))
    redraw()
    panel = w.Accordion(children=[w.VBox(sliders)], titles=("Coefficients (log-odds)",))
    return w.VBox([w.HBox([chooser, reset, to_truth]), panel, out])


# ----------------------------------------------------------------------------------------------
# Borrower PD calculator
# ----------------------------------------------------------------------------------------------


@dataclass
class BorrowerPD:
    """A borrower's PD with its 95% interval, its odds against a reference borrower, and the
    contribution of each factor to its log-odds relative to that reference (sorted, largest first)."""

    pd: float
    ci_low: float
    ci_high: float
    odds_ratio_vs_reference: float
    contributions: pd.Series


def borrower_pd(result, borrower: dict, reference: dict, alpha: float = 0.05) -> BorrowerPD:
    """PD of one borrower from a fitted formula logit, with a confidence interval.

    Args:
        result: fitted statsmodels formula Logit result.
        borrower, reference: one value per factor of the formula (category labels as text,
            numbers in the data's units); the reference borrower anchors the odds ratio.
        alpha: 1 - confidence level.

    Raises:
        ValueError: a factor of the formula is missing from ``borrower`` or ``reference``.
    """
    from patsy import PatsyError, build_design_matrices

    rows = pd.DataFrame([borrower, reference])
    frame = result.model.data.frame
    for column in rows.columns:
        if column in frame.columns and isinstance(frame[column].dtype, pd.CategoricalDtype):
            rows[column] = pd.Categorical(rows[column], categories=frame[column].cat.categories)
    try:
        design = np.asarray(build_design_matrices([result.model.data.model_spec], rows)[0])
    except (PatsyError, NameError, KeyError) as err:
        raise ValueError(f"borrower and reference need a value for every factor of the model: {err}") from None
    if design.shape[0] != 2:
        raise ValueError("borrower and reference need a value for every factor of the model (a value is missing)")
    prediction = result.get_prediction(rows).summary_frame(alpha=alpha)
    delta = (design[0] - design[1]) * result.params.to_numpy()
    spec = result.model.data.model_spec
    contributions = pd.Series({term: delta[sl].sum() for term, sl in spec.term_name_slices.items()
                               if term != "Intercept"})
    contributions = contributions[contributions.abs().sort_values(ascending=False).index]
    p, p_ref = prediction["predicted"].to_numpy()
    return BorrowerPD(pd=float(p), ci_low=float(prediction["ci_lower"].iloc[0]),
                      ci_high=float(prediction["ci_upper"].iloc[0]),
                      odds_ratio_vs_reference=float((p / (1 - p)) / (p_ref / (1 - p_ref))),
                      contributions=contributions)


def draw_borrower_pd(result: BorrowerPD, fig: plt.Figure | None = None) -> plt.Figure:
    """The PD with its interval and the factors that push it up (vermillion) or down (blue)."""
    fig = fig or plt.figure(figsize=(9, 4))
    fig.clear()
    ax_pd, ax_contrib = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 2.5]})
    ax_pd.errorbar([0], [result.pd * 100], yerr=[[(result.pd - result.ci_low) * 100],
                                                 [(result.ci_high - result.pd) * 100]],
                   fmt="o", capsize=6, color=OKABE_ITO["black"])
    ax_pd.set(xticks=[], ylabel="PD (%)", ylim=(0, max(5.0, result.ci_high * 110)),
              title=f"PD {result.pd:.1%}\n(95% CI {result.ci_low:.1%} to {result.ci_high:.1%})")
    shown = result.contributions.iloc[::-1]
    colours = [OKABE_ITO["vermillion"] if v > 0 else OKABE_ITO["blue"] for v in shown]
    ax_contrib.barh(shown.index, shown.to_numpy(), color=colours)
    ax_contrib.axvline(0, color="grey", linewidth=1)
    ax_contrib.set(xlabel="Change in log-odds against the reference borrower",
                   title=f"Odds {result.odds_ratio_vs_reference:.2f} times the reference borrower's")
    fig.tight_layout()
    return fig


def borrower_widget(result, reference: dict):
    """The borrower PD calculator: one labelled control per factor, starting at the reference borrower."""
    import ipywidgets as w
    from IPython.display import display

    frame = result.model.data.frame
    style = {"description_width": "210px"}  # room for the longest factor name, the rest for the track
    layout = w.Layout(width="95%")
    controls = {}
    for name, value in reference.items():
        column = frame[name]
        if isinstance(column.dtype, pd.CategoricalDtype):
            controls[name] = w.Dropdown(options=list(column.cat.categories), value=value, description=name,
                                        style=style, layout=layout)
        elif pd.api.types.is_integer_dtype(column) and column.nunique() < 12:
            controls[name] = w.Dropdown(options=sorted(column.unique().tolist()), value=value, description=name,
                                        style=style, layout=layout)
        else:
            low, high = float(column.quantile(0.005)), float(column.quantile(0.995))
            controls[name] = w.FloatSlider(value=float(value), min=low, max=high, step=(high - low) / 100,
                                           description=name, style=style, layout=layout,
                                           continuous_update=False, readout_format=".1f")
    out = w.Output()
    fig = plt.figure(figsize=(9, 4))
    plt.close(fig)

    def redraw(*_):
        borrower = {name: control.value for name, control in controls.items()}
        draw_borrower_pd(borrower_pd(result, borrower, reference), fig)
        with out:
            out.clear_output(wait=True)
            display(fig)

    for control in controls.values():
        control.observe(redraw, names="value")
    redraw()
    return w.VBox([w.GridBox(list(controls.values()), layout=w.Layout(grid_template_columns="repeat(2, 50%)")),
                   out])


# ----------------------------------------------------------------------------------------------
# Cutoff explorer
# ----------------------------------------------------------------------------------------------


@dataclass
class CutoffOutcome:
    """The book approved at a PD cutoff: rates as fractions, money in 10k yuan."""

    cutoff: float
    approval_rate: float
    bad_rate_approved: float
    expected_loss: float
    net_interest_income: float
    realised_loss: float
    confusion: pd.DataFrame


def cutoff_outcome(pd_hat, defaulted, amount_10k, rate_pct, cutoff: float, lgd: float = 0.45,
                   funding_cost_pct: float = 3.0) -> CutoffOutcome:
    """Approve every loan whose predicted PD is below ``cutoff`` and count the consequences.

    Assumptions (stated in the chapter): EAD = the amount granted; LGD one value for every loan
    (0.45 is the Basel foundation-IRB value for senior unsecured claims) or one per loan; a one-year net interest
    income of amount x (contract rate - funding cost) on approved loans; realised loss =
    EAD x LGD on approved loans that defaulted; expected loss = sum of PD x LGD x EAD.

    Args:
        pd_hat, defaulted, amount_10k, rate_pct: arrays of shape (n,): predicted PD (0 to 1),
            0/1 outcome, amount in 10k yuan, contract rate in percent.
        cutoff: PD threshold, 0 to 1 (0 approves nothing, 1 approves everything).
        lgd: loss given default, 0 to 1: one number, or one per loan (shape (n,)).
        funding_cost_pct: cost of funds (and any other cost charged against the margin), percent a year.

    Raises:
        ValueError: cutoff or an lgd outside 0 to 1, or arrays of different lengths.
    """
    arrays = [np.asarray(a, dtype=float) for a in (pd_hat, defaulted, amount_10k, rate_pct)]
    if len({a.size for a in arrays}) != 1:
        raise ValueError("pd_hat, defaulted, amount_10k and rate_pct must have the same length")
    p, y, ead, rate = arrays
    lgd = np.broadcast_to(np.asarray(lgd, dtype=float), p.shape)
    if not 0 <= cutoff <= 1 or ((lgd < 0) | (lgd > 1)).any():
        raise ValueError("cutoff and lgd must lie between 0 and 1")
    approved = p < cutoff if cutoff < 1 else np.ones(p.size, dtype=bool)
    n_approved = approved.sum()
    bad_rate = float(y[approved].mean()) if n_approved else 0.0
    confusion = pd.DataFrame(
        [[int((approved & (y == 0)).sum()), int((approved & (y == 1)).sum())],
         [int((~approved & (y == 0)).sum()), int((~approved & (y == 1)).sum())]],
        index=pd.Index(["approved", "rejected"], name="decision"),
        columns=pd.Index(["did not default", "defaulted"], name="outcome"),
    )
    return CutoffOutcome(
        cutoff=cutoff,
        approval_rate=float(n_approved / p.size),
        bad_rate_approved=bad_rate,
        expected_loss=float((p * lgd * ead)[approved].sum()),
        net_interest_income=float((ead * (rate - funding_cost_pct) / 100)[approved].sum()),
        realised_loss=float((ead * lgd)[approved & (y == 1)].sum()),
        confusion=confusion,
    )


def draw_cutoff_outcome(pd_hat, defaulted, amount_10k, rate_pct, outcome: CutoffOutcome, lgd: float = 0.45,
                        funding_cost_pct: float = 3.0, fig: plt.Figure | None = None) -> plt.Figure:
    """Left: approval and bad rates across cutoffs, the chosen one marked. Right: money at the cutoff."""
    fig = fig or plt.figure(figsize=(10, 4))
    fig.clear()
    ax_rates, ax_money = fig.subplots(1, 2)
    grid = np.quantile(np.asarray(pd_hat), np.linspace(0.02, 1.0, 40))
    curve = [cutoff_outcome(pd_hat, defaulted, amount_10k, rate_pct, c, lgd, funding_cost_pct) for c in grid]
    ax_rates.plot(grid * 100, [c.approval_rate * 100 for c in curve], color=OKABE_ITO["blue"], label="approval rate")
    ax_bad = ax_rates.twinx()  # the bad rate lives on a much smaller scale than the approval rate
    ax_bad.grid(False)
    ax_bad.plot(grid * 100, [c.bad_rate_approved * 100 for c in curve], color=OKABE_ITO["vermillion"],
                linestyle="-.", label="bad rate among approved (right axis)")
    ax_bad.set_ylabel("Bad rate among approved (%)", color=OKABE_ITO["vermillion"])
    ax_bad.set_ylim(0, None)
    ax_rates.axvline(outcome.cutoff * 100, color="grey", linestyle="--", linewidth=1)
    ax_rates.set(xlabel="PD cutoff (%)", ylabel="Approval rate (%)", title="Approval and bad rates", ylim=(0, 105))
    lines = ax_rates.get_lines()[:1] + ax_bad.get_lines()
    ax_rates.legend(lines, [line.get_label() for line in lines], loc="lower right")
    labels = ["net interest\nincome", "expected\nloss", "realised\nloss"]
    values = [outcome.net_interest_income, outcome.expected_loss, outcome.realised_loss]
    ax_money.bar(labels, np.array(values) / 100, color=[OKABE_ITO["bluish_green"], OKABE_ITO["orange"],
                                                        OKABE_ITO["vermillion"]])
    ax_money.set(ylabel="Million yuan", title=f"At a cutoff of {outcome.cutoff:.1%}: "
                                              f"{outcome.approval_rate:.0%} approved")
    fig.tight_layout()
    return fig


def cutoff_widget(pd_hat, defaulted, amount_10k, rate_pct, cutoff: float = 0.1):
    """The cutoff explorer: sliders for the PD cutoff, the LGD and the funding cost."""
    import ipywidgets as w
    from IPython.display import display

    style = {"description_width": "200px"}
    layout = w.Layout(width="90%")
    cut = w.FloatSlider(value=cutoff, min=0.0, max=1.0, step=0.005, readout_format=".3f",
                        description="PD cutoff (approve below)", style=style, layout=layout, continuous_update=False)
    lgd = w.FloatSlider(value=0.45, min=0.0, max=1.0, step=0.05, description="LGD (share of EAD lost)", style=style,
                        layout=layout, continuous_update=False)
    funding = w.FloatSlider(value=3.0, min=0.0, max=8.0, step=0.25, description="Funding cost (% a year)",
                            style=style, layout=layout, continuous_update=False)
    out = w.Output()
    fig = plt.figure(figsize=(10, 4))
    plt.close(fig)

    def redraw(*_):
        outcome = cutoff_outcome(pd_hat, defaulted, amount_10k, rate_pct, cut.value, lgd.value, funding.value)
        draw_cutoff_outcome(pd_hat, defaulted, amount_10k, rate_pct, outcome, lgd.value, funding.value, fig)
        with out:
            out.clear_output(wait=True)
            display(fig)
            display(outcome.confusion)

    for control in (cut, lgd, funding):
        control.observe(redraw, names="value")
    redraw()
    return w.VBox([cut, lgd, funding, out])


# ----------------------------------------------------------------------------------------------
# Sampling experiment
# ----------------------------------------------------------------------------------------------


@dataclass
class SamplingResult:
    """Estimates of one coefficient over repeated samples: estimates and standard errors of shape
    (replications,), the share of 95% intervals that cover the truth, and the power (share of
    samples in which the coefficient differs from zero at the 5% level)."""

    term: str
    true_value: float
    estimates: np.ndarray
    std_errors: np.ndarray
    coverage: float
    power: float
    failed_fits: int


def sampling_experiment(result, truth: pd.Series, term: str, true_value: float, sample_size: int,
                        replications: int = 100, seed: int = 0, progress=None) -> SamplingResult:
    """Refit the model on many simulated samples and see how the estimator behaves.

    Each replication draws ``sample_size`` loans (with replacement) from the book's design matrix,
    draws their defaults from the true model with ``term``'s coefficient set to ``true_value``
    (no random effects, so the model is exactly right), and refits the logit by maximum likelihood.

    Args:
        result: fitted formula logit whose design holds every term of ``truth``.
        truth: true coefficients indexed like ``result.params``.
        term: the coefficient to study. true_value: its true value in this experiment.
        sample_size: loans per sample (at least 200). replications: samples (at least 2).
        seed: seed of the experiment. progress: optional callable(done, total).

    Raises:
        ValueError: unknown term, or too small a sample or too few replications.
    """
    names = list(result.params.index)
    if term not in names:
        raise ValueError(f"unknown term {term!r}")
    if sample_size < 200 or replications < 2:
        raise ValueError("use at least 200 loans per sample and 2 replications")
    beta = truth.reindex(names).fillna(0.0).to_numpy(dtype=float, copy=True)
    j = names.index(term)
    beta[j] = true_value
    exog = np.asarray(result.model.exog, dtype=float)
    rng = np.random.default_rng(seed)
    estimates, errors = np.full(replications, np.nan), np.full(replications, np.nan)
    failed = 0
    for r in range(replications):
        rows = rng.integers(0, exog.shape[0], size=sample_size)
        x = exog[rows]
        y = (rng.random(sample_size) < expit(x @ beta)).astype(float)
        # Drop design columns that are constant zero in this sample (a rare level not drawn).
        used = np.flatnonzero(x.any(axis=0))
        if j not in used:
            failed += 1
            continue
        try:
            with np.errstate(all="ignore"):
                import warnings

                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    fit = sm.Logit(y, x[:, used]).fit(disp=0, method="newton", maxiter=50)
            k = int(np.flatnonzero(used == j)[0])
            est, se = fit.params[k], fit.bse[k]
            if not (np.isfinite(est) and np.isfinite(se)) or se <= 0:
                raise ValueError("no finite estimate")
            estimates[r], errors[r] = est, se
        except Exception:  # separation or no convergence in a small sample: count it, go on
            failed += 1
        if progress is not None:
            progress(r + 1, replications)
    ok = np.isfinite(estimates)
    z = stats.norm.ppf(0.975)
    covered = np.abs(estimates[ok] - true_value) <= z * errors[ok]
    significant = np.abs(estimates[ok] / errors[ok]) > z
    return SamplingResult(term, true_value, estimates[ok], errors[ok], float(covered.mean()) if ok.any() else np.nan,
                          float(significant.mean()) if ok.any() else np.nan, failed)


def draw_sampling_result(outcome: SamplingResult, fig: plt.Figure | None = None) -> plt.Figure:
    """Histogram of the estimates with the truth marked, and coverage and power in the title."""
    fig = fig or plt.figure(figsize=(7, 4))
    fig.clear()
    ax = fig.subplots()
    ax.hist(outcome.estimates, bins=25, color=OKABE_ITO["sky_blue"], edgecolor="white")
    ax.axvline(outcome.true_value, color=OKABE_ITO["vermillion"], linewidth=2, label="true value")
    ax.axvline(0, color="grey", linestyle="--", linewidth=1, label="zero")
    ax.set(xlabel=f"Estimated coefficient of {term_label(outcome.term)}", ylabel="Samples",
           title=f"{outcome.estimates.size} samples: 95% CI coverage {outcome.coverage:.0%}, "
                 f"power {outcome.power:.0%}")
    ax.legend()
    fig.tight_layout()
    return fig


def sampling_widget(result, truth: pd.Series, term: str = "markup_pct", sample_size: int = 2000,
                    replications: int = 100):
    """The sampling experiment: choose a coefficient, its true value and the sample size; press Run."""
    import ipywidgets as w
    from IPython.display import display

    style = {"description_width": "initial"}
    names = list(result.params.index)
    se = float(result.bse[term])
    chooser = w.Dropdown(options=[(term_label(n), n) for n in names if n != "Intercept"], value=term,
                         description="Coefficient", style=style)
    true_value = w.FloatText(value=float(truth.get(term, 0.0)), description="True value (log-odds)", style=style,
                             step=se)
    size = w.IntSlider(value=sample_size, min=500, max=20000, step=500, description="Loans per sample",
                       style=style, continuous_update=False)
    run = w.Button(description="Run the experiment", tooltip="Refit the model on many simulated samples",
                   layout=w.Layout(width="auto"))
    bar = w.IntProgress(value=0, min=0, max=replications, description="Progress")
    out = w.Output()
    fig = plt.figure(figsize=(7, 4))
    plt.close(fig)

    def on_term(change):
        true_value.value = float(truth.get(change["new"], 0.0))

    def on_run(_):
        bar.value = 0
        started = time.perf_counter()

        def progress(done, total):
            bar.value = done

        outcome = sampling_experiment(result, truth, chooser.value, true_value.value, size.value, replications,
                                      progress=progress)
        draw_sampling_result(outcome, fig)
        with out:
            out.clear_output(wait=True)
            display(fig)
            print(f"{outcome.failed_fits} samples could not be fitted; took {time.perf_counter() - started:.1f} s")

    chooser.observe(on_term, names="value")
    run.on_click(on_run)
    return w.VBox([chooser, true_value, size, w.HBox([run, bar]), out])
