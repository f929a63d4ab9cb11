"""Explorers: the book's four interactive explorers, and their Python reference.

Each explorer (coefficient explorer, borrower PD calculator, cutoff explorer, sampling experiment)
has a pure update function here (numbers in, numbers out: ``CoefficientExplorer.update``,
``borrower_pd``, ``cutoff_outcome``, ``sampling_experiment``) and a ``draw_*`` function that makes its
figure at any setting (the chapters store it at the starting setting as the explorer's static twin,
which the PDF prints). A ``*_widget`` function returns the live explorer: one anywidget whose
JavaScript (``static/explorers.js``) computes and draws in the reader's browser, with no kernel
round trip, on the published page as in Jupyter. The functions here are what that JavaScript is
tested against (``tests/browser/test_explorers_live.py``); ``static/README.md`` states the design,
the data each widget carries and why.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from scipy import stats
from scipy.special import expit

from smecredit import validation
from smecredit.assumptions import FUNDING_COST_PCT, OPERATING_COST_PCT, SINGLE_LGD
from smecredit.labels import column_label, level_label, term_label
from smecredit.style import DEFAULT_COLOURS, OKABE_ITO

# ----------------------------------------------------------------------------------------------
# Coefficient explorer: move the coefficients, see the fit and the predictions change.
# ----------------------------------------------------------------------------------------------

# The book's cost of funds and of operations (smecredit.assumptions): the cutoff explorer's default margin.
BOOK_COST_PCT = FUNDING_COST_PCT + OPERATING_COST_PCT


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
    """AUC (``smecredit.validation.auc``) and the ROC curve's points, thinned for drawing."""
    n_bad = y.sum()
    n_good = y.size - n_bad
    order = np.argsort(-score, kind="stable")
    tpr = np.concatenate([[0.0], np.cumsum(y[order]) / n_bad])
    fpr = np.concatenate([[0.0], np.cumsum(1 - y[order]) / n_good])
    # Keep every 50th point: enough for a smooth curve, cheap to draw.
    keep = np.unique(np.concatenate([np.arange(0, tpr.size, 50), [tpr.size - 1]]))
    return validation.auc(y, score), fpr[keep], tpr[keep]


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
        eta = linear_predictor(self.exog, b)
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


def linear_predictor(exog: np.ndarray, params: np.ndarray) -> np.ndarray:
    """X·b, shape (n,), summed column by column from the left, as the browser sums it.

    Loans whose scores are equal in exact arithmetic (they differ only in factors whose
    coefficient is zero) then stay equal here and in the browser, so that both count them as ties
    in the AUC; a matrix product adds in another order and can split such ties by one rounding.
    """
    eta = np.zeros(exog.shape[0])
    for j in range(exog.shape[1]):
        eta += exog[:, j] * params[j]
    return eta


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
    at_maximum = gap < 0.05
    ax_ll.text(gap, 0, f"  {0.0 if at_maximum else gap:,.1f}" + (" (at the maximum)" if at_maximum else ""), va="center")
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
    name = column_label(factor)
    if spec["kind"] == "continuous":
        ax_eff.plot(state.effect_x, state.effect_pd * 100, marker="o", color=OKABE_ITO["vermillion"])
    else:
        ax_eff.bar([str(level_label(factor, level)) for level in spec["levels"]], state.effect_pd * 100,
                   color=OKABE_ITO["vermillion"])
        ax_eff.tick_params(axis="x", rotation=30)
    ax_eff.set(xlabel=name, ylabel="Average predicted PD (%)", title=f"Effect of: {name}")
    fig.tight_layout()
    return fig


# ----------------------------------------------------------------------------------------------
# Borrower PD calculator
# ----------------------------------------------------------------------------------------------


