"""Reports: the tables a credit-risk analyst publishes, from the loan book and from a fitted logit.

Model reports take a fitted statsmodels binary-choice result (``smf.logit(...).fit()``)
and return pandas DataFrames indexed by the parameter names statsmodels uses.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from statsmodels.stats.proportion import proportion_confint


def term_label(name: str) -> str:
    """A readable label for a statsmodels parameter name.

    ``guarantee_method[T.joint_mutual]`` becomes ``guarantee_method = joint_mutual`` and
    ``C(origination_year)[T.2015]`` becomes ``origination_year = 2015``; other names are unchanged.
    """
    match = re.fullmatch(r"(?:C\()?([A-Za-z_][A-Za-z0-9_]*)\)?(?:,[^\]]*)?\[T\.(.+)\]", name)
    if match:
        return f"{match.group(1)} = {match.group(2)}"
    return name


def odds_ratio_table(result, alpha: float = 0.05) -> pd.DataFrame:
    """Coefficients with standard errors and odds ratios with confidence intervals.

    Args:
        result: fitted statsmodels Logit result.
        alpha: 1 - confidence level of the intervals (0.05 gives 95% intervals).

    Returns:
        DataFrame indexed by parameter name with columns ``coef``, ``std_err``, ``z``,
        ``p_value``, ``odds_ratio``, ``or_low``, ``or_high`` (odds ratios = exp(coef)).

    Raises:
        ValueError: alpha not strictly between 0 and 1.
    """
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be between 0 and 1, got {alpha}")
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
    return table


def compare_with_truth(result, truth: pd.Series, alpha: float = 0.05) -> pd.DataFrame:
    """Set each estimate beside the true coefficient of the simulation.

    Args:
        result: fitted statsmodels result whose parameter names match ``truth``'s index.
        truth: true coefficients (log-odds scale), e.g. ``smecredit.true_coefficients()``.
        alpha: 1 - confidence level of the intervals.

    Returns:
        DataFrame indexed by parameter name with ``true``, ``estimate``, ``std_err``,
        ``ci_low``, ``ci_high``, ``covered`` (True if the interval holds the truth) and
        ``error_in_se`` ((estimate - true) / std_err), for the parameters present in both.

    Raises:
        ValueError: no parameter name is shared by the fit and the truth.
    """
    shared = [name for name in result.params.index if name in truth.index]
    if not shared:
        raise ValueError("no parameter of the fitted model has a true coefficient; are the formulas alike?")
    ci = result.conf_int(alpha=alpha).loc[shared]
    estimate = result.params[shared]
    se = result.bse[shared]
    true = truth[shared].astype(float)
    return pd.DataFrame({
        "true": true,
        "estimate": estimate,
        "std_err": se,
        "ci_low": ci[0],
        "ci_high": ci[1],
        "covered": (ci[0] <= true) & (true <= ci[1]),
        "error_in_se": (estimate - true) / se,
    })


def default_rate_table(loans: pd.DataFrame, by: str | list[str], outcome: str = "default_12m",
                       alpha: float = 0.05) -> pd.DataFrame:
    """Default rate by group with the count behind it and a Wilson confidence interval.

    Args:
        loans: one row per loan with a 0/1 ``outcome`` column.
        by: column(s) to group by; categorical levels keep their order, empty groups are dropped.
        outcome: the 0/1 default flag.
        alpha: 1 - confidence level (0.05 gives 95% intervals).

    Returns:
        DataFrame indexed by group with ``loans``, ``defaults``, ``rate``, ``ci_low``, ``ci_high``
        (rates as fractions, 0 to 1).

    Raises:
        KeyError: a named column is missing.
        ValueError: the outcome holds values other than 0 and 1.
    """
    columns = [by] if isinstance(by, str) else list(by)
    missing = [c for c in [*columns, outcome] if c not in loans.columns]
    if missing:
        raise KeyError(f"columns not in the data: {missing}")
    values = loans[outcome]
    if not values.isin([0, 1]).all():
        raise ValueError(f"{outcome} must hold only 0 and 1")
    grouped = values.groupby([loans[c] for c in columns], observed=True)
    table = pd.DataFrame({"loans": grouped.size(), "defaults": grouped.sum()})
    table["rate"] = table["defaults"] / table["loans"]
    low, high = proportion_confint(table["defaults"], table["loans"], alpha=alpha, method="wilson")
    table["ci_low"], table["ci_high"] = low, high
    return table
