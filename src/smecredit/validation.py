"""Validating a PD model (chapter 8): discrimination (AUC, Gini, ROC, KS), calibration
(calibration table, Hosmer-Lemeshow) and error counts at a cutoff.

Each takes the 0/1 outcomes (1 = default) and the model's scores or predicted PDs as array-likes of
the same length; none reorders or drops anything silently. Test results use statsmodels' names:
``statistic``, ``df`` and ``pvalue``.
"""

from __future__ import annotations

import warnings
from typing import NamedTuple

import numpy as np
import pandas as pd


def _outcomes_and_scores(y, score, *, need_both_classes: bool, probabilities: bool) -> tuple[np.ndarray, np.ndarray]:
    """Check and convert outcomes and scores to float arrays of shape (n,)."""
    y = np.asarray(y, dtype=float).ravel()
    score = np.asarray(score, dtype=float).ravel()
    if y.shape != score.shape:
        raise ValueError(f"outcomes and scores differ in length: {y.size} and {score.size}")
    if y.size == 0:
        raise ValueError("no observations")
    if np.isnan(score).any() or np.isnan(y).any():
        raise ValueError("outcomes and scores must not be missing (NaN)")
    if not np.isin(y, [0.0, 1.0]).all():
        raise ValueError("outcomes must be 0 (no default) or 1 (default)")
    if need_both_classes and (y.min() == y.max()):
        raise ValueError("outcomes are all one class: discrimination needs both defaults and non-defaults")
    if probabilities and ((score < 0) | (score > 1)).any():
        raise ValueError("predicted PDs must lie between 0 and 1")
    return y, score