REFERENCE_BORROWER = {
    "markup_pct": 25.0, "repayment_method": "quarterly_interest_bullet", "shareholder_holding_years": 5.0,
    "owner_experience_years": 10.0, "guarantee_method": "mortgage", "internal_rating": "BBB",
    "debt_ratio_pct": 50.0, "size_class": "small", "industry": "manufacturing", "owner_age_years": 45,
    "firm_age_years": 8.0, "registered_capital_10k": 100.0, "origination_year": 2016,
}
"""Chapter 6's reference borrower, one value per factor of the true model's formula, in the data's
units: a small manufacturer rated BBB, eight years old, with a mortgage and a bullet loan at a markup of
25%, a controlling shareholder of five years, an owner of 45 with ten years in the trade, a debt ratio
of 50% and registered capital of 1 million yuan (100 in 10k yuan), borrowing in 2016. Copy it
(``dict(REFERENCE_BORROWER, markup_pct=50.0)``) to describe another firm."""


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
    ax_contrib.barh([column_label(name) for name in shown.index], shown.to_numpy(), color=colours)
    ax_contrib.axvline(0, color="grey", linewidth=1)
    ax_contrib.set(xlabel="Change in log-odds against the reference borrower",
                   title=f"Odds {result.odds_ratio_vs_reference:.2f} times the reference borrower's")
    fig.tight_layout()
    return fig


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


def cutoff_outcome(pd_hat, defaulted, amount_10k, rate_pct, cutoff: float, lgd: float = SINGLE_LGD,
                   funding_cost_pct: float = BOOK_COST_PCT) -> CutoffOutcome:
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
    # validation.confusion_matrix counts; a rejected loan is one "called" a default (score 1 >= 0.5)
    counts = validation.confusion_matrix(y, (~approved).astype(float), cutoff=0.5).T
    confusion = pd.DataFrame(counts.to_numpy(), index=pd.Index(["approved", "rejected"], name="decision"),
                             columns=pd.Index(["did not default", "defaulted"], name="outcome"))
    return CutoffOutcome(
        cutoff=cutoff,
        approval_rate=float(n_approved / p.size),
        bad_rate_approved=bad_rate,
        expected_loss=float((p * lgd * ead)[approved].sum()),
        net_interest_income=float((ead * (rate - funding_cost_pct) / 100)[approved].sum()),
        realised_loss=float((ead * lgd)[approved & (y == 1)].sum()),
        confusion=confusion,
    )


def draw_cutoff_outcome(pd_hat, defaulted, amount_10k, rate_pct, outcome: CutoffOutcome, lgd: float = SINGLE_LGD,
                        funding_cost_pct: float = BOOK_COST_PCT, fig: plt.Figure | None = None) -> plt.Figure:
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
    (no random effects, so the model is exactly right), and refits the logit by maximum likelihood
    (:func:`fit_logit_newton`). The draws come from :func:`mulberry32`, in the order that
    static/README.md states, so the live experiment in the browser draws the same samples and
    gets the same estimates. A sample whose fit fails (a rare level not drawn, or separation) is
    counted in ``failed_fits`` and left out of coverage and power.

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
    n = exog.shape[0]
    estimates, errors = np.full(replications, np.nan), np.full(replications, np.nan)
    failed = 0
    for r in range(replications):
        first = r * 2 * sample_size + 1
        rows = np.floor(mulberry32(seed, first, sample_size) * n).astype(np.int64)
        x = exog[rows]
        y = (mulberry32(seed, first + sample_size, sample_size) < expit(linear_predictor(x, beta))).astype(float)
        # Drop design columns that are constant zero in this sample (a rare level not drawn).
        used = np.flatnonzero(x.any(axis=0))
        # Newton starts at the true coefficients (near the estimate: fewer iterations than from zero).
        fit = fit_logit_newton(x[:, used], y, start=beta[used]) if j in used else None
        if fit is None:  # the level was not drawn, or separation in a small sample: count it, go on
            failed += 1
        else:
            k = int(np.flatnonzero(used == j)[0])
            estimates[r], errors[r] = fit[0][k], fit[1][k]
        if progress is not None:
            progress(r + 1, replications)
    ok = np.isfinite(estimates)
    z = stats.norm.ppf(0.975)
    covered = np.abs(estimates[ok] - true_value) <= z * errors[ok]
    significant = np.abs(estimates[ok] / errors[ok]) > z
    return SamplingResult(term, true_value, estimates[ok], errors[ok], float(covered.mean()) if ok.any() else np.nan,
                          float(significant.mean()) if ok.any() else np.nan, failed)


