"""Plain labels for what the reader sees: column names, category levels, model terms and percentages.

One home for the words tables, figures, explorers and sentences use instead of raw names, so that
``guarantee_method[T.joint_mutual]`` reads "Guarantee method: joint/mutual guarantee", a default
rate of 0.072799 reads "7.3%" and a sentence can say "the guarantee method". The levels and units
follow the loan book's data dictionary (``data/loans.md``, written from ``smecredit.schema``).

A name the tables here do not know is shown tidied, not refused: ``checking_account`` becomes
"Checking account", so public data sets get readable labels without an entry of their own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np
import pandas as pd

# column -> (label for a table or an axis, its unit or "", the noun a sentence uses)
COLUMNS: dict[str, tuple[str, str, str]] = {
    "markup_pct": ("Markup over the benchmark", "%", "the markup"),
    "repayment_method": ("Repayment method", "", "the repayment method"),
    "shareholder_holding_years": ("Controlling shareholder's holding time", "years", "the shareholder's holding time"),
    "owner_experience_years": ("Owner's years in the trade", "", "the owner's experience"),
    "guarantee_method": ("Guarantee method", "", "the guarantee method"),
    "internal_rating": ("Internal rating", "", "the internal rating"),
    "debt_ratio_pct": ("Debt ratio", "%", "the debt ratio"),
    "size_class": ("Size class", "", "the size class"),
    "industry": ("Industry", "", "the industry"),
    "term_months": ("Term", "months", "the loan's term"),
    "origination_year": ("Vintage", "", "the vintage"),
    "loan_amount_10k": ("Loan amount", "10k yuan", "the loan amount"),
    "annual_revenue_10k": ("Annual revenue", "10k yuan", "the revenue"),
    "total_assets_10k": ("Total assets", "10k yuan", "the total assets"),
    "employees": ("Employees", "", "the number of employees"),
    "firm_age_years": ("Firm's age", "years", "the firm's age"),
    "owner_age_years": ("Owner's age", "years", "the owner's age"),
    "registered_capital_10k": ("Registered capital", "10k yuan", "the registered capital"),
    "sub_branch": ("Sub-branch", "", "the sub-branch"),
    "account_manager_id": ("Account manager", "", "the account manager"),
    "default_12m": ("Default within 12 months", "", "default"),
    "contract_rate_pct": ("Contract rate", "%", "the contract rate"),
    "benchmark_rate_pct": ("Benchmark rate", "%", "the benchmark rate"),
}

# column -> {level: label}; the Chinese terms are in the glossary and data/loans.md
LEVELS: dict[str, dict[str, str]] = {
    "guarantee_method": {
        "mortgage": "Mortgage", "pledge": "Pledge", "guarantee": "Guarantee (person or firm)",
        "credit": "Credit (unsecured)", "guarantee_company": "Guarantee company",
        "joint_mutual": "Joint/mutual guarantee",
    },
    "repayment_method": {
        "quarterly_interest_bullet": "Bullet, interest quarterly", "equal_instalment": "Equal instalments",
        "equal_principal": "Equal principal", "custom_schedule": "Agreed schedule",
    },
    "size_class": {"micro": "Micro", "small": "Small", "medium": "Medium"},
    "industry": {
        "manufacturing": "Manufacturing", "wholesale": "Wholesale", "retail": "Retail",
        "construction": "Construction", "transport": "Transport", "lodging_catering": "Lodging and catering",
        "software_it": "Software and IT", "agriculture": "Agriculture",
    },
}

# columns of the package's report tables (smecredit.exploration, smecredit.model_reports): label, and whether it holds a share
REPORT_COLUMNS: dict[str, tuple[str, bool]] = {
    "loans": ("Loans", False), "defaults": ("Defaults", False), "rate": ("Default rate", True),
    "ci_low": ("95% interval, low", True), "ci_high": ("95% interval, high", True),
    "coef": ("Coefficient", False), "std_err": ("Std. error", False), "z": ("z", False),
    "p_value": ("p-value", False), "odds_ratio": ("Odds ratio", False),
    "or_low": ("Odds ratio, 95% low", False), "or_high": ("Odds ratio, 95% high", False),
    "npl_ratio": ("NPL ratio", True), "approval_rate": ("Approval rate", True), "bad_rate": ("Bad rate", True),
}

_TREATMENT = re.compile(r"(?:C\()?(?P<column>[A-Za-z_]\w*)\)?(?:,[^\]]*)?\[T\.(?P<level>.+)\]")
_SCALED = re.compile(r"I\((?P<column>[A-Za-z_]\w*) / (?P<scale>[\d.]+)\)")


def _tidy(name: str) -> str:
    words = name.replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def _bare(name: str) -> str:
    match = re.fullmatch(r"C\((\w+)\)", name)
    return match.group(1) if match else name


def column_label(name: str, unit: bool = True) -> str:
    """The label of a column for a table or an axis: ``markup_pct`` -> "Markup over the benchmark (%)".

    ``C(name)`` is read as ``name``; ``unit=False`` leaves the unit out; unknown names are tidied.
    """
    name = _bare(name)
    if name not in COLUMNS:
        return _tidy(name)
    text, unit_text, _ = COLUMNS[name]
    return f"{text} ({unit_text})" if unit and unit_text else text


def column_noun(name: str) -> str:
    """The noun a sentence uses for a column or a model term: ``I(markup_pct / 10)`` -> "the markup"."""
    scaled = _SCALED.fullmatch(name)
    name = _bare(scaled.group("column") if scaled else name)
    return COLUMNS[name][2] if name in COLUMNS else "the " + name.replace("_", " ")


def level_label(column: str, level) -> str:
    """The label of one level of a categorical column: ("guarantee_method", "joint_mutual") ->
    "Joint/mutual guarantee"; levels without an entry (ratings, years) are shown as they are."""
    column = _bare(column)
    level_text = str(level)
    return LEVELS.get(column, {}).get(level_text, level_text.replace("_", " "))


def _per(column: str, scale: float) -> str:
    unit_text = COLUMNS.get(column, ("", "", ""))[1]
    amount = f"{scale:g}"
    if unit_text == "10k yuan":
        return f"per {scale * 10_000:,.0f} yuan"
    if unit_text == "%":
        return f"per {amount} percentage points"
    return f"per {amount} {unit_text}".rstrip() if unit_text else f"per {amount}"


def term_label(term: str, in_sentence: bool = False) -> str:
    """A plain label for a statsmodels parameter name (``in_sentence=True``: starting in lower case).

    ``guarantee_method[T.joint_mutual]`` -> "Guarantee method: joint/mutual guarantee";
    ``C(origination_year)[T.2015]`` -> "Vintage: 2015"; ``I(markup_pct / 10)`` ->
    "Markup over the benchmark (per 10 percentage points)"; ``markup_pct`` -> "Markup over the
    benchmark (%)"; ``Intercept`` stays.
    """
    label = _term_label(term)
    return label[:1].lower() + label[1:] if in_sentence and not label[:2].isupper() else label


def _term_label(term: str) -> str:
    treatment = _TREATMENT.fullmatch(term)
    if treatment:
        column, level = treatment["column"], treatment["level"]
        text = level_label(column, level)
        return f"{column_label(column, unit=False)}: {text[:1].lower() + text[1:] if column in LEVELS else text}"
    scaled = _SCALED.fullmatch(term)
    if scaled:
        column = scaled["column"]
        return f"{column_label(column, unit=False)} ({_per(column, float(scaled['scale']))})"
    if term == "Intercept":
        return term
    return column_label(term)


def term_for_label(label: str, terms: Iterable[str]) -> str:
    """The parameter name among ``terms`` whose label is ``label`` (the name itself if it is one).

    Raises:
        KeyError: no term has that name or label; the message lists the labels there are.
    """
    terms = list(terms)
    if label in terms:
        return label
    by_label = {term_label(term): term for term in terms}
    if label not in by_label:
        raise KeyError(f"no term is named or labelled {label!r}; the labels are: {', '.join(by_label)}")
    return by_label[label]


def percent(value: float, digits: int = 1) -> str:
    """A share as a percentage for a reader: 0.072799 -> "7.3%"; NaN -> "" (shown blank)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    return f"{100 * value:.{digits}f}%"


