"""Baselines and other model families for chapter 8: the loan book as a tree ensemble sees it, and a
test of the average PD that also applies to a null model.

A gradient-boosting model takes a table of numbers and categories, not a formula. ``tree_features``
builds that table from the loan book with the variables of the chapter's extended logit, so that
the logit and the trees are compared on the same information:

- the two ordered factors, the internal rating (AA best to B worst) and the size class (micro to
  medium), become their rank, 0, 1, 2, ..., so a tree can split them at any point of their order;
- the unordered factors (industry, repayment and guarantee method) stay pandas categoricals with
  every level of the data dictionary, which scikit-learn's ``HistGradientBoostingClassifier`` splits
  natively (``categorical_features="from_dtype"``): the levels, and so the codes, are the same in
  every subset of loans, whichever levels a subset happens to contain;
- the vintage (origination year), as a number, only when asked: an out-of-time model cannot know a
  year it has not seen.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from .validation import _outcomes_and_scores

ORDERED = ["internal_rating", "size_class"]
UNORDERED = ["industry", "repayment_method", "guarantee_method"]
NUMERIC = ["debt_ratio_pct", "markup_pct", "shareholder_holding_years", "owner_experience_years",
           "owner_age_years", "firm_age_years", "registered_capital_10k"]
TREE_COLUMNS = ORDERED + UNORDERED + NUMERIC


def tree_features(book: pd.DataFrame, vintage: bool = False) -> pd.DataFrame:
    """The extended logit's variables as a gradient-boosting model takes them.

    Args:
        book: loans with the loan book's columns and dtypes (``smecredit.load_loans``); the ordered
            and unordered factors must be pandas categoricals (their levels fix the codes).
        vintage: add ``origination_year`` as a number (for models that may use the vintage).

    Returns:
        A new DataFrame, same index: ordered factors as their rank (int), unordered factors as
        categoricals with the book's full set of levels, numeric columns as float.

    Raises:
        KeyError: a column is missing. TypeError: a factor is not a categorical, or an ordered
            factor has a missing value (a rank needs a level).
    """
    columns = TREE_COLUMNS + (["origination_year"] if vintage else [])
    missing = [c for c in columns if c not in book.columns]
    if missing:
        raise KeyError(f"tree_features(): the loans have no column {', '.join(missing)}")
    features = pd.DataFrame(index=book.index)
    for column in ORDERED + UNORDERED:
        if not isinstance(book[column].dtype, pd.CategoricalDtype):
            raise TypeError(f"tree_features(): {column} must be a pandas categorical (load the book with load_loans)")
    for column in ORDERED:
        codes = book[column].cat.codes
        if (codes < 0).any():
            raise TypeError(f"tree_features(): {column} has missing values; an ordered factor needs a level")
        features[column] = codes.astype(int)
    for column in UNORDERED:
        features[column] = book[column]
    for column in NUMERIC + (["origination_year"] if vintage else []):
        features[column] = book[column].astype(float)
    return features


class AverageTest(NamedTuple):
    """Result of ``calibration_in_the_large``: observed and expected defaults, ``statistic``, ``df``
    and ``pvalue``, named as in statsmodels and scipy."""

    observed: float
    expected: float
    statistic: float
    df: int
    pvalue: float


def calibration_in_the_large(y, pd_hat) -> AverageTest:
    """Is the average PD right? A test of observed against expected defaults on loans the model never saw.

    With O the observed defaults, E the sum of the predicted PDs and V the sum of ``p (1 - p)`` (the
    variance of the number of defaults if the PDs are right and the loans independent),
    ``(O - E)**2 / V`` is roughly chi-squared with one degree of freedom. It is the Hosmer-Lemeshow
    test with a single group, except that V uses each loan's own PD, and it works for a null model,
    which gives every loan the same PD and so has no deciles to compare.

    Args:
        y: outcomes, 0 or 1 (1 = default), shape (n,).
        pd_hat: predicted PDs in [0, 1], shape (n,).

    Returns:
        AverageTest(observed, expected, statistic, df=1, pvalue).

    Raises:
        ValueError: as ``smecredit.validation.calibration_table``, or every PD is 0 or 1.
    """
    from scipy.stats import chi2

    y, pd_hat = _outcomes_and_scores(y, pd_hat, need_both_classes=False, probabilities=True)
    variance = float(np.sum(pd_hat * (1 - pd_hat)))
    if variance <= 0:
        raise ValueError("every predicted PD is 0 or 1: the number of defaults has no variance")
    observed, expected = float(y.sum()), float(pd_hat.sum())
    statistic = (observed - expected) ** 2 / variance
    return AverageTest(observed, expected, statistic, 1, float(chi2.sf(statistic, 1)))
