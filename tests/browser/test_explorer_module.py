"""The explorers' ES module (src/smecredit/static/explorers.js) in Debian's Chromium: its pure
functions on hand cases with known answers and against numpy/statsmodels, and render() of each kind
on small synthetic payloads (static/README.md is the contract these payloads follow)."""

from __future__ import annotations

import base64
import shutil

import numpy as np
import pytest
from scipy import stats
from scipy.special import expit

from serving import ROOT, StaticServer
from smecredit.explorers import fit_logit_newton

STATIC = ROOT / "src" / "smecredit" / "static"
PAGE = """<!doctype html><html><head><meta charset="utf-8"><link rel="stylesheet" href="explorers.css">
<style>body{margin:0;font-family:sans-serif} .host{width:100%}</style></head><body></body></html>"""


# ---------------------------------------------------------------------------------------------
# The page: explorers.js served on loopback, imported as window.M
# ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def served(tmp_path_factory):
    folder = tmp_path_factory.mktemp("explorer_module")
    shutil.copy(STATIC / "explorers.js", folder / "explorers.js")
    shutil.copy(STATIC / "explorers.css", folder / "explorers.css")
    (folder / "index.html").write_text(PAGE)
    server = StaticServer(folder)
    yield server.url
    server.stop()


@pytest.fixture(scope="module")
def page(browser, served):
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    pg = context.new_page()
    errors = []
    pg.on("pageerror", lambda err: errors.append(str(err)))
    pg.goto(served + "index.html")
    pg.evaluate("async () => { window.M = await import('./explorers.js'); }")
    pg.errors = errors
    yield pg
    context.close()


def js(page, body: str, arg=None):
    """Evaluate `body` (a function body using M and `arg`) in the page."""
    return page.evaluate(f"async (arg) => {{ const M = window.M; {body} }}", arg)


# ---------------------------------------------------------------------------------------------
# Payloads: packing as the README says, and small synthetic models
# ---------------------------------------------------------------------------------------------

def pack(columns: dict[str, tuple[np.ndarray, str, int]]) -> tuple[list[dict], bytes]:
    """name -> (values, dtype, scale): store round(values * scale) as dtype, 8-byte aligned."""
    described, chunks, offset = [], [], 0
    for name, (values, dtype, scale) in columns.items():
        np_dtype = {"uint8": "<u1", "int16": "<i2", "int32": "<i4", "float64": "<f8"}[dtype]
        stored = np.asarray(values, dtype=float) * scale
        stored = stored.astype(np_dtype) if dtype == "float64" else np.round(stored).astype(np_dtype)
        raw = stored.tobytes()
        chunks.append(raw + b"\0" * (-len(raw) % 8))
        described.append({"name": name, "dtype": dtype, "offset": offset, "length": len(values), "scale": scale})
        offset += len(chunks[-1])
    return described, b"".join(chunks)


def design_payload(n: int, seed: int = 0, levels=(4, 6), fit: bool = True):
    """A synthetic loan book: two continuous terms (2 and 0 decimals) and categorical terms with
    `levels` levels each. Returns (spec, data, X dense design, y, truth)."""
    rng = np.random.default_rng(seed)
    markup = np.round(rng.normal(1.5, 0.8, n), 2)
    years = rng.integers(0, 30, n).astype(float)
    codes = [rng.choice(L, n, p=np.r_[0.4, np.full(L - 1, 0.6 / (L - 1))]).astype(np.uint8) for L in levels]
    names, labels = ["Intercept", "markup_pct", "years"], ["Intercept", "Markup (%)", "Years"]
    terms = [{"name": "markup_pct", "label": "Markup (%)", "kind": "continuous", "column": "x0", "design": 1},
             {"name": "years", "label": "Years", "kind": "continuous", "column": "x1", "design": 2}]
    columns = {"x0": (markup, "int16", 100), "x1": (years, "uint8", 1)}
    for t, (L, c) in enumerate(zip(levels, codes)):
        first = len(names)
        names += [f"C(f{t})[T.{lvl}]" for lvl in range(1, L)]
        labels += [f"Factor {t}: level {lvl}" for lvl in range(1, L)]
        terms.append({"name": f"C(f{t})", "label": f"Factor {t}", "kind": "categorical", "column": f"c{t}",
                      "design": list(range(first, first + L - 1)),
                      "levels": ["level 0 (reference)"] + [f"level {lvl}" for lvl in range(1, L)]})
        columns[f"c{t}"] = (c, "uint8", 1)
    k = len(names)
    X = np.zeros((n, k))
    X[:, 0], X[:, 1], X[:, 2] = 1, markup, years
    for t, c in enumerate(codes):
        for code in range(1, levels[t]):
            X[c == code, terms[2 + t]["design"][code - 1]] = 1
    truth = np.r_[-3.0, 0.5, -0.03, rng.normal(0, 0.4, k - 3)]
    y = (rng.random(n) < expit(X @ truth)).astype(np.uint8)
    columns["y"] = (y, "uint8", 1)
    for term in terms:
        if term["kind"] == "continuous":
            v = X[:, term["design"]]
            term["grid"] = np.linspace(np.quantile(v, 0.01), np.quantile(v, 0.99), 15).tolist()
    if fit:
        import statsmodels.api as sm

        res = sm.Logit(y.astype(float), X).fit(disp=0)
        estimate, std_err, llf = res.params, res.bse, float(res.llf)
    else:
        estimate, std_err, llf = truth, np.full(k, 0.1), 0.0
    described, data = pack(columns)
    low, high = np.minimum(estimate - 4 * std_err, truth), np.maximum(estimate + 4 * std_err, truth)
    spec = {"title": "Coefficient explorer", "n": n, "names": names, "labels": labels,
            "estimate": list(map(float, estimate)), "std_err": list(map(float, std_err)),
            "truth": list(map(float, truth)), "loglik_max": llf, "low": low.tolist(), "high": high.tolist(),
            "step": ((high - low) / 200).tolist(), "intercept": 0, "terms": terms, "outcome": "y",
            "factor": "markup_pct", "columns": described}
    return spec, data, X, y.astype(float), truth