def mulberry32(seed: int, first: int, count: int) -> np.ndarray:
    """Draws ``first`` to ``first + count - 1`` of the mulberry32 generator: uniforms in [0, 1), shape (count,).

    Draw m is ``hash(seed + m * 0x6D2B79F5 mod 2**32) / 2**32`` (Tommy Ettinger's mulberry32, public
    domain), which the explorers' JavaScript computes identically, so that the sampling experiment
    in the browser draws the same samples as this reference. A 32-bit generator: fine for teaching
    demonstrations, not for serious Monte Carlo work.
    """
    m = np.arange(first, first + count, dtype=np.uint64)
    t = ((np.uint64(seed & 0xFFFFFFFF) + m * np.uint64(0x6D2B79F5)) & np.uint64(0xFFFFFFFF)).astype(np.uint32)
    # uint32 arithmetic wraps modulo 2**32, as Math.imul and the int32 casts of JavaScript do.
    t = (t ^ (t >> np.uint32(15))) * (t | np.uint32(1))
    t = t ^ (t + (t ^ (t >> np.uint32(7))) * (t | np.uint32(61)))
    return (t ^ (t >> np.uint32(14))).astype(np.float64) / 4294967296.0


def fit_logit_newton(x: np.ndarray, y: np.ndarray, max_iter: int = 25, tol: float = 1e-8,
                     start: np.ndarray | None = None):
    """Maximum-likelihood logit by Newton's method, as the explorers' JavaScript fits it.

    Starts from ``start`` (zero when None); stops when the largest step is below ``tol``; the
    standard errors come from the inverse of X'WX of the last iteration.

    Args:
        x: design, shape (n, k). y: 0/1 outcomes, shape (n,). start: shape (k,), or None.

    Returns:
        (estimates, standard errors), each shape (k,), or None when the fit fails: X'WX is not
        positive definite (a Cholesky factor does not exist), a number is not finite, or the step
        does not fall below ``tol`` within ``max_iter`` iterations (as under separation).
    """
    beta = np.zeros(x.shape[1]) if start is None else np.array(start, dtype=float)
    for _ in range(max_iter):
        p = expit(x @ beta)
        hessian = (x * (p * (1 - p))[:, None]).T @ x
        try:
            factor = np.linalg.cholesky(hessian)
        except np.linalg.LinAlgError:
            return None
        step = _cholesky_solve(factor, x.T @ (y - p))
        beta = beta + step
        if not np.all(np.isfinite(beta)):
            return None
        if np.max(np.abs(step)) < tol:
            errors = np.sqrt(np.diag(_cholesky_solve(factor, np.eye(x.shape[1]))))
            return beta, errors
    return None


def _cholesky_solve(lower: np.ndarray, b: np.ndarray) -> np.ndarray:
    from scipy.linalg import solve_triangular

    return solve_triangular(lower.T, solve_triangular(lower, b, lower=True), lower=False)


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


# ----------------------------------------------------------------------------------------------
# The live explorers: one anywidget, whose JavaScript (static/explorers.js) computes and draws in
# the reader's browser. The functions above are its reference. See static/README.md.
# ----------------------------------------------------------------------------------------------

STATIC = Path(__file__).with_name("static")
Z_95 = float(stats.norm.ppf(0.975))


