"""The SBA case: 2,102 real small-business loans guaranteed by the US Small Business Administration.

The data were published with Li, Mickel and Taylor (2018), "'Should This Loan be Approved or Denied?'",
Journal of Statistics Education 26(1), 55-66 (doi:10.1080/10691898.2018.1434342), as the file
``SBAcase.11.13.17.csv``. The book ships it as ``data/sba_case.csv``, without the borrowers' names
(``derive_shipped_copy``), documented in ``data/sba_case.md``. ``load_sba_case()`` reads it and checks
it against ``SBA_COLUMNS``, the one schema of the file: types, codes, ranges and the relations between
the columns the article derived (``SBA_RULES``). A file that breaks them raises
``smecredit.loading.DataFileError`` naming the file, the column and the rows (line numbers and loan
numbers). Nothing is recoded: the file's undocumented codes (``RevLineCr`` "0" and "T", ``LowDoc``
"S", "A" and "0", ``NewExist`` 0) are allowed, documented and returned as written.

Dates are day numbers counted from 1960-01-01 (SAS dates), not Excel serial numbers: with that origin
every ``ApprovalDate`` falls in its federal fiscal year ``ApprovalFY`` (October to September) and
``Recession`` is exactly "``xx`` between 2007-12-01 and 2009-06-30". ``sba_date`` converts them.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from smecredit.loading import (MAX_EXAMPLES, DataFileError, _parse_column, _show, data_file, expected_format,
                               problem_text, read_text_columns)

FILE_NAME = "sba_case.csv"
ORIGINAL_NAME = "SBAcase.11.13.17.csv"
ORIGINAL_SHA256 = "9c6ba3e04189457d084f168a78b47eb8ed20d3fcb24ec540e3ec54ced79ce89f"
DROPPED = ["Name"]  # borrowers' business names: some name a person
DAY_ZERO = pd.Timestamp("1960-01-01")  # the origin of the file's day numbers (SAS dates)
RECESSION = (pd.Timestamp("2007-12-01"), pd.Timestamp("2009-06-30"))  # the Great Recession (NBER)


@dataclass(frozen=True)
class SbaColumn:
    """One column of the SBA case file, in the style of ``smecredit.schema.PublicColumn``.

    kind: "int" (whole numbers; "day" for day numbers from 1960-01-01), "float" or "text".
    ``codes`` maps each allowed value (as written in the file) to its meaning; undocumented codes the
    file holds are allowed too and say so. ``nullable``: empty values allowed.
    """

    name: str
    kind: str
    unit: str
    meaning: str
    codes: dict[str, str] = field(default_factory=dict)
    minimum: float | None = None
    maximum: float | None = None
    nullable: bool = False
    derived: bool = False  # built by the article's authors, not in the SBA's records


SBA_COLUMNS: list[SbaColumn] = [
    SbaColumn("Selected", "int", "0/1", "1 for the half of the loans the article fits its model on (training), "
              "0 for the half it validates on.", {"0": "validation half", "1": "training half"}, derived=True),
    SbaColumn("LoanNr_ChkDgt", "int", "", "The SBA's loan number with its check digit; unique.",
              minimum=1_000_000_000, maximum=9_999_999_999),
    SbaColumn("City", "text", "", "The borrower's city."),
    SbaColumn("State", "text", "", "The borrower's state (all CA: the case is California's loans).", {"CA": "California"}),
    SbaColumn("Zip", "int", "", "The borrower's ZIP code (a few lie outside California's 90000 to 96199).",
              minimum=0, maximum=99999),
    SbaColumn("Bank", "text", "", "The lending bank.", nullable=True),
    SbaColumn("BankState", "text", "", "The lending bank's state.", nullable=True),
    SbaColumn("NAICS", "int", "", "Industry code (NAICS); all in sector 53, real estate and rental and leasing.",
              minimum=530000, maximum=539999),
    SbaColumn("ApprovalDate", "day", "days since 1960-01-01", "Date the SBA commitment was issued."),
    SbaColumn("ApprovalFY", "int", "year", "Federal fiscal year of the commitment (October to September).",
              minimum=1962, maximum=2014),
    SbaColumn("Term", "int", "months", "Loan term.", minimum=0, maximum=600),
    SbaColumn("NoEmp", "int", "count", "Number of the business's employees.", minimum=0, maximum=10_000),
    SbaColumn("NewExist", "int", "code", "Whether the business is new.", {
        "1": "existing business", "2": "new business (under two years old)",
        "0": "undocumented code (data-entry problem)"}, nullable=True),
    SbaColumn("CreateJob", "int", "count", "Jobs the loan is to create.", minimum=0, maximum=10_000),
    SbaColumn("RetainedJob", "int", "count", "Jobs the loan is to retain.", minimum=0, maximum=10_000),
    SbaColumn("FranchiseCode", "int", "code", "Franchise code; 0 or 1 means no franchise.", minimum=0,
              maximum=99_999),
    SbaColumn("UrbanRural", "int", "code", "Where the business is.", {
        "1": "urban", "2": "rural", "0": "undefined"}),
    SbaColumn("RevLineCr", "text", "code", "Revolving line of credit.", {
        "Y": "yes", "N": "no", "0": "undocumented code (data-entry problem)",
        "T": "undocumented code (data-entry problem)"}, nullable=True),
    SbaColumn("LowDoc", "text", "code", "LowDoc loan programme (short application for small loans).", {
        "Y": "yes", "N": "no", "S": "undocumented code (data-entry problem)",
        "A": "undocumented code (data-entry problem)", "0": "undocumented code (data-entry problem)"},
              nullable=True),
    SbaColumn("ChgOffDate", "day", "days since 1960-01-01", "Date the loan was declared in default (charged off).",
              nullable=True),
    SbaColumn("DisbursementDate", "day", "days since 1960-01-01", "Date the loan was disbursed.", nullable=True),
    SbaColumn("DisbursementGross", "int", "US dollars", "Amount disbursed.", minimum=1, maximum=10_000_000),
    SbaColumn("BalanceGross", "int", "US dollars", "Gross amount outstanding (0 for every loan here).",
              minimum=0, maximum=10_000_000),
    SbaColumn("MIS_Status", "text", "code", "Loan status.", {"P I F": "paid in full", "CHGOFF": "charged off"}),
    SbaColumn("ChgOffPrinGr", "int", "US dollars", "Principal charged off.", minimum=0, maximum=10_000_000),
    SbaColumn("GrAppv", "int", "US dollars", "Gross amount of the loan approved by the bank.", minimum=1,
              maximum=10_000_000),
    SbaColumn("SBA_Appv", "int", "US dollars", "The SBA's guaranteed amount of the approved loan.", minimum=1,
              maximum=10_000_000),
    SbaColumn("New", "int", "0/1", "1 if the business is new (NewExist = 2), else 0.", {"0": "no", "1": "yes"},
              derived=True),
    SbaColumn("RealEstate", "int", "0/1", "1 if the loan is backed by real estate, taken as a term of 240 months "
              "or more, else 0.", {"0": "no", "1": "yes"}, derived=True),
    SbaColumn("Portion", "float", "share", "The SBA-guaranteed share of the approved amount, SBA_Appv / GrAppv.",
              minimum=0, maximum=1, derived=True),
    SbaColumn("Recession", "int", "0/1", "1 if xx (the scheduled end) falls in the Great Recession, 2007-12-01 "
              "to 2009-06-30, else 0.", {"0": "no", "1": "yes"}, derived=True),
    SbaColumn("daysterm", "int", "days", "The term in days, Term × 30.", minimum=0, maximum=18_000, derived=True),
    SbaColumn("xx", "day", "days since 1960-01-01", "The scheduled end, DisbursementDate + daysterm.",
              nullable=True, derived=True),
    SbaColumn("Default", "int", "0/1", "1 if the loan was charged off (MIS_Status = CHGOFF), else 0.",
              {"0": "paid in full", "1": "charged off"}, derived=True),
]
SBA_COLUMN_NAMES = [c.name for c in SBA_COLUMNS]
ORIGINAL_COLUMN_NAMES = SBA_COLUMN_NAMES[:2] + DROPPED + SBA_COLUMN_NAMES[2:]


def _days(timestamp: pd.Timestamp) -> int:
    return int((timestamp - DAY_ZERO).days)


@dataclass(frozen=True)
class SbaRule:
    """A relation between columns that the article's derived columns must keep; ``passes`` is False
    where a row breaks it (rows where a column it needs is empty pass)."""

    columns: tuple[str, ...]
    message: str
    passes: Callable[[pd.DataFrame], pd.Series]


def _fiscal_year(days: pd.Series) -> pd.Series:
    date = sba_date(days)
    return date.dt.year + (date.dt.month >= 10)


SBA_RULES: list[SbaRule] = [
    SbaRule(("Default", "MIS_Status"), "Default is not 1 exactly when MIS_Status is CHGOFF",
            lambda d: d["Default"] == (d["MIS_Status"] == "CHGOFF").astype(int)),
    SbaRule(("New", "NewExist"), "New is not 1 exactly when NewExist is 2",
            lambda d: d["New"] == (d["NewExist"] == 2).fillna(False).astype(int)),
    SbaRule(("RealEstate", "Term"), "RealEstate is not 1 exactly when Term is 240 months or more",
            lambda d: d["RealEstate"] == (d["Term"] >= 240).astype(int)),
    SbaRule(("Portion", "SBA_Appv", "GrAppv"), "Portion is not SBA_Appv / GrAppv (to 1e-6)",
            lambda d: (d["Portion"] - d["SBA_Appv"] / d["GrAppv"]).abs() <= 1e-6),
    SbaRule(("daysterm", "Term"), "daysterm is not Term × 30", lambda d: d["daysterm"] == 30 * d["Term"]),
    SbaRule(("xx", "DisbursementDate", "daysterm"), "xx is not DisbursementDate + daysterm",
            lambda d: (d["xx"] == d["DisbursementDate"] + d["daysterm"]).fillna(d["xx"].isna()
                                                                               & d["DisbursementDate"].isna())),
    SbaRule(("Recession", "xx"), "Recession is not 1 exactly when xx falls from 2007-12-01 to 2009-06-30",
            lambda d: d["Recession"] == d["xx"].between(_days(RECESSION[0]), _days(RECESSION[1])).fillna(False)
            .astype(int)),
    SbaRule(("ApprovalFY", "ApprovalDate"), "ApprovalDate is not in the fiscal year ApprovalFY",
            lambda d: d["ApprovalFY"] == _fiscal_year(d["ApprovalDate"])),
    SbaRule(("SBA_Appv", "GrAppv"), "SBA_Appv exceeds GrAppv", lambda d: d["SBA_Appv"] <= d["GrAppv"]),
]


def sba_date(days) -> pd.Series:
    """The file's day numbers (days since 1960-01-01) as dates; empty stays empty (NaT)."""
    return DAY_ZERO + pd.to_timedelta(pd.Series(days, dtype="Float64").astype("float64"), unit="D")


