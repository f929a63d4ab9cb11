"""Model reports (chapters 6, 7 and 9): odds-ratio tables and estimates against the truth.

They take a fitted statsmodels binary-choice result (``smf.logit(...).fit()``) and return pandas
DataFrames indexed by the parameter names statsmodels uses. They refuse a fit whose estimates cannot
be trusted (see ``unstable_parameters``) rather than print an odds ratio of 0 with an interval from 0
to infinity. The coefficient tables keep the column ``p_value`` (statsmodels: ``result.pvalues``),
which the chapters and ``smecredit.labels`` use.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd


MAX_STD_ERR = 1e3  # a standard error above this (log-odds per unit of the term) marks a runaway estimate
EXTREME_PD = 1e-8  # fitted probabilities closer than this to 0 or 1 count as "0 or 1"
REMEDY = ("merge the level with a neighbouring one, drop the level (or its loans), or fit a penalised logit "
          "(ridge: smf.glm(..., family=sm.families.Binomial()).fit_regularized(alpha=..., L1_wt=0)) "
          "or a Firth logit")


class UnstableFitError(ValueError):
    """A fit whose estimates would mislead: it did not converge, or shows (quasi-)complete separation.

    ``parameters`` holds the reasons, indexed by statsmodels' parameter name (as ``unstable_parameters``).
    """

    def __init__(self, message: str, parameters: pd.Series):
        super().__init__(message)
        self.parameters = parameters


def _converged(result) -> bool:
    retvals = getattr(result, "mle_retvals", None)
    if isinstance(retvals, dict) and "converged" in retvals:
        return bool(retvals["converged"])
    return bool(getattr(result, "converged", True))  # GLM results carry it as an attribute


def unstable_parameters(result) -> pd.Series:
    """The parameters of a fitted binary model whose estimate, standard error and interval cannot be trusted.

    The rule, applied to each parameter (a column x of the design matrix):

    - its standard error is not finite or exceeds ``MAX_STD_ERR`` (1,000): the optimiser ran the
      coefficient off towards infinity;
    - x never changes sign and every loan where x is not 0 has the same outcome (for a level of a
      category: the level has no defaults, or only defaults). That is quasi-complete separation:
      moving the coefficient towards minus (or plus) infinity always raises the likelihood, so the
      maximum-likelihood estimate is infinite, whatever statsmodels prints;
    - it is the intercept or a dummy of a category (``term[T.level]``) whose reference level (the
      loans where all its dummies are 0) has no defaults or only defaults: the same separation, for
      the level the others are compared with;
    - every loan where x is not 0 has a fitted probability within ``EXTREME_PD`` (1e-8) of 0 or 1
      (separation by a combination of terms).

    And for the fit as a whole: if it did not converge (``result.mle_retvals["converged"]`` is False)
    and no parameter meets the rules above, no estimate is a maximum and every parameter is listed.
    If it did not converge because of the parameters listed, the note is added to their reasons.

    Args:
        result: fitted statsmodels binary-choice result (Logit, Probit, or a Binomial GLM).

    Returns:
        Series of reasons (text), indexed by parameter name, holding only the unstable parameters,
        in the fit's order; empty if the fit can be reported.
    """
    names = list(result.params.index)
    separated: dict[str, str] = {}
    extreme_fit: dict[str, str] = {}
    runaway: dict[str, str] = {}
    with np.errstate(all="ignore"):
        params = np.asarray(result.params, dtype=float)
        se = np.asarray(result.bse, dtype=float)
        for name, coef, s in zip(names, params, se):
            if not np.isfinite(s):
                runaway[name] = f"standard error is {s} (coefficient {coef:.4g})"
            elif s > MAX_STD_ERR:
                runaway[name] = f"standard error {s:,.0f} exceeds {MAX_STD_ERR:,.0f} (coefficient {coef:.4g})"
        model = getattr(result, "model", None)
        exog = getattr(model, "exog", None)
        endog = getattr(model, "endog", None)
        if exog is not None and endog is not None:
            x = np.asarray(exog, dtype=float)
            y = np.asarray(endog, dtype=float).ravel()
            if x.ndim == 2 and x.shape[1] == len(names) and y.size == x.shape[0]:
                nonzero = x != 0
                counts = nonzero.sum(axis=0)
                one_sign = (x >= 0).all(axis=0) | (x <= 0).all(axis=0)
                if np.isin(y, [0.0, 1.0]).all():
                    events = nonzero.T @ y
                    for j, name in enumerate(names):
                        if counts[j] and one_sign[j] and events[j] in (0, counts[j]):
                            what = "no defaults" if events[j] == 0 else "only defaults"
                            separated[name] = (f"{what} among the {int(counts[j]):,} loans where it is not 0 "
                                               "(quasi-complete separation: its maximum-likelihood estimate "
                                               "is infinite)")
                    separated |= _separated_reference_levels(names, x, y)
                try:
                    fitted = np.asarray(result.predict(), dtype=float).ravel()
                except Exception:  # noqa: BLE001  a result that cannot predict in sample: skip this rule
                    fitted = None
                if fitted is not None and fitted.size == y.size:
                    extreme = (fitted < EXTREME_PD) | (fitted > 1 - EXTREME_PD) | ~np.isfinite(fitted)
                    moderate = (nonzero & ~extreme[:, None]).sum(axis=0)
                    for j, name in enumerate(names):
                        if counts[j] and moderate[j] == 0:
                            extreme_fit[name] = (f"all {int(counts[j]):,} loans where it is not 0 have a fitted "
                                                 "probability of 0 or 1")
    reasons = {name: [] for name in names}
    for name in names:
        if name in separated:
            reasons[name].append(separated[name])
        elif name in extreme_fit:
            reasons[name].append(extreme_fit[name])
        if name in runaway:
            reasons[name].append(runaway[name])
    if not _converged(result):
        flagged = [name for name in names if reasons[name]]
        for name in flagged or names:
            reasons[name].append("the fit did not converge")
    return pd.Series({name: "; ".join(why) for name, why in reasons.items() if why}, dtype=object)


def _separated_reference_levels(names: list[str], x: np.ndarray, y: np.ndarray) -> dict[str, str]:
    """Reasons for the intercept and the dummies of a category whose reference level has one outcome only.

    The dummies of a category are the parameters named ``<term>[<level>]`` or ``<term>[T.<level>]``
    (as statsmodels' formulas name them), each 0 or 1, at most one 1 a loan. Its reference level is
    the loans where all are 0; if they all have the same outcome and the model has an intercept,
    lowering the intercept and raising every dummy by the same amount always raises the likelihood.
    """
    constant = [j for j in range(x.shape[1]) if np.all(x[:, j] == 1)]
    if not constant:
        return {}
    groups: dict[str, list[int]] = {}
    for j, name in enumerate(names):
        match = re.fullmatch(r"([^:\[]+)\[(?:T\.)?[^\]]*\]", name)
        if match:
            groups.setdefault(match.group(1), []).append(j)
    reasons = {}
    for term, columns in groups.items():
        dummies = x[:, columns]
        if not np.isin(dummies, [0.0, 1.0]).all() or (dummies.sum(axis=1) > 1).any():
            continue
        reference = dummies.sum(axis=1) == 0
        n, events = int(reference.sum()), float(y[reference].sum())
        if n and events in (0, n):
            what = "no defaults" if events == 0 else "only defaults"
            why = (f"{what} among the {n:,} loans of the reference level of {term} (quasi-complete separation: "
                   "the intercept and this category's estimates are infinite)")
            for j in [*constant, *columns]:
                reasons[names[j]] = why
    return reasons


def _refuse_or_flag(result, caller: str, allow_unstable: bool) -> pd.Series:
    """Boolean Series (by parameter) of the unstable ones; raise UnstableFitError unless allowed."""
    unstable = unstable_parameters(result)
    if len(unstable) and not allow_unstable:
        converged = _converged(result)
        lines = "\n".join(f"  {name}: {why}" for name, why in unstable.items())
        header = (f"{caller}: refusing to report an unstable fit"
                  + ("" if converged else " (it did not converge: result.mle_retvals['converged'] is False)")
                  + f"; its estimates, odds ratios and intervals would mislead for {len(unstable)} parameter(s):")
        raise UnstableFitError(
            f"{header}\n{lines}\nWhat to do: {REMEDY}. Check the counts first (a crosstab of the category "
            f"against default_12m). To see the table anyway, pass allow_unstable=True: these rows are then "
            f"flagged in a column 'unstable' and their intervals are NaN.",
            unstable,
        )
    return pd.Series(result.params.index.isin(unstable.index), index=result.params.index)


def odds_ratio_table(result, alpha: float = 0.05, allow_unstable: bool = False) -> pd.DataFrame:
    """Coefficients with standard errors and odds ratios with confidence intervals.

    An unstable fit is refused: one that did not converge, or with a parameter whose standard error
    is huge or not finite, or a level (any term) whose loans are all non-defaults, all defaults, or
    all fitted at a probability of 0 or 1 (complete or quasi-complete separation); the rule is that
    of ``unstable_parameters``. Such a fit would print, say, an odds ratio of 0.0 with an interval
    from 0 to infinity, which only looks like a result.

    Args:
        result: fitted statsmodels Logit result.
        alpha: 1 - confidence level of the intervals (0.05 gives 95% intervals).
        allow_unstable: if True, return the table of an unstable fit instead of refusing it, with a
            boolean column ``unstable``; on unstable rows ``z``, ``p_value``, ``odds_ratio``,
            ``or_low`` and ``or_high`` are NaN (``coef`` and ``std_err`` keep what statsmodels
            reports, as evidence).

    Returns:
        DataFrame indexed by parameter name with columns ``coef``, ``std_err``, ``z``,
        ``p_value``, ``odds_ratio``, ``or_low``, ``or_high`` (odds ratios = exp(coef)), and
        ``unstable`` when ``allow_unstable`` is True. No overflow warning is emitted: an odds
        ratio beyond the range of a float is inf.

    Raises:
        ValueError: alpha not strictly between 0 and 1.
        UnstableFitError (a ValueError): the fit is unstable and ``allow_unstable`` is False; the
            message names each unstable parameter, the reason, and what to do (merge or drop the
            level, or use a penalised or Firth logit).
    """
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be between 0 and 1, got {alpha}")
    unstable = _refuse_or_flag(result, "odds_ratio_table", allow_unstable)
    with np.errstate(over="ignore", invalid="ignore"):
        ci = result.conf_int(alpha=alpha)
        table = pd.DataFrame({
            "coef": result.params,
            "std_err": result.bse,
            "z": result.tvalues,
            "p_value": result.pvalues,
            "odds_ratio": np.exp(result.params),
            "or_low": np.exp(ci[0]),
            "or_high": np.exp(ci[1]),
        })
    if allow_unstable:
        table.loc[unstable, ["z", "p_value", "odds_ratio", "or_low", "or_high"]] = np.nan
        table["unstable"] = unstable
    return table


def compare_with_truth(result, truth: pd.Series, alpha: float = 0.05, allow_unstable: bool = False) -> pd.DataFrame:
    """Set each estimate beside the true coefficient of the simulation.

    An unstable fit is refused, as in ``odds_ratio_table`` (rule: ``unstable_parameters``): its
    exploded intervals would "cover" almost any truth.

    Args:
        result: fitted statsmodels result whose parameter names match ``truth``'s index.
        truth: true coefficients (log-odds scale), e.g. ``smecredit.true_coefficients()``.
        alpha: 1 - confidence level of the intervals.
        allow_unstable: if True, return the comparison of an unstable fit instead of refusing it,
            with a boolean column ``unstable``; on unstable rows ``ci_low``, ``ci_high`` and
            ``error_in_se`` are NaN and ``covered`` is False: an unstable row never counts as
            covering the truth (count coverage over the rows that are not unstable).

    Returns:
        DataFrame indexed by parameter name with ``true``, ``estimate``, ``std_err``,
        ``ci_low``, ``ci_high``, ``covered`` (True if the interval holds the truth) and
        ``error_in_se`` ((estimate - true) / std_err), for the parameters present in both;
        and ``unstable`` when ``allow_unstable`` is True.

    Raises:
        ValueError: no parameter name is shared by the fit and the truth.
        UnstableFitError (a ValueError): any parameter of the fit is unstable and
            ``allow_unstable`` is False; the message names them and says what to do.
    """
    shared = [name for name in result.params.index if name in truth.index]
    if not shared:
        raise ValueError("no parameter of the fitted model has a true coefficient; are the formulas alike?")
    unstable = _refuse_or_flag(result, "compare_with_truth", allow_unstable)[shared]
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        ci = result.conf_int(alpha=alpha).loc[shared]
        estimate = result.params[shared]
        se = result.bse[shared]
        true = truth[shared].astype(float)
        table = pd.DataFrame({
            "true": true,
            "estimate": estimate,
            "std_err": se,
            "ci_low": ci[0],
            "ci_high": ci[1],
            "covered": (ci[0] <= true) & (true <= ci[1]),
            "error_in_se": (estimate - true) / se,
        })
    if allow_unstable:
        table.loc[unstable, ["ci_low", "ci_high", "error_in_se"]] = np.nan
        table.loc[unstable, "covered"] = False
        table["unstable"] = unstable
    return table
