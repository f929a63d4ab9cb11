"""Classroom: a different simulated loan book for each student, an answer key, and a checker.

Every student gets a loan book of their own, drawn by ``smecredit.simulate`` from the SAME true
default model as ``data/loans.csv`` but with a seed derived from the student's id, so their
estimates differ from the book's and from each other's, while the truth is the same for all.

The seed of a student is the first 8 hexadecimal digits of the SHA-256 digest of the student id
encoded as UTF-8, read as an integer (0 to 4,294,967,295)::

    seed = int(hashlib.sha256(student_id.encode("utf-8")).hexdigest()[:8], 16)

so ``s001`` always gets seed 2117847071, on any machine and in any Python version (Python's own
``hash()`` is salted per process and is not used). With a ``salt`` (for example a course code and
year, to give next year's class other books) the digest is taken of ``"<salt>:<student_id>"``.

Command line::

    python -m smecredit.classroom --students ids.txt --out class-data [--n-loans 20000] [--salt TEXT] [--scenario NAME]
    python -m smecredit.classroom --ids s001 s002 s003 --out class-data
    python -m smecredit.classroom --ids s001 s002 --out class-data --scenario no-causal-markup
    python -m smecredit.classroom check --key class-data/answer_key.csv --student s001 s001.csv
    python -m smecredit.classroom check --key class-data/answer_key.csv submissions/*.csv

The first form writes ``class-data/<id>/loans.csv`` (with a short ``README.txt``) for every
student, and the instructor-only answer key ``class-data/answer_key.csv`` with its notes in
``class-data/answer_key_README.txt``. Hand out the ``<id>`` folders only. The ``check`` form
compares submitted coefficient tables with the key (files named ``<id>.csv`` when ``--student``
is not given) and prints a verdict per term.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import re
import sys
import warnings
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from smecredit.simulate import (BOOK, DEFAULT_N_LOANS, scenario_names, scenario_spec, simulate_loan_book,
                                true_coefficients, true_model, write_loan_book)

KEY_FILE = "answer_key.csv"
KEY_NOTES_FILE = "answer_key_README.txt"
STUDENT_NOTES_FILE = "README.txt"
KEY_COLUMNS = ["student_id", "seed", "n_loans", "term", "true_coefficient", "estimate", "std_err", "converged"]
# Written beside the true coefficient since the book's second edition, not required of older keys.
PSEUDO_TRUE_COLUMN = "pseudo_true_coefficient"
DEFAULT_K = 2.0
ODDS_RATIO_TOLERANCE = 0.01  # on the log scale: an odds ratio within about 1% of exp(estimate)
MAX_ID_LENGTH = 64
_ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
# Names Windows refuses for a file or folder, whatever the extension.
_WINDOWS_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))}
_TOP_LEVEL_NAMES = {KEY_FILE.lower(), KEY_NOTES_FILE.lower()}


class StudentIdError(ValueError):
    """A student id (or list of ids) that cannot name a folder safely: the message says which and why."""


def _id_problem(student_id) -> str | None:
    """Why ``student_id`` cannot be used as a folder name, or None if it can."""
    if not isinstance(student_id, str):
        return f"{student_id!r} is not a string"
    if not student_id.strip():
        return "an empty id"
    if len(student_id) > MAX_ID_LENGTH:
        return f"{student_id!r} is longer than {MAX_ID_LENGTH} characters"
    if not _ID_PATTERN.fullmatch(student_id):
        bad = sorted({c for c in student_id if not re.fullmatch(r"[A-Za-z0-9._-]", c)})
        why = ("has characters other than letters A-Z, digits, '.', '_' and '-': " + " ".join(repr(c) for c in bad)
               if bad else "must start with a letter or a digit")
        return f"{student_id!r} {why}"
    if student_id.endswith("."):
        return f"{student_id!r} ends with '.' (Windows drops it from folder names)"
    if student_id.split(".")[0].lower() in _WINDOWS_RESERVED:
        return f"{student_id!r} is a reserved device name on Windows"
    if student_id.lower() in _TOP_LEVEL_NAMES:
        return f"{student_id!r} is the name of a file the command writes beside the student folders"
    return None


def validate_student_ids(student_ids: Iterable[str]) -> list[str]:
    """Check that student ids are usable as folder names on Linux, macOS and Windows.

    An id is 1 to 64 characters: ASCII letters, digits, ``.``, ``_`` and ``-``, starting with a
    letter or a digit and not ending with ``.``; not a Windows device name (``CON``, ``NUL``,
    ``COM1``...). Ids must be unique ignoring case, because macOS and Windows folders ignore case.

    Args:
        student_ids: the ids, in the order their books should be made.

    Returns:
        The ids as a list, unchanged.

    Raises:
        StudentIdError: no ids, an unusable id (each one named, with the reason), or duplicates.
    """
    ids = list(student_ids)
    if not ids:
        raise StudentIdError("no student ids given")
    problems = [p for p in map(_id_problem, ids) if p]
    if problems:
        raise StudentIdError("unusable student id(s):\n  " + "\n  ".join(problems))
    seen: dict[str, str] = {}
    duplicates = []
    for student_id in ids:
        folded = student_id.lower()
        if folded in seen:
            duplicates.append(student_id if seen[folded] == student_id else f"{seen[folded]} / {student_id}")
        seen.setdefault(folded, student_id)
    if duplicates:
        raise StudentIdError("duplicate student id(s) (case is ignored, as on macOS and Windows): "
                             + ", ".join(duplicates))
    return ids


def read_student_ids(path: str | Path) -> list[str]:
    """Read student ids from a text file: one id a line; blank lines and lines starting with ``#`` are skipped.

    Spaces around an id are removed. The ids are checked with ``validate_student_ids``.

    Raises:
        FileNotFoundError: no such file.
        StudentIdError: as ``validate_student_ids``, with the line number of each unusable id.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no student-id file at {path}")
    ids, problems = [], []
    for number, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), start=1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        problem = _id_problem(text)
        if problem:
            problems.append(f"line {number}: {problem}")
        ids.append(text)
    if problems:
        raise StudentIdError(f"{path}: unusable student id(s):\n  " + "\n  ".join(problems))
    if not ids:
        raise StudentIdError(f"{path}: no student ids (one id a line; '#' starts a comment)")
    return validate_student_ids(ids)