def derive_shipped_copy(original: bytes) -> bytes:
    """The book's ``data/sba_case.csv`` from the article's ``SBAcase.11.13.17.csv``: the ``Name`` column
    removed, every other byte kept (the byte-order mark, the quoting, the line ends). Python's csv module
    reads the original and writes it back unchanged when nothing is removed, which the tests check."""
    text = original.decode("utf-8")
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    rows = list(csv.reader(io.StringIO(text[len(bom):], newline="")))
    drop = rows[0].index(DROPPED[0])
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\n").writerows([row[:drop] + row[drop + 1:] for row in rows])
    return (bom + out.getvalue()).encode("utf-8")


def load_sba_case(path: str | Path | None = None) -> pd.DataFrame:
    """Load the SBA case (Li, Mickel and Taylor 2018), checked against ``SBA_COLUMNS`` and ``SBA_RULES``.

    Args:
        path: a file in the format of ``data/sba_case.csv``; default: that file (``data_file``).

    Returns:
        DataFrame of shape (2102, 34) for the book's file, with the file's column names: whole numbers as
        int64 (Int64 where a value may be empty: NewExist and the day numbers), Portion as float64, text
        and codes as str (None where empty). Codes are as written; day numbers stay numbers (``sba_date``).

    Raises:
        FileNotFoundError: no such file.
        DataFileError: missing or unexpected columns, a value of the wrong type, an empty value where
            none may be, a code not allowed, a value out of range, a duplicate loan number, or a broken
            relation between columns; the message names the file, the column and the rows.
    """
    path = Path(path) if path is not None else data_file(FILE_NAME)
    if not path.is_file():
        raise FileNotFoundError(f"no SBA case file at {path}")
    table, raw = read_text_columns(path, SBA_COLUMN_NAMES, about="the SBA case (data/sba_case.md)")
    table.rows.ids = raw["LoanNr_ChkDgt"].to_numpy(dtype=object)
    rows = table.rows
    frame = pd.DataFrame(index=raw.index)
    type_errors, missing, problems = [], [], []
    for c in SBA_COLUMNS:
        values, bad = _parse_column(raw[c.name], "int" if c.kind == "day" else c.kind)
        if bad.size:
            type_errors.append(problem_text(
                c.name, f"not a valid {'integer' if c.kind in ('int', 'day') else c.kind}",
                examples=[repr(v) for v in raw[c.name].iloc[bad[:MAX_EXAMPLES]]], rows=rows.describe(bad),
                todo=expected_format("int" if c.kind == "day" else c.kind, raw[c.name].iloc[bad])))
            continue
        empty = np.flatnonzero(values.isna().to_numpy())
        if empty.size and not c.nullable:
            missing.append(problem_text(c.name, "empty value", rows=rows.describe(empty)))
        if c.kind in ("int", "day") and values.dtype != "int64":
            values = values.astype("Int64")
        frame[c.name] = values
    if type_errors or missing:
        raise DataFileError(table.source, type_errors + missing, heading="values of the wrong type or missing:")
    for c in SBA_COLUMNS:
        series = frame[c.name]
        present = series.notna().to_numpy()
        if c.codes:
            as_text = series.map(lambda v: str(int(v)) if c.kind in ("int", "day") else str(v), na_action="ignore")
            bad = np.flatnonzero(present & ~as_text.isin(list(c.codes)).to_numpy())
            if bad.size:
                problems.append(problem_text(c.name, f"value not one of {list(c.codes)}",
                                             examples=list(dict.fromkeys(_show(v) for v in series.iloc[bad[:MAX_EXAMPLES]])),
                                             rows=rows.describe(bad), todo="data/sba_case.md lists the codes."))
        if c.minimum is not None:
            outside = ((series < c.minimum) | (series > c.maximum)).fillna(False).to_numpy(dtype=bool)
            bad = np.flatnonzero(outside)
            if bad.size:
                problems.append(problem_text(c.name, f"value outside {c.minimum:g} to {c.maximum:g}",
                                             examples=list(dict.fromkeys(_show(v) for v in series.iloc[bad[:MAX_EXAMPLES]])),
                                             rows=rows.describe(bad), todo=f"Check the value and its unit ({c.unit})."
                                             if c.unit else ""))
    duplicated = np.flatnonzero(frame["LoanNr_ChkDgt"].duplicated(keep=False).to_numpy())
    if duplicated.size:
        problems.append(problem_text("LoanNr_ChkDgt", "duplicate values", rows=rows.describe(duplicated),
                                     todo="Each loan must have its own number."))
    if not problems:  # the relations need valid values in every column they read
        for rule in SBA_RULES:
            passes = rule.passes(frame)
            bad = np.flatnonzero(~pd.Series(passes).fillna(False).to_numpy(dtype=bool))
            if bad.size:
                first = ", ".join(f"{name} {_show(frame[name].iloc[bad[0]])}" for name in rule.columns)
                problems.append(problem_text(None, rule.message, examples=[f"first: {first}"],
                                             rows=rows.describe(bad)))
    if problems:
        raise DataFileError(table.source, problems, heading="the data break the schema (data/sba_case.md):")
    return frame


