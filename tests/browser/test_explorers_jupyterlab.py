"""The live explorers in JupyterLab (tests/browser/lab_server.py): a notebook builds the coefficient
explorer and the borrower PD calculator from the real loan book; in Chromium, a reader's arrow keys on
a slider redraw the figures and the summary with no message to the kernel, even after the kernel is
shut down; and the numbers the browser computes agree with the Python reference to 1e-9.

The published page and all four explorers are checked by the static-page tests; this one is about
JupyterLab: anywidget's lab extension loads the module, the keyboard reaches the slider (not
JupyterLab's command-mode shortcuts), and nothing needs the kernel once the explorer is drawn.
"""

from __future__ import annotations

import time

import numpy as np
import pytest
import statsmodels.formula.api as smf

from smecredit import load_loans, true_coefficients, true_model
from smecredit.explorers import REFERENCE_BORROWER, CoefficientExplorer, borrower_pd

FORMULA = true_model().formula  # the chapter-6 model: the true model's form
FACTOR = "markup_pct"
CELLS = [
    f"""import statsmodels.formula.api as smf
from smecredit import load_loans, true_coefficients
from smecredit.explorers import CoefficientExplorer, borrower_widget, coefficient_widget
loans = load_loans()
full = smf.logit({FORMULA!r}, data=loans).fit(disp=0)
explorer = CoefficientExplorer(full, true_coefficients())""",
    f"coefficient_widget(explorer, factor={FACTOR!r})",
    f"borrower_widget(full, {REFERENCE_BORROWER!r})",
]
COEFFICIENTS = ".smecredit-coefficients"
BORROWER = ".smecredit-borrower"
# The element anywidget renders into holds the test hook: el.smecredit (static/README.md).
HOOK = "(selector) => document.querySelector(selector).parentElement.smecredit"
RELATIVE = 1e-9


@pytest.fixture(scope="module")
def full():
    return smf.logit(FORMULA, data=load_loans()).fit(disp=0)


@pytest.fixture(scope="module")
def lab_page(jupyterlab, browser):
    opened = jupyterlab.open_notebook(browser, "explorers", CELLS, f"{BORROWER} svg", timeout=90)
    yield opened
    opened.close()
    jupyterlab.shutdown_kernels()


def hook(page, selector: str, call: str, *args):
    """Call ``el.smecredit.<call>(*args)`` on the explorer matched by ``selector``; returns its value."""
    return page.evaluate(f"([selector, args]) => ({HOOK})(selector).{call}(...args)", [selector, list(args)])


def figure_text(page, selector: str) -> str:
    """The numbers a reader sees: every SVG text and the summary of one explorer."""
    return page.evaluate("""(selector) => {
        const root = document.querySelector(selector);
        return [...root.querySelectorAll("svg text, .smecredit-summary")].map(n => n.textContent).join("|");
    }""", selector)


def drawing(page, selector: str) -> str:
    """The SVG markup of one explorer (changes with any redraw that moves a mark)."""
    return page.evaluate("(s) => [...document.querySelectorAll(s + ' svg')].map(n => n.outerHTML).join('')", selector)


def redraw_count(page) -> int:
    return page.evaluate("() => performance.getEntriesByName('smecredit-redraw').length")


def summary(page, selector: str) -> str:
    return page.locator(f"{selector} .smecredit-summary").inner_text()


def press(page, slider, key: str, times: int):
    slider.focus()
    for _ in range(times):
        page.keyboard.press(key)


def wait_for_kernels_gone(jupyterlab, timeout: float = 15):
    jupyterlab.shutdown_kernels()
    deadline = time.monotonic() + timeout
    while jupyterlab.api("kernels"):
        assert time.monotonic() < deadline, "the kernel did not shut down"
        time.sleep(0.1)


def test_explorers_draw_in_jupyterlab_without_fetching(lab_page):
    page = lab_page.page
    for selector, kind in [(COEFFICIENTS, "coefficients"), (BORROWER, "borrower")]:
        assert page.locator(f"{selector} svg").count() >= 1, f"{kind}: no SVG drawn"
        assert page.evaluate(f"(s) => ({HOOK})(s).kind", selector) == kind
        assert page.evaluate(f"(s) => ({HOOK})(s).error || null", selector) is None
        assert page.locator(f"{selector} .smecredit-error").count() == 0
    inputs = page.locator(f"{COEFFICIENTS} input, {COEFFICIENTS} select, {BORROWER} input, {BORROWER} select")
    assert inputs.count() > 0
    missing = page.evaluate("""() => [...document.querySelectorAll(
        '.smecredit-explorer input, .smecredit-explorer select')].filter(n => !n.hasAttribute('data-lm-suppress-shortcuts'))
        .map(n => n.id)""")
    assert missing == [], f"inputs without data-lm-suppress-shortcuts: {missing}"
    assert lab_page.outside == [], f"requests to other hosts: {lab_page.outside}"


