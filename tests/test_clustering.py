"""smecredit.clustering: the CR2 variance and Bell-McCaffrey degrees of freedom against known values
(HC2, the balanced case's exact factor G/(G-1) and G - 1 degrees of freedom) and against a plain,
slow computation with the full hat matrix."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import linalg

from smecredit.clustering import bell_mccaffrey_dof, cr2_covariance, cr2_table


def test_one_row_per_cluster_is_hc2():
    rng = np.random.default_rng(1)
    X = sm.add_constant(rng.normal(size=(80, 2)))
    y = X @ [1.0, 2.0, -1.0] + rng.normal(size=80) * (1 + np.abs(X[:, 1]))  # heteroskedastic
    fit = sm.OLS(y, X).fit()
    hc2 = fit.get_robustcov_results(cov_type="HC2").cov_params()
    np.testing.assert_allclose(cr2_covariance(X, fit.resid, np.arange(80)), hc2, rtol=1e-10)


@pytest.mark.parametrize("n_clusters, size", [(4, 7), (16, 3)])
def test_balanced_mean_has_the_exact_factor_and_g_minus_one_degrees_of_freedom(n_clusters, size):
    """For the mean of G clusters of equal size, H_gg = J/n, so CR2 = CR0 * G/(G-1) exactly,
    and the Bell-McCaffrey degrees of freedom are G - 1."""
    rng = np.random.default_rng(2)
    groups = np.repeat(np.arange(n_clusters), size)
    y = rng.normal(size=n_clusters * size) + rng.normal(size=n_clusters)[groups]
    X = np.ones((len(y), 1))
    resid = y - y.mean()
    cr0 = sum(resid[groups == g].sum() ** 2 for g in range(n_clusters)) / len(y) ** 2
    assert cr2_covariance(X, resid, groups)[0, 0] == pytest.approx(cr0 * n_clusters / (n_clusters - 1), rel=1e-12)
    assert bell_mccaffrey_dof(X, groups, [1.0]) == pytest.approx(n_clusters - 1, rel=1e-10)


def _dense_cr2(X, y, p, groups, j):
    """CR2 and Bell-McCaffrey df the slow way: the full n x n hat matrix and matrix square roots."""
    w = p * (1 - p)
    Xw = X * np.sqrt(w)[:, None]
    M = np.linalg.inv(Xw.T @ Xw)
    H = Xw @ M @ Xw.T
    e = (y - p) / np.sqrt(w)
    meat = np.zeros((X.shape[1], X.shape[1]))
    columns = []
    for g in np.unique(groups):
        rows = groups == g
        A = linalg.fractional_matrix_power(np.eye(rows.sum()) - H[np.ix_(rows, rows)], -0.5).real
        score = Xw[rows].T @ A @ e[rows]
        meat += np.outer(score, score)
        columns.append((np.eye(len(y)) - H)[:, rows] @ A @ Xw[rows] @ M[:, j])
    G = np.array(columns).T
    omega = G.T @ G
    return M @ meat @ M, np.trace(omega) ** 2 / np.sum(omega * omega)


def test_logit_matches_the_dense_computation_and_statsmodels_bread():
    rng = np.random.default_rng(3)
    n = 240
    X = sm.add_constant(rng.normal(size=(n, 3)))
    groups = rng.integers(0, 9, n)
    log_odds = X @ [-1.0, 1.0, 0.5, 0.0] + 0.5 * rng.normal(size=9)[groups]
    y = (rng.random(n) < 1 / (1 + np.exp(-log_odds))).astype(float)
    fit = sm.Logit(y, X).fit(disp=0)
    p = fit.predict()
    dense, dof = _dense_cr2(X, y, p, groups, j=1)
    np.testing.assert_allclose(cr2_covariance(X, y - p, groups, weights=p * (1 - p)), dense, rtol=1e-8, atol=1e-14)
    assert bell_mccaffrey_dof(X, groups, np.eye(4)[1], weights=p * (1 - p)) == pytest.approx(dof, rel=1e-8)
    table = cr2_table(fit, groups)
    assert list(table.columns) == ["coef", "std_err", "dof", "t", "p_value", "ci_low", "ci_high"]
    assert table["std_err"].iloc[1] == pytest.approx(np.sqrt(dense[1, 1]), rel=1e-8)
    assert table["dof"].iloc[1] == pytest.approx(dof, rel=1e-8)
    assert ((table["dof"] > 1) & (table["dof"] < 9 - 1 + 1e-9)).all()


def test_cr2_is_larger_than_cr0_and_its_t_test_is_closer_to_its_level_with_few_clusters():
    """With 8 clusters, a zero coefficient: the normal test on the plain sandwich rejects too often;
    CR2 with Bell-McCaffrey df stays near 5% (a seeded Monte Carlo, 400 draws)."""
    rng = np.random.default_rng(4)
    groups = np.repeat(np.arange(8), 25)
    rejections = {"cr0_normal": 0, "cr2_t": 0}
    for _ in range(400):
        x = rng.normal(size=8)[groups] + rng.normal(size=200)  # a regressor correlated within clusters
        y = rng.normal(size=8)[groups] + rng.normal(size=200)   # errors too; the true slope is 0
        fit = sm.OLS(y, sm.add_constant(x)).fit()
        cr0 = fit.get_robustcov_results(cov_type="cluster", groups=groups, use_correction=False).bse[1]
        rejections["cr0_normal"] += abs(fit.params[1] / cr0) > 1.96
        table = cr2_table(fit, groups)
        rejections["cr2_t"] += table["p_value"].iloc[1] < 0.05
        assert table["std_err"].iloc[1] >= cr0
    assert rejections["cr0_normal"] / 400 > 0.09
    assert 0.02 < rejections["cr2_t"] / 400 < 0.08


def test_cluster_labels_can_be_any_values_and_bad_input_is_refused():
    rng = np.random.default_rng(5)
    X = sm.add_constant(rng.normal(size=(30, 1)))
    resid = rng.normal(size=30)
    labels = pd.Series(np.repeat(["SB01", "SB02", "SB03"], 10))
    np.testing.assert_allclose(cr2_covariance(X, resid, labels), cr2_covariance(X, resid, np.repeat([7, 3, 5], 10)))
    with pytest.raises(ValueError, match="two clusters"):
        cr2_covariance(X, resid, np.zeros(30))
    with pytest.raises(ValueError, match="missing labels"):
        cr2_covariance(X, resid, labels.where(labels != "SB02"))
    with pytest.raises(ValueError, match="one label per row"):
        cr2_covariance(X, resid, np.arange(29))
    with pytest.raises(ValueError, match="weights"):
        cr2_covariance(X, resid, labels, weights=np.zeros(30))
    with pytest.raises(TypeError, match="Logit and OLS"):
        cr2_table(sm.GLM(resid, X).fit(), labels)