def borrower_spec():
    """A three-term model: intercept, a category with three levels, one number (per-unit delta)."""
    names = ["Intercept", "C(g)[T.b]", "C(g)[T.c]", "age"]
    b = [-2.0, 0.7, -0.4, 0.03]
    cov = np.diag([0.04, 0.01, 0.02, 0.0001])
    cov[0, 3] = cov[3, 0] = -0.001
    return {"title": "Borrower PD calculator", "names": names, "estimate": b, "cov": cov.ravel().tolist(),
            "z": 1.959963984540054, "reference_x": [1, 0, 0, 40],
            "term_slices": [{"label": "Group", "start": 1, "stop": 3}, {"label": "Age (years)", "start": 3, "stop": 4}],
            "controls": [
                {"name": "g", "label": "Group", "kind": "choice", "value": "a", "options": [
                    {"value": "a", "label": "a", "delta": {}}, {"value": "b", "label": "b", "delta": {"1": 1.0}},
                    {"value": "c", "label": "c", "delta": {"2": 1.0}}]},
                {"name": "age", "label": "Age", "unit": "years", "kind": "number", "low": 20, "high": 70,
                 "step": 1, "value": 40, "delta": {"3": 1.0}}]}


def cutoff_payload(n=3000, seed=5):
    rng = np.random.default_rng(seed)
    pd_hat = expit(rng.normal(-3, 1, n))
    y = (rng.random(n) < pd_hat).astype(np.uint8)
    amount = np.round(rng.uniform(10, 500, n), 1)
    rate = np.round(rng.uniform(4, 9, n), 2)
    code = rng.integers(0, 3, n).astype(np.uint8)
    described, data = pack({"pd": (pd_hat, "float64", 1), "y": (y, "uint8", 1), "amount_10k": (amount, "int32", 10),
                            "rate_pct": (rate, "int16", 100), "lgd_code": (code, "uint8", 1)})
    spec = {"title": "Cutoff explorer", "n": n, "columns": described,
            "lgd_levels": [{"label": "mortgage", "value": 0.25}, {"label": "guarantor", "value": 0.4},
                           {"label": "credit", "value": 0.6}],
            "cutoff": 0.0712, "lgd": 0.45, "lgd_mode": "by guarantee", "funding_cost_pct": 3.0,
            "grid": np.quantile(pd_hat, np.linspace(0.02, 1.0, 40)).tolist()}
    return spec, data, (pd_hat, y, amount, rate, np.array([0.25, 0.4, 0.6])[code])


def sampling_spec(spec):
    s = {k: v for k, v in spec.items() if k not in ("estimate", "loglik_max", "low", "high", "step", "outcome", "factor")}
    s.update(title="Sampling experiment", term="markup_pct", true_value=0.5, sample_size=2000, replications=100,
             seed=1, min_size=500, max_size=20000, size_step=500)
    return s


MOUNT = """
  const {kind, spec, data64, width} = arg;
  const host = document.createElement('div');
  host.className = 'host'; host.style.width = width + 'px';
  document.body.replaceChildren(host);
  const bytes = Uint8Array.from(atob(data64), (c) => c.charCodeAt(0));
  const values = {kind, spec, data: new DataView(bytes.buffer)};
  const model = {get: (k) => values[k], set() {}, on() {}, off() {}, save_changes() {}, send() {}};
  window.cleanup = M.default.render({model, el: host});
  window.host = host;
"""


def mount(page, kind, spec, data=b"", width=1000):
    js(page, MOUNT, {"kind": kind, "spec": spec, "data64": base64.b64encode(data).decode(), "width": width})


def no_bad_numbers(page):
    """Every text and attribute under the host: no NaN, no Infinity, no undefined."""
    html = page.evaluate("() => window.host.innerHTML")
    for bad in ("NaN", "Infinity", "undefined"):
        assert bad not in html, html[max(0, html.find(bad) - 300):html.find(bad) + 100]
    return html