def pack_columns(columns: dict[str, np.ndarray]) -> tuple[list[dict], bytes]:
    """Pack per-loan columns for the browser, losslessly and compactly (static/README.md).

    Integer-valued 0/1 or code columns (dtype uint8/bool) stay uint8. Any other column is stored as
    the smallest integer type holding ``round(value * 10**d)``, for the fewest decimals d (0 to 6)
    that give every value back exactly as ``stored / 10**d``; failing that, as float64.

    Args:
        columns: name -> array of shape (n,), every array the same length.

    Returns:
        (descriptions, data): one ``{"name", "dtype", "offset", "length", "scale"}`` per column, and
        the bytes, little-endian, each column starting at a multiple of 8.

    Raises:
        ValueError: columns of different lengths, or a value that is not finite.
    """
    lengths = {len(values) for values in columns.values()}
    if len(lengths) > 1:
        raise ValueError(f"columns of different lengths: { {k: len(v) for k, v in columns.items()} }")
    descriptions, chunks, offset = [], [], 0
    for name, values in columns.items():
        values = np.asarray(values)
        if values.dtype in (np.uint8, np.bool_):
            stored, scale = values.astype("<u1"), 1
        else:
            values = values.astype(float)
            if not np.all(np.isfinite(values)):
                bad = np.flatnonzero(~np.isfinite(values))[:5].tolist()
                raise ValueError(f"column {name!r} has values that are not finite (rows {bad}); "
                                 "fill or drop them before building the explorer")
            stored, scale = values.astype("<f8"), 1
            for decimals in range(7):
                scaled = np.round(values * 10**decimals)
                if np.array_equal(scaled / 10**decimals, values):
                    for dtype in ("<u1", "<i2", "<i4"):
                        info = np.iinfo(dtype)
                        if scaled.min() >= info.min and scaled.max() <= info.max:
                            stored, scale = scaled.astype(dtype), 10**decimals
                            break
                    break
        raw = stored.tobytes()
        chunks.append(raw + b"\0" * (-len(raw) % 8))
        descriptions.append({"name": name, "dtype": {"u1": "uint8", "i2": "int16", "i4": "int32", "f8": "float64"}[
            stored.dtype.str[1:]], "offset": offset, "length": len(values), "scale": scale})
        offset += len(chunks[-1])
    return descriptions, b"".join(chunks)


def unpack_columns(descriptions: list[dict], data: bytes) -> dict[str, np.ndarray]:
    """The inverse of :func:`pack_columns`: name -> float64 array (what the browser decodes)."""
    dtypes = {"uint8": "<u1", "int16": "<i2", "int32": "<i4", "float64": "<f8"}
    return {d["name"]: np.frombuffer(data, dtypes[d["dtype"]], d["length"], d["offset"]).astype(float) / d["scale"]
            for d in descriptions}


def _design_terms(result) -> tuple[list[dict], dict[str, np.ndarray], int | None]:
    """Describe a formula logit's design as terms over compact columns (static/README.md).

    A term is continuous (one design column, stored as it is) or categorical (treatment-coded
    dummies, stored as a uint8 code: 0 for the reference level, c for design column ``design[c-1]``).

    Raises:
        ValueError: a model without a formula, or a term that is neither (an interaction, a
            spline): the explorers handle main effects only.
    """
    spec = getattr(result.model.data, "model_spec", None)
    if spec is None:
        raise ValueError("the explorer needs a model fitted from a formula (smf.logit)")
    names = list(result.params.index)
    exog = np.asarray(result.model.exog, dtype=float)
    terms, columns, intercept = [], {}, None
    for term_name, cols in spec.term_name_slices.items():
        idx = list(range(cols.start, cols.stop))
        block = exog[:, idx]
        if term_name == "Intercept":
            intercept = idx[0]
            continue
        if len(idx) == 1 and "[" not in names[idx[0]]:
            column = f"x{len(columns)}"
            columns[column] = block[:, 0]
            values = block[:, 0]
            grid = np.linspace(np.quantile(values, 0.01), np.quantile(values, 0.99), 15)
            terms.append({"name": term_name, "label": term_label(term_name), "kind": "continuous",
                          "column": column, "design": idx[0], "grid": grid.tolist()})
            continue
        dummies = np.isin(block, (0.0, 1.0)).all() and (block.sum(axis=1) <= 1).all()
        if not dummies or len(idx) > 254:
            raise ValueError(f"term {term_name!r} is neither one numeric column nor a treatment-coded "
                             "category; the explorers handle main effects only")
        column = f"x{len(columns)}"
        codes = np.where(block.any(axis=1), block.argmax(axis=1) + 1, 0).astype(np.uint8)
        columns[column] = codes
        levels = ["reference"] + [level_label(term_name, names[i].split("[T.")[-1].rstrip("]")) for i in idx]
        reference = _reference_level(result, term_name)
        if reference is not None:
            levels[0] = f"{level_label(term_name, reference)} (reference)"
        terms.append({"name": term_name, "label": term_label(term_name), "kind": "categorical",
                      "column": column, "design": idx, "levels": levels})
    return terms, columns, intercept


