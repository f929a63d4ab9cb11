"""Exploring default before any model (chapters 2 to 4): default rates with their intervals, by
group and in bins, funnel plots, vintage curves and the default correlation within groups
(guarantee circles).

Each takes the loan book (``smecredit.load_loans()``) or any frame with a 0/1 outcome column, and
returns a table indexed by group (the correlation: one number); none drops or changes a row silently.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from statsmodels.stats.proportion import proportion_confint


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


def binned_default_rates(loans: pd.DataFrame, column: str, bins=10, outcome: str = "default_12m",
                         alpha: float = 0.05) -> pd.DataFrame:
    """Default rate in bins of a numeric column, with the count behind each bin and a Wilson interval.

    Args:
        loans: one row per loan with a 0/1 ``outcome`` column.
        column: a numeric column with no missing values (e.g. ``markup_pct``).
        bins: an int for bins of about equal counts, cut at quantiles (``pd.qcut``; tied values
            can merge bins, so fewer may come back), or a sequence of bin edges (``pd.cut``,
            right-closed, the first bin including its left edge).
        outcome: the 0/1 default flag.
        alpha: 1 - confidence level of the intervals (0.05 gives 95%).

    Returns:
        DataFrame with one row per non-empty bin, in order, indexed by the bin (a pandas
        Interval, index named ``column``), with ``x_min``, ``x_mean``, ``x_max`` (the column's
        values in the bin, in its unit) followed by the columns of ``default_rate_table``:
        ``loans``, ``defaults``, ``rate``, ``ci_low``, ``ci_high`` (rates as fractions).

    Raises:
        KeyError: ``column`` or ``outcome`` is missing.
        ValueError: the column is not numeric or has missing values, a value lies outside
            the given edges, ``bins`` is an int below 1, or the outcome is not 0/1.
    """
    for name in (column, outcome):
        if name not in loans.columns:
            raise KeyError(f"columns not in the data: {[name]}")
    x = loans[column]
    if not pd.api.types.is_numeric_dtype(x):
        raise ValueError(f"{column} is not numeric")
    if x.isna().any():
        raise ValueError(f"{column} has {int(x.isna().sum())} missing values; bin the loans that have one")
    if isinstance(bins, (int, np.integer)):
        if bins < 1:
            raise ValueError(f"bins must be at least 1, got {bins}")
        binned = pd.qcut(x, int(bins), duplicates="drop")
    else:
        binned = pd.cut(x, bins, include_lowest=True)
        if binned.isna().any():
            raise ValueError(f"{int(binned.isna().sum())} values of {column} lie outside the bin edges {list(bins)}")
    frame = pd.DataFrame({"_bin": binned, "_x": x, outcome: loans[outcome]})
    rates = default_rate_table(frame, "_bin", outcome=outcome, alpha=alpha)
    x_stats = frame.groupby("_bin", observed=True)["_x"].agg(x_min="min", x_mean="mean", x_max="max")
    table = x_stats.join(rates)
    table.index.name = column
    return table


def funnel_limits(rate: float, n, levels=(0.95, 0.998)) -> pd.DataFrame:
    """Control limits of a funnel plot: the default rates a unit of ``n`` loans shows by chance alone.

    If every unit (sub-branch, account manager) had the true default rate ``rate``, the number of
    defaults among its ``n`` loans would be binomial(n, rate). The limits are exact binomial
    quantiles divided by ``n``: ``lower = binom.ppf((1 - level) / 2, n, rate) / n`` and
    ``upper = binom.ppf(1 - (1 - level) / 2, n, rate) / n``. A unit is outside the limits if its
    rate is strictly below ``lower`` or strictly above ``upper``; by chance that happens with
    probability at most ``1 - level`` (the binomial is discrete, so usually less).

    Args:
        rate: the benchmark default rate, strictly between 0 and 1 (usually the book's overall rate).
        n: one number of loans or an array of them, each at least 1.
        levels: coverage levels, each strictly between 0 and 1 (0.95 and 0.998 are the customary
            "two and three standard deviation" funnels).

    Returns:
        DataFrame indexed by ``n`` (named ``loans``) with, for each level, columns ``lower_<L>``
        and ``upper_<L>`` where ``<L>`` is the level in percent (``lower_95``, ``upper_99.8``);
        rates as fractions, 0 to 1.

    Raises:
        ValueError: ``rate`` or a level outside (0, 1), or an ``n`` below 1.
    """
    from scipy.stats import binom

    if not 0 < rate < 1:
        raise ValueError(f"rate must be between 0 and 1, got {rate}")
    sizes = np.atleast_1d(np.asarray(n, dtype=np.int64))
    if (sizes < 1).any():
        raise ValueError("every n must be at least 1")
    table = pd.DataFrame(index=pd.Index(sizes, name="loans"))
    for level in levels:
        if not 0 < level < 1:
            raise ValueError(f"levels must be between 0 and 1, got {level}")
        tail = (1 - level) / 2
        label = f"{100 * level:g}"
        table[f"lower_{label}"] = binom.ppf(tail, sizes, rate) / sizes
        table[f"upper_{label}"] = binom.ppf(1 - tail, sizes, rate) / sizes
    return table


def funnel_table(loans: pd.DataFrame, by: str, rate: float | None = None, levels=(0.95, 0.998),
                 outcome: str = "default_12m") -> pd.DataFrame:
    """Each unit's default rate beside its funnel-plot limits, with flags for units outside them.

    Args:
        loans: one row per loan with a 0/1 ``outcome`` column.
        by: the unit column, e.g. ``sub_branch`` or ``account_manager_id``.
        rate: the benchmark rate; default: the overall rate of ``loans``.
        levels: coverage levels of the limits, as in ``funnel_limits``.
        outcome: the 0/1 default flag.

    Returns:
        DataFrame indexed by unit with the columns of ``default_rate_table``, the limits of
        ``funnel_limits`` for the unit's number of loans, and booleans ``above_<L>`` and
        ``below_<L>`` for each level (True if the unit's rate is strictly outside that limit).

    Raises:
        KeyError, ValueError: as ``default_rate_table`` and ``funnel_limits``.
    """
    table = default_rate_table(loans, by, outcome=outcome)
    if rate is None:
        rate = table["defaults"].sum() / table["loans"].sum()
    limits = funnel_limits(rate, table["loans"].to_numpy(), levels=levels)
    limits.index = table.index
    table = table.join(limits)
    for level in levels:
        label = f"{100 * level:g}"
        table[f"above_{label}"] = table["rate"] > table[f"upper_{label}"]
        table[f"below_{label}"] = table["rate"] < table[f"lower_{label}"]
    return table


def vintage_curves(loans: pd.DataFrame, by: str = "origination_year", months: str = "months_to_default",
                   outcome: str = "default_12m", horizon: int = 12) -> pd.DataFrame:
    """Cumulative default rate by months on book, one column per vintage (or other group).

    The value for month m and group g is the share of g's loans that defaulted in month m or
    earlier. Every loan must have been observed for the whole ``horizon`` (true of the book's
    loan book, which follows each loan for 12 months); with loans still under observation the
    denominators would shrink and survival methods are needed instead.

    Args:
        loans: one row per loan with ``outcome`` (0/1) and ``months`` (the month of default,
            1 to ``horizon``, filled for defaults only).
        by: the grouping column, usually the vintage ``origination_year``.
        months: the column with the month after origination in which the loan defaulted.
        outcome: the 0/1 default flag.
        horizon: the number of months every loan was followed.

    Returns:
        DataFrame indexed by months on book 1..``horizon`` (named ``months_on_book``) with one
        column per group (in the group column's order) and cumulative default rates as
        fractions; the last row equals each group's default rate.

    Raises:
        KeyError: a named column is missing.
        ValueError: a default without a month, or a month outside 1 to ``horizon``.
    """
    missing = [c for c in (by, months, outcome) if c not in loans.columns]
    if missing:
        raise KeyError(f"columns not in the data: {missing}")
    defaulted = loans[outcome] == 1
    month = loans.loc[defaulted, months]
    if month.isna().any():
        raise ValueError(f"{int(month.isna().sum())} defaulted loans have no {months}")
    if ((month < 1) | (month > horizon)).any():
        raise ValueError(f"{months} must lie between 1 and {horizon}")
    on_book = pd.RangeIndex(1, horizon + 1, name="months_on_book")
    counts = pd.crosstab(month.astype(int), loans.loc[defaulted, by]).reindex(index=on_book, fill_value=0)
    sizes = loans.groupby(by, observed=True).size()
    counts = counts.reindex(columns=sizes.index, fill_value=0)
    curves = counts.cumsum() / sizes
    curves.columns.name = by
    return curves


def within_group_default_correlation(loans: pd.DataFrame, group: str = "guarantee_circle",
                                     unit: str = "borrower_id", outcome: str = "default_12m") -> float:
    """Default correlation within groups: how much more often two loans of one group default together
    than two loans picked independently would.

    Takes every pair of loans in one group (a guarantee circle, by default) that belong to different
    units (borrowers), so that a borrower's own loans are never paired with each other, and returns
    the correlation of the two loans' 0/1 flags over all those pairs,

        rho = (share of pairs in which both loans defaulted - p**2) / (p * (1 - p)),

    where p is the default rate of all loans in groups. This is Pearson's correlation over the pairs
    with both loans' mean and variance taken as p and p(1 - p), the usual estimator of default
    correlation; when every loan has equally many partners it equals the plain Pearson correlation of
    the list of pairs. It is 0 on average when defaults are independent of group membership, and
    positive when a group's members default together (a shared shock, contagion). For two loans with
    default rate p, P(one defaults | the other did) = p + rho * (1 - p).

    Args:
        loans: one row per loan, shape (n_loans, ...), with the columns named below. Loans whose
            ``group`` is missing or empty ("") belong to no group and are left out.
        group: the group column, e.g. ``guarantee_circle`` ("G0001", ...; "" for non-members).
        unit: the column naming who owns the loan; pairs within one unit are left out.
        outcome: the 0/1 default flag.

    Returns:
        The correlation, a float between -1 and 1 (a Python float).

    Raises:
        KeyError: ``group``, ``unit`` or ``outcome`` is not a column of ``loans``.
        ValueError: the outcome of the grouped loans holds values other than 0 and 1 (or is missing);
            no group holds loans of two different units (no pairs); or the grouped loans all
            defaulted or none did (the correlation is undefined).
    """
    missing = [c for c in (group, unit, outcome) if c not in loans.columns]
    if missing:
        raise KeyError(f"columns not in the data: {missing}")
    labels = loans[group]
    members = loans[labels.notna() & (labels.astype(str) != "")]
    flags = members[outcome]
    if not flags.isin([0, 1]).all():
        raise ValueError(f"{outcome} must hold only 0 and 1")
    flags = flags.astype(np.int64)
    per_unit = flags.groupby([members[group], members[unit]], observed=True).agg(["size", "sum"])
    per_group = pd.DataFrame({"n": per_unit["size"], "s": per_unit["sum"],
                              "n2": per_unit["size"] ** 2, "s2": per_unit["sum"] ** 2}).groupby(level=0).sum()
    # pairs of loans of different units in one group: (n^2 - sum of n_u^2) / 2; both defaulted: the same with s
    pairs = ((per_group["n"] ** 2 - per_group["n2"]) / 2).sum()
    both = ((per_group["s"] ** 2 - per_group["s2"]) / 2).sum()
    if pairs == 0:
        raise ValueError(f"no {group} holds loans of two different {unit} values: there are no pairs")
    p = flags.mean()
    if p in (0.0, 1.0):
        raise ValueError(f"the grouped loans' {outcome} is {int(p)} for every loan: the correlation is undefined")
    return float((both / pairs - p * p) / (p * (1 - p)))
