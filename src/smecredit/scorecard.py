"""Scorecard: points from a logit, and the stability of a score over time.

A scorecard states a PD as points: score = offset + factor x ln(odds of good to bad), with
factor = PDO / ln 2 (points to double the odds) and offset = base_score - factor x ln(base_odds).
The common convention (Siddiqi 2006, used here by default) is 600 points at good:bad odds of 50:1
and 20 points to double the odds.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def _factor_offset(base_score: float, base_odds: float, pdo: float) -> tuple[float, float]:
    if base_odds <= 0 or pdo <= 0:
        raise ValueError("base_odds and pdo must be positive")
    factor = pdo / np.log(2.0)
    return factor, base_score - factor * np.log(base_odds)


def score_from_pd(pd_hat, base_score: float = 600.0, base_odds: float = 50.0, pdo: float = 20.0) -> np.ndarray:
    """Scorecard points for PDs (higher is safer).

    Args:
        pd_hat: PDs strictly between 0 and 1, any shape.
        base_score, base_odds, pdo: the scaling: ``base_score`` points at good:bad odds of
            ``base_odds``, and ``pdo`` points to double the odds.

    Raises:
        ValueError: a PD outside (0, 1), or non-positive base_odds or pdo.
    """
    p = np.asarray(pd_hat, dtype=float)
    if ((p <= 0) | (p >= 1)).any():
        raise ValueError("PDs must lie strictly between 0 and 1")
    factor, offset = _factor_offset(base_score, base_odds, pdo)
    return offset + factor * np.log((1 - p) / p)


def pd_from_score(score, base_score: float = 600.0, base_odds: float = 50.0, pdo: float = 20.0) -> np.ndarray:
    """The PD a score stands for: the inverse of ``score_from_pd``."""
    factor, offset = _factor_offset(base_score, base_odds, pdo)
    odds_good = np.exp((np.asarray(score, dtype=float) - offset) / factor)
    return 1.0 / (1.0 + odds_good)


def coefficient_points(params: pd.Series, pdo: float = 20.0) -> pd.Series:
    """Points each coefficient is worth: -beta x PDO / ln 2 (a risk-raising coefficient costs points).

    For a continuous factor the points are per unit; for a category, against its reference level.
    """
    return -params * pdo / np.log(2.0)


def population_stability_index(expected, actual, bins: int = 10) -> float:
    """Population stability index of a score between a reference sample and a new one.

    PSI = sum over bins of (a - e) x ln(a / e), with bins cut at the deciles (for ``bins=10``)
    of the reference sample and a and e the shares of each sample in each bin. A common reading:
    below 0.1 stable, 0.1 to 0.25 some shift, above 0.25 a large shift.

    Raises:
        ValueError: fewer than ``bins`` values in either sample, or bins below 2.
    """
    e = np.asarray(expected, dtype=float)
    a = np.asarray(actual, dtype=float)
    if bins < 2 or e.size < bins or a.size < bins:
        raise ValueError("need at least 2 bins and as many values as bins in each sample")
    edges = np.unique(np.quantile(e, np.linspace(0, 1, bins + 1)))
    edges[0], edges[-1] = -np.inf, np.inf
    e_share = np.histogram(e, edges)[0] / e.size
    a_share = np.histogram(a, edges)[0] / a.size
    # An empty bin would make the log infinite: give it half an observation.
    e_share = np.where(e_share == 0, 0.5 / e.size, e_share)
    a_share = np.where(a_share == 0, 0.5 / a.size, a_share)
    return float(np.sum((a_share - e_share) * np.log(a_share / e_share)))


# --- Weight of evidence and information value ---------------------------------------------------

MISSING_BIN = "missing"

# (upper limit of the IV, reading), the usual reading of an information value (Siddiqi 2006)
IV_READINGS: tuple[tuple[float, str], ...] = ((0.02, "useless"), (0.1, "weak"), (0.3, "medium"), (np.inf, "strong"))


def quantile_cuts(x, n_bins: int = 5, decimals: int = 1) -> np.ndarray:
    """Interior cut points at the quantiles of ``x`` (missing values ignored), rounded to ``decimals``.

    Args:
        x: numeric values, shape (n,); cut on the training loans only, then reused on new loans.
        n_bins: bins wanted (at least 2); fewer come back when ties or rounding merge quantiles.

    Returns:
        The distinct rounded cut points, increasing, shape (<= n_bins - 1,), in the units of ``x``.

    Raises:
        ValueError: n_bins below 2, or no non-missing value.
    """
    values = pd.Series(x, dtype=float).dropna().to_numpy()
    if n_bins < 2 or values.size == 0:
        raise ValueError("need at least 2 bins and some non-missing values")
    cuts = np.unique(np.round(np.quantile(values, np.linspace(0, 1, n_bins + 1)[1:-1]), decimals))
    return cuts[(cuts > values.min()) & (cuts <= values.max())]


def assign_bins(x, cuts=None) -> pd.Series:
    """The bin of each value: an interval for numeric ``x`` cut at ``cuts``, else the value's level.

    With ``cuts`` = [c1, ..., ck], the bins are "under c1", "c1 to c2", ..., "ck and over", each
    closed on the left (a value equal to c1 falls in "c1 to c2"); the outer bins are open, so a new
    value beyond the training range lands in an end bin. With ``cuts=None`` each distinct value is a
    bin (a category, or a grade). Missing values form their own bin, ``MISSING_BIN``.

    Returns:
        Series of bin labels (str), shape (n,), with the index of ``x`` when it has one.
    """
    series = pd.Series(x) if not isinstance(x, pd.Series) else x
    missing = series.isna()
    if cuts is None:
        labels = series.astype(object).map(str)
    else:
        cuts = np.asarray(cuts, dtype=float)
        names = ([f"under {cuts[0]:g}"] + [f"{a:g} to {b:g}" for a, b in zip(cuts[:-1], cuts[1:])]
                 + [f"{cuts[-1]:g} and over"])
        codes = np.searchsorted(cuts, series.to_numpy(dtype=float), side="right")
        labels = pd.Series(np.asarray(names, dtype=object)[np.minimum(codes, len(names) - 1)], index=series.index)
    return labels.where(~missing, MISSING_BIN).astype(str)


def woe_table(x, y, cuts=None) -> pd.DataFrame:
    """Weight of evidence and information value of one factor, bin by bin.

    WOE of a bin = ln(share of all goods in the bin / share of all bads in the bin), where goods are
    loans that did not default (y = 0) and bads those that did (y = 1). **Sign:** a positive WOE marks
    a bin safer than the sample as a whole, a negative one riskier (as in Siddiqi 2006; some texts use
    the inverse ratio). A bin's IV contribution is (share of goods - share of bads) x WOE, never negative.
    **Small counts:** a bin with no goods (or no bads) would have an infinite WOE, so its zero count is
    replaced by half a loan (0.5) before the shares are taken; the totals stay those observed.

    Args:
        x: the factor, shape (n,): numeric (cut at ``cuts``) or categorical (``cuts=None``); missing
            values form a bin of their own (see ``assign_bins``).
        y: outcomes, 0 or 1 (1 = default), shape (n,).
        cuts: interior cut points for numeric ``x`` (e.g. from ``quantile_cuts`` on training loans).

    Returns:
        DataFrame with one row per bin that holds loans (numeric bins in order; levels in the order
        of a categorical's categories, else sorted; the missing bin last),
        indexed by bin label and named after ``x``; columns ``loans``, ``defaults`` (bads), ``goods``,
        ``rate`` (default rate), ``share_goods``, ``share_bads`` (after the adjustment), ``woe`` (log
        ratio, no unit) and ``iv`` (the bin's contribution to the information value).

    Raises:
        ValueError: lengths differ, outcomes other than 0/1, outcomes all one class, or a numeric bin
            with no loans (merge it with a neighbour).
    """
    labels = assign_bins(x, cuts)
    y = np.asarray(y, dtype=float).ravel()
    if y.size != labels.size:
        raise ValueError(f"x and y differ in length: {labels.size} and {y.size}")
    if not np.isin(y, [0.0, 1.0]).all():
        raise ValueError("outcomes must be 0 (no default) or 1 (default)")
    total_bads = y.sum()
    total_goods = y.size - total_bads
    if total_bads == 0 or total_goods == 0:
        raise ValueError("outcomes are all one class: WOE needs both defaults and non-defaults")
    counts = pd.DataFrame({"bin": labels.to_numpy(), "y": y}).groupby("bin", sort=False)["y"].agg(["size", "sum"])
    if cuts is not None:
        order = assign_bins(np.r_[-np.inf, np.asarray(cuts, dtype=float)], cuts).tolist()
        empty = [b for b in order if b not in counts.index]
        if empty:
            raise ValueError(f"bins without loans: {', '.join(empty)}; merge them with a neighbour")
        order += [MISSING_BIN] if MISSING_BIN in counts.index else []
    elif isinstance(getattr(x, "dtype", None), pd.CategoricalDtype):
        order = [str(level) for level in x.cat.categories if str(level) in counts.index]
        order += [MISSING_BIN] if MISSING_BIN in counts.index else []
    else:
        order = sorted(counts.index, key=lambda b: (b == MISSING_BIN, b))
    counts = counts.loc[order]
    table = pd.DataFrame({"loans": counts["size"].astype(int), "defaults": counts["sum"].astype(int)})
    table["goods"] = table["loans"] - table["defaults"]
    table["rate"] = table["defaults"] / table["loans"]
    table["share_goods"] = table["goods"].where(table["goods"] > 0, 0.5) / total_goods
    table["share_bads"] = table["defaults"].where(table["defaults"] > 0, 0.5) / total_bads
    table["woe"] = np.log(table["share_goods"] / table["share_bads"])
    table["iv"] = (table["share_goods"] - table["share_bads"]) * table["woe"]
    table.index = pd.Index(table.index, name=getattr(x, "name", None) or "bin")
    return table


def information_value(table: pd.DataFrame) -> float:
    """Information value of a factor: the sum of its bins' contributions in a ``woe_table``,
    sum of (share of goods - share of bads) x WOE. No unit; 0 when every bin has the sample's rate."""
    return float(table["iv"].sum())


def iv_strength(iv: float) -> str:
    """The usual reading of an information value: below 0.02 "useless", 0.02 to 0.1 "weak",
    0.1 to 0.3 "medium", above 0.3 "strong" (Siddiqi 2006; an IV far above 0.5 is suspicious)."""
    return next(reading for limit, reading in IV_READINGS if iv < limit)


def woe_transform(x, table: pd.DataFrame, cuts=None) -> np.ndarray:
    """Replace each value of a factor by the WOE of its bin in ``table`` (a ``woe_table`` built on
    the training loans with the same ``cuts``). A bin the table never saw (a new level, or missing
    values absent from training) gets WOE 0, the sample's average risk.

    Returns:
        Float array of shape (n,).
    """
    return assign_bins(x, cuts).map(table["woe"]).fillna(0.0).to_numpy(dtype=float)


# --- Reject inference ------------------------------------------------------------------------------

def fuzzy_augmentation(approved: pd.DataFrame, rejected: pd.DataFrame, pd_rejected, outcome: str = "default_12m"
                       ) -> pd.DataFrame:
    """Approved loans plus each rejected applicant twice, as a default with weight PD and as a
    non-default with weight 1 - PD (fuzzy augmentation, a simple form of reject inference).

    Args:
        approved: the loans with observed outcomes (column ``outcome``), weight 1 each.
        rejected: the applicants without outcomes (their ``outcome`` column, if any, is overwritten).
        pd_rejected: the PDs inferred for the rejected, shape (len(rejected),), e.g. from a model
            fitted on the approved loans.

    Returns:
        DataFrame of len(approved) + 2 len(rejected) rows with a ``weight`` column; the weights of
        the rejected sum to their number, so each counts as one applicant.

    Raises:
        ValueError: the PDs are not one per rejected applicant or lie outside [0, 1].
    """
    p = np.asarray(pd_rejected, dtype=float).ravel()
    if p.size != len(rejected) or ((p < 0) | (p > 1)).any():
        raise ValueError("need one PD in [0, 1] per rejected applicant")
    as_bad = rejected.assign(**{outcome: 1, "weight": p})
    as_good = rejected.assign(**{outcome: 0, "weight": 1 - p})
    return pd.concat([approved.assign(weight=1.0), as_bad, as_good], ignore_index=True)