def sba_dictionary_markdown() -> str:
    """The SBA case's columns as a Markdown table (the one in ``data/sba_case.md``)."""
    lines = ["| column | type | unit | values | meaning | built by the article |", "|---|---|---|---|---|---|"]
    for c in SBA_COLUMNS:
        if c.codes:
            values = "; ".join(f"`{code}` {meaning}" for code, meaning in c.codes.items())
        elif c.minimum is not None:
            values = f"{c.minimum:,g} to {c.maximum:,g}"
        else:
            values = ""
        if c.nullable:
            values = (values + "; " if values else "") + "may be empty"
        kind = {"day": "int (day number)", "text": "text"}.get(c.kind, c.kind)
        cells = [f"`{c.name}`", kind, c.unit, values, c.meaning, "yes" if c.derived else ""]
        lines.append("| " + " | ".join(str(v).replace("|", "\\|") for v in cells) + " |")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------------
# The article's printed results (Li, Mickel and Taylor 2018, Section 4.3 and 4.4, pages 62-64)
# ---------------------------------------------------------------------------------------------------
# SAS's PROC LOGISTIC on the training half (Selected = 1, 1,051 loans); the final model then classes the
# testing half (Selected = 0) with the rule "higher risk, deny, when the estimated probability of default
# exceeds 0.5". Copied from the publisher's PDF of the article (open access, CC BY 4.0; the copy read is
# the one in the GitHub repositories shreymukh/Project-3 and Pranavd0828/SBA-LoanApproval-Predictve-Modeling,
# "Should This Loan be Approved or Denied A Large Dataset with Class Assignment Guidelines.pdf"). Numbers
# are kept as the strings printed, so that their precision is kept; the PDF's minus signs are written "-".
# tests/test_sba.py checks that the shipped file reproduces every one of them to the digits printed.

