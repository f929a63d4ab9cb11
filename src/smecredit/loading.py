"""Loading: find the book's data from any working folder, read them strictly, validate, type.

``load_loans()`` is what every chapter calls. It reads ``data/loans.csv`` (or a file
you name), checks it against ``smecredit.schema`` and returns typed columns: category
columns are pandas Categoricals whose first level is the model's reference level.
A file that breaks the schema raises ``LoanBookError`` naming the file, the column and
the offending rows; nothing is dropped or coerced silently.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.errors

from smecredit.schema import COLUMN_NAMES, COLUMNS_BY_NAME, LOAN_COLUMNS, ORDERED, loan_book_schema

DATA_ENV_VAR = "SMECREDIT_DATA"
MAX_ROWS_SHOWN = 10


class LoanBookError(ValueError):
    """A loan-book file that does not match the schema; the message names file, column and rows."""


def data_dir() -> Path:
    """The folder holding the book's data files.

    Looks, in order, at the folder named by the environment variable ``SMECREDIT_DATA``;
    a ``data/`` folder holding ``loans.csv`` in the working folder or any folder above it
    (so notebooks in ``book/`` and scripts at the root both find it); and the ``data/``
    folder of the source tree this package was installed from.

    Raises:
        FileNotFoundError: none of these holds the data, with the places searched.
    """
    searched = []
    if os.environ.get(DATA_ENV_VAR):
        candidate = Path(os.environ[DATA_ENV_VAR]).expanduser()
        if (candidate / "loans.csv").is_file():
            return candidate
        searched.append(f"{DATA_ENV_VAR}={candidate}")
    here = Path.cwd().resolve()
    for folder in [here, *here.parents]:
        if (folder / "data" / "loans.csv").is_file():
            return folder / "data"
    searched.append(f"data/ in {here} and the folders above it")
    source_tree = Path(__file__).resolve().parents[2] / "data"
    if (source_tree / "loans.csv").is_file():
        return source_tree
    searched.append(str(source_tree))
    raise FileNotFoundError("cannot find the book's data folder (loans.csv); looked in: " + "; ".join(searched)
                            + f". Set {DATA_ENV_VAR} to the folder that holds loans.csv.")


def _rows_text(frame: pd.DataFrame, positions) -> str:
    """Name rows by CSV line number (header is line 1) and loan_id where known."""
    positions = list(positions)
    shown = []
    for pos in positions[:MAX_ROWS_SHOWN]:
        loan = frame["loan_id"].iloc[pos] if "loan_id" in frame.columns else None
        shown.append(f"line {pos + 2}" + (f" ({loan})" if isinstance(loan, str) and loan else ""))
    more = f" and {len(positions) - MAX_ROWS_SHOWN} more" if len(positions) > MAX_ROWS_SHOWN else ""
    return ", ".join(shown) + more


def _parse_column(raw: pd.Series, kind: str) -> tuple[pd.Series, np.ndarray]:
    """Parse one text column by its kind; return the values and the positions that failed to parse."""
    text = raw.astype("string")
    empty = text.isna() | (text.str.strip() == "")
    if kind == "int":
        ok = text.str.fullmatch(r"\s*-?\d+\s*").fillna(False).astype(bool)
        bad = ~ok & ~empty
        values = pd.to_numeric(text.where(ok), errors="coerce").astype("Int64")
        if not values.isna().any():
            values = values.astype("int64")
    elif kind == "float":
        values = pd.to_numeric(text.where(~empty), errors="coerce").astype("float64")
        bad = values.isna() & ~empty
    elif kind == "date":
        values = pd.to_datetime(text.where(~empty), format="%Y-%m-%d", errors="coerce").astype("datetime64[ns]")
        bad = values.isna() & ~empty
    else:
        values = raw.where(~empty, None).astype(object)
        bad = pd.Series(False, index=raw.index)
    return values, np.flatnonzero(bad.to_numpy())


def validate_loans(frame: pd.DataFrame, source: str = "loan book") -> pd.DataFrame:
    """Check a loan book whose values are already parsed (ints, floats, dates, text) against the schema.

    Args:
        frame: one row per loan with the columns of ``smecredit.schema.LOAN_COLUMNS``.
        source: how to name the data in error messages (usually the file path).

    Returns:
        The same frame, unchanged.

    Raises:
        LoanBookError: every rule that fails, each with its column and rows.
    """
    problems = []
    missing = [c for c in COLUMN_NAMES if c not in frame.columns]
    extra = [c for c in frame.columns if c not in COLUMN_NAMES]
    if missing:
        problems.append(f"missing column(s): {', '.join(missing)}")
    if extra:
        problems.append(f"unexpected column(s): {', '.join(map(str, extra))}")
    if problems:
        raise LoanBookError(f"{source}: " + "; ".join(problems))
    missing_values = []
    for c in LOAN_COLUMNS:
        empty = np.flatnonzero(frame[c.name].isna().to_numpy())
        if not c.nullable and empty.size:
            missing_values.append(f"column {c.name}: empty value in {_rows_text(frame, empty)}")
    if missing_values:
        raise LoanBookError(f"{source}: " + "\n  ".join(["values missing where none may be:", *missing_values]))
    try:
        loan_book_schema().validate(frame, lazy=True)
    except pandera.errors.SchemaErrors as err:
        raise LoanBookError(f"{source}: " + _describe_failures(err.failure_cases, frame)) from None
    return frame


def _describe_failures(cases: pd.DataFrame, frame: pd.DataFrame) -> str:
    """One line per broken rule: the column (or the columns a cross-column rule names) and the rows."""
    cases = cases.copy()
    across = cases["schema_context"] == "DataFrameSchema"
    # A cross-column rule is reported once per row and column; its message names the columns.
    cases.loc[across, "column"] = "(across columns)"
    lines = ["the data break the schema:"]
    for (column, check), group in cases.groupby(["column", "check"], dropna=False, sort=False):
        positions = sorted({int(i) for i in group["index"].dropna()})
        where = f" in {_rows_text(frame, positions)}" if positions else ""
        if "unique" in str(check):
            check = "duplicate values"
        prefix = "" if column == "(across columns)" else f"column {column}: "
        lines.append(f"{prefix}{check}{where}")
    return "\n  ".join(lines)


def load_loans(path: str | Path | None = None, *, validate: bool = True) -> pd.DataFrame:
    """Load the simulated S-branch loan book with typed, validated columns.

    Args:
        path: a CSV file in the format of ``data/loans.csv``; default: ``loans.csv`` in ``data_dir()``.
        validate: check the schema (leave True except to inspect a broken file).

    Returns:
        DataFrame, one row per loan, columns as in ``data/loans.md``: ids as text, counts
        as int64, amounts in 10k yuan and rates in percent as float64, ``origination_date``
        as datetime64, category columns as pandas Categoricals (reference level first;
        ordered for ``internal_rating``, ``size_class`` and ``classification_at_cutoff``).

    Raises:
        FileNotFoundError: no such file.
        LoanBookError: a missing or unexpected column, a value of the wrong type, an empty
            value where none may be, a value out of range or not allowed, a duplicate
            ``loan_id`` or inconsistent columns; the message names the file, column and rows.
    """
    path = Path(path) if path is not None else data_dir() / "loans.csv"
    if not path.is_file():
        raise FileNotFoundError(f"no loan-book file at {path}")
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    raw.index = pd.RangeIndex(len(raw))
    frame = pd.DataFrame(index=raw.index)
    type_errors = []
    for column in raw.columns:
        spec = COLUMNS_BY_NAME.get(column)
        if spec is None:
            frame[column] = raw[column]
            continue
        values, bad = _parse_column(raw[column], spec.kind)
        if bad.size:
            examples = ", ".join(repr(v) for v in raw[column].iloc[bad[:3]])
            type_errors.append(f"column {column}: not a valid {spec.kind} ({examples}) in {_rows_text(raw, bad)}")
        frame[column] = values
    if type_errors:
        raise LoanBookError(f"{path}: " + "\n  ".join(["values of the wrong type:", *type_errors]))
    if validate:
        validate_loans(frame, source=str(path))
    return _typed(frame)


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    """Final dtypes: text ids, categoricals with the schema's levels (reference level first)."""
    out = frame.copy()
    for c in LOAN_COLUMNS:
        if c.name not in out.columns:
            continue
        if c.kind == "category":
            out[c.name] = pd.Categorical(out[c.name], categories=c.levels, ordered=c.name in ORDERED)
        elif c.kind == "id":
            out[c.name] = out[c.name].astype("string")
    return out
