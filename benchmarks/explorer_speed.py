"""Benchmark: median time of each explorer's Python reference on the 20,000-loan book.

Run: python benchmarks/explorer_speed.py
The readers' explorers compute in the browser (src/smecredit/static/explorers.js); what they feel,
input to redrawn figure, is printed by benchmarks/explorer_latency.py. This script times the Python
reference that the chapters' static twins and the tests use: each update, matplotlib's drawing of
the coefficient explorer, and the sampling experiment at its default (2,000 loans x 100 samples).
Figures only: nothing here passes or fails.
"""

from __future__ import annotations

import statistics
import time

import statsmodels.formula.api as smf

from smecredit import load_loans, true_coefficients, true_model
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from smecredit.explorers import (REFERENCE_BORROWER, CoefficientExplorer, borrower_pd,  # noqa: E402
                                 cutoff_outcome, draw_coefficient_state, sampling_experiment)



def median_ms(func, repeats: int = 21) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def main() -> None:
    loans = load_loans()
    result = smf.logit(true_model().formula, data=loans).fit(disp=0)
    explorer = CoefficientExplorer(result, true_coefficients())
    print(f"loans: {len(loans):,}; coefficients: {len(explorer.names)}")
    for factor in ["markup_pct", "guarantee_method"]:
        print(f"coefficient explorer update ({factor}): {median_ms(lambda: explorer.update(explorer.estimate, factor)):.1f} ms")
    fig = plt.figure(figsize=(10, 6.5))
    state = explorer.update(explorer.estimate, "markup_pct")

    def draw():
        draw_coefficient_state(explorer, state, "markup_pct", fig)
        fig.canvas.draw()

    print(f"  drawing its four panels (matplotlib, Agg): {median_ms(draw, 7):.1f} ms")
    borrower = dict(REFERENCE_BORROWER, guarantee_method="joint_mutual", markup_pct=50.0)
    print(f"borrower PD calculator update: {median_ms(lambda: borrower_pd(result, borrower, REFERENCE_BORROWER)):.1f} ms")
    pd_hat = result.predict(loans)
    print("cutoff explorer update: "
          f"{median_ms(lambda: cutoff_outcome(pd_hat, loans['default_12m'], loans['loan_amount_10k'], loans['contract_rate_pct'], 0.08)):.1f} ms")
    start = time.perf_counter()
    sampling_experiment(result, true_coefficients(), "markup_pct", 0.015, sample_size=2000, replications=100)
    print(f"sampling experiment (2,000 loans x 100 samples, the default): {time.perf_counter() - start:.2f} s")


if __name__ == "__main__":
    main()
