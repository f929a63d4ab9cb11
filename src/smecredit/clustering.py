"""Cluster-robust inference with few clusters: the CR2 variance and Bell-McCaffrey degrees of freedom.

The usual cluster-robust ("sandwich") variance sums the outer products of the clusters' scores. With
few clusters it is biased down, because each cluster's residuals are shrunk towards a fit that the
cluster itself helped to make, and referring the t-statistic to a normal distribution adds to the
optimism: tests reject too often and intervals are too short (Cameron, Gelbach and Miller 2008).
Bell and McCaffrey's **CR2** correction inflates each cluster's residuals by (I - H_gg)^(-1/2),
where H_gg is the cluster's block of the hat matrix; this makes the variance exactly unbiased when
the errors are independent with equal variance. Their **degrees of freedom**, a Satterthwaite
approximation, then give the t distribution to refer the t-statistic to (Bell and McCaffrey 2002;
Imbens and Kolesar 2016).

For a logit the functions work on the weighted linear model of the last step of iteratively
reweighted least squares: rows scaled by sqrt(w) with working weights w = p(1 - p), residuals
(y - p) / sqrt(w). That is how R's clubSandwich applies CR2 to a GLM (Pustejovsky and Tipton 2018);
the scores X_g'(y_g - p_g) and the bread (X'WX)^(-1) are exactly the logit's.

A cluster's block H_gg has rank at most k (the number of coefficients), so (I - H_gg)^(-1/2) comes
from a k x k eigenproblem, never from an n_g x n_g matrix: sixteen clusters of 20,000 loans take
milliseconds.

References: R. M. Bell and D. F. McCaffrey (2002), Bias reduction in standard errors for linear
regression with multi-stage samples, Survey Methodology 28(2), 169-181; A. C. Cameron, J. B. Gelbach
and D. L. Miller (2008), Bootstrap-based improvements for inference with clustered errors, Review of
Economics and Statistics 90(3), 414-427; G. W. Imbens and M. Kolesar (2016), Robust standard errors in
small samples: some practical advice, Review of Economics and Statistics 98(4), 701-712;
J. E. Pustejovsky and E. Tipton (2018), Small-sample methods for cluster-robust variance estimation
and hypothesis testing in fixed effects models, Journal of Business & Economic Statistics 36(4),
672-683; J. G. MacKinnon and M. D. Webb (2017), Wild bootstrap inference for wildly different cluster
sizes, Journal of Applied Econometrics 32(2), 233-254, for the other remedy, the wild cluster
bootstrap.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

# eigenvalues of H_gg this close to 1 mean the cluster alone determines a direction of the fit
# (for example a cluster-level dummy); that direction gets the Moore-Penrose value 0, as in clubSandwich
_SINGULAR_TOL = 1e-10


@dataclass(frozen=True)
class _Design:
    """The weighted design split by cluster, with the bread M = (X'WX)^{-1}."""

    blocks: list[np.ndarray]     # X~_g = sqrt(w_g) X_g, shape (n_g, k) each
    bases: list[np.ndarray]      # U_g Q_g: orthonormal basis of the block's eigenvectors, (n_g, r_g)
    shrink: list[np.ndarray]     # (1 - lambda)^(-1/2) - 1 for each eigenvalue lambda of H_gg, (r_g,)
    rows: list[np.ndarray]       # the row numbers of each cluster
    bread: np.ndarray            # M, shape (k, k)

    def adjust(self, g: int, vector: np.ndarray) -> np.ndarray:
        """A_g v = (I - H_gg)^{-1/2} v for a vector v of cluster g's length."""
        basis = self.bases[g]
        return vector + basis @ (self.shrink[g] * (basis.T @ vector))


def _design(exog, groups, weights) -> _Design:
    X = np.asarray(exog, dtype=float)
    if X.ndim != 2:
        raise ValueError(f"exog must be a 2-d array (n, k), got shape {X.shape}")
    n = X.shape[0]
    groups = np.asarray(groups)
    if groups.shape != (n,):
        raise ValueError(f"groups must have one label per row ({n}), got shape {groups.shape}")
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=float)
    if w.shape != (n,) or np.any(w <= 0) or not np.all(np.isfinite(w)):
        raise ValueError("weights must be n positive finite numbers")
    Xw = X * np.sqrt(w)[:, None]
    bread = np.linalg.inv(Xw.T @ Xw)
    codes, _ = pd.factorize(groups)
    if (codes < 0).any():
        raise ValueError("groups has missing labels: every row needs a cluster")
    rows = [np.flatnonzero(codes == g) for g in range(codes.max() + 1)]
    if len(rows) < 2:
        raise ValueError("cluster-robust variances need at least two clusters")
    blocks, bases, shrink = [], [], []
    for index in rows:
        Xg = Xw[index]
        U, s, Vt = np.linalg.svd(Xg, full_matrices=False)
        keep = s > s.max() * 1e-12  # drop directions the cluster's rows do not span
        U, s, Vt = U[:, keep], s[keep], Vt[keep]
        # H_gg = Xg M Xg' = U (S V' M V S) U'
        small = (s[:, None] * (Vt @ bread @ Vt.T)) * s[None, :]
        lam, Q = np.linalg.eigh((small + small.T) / 2)
        one_minus = 1 - lam
        factor = np.where(one_minus > _SINGULAR_TOL, 1 / np.sqrt(np.clip(one_minus, _SINGULAR_TOL, None)), 0.0)
        blocks.append(Xg)
        bases.append(U @ Q)
        shrink.append(factor - 1)
    return _Design(blocks, bases, shrink, rows, bread)