ARTICLE = "Li, Mickel and Taylor (2018), Journal of Statistics Education 26(1), 55-66"


@dataclass(frozen=True)
class PrintedModel:
    """One of the article's printed logistic regressions of ``Default`` on the training half.

    ``estimates`` maps each parameter, in the printed order, to the printed (Estimate, Standard error,
    Wald Chi-Square, Pr > ChiSq).
    """

    table: str
    name: str
    formula: str
    estimates: dict[str, tuple[str, str, str, str]]


ARTICLE_MODELS: dict[str, PrintedModel] = {
    "initial": PrintedModel(
        "Table 7(a)", "initial model, five variables",
        "Default ~ New + RealEstate + DisbursementGross + Portion + Recession", {
            "Intercept": ("1.3537", "0.3229", "17.5729", "<0.0001"),
            "New": ("-0.0772", "0.2101", "0.1349", "0.7134"),
            "RealEstate": ("-2.0331", "0.3636", "31.2663", "<0.0001"),
            "DisbursementGross": ("-3.37E-7", "3.52E-7", "0.9173", "0.3382"),
            "Portion": ("-2.8298", "0.5594", "25.5909", "<0.0001"),
            "Recession": ("0.4971", "0.2413", "4.2441", "0.0394"),
        }),
    "final": PrintedModel(
        "Table 8", "final model, three variables",
        "Default ~ RealEstate + Portion + Recession", {
            "Intercept": ("1.3931", "0.3216", "18.7670", "<0.0001"),
            "RealEstate": ("-2.1282", "0.3450", "38.0529", "<0.0001"),
            "Portion": ("-2.9875", "0.5393", "30.6898", "<0.0001"),
            "Recession": ("0.5041", "0.2412", "4.3679", "0.0366"),
        }),
}
# Table 7(b), "Type III analysis" (PROC GENMOD) of the initial model: the likelihood-ratio chi-square
# (1 degree of freedom) for dropping each variable, and its p-value.
ARTICLE_TYPE3: dict[str, tuple[str, str]] = {
    "New": ("0.14", "0.7130"),
    "RealEstate": ("39.96", "<0.0001"),
    "DisbursementGross": ("0.97", "0.3258"),
    "Portion": ("27.41", "<0.0001"),
    "Recession": ("4.27", "0.0389"),
}
ARTICLE_CUTOFF = 0.5  # Section 4.3.2: deny when the estimated probability of default exceeds it
# Table 9: the testing half classed by the final model at the cut-off (rows: the classification; columns:
# what happened), and the misclassification rate the text states, (324 + 14) / 1051.
ARTICLE_CLASSIFICATION: dict[str, dict[str, int]] = {
    "charged off": {"higher risk": 31, "lower risk": 324},
    "paid in full": {"higher risk": 14, "lower risk": 682},
}
ARTICLE_MISCLASSIFICATION = "32.16%"
# Table 10: the two applications of Table 6 and the final model's estimated probability of default
# (no recession; Portion is the SBA's guaranteed amount over the amount requested).
ARTICLE_APPLICATIONS: dict[str, tuple[dict[str, float], str]] = {
    "Carmichael Realty": ({"RealEstate": 1, "Portion": 750_000 / 1_000_000, "Recession": 0}, "0.05"),
    "SV Consulting": ({"RealEstate": 0, "Portion": 40_000 / 100_000, "Recession": 0}, "0.55"),
}


