"""Scorecard scaling and population stability, checked by hand."""

from __future__ import annotations

import numpy as np
import pytest

from smecredit.scorecard import coefficient_points, pd_from_score, population_stability_index, score_from_pd


def test_base_odds_give_the_base_score_and_pdo_doubles_them():
    # odds good:bad 50:1 means PD = 1/51
    assert score_from_pd(1 / 51) == pytest.approx(600.0)
    assert score_from_pd(1 / 101) == pytest.approx(620.0)  # odds 100:1, doubled: +20 points
    assert score_from_pd(1 / 26) == pytest.approx(580.0)   # odds 25:1, halved: -20 points
    assert score_from_pd(0.5) == pytest.approx(600 - 20 * np.log2(50))


def test_round_trip_and_errors():
    p = np.array([0.001, 0.05, 0.5, 0.9])
    np.testing.assert_allclose(pd_from_score(score_from_pd(p)), p)
    with pytest.raises(ValueError, match="strictly between"):
        score_from_pd([0.0, 0.1])
    with pytest.raises(ValueError, match="positive"):
        score_from_pd([0.1], pdo=0)


def test_coefficient_points():
    import pandas as pd

    points = coefficient_points(pd.Series({"x": np.log(2)}))
    assert points["x"] == pytest.approx(-20.0)  # doubling the odds of default costs PDO points


def test_population_stability_index():
    rng = np.random.default_rng(0)
    reference = rng.normal(size=5000)
    assert population_stability_index(reference, reference) == pytest.approx(0.0)
    # hand case with two bins split at the reference median: shares (0.5, 0.5) against (0.8, 0.2)
    expected = np.array([0.0, 1.0, 2.0, 3.0])
    actual = np.array([0.5, 0.6, 0.7, 0.8, 3.0] * 1)
    psi = population_stability_index(expected, np.array([0.1] * 8 + [2.9] * 2), bins=2)
    assert psi == pytest.approx((0.8 - 0.5) * np.log(0.8 / 0.5) + (0.2 - 0.5) * np.log(0.2 / 0.5))
    assert population_stability_index(reference, reference + 1.0) > 0.25
    with pytest.raises(ValueError, match="at least 2 bins"):
        population_stability_index(expected, actual, bins=1)


def test_woe_table_by_hand():
    import pandas as pd

    from smecredit.scorecard import information_value, woe_table

    # bin "low": 4 goods, 1 bad; bin "high": 2 goods, 3 bads; totals 6 goods, 4 bads
    x = pd.Series(["low"] * 5 + ["high"] * 5, name="grade")
    y = [0, 0, 0, 0, 1, 0, 0, 1, 1, 1]
    table = woe_table(x, y)
    assert list(table.index) == ["high", "low"] and table.index.name == "grade"
    assert table.loc["low", ["loans", "defaults", "goods"]].tolist() == [5, 1, 4]
    assert table.loc["high", "rate"] == pytest.approx(0.6)
    woe_low, woe_high = np.log((4 / 6) / (1 / 4)), np.log((2 / 6) / (3 / 4))
    assert table.loc["low", "woe"] == pytest.approx(woe_low)    # safer than average: positive
    assert table.loc["high", "woe"] == pytest.approx(woe_high)  # riskier: negative
    iv = (4 / 6 - 1 / 4) * woe_low + (2 / 6 - 3 / 4) * woe_high
    assert information_value(table) == pytest.approx(iv)


def test_woe_zero_counts_numeric_bins_and_missing():
    from smecredit.scorecard import MISSING_BIN, woe_table, woe_transform

    # cut at 10: "under 10" has 3 goods and no bad; "10 and over" 1 good, 2 bads; missing: 1 good, 1 bad
    x = np.array([1.0, 2.0, 3.0, 10.0, 20.0, 30.0, np.nan, np.nan])
    y = np.array([0, 0, 0, 0, 1, 1, 0, 1])
    table = woe_table(x, y, cuts=[10])
    assert list(table.index) == ["under 10", "10 and over", MISSING_BIN]
    # the zero count of bads becomes half a loan: share of bads 0.5 / 3, totals unchanged
    assert table.loc["under 10", "woe"] == pytest.approx(np.log((3 / 5) / (0.5 / 3)))
    assert np.isfinite(table["woe"]).all() and (table["iv"] >= 0).all()
    # transform: same bins on new values; a value beyond the training range falls in the end bin
    np.testing.assert_allclose(woe_transform([0.5, 99.0, np.nan], table, cuts=[10]),
                               table["woe"].to_numpy())
    assert woe_transform(["unseen"], table)[0] == 0.0
    with pytest.raises(ValueError, match="without loans"):
        woe_table(x, y, cuts=[10, 50])
    with pytest.raises(ValueError, match="one class"):
        woe_table(x, np.zeros(8))


def test_quantile_cuts_and_iv_strength():
    from smecredit.scorecard import iv_strength, quantile_cuts

    np.testing.assert_allclose(quantile_cuts(np.arange(1, 101), 4, decimals=0), [26, 50, 75])
    # quantiles 1, 1, 1, 1.2: ties merge, and a cut at the minimum would leave an empty bottom bin
    np.testing.assert_allclose(quantile_cuts([1, 1, 1, 1, 2], 5), [1.2])
    assert [iv_strength(v) for v in (0.01, 0.05, 0.2, 0.5)] == ["useless", "weak", "medium", "strong"]


def test_fuzzy_augmentation_weights():
    import pandas as pd

    from smecredit.scorecard import fuzzy_augmentation

    approved = pd.DataFrame({"x": [1.0, 2.0], "default_12m": [0, 1]})
    rejected = pd.DataFrame({"x": [3.0, 4.0, 5.0]})
    out = fuzzy_augmentation(approved, rejected, [0.1, 0.5, 0.9])
    assert len(out) == 2 + 2 * 3
    assert out["weight"].sum() == pytest.approx(5.0)  # each applicant counts once
    bad = out[(out["x"] == 5.0) & (out["default_12m"] == 1)]
    assert bad["weight"].item() == pytest.approx(0.9)
    with pytest.raises(ValueError, match="one PD"):
        fuzzy_augmentation(approved, rejected, [0.1, 0.2])
