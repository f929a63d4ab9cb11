"""Reports: the tables a credit-risk analyst publishes, from the loan book and from a fitted logit.

Model reports take a fitted statsmodels binary-choice result (``smf.logit(...).fit()``)
and return pandas DataFrames indexed by the parameter names statsmodels uses. They refuse a fit
whose estimates cannot be trusted (see ``unstable_parameters``) rather than print an odds ratio of
0 with an interval from 0 to infinity.

Test results use statsmodels' names: ``statistic``, ``df`` and ``pvalue`` (``hosmer_lemeshow``).
The coefficient tables keep their column ``p_value`` (statsmodels: ``result.pvalues``), which the
chapters and ``smecredit.labels`` use.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from statsmodels.stats.proportion import proportion_confint

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


DAYS_PER_MONTH = 30.44  # the generator's month length in days (smecredit.simulate)


def book_at(loans: pd.DataFrame, date) -> pd.DataFrame:
    """Snapshot of the loan book on a date: each loan's status and outstanding balance.

    The loan book has one row per loan *granted* (a flow); a bank reports the loans *outstanding* on
    a date (a stock). The data record no repayment dates and no write-offs, so the snapshot rests on
    these stated rules:

    - a loan is on the book from its ``origination_date`` until maturity, ``term_months`` months
      later (a month is ``DAYS_PER_MONTH`` days, as in the generator); a loan granted on ``date``
      is on the book;
    - a defaulted loan becomes non-performing ``months_to_default`` months after origination and
      then stays on the book, non-performing, at its ``ead_10k``, past maturity and up to any date:
      balances are gross of recoveries, because the data give only the recoveries made by the
      cut-off, not when they came in, and no loan is written off;
    - a performing loan owes its scheduled principal after the whole months elapsed, k, of its term
      m: the amount for ``monthly_interest_bullet``, the annuity balance at the contract rate for
      ``equal_instalment``, amount x (1 - k/m) for ``equal_principal`` and amount x (1 - k/(2m))
      for ``custom_schedule`` (the generator's rules for exposure at default);
    - defaults after the 12-month observation window are not in the data, so a loan longer than
      12 months that did not default then counts as performing until maturity.

    Args:
        loans: loan book as returned by ``smecredit.load_loans()`` (uses ``origination_date``,
            ``term_months``, ``loan_amount_10k``, ``repayment_method``, ``contract_rate_pct``,
            ``default_12m``, ``months_to_default``, ``ead_10k``).
        date: the snapshot date (anything ``pandas.Timestamp`` accepts).

    Returns:
        DataFrame indexed like ``loans`` with ``status`` (``"not_yet_granted"``, ``"repaid"``,
        ``"performing"`` or ``"non_performing"``) and ``balance_10k`` (outstanding balance in
        10k yuan; 0 unless performing or non-performing).

    Raises:
        KeyError: a needed column is missing.
    """
    needed = ["origination_date", "term_months", "loan_amount_10k", "repayment_method", "contract_rate_pct",
              "default_12m", "months_to_default", "ead_10k"]
    missing = [c for c in needed if c not in loans.columns]
    if missing:
        raise KeyError(f"columns not in the data: {missing}")
    when = pd.Timestamp(date)
    start = pd.to_datetime(loans["origination_date"])
    term = loans["term_months"].to_numpy(dtype=float)
    def to_days(months):
        return pd.to_timedelta(np.round(months * DAYS_PER_MONTH), unit="D")

    maturity = start + to_days(term)
    defaulted = loans["default_12m"].to_numpy() == 1
    default_day = start + to_days(loans["months_to_default"].fillna(0).to_numpy(dtype=float))

    granted = (start <= when).to_numpy()
    non_performing = granted & defaulted & (default_day <= when).to_numpy()
    performing = granted & ~non_performing & (maturity > when).to_numpy()

    elapsed = np.clip(np.floor((when - start).dt.days.to_numpy() / DAYS_PER_MONTH), 0, term)
    amount = loans["loan_amount_10k"].to_numpy(dtype=float)
    monthly = loans["contract_rate_pct"].to_numpy(dtype=float) / 1200.0
    with np.errstate(divide="ignore", invalid="ignore"):
        annuity_left = np.where(monthly > 0,
                                ((1 + monthly) ** term - (1 + monthly) ** elapsed) / ((1 + monthly) ** term - 1),
                                1.0 - elapsed / term)
    method = loans["repayment_method"].astype(str).to_numpy()
    share_left = np.select(
        [method == "monthly_interest_bullet", method == "equal_instalment", method == "equal_principal"],
        [np.ones(len(loans)), annuity_left, 1.0 - elapsed / term],
        default=1.0 - 0.5 * elapsed / term,
    )
    balance = np.where(non_performing, loans["ead_10k"].fillna(0).to_numpy(dtype=float),
                       np.where(performing, amount * share_left, 0.0))
    status = np.select([non_performing, performing, granted], ["non_performing", "performing", "repaid"],
                       default="not_yet_granted")
    return pd.DataFrame({"status": status, "balance_10k": balance}, index=loans.index)


# --- Exploring default before any model (chapter 4): binned rates, funnel plots, vintage curves ---


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


# --- Validation: discrimination, calibration and error counts of a PD model -------------------------
# Each takes the 0/1 outcomes (1 = default) and the model's scores or predicted PDs as array-likes of
# the same length; none reorders or drops anything silently.

from typing import NamedTuple  # noqa: E402  (used by the validation helpers only)


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
    """Observed default rate against mean predicted PD in groups of equal size, by predicted PD.

    Loans are ranked by predicted PD (ties in the order given) and cut into ``n_groups`` groups of
    (nearly) equal size, group 1 holding the lowest PDs.

    Args:
        y: outcomes, 0 or 1, shape (n,).
        pd_hat: predicted PDs in [0, 1], shape (n,).
        n_groups: number of groups (10 gives deciles), between 1 and n.

    Returns:
        DataFrame indexed by ``group`` (1..n_groups) with ``n``, ``pd_low``, ``pd_high``,
        ``mean_pd`` (mean predicted PD), ``defaults`` (observed), ``expected`` (sum of predicted
        PDs) and ``observed_rate``.

    Raises:
        ValueError: bad outcomes or PDs (as ``auc``, but one class is allowed), or n_groups
            not between 1 and n.
    """
    y, pd_hat = _outcomes_and_scores(y, pd_hat, need_both_classes=False, probabilities=True)
    if not 1 <= n_groups <= y.size:
        raise ValueError(f"n_groups must be between 1 and the number of loans ({y.size}), got {n_groups}")
    order = np.argsort(pd_hat, kind="stable")
    group = np.empty(y.size, dtype=int)
    for number, rows in enumerate(np.array_split(order, n_groups), start=1):
        group[rows] = number
    frame = pd.DataFrame({"group": group, "y": y, "pd": pd_hat})
    grouped = frame.groupby("group")
    table = pd.DataFrame({
        "n": grouped.size(),
        "pd_low": grouped["pd"].min(),
        "pd_high": grouped["pd"].max(),
        "mean_pd": grouped["pd"].mean(),
        "defaults": grouped["y"].sum().astype(int),
        "expected": grouped["pd"].sum(),
    })
    table["observed_rate"] = table["defaults"] / table["n"]
    return table


class HosmerLemeshow(NamedTuple):
    """Result of ``hosmer_lemeshow``: ``statistic``, ``df`` and ``pvalue``, named as in statsmodels and scipy.

    It unpacks as a tuple in that order. ``p_value`` is an alias of ``pvalue``, kept because the
    chapters' cells still use it; new code should use ``pvalue``.
    """

    statistic: float
    df: int
    pvalue: float

    @property
    def p_value(self) -> float:
        """Alias of ``pvalue`` (the name before the package followed statsmodels)."""
        return self.pvalue


def hosmer_lemeshow(y, pd_hat, n_groups: int = 10) -> HosmerLemeshow:
    """Hosmer-Lemeshow goodness-of-fit test over the groups of ``calibration_table``.

    ``H = sum over groups g of (O_g - E_g)^2 / (E_g (1 - E_g / n_g))``, with O_g observed defaults,
    E_g the sum of predicted PDs and n_g loans in group g; compared with a chi-squared distribution
    with ``n_groups - 2`` degrees of freedom (for PDs fitted on the same data).

    Args:
        y, pd_hat, n_groups: as ``calibration_table``; n_groups at least 3.

    Returns:
        HosmerLemeshow(statistic, df, pvalue) (``p_value`` still works, as an alias).

    Raises:
        ValueError: as ``calibration_table``; n_groups below 3; or a group whose predicted PDs are
            all 0 or all 1 (its variance is zero).
    """
    from scipy.stats import chi2

    if n_groups < 3:
        raise ValueError(f"the Hosmer-Lemeshow test needs at least 3 groups, got {n_groups}")
    table = calibration_table(y, pd_hat, n_groups)
    variance = table["expected"] * (1 - table["expected"] / table["n"])
    if (variance <= 0).any():
        raise ValueError("a group has predicted PDs all 0 or all 1; use fewer groups")
    statistic = float(((table["defaults"] - table["expected"]) ** 2 / variance).sum())
    df = n_groups - 2
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