def accessible(page):
    """Every input and select suppresses JupyterLab shortcuts and has a <label for>; SVGs are labelled images."""
    report = page.evaluate("""() => {
        const host = window.host;
        const controls = [...host.querySelectorAll('input, select')];
        return {
          unsuppressed: controls.filter((c) => !c.hasAttribute('data-lm-suppress-shortcuts')).map((c) => c.outerHTML),
          unlabelled: controls.filter((c) => !c.id || !host.querySelector(`label[for="${c.id}"]`)).map((c) => c.outerHTML),
          svgs: [...host.querySelectorAll('svg')].map((s) => [s.getAttribute('role'), s.getAttribute('aria-label')]),
          live: host.querySelectorAll('[aria-live="polite"]').length,
        };
    }""")
    assert not report["unsuppressed"] and not report["unlabelled"], report
    assert report["svgs"] and all(role == "img" and label for role, label in report["svgs"]), report["svgs"]
    assert report["live"] >= 1
    return report


# ---------------------------------------------------------------------------------------------
# Pure functions
# ---------------------------------------------------------------------------------------------

def test_auc_with_ties(page):
    assert js(page, "return M.aucFromScores([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]);") == pytest.approx(0.75)
    assert js(page, "return M.aucFromScores([0, 1], [0.3, 0.3]);") == 0.5
    rng = np.random.default_rng(2)
    y = (rng.random(500) < 0.2).astype(int)
    s = np.round(rng.normal(size=500) + y, 1)  # many ties
    ranks = stats.rankdata(s)
    expected = (ranks[y == 1].sum() - y.sum() * (y.sum() + 1) / 2) / (y.sum() * (500 - y.sum()))
    assert js(page, "return M.aucFromScores(arg.y, arg.s);", {"y": y.tolist(), "s": s.tolist()}) == pytest.approx(
        expected, rel=1e-12)


def test_log_likelihood_is_stable(page):
    out = js(page, "return [M.logLikelihood([1, 0, 1, 0], [500, -500, -500, 500]), M.expit(-800), M.expit(800), "
                   "M.log1pExp(-800), M.log1pExp(800)];")
    assert out[0] == pytest.approx(-1000.0) and all(np.isfinite(out))
    assert out[1:] == [0.0, 1.0, 0.0, 800.0]


def test_decoding_each_dtype_and_scale(page):
    columns = {"a": (np.array([0, 1, 255]), "uint8", 1), "b": (np.array([-3.27, 0.01, 327.67]), "int16", 100),
               "c": (np.array([-2147483.648, 0.001, 2147483.647]), "int32", 1000),
               "d": (np.array([1e-300, -0.1, np.pi]), "float64", 1), "e": (np.array([1.5, 2.5, 3.0]), "uint8", 2)}
    described, data = pack(columns)
    assert all(d["offset"] % 8 == 0 for d in described)
    # an unaligned view, as a widget's DataView may be
    out = js(page, """const raw = Uint8Array.from(atob(arg.data), (c) => c.charCodeAt(0));
                      const shifted = new Uint8Array(raw.length + 3); shifted.set(raw, 3);
                      const cols = M.decodeColumns(arg.spec, new DataView(shifted.buffer, 3, raw.length));
                      return Object.fromEntries(Object.entries(cols).map(([k, v]) => [k, Array.from(v)]));""",
             {"spec": {"columns": described}, "data": base64.b64encode(data).decode()})
    for name, (values, _, _) in columns.items():
        assert out[name] == values.tolist(), name  # exactly: int / 10**d is correctly rounded
    bad = js(page, "try { M.decodeColumns({columns: [{name: 'x', dtype: 'int16', offset: 0, length: 9, scale: 1}]}, "
                   "new DataView(new ArrayBuffer(8))); return 'no error'; } catch (e) { return e.message; }")
    assert "past the end" in bad


def mulberry32(seed: int, m: int) -> float:
    """Draw m of mulberry32 (README): hash(seed + m * 0x6D2B79F5 mod 2**32) / 2**32."""
    mask = 0xFFFFFFFF
    t = (seed + m * 0x6D2B79F5) & mask
    t = ((t ^ (t >> 15)) * (t | 1)) & mask
    t ^= (t + (((t ^ (t >> 7)) * (t | 61)) & mask)) & mask
    return ((t ^ (t >> 14)) & mask) / 2**32


def test_mulberry32_first_draws(page):
    expected = [mulberry32(1, m) for m in range(1, 11)]
    assert expected[0] == pytest.approx(0.6270739405881613, abs=0)  # the generator's well-known first value
    got = js(page, "return Array.from({length: 10}, (_, i) => M.mulberry32Draw(1, i + 1));")
    assert got == expected
    big = [(7, 4_000_000_000), (0xFFFFFFFF, 123_456_789)]
    assert js(page, "return arg.map(([s, m]) => M.mulberry32Draw(s, m));", big) == [mulberry32(s, m) for s, m in big]


