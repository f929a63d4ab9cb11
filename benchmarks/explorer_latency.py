"""Benchmark: how fast the live explorers answer a reader, measured in Debian's Chromium (figures, not a test).

For each explorer, ~100 ArrowRight presses (real key events, through playwright) on one of its range
inputs, one at a time, and for each press the latency from the ``smecredit-input`` mark (recorded by
static/explorers.js in the slider's input handler) to the end of the frame that shows the new figure:

  painted     the main thread has rendered that frame (style, layout, paint): the first task after the
              animation frame in which the explorer recomputed and redrew (requestAnimationFrame, then
              a MessageChannel message);
  next frame  the next animation frame has begun (requestAnimationFrame from that task): the frame with
              the new figure has been handed to the compositor. This is the latency compared with the
              targets (median <= 30 ms, 95th percentile <= 50 ms).

Printed beside them: ``redraw``, the module's own ``smecredit-redraw`` measure (mark to the end of
compute and draw, within the animation frame), and ``compute``, the median of
``el.smecredit.compute(setting)`` alone (no drawing). The sampling experiment's slider (loans per
sample) sets up the next run and records no mark; its latency is taken from the input event's own
time stamp. For the sampling experiment, also the time from the click on "Run the experiment" to the
first histogram drawn and to the end of the default run (targets 300 ms and 2 s).

Measured (a) on the built book page served from _build/html (built first with ``make book`` when the
chapter pages are missing or older than their notebooks; skipped, with a note, when the pages hold no
live explorer, i.e. the notebooks were not re-executed since the explorers became one anywidget) and
(b) in JupyterLab from this virtual environment (tests/browser/jupyterlab.py), on the whole loan book.

The stand-in page (a') builds its widgets in this process, so it runs src/smecredit/static/explorers.js
as it is on disk now (the built book pages hold the copy stored when the chapters were executed);
``--module FILE`` mounts another copy of the module instead (e.g. an older one, for a before/after).

Usage: OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/explorer_latency.py [--presses 100] [--skip-book]
[--skip-stand-in] [--skip-lab] [--module FILE]. Needs /usr/bin/chromium; never fails (exit status 0
whatever the figures).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
sys.path.insert(0, str(ROOT / "tests" / "browser"))
from serving import CHROMIUM, CHROMIUM_FLAGS, StaticServer, jupyterlab_harness  # noqa: E402
from smecredit import true_model  # noqa: E402
from smecredit.explorers import REFERENCE_BORROWER  # noqa: E402

TARGET_MEDIAN_MS, TARGET_P95_MS = 30.0, 50.0
TARGET_FIRST_MS, TARGET_DONE_MS = 300.0, 2000.0
KINDS = ["coefficients", "borrower", "cutoff", "sampling"]
# Chapter pages holding each explorer, and their notebooks.
PAGES = {"book/06-first-logistic-regression": ["coefficients", "borrower", "sampling"],
         "book/10-from-model-to-policy": ["cutoff"]}
VIEWPORT = {"width": 1280, "height": 900}

FORMULA = true_model().formula  # the chapter-6 model: the true model's form
# LGD by guarantee method for the cutoff explorer (illustrative: the latency does not depend on it).
LGD = {"mortgage": 0.35, "pledge": 0.45, "guarantee": 0.55, "guarantee_company": 0.5, "joint_mutual": 0.6,
       "credit": 0.75}
LAB_CELLS = [
    f"""import statsmodels.formula.api as smf
from smecredit import load_loans, true_coefficients
from smecredit.explorers import (CoefficientExplorer, borrower_widget, coefficient_widget, cutoff_widget,
                                 sampling_widget)
loans = load_loans()
full = smf.logit({FORMULA!r}, data=loans).fit(disp=0)
truth = true_coefficients()""",
    'coefficient_widget(CoefficientExplorer(full, truth), factor="markup_pct")',
    f"borrower_widget(full, {REFERENCE_BORROWER!r})",
    f"""lgd = loans["guarantee_method"].astype(str).map({LGD!r}).to_numpy()
