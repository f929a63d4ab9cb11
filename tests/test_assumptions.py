"""The book's shared cost, LGD and capital assumptions (smecredit.assumptions)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from smecredit import assumptions, load_loans


def test_break_even_counts_the_interest_lost_on_defaults():
    # PD 13%, LGD 0.6, costs 3.5: (3.5 + 7.8) / 0.87, not 3.5 + 7.8
    assert assumptions.break_even_rate_pct(0.13, 0.6, cost_pct=3.5, capital_pct=0.0) == pytest.approx(11.3 / 0.87)
    assert assumptions.break_even_rate_pct(0.13, 0.6, cost_pct=3.5, capital_pct=0.0) == pytest.approx(12.9885, abs=1e-4)
    assert assumptions.break_even_rate_pct(0.0, 0.6, cost_pct=3.5, capital_pct=0.0) == 3.5  # no risk, costs only


def test_break_even_adds_the_capital_charge_and_takes_arrays():
    charge = assumptions.capital_charge_pct()
    assert charge == pytest.approx(0.75 * 0.105 * (12.0 - 2.5))
    rates = assumptions.break_even_rate_pct(np.array([0.0, 0.05]), np.array([0.4, 0.8]))
    cost = assumptions.FUNDING_COST_PCT + assumptions.OPERATING_COST_PCT
    assert rates == pytest.approx([cost + charge, (cost + charge + 4.0) / 0.95])
    with pytest.raises(ValueError, match="PDs must lie"):
        assumptions.break_even_rate_pct(1.0, 0.5)


def test_lgd_is_exposure_weighted_and_from_the_loans_given():
    loans = pd.DataFrame({"default_12m": [1, 1, 1, 0], "origination_year": [2015, 2015, 2017, 2015],
                          "guarantee_method": ["credit", "credit", "credit", "mortgage"],
                          "ead_10k": [100.0, 300.0, 50.0, 10.0], "recovery_10k": [50.0, 0.0, 50.0, np.nan]})
    with pytest.raises(ValueError, match="mortgage"):
        assumptions.lgd_by_guarantee(loans)  # no settled mortgage default to learn from
    credit = assumptions.lgd_by_guarantee(loans[loans["guarantee_method"] == "credit"])
    assert credit["credit"] == pytest.approx(1 - 50 / 400)  # weighted: not the mean of 0.5 and 1.0; 2017 left out


def test_lgd_of_the_book_by_guarantee_orders_secured_below_unsecured():
    lgd = assumptions.lgd_by_guarantee(load_loans())
    assert lgd["mortgage"] < lgd["credit"] and ((lgd > 0) & (lgd < 1)).all()