def test_newton_matches_statsmodels(page):
    import statsmodels.api as sm

    rng = np.random.default_rng(11)
    n = 400
    X = np.column_stack([np.ones(n), rng.normal(size=n), rng.random(n) < 0.3, np.round(rng.uniform(0, 5, n), 1)])
    y = (rng.random(n) < expit(X @ [-1.0, 0.8, 0.5, -0.2])).astype(float)
    ref = sm.Logit(y, X).fit(disp=0)
    fit = js(page, "return M.fitLogitNewton(arg.X, arg.y);", {"X": X.tolist(), "y": y.tolist()})
    assert fit["ok"]
    np.testing.assert_allclose(fit["params"], ref.params, rtol=1e-8)
    np.testing.assert_allclose(fit["bse"], ref.bse, rtol=1e-8)
    # complete separation: the step never falls below 1e-8 (or the Hessian degenerates): a failure
    xs = np.column_stack([np.ones(20), np.arange(20.0)])
    sep = js(page, "return M.fitLogitNewton(arg.X, arg.y);", {"X": xs.tolist(), "y": [0] * 10 + [1] * 10})
    assert not sep["ok"]
    zero = js(page, "return M.fitLogitNewton(arg.X, arg.y);",
              {"X": np.column_stack([np.ones(20), np.zeros(20)]).tolist(), "y": [0, 1] * 10})
    assert not zero["ok"] and zero["reason"] == "no Cholesky factor"


def test_cutoff_outcome_by_hand(page):
    """tests/test_explorers.py::test_cutoff_outcome_by_hand, in the browser."""
    prep = {"p": [0.05, 0.2, 0.5, 0.01], "y": [0, 1, 1, 0], "amount": [100, 200, 300, 400], "rate": [5, 6, 7, 5]}
    body = """const cols = {pd: arg.p, y: arg.y, amount_10k: arg.amount, rate_pct: arg.rate, lgd_code: arg.code};
              const prep = {cols, levels: arg.levels, n: 4};
              return arg.settings.map((s) => M.cutoffState(prep, s));"""
    single = {"lgd_mode": "single", "lgd": 0.45, "funding_cost_pct": 3.0}
    out = js(page, body, {**prep, "code": [0, 0, 0, 0], "levels": [0.45],
                          "settings": [{**single, "cutoff": 0.3}, {**single, "cutoff": 0.0}, {**single, "cutoff": 1.0}]})
    at, nothing, everything = out
    assert at["approval_rate"] == 0.75
    assert at["bad_rate_approved"] == pytest.approx(1 / 3)
    assert at["expected_loss"] == pytest.approx(0.45 * (0.05 * 100 + 0.2 * 200 + 0.01 * 400))
    assert at["net_interest_income"] == pytest.approx((100 * 2 + 200 * 3 + 400 * 2) / 100)
    assert at["realised_loss"] == pytest.approx(0.45 * 200)
    assert at["confusion"] == [[2, 1], [0, 1]]
    assert nothing["approval_rate"] == 0 and nothing["bad_rate_approved"] == 0 and nothing["expected_loss"] == 0
    assert everything["approval_rate"] == 1 and everything["bad_rate_approved"] == 0.5
    per_loan = js(page, body, {**prep, "code": [0, 1, 2, 3], "levels": [0.2, 0.5, 0.9, 0.4],
                               "settings": [{"cutoff": 0.3, "lgd_mode": "by guarantee", "lgd": 0.45,
                                             "funding_cost_pct": 3.0}]})[0]
    assert per_loan["expected_loss"] == pytest.approx(0.05 * 0.2 * 100 + 0.2 * 0.5 * 200 + 0.01 * 0.4 * 400)
    assert per_loan["realised_loss"] == pytest.approx(0.5 * 200)
    err = js(page, body.replace("return arg.settings.map((s) => M.cutoffState(prep, s));",
                                "try { M.cutoffState(prep, arg.settings[0]); } catch (e) { return e.message; }"),
             {**prep, "code": [0] * 4, "levels": [0.45], "settings": [{**single, "cutoff": 1.5}]})
    assert "between 0 and 1" in err


def test_coefficient_state_against_numpy(page):
    spec, data, X, y, truth = design_payload(3000, seed=3)
    params = np.array(spec["estimate"]) + 0.05
    out = js(page, """const bytes = Uint8Array.from(atob(arg.data), (c) => c.charCodeAt(0));
                      const prep = M.prepareCoefficients(arg.spec, M.decodeColumns(arg.spec, new DataView(bytes.buffer)));
                      return [M.coefficientState(prep, arg.spec.estimate, 'markup_pct'),
                              M.coefficientState(prep, arg.params, 'C(f1)')];""",
             {"spec": spec, "data": base64.b64encode(data).decode(), "params": params.tolist()})
    at_estimate, moved = out
    assert at_estimate["loglik"] == pytest.approx(spec["loglik_max"], rel=1e-12)
    eta = X @ params
    assert moved["loglik"] == pytest.approx(np.sum(y * eta - np.logaddexp(0, eta)), rel=1e-12)
    ranks = stats.rankdata(eta)
    nb = y.sum()
    auc = (ranks[y == 1].sum() - nb * (nb + 1) / 2) / (nb * (y.size - nb))
    assert moved["auc"] == pytest.approx(auc, rel=1e-12)
    cols = spec["terms"][3]["design"]
    base = eta - X[:, cols] @ params[cols]
    effect = [expit(base).mean()] + [expit(base + params[c]).mean() for c in cols]
    np.testing.assert_allclose(moved["effect_pd"], effect, rtol=1e-12)
    assert moved["effect_x"] == list(range(len(cols) + 1))
    eta0 = X @ np.array(spec["estimate"])
    grid = spec["terms"][0]["grid"]
    base0 = eta0 - X[:, 1] * spec["estimate"][1]
    np.testing.assert_allclose(at_estimate["effect_pd"], [expit(base0 + g * spec["estimate"][1]).mean() for g in grid],
                               rtol=1e-12)
    upper = min(1.0, max(0.05, np.quantile(expit(eta0), 0.995)))
    assert at_estimate["pd_upper"] == pytest.approx(upper, rel=1e-12)
    edges = np.linspace(0, upper, 40)
    dens, _ = np.histogram(expit(eta0)[y == 1], bins=edges, density=True)
    np.testing.assert_allclose(at_estimate["density_bad"], dens, rtol=1e-9, atol=1e-9)