def _scores(design: _Design, resid: np.ndarray, weights: np.ndarray | None) -> np.ndarray:
    """The adjusted cluster scores X~_g' A_g e~_g, shape (G, k)."""
    n = sum(len(index) for index in design.rows)
    e = np.asarray(resid, dtype=float)
    if e.shape != (n,):
        raise ValueError(f"resid must have one value per row ({n}), got shape {e.shape}")
    e_w = e if weights is None else e / np.sqrt(np.asarray(weights, dtype=float))
    return np.array([Xg.T @ design.adjust(g, e_w[index])
                     for g, (Xg, index) in enumerate(zip(design.blocks, design.rows))])


def cr2_covariance(exog, resid, groups, weights=None) -> np.ndarray:
    """The CR2 (Bell-McCaffrey) cluster-robust covariance of least-squares or logit coefficients.

    Args:
        exog: the design matrix, shape (n, k), full column rank.
        resid: the residuals, shape (n,): y - fitted for least squares; y - p (response residuals)
            for a logit, whose ``weights`` are then p(1 - p).
        groups: one cluster label per row, shape (n,), any hashable values; at least two clusters.
        weights: working weights w, shape (n,), positive; None for ordinary least squares (all 1).

    Returns:
        The (k, k) matrix M [sum_g X~_g' A_g e~_g e~_g' A_g X~_g] M, with X~ = sqrt(w) X,
        e~ = resid / sqrt(w), M = (X~'X~)^(-1) and A_g = (I - H_gg)^(-1/2). With A_g = I it would be
        the plain (CR0) sandwich; with one row per cluster it is HC2.

    Raises:
        ValueError: shapes that do not match, weights that are not positive, missing cluster labels,
            fewer than two clusters.
    """
    design = _design(exog, groups, weights)
    scores = _scores(design, resid, weights)
    return design.bread @ (scores.T @ scores) @ design.bread


def bell_mccaffrey_dof(exog, groups, contrast, weights=None) -> float:
    """Bell and McCaffrey's Satterthwaite degrees of freedom for the CR2 t-test of c'beta.

    Computed under the working model of independent errors with equal variance (in the weighted
    scale), as Imbens and Kolesar (2016) recommend. It is at most G - 1 for G clusters (exactly G - 1
    for the mean of balanced clusters) and smaller when a few clusters carry the contrast's
    information.

    Args:
        exog, groups, weights: as for :func:`cr2_covariance`.
        contrast: the vector c, shape (k,); a unit vector picks one coefficient.

    Returns:
        (sum of eigenvalues)^2 / (sum of squared eigenvalues) of the G x G matrix
        Omega_gh = v_g'(I - H)_gh v_h, with v_g = A_g X~_g M c: a float.
    """
    design = _design(exog, groups, weights)
    contrast = np.asarray(contrast, dtype=float)
    if contrast.shape != (design.bread.shape[0],):
        raise ValueError(f"contrast must have one entry per coefficient ({design.bread.shape[0]})")
    return _dof(design, contrast)


def _dof(design: _Design, contrast: np.ndarray) -> float:
    direction = design.bread @ contrast
    v = [design.adjust(g, Xg @ direction) for g, Xg in enumerate(design.blocks)]
    projected = np.array([Xg.T @ vg for Xg, vg in zip(design.blocks, v)])   # (G, k)
    omega = np.diag([vg @ vg for vg in v]) - projected @ design.bread @ projected.T
    return float(np.trace(omega) ** 2 / np.sum(omega * omega))


def cr2_table(result, groups, level: float = 0.95) -> pd.DataFrame:
    """CR2 standard errors with Bell-McCaffrey degrees of freedom for a fitted statsmodels ``Logit``
    or ``OLS`` result: t-statistics, p-values and intervals, one row per coefficient.

    Args:
        result: a fitted statsmodels ``Logit`` or ``OLS`` results object (``result.model.exog``,
            ``result.model.endog`` and ``result.params`` are used; a logit's working weights are
            p(1 - p)).
        groups: one cluster label per row of the model's data, shape (n,).
        level: the confidence level of the intervals.

    Returns:
        A DataFrame indexed by parameter name with columns ``coef``, ``std_err`` (CR2), ``dof``
        (Bell-McCaffrey), ``t``, ``p_value`` (two-sided, from the t distribution with ``dof`` degrees
        of freedom), ``ci_low`` and ``ci_high``.

    Raises:
        TypeError: a model other than Logit or OLS.
    """
    from statsmodels.discrete.discrete_model import Logit
    from statsmodels.regression.linear_model import OLS

    model = result.model
    X, y = np.asarray(model.exog, dtype=float), np.asarray(model.endog, dtype=float)
    params = np.asarray(result.params, dtype=float)
    if isinstance(model, Logit):
        p = 1 / (1 + np.exp(-(X @ params)))
        resid, weights = y - p, p * (1 - p)
    elif type(model) is OLS:
        resid, weights = y - X @ params, None
    else:
        raise TypeError(f"cr2_table handles Logit and OLS results, not {type(model).__name__}")
    design = _design(X, groups, weights)
    scores = _scores(design, resid, weights)
    se = np.sqrt(np.diag(design.bread @ (scores.T @ scores) @ design.bread))
    dof = np.array([_dof(design, unit) for unit in np.eye(len(params))])
    t = params / se
    crit = stats.t.ppf(0.5 + level / 2, dof)
    return pd.DataFrame({"coef": params, "std_err": se, "dof": dof, "t": t,
                         "p_value": 2 * stats.t.sf(np.abs(t), dof),
                         "ci_low": params - crit * se, "ci_high": params + crit * se},
                        index=list(model.exog_names))