cutoff_widget(full.predict(loans), loans["default_12m"], loans["loan_amount_10k"], loans["contract_rate_pct"],
              cutoff=0.10, lgd=lgd, funding_cost_pct=3.5, lgd_groups=loans["guarantee_method"])""",
    'sampling_widget(full, truth, term="markup_pct", sample_size=2000, replications=100, seed=1)',
]

# Installed once per page: for every input event, when the frame showing its effect was rendered and
# when the next frame began. The document's bubbling listener runs after the slider's own listener,
# so its requestAnimationFrame callback runs after the explorer's, in the same frame.
INSTRUMENT = """() => {
  if (window.__latency) return;
  const lat = window.__latency = { waiter: null, armed: null };
  lat.arm = () => { lat.armed = new Promise((resolve) => { lat.waiter = resolve; }); };
  lat.wait = (ms) => Promise.race([lat.armed, new Promise((resolve) => setTimeout(() => resolve(null), ms))]);
  document.addEventListener("input", (event) => {
    const eventTime = event.timeStamp;
    requestAnimationFrame(() => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => {
        const painted = performance.now();
        requestAnimationFrame(() => {
          const nextFrame = performance.now();
          const mark = performance.getEntriesByName("smecredit-input").at(-1);
          const measure = performance.getEntriesByName("smecredit-redraw").at(-1);
          const fresh = mark && mark.startTime >= eventTime - 0.001;
          const record = {
            event: eventTime, mark: fresh ? mark.startTime : null,
            redrawEnd: fresh && measure && measure.startTime === mark.startTime ? measure.startTime + measure.duration : null,
            painted, nextFrame,
          };
          if (lat.waiter) { const resolve = lat.waiter; lat.waiter = null; resolve(record); }
        });
      };
      channel.port2.postMessage(0);
    });
  });
}"""

# Times the sampling experiment's run from the click on its button to the first histogram and to the end.
SAMPLING_RUN = """async ([selector, timeout]) => {
  const root = document.querySelector(selector);
  const hook = root.parentElement.smecredit;
  const button = [...root.querySelectorAll("button")].find((b) => /run the experiment/i.test(b.textContent));
  const afterPaint = () => new Promise((resolve) => requestAnimationFrame(() => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => resolve(performance.now());
    channel.port2.postMessage(0);
  }));
  let first = null, done = null, finishedResult = null;
  const finished = new Promise((resolve) => {
    const observer = new MutationObserver(() => {
      const r = hook.result();
      if (!r) return;
      if (first === null && r.done > 0 && r.estimates.length > 0) first = afterPaint();
      if (r.finished && done === null) { done = afterPaint(); finishedResult = r; observer.disconnect(); resolve(); }
    });
    observer.observe(root, { subtree: true, childList: true, characterData: true, attributes: true });
  });
  const clicked = performance.now();
  button.click();
  const outcome = await Promise.race([finished.then(() => "done"), new Promise((r) => setTimeout(() => r("timeout"), timeout))]);
  return { outcome, first: first === null ? null : (await first) - clicked, done: done === null ? null : (await done) - clicked,
           samples: finishedResult ? finishedResult.estimates.length : null, failed: finishedResult ? finishedResult.failed_fits : null,
           total: finishedResult ? finishedResult.total : null, module_ms: finishedResult ? finishedResult.ms : null };
}"""

# Median time of el.smecredit.compute(setting) alone, at the explorer's current setting.
COMPUTE_ONLY = """([selector, repeats]) => {
  const hook = document.querySelector(selector).parentElement.smecredit;
  const setting = hook.setting();
  const times = [];
  for (let i = 0; i < repeats; i++) { const t = performance.now(); hook.compute(setting); times.push(performance.now() - t); }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}"""


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) by linear interpolation between order statistics."""
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def slider_for(page, kind: str):
    """The range input to press: the markup coefficient, the borrower's first number, the cutoff, the sample size."""
    root = f".smecredit-{kind}"
    if kind == "coefficients":
        index = page.evaluate("""(root) => [...document.querySelectorAll(root + ' input[type=range]')]
            .findIndex((r) => { const l = document.querySelector('label[for="' + r.id + '"]');
                                return l && /markup/i.test(l.textContent); })""", root)
        return page.locator(f"{root} input[type=range]").nth(max(index, 0))
    return page.locator(f"{root} input[type=range]").first


