"""The live explorers on the published pages, in Debian's Chromium, with no kernel anywhere.

For each explorer: it mounts from the state stored in the page, its numbers agree with the Python
reference (smecredit.explorers) at many random settings including every range end, a real key press
or click redraws it, extremes give finite labelled output, and it fits a phone and 200% zoom.
Tolerance 1e-9 relative: the page ships the loan book's columns losslessly (src/smecredit/static/README.md).
"""

from __future__ import annotations

import math

import nbformat
import numpy as np
import pytest
import statsmodels.formula.api as smf

from serving import ROOT, SCREENSHOTS
from smecredit import load_loans, true_coefficients, true_model
from smecredit.labels import term_label
from smecredit.explorers import (CoefficientExplorer, borrower_pd, cutoff_outcome,
                                 sampling_experiment, unpack_columns)

CHAPTER_6 = "book/06-first-logistic-regression.html"
CHAPTER_10 = "book/10-from-model-to-policy.html"
FORMULA = true_model().formula  # the chapter-6 model: the true model's form
RTOL = 1e-9
SETTINGS = 50


@pytest.fixture(scope="module")
def full_model():
    loans = load_loans()
    return smf.logit(FORMULA, data=loans).fit(disp=0)


def stored_explorer(notebook: str, kind: str) -> dict:
    """The widget state of one explorer as the notebook stores it (what the page carries)."""
    state = nbformat.read(ROOT / "book" / notebook, as_version=4).metadata["widgets"][
        "application/vnd.jupyter.widget-state+json"]["state"]
    [model] = [m for m in state.values() if m["state"].get("kind") == kind]
    return model["state"]


