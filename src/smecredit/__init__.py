"""smecredit: shared code for the SME credit-risk teaching book.

Modules, one home for each idea:
    simulate   the loan-book generator and its true default model
    schema     the columns of the loan book (validation and documentation)
    loading    finding, reading and validating the data
    schedule   the repayment schedule, and the loan book's balances on a date (chapter 2)
    exploration  default rates by group and in bins, funnel plots, vintage curves (chapters 2-4)
    model_reports  odds-ratio tables and estimates against the truth; refuses unstable fits
    validation AUC, Gini, ROC, KS, calibration, Hosmer-Lemeshow, confusion matrix (chapter 8)
    labels     plain labels for tables, figures and sentences
    assumptions  the book's cost, LGD and capital assumptions, and the break-even rate
    scorecard  points from a logit, and population stability
    explorers  the four live explorers: their Python reference and their anywidget
    interviews the constructed interview corpus: loading, dictionary coder, agreement
    style      the book's plot style and colour-blind-safe palette
    prose      numbers computed by cells and stated in the chapters' text

The names below are imported on first use, so ``python -m smecredit.simulate`` runs cleanly.

Importing the package sets the linear-algebra libraries (OpenBLAS) to one thread, unless
``OPENBLAS_NUM_THREADS`` or ``OMP_NUM_THREADS`` is already set: the chapters fit many small
models, which run several times faster on one thread (measured: chapter 6 in 47 s with the
default threads, 19 s with one, on 2 cores), and so every kernel, however it was started
(JupyterLab, Notebook 7, Colab, VS Code, ``make test``), runs a chapter at the same speed and
with the same arithmetic.
"""

import os
from importlib import import_module


def _one_blas_thread() -> None:
    if any(os.environ.get(name) for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")):
        return  # the reader chose
    os.environ["OPENBLAS_NUM_THREADS"] = "1"  # for libraries loaded from now on
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")  # for those already loaded (numpy imported first)


_one_blas_thread()

def _version() -> str:
    """The version in pyproject.toml (its one home), from the installed package's metadata."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("smecredit")
    except PackageNotFoundError:  # imported from a source tree without installing it
        import tomllib
        from pathlib import Path

        pyproject = Path(__file__).resolve().parents[2] / "pyproject.toml"
        return tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["version"]


__version__ = _version()
RELEASE_TAG = f"v{__version__}"  # the git tag of this version: the data, notebooks and package of one release

_EXPORTS = {
    "DataFileError": "smecredit.loading",
    "LoanBookError": "smecredit.loading",
    "data_dir": "smecredit.loading",
    "data_file": "smecredit.loading",
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