def _printed_parts(printed: str) -> tuple[float, int, int, bool]:
    """(value, decimals of the mantissa, exponent, percent) of a printed number such as "-3.37E-7"."""
    text = printed.strip()
    percent = text.endswith("%")
    text = text.rstrip("%")
    mantissa, _, exponent = text.upper().partition("E")
    return float(text), len(mantissa.partition(".")[2]), int(exponent) if exponent else 0, percent


def agrees_with_printed(value: float, printed: str) -> bool:
    """Whether ``value`` rounds to the number the article printed, at the precision printed.

    "1.3931" asks for four decimals, "-3.37E-7" for three significant digits, "32.16%" for a share to
    two decimals of a percent, "<0.0001" for a value below 0.0001.
    """
    if printed.strip().startswith("<"):
        return value < float(printed.strip()[1:])
    number, decimals, exponent, percent = _printed_parts(printed)
    shown = value * 100 if percent else value
    return abs(shown - number) <= 0.5 * 10.0 ** (exponent - decimals) * (1 + 1e-9)


def as_printed(value: float, printed: str) -> str:
    """``value`` written at the precision, and in the form, of the printed number ``printed``."""
    if printed.strip().startswith("<"):
        bound = printed.strip()[1:]
        return printed.strip() if value < float(bound) else f"{value:.{len(bound.partition('.')[2])}f}"
    _, decimals, exponent, percent = _printed_parts(printed)
    if percent:
        return f"{value * 100:.{decimals}f}%"
    if exponent:
        mantissa, _, power = f"{value:.{decimals}E}".partition("E")
        return f"{mantissa}E{int(power)}"
    return f"{value:.{decimals}f}"