def test_borrower_state_against_numpy(page):
    spec = borrower_spec()
    out = js(page, "return M.borrowerState(arg, {g: 'b', age: 55});", spec)
    b, V = np.array(spec["estimate"]), np.array(spec["cov"]).reshape(4, 4)
    x, xr = np.array([1, 1, 0, 55.0]), np.array(spec["reference_x"], dtype=float)
    se = np.sqrt(x @ V @ x)
    assert out["pd"] == pytest.approx(expit(x @ b), rel=1e-12)
    assert out["ci_low"] == pytest.approx(expit(x @ b - 1.959963984540054 * se), rel=1e-12)
    assert out["ci_high"] == pytest.approx(expit(x @ b + 1.959963984540054 * se), rel=1e-12)
    assert out["odds_ratio"] == pytest.approx(np.exp((x - xr) @ b), rel=1e-12)
    assert out["contributions"] == pytest.approx({"Group": 0.7, "Age (years)": 15 * 0.03})
    assert out["order"] == ["Group", "Age (years)"]


def test_sampling_follows_the_readme_generator(page):
    spec, data, X, _, truth = design_payload(800, seed=4, levels=(3, 5), fit=False)
    s_spec = sampling_spec(spec)
    term, true_value, s, reps, seed = "markup_pct", 0.4, 300, 6, 9
    j = s_spec["names"].index(term)
    beta = truth.copy()
    beta[j] = true_value
    expected_est, expected_se, failed = [], [], 0
    for r in range(reps):
        first = r * 2 * s
        rows = [int(mulberry32(seed, first + i + 1) * X.shape[0]) for i in range(s)]
        x = X[rows]
        yy = np.array([mulberry32(seed, first + s + i + 1) < expit(x[i] @ beta) for i in range(s)], dtype=float)
        used = np.flatnonzero(x.any(axis=0))
        fit = fit_logit_newton(x[:, used], yy, start=beta[used]) if j in used else None
        if fit is None:
            failed += 1
            continue
        k = int(np.flatnonzero(used == j)[0])
        expected_est.append(fit[0][k])
        expected_se.append(fit[1][k])
    out = js(page, """const bytes = Uint8Array.from(atob(arg.data), (c) => c.charCodeAt(0));
                      const prep = M.prepareSampling(arg.spec, M.decodeColumns(arg.spec, new DataView(bytes.buffer)));
                      return await M.runSampling(prep, arg.setting, {replications: arg.reps, seed: arg.seed});""",
             {"spec": s_spec, "data": base64.b64encode(data).decode(), "reps": reps, "seed": seed,
              "setting": {"term": term, "true_value": true_value, "sample_size": s}})
    assert out["failed_fits"] == failed and out["finished"]
    np.testing.assert_allclose(out["estimates"], expected_est, rtol=1e-9)
    np.testing.assert_allclose(out["std_errors"], expected_se, rtol=1e-9)
    z = stats.norm.ppf(0.975)
    est, se = np.array(expected_est), np.array(expected_se)
    assert out["coverage"] == pytest.approx(np.mean(np.abs(est - true_value) <= z * se))
    assert out["power"] == pytest.approx(np.mean(np.abs(est / se) > z))


