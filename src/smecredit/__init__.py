"""smecredit: shared code for the SME credit-risk teaching book.

Modules, one home for each idea:
    simulate   the loan-book generator and its true default model
    schema     the columns of the loan book (validation and documentation)
    loading    finding, reading and validating the data
    reports    default-rate tables, exploration helpers and model reports (odds ratios,
               comparison with the truth, AUC/Gini/KS, calibration)
    scorecard  points from a logit, and population stability
    explorers  the logic behind the interactive widgets
    interviews the constructed interview corpus: loading, dictionary coder, agreement
    style      the book's plot style and colour-blind-safe palette
    prose      numbers computed by cells and glued into the chapters' text

The names below are imported on first use, so ``python -m smecredit.simulate`` runs cleanly.
"""

from importlib import import_module

__version__ = "0.1.0"

_EXPORTS = {
    "LoanBookError": "smecredit.loading",
    "data_dir": "smecredit.loading",
    "load_loans": "smecredit.loading",
    "simulate_loan_book": "smecredit.simulate",
    "true_coefficients": "smecredit.simulate",
    "true_model": "smecredit.simulate",
    "use_book_style": "smecredit.style",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'smecredit' has no attribute {name!r}")