def _reference_level(result, term_name: str):
    """The reference level of a categorical term, from the data the model was fitted on (or None)."""
    frame = result.model.data.frame
    bare = term_name[2:-1] if term_name.startswith("C(") and term_name.endswith(")") else term_name
    if frame is None or bare not in frame.columns:
        return None
    column = frame[bare]
    levels = column.cat.categories if isinstance(column.dtype, pd.CategoricalDtype) else np.sort(column.unique())
    return str(levels[0])


def _explorer_widget_class():
    """The anywidget class, built on first use so that importing this module needs no anywidget."""
    global _EXPLORER_CLASS
    if _EXPLORER_CLASS is None:
        import anywidget
        import traitlets

        class Explorer(anywidget.AnyWidget):
            """One live explorer: ``kind`` names it, ``spec`` and ``data`` hold what it computes on."""

            _esm = STATIC / "explorers.js"
            _css = STATIC / "explorers.css"
            kind = traitlets.Unicode("").tag(sync=True)
            spec = traitlets.Dict().tag(sync=True)
            data = traitlets.Bytes(b"").tag(sync=True)

        _EXPLORER_CLASS = Explorer
    return _EXPLORER_CLASS


_EXPLORER_CLASS = None


def _finite(values) -> list:
    """A JSON-safe list: NaN (a truth the model lacks) becomes None."""
    return [None if not np.isfinite(v) else float(v) for v in np.asarray(values, dtype=float)]


def coefficient_widget(explorer: CoefficientExplorer, factor: str | None = None, width_se: float = 4.0,
                       truth_name: str = "true"):
    """The live coefficient explorer: a slider per coefficient (estimate ± ``width_se`` standard
    errors, widened to reach the truth), an effect-curve chooser, and buttons back to the estimate
    and to the simulation's truth. Computes and draws in the browser (static/explorers.js).

    ``truth_name`` names the truth on its button ("Jump to the {truth_name} coefficients"), e.g.
    ``"structural"`` when the explorer's truth is ``true_coefficients()`` of a book with soft information.

    Returns:
        an ``Explorer`` anywidget (display it as a cell's last value).

    Raises:
        ValueError: an unknown factor, or a model the explorers cannot describe (see ``_design_terms``).
    """
    factor = factor or explorer.factors[0]
    if factor not in explorer.factors:
        raise ValueError(f"unknown factor {factor!r}; choose one of {explorer.factors}")
    terms, columns, intercept = _design_terms(explorer.result)
    columns["y"] = explorer.y.astype(np.uint8)
    low = explorer.estimate - width_se * explorer.std_err
    high = explorer.estimate + width_se * explorer.std_err
    if explorer.truth is not None:
        low, high = np.minimum(low, explorer.truth), np.maximum(high, explorer.truth)
    described, data = pack_columns(columns)
    spec = {"title": "Coefficient explorer", "n": int(explorer.y.size), "names": explorer.names,
            "labels": [term_label(n) for n in explorer.names], "estimate": _finite(explorer.estimate),
            "std_err": _finite(explorer.std_err),
            "truth": None if explorer.truth is None else _finite(explorer.truth),
            "loglik_max": explorer.loglik_max, "low": _finite(low), "high": _finite(high),
            "step": _finite((high - low) / 200), "intercept": intercept, "terms": terms, "outcome": "y",
            "factor": factor, "columns": described, "truth_name": truth_name}
    return _explorer_widget_class()(kind="coefficients", spec=spec, data=data)