def test_arrow_keys_redraw_without_the_kernel(lab_page, jupyterlab, full):
    """ArrowRight on a coefficient's slider redraws the figures; no comm message goes to the kernel;
    after the kernel is shut down the slider still redraws, and the browser's numbers agree with
    CoefficientExplorer.update to 1e-9 (relative)."""
    page = lab_page.page
    names = list(full.params.index)
    sliders = page.locator(f"{COEFFICIENTS} input[type=range]")
    assert sliders.count() == len(names)
    slider = sliders.nth(names.index(FACTOR))
    start_setting = hook(page, COEFFICIENTS, "setting")
    assert start_setting["factor"] == FACTOR
    np.testing.assert_allclose(start_setting["params"], full.params.to_numpy(), rtol=1e-12)

    # With the kernel alive: moving the slider redraws and sends the kernel nothing.
    before, since = drawing(page, COEFFICIENTS), time.monotonic()
    redraws = redraw_count(page)
    press(page, slider, "ArrowRight", 3)
    page.wait_for_function("(n) => performance.getEntriesByName('smecredit-redraw').length > n", arg=redraws)
    page.wait_for_timeout(300)
    # (The recorder works: running the cells sent execute requests on the kernel's WebSocket.)
    assert lab_page.kernel_frames, "no frame seen on the kernel's WebSocket: the recorder is not attached"
    assert lab_page.comm_messages_since(since) == [], "the explorer sent comm messages to the kernel"
    assert drawing(page, COEFFICIENTS) != before, "three arrow presses changed nothing drawn"

    # Without a kernel at all.
    wait_for_kernels_gone(jupyterlab)
    before_text, before_summary = figure_text(page, COEFFICIENTS), summary(page, COEFFICIENTS)
    press(page, slider, "ArrowRight", 25)
    # The aria-live summary is written 400 ms after the last step (so screen readers hear the settled value).
    page.wait_for_function("([s, old]) => document.querySelector(s + ' .smecredit-summary').textContent !== old",
                           arg=[COEFFICIENTS, before_summary], timeout=5000)
    assert figure_text(page, COEFFICIENTS) != before_text
    assert jupyterlab.api("kernels") == [], "moving the slider started a kernel"

    setting = hook(page, COEFFICIENTS, "setting")
    moved = np.array(setting["params"])
    j = names.index(FACTOR)
    assert moved[j] > full.params.iloc[j], "ArrowRight did not raise the coefficient"
    np.testing.assert_array_equal(np.delete(moved, j), np.delete(full.params.to_numpy(), j))
    shown = hook(page, COEFFICIENTS, "result")
    reference = CoefficientExplorer(full, true_coefficients()).update(moved, FACTOR)
    assert shown["loglik"] == pytest.approx(reference.loglik, rel=RELATIVE)
    assert shown["loglik_max"] == pytest.approx(reference.loglik_max, rel=RELATIVE)
    assert shown["auc"] == pytest.approx(reference.auc, rel=RELATIVE)
    np.testing.assert_allclose(shown["effect_x"], reference.effect_x, rtol=RELATIVE)
    np.testing.assert_allclose(shown["effect_pd"], reference.effect_pd, rtol=RELATIVE)
    assert lab_page.outside == []


def test_borrower_calculator_without_the_kernel(lab_page, jupyterlab, full):
    """The PD calculator's first slider (markup) moves with the arrow keys, kernel or none, and its PD
    agrees with borrower_pd."""
    page = lab_page.page
    wait_for_kernels_gone(jupyterlab)
    slider = page.locator(f"{BORROWER} input[type=range]").first
    before_text = figure_text(page, BORROWER)
    start = hook(page, BORROWER, "setting")["values"]
    press(page, slider, "ArrowRight", 5)
    page.wait_for_function("([s, old]) => [...document.querySelectorAll(s + ' svg text, ' + s + ' .smecredit-summary')]"
                           ".map(n => n.textContent).join('|') !== old", arg=[BORROWER, before_text], timeout=5000)
    assert jupyterlab.api("kernels") == []
    values = hook(page, BORROWER, "setting")["values"]
    changed = {name for name in values if values[name] != start[name]}
    assert changed == {"markup_pct"}, f"five presses on the first slider changed {changed}"
    assert values["markup_pct"] > start["markup_pct"]
    shown = hook(page, BORROWER, "result")
    expected = borrower_pd(full, {**REFERENCE_BORROWER, **values}, REFERENCE_BORROWER)
    assert shown["pd"] == pytest.approx(expected.pd, rel=RELATIVE)
    assert shown["odds_ratio"] == pytest.approx(expected.odds_ratio_vs_reference, rel=RELATIVE)
    assert shown["ci_low"] == pytest.approx(expected.ci_low, rel=1e-7)
    assert shown["ci_high"] == pytest.approx(expected.ci_high, rel=1e-7)