def student_seed(student_id: str, salt: str = "") -> int:
    """The generator seed of a student: the first 8 hex digits of SHA-256 of the UTF-8 id, as an integer.

    Args:
        student_id: a valid id (see ``validate_student_ids``).
        salt: optional text; if given the digest is of ``f"{salt}:{student_id}"``, so the same
            roster gets other books (for example one salt per course and year).

    Returns:
        An integer from 0 to 2**32 - 1, the same on every machine.

    Raises:
        StudentIdError: the id cannot name a folder.
    """
    problem = _id_problem(student_id)
    if problem:
        raise StudentIdError(f"unusable student id: {problem}")
    text = f"{salt}:{student_id}" if salt else student_id
    return int(hashlib.sha256(text.encode("utf-8")).hexdigest()[:8], 16)


def fit_true_model(loans: pd.DataFrame):
    """Fit the full true-model logit (``true_model().formula``) to a loan book, quietly.

    This is the analysis the answer key expects: statsmodels' maximum-likelihood logit of
    ``default_12m`` on every term of the true model, with the reference levels ``load_loans`` sets.

    Args:
        loans: a loan book as ``smecredit.load_loans`` returns it.

    Returns:
        (result, messages): the fitted statsmodels result and the text of any warnings the fit
        raised (for example non-convergence when a category has no defaults in a small book).
    """
    import statsmodels.formula.api as smf

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = smf.logit(true_model().formula, data=loans).fit(disp=0, maxiter=100)
    messages = sorted({str(w.message) for w in caught})
    return result, messages