def borrower_widget(result, reference: dict, alpha: float = 0.05):
    """The live PD calculator: one labelled control per factor, starting at the reference borrower;
    shows the PD with its interval, the odds against the reference and each factor's contribution.

    Args:
        result: fitted formula logit. reference: one value per factor of the formula (category
            labels as text, numbers in the data's units). alpha: 1 - confidence level.

    Raises:
        ValueError: a factor missing from ``reference``, or a numeric factor that does not enter
            the model linearly (the browser adds per-unit changes).
    """
    from patsy import build_design_matrices

    frame = result.model.data.frame
    design_info = result.model.data.model_spec

    def design(rows: list[dict]) -> np.ndarray:
        table = pd.DataFrame(rows)
        for column in table.columns:
            if column in frame.columns and isinstance(frame[column].dtype, pd.CategoricalDtype):
                table[column] = pd.Categorical(table[column], categories=frame[column].cat.categories)
        return np.asarray(build_design_matrices([design_info], table)[0], dtype=float)

    borrower_pd(result, reference, reference)  # raises a clear error when a factor is missing
    x_ref = design([reference])[0]
    controls = []
    for name, value in reference.items():
        column = frame[name]
        label = column_label(name)
        if isinstance(column.dtype, pd.CategoricalDtype) or (
                pd.api.types.is_integer_dtype(column) and column.nunique() < 12):
            options = (list(column.cat.categories) if isinstance(column.dtype, pd.CategoricalDtype)
                       else sorted(column.unique().tolist()))
            rows = design([dict(reference, **{name: option}) for option in options]) - x_ref
            controls.append({"name": name, "label": label, "kind": "choice", "value": _json_value(value),
                             "options": [{"value": _json_value(o), "label": level_label(name, o),
                                          "delta": {str(j): float(d) for j, d in enumerate(row) if d != 0}}
                                         for o, row in zip(options, rows)]})
        else:
            low, high = float(column.quantile(0.005)), float(column.quantile(0.995))
            one, two = design([dict(reference, **{name: float(value) + 1}), dict(reference, **{name: float(value) + 2})])
            per_unit = one - x_ref
            if not np.allclose(two - x_ref, 2 * per_unit):
                raise ValueError(f"{name!r} does not enter the model linearly; the calculator cannot vary it")
            controls.append({"name": name, "label": label, "kind": "number", "value": float(value),
                             "low": min(low, float(value)), "high": max(high, float(value)),
                             "step": _nice_step((high - low) / 100),
                             "delta": {str(j): float(d) for j, d in enumerate(per_unit) if d != 0}})
    slices = [{"label": term_label(term), "start": sl.start, "stop": sl.stop}
              for term, sl in design_info.term_name_slices.items() if term != "Intercept"]
    spec = {"title": "Borrower PD calculator", "names": list(result.params.index),
            "estimate": _finite(result.params), "cov": _finite(np.asarray(result.cov_params()).ravel()),
            "z": float(stats.norm.ppf(1 - alpha / 2)), "reference_x": _finite(x_ref), "term_slices": slices,
            "controls": controls}
    return _explorer_widget_class()(kind="borrower", spec=spec, data=b"")


def _json_value(value):
    return value.item() if isinstance(value, np.generic) else value


def _nice_step(raw: float) -> float:
    """A step of 1, 2 or 5 times a power of ten, near ``raw`` (sliders that land on round values)."""
    if raw <= 0 or not np.isfinite(raw):
        return 1.0
    power = 10 ** np.floor(np.log10(raw))
    return float(min((m * power for m in (1, 2, 5, 10)), key=lambda s: abs(s - raw)))