def press_and_time(page, kind: str, presses: int) -> dict:
    """Press ArrowRight ``presses`` times on the explorer's slider (ArrowLeft from wherever it stops
    at its maximum); returns latency lists in ms and the count of presses that redrew nothing."""
    page.evaluate(INSTRUMENT)
    slider = slider_for(page, kind)
    slider.scroll_into_view_if_needed()
    slider.focus()
    key, lost = "ArrowRight", 0
    painted, next_frame, redraw, from_event = [], [], [], []
    for _ in range(presses):
        at_end = page.evaluate("(r) => r.valueAsNumber >= Number(r.max) - 1e-12 ? 'max' : r.valueAsNumber <= Number(r.min) + 1e-12 ? 'min' : ''",
                               slider.element_handle())
        if at_end == "max":
            key = "ArrowLeft"
        elif at_end == "min":
            key = "ArrowRight"
        page.evaluate("() => window.__latency.arm()")
        page.keyboard.press(key)
        record = page.evaluate("() => window.__latency.wait(2000)")
        if record is None:
            lost += 1
            continue
        start = record["mark"] if record["mark"] is not None else record["event"]
        painted.append(record["painted"] - start)
        next_frame.append(record["nextFrame"] - start)
        from_event.append(record["nextFrame"] - record["event"])
        if record["redrawEnd"] is not None:
            redraw.append(record["redrawEnd"] - record["mark"])
    return {"painted": painted, "next_frame": next_frame, "redraw": redraw, "from_event": from_event,
            "lost": lost, "marked": len(redraw)}


def summarise(figures: dict, compute_ms: float | None) -> str:
    next_frame = figures["next_frame"]
    if not next_frame:
        return f"no redraw seen after {figures['lost']} presses"
    median, p95 = statistics.median(next_frame), percentile(next_frame, 95)
    verdict = "meets" if median <= TARGET_MEDIAN_MS and p95 <= TARGET_P95_MS else "MISSES"
    parts = [f"next frame median {median:5.1f} ms (target <= {TARGET_MEDIAN_MS:.0f}), "
             f"p95 {p95:5.1f} ms (target <= {TARGET_P95_MS:.0f}): {verdict} the targets",
             f"painted median {statistics.median(figures['painted']):5.1f}, p95 {percentile(figures['painted'], 95):5.1f} ms"]
    if figures["redraw"]:
        parts.append(f"smecredit-redraw median {statistics.median(figures['redraw']):5.1f}, "
                     f"p95 {percentile(figures['redraw'], 95):5.1f} ms")
    else:
        parts.append("no smecredit-input mark (timed from the input event)")
    if compute_ms is not None:
        parts.append(f"compute alone median {compute_ms:5.1f} ms")
    parts.append(f"{len(next_frame)} presses timed" + (f", {figures['lost']} redrew nothing" if figures["lost"] else ""))
    return "\n      ".join(parts)


def measure_explorer(page, kind: str, presses: int) -> None:
    root = f".smecredit-{kind}"
    error = page.evaluate("(s) => { const h = document.querySelector(s).parentElement.smecredit; return h ? (h.error || null) : 'no el.smecredit'; }", root)
    if error:
        print(f"  {kind:13s} could not be measured: {error}")
        return
    if kind == "sampling":  # first, at the explorer's starting setting (the slider presses change it)
        time_sampling_run(page, root)
    compute_ms = None if kind == "sampling" else page.evaluate(COMPUTE_ONLY, [root, 21])
    figures = press_and_time(page, kind, presses)
    print(f"  {kind:13s} {summarise(figures, compute_ms)}")


def time_sampling_run(page, root: str) -> None:
    setting = page.evaluate("(s) => document.querySelector(s).parentElement.smecredit.setting()", root)
    run = page.evaluate(SAMPLING_RUN, [root, 60000])
    label = (f"run of {setting.get('term')} at {setting.get('sample_size')} loans a sample"
             + (f" ({run['total']} samples, {run['failed']} failed fits)" if run["total"] else ""))
    if run["outcome"] != "done":
        print(f"  {'sampling':13s} {label}: not finished within 60 s (first histogram after {run['first']} ms)")
        return
    first_ok = run["first"] is not None and run["first"] <= TARGET_FIRST_MS
    done_ok = run["done"] <= TARGET_DONE_MS
    print(f"  {'sampling':13s} {label}:\n      first histogram {run['first']:6.0f} ms after the click "
          f"(target <= {TARGET_FIRST_MS:.0f}: {'meets' if first_ok else 'MISSES'}), done {run['done']:6.0f} ms "
          f"(target <= {TARGET_DONE_MS:.0f}: {'meets' if done_ok else 'MISSES'}); the module's own timing "
          f"{run['module_ms']:.0f} ms")