def auc(y, score) -> float:
    """Area under the ROC curve, in its Mann-Whitney form.

    The AUC is the probability that a randomly chosen defaulter has a higher score than a randomly
    chosen non-defaulter, counting ties as one half:
    ``AUC = (R1 - n1 (n1 + 1) / 2) / (n1 n0)``, with ``R1`` the sum of the defaulters' mid-ranks.

    Args:
        y: outcomes, 0 or 1 (1 = default), shape (n,).
        score: scores, higher = riskier (e.g. predicted PDs), shape (n,).

    Returns:
        AUC between 0 and 1 (0.5 = no discrimination).

    Raises:
        ValueError: lengths differ, missing values, outcomes other than 0/1, or only one class.
    """
    from scipy.stats import rankdata

    y, score = _outcomes_and_scores(y, score, need_both_classes=True, probabilities=False)
    ranks = rankdata(score)  # mid-ranks for ties
    n1 = y.sum()
    n0 = y.size - n1
    return float((ranks[y == 1].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


def gini(y, score) -> float:
    """Gini coefficient (accuracy ratio) of a score: ``2 * AUC - 1``, from -1 to 1 (0 = no discrimination).

    Raises:
        ValueError: as ``auc``.
    """
    return 2.0 * auc(y, score) - 1.0


def roc_curve(y, score) -> pd.DataFrame:
    """Points of the ROC curve, one per distinct score, from (0, 0) to (1, 1).

    At a cutoff ``c`` every loan with ``score >= c`` is flagged as a default.

    Returns:
        DataFrame with columns ``cutoff`` (inf for the first point, then the distinct scores in
        decreasing order), ``fpr`` (share of non-defaulters flagged) and ``tpr`` (share of
        defaulters flagged); tied scores move both rates in one step.

    Raises:
        ValueError: as ``auc``.
    """
    y, score = _outcomes_and_scores(y, score, need_both_classes=True, probabilities=False)
    cutoffs = np.unique(score)[::-1]
    order = np.argsort(-score, kind="stable")
    sorted_score, sorted_y = score[order], y[order]
    # number flagged at each cutoff = loans with score >= cutoff
    flagged = np.searchsorted(-sorted_score, -cutoffs, side="right")
    true_pos = np.concatenate([[0.0], np.cumsum(sorted_y)])[flagged]
    false_pos = flagged - true_pos
    n1 = y.sum()
    n0 = y.size - n1
    return pd.DataFrame({
        "cutoff": np.concatenate([[np.inf], cutoffs]),
        "fpr": np.concatenate([[0.0], false_pos / n0]),
        "tpr": np.concatenate([[0.0], true_pos / n1]),
    })


def ks_statistic(y, score) -> float:
    """Kolmogorov-Smirnov statistic: the largest distance between the score CDFs of defaulters and non-defaulters.

    ``KS = max over s of |F0(s) - F1(s)|``, where F0 and F1 are the empirical CDFs of the scores of
    non-defaulters and defaulters; equivalently the largest vertical gap ``tpr - fpr`` on the ROC curve.

    Returns:
        KS between 0 and 1.

    Raises:
        ValueError: as ``auc``.
    """
    curve = roc_curve(y, score)
    return float((curve["tpr"] - curve["fpr"]).abs().max())


def calibration_table(y, pd_hat, n_groups: int = 10) -> pd.DataFrame:
    """Observed default rate against mean predicted PD in groups of (nearly) equal size, by predicted PD.

    Loans are ranked by predicted PD and cut into ``n_groups`` groups, group 1 holding the lowest PDs.
    Loans with the same PD always fall in the same group, so the table does not depend on the order
    of the rows: a block of tied PDs joins the group in which it starts (the group of its lowest
    rank). Ties can therefore make groups unequal, or leave a group empty; empty groups are dropped,
    the others numbered 1, 2, ... in order, and a warning says so when a group is lost or the sizes
    differ by more than 5% of the equal size (a loan or two of difference, common with tree models'
    tied PDs, changes nothing that matters and is not worth a warning).

    Args:
        y: outcomes, 0 or 1, shape (n,).
        pd_hat: predicted PDs in [0, 1], shape (n,).
        n_groups: number of groups asked for (10 gives deciles), between 1 and n.

    Returns:
        DataFrame indexed by ``group`` (1..G, G <= n_groups) with ``n``, ``pd_low``, ``pd_high``,
        ``mean_pd`` (mean predicted PD), ``defaults`` (observed), ``expected`` (sum of predicted
        PDs) and ``observed_rate``.

    Raises:
        ValueError: bad outcomes or PDs (as ``auc``, but one class is allowed), or n_groups
            not between 1 and n.

    Warns:
        UserWarning: ties made the groups unequal (names how many groups and their sizes).
    """
    groups = _pd_groups(y, pd_hat, n_groups)
    table = pd.DataFrame(groups, index=pd.RangeIndex(1, groups["n"].size + 1, name="group"))
    table["observed_rate"] = table["defaults"] / table["n"]
    return table


def _pd_groups(y, pd_hat, n_groups: int) -> dict[str, np.ndarray]:
    """The columns of ``calibration_table`` but ``observed_rate``, as arrays (checks and warns as it does).

    Plain numpy rather than a groupby: chapter 8 runs the Hosmer-Lemeshow test hundreds of times.
    """
    y, pd_hat = _outcomes_and_scores(y, pd_hat, need_both_classes=False, probabilities=True)
    if not 1 <= n_groups <= y.size:
        raise ValueError(f"n_groups must be between 1 and the number of loans ({y.size}), got {n_groups}")
    order = np.argsort(pd_hat, kind="stable")
    sorted_pd, sorted_y = pd_hat[order], y[order]
    first_rank = np.searchsorted(sorted_pd, sorted_pd, side="left")  # 0-based rank of each PD's first tie
    group = first_rank * n_groups // y.size  # the equal-size cut, applied to whole blocks of ties
    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])  # a group is a run of the sorted PDs
    ends = np.r_[starts[1:], y.size]
    counts = ends - starts
    expected = np.add.reduceat(sorted_pd, starts)
    if counts.size < n_groups or counts.max() - counts.min() > max(1.0, 0.05 * y.size / n_groups):
        warnings.warn(f"tied predicted PDs kept together: {counts.size} groups (of {n_groups} asked) with "
                      f"{counts.min():,} to {counts.max():,} loans", UserWarning, stacklevel=3)
    return {"n": counts, "pd_low": sorted_pd[starts], "pd_high": sorted_pd[ends - 1], "mean_pd": expected / counts,
            "defaults": np.add.reduceat(sorted_y, starts).astype(int), "expected": expected}