def readable(table: pd.DataFrame, percent_columns: Iterable[str] | None = None, digits: int = 3,
             percent_digits: int = 1, names: dict[str, str] | None = None) -> pd.DataFrame:
    """A copy of a table for display: plain labels for its index, columns and levels, shares as
    percentages, other floats rounded to ``digits``, missing values blank. The numbers a student
    computes with stay in the original table; this one is for reading.

    ``percent_columns`` (shares, 0.073 -> "7.3%") defaults to the report columns that hold shares
    (``rate``, ``ci_low``, ``ci_high``, ...; see ``REPORT_COLUMNS``). ``names`` labels a chapter's
    own columns (``{"amount_granted_m": "Amount granted (million yuan)"}``); it wins over the
    package's labels.

    The index is labelled as a model term when it holds parameter names and as a level when the
    index is named after a categorical column (``default_rate_table`` indexes by level).

    Raises:
        KeyError: a column in ``percent_columns`` is not in the table.
    """
    if percent_columns is None:
        # An interval is a share only beside a rate; beside a coefficient it is on the coefficient's scale.
        percent_columns = [c for c in table.columns if c in REPORT_COLUMNS and REPORT_COLUMNS[c][1]
                           and (c not in ("ci_low", "ci_high") or "rate" in table.columns)]
    percent_columns = list(percent_columns)
    missing = [c for c in percent_columns if c not in table.columns]
    if missing:
        raise KeyError(f"readable(): no column {', '.join(map(repr, missing))} in the table; "
                       f"its columns are {', '.join(map(str, table.columns))}")
    shown = table.copy()
    for column in shown.columns:
        if column in percent_columns:
            shown[column] = shown[column].map(lambda v: percent(v, percent_digits))
            continue
        if pd.api.types.is_float_dtype(shown[column]):
            shown[column] = shown[column].round(digits)
        missing = shown[column].isna()
        if missing.any():  # blank, as in the percentage columns, not "NaN"
            as_text = shown[column].map(lambda v: np.format_float_positional(v, trim="-")
                                        if isinstance(v, float) else v)
            shown[column] = as_text.astype(object).where(~missing, "")
    column_name = shown.index.name

    def index_label(value):
        if isinstance(value, tuple):
            return tuple(index_label(v) for v in value)
        text = str(value)
        if column_name and _bare(column_name) in LEVELS:
            return level_label(column_name, value)
        if _TREATMENT.fullmatch(text) or _SCALED.fullmatch(text) or text in COLUMNS:
            return term_label(text)
        return value

    labels = [index_label(v) for v in shown.index]
    if isinstance(shown.index, pd.MultiIndex):
        shown.index = pd.MultiIndex.from_tuples(labels, names=shown.index.names)
    else:
        shown.index = pd.Index(labels, name=column_label(column_name) if column_name else None)
    names = names or {}
    shown.columns = [names[c] if c in names else REPORT_COLUMNS[c][0] if isinstance(c, str) and c in REPORT_COLUMNS
                     else column_label(c) if isinstance(c, str) and c in COLUMNS else c for c in shown.columns]
    return shown