# The row-by-row Newton fit that fitLogitSparse replaced (README "sampling", summed one row at a time):
# the faster layout must give the same numbers to the last bit.
ROW_BY_ROW_FIT = """
function fitRowByRow(rows, y, k) {
  const { start, col, val } = rows, m = start.length - 1;
  const b = new Float64Array(k), g = new Float64Array(k), H = new Float64Array(k * k), L = new Float64Array(k * k), d = new Float64Array(k);
  for (let it = 1; it <= 25; it++) {
    g.fill(0); H.fill(0);
    for (let i = 0; i < m; i++) {
      let eta = 0;
      for (let a = start[i]; a < start[i + 1]; a++) eta += val[a] * b[col[a]];
      const p = M.expit(eta), w = p * (1 - p), r = y[i] - p;
      for (let a = start[i]; a < start[i + 1]; a++) {
        g[col[a]] += val[a] * r;
        for (let c = a; c < start[i + 1]; c++) H[col[a] * k + col[c]] += w * val[a] * val[c];
      }
    }
    for (let i = 0; i < k; i++) for (let j = 0; j <= i; j++) {
      let s = H[j * k + i];
      for (let q = 0; q < j; q++) s -= L[i * k + q] * L[j * k + q];
      if (i === j) { if (!(s > 0) || !Number.isFinite(s)) return null; L[i * k + i] = Math.sqrt(s); } else L[i * k + j] = s / L[j * k + j];
    }
    for (let i = 0; i < k; i++) { let s = g[i]; for (let q = 0; q < i; q++) s -= L[i * k + q] * d[q]; d[i] = s / L[i * k + i]; }
    for (let i = k - 1; i >= 0; i--) { let s = d[i]; for (let q = i + 1; q < k; q++) s -= L[q * k + i] * d[q]; d[i] = s / L[i * k + i]; }
    let step = 0;
    for (let j = 0; j < k; j++) { b[j] += d[j]; step = Math.max(step, Math.abs(d[j])); }
    if (!Number.isFinite(step)) return null;
    if (step < 1e-8) {
      const bse = new Float64Array(k), e = new Float64Array(k);
      for (let j = 0; j < k; j++) {
        e.fill(0);
        for (let i = j; i < k; i++) { let s = i === j ? 1 : 0; for (let q = j; q < i; q++) s -= L[i * k + q] * e[q]; e[i] = s / L[i * k + i]; bse[j] += e[i] * e[i]; }
        bse[j] = Math.sqrt(bse[j]);
      }
      return { params: Array.from(b), bse: Array.from(bse), iterations: it };
    }
  }
  return null;
}
"""


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_newton_layout_changes_no_number(page, seed):
    """fitLogitSparse (dense block + sparse lists) against the plain row-by-row sums, bit for bit, on
    designs with every kind of column: the intercept, dense numbers (some zeros), indicators before and
    after the dense columns, and sparse columns whose values are not 1; and against numpy to 1e-9."""
    rng = np.random.default_rng(seed)
    n = 600
    X = np.column_stack([
        np.ones(n),
        rng.random(n) < 0.2,                                   # sparse indicator before the dense ones
        np.round(rng.normal(0, 1, n), 2),                      # dense
        np.where(rng.random(n) < 0.3, 0.0, rng.uniform(1, 4, n)),  # dense with zeros
        (rng.random(n) < 0.15) * np.round(rng.uniform(0.5, 3, n), 1),  # sparse, values not 1
        rng.random(n) < 0.35,                                  # sparse indicators after
        rng.random(n) < 0.1,
        np.round(rng.uniform(-2, 2, n), 3),                    # dense, last
    ]).astype(float)
    y = (rng.random(n) < expit(X @ np.r_[-0.5, 0.6, 0.8, -0.3, 0.4, -0.7, 0.9, 0.2])).astype(float)
    out = js(page, ROW_BY_ROW_FIT + """
        const start = new Int32Array(arg.X.length + 1), col = [], val = [];
        arg.X.forEach((row, i) => { row.forEach((v, j) => { if (v !== 0) { col.push(j); val.push(v); } }); start[i + 1] = col.length; });
        const rows = { start, col: Int32Array.from(col), val: Float64Array.from(val) };
        const k = arg.X[0].length, layout = M.newtonLayout(rows, k);
        const fit = M.fitLogitSparse(rows, arg.y, k);
        return { fit: { ok: fit.ok, params: Array.from(fit.params), bse: Array.from(fit.bse), iterations: fit.iterations },
                 reference: fitRowByRow(rows, arg.y, k), dense: Array.from(layout.dense) };""",
             {"X": X.tolist(), "y": y.tolist()})
    assert out["dense"] == [0, 2, 3, 7]  # the layout does split the columns
    assert out["fit"]["ok"] and out["reference"] is not None
    assert out["fit"]["params"] == out["reference"]["params"]  # exactly
    assert out["fit"]["bse"] == out["reference"]["bse"]
    assert out["fit"]["iterations"] == out["reference"]["iterations"]
    params, bse = fit_logit_newton(X, y)
    np.testing.assert_allclose(out["fit"]["params"], params, rtol=1e-9)
    np.testing.assert_allclose(out["fit"]["bse"], bse, rtol=1e-9)


