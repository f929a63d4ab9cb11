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