def open_explorers(browser, site_url, path, count, viewport=None):
    page = browser.new_page(viewport=viewport or {"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(site_url + path, wait_until="load")
    page.wait_for_function(
        f"() => Array.from(document.querySelectorAll('.smecredit-widget-host')).filter(h => h.smecredit"
        f" && h.querySelector('svg')).length >= {count}", timeout=20000)
    return page, errors


def hook(page, kind):
    """A JS expression for the root element of the explorer of this kind."""
    return f"Array.from(document.querySelectorAll('.smecredit-widget-host')).find(h => h.smecredit.kind === '{kind}')"


def compute(page, kind, setting):
    return page.evaluate(f"async (s) => await {hook(page, kind)}.smecredit.compute(s)", setting)


def assert_close(actual, expected, what, rtol=RTOL):
    assert math.isfinite(actual), f"{what}: {actual}"
    assert actual == pytest.approx(expected, rel=rtol, abs=1e-12), f"{what}: browser {actual!r}, Python {expected!r}"


def no_bad_text(page, kind):
    text = page.evaluate(f"() => {hook(page, kind)}.textContent")
    for bad in ("NaN", "Infinity", "undefined"):
        assert bad not in text, f"{kind}: '{bad}' shown"


# --- numbers: browser against Python ----------------------------------------------------------

def test_coefficient_explorer_agrees_with_python(browser, site_url, full_model):
    explorer = CoefficientExplorer(full_model, true_coefficients())
    spec = stored_explorer("06-first-logistic-regression.ipynb", "coefficients")["spec"]
    low, high = np.array(spec["low"]), np.array(spec["high"])
    rng = np.random.default_rng(6)
    settings = [low, high, explorer.estimate, explorer.truth]
    settings += [low + rng.random(low.size) * (high - low) for _ in range(SETTINGS - len(settings))]
    page, errors = open_explorers(browser, site_url, CHAPTER_6, 3)
    try:
        for i, params in enumerate(settings):
            factor = explorer.factors[i % len(explorer.factors)]
            expected = explorer.update(params, factor)
            got = compute(page, "coefficients", {"params": [float(v) for v in params], "factor": factor})
            assert_close(got["loglik"], expected.loglik, f"log-likelihood, setting {i}")
            assert_close(got["auc"], expected.auc, f"AUC, setting {i}")
            np.testing.assert_allclose(got["effect_pd"], expected.effect_pd, rtol=RTOL, err_msg=f"effect, setting {i}")
            np.testing.assert_allclose(got["effect_x"], expected.effect_x, rtol=RTOL)
        # far outside every slider: still finite and labelled
        got = compute(page, "coefficients", {"params": [50.0 * (-1) ** j for j in range(low.size)],
                                             "factor": "guarantee_method"})
        assert math.isfinite(got["loglik"]) and 0 <= got["auc"] <= 1
        no_bad_text(page, "coefficients")
        assert not errors, errors
    finally:
        page.close()


def test_borrower_calculator_agrees_with_python(browser, site_url, full_model):
    spec = stored_explorer("06-first-logistic-regression.ipynb", "borrower")["spec"]
    reference = {c["name"]: c["value"] for c in spec["controls"]}
    rng = np.random.default_rng(7)
    settings = []
    for i in range(SETTINGS):
        borrower = {}
        for control in spec["controls"]:
            if control["kind"] == "choice":
                borrower[control["name"]] = control["options"][rng.integers(len(control["options"]))]["value"]
            else:  # range ends first, then anywhere in the range
                ends = {0: control["low"], 1: control["high"]}
                borrower[control["name"]] = ends.get(i, float(rng.uniform(control["low"], control["high"])))
        settings.append(borrower)
    page, errors = open_explorers(browser, site_url, CHAPTER_6, 3)
    try:
        for i, borrower in enumerate(settings):
            expected = borrower_pd(full_model, borrower, reference)
            got = compute(page, "borrower", {"values": borrower})
            assert_close(got["pd"], expected.pd, f"PD, setting {i}")
            assert_close(got["ci_low"], expected.ci_low, f"CI low, setting {i}")
            assert_close(got["ci_high"], expected.ci_high, f"CI high, setting {i}")
            assert_close(got["odds_ratio"], expected.odds_ratio_vs_reference, f"odds, setting {i}")
            for term, value in expected.contributions.items():
                assert got["contributions"][term_label(term)] == pytest.approx(value, rel=RTOL, abs=1e-12), term
        no_bad_text(page, "borrower")
        assert not errors, errors
    finally:
        page.close()


def test_cutoff_explorer_agrees_with_python_and_opens_as_its_static_twin(browser, site_url):
    stored = stored_explorer("10-from-model-to-policy.ipynb", "cutoff")
    spec = stored["spec"]
    import base64

    columns = unpack_columns(spec["columns"], base64.b64decode(stored_buffer("10-from-model-to-policy.ipynb", "cutoff")))
    levels = np.array([level["value"] for level in spec["lgd_levels"]])
    per_loan = levels[columns["lgd_code"].astype(int)]
    args = (columns["pd"], columns["y"], columns["amount_10k"], columns["rate_pct"])
    rng = np.random.default_rng(10)
    settings = [{"cutoff": spec["cutoff"], "lgd_mode": spec["lgd_mode"], "lgd": spec["lgd"],
                 "funding_cost_pct": spec["funding_cost_pct"]}]
    for cutoff, lgd, funding in [(0.0, 0.0, 0.0), (1.0, 1.0, 8.0), (0.0, 1.0, 8.0), (1.0, 0.0, 0.0)]:
        for mode in ("single", "by guarantee"):
            settings.append({"cutoff": cutoff, "lgd_mode": mode, "lgd": lgd, "funding_cost_pct": funding})
    while len(settings) < SETTINGS:
        settings.append({"cutoff": float(rng.choice([rng.random(), rng.choice(columns["pd"])])),
                         "lgd_mode": str(rng.choice(["single", "by guarantee"])), "lgd": float(rng.random()),
                         "funding_cost_pct": float(rng.uniform(0, 8))})
    page, errors = open_explorers(browser, site_url, CHAPTER_10, 1)
    try:
        opening = page.evaluate(f"() => {hook(page, 'cutoff')}.smecredit.setting()")
        assert opening["cutoff"] == spec["cutoff"] and opening["lgd_mode"] == "by guarantee"
        for i, setting in enumerate(settings):
            lgd = per_loan if setting["lgd_mode"] == "by guarantee" else setting["lgd"]
            expected = cutoff_outcome(*args, cutoff=setting["cutoff"], lgd=lgd,
                                      funding_cost_pct=setting["funding_cost_pct"])
            got = compute(page, "cutoff", setting)
            for name in ("approval_rate", "bad_rate_approved", "expected_loss", "net_interest_income",
                         "realised_loss"):
                assert_close(got[name], getattr(expected, name), f"{name}, setting {i} {setting}")
            assert got["confusion"] == expected.confusion.to_numpy().tolist(), f"confusion, setting {i}"
        no_bad_text(page, "cutoff")
        assert not errors, errors
    finally:
        page.close()


def stored_buffer(notebook: str, kind: str) -> str:
    state = nbformat.read(ROOT / "book" / notebook, as_version=4).metadata["widgets"][
        "application/vnd.jupyter.widget-state+json"]["state"]
    [model] = [m for m in state.values() if m["state"].get("kind") == kind]
    [buffer] = [b for b in model["buffers"] if b["path"] == ["data"]]
    return buffer["data"]


def test_sampling_experiment_agrees_with_python(browser, site_url, full_model):
    truth = true_coefficients()
    spec = stored_explorer("06-first-logistic-regression.ipynb", "sampling")["spec"]
    terms = [n for n in spec["names"] if n != "Intercept"]
    rng = np.random.default_rng(11)
    settings = [(spec["term"], spec["true_value"], spec["min_size"]), (spec["term"], 0.0, spec["min_size"]),
                ("guarantee_method[T.joint_mutual]", 10.0, 1000), ("markup_pct", -10.0, 500)]
    while len(settings) < SETTINGS:
        settings.append((str(rng.choice(terms)), float(rng.uniform(-2, 2)), int(rng.choice([500, 1000, 1500]))))
    page, errors = open_explorers(browser, site_url, CHAPTER_6, 3)
    try:
        for i, (term, value, size) in enumerate(settings):
            expected = sampling_experiment(full_model, truth, term, value, size, replications=3, seed=spec["seed"])
            got = compute(page, "sampling", {"term": term, "true_value": value, "sample_size": size,
                                             "replications": 3})
            assert got["failed_fits"] == expected.failed_fits, f"setting {i}"
            np.testing.assert_allclose(got["estimates"], expected.estimates, rtol=1e-7, err_msg=f"setting {i}")
            np.testing.assert_allclose(got["std_errors"], expected.std_errors, rtol=1e-7, err_msg=f"setting {i}")
            if expected.estimates.size:
                assert got["coverage"] == expected.coverage and got["power"] == expected.power, f"setting {i}"
        assert not errors, errors
    finally:
        page.close()


# --- what a reader does -----------------------------------------------------------------------

def test_a_key_press_redraws_and_the_buttons_work(browser, site_url, full_model):
    explorer = CoefficientExplorer(full_model, true_coefficients())
    page, errors = open_explorers(browser, site_url, CHAPTER_6, 3)
    try:
        root = page.locator(".smecredit-widget-host").filter(has=page.locator("input[type=range]")).first
        before = page.evaluate(f"() => {hook(page, 'coefficients')}.smecredit.result().loglik")
        assert_close(before, explorer.loglik_max, "log-likelihood at the opening setting")
        slider = root.locator("input[type=range]").first
        slider.focus()
        page.keyboard.press("ArrowRight")
        page.wait_for_function(f"() => {hook(page, 'coefficients')}.smecredit.result().loglik < {before}")
        root.get_by_role("button", name="Jump to the structural coefficients").click()
        after = page.evaluate(f"() => {hook(page, 'coefficients')}.smecredit.result()")
        expected = explorer.update(explorer.truth, after_factor := page.evaluate(
            f"() => {hook(page, 'coefficients')}.smecredit.setting().factor"))
        assert_close(after["loglik"], expected.loglik, f"log-likelihood at the truth ({after_factor})")
        root.get_by_role("button", name="Reset to the estimate").click()
        reset = page.evaluate(f"() => {hook(page, 'coefficients')}.smecredit.result().loglik")
        assert_close(reset, explorer.loglik_max, "log-likelihood after reset")
        # every control is named for assistive technology and reachable by keyboard
        unnamed = page.evaluate("""() => Array.from(document.querySelectorAll(
            '.smecredit-widget-host input, .smecredit-widget-host select, .smecredit-widget-host button'))
            .filter(c => !(c.labels && c.labels.length) && !c.getAttribute('aria-label')
                         && !c.getAttribute('aria-labelledby') && !(c.tagName === 'BUTTON' && c.textContent.trim()))
            .map(c => c.outerHTML.slice(0, 80))""")
        assert not unnamed, unnamed
        assert not errors, errors
    finally:
        page.close()


def test_every_explorer_answers_a_real_key_press_or_click_as_python_does(browser, site_url, full_model):
    """A reader's input on each of the other explorers: the figure redraws and its numbers are Python's."""
    page, errors = open_explorers(browser, site_url, CHAPTER_6, 3)
    try:
        # borrower: one step up the markup slider
        borrower = page.locator(".smecredit-widget-host").filter(has_text="Back to the reference borrower").first
        before = page.evaluate(f"() => {hook(page, 'borrower')}.smecredit.result().pd")
        svg_label = borrower.locator("svg").first.get_attribute("aria-label")
        borrower.locator("input[type=range]").first.focus()
        page.keyboard.press("ArrowRight")
        page.wait_for_function(f"() => {hook(page, 'borrower')}.smecredit.result().pd !== {before}")
        setting = page.evaluate(f"() => {hook(page, 'borrower')}.smecredit.setting()")["values"]
        reference = {c["name"]: c["value"] for c in stored_explorer("06-first-logistic-regression.ipynb",
                                                                      "borrower")["spec"]["controls"]}
        expected = borrower_pd(full_model, setting, reference)
        got = page.evaluate(f"() => {hook(page, 'borrower')}.smecredit.result()")
        assert_close(got["pd"], expected.pd, "PD after a key press")
        assert borrower.locator("svg").first.get_attribute("aria-label") != svg_label  # the figure says the new PD
        # sampling: press Run, wait for the default run, compare with the reference run
        sampling = page.locator(".smecredit-widget-host").filter(has_text="Run the experiment").first
        sampling.get_by_role("button", name="Run the experiment").click()
        page.wait_for_function(f"() => {{ const r = {hook(page, 'sampling')}.smecredit.result(); return r && r.finished; }}",
                               timeout=60000)
        spec = stored_explorer("06-first-logistic-regression.ipynb", "sampling")["spec"]
        expected = sampling_experiment(full_model, true_coefficients(), spec["term"], spec["true_value"],
                                       spec["sample_size"], spec["replications"], seed=spec["seed"])
        got = page.evaluate(f"() => {hook(page, 'sampling')}.smecredit.result()")
        assert got["failed_fits"] == expected.failed_fits
        np.testing.assert_allclose(got["estimates"], expected.estimates, rtol=1e-7)
        assert (got["coverage"], got["power"]) == (expected.coverage, expected.power)
        assert not errors, errors
    finally:
        page.close()
    page, errors = open_explorers(browser, site_url, CHAPTER_10, 1)
    try:
        stored = stored_explorer("10-from-model-to-policy.ipynb", "cutoff")
        import base64

        columns = unpack_columns(stored["spec"]["columns"],
                                 base64.b64decode(stored_buffer("10-from-model-to-policy.ipynb", "cutoff")))
        cutoff = page.locator(".smecredit-widget-host input[type=range]").first
        cutoff.focus()
        for _ in range(3):
            page.keyboard.press("ArrowRight")
        # Wait until the figure shows the last setting (each press may be drawn, or merged into the next
        # frame), then read the setting and its result together, so a busy machine cannot pair the
        # setting of one frame with the result of another.
        explorer = f"{hook(page, 'cutoff')}.smecredit"
        page.wait_for_function(f"() => {explorer}.result().cutoff > {stored['spec']['cutoff']} "
                               f"&& {explorer}.result().cutoff === {explorer}.setting().cutoff")
        setting, got = page.evaluate(f"() => [{explorer}.setting(), {explorer}.result()]")
        assert got["cutoff"] == setting["cutoff"]
        levels = np.array([level["value"] for level in stored["spec"]["lgd_levels"]])
        expected = cutoff_outcome(columns["pd"], columns["y"], columns["amount_10k"], columns["rate_pct"],
                                  cutoff=setting["cutoff"], lgd=levels[columns["lgd_code"].astype(int)],
                                  funding_cost_pct=setting["funding_cost_pct"])
        assert_close(got["approval_rate"], expected.approval_rate, "approval rate after a key press")
        assert_close(got["expected_loss"], expected.expected_loss, "expected loss after a key press")
        table = page.locator(".smecredit-widget-host table").first.inner_text()
        assert f"{expected.confusion.iloc[0, 0]:,}" in table  # the table shows the new counts
        assert not errors, errors
    finally:
        page.close()


@pytest.mark.parametrize("viewport", [{"width": 390, "height": 844}, {"width": 640, "height": 450}],
                         ids=["phone", "zoom-200"])
@pytest.mark.parametrize("path,count", [(CHAPTER_6, 3), (CHAPTER_10, 1)], ids=["chapter-6", "chapter-10"])
def test_explorers_fit_small_screens(browser, site_url, viewport, path, count):
    page, errors = open_explorers(browser, site_url, path, count, viewport)
    try:
        report = page.evaluate("""() => Array.from(document.querySelectorAll('.smecredit-widget-host')).map(h => ({
            kind: h.smecredit.kind, width: h.getBoundingClientRect().width, scroll: h.scrollWidth, client: h.clientWidth,
            smallestText: Math.min(...Array.from(h.querySelectorAll('svg text')).map(t => parseFloat(getComputedStyle(t).fontSize))),
            cut: Array.from(h.querySelectorAll('input, select, button, svg')).filter(c => {
                const r = c.getBoundingClientRect(); return r.width > 0 && (r.right > window.innerWidth + 1 || r.left < -1); })
                .map(c => c.tagName),
            tracks: Array.from(h.querySelectorAll('input[type=range]')).map(c => c.getBoundingClientRect().width),
            targets: Array.from(h.querySelectorAll('input, select, button')).filter(c => c.offsetParent !== null)
                .map(c => c.getBoundingClientRect().height)}))""")
        for explorer in report:
            assert explorer["scroll"] <= explorer["client"] + 1, f"{explorer['kind']} scrolls sideways"
            assert not explorer["cut"], f"{explorer['kind']}: controls or figures cut off: {explorer['cut']}"
            assert explorer["smallestText"] >= 11, f"{explorer['kind']}: figure text {explorer['smallestText']} px"
            assert all(w >= 120 for w in explorer["tracks"]), f"{explorer['kind']}: slider tracks {explorer['tracks']}"
            assert all(h >= 24 for h in explorer["targets"]), f"{explorer['kind']}: small touch targets"
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        name = f"explorers-{path.split('/')[-1].removesuffix('.html')}-{viewport['width']}px.png"
        page.locator(".smecredit-widget-host").first.screenshot(path=str(SCREENSHOTS / name))
        assert not errors, errors
    finally:
        page.close()