def cutoff_widget(pd_hat, defaulted, amount_10k, rate_pct, cutoff: float = 0.1, lgd=SINGLE_LGD,
                  funding_cost_pct: float = BOOK_COST_PCT, lgd_groups=None):
    """The live cutoff explorer: PD cutoff, LGD (per loan, or one value for all) and funding cost.

    It opens at the setting given, so its first drawing is :func:`draw_cutoff_outcome` at the same
    setting, the static twin above it in the chapter.

    Args:
        pd_hat, defaulted, amount_10k, rate_pct: arrays of shape (n,) as for :func:`cutoff_outcome`.
        cutoff: starting PD cutoff, 0 to 1. lgd: one LGD or one per loan (shape (n,)), 0 to 1.
        funding_cost_pct: starting cost of funds and operations, percent a year.
        lgd_groups: optional labels of shape (n,) naming each loan's LGD (e.g. the guarantee method).

    Raises:
        ValueError: as :func:`cutoff_outcome`, or more than 255 distinct LGDs.
    """
    outcome = cutoff_outcome(pd_hat, defaulted, amount_10k, rate_pct, cutoff, lgd, funding_cost_pct)
    p = np.asarray(pd_hat, dtype=float)
    lgd_per_loan = np.broadcast_to(np.asarray(lgd, dtype=float), p.shape)
    groups = (np.asarray(lgd_groups).astype(str) if lgd_groups is not None
              else np.array([f"LGD {v:.0%}" for v in lgd_per_loan]))
    pairs = sorted(set(zip(groups.tolist(), lgd_per_loan.tolist())), key=lambda pair: (pair[1], pair[0]))
    if len(pairs) > 255:
        raise ValueError("the cutoff explorer takes at most 255 distinct LGDs (group them)")
    code_of = {pair: code for code, pair in enumerate(pairs)}
    codes = np.array([code_of[pair] for pair in zip(groups.tolist(), lgd_per_loan.tolist())], dtype=np.uint8)
    described, data = pack_columns({"pd": p, "y": np.asarray(defaulted).astype(np.uint8),
                                    "amount_10k": np.asarray(amount_10k, dtype=float),
                                    "rate_pct": np.asarray(rate_pct, dtype=float), "lgd_code": codes})
    described[0].update(dtype="float64", scale=1)  # PDs ship whole: a cutoff compares them exactly
    single = float(lgd_per_loan[0]) if np.all(lgd_per_loan == lgd_per_loan[0]) else SINGLE_LGD
    spec = {"title": "Cutoff explorer", "n": int(p.size), "columns": described,
            "lgd_levels": [{"label": label, "value": value} for label, value in pairs],
            "cutoff": float(outcome.cutoff), "lgd": single,
            "lgd_mode": "single" if np.all(lgd_per_loan == lgd_per_loan[0]) else "by guarantee",
            "funding_cost_pct": float(funding_cost_pct),
            "grid": np.quantile(p, np.linspace(0.02, 1.0, 40)).tolist()}
    return _explorer_widget_class()(kind="cutoff", spec=spec, data=data)


def sampling_widget(result, truth: pd.Series, term: str = "markup_pct", sample_size: int = 2000,
                    replications: int = 100, seed: int = 1):
    """The live sampling experiment: choose a coefficient, its true value and the sample size, then
    run; the browser draws and refits the samples exactly as :func:`sampling_experiment` does.

    Raises:
        ValueError: an unknown term, or a model the explorers cannot describe.
    """
    names = list(result.params.index)
    if term not in names:
        raise ValueError(f"unknown term {term!r}")
    terms, columns, intercept = _design_terms(result)
    described, data = pack_columns(columns)
    truth_values = truth.reindex(names).fillna(0.0).to_numpy(dtype=float)
    spec = {"title": "Sampling experiment", "n": int(result.model.exog.shape[0]), "names": names,
            "labels": [term_label(n) for n in names], "truth": _finite(truth_values),
            "std_err": _finite(result.bse), "intercept": intercept, "terms": terms, "columns": described,
            "term": term, "true_value": float(truth_values[names.index(term)]), "sample_size": int(sample_size),
            "replications": int(replications), "seed": int(seed), "min_size": 500, "max_size": 20000,
            "size_step": 500}
    return _explorer_widget_class()(kind="sampling", spec=spec, data=data)