# ---------------------------------------------------------------------------------------------
# render() of each kind
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("width", [1000, 390])
def test_render_coefficients(page, width):
    spec, data, X, y, truth = design_payload(2000, seed=1)
    mount(page, "coefficients", spec, data, width)
    html = no_bad_numbers(page)
    accessible(page)
    assert html.count("<svg") == 4 and "0.0 (at the maximum)" in html and "ROC curve: AUC 0." in html
    hook = js(page, "return window.host.smecredit.result();")
    assert hook["loglik"] == pytest.approx(spec["loglik_max"], rel=1e-12)
    # extremes: every coefficient at +50, then -50, then the truth; and a categorical effect curve
    for params in ([50.0] * len(truth), [-50.0] * len(truth), truth.tolist()):
        js(page, "window.host.smecredit.set({params: arg, factor: 'C(f1)'});", params)
        no_bad_numbers(page)
        got = js(page, "return window.host.smecredit.result();")
        assert np.isfinite(got["loglik"]) and len(got["effect_pd"]) == 6
    assert js(page, "return window.host.smecredit.setting().factor;") == "C(f1)"
    # typing: a value outside the slider is used; a non-number and |v| > 50 are refused with a message
    first = page.locator(".smecredit-coef-row input.smecredit-number").first
    first.fill("12.5")
    page.wait_for_timeout(50)
    assert js(page, "return window.host.smecredit.setting().params[0];") == 12.5
    first.fill("abc")
    assert page.locator(".smecredit-coef-row .smecredit-message").first.inner_text() == "Type a number"
    first.fill("60")
    assert "-50 and 50" in page.locator(".smecredit-coef-row .smecredit-message").first.inner_text()
    assert js(page, "return window.host.smecredit.setting().params[0];") == 12.5
    # a slider moved by the keyboard redraws within a frame and is measured
    slider = page.locator(".smecredit-coef-row input[type=range]").nth(1)
    slider.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_timeout(100)
    assert js(page, "return performance.getEntriesByName('smecredit-redraw').length;") >= 1
    page.locator("button", has_text="Reset to the estimate").click()
    page.wait_for_timeout(100)
    assert js(page, "return window.host.smecredit.setting().params;") == spec["estimate"]
    assert not page.errors


@pytest.mark.parametrize("width", [1000, 390])
def test_render_borrower(page, width):
    spec = borrower_spec()
    mount(page, "borrower", spec, b"", width)
    html = no_bad_numbers(page)
    accessible(page)
    assert "Odds 1.00 times the reference borrower" in html and html.count("<svg") == 2
    js(page, "window.host.smecredit.set({values: {g: 'c', age: 70}});")
    got = js(page, "return window.host.smecredit.result();")
    assert got["pd"] == pytest.approx(expit(-2.0 - 0.4 + 0.03 * 70))
    assert page.locator("select").first.input_value() == "c"
    page.locator("button", has_text="Back to the reference borrower").click()
    page.wait_for_timeout(100)
    assert js(page, "return window.host.smecredit.setting();") == {"values": {"g": "a", "age": 40}}
    no_bad_numbers(page)
    # drawn at the element's real width; the cleanup removes everything
    widths = js(page, "return [...window.host.querySelectorAll('svg')].map((s) => +s.getAttribute('width'));")
    assert (sum(widths) + 12 if width >= 600 else max(widths)) == width
    js(page, "window.cleanup(); return null;")
    assert js(page, "return [window.host.innerHTML, 'smecredit' in window.host];") == ["", False]
    assert not page.errors


@pytest.mark.parametrize("width", [1000, 390])
def test_render_cutoff(page, width):
    spec, data, (p, y, amount, rate, lgd) = cutoff_payload()
    mount(page, "cutoff", spec, data, width)
    html = no_bad_numbers(page)
    accessible(page)
    got = js(page, "return window.host.smecredit.result();")
    approved = p < spec["cutoff"]
    assert got["approval_rate"] == pytest.approx(approved.mean())  # opens at the spec's setting, exactly
    assert got["expected_loss"] == pytest.approx((p * lgd * amount)[approved].sum(), rel=1e-12)
    assert "At a cutoff of 7.1%" in html and "<table" in html and "<th" in html
    assert js(page, "return window.host.smecredit.setting();") == {
        "cutoff": 0.0712, "lgd_mode": "by guarantee", "lgd": 0.45, "funding_cost_pct": 3.0}
    assert page.locator("input[type=range]").nth(1).is_disabled()  # the single LGD, in by-guarantee mode
    for setting in ({"cutoff": 0.0}, {"cutoff": 1.0, "lgd_mode": "single", "lgd": 1.0, "funding_cost_pct": 8.0}):
        js(page, "window.host.smecredit.set(arg);", setting)
        html = no_bad_numbers(page)
    js(page, "window.host.smecredit.set({cutoff: 0});")
    assert "none approved" in no_bad_numbers(page)
    assert not page.errors


def test_render_sampling(page):
    spec, data, X, y, truth = design_payload(3000, seed=2, fit=False)
    s_spec = sampling_spec(spec)
    mount(page, "sampling", s_spec, data, 390)
    no_bad_numbers(page)
    accessible(page)
    result = js(page, "return await window.host.smecredit.set({sample_size: 500});")
    assert result["finished"] and len(result["estimates"]) + result["failed_fits"] == 100
    html = no_bad_numbers(page)
    assert "100 of 100 samples" in html and "samples: 95% CI coverage" in html
    box = page.locator("input.smecredit-number")
    box.fill("11")
    assert page.locator("button", has_text="Run the experiment").is_disabled()
    box.fill("0.3")
    assert not page.locator("button", has_text="Run the experiment").is_disabled()
    # pressing Run again restarts: the first run is cancelled, the second finishes
    page.locator("button", has_text="Run the experiment").click()
    page.locator("button", has_text="Run the experiment").click()
    page.wait_for_function("() => window.host.smecredit.result() && window.host.smecredit.result().finished "
                           "&& window.host.smecredit.result().true_value === 0.3", timeout=20000)
    no_bad_numbers(page)
    assert not page.errors


