"""The repayment schedule (chapter 2): what a loan still owes after some months, and the loan book as a
bank reports it on a date.

One home for the schedule that the generator (exposure at default, ``smecredit.simulate``) and the
balance snapshot (``book_at``) share, with the month length both use.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

DAYS_PER_MONTH = 30.44  # the length of a month in days, for turning months on book into dates


def share_outstanding(method, elapsed_months, term_months, contract_rate_pct) -> np.ndarray:
    """The share of the amount a loan still owes after ``elapsed_months`` whole months of its term.

    The schedules, for k months elapsed of a term of m months:
    ``quarterly_interest_bullet`` (按季付息、到期还本) owes all of it until maturity;
    ``equal_instalment`` (等额本息) owes the annuity balance at the contract rate,
    ((1+r)^m - (1+r)^k) / ((1+r)^m - 1) with r the monthly rate (1 - k/m at a rate of 0);
    ``equal_principal`` (等额本金) owes 1 - k/m; ``custom_schedule`` (an agreed schedule) is taken
    as 1 - k/(2m), half-way between the bullet and equal principal.

    Args:
        method: repayment method of each loan, shape (n,) (the loan book's labels).
        elapsed_months, term_months: shape (n,) or scalars, in months; 0 <= elapsed <= term.
        contract_rate_pct: contract rate a year, percent, shape (n,) or scalar.

    Returns:
        Array of shape (n,), shares between 0 and 1.
    """
    method = np.asarray(method).astype(str)
    k = np.asarray(elapsed_months, dtype=float)
    m = np.asarray(term_months, dtype=float)
    monthly = np.asarray(contract_rate_pct, dtype=float) / 1200.0
    with np.errstate(divide="ignore", invalid="ignore"):
        annuity_left = np.where(monthly > 0, ((1 + monthly) ** m - (1 + monthly) ** k) / ((1 + monthly) ** m - 1),
                                1.0 - k / m)
    paid = k / m
    return np.select(
        [method == "quarterly_interest_bullet", method == "equal_instalment", method == "equal_principal"],
        [np.ones(method.shape), annuity_left, 1.0 - paid],
        default=1.0 - 0.5 * paid,
    )


def book_at(loans: pd.DataFrame, date, write_off_months: float | None = None) -> pd.DataFrame:
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
      cut-off, not when they came in; with ``write_off_months`` it leaves the book that many months
      after it turned non-performing (recovered, written off or sold: its status is then
      ``"disposed"``), without it no loan is ever written off;
    - a performing loan owes its scheduled principal after the whole months elapsed of its term
      (``share_outstanding``, the schedule the generator uses for exposure at default);
    - defaults after the 12-month observation window are not in the data, so a loan longer than
      12 months that did not default then counts as performing until maturity.

    Args:
        loans: loan book as returned by ``smecredit.load_loans()`` (uses ``origination_date``,
            ``term_months``, ``loan_amount_10k``, ``repayment_method``, ``contract_rate_pct``,
            ``default_12m``, ``months_to_default``, ``ead_10k``).
        date: the snapshot date (anything ``pandas.Timestamp`` accepts).
        write_off_months: months a loan stays non-performing before it is disposed of (an assumption:
            the data record no write-offs); None (default) keeps it on the book for ever.

    Returns:
        DataFrame indexed like ``loans`` with ``status`` (``"not_yet_granted"``, ``"repaid"``,
        ``"performing"``, ``"non_performing"`` or ``"disposed"``) and ``balance_10k`` (outstanding
        balance in 10k yuan; 0 unless performing or non-performing).

    Raises:
        KeyError: a needed column is missing.
        ValueError: a negative ``write_off_months``.
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

    if write_off_months is not None and write_off_months < 0:
        raise ValueError(f"write_off_months must be zero or more, got {write_off_months}")
    granted = (start <= when).to_numpy()
    bad = granted & defaulted & (default_day <= when).to_numpy()
    disposed = bad & (np.zeros(len(loans), dtype=bool) if write_off_months is None
                      else (default_day + to_days(write_off_months) <= when).to_numpy())
    non_performing = bad & ~disposed
    performing = granted & ~bad & (maturity > when).to_numpy()

    elapsed = np.clip(np.floor((when - start).dt.days.to_numpy() / DAYS_PER_MONTH), 0, term)
    amount = loans["loan_amount_10k"].to_numpy(dtype=float)
    share_left = share_outstanding(loans["repayment_method"].astype(str).to_numpy(), elapsed, term,
                                   loans["contract_rate_pct"].to_numpy(dtype=float))
    balance = np.where(non_performing, loans["ead_10k"].fillna(0).to_numpy(dtype=float),
                       np.where(performing, amount * share_left, 0.0))
    status = np.select([non_performing, disposed, performing, granted],
                       ["non_performing", "disposed", "performing", "repaid"], default="not_yet_granted")
    return pd.DataFrame({"status": status, "balance_10k": balance}, index=loans.index)
