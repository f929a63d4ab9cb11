"""The book's cost, loss and capital assumptions, with their sources: one home that chapters 2, 8 and 10
and the cutoff explorer read, so that every chapter prices and counts with the same numbers.

The data hold no cost of funds, operating cost or capital; these are stated assumptions for a Chinese
bank's small-micro lending in 2014-2018, chosen to be typical, not to describe the S branch. Change
them here (or pass other values to the functions) to see how conclusions move.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# --- Costs, percent of the amount a year --------------------------------------------------------------
FUNDING_COST_PCT = 2.5
"""Cost of the bank's funds. An assumption near the one-year benchmark deposit rate (1.50% from
24 Oct 2015) plus the dearer wholesale and term funding a provincial branch also uses; Chinese
banks' average cost of interest-bearing liabilities was roughly 2 to 2.5% in these years."""

OPERATING_COST_PCT = 1.0
"""Cost of originating and monitoring a loan. An assumption: small loans cost nearly as much to
investigate as large ones, so for the smallest tickets the true share is higher."""

# --- Bad loans on the book ------------------------------------------------------------------------------
NPL_DISPOSAL_MONTHS = 12
"""Months a non-performing loan stays on the balance sheet before it is recovered, written off (核销) or
sold, for year-end NPL ratios (``smecredit.schedule.book_at(..., write_off_months=)``). An assumption, not a
sourced figure: the loan book records no write-off dates. Chapter 2 sets the ratio with it beside the ratio
with no disposal at all, an upper bound, so that a reader sees how much the choice matters."""

# --- Capital ------------------------------------------------------------------------------------------
RISK_WEIGHT_SMALL_MICRO = 0.75
"""Risk weight of a qualifying small or micro enterprise exposure under the standardised approach of
the CBRC's capital rules (商业银行资本管理办法（试行）, 2012): 75%, where the bank's exposure to the
firm is at most 5 million yuan and at most 0.5% of its credit exposures; other corporate exposures
carry 100% (references.bib: cbrc2012capital)."""

CAPITAL_RATIO = 0.105
"""Capital held per yuan of risk-weighted assets: the 8% minimum total capital ratio plus the 2.5%
conservation buffer of the 2012 rules (references.bib: cbrc2012capital)."""

HURDLE_RATE_PCT = 12.0
"""Return the bank's shareholders require on equity, percent a year. An assumption, near Chinese
listed banks' return on equity in these years."""

VAT_RATE = 0.06
"""Value-added tax on banks' interest income since 1 May 2016 (营改增). Interest on loans of up to
10 million yuan to small and micro firms was exempted from 1 Sep 2018 (财税〔2018〕91号). The book's
rates are gross; where VAT applies the bank keeps rate / (1 + VAT_RATE)."""

# --- Loss given default -------------------------------------------------------------------------------
LAST_SETTLED_VINTAGE = 2016
"""Defaults of vintages up to 2016 have had at least two years, by the data's cut-off, for their
recoveries to come in; younger defaults have not finished recovering, so they understate recovery."""

SINGLE_LGD = 0.45
"""One LGD for every loan when a chapter or explorer does not estimate LGD by guarantee: the Basel
foundation-IRB LGD of senior unsecured claims (references.bib: bcbs2006basel)."""


def lgd_by_guarantee(loans: pd.DataFrame, last_vintage: int = LAST_SETTLED_VINTAGE) -> pd.Series:
    """Exposure-weighted realised LGD by guarantee method: 1 - sum(recovery) / sum(EAD) over the
    defaults of vintages up to ``last_vintage``.

    Pass the training loans only: an LGD estimated with the test loans' recoveries would leak their
    outcomes into the model's evaluation.

    Args:
        loans: loan book rows (``default_12m``, ``origination_year``, ``guarantee_method``,
            ``ead_10k``, ``recovery_10k`` in 10k yuan).
        last_vintage: the youngest vintage whose recoveries count as settled.

    Returns:
        Series indexed by guarantee method, LGD between 0 and 1 (exposure-weighted, so a large
        default counts for more than a small one, as it does in the bank's losses).

    Raises:
        ValueError: no settled default, or a guarantee method of the loans with none.
    """
    settled = loans[(loans["default_12m"] == 1) & (loans["origination_year"] <= last_vintage)]
    if settled.empty:
        raise ValueError(f"no default in the vintages up to {last_vintage}: LGD cannot be estimated")
    grouped = settled.groupby("guarantee_method", observed=True)
    lgd = (1 - grouped["recovery_10k"].sum() / grouped["ead_10k"].sum()).rename("lgd")
    missing = sorted(set(loans["guarantee_method"].astype(str)) - set(lgd.index.astype(str)))
    if missing:
        raise ValueError(f"no settled default for {', '.join(missing)}: LGD cannot be estimated for them")
    return lgd


def capital_charge_pct(risk_weight: float = RISK_WEIGHT_SMALL_MICRO, capital_ratio: float = CAPITAL_RATIO,
                       hurdle_rate_pct: float = HURDLE_RATE_PCT, funding_cost_pct: float = FUNDING_COST_PCT) -> float:
    """What holding capital against a loan costs, percent of the amount a year.

    Each yuan lent needs ``risk_weight x capital_ratio`` yuan of equity, which earns the hurdle rate
    instead of costing the funding rate: charge = RW x K x (hurdle - funding). With the defaults,
    0.75 x 0.105 x (12 - 2.5) = 0.75 percentage points.
    """
    return risk_weight * capital_ratio * (hurdle_rate_pct - funding_cost_pct)


def break_even_rate_pct(pd_, lgd, cost_pct: float = FUNDING_COST_PCT + OPERATING_COST_PCT,
                        capital_pct: float | None = None):
    """The contract rate at which a one-year loan breaks even, percent a year.

    Per yuan lent, a loan that does not default (probability 1 - PD) pays the rate r; one that does
    pays no interest and loses LGD. Costs c (funding and operations) and the capital charge k are due
    either way. Break-even: r (1 - PD) = c + k + 100 PD LGD, so

        r = (c + k + 100 PD LGD) / (1 - PD).

    Leaving out the (1 - PD) understates the rate: at PD 13%, LGD 0.6 and c = 3.5 it is 12.99%, not
    11.30% (before the capital charge). The rate is gross of VAT (see ``VAT_RATE``).

    Args:
        pd_: probability of default within the year, 0 to 1 (scalar or array of shape (n,)).
        lgd: loss given default, 0 to 1, same shape or scalar.
        cost_pct: funding and operating cost, percent a year.
        capital_pct: capital charge, percent a year; None uses ``capital_charge_pct()``.

    Returns:
        Break-even rate(s), percent a year, shaped like ``pd_``.

    Raises:
        ValueError: a PD not below 1 or below 0, or an LGD outside 0 to 1.
    """
    p = np.asarray(pd_, dtype=float)
    loss = np.asarray(lgd, dtype=float)
    if ((p < 0) | (p >= 1)).any() or ((loss < 0) | (loss > 1)).any():
        raise ValueError("PDs must lie in [0, 1) and LGDs in [0, 1]")
    capital = capital_charge_pct() if capital_pct is None else capital_pct
    rate = (cost_pct + capital + 100 * p * loss) / (1 - p)
    return rate if rate.ndim else float(rate)