# ---------------------------------------------------------------------------------------------
# (a) The built book page
# ---------------------------------------------------------------------------------------------

def book_is_current() -> bool:
    for stem in PAGES:
        page, notebook = ROOT / "_build" / "html" / f"{stem}.html", ROOT / f"{stem}.ipynb"
        if not page.is_file() or page.stat().st_mtime < notebook.stat().st_mtime:
            return False
    return True


def on_the_book_page(browser, presses: int) -> None:
    print("(a) The built book page (_build/html, served on 127.0.0.1)")
    if not book_is_current():
        print("  the chapter pages are missing or older than their notebooks: running `make book` ...", flush=True)
        start = time.monotonic()
        build = subprocess.run(["make", "book"], cwd=ROOT, capture_output=True, text=True)
        print(f"  make book: exit status {build.returncode} after {time.monotonic() - start:.0f} s")
        if build.returncode != 0:
            print("  " + (build.stdout[-1500:] + build.stderr[-1500:]).replace("\n", "\n  "))
        if not all((ROOT / "_build" / "html" / f"{stem}.html").is_file() for stem in PAGES):
            print("  no chapter pages to measure: skipped")
            return
    server = StaticServer(ROOT / "_build" / "html")
    try:
        for stem, kinds in PAGES.items():
            page = browser.new_page(viewport=VIEWPORT)
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.goto(f"{server.url}{stem}.html", wait_until="load")
            try:
                page.wait_for_selector(".smecredit-widget-host svg", timeout=15000)
            except Exception:
                notes = page.locator(".smecredit-widget-host").all_inner_texts()
                print(f"  {stem}.html: no `.smecredit-widget-host svg`; the page holds no live explorer "
                      f"(its notebook stores the old widgets: re-execute it, then rebuild). Skipped."
                      + (f" Hosts say: {notes[:2]}" if notes else "") + (f" Page errors: {errors[:3]}" if errors else ""))
                page.close()
                continue
            for kind in kinds:
                if page.locator(f".smecredit-widget-host .smecredit-{kind}").count() == 0:
                    print(f"  {kind:13s} not on {stem}.html")
                    continue
                measure_explorer(page, kind, presses)
            page.close()
    finally:
        server.stop()
        server.log.unlink(missing_ok=True)  # _build/http-<port>.log


# ---------------------------------------------------------------------------------------------
# (a') A stand-in for the published page: the same stored widget state, mounted by the same embed.js
# ---------------------------------------------------------------------------------------------