def test_inputs_update_the_same_nodes(page):
    """A slider step rewrites attributes and texts of the SVG nodes already drawn (no new <svg>, no new
    path), the ROC has at most 120 points, and the labels follow; the same for the cutoff's table and
    figures. The sampling experiment's inputs are timed like the others."""
    spec, data, *_ = design_payload(3000, seed=6)
    mount(page, "coefficients", spec, data, 1000)
    js(page, """window.before = [...window.host.querySelectorAll('svg, svg *')];
                window.labels = [...window.host.querySelectorAll('svg')].map((s) => s.getAttribute('aria-label'));
                window.rocPath = window.host.querySelectorAll('svg')[2].querySelector('path');
                window.rocD = window.rocPath.getAttribute('d');
                return null;""")
    assert len(js(page, "return window.host.smecredit.result().roc_fpr;")) <= 120
    slider = page.locator(".smecredit-coef-row input[type=range]").nth(1)
    slider.focus()
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    page.wait_for_timeout(100)
    same = js(page, """const now = [...window.host.querySelectorAll('svg, svg *')];
        return {
          svgsKept: [...window.host.querySelectorAll('svg')].every((s) => window.before.includes(s)),
          rocKept: window.host.querySelectorAll('svg')[2].querySelector('path') === window.rocPath,
          rocMoved: window.rocPath.getAttribute('d') !== window.rocD,
          newNodes: now.filter((n) => !window.before.includes(n)).length,
          labelsChanged: [...window.host.querySelectorAll('svg')].map((s) => s.getAttribute('aria-label'))
                           .filter((l, i) => l !== window.labels[i]).length,
          roles: [...window.host.querySelectorAll('svg')].map((s) => s.getAttribute('role')),
        };""")
    assert same["svgsKept"] and same["rocKept"] and same["rocMoved"], same
    assert same["newNodes"] <= 10, same  # a tick label here or there, not a new figure
    assert same["labelsChanged"] >= 1 and same["roles"] == ["img"] * 4
    # a new effect curve (another kind of term) may rebuild its panel, and still draws right
    js(page, "window.host.smecredit.set({factor: 'C(f1)'});")
    assert "Effect of Factor 1" in no_bad_numbers(page)

    cspec, cdata, _ = cutoff_payload()
    mount(page, "cutoff", cspec, cdata, 1000)
    js(page, "window.cells = [...window.host.querySelectorAll('td, svg')]; return null;")
    js(page, "window.host.smecredit.set({cutoff: 0.2});")
    kept = js(page, "return [...window.host.querySelectorAll('td, svg')].every((n, i) => n === window.cells[i]);")
    got = js(page, "return [window.host.smecredit.result().confusion, [...window.host.querySelectorAll('tbody td')].map((t) => t.textContent)];")
    assert kept and [f"{v:,}" for row in got[0] for v in row] == got[1]
    assert "At a cutoff of 20.0%" in no_bad_numbers(page)

    mount(page, "sampling", sampling_spec(spec), data, 1000)
    js(page, "performance.clearMeasures('smecredit-redraw'); return null;")
    page.locator("input[type=range]").first.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_timeout(100)
    assert js(page, "return performance.getEntriesByName('smecredit-redraw').length;") >= 1
    assert not page.errors


def test_speed(page):
    """Coefficients on 20,000 loans x 33 coefficients; the default sampling run (2,000 x 100)."""
    spec, data, *_ = design_payload(20000, seed=7, levels=(6, 12, 5, 11), fit=False)
    assert len(spec["names"]) == 33
    mount(page, "coefficients", spec, data, 1000)
    times = js(page, """const slider = window.host.querySelectorAll('.smecredit-coef-row input[type=range]')[3];
                        const out = [];
                        for (let i = 0; i < 30; i++) {
                          performance.clearMeasures('smecredit-redraw');
                          slider.value = String(slider.valueAsNumber + (i % 2 ? -1 : 1) * Number(slider.step) * 5);
                          slider.dispatchEvent(new Event('input', {bubbles: true}));
                          await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
                          const m = performance.getEntriesByName('smecredit-redraw');
                          if (m.length) out.push(m[m.length - 1].duration);
                        }
                        return out;""")
    median = float(np.median(times))
    print(f"coefficients redraw: median {median:.1f} ms over {len(times)} inputs")
    assert len(times) >= 25 and median < 60
    mount(page, "sampling", sampling_spec(spec), data, 1000)
    result = js(page, "return await window.host.smecredit.set({});")
    print(f"sampling default run: {result['ms']:.0f} ms, {result['failed_fits']} failed")
    assert result["finished"] and result["ms"] < 4000
