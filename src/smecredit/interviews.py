"""The interview corpus: load and validate it, code it with a dictionary, measure agreement.

The corpus in ``data/interviews/`` (documented in ``data/interviews.md``) was constructed for
teaching. It holds Markdown documents (YAML front matter + body), a codebook, a manual coding of
the documents into segments, the dictionary of the automatic coder and the table of candidate
risk indicators drawn from the themes.

Loaders (each validates and raises ``InterviewDataError`` naming the file, the field or column,
and the documents or CSV lines at fault; nothing is dropped or coerced silently):

- ``load_documents()``: one row per document, front-matter fields plus ``body``;
- ``load_codebook()``, ``load_codings()``, ``load_coder_dictionary()``, ``load_candidate_indicators()``;
- ``load_corpus()``: documents, codebook and codings, checked against each other.

Analysis helpers:

- ``segments_of(codings)``: one row per segment;
- ``code_matrix(codings, codes)``: the manual coding as a segment x code 0/1 table;
- ``dictionary_code(texts, dictionary, codes)``: the automatic coding, same shape;
- ``kappa_2x2(table)`` and ``agreement_by_code(reference, other)``: Cohen's kappa (statsmodels)
  and raw agreement, per code, with the counts of the 2x2 table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.errors
import pandera.pandas as pa
import yaml
from statsmodels.stats.inter_rater import cohens_kappa

from smecredit.loading import DataFileError, column_problems, data_file, data_registry, local_data_dir_holding
from smecredit.schema import COLUMN_NAMES, SUB_BRANCHES

ROLES = ["account_manager", "director", "risk_officer"]
KINDS = ["interview", "site_visit"]
DOCUMENT_FIELDS = ["id", "kind", "sub_branch", "role", "years_in_role", "date", "duration_minutes",
                   "constructed"]
CODEBOOK_COLUMNS = ["code", "label", "definition", "use_when", "do_not_use_when", "example"]
CODINGS_COLUMNS = ["document_id", "segment_id", "code", "text"]
DICTIONARY_COLUMNS = ["code", "pattern"]
INDICATOR_COLUMNS = ["indicator", "supporting_codes", "loan_book_column", "measurement", "expected_direction",
                     "in_current_rating"]
DIRECTIONS = ["+", "-", "?"]
CONSTRUCTED_NOTICE = "*Constructed for teaching: not a real interview.*"
MAX_SHOWN = 10


# A corpus file that breaks its documented format: the book's one error type for data files
# (smecredit.loading.DataFileError), under the name this module's callers know.
InterviewDataError = DataFileError


@dataclass(frozen=True)
class Corpus:
    """The validated corpus: ``documents`` (one row per document), ``codebook`` (one row per code)
    and ``codings`` (one row per segment and code)."""

    documents: pd.DataFrame
    codebook: pd.DataFrame
    codings: pd.DataFrame


def interviews_dir() -> Path:
    """The folder ``interviews/`` of the book's data (downloaded by the fallback when not found locally).

    Raises:
        FileNotFoundError: the data folder has no ``interviews/`` folder.
    """
    local, _ = local_data_dir_holding("interviews")
    if local is None:  # away from the repository: download the corpus's files, and only those
        names = [name for name in data_registry()[1] if name.startswith("interviews/")]
        folder = [data_file(name) for name in names][0].parent
    else:
        folder = local / "interviews"
    if not folder.is_dir():
        raise FileNotFoundError(f"no interview corpus folder at {folder}")
    return folder


# ---------------------------------------------------------------------------------------------
# Reading and reporting helpers


def _folder(folder: str | Path | None) -> Path:
    path = Path(folder) if folder is not None else interviews_dir()
    if not path.is_dir():
        raise FileNotFoundError(f"no interview corpus folder at {path}")
    return path


def _lines(positions, labels: pd.Series | None = None) -> str:
    """CSV line numbers (the header is line 1) of 0-based row positions, with a label where given."""
    positions = sorted(set(int(p) for p in positions))
    shown = []
    for pos in positions[:MAX_SHOWN]:
        label = f" ({labels.iloc[pos]})" if labels is not None and isinstance(labels.iloc[pos], str) else ""
        shown.append(f"line {pos + 2}{label}")
    more = f" and {len(positions) - MAX_SHOWN} more" if len(positions) > MAX_SHOWN else ""
    return ", ".join(shown) + more


def _read_csv(path: Path, columns: list[str]) -> pd.DataFrame:
    """Read a CSV as text, with exactly the documented columns and no empty required cells checked later."""
    if not path.is_file():
        raise FileNotFoundError(f"no such file: {path}")
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    frame.index = pd.RangeIndex(len(frame))
    problem = column_problems(frame.columns, columns)
    if problem:
        raise DataFileError(path, problem)
    return frame[columns]


def _validate(frame: pd.DataFrame, schema: pa.DataFrameSchema, source: str, where) -> None:
    """Run a pandera schema lazily and turn its failures into one readable InterviewDataError.

    ``where(positions)`` names the rows (CSV lines or document files).
    """
    try:
        schema.validate(frame, lazy=True)
    except pandera.errors.SchemaErrors as err:
        cases = err.failure_cases
        lines = []
        cases = cases.assign(column=cases["column"].where(cases["schema_context"] != "DataFrameSchema", None))
        label = "field" if source.endswith("front matter") else "column"
        for (column, check), group in cases.groupby(["column", "check"], dropna=False, sort=False):
            positions = sorted({int(i) for i in group["index"].dropna()})
            if "field_uniqueness" in str(check) or "unique" in str(check):
                check = "duplicate values"
            at = f" in {where(positions)}" if positions else ""
            if isinstance(column, str):
                values = ", ".join(repr(v) for v in group["failure_case"].dropna().unique()[:3])
                lines.append(f"{label} {column}: {check} ({values}){at}")
            else:
                lines.append(f"{check}{at}")
        raise DataFileError(source, lines, heading="the data break the rules:") from None


# ---------------------------------------------------------------------------------------------
# Documents


def read_document(path: str | Path) -> tuple[dict, str]:
    """Split one corpus document into its front matter (a dict) and its body (text).

    The body is everything after the line that closes the front matter.

    Raises:
        InterviewDataError: the file does not start with a ``---`` front-matter block, or the block
            is not a YAML mapping.
    """
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    match = re.match(r"\A---\n(.*?)\n---\n(.*)\Z", text, re.S)
    if not match:
        raise DataFileError(path, "no front matter (a block between two '---' lines at the top)")
    try:
        meta = yaml.safe_load(match.group(1))
    except yaml.YAMLError as err:
        raise DataFileError(path, f"front matter is not valid YAML ({err})") from None
    if not isinstance(meta, dict):
        raise DataFileError(path, "front matter is not a set of 'field: value' lines")
    return meta, match.group(2)


def _documents_schema() -> pa.DataFrameSchema:
    def kind_matches_id(df: pd.DataFrame) -> pd.Series:
        return df["kind"] == np.where(df["id"].str.startswith("INT"), "interview", "site_visit")

    return pa.DataFrameSchema(
        {
            "id": pa.Column(str, pa.Check.str_matches(r"^(INT|VIS)\d{2}$", error="not INTnn or VISnn"),
                            unique=True),
            "file_stem": pa.Column(str),
            "kind": pa.Column(str, pa.Check.isin(KINDS, error=f"not one of {KINDS}")),
            "sub_branch": pa.Column(str, pa.Check.isin(SUB_BRANCHES, error="not a sub-branch SB01 to SB16")),
            "role": pa.Column(str, pa.Check.isin(ROLES, error=f"not one of {ROLES}")),
            "years_in_role": pa.Column("int64", pa.Check.in_range(0, 45, error="not 0 to 45")),
            "date": pa.Column("datetime64[ns]", pa.Check.in_range(pd.Timestamp("2019-10-01"),
                                                                  pd.Timestamp("2019-12-31"),
                                                                  error="not 2019-10-01 to 2019-12-31")),
            "duration_minutes": pa.Column("int64", pa.Check.in_range(1, 600, error="not 1 to 600")),
            "constructed": pa.Column(bool, pa.Check.isin([True], error="must be true")),
            "body": pa.Column(str, pa.Check(lambda s: s.str.lstrip().str.startswith(CONSTRUCTED_NOTICE),
                                            error=f"body does not start with {CONSTRUCTED_NOTICE}")),
        },
        checks=[
            pa.Check(lambda df: df["id"] == df["file_stem"], error="id differs from the file name"),
            pa.Check(kind_matches_id, error="kind does not match the id (INT: interview, VIS: site_visit)"),
            pa.Check(lambda df: ~((df["kind"] == "site_visit") & (df["role"] == "director")),
                     error="a site visit by a director (only account_manager or risk_officer visit)"),
        ],
        strict=True, name="documents",
    )


def load_documents(folder: str | Path | None = None) -> pd.DataFrame:
    """Load and validate every document ``*.md`` of the corpus.

    Args:
        folder: the corpus folder; default ``interviews_dir()``.

    Returns:
        DataFrame of shape (n_documents, 10), one row per document sorted by id, index ``id``:
        ``kind``, ``sub_branch``, ``role`` (text), ``years_in_role``, ``duration_minutes`` (int64),
        ``date`` (datetime64), ``constructed`` (bool), ``body`` (text), ``n_words`` (int64, words in
        the body) and ``file`` (the file name).

    Raises:
        FileNotFoundError: no such folder, or no ``.md`` document in it.
        InterviewDataError: a file without front matter; a missing or unexpected front-matter field;
            a value of the wrong type; an id that differs from the file name or is duplicated; an
            unknown kind, role or sub-branch; a date outside the fieldwork period; a body without the
            constructed-for-teaching notice. The message names each file and field at fault.
    """
    path = _folder(folder)
    files = sorted(path.glob("*.md"))
    if not files:
        raise FileNotFoundError(f"no documents (*.md) in {path}")
    records, problems = [], []
    for file in files:
        meta, body = read_document(file)
        missing = [f for f in DOCUMENT_FIELDS if f not in meta or meta[f] is None]
        extra = [f for f in meta if f not in DOCUMENT_FIELDS]
        if missing:
            problems.append(f"{file}: missing field(s): {', '.join(missing)}")
        if extra:
            problems.append(f"{file}: unexpected field(s): {', '.join(map(str, extra))}")
        for field in ["years_in_role", "duration_minutes"]:
            if field in meta and meta[field] is not None and (not isinstance(meta[field], int)
                                                               or isinstance(meta[field], bool)):
                problems.append(f"{file}: field {field}: not an integer ({meta[field]!r})")
        if "date" in meta and meta["date"] is not None and not hasattr(meta["date"], "year"):
            problems.append(f"{file}: field date: not a date YYYY-MM-DD ({meta['date']!r})")
        if "constructed" in meta and not isinstance(meta["constructed"], bool):
            problems.append(f"{file}: field constructed: not true or false ({meta['constructed']!r})")
        for field in ["id", "kind", "sub_branch", "role"]:
            if field in meta and meta[field] is not None and not isinstance(meta[field], str):
                meta[field] = str(meta[field])
        records.append({**{f: meta.get(f) for f in DOCUMENT_FIELDS}, "file_stem": file.stem, "body": body})
    if problems:
        raise DataFileError(path, problems, heading="documents that break the format:")
    frame = pd.DataFrame.from_records(records)
    frame["date"] = pd.to_datetime(frame["date"]).astype("datetime64[ns]")
    for field in ["years_in_role", "duration_minutes"]:
        frame[field] = frame[field].astype("int64")
    frame["constructed"] = frame["constructed"].astype(bool)
    names = pd.Series([f.name for f in files])
    _validate(frame, _documents_schema(), f"{path} front matter",
              lambda positions: ", ".join(names.iloc[p] for p in positions[:MAX_SHOWN]))
    frame["n_words"] = frame["body"].str.split().str.len().astype("int64")
    frame["file"] = names.to_numpy()
    return frame.drop(columns="file_stem").set_index("id").sort_index()


# ---------------------------------------------------------------------------------------------
# Codebook and codings


def load_codebook(folder: str | Path | None = None, documents: pd.DataFrame | None = None) -> pd.DataFrame:
    """Load and validate ``codebook.csv``.

    Args:
        folder: the corpus folder; default ``interviews_dir()``.
        documents: if given (from ``load_documents``), each ``example`` must be quoted exactly from
            one of their bodies.

    Returns:
        DataFrame of shape (n_codes, 6), columns ``code``, ``label``, ``definition``, ``use_when``,
        ``do_not_use_when``, ``example`` (all text), in the file's order.

    Raises:
        FileNotFoundError: no such file.
        InterviewDataError: a missing or unexpected column; an empty cell; a code that is not
            snake_case or is duplicated; an example not found in any document. The message names the
            file, the column and the CSV lines (with the code).
    """
    path = _folder(folder) / "codebook.csv"
    frame = _read_csv(path, CODEBOOK_COLUMNS)
    schema = pa.DataFrameSchema(
        {c: pa.Column(str, [pa.Check(lambda s: s.str.strip() != "", error="empty value")]
                      + ([pa.Check.str_matches(r"^[a-z][a-z0-9_]*$", error="not snake_case")] if c == "code" else []),
                      unique=(c == "code"))
         for c in CODEBOOK_COLUMNS},
        strict=True, name="codebook",
    )
    _validate(frame, schema, str(path), lambda p: _lines(p, frame["code"]))
    if documents is not None:
        bodies = "\n\n".join(documents["body"])
        absent = np.flatnonzero(~frame["example"].map(lambda e: e in bodies).to_numpy())
        if absent.size:
            raise DataFileError(path, "column example: not quoted exactly from any document in "
                                      f"{_lines(absent, frame['code'])}")
    return frame


def load_codings(folder: str | Path | None = None, documents: pd.DataFrame | None = None,
                 codebook: pd.DataFrame | None = None) -> pd.DataFrame:
    """Load and validate ``codings.csv`` against the documents and the codebook.

    Args:
        folder: the corpus folder; default ``interviews_dir()``.
        documents: from ``load_documents``; default: loaded from ``folder``.
        codebook: from ``load_codebook``; default: loaded from ``folder``.

    Returns:
        DataFrame of shape (n_rows, 4), one row per (segment, code): ``document_id``, ``segment_id``,
        ``code``, ``text`` (all text), in the file's order.

    Raises:
        FileNotFoundError: no such file.
        InterviewDataError: a missing or unexpected column; an empty cell; an unknown document or
            code; a segment id that is not ``<document_id>-Snn``; a duplicated (segment, code) pair; one
            segment with two different texts; a text that is not an exact substring of its document's
            body; segments of a document that overlap or are not numbered in order of appearance. The
            message names the file, the column and the CSV lines (with the segment id).
    """
    path = _folder(folder) / "codings.csv"
    documents = documents if documents is not None else load_documents(folder)
    codebook = codebook if codebook is not None else load_codebook(folder)
    frame = _read_csv(path, CODINGS_COLUMNS)
    bodies = documents["body"]
    known_codes = list(codebook["code"])

    def text_in_body(df: pd.DataFrame) -> pd.Series:
        return pd.Series([d not in bodies.index or t in bodies[d] for d, t in zip(df["document_id"], df["text"])],
                         index=df.index)

    empty = pa.Check(lambda s: s.str.strip() != "", error="empty value")
    schema = pa.DataFrameSchema(
        {
            "document_id": pa.Column(str, [empty, pa.Check.isin(list(bodies.index), error="unknown document")]),
            "segment_id": pa.Column(str, [empty, pa.Check.str_matches(r"^(INT|VIS)\d{2}-S\d{2}$",
                                                                      error="not <document_id>-Snn")]),
            "code": pa.Column(str, [empty, pa.Check.isin(known_codes, error="code not in codebook.csv")]),
            "text": pa.Column(str, empty),
        },
        checks=[
            pa.Check(lambda df: df["segment_id"].str.split("-").str[0] == df["document_id"],
                     error="segment_id does not start with its document_id"),
            pa.Check(lambda df: ~df.duplicated(["segment_id", "code"], keep=False),
                     error="the same code twice on one segment (duplicate segment_id and code)"),
            pa.Check(lambda df: df.groupby("segment_id")["text"].transform("nunique") == 1,
                     error="one segment_id with different texts"),
            pa.Check(text_in_body, error="text is not an exact substring of its document's body"),
        ],
        strict=True, name="codings",
    )
    _validate(frame, schema, str(path), lambda p: _lines(p, frame["segment_id"]))
    _check_segment_order(frame, bodies, path)
    return frame


def _check_segment_order(frame: pd.DataFrame, bodies: pd.Series, path: Path) -> None:
    """Segments of a document are numbered 01, 02, ... in order of appearance and do not overlap."""
    problems = []
    first = frame.drop_duplicates("segment_id")
    for document, group in first.groupby("document_id", sort=True):
        numbers = [int(s[-2:]) for s in group["segment_id"]]
        starts = [bodies[document].find(t) for t in group["text"]]
        order = np.argsort(starts, kind="stable")
        ends = [s + len(t) for s, t in zip(starts, group["text"])]
        if sorted(numbers) != list(range(1, len(numbers) + 1)):
            problems.append(f"document {document}: segments not numbered 01 to {len(numbers):02d} "
                            f"({', '.join(sorted(group['segment_id']))})")
        elif [numbers[i] for i in order] != sorted(numbers):
            problems.append(f"document {document}: segments not numbered in order of appearance")
        for a, b in zip(order[:-1], order[1:]):
            if ends[a] > starts[b]:
                problems.append(f"document {document}: segments {group['segment_id'].iloc[a]} and "
                                f"{group['segment_id'].iloc[b]} overlap")
    if problems:
        raise DataFileError(path, "column segment_id: " + "; ".join(problems))


def load_corpus(folder: str | Path | None = None) -> Corpus:
    """Load the documents, the codebook and the codings, each validated and checked against the others.

    Raises:
        FileNotFoundError, InterviewDataError: as the three loaders do.
    """
    documents = load_documents(folder)
    codebook = load_codebook(folder, documents=documents)
    codings = load_codings(folder, documents=documents, codebook=codebook)
    return Corpus(documents=documents, codebook=codebook, codings=codings)


# ---------------------------------------------------------------------------------------------
# Dictionary coder and candidate indicators


def load_coder_dictionary(folder: str | Path | None = None, codebook: pd.DataFrame | None = None) -> pd.DataFrame:
    """Load and validate ``coder_dictionary.csv``: one row per (code, pattern).

    A pattern is a Python regular expression, matched case-insensitively anywhere in a segment.

    Returns:
        DataFrame of shape (n_patterns, 2), columns ``code`` and ``pattern`` (text).

    Raises:
        FileNotFoundError: no such file.
        InterviewDataError: a missing or unexpected column; an empty cell; a code not in the codebook;
            a duplicated (code, pattern) row; a pattern that is not a valid regular expression. The
            message names the file, the column and the CSV lines.
    """
    path = _folder(folder) / "coder_dictionary.csv"
    codebook = codebook if codebook is not None else load_codebook(folder)
    frame = _read_csv(path, DICTIONARY_COLUMNS)

    def compiles(pattern: str) -> bool:
        try:
            re.compile(pattern)
        except re.error:
            return False
        return True

    empty = pa.Check(lambda s: s.str.strip() != "", error="empty value")
    schema = pa.DataFrameSchema(
        {
            "code": pa.Column(str, [empty, pa.Check.isin(list(codebook["code"]), error="code not in codebook.csv")]),
            "pattern": pa.Column(str, [empty, pa.Check(lambda s: s.map(compiles),
                                                       error="not a valid regular expression")]),
        },
        checks=[pa.Check(lambda df: ~df.duplicated(keep=False), error="duplicate rows (same code and pattern)")],
        strict=True, name="coder dictionary",
    )
    _validate(frame, schema, str(path), lambda p: _lines(p, frame["code"]))
    return frame


def load_candidate_indicators(folder: str | Path | None = None,
                              codebook: pd.DataFrame | None = None) -> pd.DataFrame:
    """Load and validate ``candidate_indicators.csv``, the risk indicators drawn from the themes.

    Returns:
        DataFrame of shape (n_indicators, 6): ``indicator``, ``supporting_codes`` (codes separated by
        ``;``), ``loan_book_column`` (a column of the loan book, or empty if the loan book does not
        measure it), ``measurement``, ``expected_direction`` (``+``, ``-`` or ``?``: the sign expected
        for the effect on the odds of default), ``in_current_rating`` (``yes``/``no``); all text.

    Raises:
        FileNotFoundError: no such file.
        InterviewDataError: a missing or unexpected column; an empty required cell; a duplicated
            indicator; a supporting code not in the codebook; a loan_book_column not in
            ``smecredit.schema.COLUMN_NAMES``; a direction or a yes/no value not allowed. The message
            names the file, the column and the CSV lines (with the indicator).
    """
    path = _folder(folder) / "candidate_indicators.csv"
    codebook = codebook if codebook is not None else load_codebook(folder)
    frame = _read_csv(path, INDICATOR_COLUMNS)
    known = set(codebook["code"])
    empty = pa.Check(lambda s: s.str.strip() != "", error="empty value")
    schema = pa.DataFrameSchema(
        {
            "indicator": pa.Column(str, empty, unique=True),
            "supporting_codes": pa.Column(str, [empty, pa.Check(
                lambda s: s.map(lambda v: all(c.strip() in known for c in v.split(";"))),
                error="a code not in codebook.csv")]),
            "loan_book_column": pa.Column(str, pa.Check.isin(["", *COLUMN_NAMES],
                                                             error="not a column of the loan book (nor empty)")),
            "measurement": pa.Column(str, empty),
            "expected_direction": pa.Column(str, pa.Check.isin(DIRECTIONS, error=f"not one of {DIRECTIONS}")),
            "in_current_rating": pa.Column(str, pa.Check.isin(["yes", "no"], error="not yes or no")),
        },
        strict=True, name="candidate indicators",
    )
    _validate(frame, schema, str(path), lambda p: _lines(p, frame["indicator"]))
    return frame


# ---------------------------------------------------------------------------------------------
# Coding matrices and agreement


def segments_of(codings: pd.DataFrame) -> pd.DataFrame:
    """One row per segment, in the codings' order.

    Returns:
        DataFrame indexed by ``segment_id`` with columns ``document_id``, ``text`` and ``n_codes``
        (how many codes the segment carries).
    """
    counts = codings.groupby("segment_id", sort=False)["code"].size()
    seg = codings.drop_duplicates("segment_id").set_index("segment_id")[["document_id", "text"]]
    return seg.assign(n_codes=counts.reindex(seg.index).astype("int64"))


def code_matrix(codings: pd.DataFrame, codes: list[str]) -> pd.DataFrame:
    """The manual coding as a 0/1 table.

    Args:
        codings: rows (segment_id, code), as ``load_codings`` returns.
        codes: the columns, in order (usually ``codebook["code"]``).

    Returns:
        DataFrame of shape (n_segments, n_codes), int64, index ``segment_id`` (the codings' order),
        1 where the segment carries the code.

    Raises:
        ValueError: a code in ``codings`` that is not in ``codes``.
    """
    unknown = sorted(set(codings["code"]) - set(codes))
    if unknown:
        raise ValueError(f"codes not in the list of codes: {', '.join(unknown)}")
    order = list(dict.fromkeys(codings["segment_id"]))
    table = pd.crosstab(codings["segment_id"], codings["code"]).clip(upper=1)
    return table.reindex(index=order, columns=list(codes), fill_value=0).astype("int64").rename_axis(
        index="segment_id", columns="code")


def dictionary_code(texts: pd.Series, dictionary: pd.DataFrame, codes: list[str] | None = None) -> pd.DataFrame:
    """Code texts automatically: a text gets a code if any of the code's patterns matches it.

    Args:
        texts: one text per segment, indexed by segment id.
        dictionary: rows (code, pattern), as ``load_coder_dictionary`` returns; patterns are regular
            expressions matched case-insensitively anywhere in the text.
        codes: the columns, in order; default: the dictionary's codes in order of first appearance.
            A code without patterns is never assigned (its column is all 0).

    Returns:
        DataFrame of shape (len(texts), n_codes), int64 0/1, same index as ``texts``.

    Raises:
        ValueError: a dictionary code not in ``codes``.
    """
    codes = list(codes) if codes is not None else list(dict.fromkeys(dictionary["code"]))
    unknown = sorted(set(dictionary["code"]) - set(codes))
    if unknown:
        raise ValueError(f"dictionary codes not in the list of codes: {', '.join(unknown)}")
    out = pd.DataFrame(0, index=texts.index, columns=pd.Index(codes, name="code"), dtype="int64")
    for code, group in dictionary.groupby("code", sort=False):
        combined = "|".join(f"(?:{p})" for p in group["pattern"])
        regex = re.compile(combined, re.IGNORECASE)
        out[code] = [int(bool(regex.search(text))) for text in texts]
    return out


def kappa_2x2(table) -> float:
    """Cohen's kappa of a 2x2 agreement table, computed by statsmodels.

    Args:
        table: 2x2 counts; rows are the first rater (present, absent), columns the second rater
            (present, absent). Any array-like.

    Returns:
        kappa = (p_o - p_e) / (1 - p_e), where p_o is the share of agreement and p_e the agreement
        expected from the two raters' margins; NaN when p_e is 1 (both raters give one answer only, so
        kappa is undefined).

    Raises:
        ValueError: not a 2x2 table of non-negative counts with a positive total.
    """
    table = np.asarray(table, dtype=float)
    if table.shape != (2, 2) or (table < 0).any() or table.sum() <= 0:
        raise ValueError(f"expected a 2x2 table of non-negative counts with a positive total, got {table.tolist()}")
    n = table.sum()
    p_e = (table.sum(axis=1) @ table.sum(axis=0)) / n**2
    if np.isclose(p_e, 1.0):
        return float("nan")
    with np.errstate(invalid="ignore", divide="ignore"):
        return float(cohens_kappa(table, return_results=True).kappa)


def agreement_by_code(reference: pd.DataFrame, other: pd.DataFrame) -> pd.DataFrame:
    """Agreement of two 0/1 codings of the same segments, code by code.

    Args:
        reference: segment x code 0/1 (the manual coding, for example ``code_matrix(...)``).
        other: segment x code 0/1 with the same index and columns (for example ``dictionary_code(...)``).

    Returns:
        DataFrame indexed by code with the 2x2 counts ``both`` (1 in both), ``reference_only``,
        ``other_only``, ``neither`` (int64), ``n_reference`` and ``n_other`` (segments each gives the
        code), ``agreement`` (raw agreement: share of segments where the two agree) and ``kappa``
        (Cohen's kappa from statsmodels on the 2x2 table; NaN when undefined).

    Raises:
        ValueError: index or columns differ, or a value other than 0 or 1.
    """
    if not reference.index.equals(other.index) or list(reference.columns) != list(other.columns):
        raise ValueError("the two codings must have the same segments (index) and codes (columns) in the same order")
    for name, frame in [("reference", reference), ("other", other)]:
        if not frame.isin([0, 1]).all().all():
            raise ValueError(f"{name} coding has values other than 0 and 1")
    rows = {}
    for code in reference.columns:
        r, o = reference[code].to_numpy(), other[code].to_numpy()
        table = np.array([[np.sum((r == 1) & (o == 1)), np.sum((r == 1) & (o == 0))],
                          [np.sum((r == 0) & (o == 1)), np.sum((r == 0) & (o == 0))]])
        rows[code] = {"both": table[0, 0], "reference_only": table[0, 1], "other_only": table[1, 0],
                      "neither": table[1, 1], "n_reference": table[0].sum(), "n_other": table[:, 0].sum(),
                      "agreement": np.trace(table) / table.sum(), "kappa": kappa_2x2(table)}
    out = pd.DataFrame.from_dict(rows, orient="index").rename_axis("code")
    counts = ["both", "reference_only", "other_only", "neither", "n_reference", "n_other"]
    out[counts] = out[counts].astype("int64")
    return out