STAND_IN = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Explorers: stand-in page</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="margin: 0; font-family: sans-serif"><main style="max-width: 820px; margin: 0 auto; padding: 1rem">
<script type="application/vnd.jupyter.widget-state+json">{state}</script>
{views}
</main><script src="embed.js"></script></body></html>
"""


def stand_in_page(folder: Path, module: Path | None = None) -> Path:
    """Write index.html holding the four explorers' widget state (as myst-nb stores it in a page) and a
    view of each, plus a copy of _assets/widgets/embed.js, into ``folder``. The stored module is
    static/explorers.js as on disk now, or the text of ``module`` when given."""
    import json
    import shutil

    import numpy as np
    import statsmodels.formula.api as smf
    from ipywidgets.embed import embed_data

    from smecredit import load_loans, true_coefficients
    from smecredit.explorers import (CoefficientExplorer, borrower_widget, coefficient_widget, cutoff_widget,
                                     sampling_widget)

    loans = load_loans()
    full = smf.logit(FORMULA, data=loans).fit(disp=0)
    truth = true_coefficients()
    lgd = loans["guarantee_method"].astype(str).map(LGD).to_numpy(dtype=float)
    widgets = [coefficient_widget(CoefficientExplorer(full, truth), factor="markup_pct"),
               borrower_widget(full, REFERENCE_BORROWER),
               cutoff_widget(full.predict(loans).to_numpy(), loans["default_12m"].to_numpy(np.uint8),
                             loans["loan_amount_10k"], loans["contract_rate_pct"], cutoff=0.10, lgd=lgd,
                             funding_cost_pct=3.5, lgd_groups=loans["guarantee_method"]),
               sampling_widget(full, truth, term="markup_pct", sample_size=2000, replications=100, seed=1)]
    data = embed_data(views=widgets, drop_defaults=False)
    if module is not None:
        for model in data["manager_state"]["state"].values():
            if "_esm" in model.get("state", {}):
                model["state"]["_esm"] = module.read_text(encoding="utf-8")
    views = "\n".join(f'<div class="cell_output"><script type="application/vnd.jupyter.widget-view+json">'
                      f"{json.dumps(view)}</script></div>" for view in data["view_specs"])
    state = json.dumps(data["manager_state"]).replace("</", "<\\/")
    (folder / "index.html").write_text(STAND_IN.replace("{state}", state).replace("{views}", views), encoding="utf-8")
    shutil.copy(ROOT / "_assets" / "widgets" / "embed.js", folder / "embed.js")
    return folder / "index.html"


def on_a_stand_in_page(browser, presses: int, module: Path | None = None) -> None:
    print("(a') A stand-in for the published page: the four explorers' stored state mounted by "
          "_assets/widgets/embed.js, in a plain 820 px column (no book theme), whole loan book; module: "
          + (str(module) if module else "src/smecredit/static/explorers.js as on disk"))
    with tempfile.TemporaryDirectory() as folder:
        site = Path(folder) / "site"  # the server's log goes next to it, into the temporary folder
        site.mkdir()
        stand_in_page(site, module)
        server = StaticServer(site)
        try:
            page = browser.new_page(viewport=VIEWPORT)
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.goto(server.url + "index.html", wait_until="load")
            page.wait_for_selector(".smecredit-widget-host .smecredit-sampling svg", timeout=30000)
            for kind in KINDS:
                measure_explorer(page, kind, presses)
            if errors:
                print(f"  page errors: {errors[:3]}")
            page.close()
        finally:
            server.stop()


# ---------------------------------------------------------------------------------------------
# (b) JupyterLab
# ---------------------------------------------------------------------------------------------

def in_jupyterlab(browser, presses: int) -> None:
    JupyterLab = jupyterlab_harness().JupyterLab

    print("(b) JupyterLab (a notebook with all four explorers on the whole loan book)")
    with tempfile.TemporaryDirectory() as folder:
        start = time.monotonic()
        lab = JupyterLab(Path(folder))
        try:
            opened = lab.open_notebook(browser, "latency", LAB_CELLS, ".smecredit-sampling svg", timeout=120,
                                       viewport=VIEWPORT)
            print(f"  JupyterLab started and the four explorers drawn in {time.monotonic() - start:.0f} s")
            for kind in KINDS:
                measure_explorer(opened.page, kind, presses)
            if opened.outside:
                print(f"  requests to other hosts: {opened.outside}")
            opened.close()
        finally:
            lab.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--presses", type=int, default=100)
    parser.add_argument("--skip-book", action="store_true")
    parser.add_argument("--skip-stand-in", action="store_true")
    parser.add_argument("--skip-lab", action="store_true")
    parser.add_argument("--module", type=Path, default=None,
                        help="explorers.js to mount on the stand-in page instead of the one on disk")
    options = parser.parse_args()
    if not CHROMIUM.exists():
        print(f"{CHROMIUM} is missing: no explorer latency figures (apt-get install -y chromium)")
        return
    from playwright.sync_api import sync_playwright

    print(f"Explorer latency in {CHROMIUM} (headless), {options.presses} key presses each; "
          f"{os.cpu_count()} cores; latency from the smecredit-input mark")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        stand_in = lambda browser, presses: on_a_stand_in_page(browser, presses, options.module)  # noqa: E731
        for part, skip in [(on_the_book_page, options.skip_book), (stand_in, options.skip_stand_in),
                           (in_jupyterlab, options.skip_lab)]:
            if skip:
                continue
            try:
                part(browser, options.presses)
            except Exception:  # figures only: report and go on
                print("  could not measure:\n  " + traceback.format_exc().replace("\n", "\n  "))
        browser.close()


if __name__ == "__main__":
    main()