def make_class_data(student_ids: Iterable[str], out_dir: str | Path, n_loans: int = DEFAULT_N_LOANS,
                    salt: str = "", progress=None, scenario: str = BOOK) -> pd.DataFrame:
    """Write one simulated loan book per student and the instructor's answer key.

    For each id, in order: simulate ``n_loans`` loans with ``student_seed(id, salt)``, write
    ``out_dir/<id>/loans.csv`` (and a ``README.txt`` for the student), read it back with
    ``load_loans`` (so the key is fitted to exactly what the student gets) and fit the full
    true-model logit. Then write ``out_dir/answer_key.csv`` and ``out_dir/answer_key_README.txt``.
    Existing files of the same names are overwritten; nothing else in ``out_dir`` is touched.

    Args:
        student_ids: ids, each usable as a folder name (see ``validate_student_ids``).
        out_dir: folder to write into (created if missing).
        n_loans: loans per book, at least 1. The default, 20,000 as in ``data/loans.csv``, leaves
            every category with defaults; books of a few thousand loans may not (see ``converged``).
        salt: optional text mixed into every seed (see ``student_seed``).
        progress: optional callable taking a line of text, called once per student.
        scenario: the generator's scenario (``smecredit.simulate.scenario_names()``); the default,
            ``"branch"``, is the generator of ``data/loans.csv``. Every book comes from the scenario and
            ``true_coefficient`` holds its structural coefficients (the causal effects) and
            ``pseudo_true_coefficient`` what a logit on the book's columns converges to.

    Returns:
        The answer key, one row per student and term, columns ``student_id``, ``seed``, ``n_loans``,
        ``term`` (statsmodels' parameter name), ``true_coefficient`` and ``pseudo_true_coefficient``
        (structural and pseudo-true, the same for every student: one true model), ``estimate`` and
        ``std_err`` (log-odds scale, from that student's book)
        and ``converged`` (False if the fit did not converge; then do not grade on that book).

    Raises:
        StudentIdError: bad, empty or duplicate ids.
        ValueError: n_loans below 1, or an unknown scenario.
    """
    from smecredit.loading import load_loans

    ids = validate_student_ids(student_ids)
    if n_loans < 1:
        raise ValueError(f"n_loans must be at least 1, got {n_loans}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if scenario not in scenario_names():
        raise ValueError(f"unknown scenario {scenario!r}; choose one of {', '.join(scenario_names())}")
    truth = true_model(scenario).coefficients
    pseudo_true = true_coefficients("pseudo_true", scenario)
    pieces = []
    for student_id in ids:
        seed = student_seed(student_id, salt)
        folder = out_dir / student_id
        path = write_loan_book(simulate_loan_book(n_loans, seed, scenario=scenario), folder / "loans.csv")
        (folder / STUDENT_NOTES_FILE).write_text(_student_notes(student_id, seed, n_loans, scenario),
                                                 encoding="utf-8")
        result, messages = fit_true_model(load_loans(path))
        converged = bool(result.mle_retvals.get("converged", True))
        terms = list(truth.index)
        pieces.append(pd.DataFrame({
            "student_id": student_id, "seed": seed, "n_loans": n_loans, "term": terms,
            "true_coefficient": truth[terms].to_numpy(), PSEUDO_TRUE_COLUMN: pseudo_true[terms].to_numpy(),
            "estimate": result.params[terms].to_numpy(),
            "std_err": result.bse[terms].to_numpy(), "converged": converged,
        }))
        if progress is not None:
            note = "" if converged else " -- fit did NOT converge: " + "; ".join(messages)
            progress(f"{student_id}: seed {seed}, {n_loans:,} loans, {int(path.stat().st_size / 1024):,} KiB{note}")
    key = pd.concat(pieces, ignore_index=True)[[*KEY_COLUMNS[:5], PSEUDO_TRUE_COLUMN, *KEY_COLUMNS[5:]]]
    key.to_csv(out_dir / KEY_FILE, index=False, lineterminator="\n", float_format="%.10g")
    (out_dir / KEY_NOTES_FILE).write_text(_key_notes(n_loans, salt, scenario), encoding="utf-8")
    return key


def _student_notes(student_id: str, seed: int, n_loans: int, scenario: str = BOOK) -> str:
    if scenario == BOOK:
        made = f"""loans.csv holds SIMULATED SME loans, made by the book's generator with seed {seed}
(python -m smecredit.simulate --seed {seed} --n-loans {n_loans} writes the same file).
It follows the same true default model as the book's data/loans.csv, so it has the same columns
(see data/loans.md): {n_loans:,} loans granted 2014-2018 and, on top, the loans of 2011-2013 still
outstanding at the start of 2014 (seasoned_stock). Its loans, defaults and hence your estimates are your own."""
    else:
        made = f"""loans.csv holds {n_loans:,} SIMULATED SME loans, made by the book's generator with seed {seed}
in its scenario {scenario!r} (python -m smecredit.simulate --scenario {scenario} --seed {seed}
--n-loans {n_loans} writes the same file). Its columns are those of the book's data/loans.csv, or
some of them (data/loans.md: the section "Scenarios" says how this scenario differs), but its loans,
defaults and hence your estimates are your own."""
    return f"""Your own loan book: student {student_id}

{made}
No row describes a real loan, firm or person.

To use it in the book's notebooks, set the environment variable SMECREDIT_DATA to this folder
before starting Jupyter, or load it directly:

    from smecredit import load_loans
    loans = load_loans("path/to/this/folder/loans.csv")
"""


def _key_notes(n_loans: int, salt: str, scenario: str = BOOK) -> str:
    formula = true_model().formula
    spec = scenario_spec(scenario)
    if spec is not None and spec.soft_info_logit != 0:
        which = "the book's own" if scenario == BOOK else "not the book's default"
        scenario_note = f"""
SCENARIO: every book was made by the generator's scenario {scenario!r}, {which}
(data/loans.md, section "Scenarios"). true_coefficient holds that scenario's STRUCTURAL coefficients
(smecredit.true_coefficients("structural", "{scenario}"): the causal effects). A logit on the
observed columns does not converge to them where something unobserved drives both a column and
default; what it estimates is smecredit.true_coefficients("pseudo_true", "{scenario}").
"""
    else:
        scenario_note = ""
    seed_rule = (f'int(hashlib.sha256("{salt}:<student_id>".encode("utf-8")).hexdigest()[:8], 16)' if salt
                 else 'int(hashlib.sha256("<student_id>".encode("utf-8")).hexdigest()[:8], 16)')
    return f"""ANSWER KEY: FOR THE INSTRUCTOR ONLY. Hand out the <student_id> folders, not this folder.

answer_key.csv has one row per student and model term:
  student_id, seed   the student and the seed of their loan book: seed = {seed_rule}
  n_loans            loans in each book ({n_loans:,})
  term               the parameter name statsmodels gives the term
  true_coefficient   the true (structural, causal) coefficient of the simulation (log-odds). It is
                     THE SAME FOR EVERY STUDENT: all books come from one true model,
                     smecredit.true_coefficients(), listed in data/loans.md.
  pseudo_true_coefficient
                     what the logit below converges to on the data's columns as the book grows
                     without limit (smecredit.true_coefficients("pseudo_true")): the same for every
                     student too. About 95% of correct 95% intervals cover it; where it differs from
                     true_coefficient, no amount of data closes the gap.
  estimate, std_err  what a correct analysis of THAT student's book finds (log-odds): the full
                     true-model logit fitted with statsmodels,
                     smf.logit(formula, data=load_loans(".../loans.csv")).fit(), where formula is
                     {formula}
                     These differ from student to student, as samples do.
  converged          False if that fit did not converge (a category without defaults in a small
                     book): do not grade estimates on that book; make books with more loans.
{scenario_note}
A correct analysis reproduces estimate to many digits, so check submissions against the estimate,
not against the truth; how close each estimate lies to the truth is a lesson of its own.
Check a submission (a CSV with columns term,estimate, e.g. fit.params.rename("estimate")
.rename_axis("term").to_csv("s001.csv")) with

    python -m smecredit.classroom check --key answer_key.csv --student s001 s001.csv
"""


SUBMISSION_LAYOUT = ("expected: a comma-separated CSV file with the header line 'term,estimate' and then one line "
                     "per model term, e.g. 'markup_pct,0.0123' (as fit.params.rename(\"estimate\")"
                     ".rename_axis(\"term\").to_csv(path) writes)")
KEY_LAYOUT = ("expected: the answer_key.csv written by 'python -m smecredit.classroom', a comma-separated CSV "
              "file with the columns " + ",".join(KEY_COLUMNS))


def _read_csv_rows(path: Path, what: str, layout: str) -> tuple[str, list[tuple[int, list[str]]]]:
    """Read a small CSV file as text and as rows of stripped fields, each with the line it starts on.

    Blank lines are skipped. Every error names the file (and the line, where there is one) and the
    expected layout.

    Raises:
        FileNotFoundError: the file does not exist.
        IsADirectoryError: the path is a folder.
        ValueError: not UTF-8 text, empty, not comma-separated, a quote never closed, or a line with
            more fields than the header.
    """
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such file: the {what} does not exist")
    if path.is_dir():
        raise IsADirectoryError(f"{path}: is a folder, not a {what} file")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise ValueError(f"{path}: not a UTF-8 text file (byte {err.start} cannot be read; is it a spreadsheet? "
                         f"save it as 'CSV UTF-8'); {layout}") from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[tuple[int, list[str]]] = []
    while True:
        line = reader.line_num + 1
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error as err:
            why = ('a quote (") opened on this line is never closed' if "unexpected end of data" in str(err)
                   else f"not valid CSV ({err})")
            raise ValueError(f"{path}: line {line}: {why}; {layout}") from None
        if any(field.strip() for field in fields):
            rows.append((line, [field.strip() for field in fields]))
    if not rows:
        raise ValueError(f"{path}: the file is empty; {layout}")
    header_line, header = rows[0]
    if len(header) == 1 and any(sep in header[0] for sep in (";", "\t")):
        sep = "';'" if ";" in header[0] else "tabs"
        raise ValueError(f"{path}: line {header_line}: the columns are separated by {sep}, not commas "
                         f"(save the file as comma-separated CSV); {layout}")
    for line, fields in rows[1:]:
        if len(fields) > len(header):
            raise ValueError(f"{path}: line {line}: {len(fields)} fields where the header (line {header_line}) "
                             f"has {len(header)}: {','.join(fields)!r}; {layout}")
    return text, rows


def read_answer_key(path: str | Path) -> pd.DataFrame:
    """Read an answer key written by ``make_class_data``.

    Raises:
        FileNotFoundError: no such file.
        ValueError: a column of the key is missing, or the file is not a readable CSV file (the
            message names the file and the line).
    """
    path = Path(path)
    text, rows = _read_csv_rows(path, "answer key", KEY_LAYOUT)
    missing = [c for c in KEY_COLUMNS if c not in rows[0][1]]
    if missing:
        raise ValueError(f"{path}: not an answer key: missing column(s) {', '.join(missing)}; {KEY_LAYOUT}")
    return pd.read_csv(io.StringIO(text), dtype={"student_id": str, "term": str})


def read_submission(path: str | Path) -> pd.Series:
    """Read a submitted coefficient table from CSV as a Series of estimates indexed by term.

    Accepted layouts: columns ``term`` and ``estimate`` (the documented format); a table whose
    first column holds the terms (named ``term`` or left unnamed, as ``DataFrame.to_csv`` writes an
    index) and whose coefficients are in a column named ``estimate``, ``coef`` or ``coefficient``
    (so ``smecredit.model_reports.odds_ratio_table(fit).to_csv(...)`` works); or exactly two columns,
    terms then coefficients (as ``fit.params.to_csv(...)`` writes). The file is read as UTF-8
    (a byte-order mark is allowed); blank lines are skipped, spaces around fields removed, and a
    line with fewer fields than the header has the missing ones empty.

    Every error message starts with the file's path, and with the line where there is one
    (``s001.csv: line 4: ...``), and says what layout is expected.

    Raises:
        FileNotFoundError: no such file ("... does not exist").
        IsADirectoryError: the path is a folder.
        ValueError: a file that cannot be read as CSV (not UTF-8 text, empty, not comma-separated, a
            quote never closed, a line with more fields than the header), no column of
            coefficients, a value that is not a number, or a term given twice.
    """
    path = Path(path)
    _, rows = _read_csv_rows(path, "submission", SUBMISSION_LAYOUT)
    (header_line, columns), body = rows[0], rows[1:]
    named_twice = sorted({c for c in columns if c and columns.count(c) > 1})
    if named_twice:
        raise ValueError(f"{path}: line {header_line}: column(s) named twice: {', '.join(named_twice)}; "
                         f"{SUBMISSION_LAYOUT}")
    term_column = "term" if "term" in columns else columns[0]
    value_column = next((c for c in ["estimate", "coef", "coefficient"] if c in columns), None)
    if value_column is None and len(columns) == 2:
        value_column = columns[1]
    if value_column is None or value_column == term_column:
        raise ValueError(f"{path}: line {header_line}: expected columns 'term' and 'estimate' (or 'coef'), "
                         f"found {columns}; {SUBMISSION_LAYOUT}")
    padded = [(line, fields + [""] * (len(columns) - len(fields))) for line, fields in body]
    term_at, value_at = columns.index(term_column), columns.index(value_column)
    lines = [line for line, _ in padded]
    terms = [fields[term_at] for _, fields in padded]
    raw = [fields[value_at] for _, fields in padded]
    values = pd.to_numeric(pd.Series(raw, dtype=object).replace("", np.nan), errors="coerce").to_numpy(dtype=float)
    bad = [f"line {line}: {text!r}" for line, text, value in zip(lines, raw, values) if text and np.isnan(value)]
    if bad:
        raise ValueError(f"{path}: not a number in column {value_column!r}: {'; '.join(bad[:3])}"
                         + (f" (and {len(bad) - 3} more)" if len(bad) > 3 else "") + f"; {SUBMISSION_LAYOUT}")
    first_line: dict[str, int] = {}
    repeated = []
    for line, term in zip(lines, terms):
        if term in first_line:
            repeated.append(f"{term} (lines {first_line[term]} and {line})")
        first_line.setdefault(term, line)
    if repeated:
        raise ValueError(f"{path}: term(s) given more than once: {', '.join(repeated)}")
    return pd.Series(values, index=pd.Index(terms, name="term", dtype=object), name="estimate")


def check_submission(submission, key: pd.DataFrame, student_id: str, k: float = DEFAULT_K) -> pd.DataFrame:
    """Compare a student's coefficients with the answer key's estimates for their book.

    A term passes if the submitted coefficient lies within ``k`` standard errors of the key's
    estimate. A correct analysis reproduces the key to many digits, so ``k`` only absorbs rounding
    (submit unrounded values) and defensible small variations.

    Args:
        submission: the student's coefficients (log-odds) indexed by statsmodels' term names:
            a Series such as ``fit.params``, a DataFrame with a ``term`` column or term index and an
            ``estimate``/``coef``/``coefficient`` column, or a path to a CSV (see ``read_submission``).
            The book's labels (``smecredit.labels.term_label``, such as "Guarantee method: credit
            (unsecured)") and the form ``guarantee_method = credit`` are accepted too.
        key: the answer key (``make_class_data`` or ``read_answer_key``).
        student_id: whose book the submission analysed.
        k: tolerance in standard errors, positive.

    Returns:
        DataFrame indexed by term (the key's terms in order, then any unexpected ones) with
        ``true_coefficient``, ``key_estimate``, ``std_err``, ``submitted``, ``distance_se``
        (|submitted - key_estimate| / std_err), ``verdict`` and ``passed``. Verdicts: ``ok``;
        ``wrong sign`` (outside the tolerance, with the opposite sign to the key); ``off``
        (outside, same sign); ``odds ratio, not a coefficient`` (outside, but its log is within
        the tolerance and within 0.01 of the key's estimate);
        ``missing``; ``unexpected term`` (not a term of the true model). Only ``ok`` passes.

    Raises:
        FileNotFoundError: the submission is a path to a file that does not exist.
        KeyError: the student is not in the key (the message starts with the file's path, if one was given).
        ValueError: k not positive, or a submission in a layout that cannot be read (as ``read_submission``:
            the message names the file, the line and the expected layout).
    """
    from smecredit.labels import term_label

    if not k > 0:
        raise ValueError(f"k must be positive, got {k}")
    submitted = _as_series(submission)  # first: a missing or unreadable file is reported as such
    rows = key[key["student_id"].astype(str) == str(student_id)].set_index("term")
    if rows.empty:
        where = f"{submission}: " if isinstance(submission, (str, Path)) else ""
        raise KeyError(f"{where}student {student_id!r} is not in the answer key")
    by_label = {term_label(term): term for term in rows.index}
    by_label |= {re.sub(r"^(?:C\()?(\w+)\)?\[T\.(.+)\]$", r"\1 = \2", term): term for term in rows.index}
    submitted.index = [term if term in rows.index else by_label.get(term, term) for term in submitted.index]
    extra = [term for term in submitted.index if term not in rows.index]
    out = pd.DataFrame({
        "true_coefficient": rows["true_coefficient"].astype(float),
        "key_estimate": rows["estimate"].astype(float),
        "std_err": rows["std_err"].astype(float),
        "submitted": submitted.reindex(rows.index).astype(float),
    })
    out.index.name = "term"
    out["distance_se"] = (out["submitted"] - out["key_estimate"]).abs() / out["std_err"]
    within = out["distance_se"] <= k
    # An odds ratio handed in as a coefficient: its log matches the key closely (1% on the odds-ratio
    # scale), not merely within k standard errors, which chance alone often allows for noisy terms.
    with np.errstate(divide="ignore", invalid="ignore"):
        log_gap = (np.log(out["submitted"].where(out["submitted"] > 0)) - out["key_estimate"]).abs()
    log_within = log_gap <= np.minimum(k * out["std_err"], ODDS_RATIO_TOLERANCE)
    opposite = np.sign(out["submitted"]) != np.sign(out["key_estimate"])
    out["verdict"] = np.select(
        [out["submitted"].isna(), within, log_within, opposite],
        ["missing", "ok", "odds ratio, not a coefficient", "wrong sign"],
        default="off",
    )
    if extra:
        unexpected = pd.DataFrame({"submitted": submitted[extra].astype(float), "verdict": "unexpected term"},
                                  index=pd.Index(extra, name="term"))
        out = pd.concat([out, unexpected])
    out["passed"] = out["verdict"] == "ok"
    return out


def _as_series(submission) -> pd.Series:
    """A submission in any accepted form, as a float Series indexed by term."""
    if isinstance(submission, (str, Path)):
        return read_submission(submission)
    if isinstance(submission, pd.Series):
        return submission.astype(float).copy()
    if isinstance(submission, pd.DataFrame):
        frame = submission.set_index("term") if "term" in submission.columns else submission
        for column in ["estimate", "coef", "coefficient"]:
            if column in frame.columns:
                return frame[column].astype(float).copy()
        raise ValueError(f"submission: expected a column 'estimate' (or 'coef'), found {list(frame.columns)}")
    raise ValueError(f"submission: expected a Series, DataFrame or CSV path, got {type(submission).__name__}")


def _check_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m smecredit.classroom check",
        description="Check submitted coefficient tables (CSV: term,estimate) against the answer key.",
    )
    parser.add_argument("--key", type=Path, required=True, help="answer_key.csv written by the make step")
    parser.add_argument("--student", help="the student id (default: each file's name without .csv)")
    parser.add_argument("--k", type=float, default=DEFAULT_K,
                        help=f"tolerance in standard errors (default {DEFAULT_K:g})")
    parser.add_argument("submissions", nargs="+", type=Path, help="CSV file(s) of coefficients")
    args = parser.parse_args(argv)
    if args.student and len(args.submissions) > 1:
        parser.error("--student names one student: give one submission file, or name files <id>.csv")
    if not args.k > 0:
        parser.error(f"--k must be positive, got {args.k}")
    try:
        key = read_answer_key(args.key)
    except (OSError, ValueError) as err:
        parser.error(str(err))
    summary, failures = [], 0
    for path in args.submissions:
        student_id = args.student or path.stem
        try:
            result = check_submission(path, key, student_id, k=args.k)
        except (OSError, KeyError, ValueError) as err:
            message = err.args[0] if isinstance(err, KeyError) else str(err)
            message = message.removeprefix(f"{path}: ")  # printed once, in front
            if isinstance(err, KeyError) and not args.student:
                message += f" (the student id is taken from the file name, {path.name}; or give --student)"
            print(f"{path}: cannot check: {message}", file=sys.stderr)
            failures += 1
            summary.append({"student_id": student_id, "terms_ok": pd.NA, "terms": pd.NA, "result": "error"})
            continue
        passed = bool(result["passed"].all())
        failures += not passed
        summary.append({"student_id": student_id, "terms_ok": int(result["passed"].sum()), "terms": len(result),
                        "result": "pass" if passed else "fail"})
        if not key.loc[key["student_id"].astype(str) == student_id, "converged"].all():
            print(f"warning: the key's fit for {student_id} did not converge; do not grade on that book",
                  file=sys.stderr)
        if len(args.submissions) == 1:
            shown = result.drop(columns="passed").round({"distance_se": 2})
            print(shown.to_string(float_format=lambda x: f"{x:.4g}"))
    print(pd.DataFrame(summary).astype({"terms_ok": "Int64", "terms": "Int64"}).to_string(index=False))
    return 1 if failures else 0