REPRODUCED = ("all digits", "match")  # the column of ``article_comparison`` that sums it up


def article_comparison(fit, model: PrintedModel) -> pd.DataFrame:
    """The article's printed coefficients, standard errors and p-values beside ``fit``'s, written at the
    printed precision, one row per parameter (columns: the quantity, then "article" or "here"); the column
    ``REPRODUCED`` says "yes" when all four printed numbers of the row, the Wald chi-square included, are
    reproduced to the digits printed.

    Args:
        fit: a statsmodels logit fit of ``model.formula`` (its parameters carry the printed names).
        model: one of ``ARTICLE_MODELS``.
    """
    here = [fit.params, fit.bse, fit.tvalues ** 2, fit.pvalues]  # in the printed order
    rows = {}
    for term, printed in model.estimates.items():
        values = [float(column[term]) for column in here]
        row = {}
        for quantity, k in (("coefficient", 0), ("std. error", 1), ("p-value", 3)):
            row[(quantity, "article")] = printed[k]
            row[(quantity, "here")] = as_printed(values[k], printed[k])
        row[REPRODUCED] = "yes" if all(agrees_with_printed(v, p) for v, p in zip(values, printed)) else "no"
        rows[term] = row
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.columns = pd.MultiIndex.from_tuples(table.columns)
    return table


def article_classification(default: pd.Series, pd_hat: pd.Series, cutoff: float = ARTICLE_CUTOFF) -> pd.DataFrame:
    """Loans classed as the article's Table 9 classes them: "higher risk" when the estimated probability
    of default exceeds ``cutoff``, else "lower risk" (rows), against what happened (columns: "charged
    off" for ``Default`` = 1, "paid in full"); counts, in the layout of ``ARTICLE_CLASSIFICATION``."""
    higher = np.asarray(pd_hat) > cutoff
    defaulted = np.asarray(default) == 1
    classes = {"higher risk": higher, "lower risk": ~higher}
    return pd.DataFrame({
        outcome: {name: int((rows & happened).sum()) for name, rows in classes.items()}
        for outcome, happened in (("charged off", defaulted), ("paid in full", ~defaulted))
    })
