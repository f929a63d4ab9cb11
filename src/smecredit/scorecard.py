"""Scorecard: points from a logit, and the stability of a score over time.

A scorecard states a PD as points: score = offset + factor x ln(odds of good to bad), with
factor = PDO / ln 2 (points to double the odds) and offset = base_score - factor x ln(base_odds).
The common convention (Siddiqi 2012, used here by default) is 600 points at good:bad odds of 50:1
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