def main(argv: list[str] | None = None) -> int:
    """Command line: make per-student loan books and an answer key, or (``check ...``) check submissions."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["check"]:
        return _check_main(argv[1:])
    parser = argparse.ArgumentParser(
        prog="python -m smecredit.classroom",
        description="Make one simulated loan book per student (seed from the id: first 8 hex digits of "
                    "SHA-256 of the UTF-8 id) and an instructor-only answer key.",
        epilog="To check submissions: python -m smecredit.classroom check --key DIR/answer_key.csv "
               "[--student ID] FILE.csv ...",
    )
    who = parser.add_mutually_exclusive_group(required=True)
    who.add_argument("--students", type=Path, metavar="FILE", help="text file of student ids, one a line")
    who.add_argument("--ids", nargs="+", metavar="ID", help="student ids")
    parser.add_argument("--out", type=Path, required=True, help="folder to write <id>/loans.csv and the key into")
    parser.add_argument("--n-loans", type=int, default=DEFAULT_N_LOANS,
                        help=f"loans per student (default {DEFAULT_N_LOANS})")
    parser.add_argument("--salt", default="", help="text mixed into every seed, e.g. a course code and year")
    parser.add_argument("--scenario", default=BOOK, choices=scenario_names(),
                        help="generator scenario (default 'book': the generator of data/loans.csv; the others are "
                             "described in data/loans.md, section 'Scenarios')")
    args = parser.parse_args(argv)
    if args.n_loans < 1:
        parser.error(f"--n-loans must be at least 1, got {args.n_loans}")
    try:
        ids = read_student_ids(args.students) if args.students else validate_student_ids(args.ids)
    except (FileNotFoundError, StudentIdError) as err:
        parser.error(str(err))
    key = make_class_data(ids, args.out, n_loans=args.n_loans, salt=args.salt,
                          progress=lambda line: print(line, file=sys.stderr), scenario=args.scenario)
    not_converged = key.loc[~key["converged"], "student_id"].unique()
    print(f"wrote {len(ids)} loan books to {args.out}/<id>/loans.csv and the answer key to "
          f"{args.out / KEY_FILE} (instructor only: hand out the <id> folders, not the key)", file=sys.stderr)
    if len(not_converged):
        print(f"warning: the fit did not converge for {', '.join(not_converged)}; use more loans "
              f"(--n-loans) before grading those books", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