class HosmerLemeshow(NamedTuple):
    """Result of ``hosmer_lemeshow``: ``statistic``, ``df`` and ``pvalue``, named as in statsmodels and
    scipy; it unpacks as a tuple in that order."""

    statistic: float
    df: int
    pvalue: float


def hosmer_lemeshow(y, pd_hat, n_groups: int = 10, *, fitted_on_these_loans: bool) -> HosmerLemeshow:
    """Hosmer-Lemeshow goodness-of-fit test over the groups of ``calibration_table``.

    ``H = sum over groups g of (O_g - E_g)^2 / (E_g (1 - E_g / n_g))``, with O_g observed defaults,
    E_g the sum of predicted PDs and n_g loans in group g, compared with a chi-squared distribution.
    Its degrees of freedom depend on where the PDs come from, so the caller must say:

    - ``fitted_on_these_loans=True``: PDs of the loans the model was estimated on. Fitting uses up
      two degrees of freedom, so df = G - 2 (Hosmer & Lemeshow's simulations).
    - ``fitted_on_these_loans=False``: PDs scored on loans the model never saw (a hold-out or an
      out-of-time sample). Nothing was fitted to these outcomes, so each group is an independent
      test and df = G (Hosmer & Lemeshow, *Applied Logistic Regression*, on external validation).

    G is the number of groups ``calibration_table`` forms (fewer than ``n_groups`` when ties fill
    whole groups).

    Args:
        y, pd_hat, n_groups: as ``calibration_table``; n_groups at least 3.
        fitted_on_these_loans: whether the model was estimated on these loans (keyword, no default).

    Returns:
        HosmerLemeshow(statistic, df, pvalue).

    Raises:
        ValueError: as ``calibration_table``; n_groups below 3; fewer than 3 groups after ties; or
            a group whose predicted PDs are all 0 or all 1 (its variance is zero).
    """
    from scipy.stats import chi2

    if n_groups < 3:
        raise ValueError(f"the Hosmer-Lemeshow test needs at least 3 groups, got {n_groups}")
    groups = _pd_groups(y, pd_hat, n_groups)
    n_formed = groups["n"].size
    if n_formed < 3:
        raise ValueError(f"ties left only {n_formed} groups of predicted PDs; the test needs at least 3")
    variance = groups["expected"] * (1 - groups["expected"] / groups["n"])
    if (variance <= 0).any():
        raise ValueError("a group has predicted PDs all 0 or all 1; use fewer groups")
    statistic = float(np.sum((groups["defaults"] - groups["expected"]) ** 2 / variance))
    df = n_formed - 2 if fitted_on_these_loans else n_formed
    return HosmerLemeshow(statistic, df, float(chi2.sf(statistic, df)))


def confusion_matrix(y, pd_hat, cutoff: float) -> pd.DataFrame:
    """Counts of loans by actual outcome and by the model's call at a cutoff.

    A loan is predicted to default when its predicted PD is at least ``cutoff``.

    Args:
        y: outcomes, 0 or 1, shape (n,).
        pd_hat: predicted PDs (or any score), shape (n,).
        cutoff: the PD from which a loan is called a default.

    Returns:
        2 x 2 DataFrame of counts (int): index ``actual`` and columns ``predicted``, each with
        levels 0 (no default) and 1 (default). ``[1, 0]`` are missed defaults (false negatives),
        ``[0, 1]`` good loans called bad (false positives).

    Raises:
        ValueError: bad outcomes or scores (one class is allowed) or a missing cutoff.
    """
    y, pd_hat = _outcomes_and_scores(y, pd_hat, need_both_classes=False, probabilities=False)
    if cutoff is None or np.isnan(cutoff):
        raise ValueError("cutoff must be a number")
    called = pd_hat >= cutoff
    actual = y == 1
    counts = [[int((~actual & ~called).sum()), int((~actual & called).sum())],
              [int((actual & ~called).sum()), int((actual & called).sum())]]
    return pd.DataFrame(counts, index=pd.Index([0, 1], name="actual"), columns=pd.Index([0, 1], name="predicted"))
