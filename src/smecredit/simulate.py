"""The loan-book generator: a simulated SME loan book of the S branch with a known truth.

The bank's records are confidential, so the book works on a simulated stand-in.
Every loan is drawn from stated distributions and its 12-month default from a
logistic model whose coefficients live in ``true_parameters.toml``; chapters
can therefore compare every estimate with the truth.

Command line (writes exactly the committed ``data/loans.csv`` for the default seed)::

    python -m smecredit.simulate --seed 20191231 --n-loans 20000 --out data/loans.csv

The generator has scenarios (``scenario_names()``; ``data/loans.md``, section "Scenarios"). Version 2
has unobserved soft information that drives both the markup and default, default timing by repayment
method and term, guarantee circles, loan amounts within a working-capital limit
(``working_capital_limit``), an ``inclusive_scope`` flag (``inclusive_scope``), markups that fall in
2018 under the 两增两控 notice and a seasoned stock of loans granted before 2014. ``--scenario NAME``
picks one; the default, ``branch``, has all of these and made ``data/loans.csv``; ``version-1`` is the
generator of the book's first edition, kept unchanged. ``true_coefficients(kind, scenario)``
returns a scenario's structural coefficients or the pseudo-true ones a logit on the observed columns
estimates.

Units: money in 10k yuan (万元), rates and ratios in percent, ages and tenures
in years, terms in months.
"""

from __future__ import annotations

import argparse
import copy
import sys
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from smecredit.schedule import DAYS_PER_MONTH, share_outstanding
from smecredit.schema import (CLASSIFICATIONS, FIRST_GRANTED_YEAR, GUARANTEE_METHODS, INCLUSIVE_CAP_10K, INDUSTRIES,
                              RATING_GRADES, REPAYMENT_METHODS, SIZE_CLASSES, typed_loan_book)

DEFAULT_SEED = 20191231
DEFAULT_N_LOANS = 20_000
N_SUB_BRANCHES = 16
N_ACCOUNT_MANAGERS = 150
FIRST_ORIGINATION = np.datetime64("2014-01-01")
LAST_ORIGINATION = np.datetime64("2018-12-31")
DATA_CUTOFF = np.datetime64("2019-12-31")  # version 1's; data_cutoff(scenario) gives each scenario's
OBSERVATION_MONTHS = 12
# Version 2: bullet loans pay interest quarterly (按季结息), as most enterprise loans in China do.
INTEREST_PERIOD_MONTHS = 3
# Candidate borrowers drawn per loan of a book with a seasoned stock (about 0.70 are needed).
CANDIDATES_PER_LOAN = 0.75

# PBoC benchmark lending rates (percent a year) by term band, with the date each took effect.
# Source: People's Bank of China announcements of 26 Dec 2010, 9 Feb, 6 Apr and 7 Jul 2011, 8 Jun and
# 6 Jul 2012, 22 Nov 2014, 1 Mar, 11 May, 28 Jun, 26 Aug and 24 Oct 2015 (the last set stayed in force
# until the 2019 LPR reform). Before 22 Nov 2014 the short-term band was split at 6 months and the medium
# band at 3 years. The rows before 2014 price only the seasoned stock of scenario "branch".
BENCHMARK_RATE_SCHEDULE = pd.DataFrame(
    {
        "effective_from": pd.to_datetime(
            ["2010-12-26", "2011-02-09", "2011-04-06", "2011-07-07", "2012-06-08", "2012-07-06",
             "2014-11-22", "2015-03-01", "2015-05-11", "2015-06-28", "2015-08-26", "2015-10-24"]
        ),
        "up_to_6_months": [5.35, 5.60, 5.85, 6.10, 5.85, 5.60, 5.60, 5.35, 5.10, 4.85, 4.60, 4.35],
        "6_to_12_months": [5.81, 6.06, 6.31, 6.56, 6.31, 6.00, 5.60, 5.35, 5.10, 4.85, 4.60, 4.35],
        "1_to_3_years": [5.85, 6.10, 6.40, 6.65, 6.40, 6.15, 6.00, 5.75, 5.50, 5.25, 5.00, 4.75],
        "3_to_5_years": [6.22, 6.45, 6.65, 6.90, 6.65, 6.40, 6.00, 5.75, 5.50, 5.25, 5.00, 4.75],
    }
)

INDUSTRY_SHARES = [0.28, 0.19, 0.13, 0.10, 0.08, 0.08, 0.06, 0.08]

# 2011 size standard (工信部联企业〔2011〕300号), thresholds in persons and 10k yuan.
# A firm is medium if it meets both medium lower bounds, small if it meets both small
# lower bounds, otherwise micro. Agriculture uses revenue only; construction uses revenue
# and total assets. (Source: MIIT, NBS, NDRC and MoF, 18 June 2011.)
SIZE_STANDARD = {
    #                  second measure, small (E, second), medium (E, second), ceiling (E, revenue)
    "manufacturing":    ("revenue", (20, 300), (300, 2000), (1000, 40000)),
    "wholesale":        ("revenue", (5, 1000), (20, 5000), (200, 40000)),
    "retail":           ("revenue", (10, 100), (50, 500), (300, 20000)),
    "construction":     ("assets", (None, 300, 300), (None, 6000, 5000), (None, 80000)),
    "transport":        ("revenue", (20, 200), (300, 3000), (1000, 30000)),
    "lodging_catering": ("revenue", (10, 100), (100, 2000), (300, 10000)),
    "software_it":      ("revenue", (10, 50), (100, 1000), (300, 10000)),
    "agriculture":      ("revenue_only", (None, 50), (None, 500), (None, 20000)),
}

RATING_SHARES = [0.12, 0.28, 0.33, 0.19, 0.08]
TERMS_MONTHS = np.array([6, 12, 24, 36])


@dataclass(frozen=True)
class TrueModel:
    """The stated default model: formula, coefficients and random-effect SDs (log-odds scale)."""

    formula: str
    coefficients: pd.Series
    sub_branch_sd: float
    account_manager_sd: float
    reference_levels: dict
    scenario: str = "branch"


@dataclass(frozen=True)
class Scenario:
    """A version-2 scenario of the generator (``[scenarios.NAME]`` in ``true_parameters.toml``).

    soft_info_markup_pp: markup points per SD of the borrower's soft information (unobserved).
    soft_info_logit: log-odds of default per SD of the same soft information.
    timing: default months by repayment method and term (``[timing]``), window 12 months + 90 days.
    circles: guarantee circles among joint/mutual-guarantee borrowers (``[circles]``).
    expected_markup_bias: the documented pseudo-true minus structural ``markup_pct``.
    seasoned_stock: add the loans granted 2011-2013 and still outstanding at the start of 2014
        (``[seasoned_stock]``), flagged in the column ``seasoned_stock``.
    """

    name: str
    description: str
    soft_info_markup_pp: float
    soft_info_logit: float
    timing: bool
    circles: bool
    expected_markup_bias: float
    coefficients: dict
    seasoned_stock: bool = False


BOOK = "branch"  # the scenario of data/loans.csv, every function's default
VERSION_1 = "version-1"  # the first edition's generator, unchanged: no soft information, timing, circles or stock


def _parameter_file() -> dict:
    """The parameter file as a dict: a fresh copy each call, so callers may change theirs."""
    return copy.deepcopy(_parsed_parameter_file())


@lru_cache(maxsize=1)
def _parsed_parameter_file() -> dict:
    text = resources.files("smecredit").joinpath("true_parameters.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def scenario_names() -> list[str]:
    """The generator's scenarios: ``"branch"`` (the committed ``data/loans.csv``) first, then the other
    version-2 ones, then ``"version-1"``."""
    return [BOOK, *(name for name in _parameter_file()["scenarios"] if name != BOOK), VERSION_1]


def scenario_spec(name: str) -> Scenario | None:
    """The parameters of a version-2 scenario, or None for ``"version-1"``.

    Raises:
        ValueError: an unknown scenario (the message lists the known ones).
    """
    if name == VERSION_1:
        return None
    spec = _parameter_file()["scenarios"]
    if name not in spec:
        raise ValueError(f"unknown scenario {name!r}; choose one of {', '.join(scenario_names())}")
    s = spec[name]
    return Scenario(name=name, description=s["description"], soft_info_markup_pp=float(s["soft_info_markup_pp"]),
                    soft_info_logit=float(s["soft_info_logit"]), timing=bool(s["timing"]),
                    circles=bool(s["circles"]), expected_markup_bias=float(s["expected_markup_bias"]),
                    coefficients=dict(s.get("coefficients", {})), seasoned_stock=bool(s.get("seasoned_stock", False)))


def true_model(scenario: str = BOOK) -> TrueModel:
    """Read the true default model of a scenario from ``true_parameters.toml``.

    Args:
        scenario: ``"branch"`` (the default: the model of ``data/loans.csv``), another version-2 scenario
            or ``"version-1"`` (``scenario_names()``); a version-2 scenario replaces the coefficients of the
            ``[coefficients]`` table that it lists.

    Returns:
        TrueModel whose ``coefficients`` Series is indexed by the parameter names
        statsmodels gives when ``formula`` is fitted to ``load_loans()`` (log-odds scale). These are
        the structural coefficients: the causal effects the generator uses.
    """
    spec = _parameter_file()
    coefficients = dict(spec["coefficients"])
    chosen = scenario_spec(scenario)
    if chosen is not None:
        unknown = set(chosen.coefficients) - set(coefficients)
        if unknown:
            raise ValueError(f"scenario {scenario!r} sets unknown coefficient(s): {', '.join(sorted(unknown))}")
        coefficients.update(chosen.coefficients)
    return TrueModel(
        formula=" ".join(spec["model"]["formula"].split()),
        coefficients=pd.Series(coefficients, name="true_coefficient", dtype=float),
        sub_branch_sd=float(spec["model"]["sub_branch_sd"]),
        account_manager_sd=float(spec["model"]["account_manager_sd"]),
        reference_levels=dict(spec["reference_levels"]),
        scenario=scenario,
    )


def data_cutoff(scenario: str = BOOK) -> pd.Timestamp:
    """The date a scenario's data stop: recoveries and the five-category class are as of this day.

    2020-03-31 for the version-2 scenarios (``[timing]`` ``cutoff``: every 12-month + 90-day default window of
    the loans granted up to 2018 is complete), 2019-12-31 for ``"version-1"``.

    Raises:
        ValueError: an unknown scenario.
    """
    spec = scenario_spec(scenario)
    if spec is None or not spec.timing:
        return pd.Timestamp(DATA_CUTOFF)
    return pd.Timestamp(_timing_parameters()["cutoff"])


def true_coefficients(kind: str = "structural", scenario: str = BOOK) -> pd.Series:
    """The true log-odds coefficients of the 12-month default model, indexed like statsmodels names them.

    Args:
        kind: ``"structural"`` (the default): the coefficients the generator uses, the causal
            effects; ``"pseudo_true"``: what a logit of ``true_model().formula`` on the observed
            columns converges to in a very large book of the scenario (``pseudo_true_coefficients``),
            which differs from the structural ones when something unobserved drives both a column
            and default (the soft information of the version-2 scenarios).
        scenario: ``"branch"`` (the default, ``data/loans.csv``) or another (``scenario_names()``).

    Returns:
        Series named ``true_coefficient`` (structural) or ``pseudo_true_coefficient``.
    """
    if kind == "structural":
        return true_model(scenario).coefficients.copy()
    if kind == "pseudo_true":
        return pseudo_true_coefficients(scenario).copy()
    raise ValueError(f"kind must be 'structural' or 'pseudo_true', got {kind!r}")


PSEUDO_TRUE_N_LOANS = 300_000
PSEUDO_TRUE_SEED = 1
PSEUDO_TRUE_TABLE = "pseudo_true_coefficients.csv"  # in the package, beside true_parameters.toml


@lru_cache(maxsize=None)
def _pseudo_true_fit(scenario: str, n_loans: int, seed: int) -> tuple[pd.Series, pd.Series]:
    import statsmodels.formula.api as smf

    model = true_model(scenario)
    book = typed_loan_book(simulate_loan_book(n_loans, seed=seed, scenario=scenario))
    if "seasoned_stock" in book:  # the logit is fitted to the loans granted 2014-2018, as the chapters fit it
        book = book[~book["seasoned_stock"]]
    fit = smf.logit(model.formula, data=book).fit(disp=0, maxiter=100)
    index = model.coefficients.index
    return (fit.params[index].rename("pseudo_true_coefficient"), fit.bse[index].rename("std_err"))


def _stored_pseudo_true(scenario: str) -> pd.DataFrame:
    """One scenario's rows of the shipped table, indexed like ``true_coefficients()``."""
    with resources.files("smecredit").joinpath(PSEUDO_TRUE_TABLE).open("r", encoding="utf-8") as handle:
        table = pd.read_csv(handle)
    rows = table[table["scenario"] == scenario].set_index("term").rename_axis(None)
    index = true_model(scenario).coefficients.index
    if rows.empty or set(rows.index) != set(index):
        raise ValueError(f"{PSEUDO_TRUE_TABLE} has no complete rows for scenario {scenario!r}; "
                         "run `python -m smecredit.simulate --write-pseudo-true` to remake it")
    return rows.loc[index, ["pseudo_true_coefficient", "std_err"]]


def pseudo_true_coefficients(scenario: str = BOOK, n_loans: int = PSEUDO_TRUE_N_LOANS,
                             seed: int = PSEUDO_TRUE_SEED, with_std_err: bool = False, recompute: bool = False):
    """The pseudo-true coefficients: what the book's logit on the observed columns estimates in a scenario.

    They are the full true-model formula (``true_model().formula``) fitted with statsmodels to one
    very large book of the scenario (300,000 loans, seed 1). That fit takes 10 to 15 seconds, so the
    package ships its result (``pseudo_true_coefficients.csv``, remade by ``python -m
    smecredit.simulate --write-pseudo-true``; a test refits and compares) and returns it at once;
    other sizes or seeds, or ``recompute=True``, fit afresh (cached for the session).

    Where nothing unobserved drives both a column and default, these match the structural
    coefficients up to sampling error and the small attenuation from leaving out the sub-branch
    and account-manager effects; with the soft information of the version-2 scenarios, the markup's
    coefficient exceeds its structural value by the omitted-variable bias.

    Args:
        scenario: one of ``scenario_names()`` (default ``"branch"``, ``data/loans.csv``).
        n_loans, seed: the size and seed of the large book.
        with_std_err: also return the standard errors of the large book's fit (the Monte Carlo error).
        recompute: fit even when the shipped table holds the answer.

    Returns:
        Series ``pseudo_true_coefficient`` indexed like ``true_coefficients()``, or with
        ``with_std_err`` a DataFrame with columns ``pseudo_true_coefficient`` and ``std_err``.

    Raises:
        ValueError: an unknown scenario, or a shipped table without the scenario's rows.
    """
    scenario_spec(scenario)  # an unknown name fails here, with the list of known ones
    if not recompute and n_loans == PSEUDO_TRUE_N_LOANS and seed == PSEUDO_TRUE_SEED:
        table = _stored_pseudo_true(scenario)
    else:
        table = pd.concat(_pseudo_true_fit(scenario, n_loans, seed), axis=1)
    if with_std_err:
        return table.copy()
    return table["pseudo_true_coefficient"].copy()


def write_pseudo_true_table(path: str | Path | None = None) -> Path:
    """Fit every scenario's pseudo-true coefficients afresh and write the shipped table (about a minute).

    Args:
        path: where to write (default: the package's ``pseudo_true_coefficients.csv``).
    """
    path = Path(path) if path is not None else Path(__file__).with_name(PSEUDO_TRUE_TABLE)
    rows = []
    for name in scenario_names():
        fit = pseudo_true_coefficients(name, with_std_err=True, recompute=True)
        rows.append(fit.rename_axis("term").reset_index().assign(scenario=name))
    table = pd.concat(rows)[["scenario", "term", "pseudo_true_coefficient", "std_err"]]
    table.to_csv(path, index=False, lineterminator="\n", float_format="%.10g")
    return path


def benchmark_rate(dates: np.ndarray, term_months: np.ndarray) -> np.ndarray:
    """PBoC benchmark lending rate (percent a year) in force on each date for each term.

    Args:
        dates: array of datetime64 origination dates, shape (n,).
        term_months: array of loan terms in months, shape (n,), each in 1..60.

    Raises:
        ValueError: a date before 26 December 2010 or after 19 August 2019 (the LPR reform),
            or a term outside 1..60 months.
    """
    dates = np.asarray(dates, dtype="datetime64[D]")
    term_months = np.asarray(term_months)
    schedule = BENCHMARK_RATE_SCHEDULE
    starts = schedule["effective_from"].to_numpy().astype("datetime64[D]")
    if (dates < starts[0]).any() or (dates > np.datetime64("2019-08-19")).any():
        raise ValueError(f"benchmark_rate covers origination dates from {starts[0]} to 2019-08-19 only")
    if ((term_months < 1) | (term_months > 60)).any():
        raise ValueError("benchmark_rate covers terms of 1 to 60 months only")
    row = np.searchsorted(starts, dates, side="right") - 1
    band = np.select(
        [term_months <= 6, term_months <= 12, term_months <= 36],
        [0, 1, 2],
        default=3,
    )
    table = schedule[["up_to_6_months", "6_to_12_months", "1_to_3_years", "3_to_5_years"]].to_numpy()
    return table[row, band]


def _choose(rng: np.random.Generator, logits: np.ndarray) -> np.ndarray:
    """Draw one category index per row from unnormalised log-probabilities (Gumbel-max trick)."""
    return np.argmax(logits + rng.gumbel(size=logits.shape), axis=1)


def _size_class(industry: np.ndarray, employees: np.ndarray, revenue: np.ndarray, assets: np.ndarray) -> np.ndarray:
    """Size class index (0 micro, 1 small, 2 medium) by the 2011 standard."""
    size = np.zeros(len(industry), dtype=np.int8)
    for code, name in enumerate(INDUSTRIES):
        rows = industry == code
        kind, small, medium, _ = SIZE_STANDARD[name]
        if kind == "revenue":
            e, r = employees[rows], revenue[rows]
            is_small = (e >= small[0]) & (r >= small[1])
            is_medium = (e >= medium[0]) & (r >= medium[1])
        elif kind == "assets":
            r, a = revenue[rows], assets[rows]
            is_small = (r >= small[1]) & (a >= small[2])
            is_medium = (r >= medium[1]) & (a >= medium[2])
        else:
            r = revenue[rows]
            is_small = r >= small[1]
            is_medium = r >= medium[1]
        size[rows] = np.where(is_medium, 2, np.where(is_small, 1, 0))
    return size


def _firms(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    """Borrower attributes at the first loan: industry, size, ownership, owner, balance sheet."""
    industry = rng.choice(len(INDUSTRIES), size=n, p=INDUSTRY_SHARES)
    scale = rng.normal(size=n)  # one latent firm scale drives employees, revenue and assets
    # Per industry: log medians, SME ceilings and the noise, drawn industry by industry (the stream's order).
    log_e_mid, log_r_mid = np.empty(len(INDUSTRIES)), np.empty(len(INDUSTRIES))
    e_ceiling, r_ceiling = np.full(len(INDUSTRIES), np.inf), np.empty(len(INDUSTRIES))
    e_noise, r_noise = np.empty(n), np.empty(n)
    for code, name in enumerate(INDUSTRIES):
        rows = np.flatnonzero(industry == code)
        kind, small, medium, ceiling = SIZE_STANDARD[name]
        # Medians sit between the small and medium bounds so all three classes occur.
        e_mid = 25.0 if small[0] is None else 0.7 * np.sqrt(small[0] * medium[0])
        r_mid = 0.7 * np.sqrt(small[1] * medium[1])
        log_e_mid[code], log_r_mid[code] = np.log(e_mid), np.log(r_mid)
        e_noise[rows] = rng.normal(size=rows.size)
        r_noise[rows] = rng.normal(size=rows.size)
        # Keep every firm inside the SME ceiling of its industry.
        if ceiling[0] is not None:
            e_ceiling[code] = ceiling[0] - 1
        r_ceiling[code] = 0.98 * ceiling[1]
    employees = np.minimum(np.exp(log_e_mid[industry] + 0.9 * scale + 0.35 * e_noise), e_ceiling[industry])
    revenue = np.minimum(np.exp(log_r_mid[industry] + 1.1 * scale + 0.45 * r_noise), r_ceiling[industry])
    employees = np.maximum(np.round(employees), 1).astype(np.int64)
    revenue = np.maximum(np.round(revenue, 1), 5.0)
    assets = np.round(revenue * np.exp(rng.normal(-0.2, 0.45, size=n)), 1)
    assets = np.clip(assets, 5.0, 79000.0)
    size = _size_class(industry, employees, revenue, assets)

    firm_age = np.round(np.clip(1.0 + rng.gamma(2.0, 4.0, size=n), 1.0, 40.0), 1)
    # Most controlling shareholders have held control for much of the firm's life;
    # about a fifth of firms changed hands recently.
    recent_change = rng.random(n) < 0.22
    share = np.where(recent_change, rng.beta(1.2, 5.0, size=n), rng.beta(5.0, 1.3, size=n))
    holding = np.minimum(np.round(firm_age * share, 1), firm_age)
    holding = np.maximum(holding, 0.1)
    owner_age = np.clip(np.round(rng.normal(45.0, 8.0, size=n)), 24, 70).astype(np.int64)
    experience = 0.5 * holding + rng.gamma(2.2, 3.0, size=n)
    experience = np.round(np.clip(experience, 0.0, owner_age - 18), 1)
    debt_ratio = np.round(np.clip(100 * rng.beta(5.0, 5.0, size=n) + 8.0 * (size == 0), 5.0, 95.0), 1)
    registered_capital = np.clip(np.round(np.exp(0.6 * np.log(assets) + 1.2 + 0.5 * rng.normal(size=n)) / 10) * 10,
                                 10, 5000)
    return {
        "industry": industry, "employees": employees, "revenue": revenue, "assets": assets, "size": size,
        "firm_age": firm_age, "holding": holding, "owner_age": owner_age, "experience": experience,
        "debt_ratio": debt_ratio, "registered_capital": registered_capital.astype(float),
    }


def _rating_score(firm: dict[str, np.ndarray], age_shift: np.ndarray, noise: np.ndarray) -> np.ndarray:
    """The bank's internal rating score (higher is worse) from the factors its rating uses."""
    industry_risk = np.array([0.0, 0.15, 0.2, 0.3, 0.1, 0.35, -0.1, 0.25])
    size_risk = np.array([0.5, 0.0, -0.4])
    return (0.045 * (firm["debt_ratio"] - 50.0) + size_risk[firm["size"]] + industry_risk[firm["industry"]]
            - 0.04 * (firm["firm_age"] + age_shift - 9.0) + noise)


def _branches_and_managers(rng: np.random.Generator, model: TrueModel):
    """Sub-branches of unequal size, each with at least three account managers, and their random
    effects on the log-odds of default. Drawn first from the generator, so they can be replayed."""
    branch_weight = rng.dirichlet(np.full(N_SUB_BRANCHES, 4.0))
    am_per_branch = 3 + rng.multinomial(N_ACCOUNT_MANAGERS - 3 * N_SUB_BRANCHES, branch_weight)
    am_branch = np.repeat(np.arange(N_SUB_BRANCHES), am_per_branch)
    am_workload = rng.gamma(4.0, 1.0, size=N_ACCOUNT_MANAGERS)
    branch_effect = rng.normal(0.0, model.sub_branch_sd, size=N_SUB_BRANCHES)
    am_effect = rng.normal(0.0, model.account_manager_sd, size=N_ACCOUNT_MANAGERS)
    return branch_weight, am_branch, am_workload, branch_effect, am_effect


def true_random_effects(seed: int = DEFAULT_SEED) -> tuple[pd.Series, pd.DataFrame]:
    """The random effects the generator drew for a seed (log-odds scale).

    Returns:
        ``(sub_branch_effects, account_managers)``: a Series indexed by sub-branch id (``SB01``...),
        and a DataFrame indexed by account-manager id (``AM001``...) with columns ``sub_branch``
        and ``effect``. Account managers who got no loan in a small book are included.
    """
    _, am_branch, _, branch_effect, am_effect = _branches_and_managers(np.random.default_rng(seed), true_model())
    branches = pd.Series(branch_effect, index=[f"SB{i + 1:02d}" for i in range(N_SUB_BRANCHES)],
                         name="effect").rename_axis("sub_branch")
    managers = pd.DataFrame({"sub_branch": [f"SB{b + 1:02d}" for b in am_branch], "effect": am_effect},
                            index=pd.Index([f"AM{i + 1:03d}" for i in range(N_ACCOUNT_MANAGERS)],
                                           name="account_manager_id"))
    return branches, managers


def simulate_loan_book(n_loans: int = DEFAULT_N_LOANS, seed: int = DEFAULT_SEED, scenario: str = BOOK) -> pd.DataFrame:
    """Simulate the S branch's SME loan book, one row per loan.

    Args:
        n_loans: number of loans (rows), at least 1.
        seed: seed of numpy's PCG64 generator; the same seed gives the same book.
        scenario: ``"branch"`` (the default: the generator that made ``data/loans.csv``), another
            version-2 scenario or ``"version-1"`` (``scenario_names()``; ``data/loans.md``, "Scenarios").

    Returns:
        DataFrame with the columns documented in ``data/loans.md`` (see ``smecredit.schema``), sorted by
        origination date, loan ids ``L000001``...: n_loans rows and 32 columns in ``"version-1"``; a
        version-2 scenario adds ``inclusive_scope`` (bool), after ``guarantee_circle`` (text) in a
        scenario with guarantee circles (33 or 34 columns); ``"branch"`` adds ``seasoned_stock`` (35
        columns) and, on top of the n_loans loans granted 2014-2018, the seasoned stock's rows.

    Raises:
        ValueError: n_loans below 1, or an unknown scenario.
    """
    if n_loans < 1:
        raise ValueError(f"n_loans must be at least 1, got {n_loans}")
    spec = scenario_spec(scenario)
    if spec is None or not spec.seasoned_stock:
        # Each candidate borrower takes at least one loan, so n_loans borrowers always suffice.
        return _simulated_book(n_loans, seed, scenario, n_loans)
    # With the seasoned stock some borrowers' loans all fall before 2014: a candidate takes about 1.4 loans
    # from 2014 on, so CANDIDATES_PER_LOAN leaves room; when they run short, twice as many are drawn.
    n_borrowers = int(np.ceil(CANDIDATES_PER_LOAN * n_loans)) + 20
    while True:
        try:
            return _simulated_book(n_loans, seed, scenario, n_borrowers)
        except _TooFewCandidates:
            n_borrowers *= 2


class _TooFewCandidates(Exception):
    """The candidate borrowers took fewer loans from 2014 on than the book needs."""


def _simulated_book(n_loans: int, seed: int, scenario: str, n_borrowers: int) -> pd.DataFrame:
    """``simulate_loan_book`` from ``n_borrowers`` candidate borrowers (``_TooFewCandidates`` if too few)."""
    spec = scenario_spec(scenario)
    model = true_model(scenario)
    beta = model.coefficients
    rng = np.random.default_rng(seed)
    # Version-2 draws come from a second stream, so the book's stream is untouched.
    extra = None if spec is None else np.random.default_rng([seed, 2])

    branch_weight, am_branch, am_workload, branch_effect, am_effect = _branches_and_managers(rng, model)

    seasoned = spec is not None and spec.seasoned_stock
    firm = _firms(rng, n_borrowers)
    branch = rng.choice(N_SUB_BRANCHES, size=n_borrowers, p=branch_weight)
    am = np.empty(n_borrowers, dtype=np.int64)
    for b in range(N_SUB_BRANCHES):
        rows = branch == b
        ams = np.flatnonzero(am_branch == b)
        am[rows] = rng.choice(ams, size=rows.sum(), p=am_workload[ams] / am_workload[ams].sum())
    # Lending grew every year, as the regulator's growth targets demanded.
    year_weight = np.array([0.12, 0.16, 0.20, 0.24, 0.28])
    first_year = rng.choice(5, size=n_borrowers, p=year_weight)
    year_start = (np.array(["2014-01-01", "2015-01-01", "2016-01-01", "2017-01-01", "2018-01-01"],
                           dtype="datetime64[D]") - FIRST_ORIGINATION).astype(np.int64)
    first_day = year_start[first_year] + rng.integers(0, 365, size=n_borrowers)
    renew_propensity = rng.beta(3.0, 2.0, size=n_borrowers)
    borrower_amount_noise = rng.normal(0.0, 0.45, size=n_borrowers)
    borrower_rating_noise = rng.normal(0.0, 0.55, size=n_borrowers)
    last_day = int((LAST_ORIGINATION - FIRST_ORIGINATION).astype(np.int64))

    # Rating grades are cut at fixed shares of the first-loan scores.
    first_scores = _rating_score(firm, np.zeros(n_borrowers), borrower_rating_noise)
    cut_points = np.quantile(first_scores, np.cumsum(RATING_SHARES)[:-1])

    pieces = []
    active = np.arange(n_borrowers)
    day = first_day.copy()
    sequence = 1
    # Version 2: the account manager's soft information about each borrower, absent from the data.
    soft = None if spec is None else extra.normal(size=n_borrowers)
    policy = None if spec is None else _policy_parameters()  # loan sizes and markups by vintage
    if seasoned:  # a share of borrowers first borrowed in 2011-2013 (the seasoned stock)
        stock = policy["seasoned_stock"]
        early = extra.random(n_borrowers) < stock["borrower_share"]
        early_year = extra.choice(len(stock["years"]), size=n_borrowers, p=stock["year_weights"])
        early_start = (np.array([f"{y}-01-01" for y in stock["years"]], dtype="datetime64[D]")
                       - FIRST_ORIGINATION).astype(np.int64)
        first_day = np.where(early, early_start[early_year] + extra.integers(0, 365, size=n_borrowers), first_day)
        day = first_day.copy()
    circle = circle_shock = None
    if spec is not None and spec.circles:
        circles = _circle_parameters()
        circle, circle_shock = _guarantee_circles(extra, firm, branch, circles)
        # A circle's firms borrow together: within a month of the circle's first member.
        members = np.flatnonzero(circle >= 0)
        leader_day = np.full(circle.max() + 1, np.iinfo(np.int64).max)
        np.minimum.at(leader_day, circle[members], first_day[members])
        first_day[members] = np.minimum(leader_day[circle[members]] + extra.integers(0, 31, members.size),
                                        int((LAST_ORIGINATION - FIRST_ORIGINATION).astype(np.int64)))
        day = first_day.copy()
    while active.size:
        markup_shift = None if spec is None else spec.soft_info_markup_pp * soft[active]
        in_circle = None if circle is None else circle[active] >= 0
        loans = _loans(rng, firm, active, day[active], first_day[active], sequence, borrower_amount_noise,
                       borrower_rating_noise, cut_points, markup_shift, in_circle, policy)
        loans["sub_branch"] = branch[active]
        loans["account_manager"] = am[active]
        eta = _linear_predictor(beta, loans) + branch_effect[loans["sub_branch"]] + am_effect[loans["account_manager"]]
        if spec is not None:
            eta = eta + spec.soft_info_logit * soft[active]
        if seasoned:  # the 2011-2013 vintages' stress, against 2014
            eta = eta + _seasoned_vintage_logit(loans["year"], policy)
        if circle is not None:
            eta = eta + np.where(circle[active] >= 0, circle_shock[np.maximum(circle[active], 0)], 0.0)
        pd_true = 1.0 / (1.0 + np.exp(-eta))
        loans["default"] = (rng.random(active.size) < pd_true).astype(np.int8)
        loans["pd_true"] = pd_true
        pieces.append(loans)
        # A borrower renews at maturity if it did not default and still wants credit.
        next_day = day[active] + np.round(loans["term"] * DAYS_PER_MONTH).astype(np.int64) + rng.integers(0, 31, active.size)
        keep = (loans["default"] == 0) & (rng.random(active.size) < renew_propensity[active]) & (next_day <= last_day)
        day[active] = next_day
        active = active[keep]
        sequence += 1

    book = {key: np.concatenate([p[key] for p in pieces]) for key in pieces[0]}
    if circle is not None:
        book["circle"] = circle[book["borrower"]]
        book, dropped = _contagion(extra, book, circles, _timing_parameters())
        remaining = np.flatnonzero(~dropped)
        order = remaining[_by_borrower_and_sequence(book["borrower"][remaining], book["sequence"][remaining],
                                                    n_borrowers)]
    else:
        order = _by_borrower_and_sequence(book["borrower"], book["sequence"], n_borrowers)
    bad_stock = None
    if seasoned:
        order, bad_stock = _with_seasoned_stock(order, book, n_loans)
    else:
        order = order[:n_loans]
    whole = book
    book = {key: value[order] for key, value in whole.items()}
    if not seasoned:
        timing = _timing_parameters() if spec is not None and spec.timing else None
        frame = _to_frame(rng, book, firm, timing=timing)
    else:
        timing = _timing_parameters()
        outcomes = _outcomes_v2(rng, book, timing)
        if bad_stock.size:
            # Their outcomes come from a stream of their own, so that the other loans' outcomes do not depend on them.
            bad = {key: value[bad_stock] for key, value in whole.items()}
            bad_outcomes = _outcomes_v2(np.random.default_rng([seed, 3]), bad, timing)
            book = {key: np.concatenate([book[key], bad[key]]) for key in book}
            outcomes = {key: np.concatenate([outcomes[key], bad_outcomes[key]]) for key in outcomes}
        kept = _on_the_books_when_2014_began(book, outcomes)
        frame = _table({key: value[kept] for key, value in book.items()},
                       **{key: value[kept] for key, value in outcomes.items()})
    if spec is not None:  # version 2: one loan at a time per borrower, so its credit is the loan amount
        frame["inclusive_scope"] = inclusive_scope(frame["size_class"].to_numpy(), frame["loan_amount_10k"].to_numpy())
    if seasoned:
        frame["seasoned_stock"] = frame["origination_year"].to_numpy() < FIRST_GRANTED_YEAR
    return frame


def _seasoned_vintage_logit(year: np.ndarray, policy: dict) -> np.ndarray:
    """Log-odds of default of the 2011-2013 vintages against 2014 (0 from 2014 on: ``_linear_predictor``)."""
    stock = policy["seasoned_stock"]
    effect = np.zeros(year.size)
    for y, logit in zip(stock["years"], stock["vintage_logit"]):
        effect[year == y] = logit
    return effect


def _with_seasoned_stock(order: np.ndarray, book: dict, n_loans: int) -> tuple[np.ndarray, np.ndarray]:
    """The loans of the book with its seasoned stock: loans in ``order`` (by borrower, then sequence) up to the
    ``n_loans``-th granted from 2014 on, keeping of the earlier ones those still on the books on 2014-01-01.

    Returns ``(kept, bad_stock)``. ``kept``: the loans granted from 2014 on and the earlier ones whose scheduled
    maturity falls after 2014-01-01. ``bad_stock``: the earlier loans of the same borrowers that had matured by
    then but defaulted, and may still be held as bad loans: maturity less than ``NPL_DISPOSAL_MONTHS`` before
    2014-01-01 (``smecredit.assumptions``; a defaulted loan's first missed payment comes at the latest at
    maturity, so one that matured earlier had been disposed of). Older defaulted loans are left out; once the
    months of default are drawn, ``_on_the_books_when_2014_began`` keeps exactly those still held.
    """
    from smecredit.assumptions import NPL_DISPOSAL_MONTHS

    early = book["year"][order] < FIRST_GRANTED_YEAR
    maturity_day = book["day"][order] + np.round(book["term"][order] * DAYS_PER_MONTH).astype(np.int64)
    held_bad = (early & (maturity_day <= 0) & (book["default"][order] == 1)
                & (maturity_day > -np.round(NPL_DISPOSAL_MONTHS * DAYS_PER_MONTH)))
    granted = np.cumsum(book["year"][order] >= FIRST_GRANTED_YEAR)
    if granted[-1] < n_loans:
        raise _TooFewCandidates(f"only {granted[-1]} loans from 2014 on, fewer than {n_loans}")
    cut = np.searchsorted(granted, n_loans) + 1
    within = np.arange(order.size) < cut
    return order[within & (~early | (maturity_day > 0))], order[within & held_bad]


def _on_the_books_when_2014_began(book: dict, outcomes: dict) -> np.ndarray:
    """Which loans to keep (bool, shape (n,)): those granted from 2014 on, and of the earlier ones those on the
    books on 31 December 2013 by the rules of ``smecredit.schedule.book_at`` with bad loans disposed of
    ``NPL_DISPOSAL_MONTHS`` after default: performing, or non-performing and not yet disposed of."""
    from smecredit.assumptions import NPL_DISPOSAL_MONTHS
    from smecredit.schedule import book_at

    keep = book["year"] >= FIRST_GRANTED_YEAR
    earlier = ~keep
    default = outcomes["default"][earlier].astype(bool)
    loans = pd.DataFrame({  # the columns book_at reads, as _table writes them
        "origination_date": outcomes["origination"][earlier], "term_months": book["term"][earlier],
        "loan_amount_10k": book["amount"][earlier],
        "repayment_method": np.asarray(REPAYMENT_METHODS, dtype=object)[book["repayment"][earlier]],
        "contract_rate_pct": book["contract"][earlier], "default_12m": default.astype(np.int64),
        "months_to_default": np.where(default, outcomes["months_to_default"][earlier], np.nan),
        "ead_10k": np.where(default, outcomes["ead"][earlier], np.nan),
    })
    status = book_at(loans, FIRST_ORIGINATION - np.timedelta64(1, "D"), write_off_months=NPL_DISPOSAL_MONTHS)["status"]
    keep[earlier] = status.isin(["performing", "non_performing"]).to_numpy()
    return keep


def _by_borrower_and_sequence(borrower: np.ndarray, sequence: np.ndarray, n_borrowers: int) -> np.ndarray:
    """The order of loans by borrower, then sequence: ``np.lexsort((sequence, borrower))`` as a counting sort.

    Exact because each borrower's sequences are 1, 2, ..., k (a borrower renews round after round, and
    contagion drops only a borrower's later loans), so a loan's place is its borrower's first place plus
    its sequence - 1.
    """
    counts = np.bincount(borrower, minlength=n_borrowers)
    first_place = np.cumsum(counts) - counts
    order = np.empty(borrower.size, dtype=np.int64)
    order[first_place[borrower] + sequence - 1] = np.arange(borrower.size)
    return order


def _circle_parameters() -> dict:
    """The ``[circles]`` table of ``true_parameters.toml`` (scenario ``circles``)."""
    return dict(_parameter_file()["circles"])


def _guarantee_circles(rng: np.random.Generator, firm: dict, branch: np.ndarray, circles: dict):
    """Circle of each borrower (-1 outside any) and each circle's shock on the log-odds of default.

    Members are drawn with a propensity that is higher for micro firms and for manufacturers and
    wholesalers, then grouped, within each sub-branch in borrower order, into circles of
    ``min_size`` to ``max_size`` firms (a last group too small joins the one before).
    """
    n = branch.size
    propensity = (circles["member_share"] * np.where(firm["size"] == 0, circles["member_micro_factor"], 1.0)
                  * np.where(np.isin(firm["industry"], [0, 1]), circles["member_trade_factor"], 1.0))
    member = rng.random(n) < np.minimum(propensity, 0.9)
    circle = np.full(n, -1, dtype=np.int64)
    next_id = 0
    for b in range(N_SUB_BRANCHES):
        rows = np.flatnonzero(member & (branch == b))
        start = 0
        while start < rows.size:
            size = int(rng.integers(circles["min_size"], circles["max_size"] + 1))
            if rows.size - (start + size) < circles["min_size"]:
                size = rows.size - start  # the rest joins this circle
            circle[rows[start:start + size]] = next_id
            next_id += 1
            start += size
    shock = rng.normal(0.0, circles["circle_sd"], size=max(next_id, 1))
    return circle, shock


def _contagion(rng: np.random.Generator, book: dict, circles: dict, timing: dict) -> tuple[dict, np.ndarray]:
    """Defaults spread through guarantee circles, in the order they happen.

    Every defaulted loan of a circle member gets its month of default (``default_month_profile``; the other
    loans' months are drawn with their other outcomes, ``_outcomes_v2``). Then,
    from the earliest default on, each default makes every other member's loan that is outstanding and
    has not defaulted default too, with ``contagion_probability``, ``contagion_lag_months`` after it
    (a bullet loan's on its next payment date; if that is still within the loan's 12 months and term); new
    defaults spread in turn. A borrower's
    loans after one that defaulted this way are dropped (a defaulted borrower does not renew).

    Returns the book with ``default`` and ``months_to_default`` set, and which loans are dropped (bool, (n,)).
    """
    import heapq

    n = book["borrower"].size
    month = np.zeros(n, dtype=np.int64)  # 0: not set here (drawn with the other outcomes)
    defaulted = book["default"].astype(bool)
    start = book["day"].astype(float)
    last_month = np.minimum(book["term"], 12)
    member_loans = np.flatnonzero(book["circle"] >= 0)
    first_defaults = member_loans[defaulted[member_loans]]
    draw = _draw_default_month(rng.random(first_defaults.size), book["repayment"][first_defaults],
                               book["term"][first_defaults], timing)
    month[first_defaults] = np.minimum(draw, last_month[first_defaults])
    # Each circle's and each member's loans, in index order: slices of two stable sorts.
    by_circle = member_loans[np.argsort(book["circle"][member_loans], kind="stable")]
    circle_sizes = np.bincount(book["circle"][member_loans])
    circle_ends = np.cumsum(circle_sizes)
    circle_starts = circle_ends - circle_sizes
    by_borrower = member_loans[np.argsort(book["borrower"][member_loans], kind="stable")]
    borrower_keys = book["borrower"][by_borrower]
    events = list(zip((start[first_defaults] + month[first_defaults] * DAYS_PER_MONTH).tolist(),
                      first_defaults.tolist()))
    heapq.heapify(events)
    dropped = np.zeros(n, dtype=bool)
    p, lag = circles["contagion_probability"], circles["contagion_lag_months"]
    circle_of, borrower_of, sequence_of = book["circle"], book["borrower"], book["sequence"]
    repayment_of, term_of = book["repayment"], book["term"]
    while events:
        when, i = heapq.heappop(events)
        if dropped[i]:
            continue
        c = circle_of[i]
        for j in by_circle[circle_starts[c]:circle_ends[c]].tolist():
            if borrower_of[j] == borrower_of[i] or defaulted[j] or dropped[j]:
                continue
            elapsed = (when - start[j]) / DAYS_PER_MONTH
            if not 0 <= elapsed < last_month[j]:
                continue  # not outstanding when the default happened
            m = int(np.floor(elapsed)) + 1 + lag
            if repayment_of[j] == 0:  # a bullet loan misses a payment only on a payment date
                m = min(INTEREST_PERIOD_MONTHS * -(-m // INTEREST_PERIOD_MONTHS), int(term_of[j]))
            if m > last_month[j] or rng.random() >= p:
                continue
            defaulted[j], month[j] = True, m
            lo, hi = np.searchsorted(borrower_keys, [borrower_of[j], borrower_of[j] + 1])
            later = by_borrower[lo:hi]  # the borrower's later loans
            dropped[later[sequence_of[later] > sequence_of[j]]] = True
            heapq.heappush(events, (start[j] + m * DAYS_PER_MONTH, j))
    return dict(book, default=defaulted.astype(np.int8), months_to_default=month), dropped


def _loans(rng, firm, borrowers, day, first_day, sequence, amount_noise, rating_noise, cut_points,
           markup_shift=None, in_circle=None, policy=None) -> dict:
    """Loan terms for one renewal round: amount, term, repayment, guarantee, pricing, rating.

    ``policy`` (version 2, ``_policy_parameters``): amounts within the working-capital limit and markups by
    vintage from the parameter file; without it (the book) the book's own amounts and year path."""
    n = borrowers.size
    years_since_first = (day - first_day) / 365.25
    f = {key: value[borrowers] for key, value in firm.items()}
    size = f["size"]
    score = _rating_score(f, years_since_first, rating_noise[borrowers] + rng.normal(0.0, 0.15, size=n))
    rating = np.searchsorted(cut_points, score)
    date = FIRST_ORIGINATION + day.astype("timedelta64[D]")
    year = date.astype("datetime64[Y]").astype(np.int64) + 1970

    term = TERMS_MONTHS[rng.choice(4, size=n, p=[0.05, 0.85, 0.06, 0.04])]
    short = term <= 12
    repay_logits = np.where(short[:, None], np.log([0.62, 0.12, 0.10, 0.16]), np.log([0.10, 0.45, 0.35, 0.10]))
    repay_logits[:, 0] += 0.35 * (size == 0) + 0.25 * (rating >= 3)
    repayment = _choose(rng, repay_logits)

    guarantee_logits = np.tile(np.log([0.40, 0.10, 0.21, 0.12, 0.08, 0.09]), (n, 1))
    guarantee_logits[:, 3] += np.select([rating == 0, rating == 1, rating >= 3], [1.2, 0.5, -1.0], 0.0)
    guarantee_logits[:, 0] += 0.3 * (size >= 1)
    guarantee_logits[:, 5] += 0.5 * (size == 0) + 0.4 * np.isin(f["industry"], [0, 1])
    guarantee_logits[:, 4] += 0.4 * (size == 0)
    guarantee = _choose(rng, guarantee_logits)
    if in_circle is not None:  # version 2, circles: members always, and only members, borrow on joint guarantees
        other = np.where(guarantee == 5, 0, guarantee)
        guarantee = np.where(in_circle, 5, other)

    median_amount = np.array([60.0, 180.0, 450.0])[size]
    guarantee_amount = np.array([0.35, 0.20, 0.0, -0.55, -0.10, -0.05])[guarantee]
    log_amount = (np.log(median_amount) + guarantee_amount + amount_noise[borrowers]
                  + 0.05 * (sequence - 1) + rng.normal(0.0, 0.25, size=n))
    if policy is None:
        amount = np.clip(np.round(np.exp(log_amount) / 5.0) * 5.0, 10.0, INCLUSIVE_CAP_10K)
    else:  # version 2: the same draw, read as a request relative to the firm's working-capital limit
        loan_size = policy["loan_size"]
        limit = working_capital_limit(f["revenue"], f["assets"], loan_size)
        request = loan_size["median_share_of_limit"] * np.exp(log_amount - np.log(median_amount))
        amount = _granted_amount(limit, request)

    benchmark = benchmark_rate(date, term)
    # Riskier firms are charged more: the markup rises with the rating grade.
    if policy is None:
        year_markup = np.array([6.0, 4.0, 0.0, 2.0, 6.0])[year - 2014]
    else:  # version 2: years from policy["first_year"] (2011, for the seasoned stock)
        year_markup = policy["markup_year_pp"][year - policy["first_year"]]
    markup = (np.array([8.0, 16.0, 24.0, 32.0, 42.0])[rating]
              + np.array([-4.0, -4.0, 0.0, 2.0, 3.0, 4.0])[guarantee]
              + year_markup
              + 4.0 * (size == 0) + rng.normal(0.0, 8.0, size=n))
    if markup_shift is not None:  # version 2: the account manager prices the soft information
        markup = markup + markup_shift
    markup = np.clip(np.round(markup / 5.0) * 5.0, -10.0, 70.0) + 0.0  # + 0.0 turns -0.0 into 0.0
    contract = np.round(benchmark * (1.0 + markup / 100.0), 4)

    return {
        "borrower": borrowers, "sequence": np.full(n, sequence), "day": day, "year": year,
        "industry": f["industry"], "employees": f["employees"], "revenue": f["revenue"], "assets": f["assets"],
        "size": size, "firm_age": np.round(f["firm_age"] + years_since_first, 1),
        "holding": np.round(f["holding"] + years_since_first, 1),
        "experience": np.round(f["experience"] + years_since_first, 1),
        "owner_age": f["owner_age"] + np.floor(years_since_first).astype(np.int64),
        "registered_capital": f["registered_capital"], "debt_ratio": f["debt_ratio"], "rating": rating,
        "amount": amount, "term": term, "repayment": repayment, "guarantee": guarantee,
        "benchmark": benchmark, "markup": markup, "contract": contract,
    }


SEASONED_YEARS = (2011, 2012, 2013)


def _policy_parameters() -> dict:
    """Version 2: the ``[loan_size]``, ``[markup_year_effect_pp]`` and ``[seasoned_stock]`` tables of
    ``true_parameters.toml``.

    Returns:
        ``{"loan_size": dict, "first_year": 2011, "markup_year_pp": array of shape (8,), "seasoned_stock": dict}``:
        the markup points for 2011 to 2018 (2011-2013 from ``[seasoned_stock]``, used by scenario "branch" only),
        and the seasoned stock's parameters with its ``years``.

    Raises:
        ValueError: ``[markup_year_effect_pp]`` does not name exactly the years 2014 to 2018, or a list of
            ``[seasoned_stock]`` does not have one value for each of 2011 to 2013.
    """
    spec = _parameter_file()
    by_year = {int(year): float(value) for year, value in spec["markup_year_effect_pp"].items()}
    years = list(range(2014, 2019))
    if sorted(by_year) != years:
        raise ValueError(f"[markup_year_effect_pp] must give the years {years[0]} to {years[-1]}, "
                         f"got {sorted(by_year)}")
    stock = dict(spec["seasoned_stock"], years=SEASONED_YEARS)
    for key in ("year_weights", "vintage_logit", "markup_year_effect_pp"):
        if len(stock[key]) != len(SEASONED_YEARS):
            raise ValueError(f"[seasoned_stock] {key} must give one value for each of {SEASONED_YEARS}, "
                             f"got {stock[key]}")
    markups = [*map(float, stock["markup_year_effect_pp"]), *(by_year[y] for y in years)]
    return {"loan_size": dict(spec["loan_size"]), "first_year": SEASONED_YEARS[0],
            "markup_year_pp": np.array(markups), "seasoned_stock": stock}


def working_capital_limit(revenue_10k, total_assets_10k, loan_size: dict | None = None) -> np.ndarray:
    """Version 2: the largest loan the working-capital rule allows a firm, in 10k yuan.

    The CBRC's 流动资金贷款管理暂行办法 (2010, CBRC Order No. 1, appendix) estimates the working-capital
    need as revenue x (1 - sales profit margin) x (1 + revenue growth) / turnovers a year, and the new
    loan as that need less own funds, existing loans and other funding. The limit is the bank's share
    of the need, at most a share of total assets and at most ``INCLUSIVE_CAP_10K`` (``[loan_size]`` in
    ``true_parameters.toml``; with its values, min(0.3542 x revenue, 0.40 x assets, 1000)).

    Args:
        revenue_10k: last year's revenue, 10k yuan, shape (n,).
        total_assets_10k: total assets, 10k yuan, shape (n,).
        loan_size: the ``[loan_size]`` parameters (default: from ``true_parameters.toml``).

    Returns:
        Float array of shape (n,), 10k yuan.

    Raises:
        ValueError: a negative revenue or total assets, or arrays of different shapes.
    """
    loan_size = _policy_parameters()["loan_size"] if loan_size is None else loan_size
    revenue = np.asarray(revenue_10k, dtype=float)
    assets = np.asarray(total_assets_10k, dtype=float)
    if revenue.shape != assets.shape:
        raise ValueError(f"revenue_10k and total_assets_10k differ in shape: {revenue.shape} and {assets.shape}")
    if (revenue < 0).any() or (assets < 0).any():
        raise ValueError("revenue_10k and total_assets_10k must not be negative")
    need = (revenue * (1.0 - loan_size["sales_profit_margin"]) * (1.0 + loan_size["revenue_growth"])
            / loan_size["working_capital_turnover"])
    limit = np.minimum(loan_size["bank_share_of_need"] * need, loan_size["max_share_of_total_assets"] * assets)
    return np.minimum(limit, INCLUSIVE_CAP_10K)


def _granted_amount(limit: np.ndarray, request: np.ndarray) -> np.ndarray:
    """The request as a share of the limit, cut to the limit and rounded down (multiples of 5 from 10 up,
    whole 10k yuan below), at least 1, so never above the limit (the smallest limit is above 1)."""
    wanted = limit * np.minimum(request, 1.0)
    amount = np.where(wanted >= 10.0, np.floor(wanted / 5.0) * 5.0, np.floor(wanted))
    amount = np.where(amount > wanted, amount - np.where(wanted >= 10.0, 5.0, 1.0), amount)  # float round-off
    return np.maximum(amount, 1.0)


def inclusive_scope(size_class, borrower_credit_10k) -> np.ndarray:
    """Whether a loan is an inclusive small-micro loan (普惠型小微企业贷款) as the 2018 两增两控 notice counts
    them: a loan to a small or micro firm whose total credit is at most 10 million yuan (1,000 in 10k yuan).

    Args:
        size_class: ``"micro"``, ``"small"`` or ``"medium"`` per loan, shape (n,).
        borrower_credit_10k: the borrower's total credit, 10k yuan, shape (n,). In the generator a borrower
            holds one loan at a time at the branch, so this is the loan amount.

    Returns:
        Boolean array of shape (n,).

    Raises:
        ValueError: a size class that is not one of ``SIZE_CLASSES``, or arrays of different lengths.
    """
    size = np.asarray(size_class, dtype=object)
    credit = np.asarray(borrower_credit_10k, dtype=float)
    if size.shape != credit.shape:
        raise ValueError(f"size_class and borrower_credit_10k differ in shape: {size.shape} and {credit.shape}")
    unknown = set(pd.unique(size)) - set(SIZE_CLASSES)
    if unknown:
        raise ValueError(f"unknown size class(es) {sorted(map(str, unknown))}; expected one of {SIZE_CLASSES}")
    return ((size == "micro") | (size == "small")) & (credit <= INCLUSIVE_CAP_10K)


def _linear_predictor(beta: pd.Series, loans: dict) -> np.ndarray:
    """Fixed part of the true logit for each loan, from the coefficients in the parameter file."""
    b = beta.get
    eta = np.full(loans["borrower"].size, b("Intercept"))
    eta += b("markup_pct") * loans["markup"]
    eta += b("shareholder_holding_years") * loans["holding"]
    eta += b("owner_experience_years") * loans["experience"]
    eta += b("debt_ratio_pct") * loans["debt_ratio"]
    eta += b("owner_age_years") * loans["owner_age"]
    eta += b("firm_age_years") * loans["firm_age"]
    eta += b("registered_capital_10k") * loans["registered_capital"]
    for column, key, levels in [
        ("repayment", "repayment_method", REPAYMENT_METHODS),
        ("guarantee", "guarantee_method", GUARANTEE_METHODS),
        ("rating", "internal_rating", RATING_GRADES),
        ("size", "size_class", SIZE_CLASSES),
        ("industry", "industry", INDUSTRIES),
    ]:
        effects = np.array([0.0] + [b(f"{key}[T.{level}]") for level in levels[1:]])
        eta += effects[loans[column]]
    year_effects = np.array([0.0] + [b(f"C(origination_year)[T.{y}]") for y in range(2015, 2019)])
    # Years before 2014 (the seasoned stock) take the reference's 0; the caller adds their own effect.
    eta += year_effects[np.maximum(loans["year"] - 2014, 0)]
    return eta


def _timing_parameters() -> dict:
    """The ``[timing]`` table of ``true_parameters.toml`` (version-2 scenarios)."""
    return dict(_parameter_file()["timing"])


def default_month_profile(repayment: np.ndarray, term: np.ndarray, timing: dict | None = None) -> np.ndarray:
    """Version 2: the distribution of the month of a default over months 1 to 12, by repayment method and term.

    The month is that of the first payment missed and never made good. A bullet loan
    (``quarterly_interest_bullet``, 按季付息、到期还本) pays interest only at the end of each quarter of
    its term (months 3, 6, 9, ...) and the principal at maturity: its trouble starts with weight 1 in
    each month before maturity and ``bullet_maturity_weight`` in the maturity month, and shows on the
    next payment date, so all its weight falls on quarter months and the maturity month. An amortising
    loan (``equal_instalment``, ``equal_principal``, paid monthly) has weights t^(shape-1) exp(-t/scale),
    early; a ``custom_schedule`` mixes the two. No loan defaults after its maturity.

    Args:
        repayment: repayment-method codes (indices into ``REPAYMENT_METHODS``), shape (n,).
        term: terms in months, shape (n,).
        timing: the ``[timing]`` parameters (default: from ``true_parameters.toml``).

    Returns:
        Array of shape (n, 12), each row non-negative and summing to 1.
    """
    timing = _timing_parameters() if timing is None else timing
    repayment = np.asarray(repayment)
    term = np.asarray(term)
    # A few (method, term) pairs: each profile is computed once, then looked up.
    methods, terms, which = _method_term_pairs(repayment, term)
    return _month_profiles(methods, terms, timing)[which]


def _method_term_pairs(repayment: np.ndarray, term: np.ndarray):
    """The distinct (method, term) pairs, shape (k,) each, and which pair each loan has, shape (n,)."""
    width = int(term.max(initial=0)) + 1
    key = repayment.astype(np.int64) * width + term
    present = np.flatnonzero(np.bincount(key, minlength=1))
    which = np.zeros(max(present.max(initial=0) + 1, 1), dtype=np.int64)
    which[present] = np.arange(present.size)
    return present // width, present % width, which[key]


def _draw_default_month(uniform: np.ndarray, repayment: np.ndarray, term: np.ndarray, timing: dict) -> np.ndarray:
    """Months of default (1-12) drawn by inversion from ``default_month_profile``: ``uniform`` (n,) in [0, 1)."""
    methods, terms, which = _method_term_pairs(np.asarray(repayment), np.asarray(term))
    cumulative = np.cumsum(_month_profiles(methods, terms, timing), axis=1)
    month = np.empty(uniform.size, dtype=np.int64)
    for pair in range(methods.size):
        rows = which == pair
        month[rows] = 1 + np.searchsorted(cumulative[pair], uniform[rows], side="left")
    return month


def _month_profiles(repayment: np.ndarray, term: np.ndarray, timing: dict) -> np.ndarray:
    """``default_month_profile`` for each (method, term) pair given: shape (k, 12)."""
    term = term[:, None]
    t = np.arange(1, 13)[None, :]
    alive = t <= term
    starts = np.where(t == term, timing["bullet_maturity_weight"], 1.0) * alive
    # Interest falls due every third month and at maturity: trouble that starts in a month shows on the
    # next payment date.
    payment_date = np.minimum(INTEREST_PERIOD_MONTHS * np.ceil(t / INTEREST_PERIOD_MONTHS), term)
    bullet = np.stack([(starts * (payment_date == m)).sum(axis=1) for m in range(1, 13)], axis=1)
    shape, scale = timing["amortising_shape"], timing["amortising_scale_months"]
    amortising = (t ** (shape - 1.0) * np.exp(-t / scale)) * alive
    bullet = bullet / bullet.sum(axis=1, keepdims=True)
    amortising = amortising / amortising.sum(axis=1, keepdims=True)
    share = timing["custom_amortising_share"]
    code = repayment[:, None]
    return np.where(code == 0, bullet, np.where(code == 3, share * amortising + (1 - share) * bullet, amortising))


def _to_frame(rng: np.random.Generator, book: dict, firm: dict, timing: dict | None = None) -> pd.DataFrame:
    """Outcomes (timing, days past due, classification, EAD, recovery) and the final table.

    ``timing`` (version 2) draws the month of default from ``default_month_profile`` and counts
    90 days past due from it; without it (the book) the months follow one profile for every loan.
    """
    if timing is not None:
        return _table(book, **_outcomes_v2(rng, book, timing))
    n = book["borrower"].size
    default = book["default"].astype(bool)
    pd_true = book["pd_true"]

    # Month of default within the 12-month window; early months are rare (90 days past due takes time).
    month_weights = np.array([0.5, 1.0, 3.0, 4.0, 5.0, 5.0, 5.0, 5.0, 5.0, 5.0, 5.0, 5.0])
    months_to_default = rng.choice(np.arange(1, 13), size=n, p=month_weights / month_weights.sum())
    # About one default in eight is a downgrade to substandard before 90 days past due.
    by_classification = (rng.random(n) < 0.12) | (months_to_default <= 2)
    dpd_default = np.where(
        by_classification,
        rng.integers(0, 90, size=n),
        90 + np.floor(rng.random(n) * 30.0 * (13 - months_to_default)).astype(np.int64),
    )
    late_payer = rng.random(n) < np.minimum(0.5, 2.5 * pd_true)
    dpd_performing = np.where(late_payer, 1 + np.floor(89 * rng.random(n) ** 2).astype(np.int64), 0)
    max_dpd = np.where(default, dpd_default, dpd_performing)

    # Exposure at default: what is still owed when payments stop (three months before default).
    term = book["term"]
    # A loan past maturity but unpaid keeps at least its last instalment outstanding.
    k = np.clip(months_to_default - 3, 0, term - 1)
    share_left = share_outstanding(np.asarray(REPAYMENT_METHODS)[book["repayment"]], k, term, book["contract"])
    ead = np.round(book["amount"] * share_left, 2)
    origination = FIRST_ORIGINATION + book["day"].astype("timedelta64[D]")
    default_day = origination + np.round(months_to_default * DAYS_PER_MONTH).astype("timedelta64[D]")
    recovered, classification = _recoveries_and_classes(rng, book, ead, default, default_day, DATA_CUTOFF, max_dpd)
    return _table(book, origination, default, months_to_default, max_dpd, classification, ead, recovered)


def _recoveries_and_classes(rng, book: dict, ead, default, default_day, cutoff, max_dpd):
    """Recoveries by the cut-off and the five-category class at the cut-off (codes 0-4), shared by every
    scenario. Recovery rates depend on the guarantee method; recoveries build up over about two years
    after default."""
    mean_recovery = np.array([0.60, 0.55, 0.35, 0.15, 0.45, 0.25])[book["guarantee"]]
    recovery_rate = rng.beta(4.0 * mean_recovery, 4.0 * (1 - mean_recovery))
    days_since_default = (cutoff - default_day).astype(np.int64)
    recovered = np.round(ead * recovery_rate * np.clip((days_since_default + 90) / 720.0, 0.0, 1.0), 2)
    classification = np.where(
        default,
        np.select(
            [(days_since_default > 360) & (recovery_rate < 0.2), (days_since_default > 270) & (recovery_rate < 0.6)],
            [4, 3],
            default=2,
        ),
        np.where(max_dpd >= 30, 1, 0),
    )
    return recovered, classification


_THREE_DIGITS = np.array([[ord(c) for c in f"{i:03d}"] for i in range(1000)], dtype=np.uint32)


def _padded_ids(prefix: str, numbers: np.ndarray, width: int) -> np.ndarray:
    """Ids such as ``B000123``: ``prefix`` and ``numbers`` zero-padded to ``width`` digits (each must fit), as an
    object array of str. Built from code points three digits at a time: many times faster than ``np.char``."""
    rest = np.asarray(numbers, dtype=np.int64)
    if rest.size and (rest.min() < 0 or rest.max() >= 10 ** width):
        raise ValueError(f"ids {prefix}... need numbers of at most {width} digits")
    size = len(prefix) + width
    chars = np.empty((rest.size, size), dtype=np.uint32)
    chars[:, :len(prefix)] = [ord(c) for c in prefix]
    end = size
    while end > len(prefix):
        start = max(len(prefix), end - 3)
        chars[:, start:end] = _THREE_DIGITS[rest % 1000][:, 3 - (end - start):]
        rest = rest // 1000
        end = start
    return chars.view(f"U{size}").ravel().astype(object)


def _table(book: dict, origination, default, months_to_default, max_dpd, classification, ead, recovered) -> pd.DataFrame:
    """The loan book as a table, sorted by origination date, with loan ids; a circle column if the book has one."""
    n = book["borrower"].size
    id_width = max(6, len(str(n)))  # L000001 ... for books of up to 999,999 loans
    # By origination date, then borrower id: the ids are zero-padded to one width, so numeric order is text order.
    order = np.lexsort((book["borrower"], book["day"]))

    def column(values):
        return np.asarray(values)[order]

    def labels(codes, levels):
        return np.asarray(levels, dtype=object)[column(codes)]

    default = column(default)
    frame = pd.DataFrame({
        "loan_id": _padded_ids("L", np.arange(1, n + 1), id_width),
        "borrower_id": _padded_ids("B", column(book["borrower"]) + 1, id_width),
        "loan_sequence": column(book["sequence"]).astype(np.int64),
        "sub_branch": labels(book["sub_branch"], [f"SB{b + 1:02d}" for b in range(N_SUB_BRANCHES)]),
        "account_manager_id": labels(book["account_manager"], [f"AM{a + 1:03d}" for a in range(N_ACCOUNT_MANAGERS)]),
        "origination_date": column(origination),
        "origination_year": column(book["year"]).astype(np.int64),
        "industry": labels(book["industry"], INDUSTRIES),
        "employees": column(book["employees"]),
        "annual_revenue_10k": column(book["revenue"]),
        "total_assets_10k": column(book["assets"]),
        "size_class": labels(book["size"], SIZE_CLASSES),
        "firm_age_years": column(book["firm_age"]),
        "shareholder_holding_years": column(book["holding"]),
        "owner_experience_years": column(book["experience"]),
        "owner_age_years": column(book["owner_age"]),
        "registered_capital_10k": column(book["registered_capital"]),
        "debt_ratio_pct": column(book["debt_ratio"]),
        "internal_rating": labels(book["rating"], RATING_GRADES),
        "loan_amount_10k": column(book["amount"]),
        "term_months": column(book["term"]).astype(np.int64),
        "repayment_method": labels(book["repayment"], REPAYMENT_METHODS),
        "guarantee_method": labels(book["guarantee"], GUARANTEE_METHODS),
        "benchmark_rate_pct": column(book["benchmark"]),
        "markup_pct": column(book["markup"]),
        "contract_rate_pct": column(book["contract"]),
        "default_12m": column(book["default"]).astype(np.int64),
        "months_to_default": np.where(default, column(months_to_default), np.nan),
        "max_days_past_due": column(max_dpd).astype(np.int64),
        "classification_at_cutoff": labels(classification, CLASSIFICATIONS),
        "ead_10k": np.where(default, column(ead), np.nan),
        "recovery_10k": np.where(default, column(recovered), np.nan),
    })
    if "circle" in book:  # version 2, guarantee circles: G0001 ... (at least 4 digits) for members, empty for others
        names = [""] + [f"G{c + 1:04d}" for c in range(int(book["circle"].max(initial=-1)) + 1)]
        frame["guarantee_circle"] = labels(book["circle"] + 1, names)
    return frame


def _outcomes_v2(rng: np.random.Generator, book: dict, timing: dict) -> dict:
    """Version 2 outcomes: the month of the first missed payment by repayment method and term; default
    recognised 90 days later (or earlier by a downgrade), within 12 months + 90 days; cut-off ``timing["cutoff"]``.

    Returns the keyword arguments of ``_table`` but the book: arrays of shape (n,) in the book's order."""
    n = book["borrower"].size
    default = book["default"].astype(bool)
    pd_true = book["pd_true"]
    term = book["term"]
    month = _draw_default_month(rng.random(n), book["repayment"], term, timing)
    month = np.minimum(month, np.minimum(term, 12))
    if "months_to_default" in book:  # set by contagion (guarantee circles)
        month = np.where(book["months_to_default"] > 0, book["months_to_default"], month)
    by_classification = rng.random(n) < timing["downgrade_share"]
    # Days past due at the end of the window (12 months + 90 days after origination), at most 390.
    dpd_default = np.where(
        by_classification,
        rng.integers(0, 90, size=n),
        90 + np.floor(rng.random(n) * 30.0 * np.minimum(12 - month, 10)).astype(np.int64),
    )
    late_payer = rng.random(n) < np.minimum(0.5, 2.5 * pd_true)
    dpd_performing = np.where(late_payer, 1 + np.floor(89 * rng.random(n) ** 2).astype(np.int64), 0)
    max_dpd = np.where(default, dpd_default, dpd_performing)

    # Payments stop in the month of default: what is owed after the months paid before it.
    k = np.clip(month - 1, 0, term - 1)
    share_left = share_outstanding(np.asarray(REPAYMENT_METHODS)[book["repayment"]], k, term, book["contract"])
    ead = np.round(book["amount"] * share_left, 2)
    origination = FIRST_ORIGINATION + book["day"].astype("timedelta64[D]")
    recognised = np.where(by_classification, month + dpd_default / 30.0, month + 3.0)
    default_day = origination + np.round(recognised * DAYS_PER_MONTH).astype("timedelta64[D]")
    recovered, classification = _recoveries_and_classes(rng, book, ead, default, default_day,
                                                        np.datetime64(timing["cutoff"]), max_dpd)
    return {"origination": origination, "default": default, "months_to_default": month, "max_dpd": max_dpd,
            "classification": classification, "ead": ead, "recovered": recovered}


def write_loan_book(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write a loan book as CSV in the committed format (dates ISO, floats as computed, no index)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    out = frame.copy()
    out["origination_date"] = out["origination_date"].dt.strftime("%Y-%m-%d")
    out.to_csv(path, index=False, lineterminator="\n")
    return path


def simulate_loan_books(n_books: int, n_loans: int = DEFAULT_N_LOANS, first_seed: int = 1, scenario: str = BOOK):
    """Simulate several loan books from the same true model, typed like ``load_loans()``, one at a time.

    For repeated-simulation studies: fit the same model to each book and look at the spread of the
    estimates around ``true_coefficients()``.

    Args:
        n_books: number of books, at least 1.
        n_loans: loans per book, at least 1.
        first_seed: seed of the first book; book k (from 0) uses seed ``first_seed + k``.
        scenario: ``"branch"`` (the default) or another (see ``simulate_loan_book``).

    Yields:
        ``(seed, book)`` pairs; ``book`` is a DataFrame of n_loans rows (the loans granted 2014-2018:
        the seasoned stock is left out, as ``load_loans()`` leaves it out) whose category
        columns are pandas Categoricals with the reference level first, exactly as ``load_loans()``
        returns them (so formulas name parameters as the truth does).

    Raises:
        ValueError: n_books or n_loans below 1 (raised on the first ``next()``).
    """
    if n_books < 1:
        raise ValueError(f"n_books must be at least 1, got {n_books}")
    for k in range(n_books):
        seed = first_seed + k
        book = typed_loan_book(simulate_loan_book(n_loans, seed=seed, scenario=scenario))
        if "seasoned_stock" in book:
            book = book.loc[~book["seasoned_stock"]].drop(columns="seasoned_stock").reset_index(drop=True)
        book["origination_date"] = book["origination_date"].astype("datetime64[ns]")  # as the loader reads it
        yield seed, book


def main(argv: list[str] | None = None) -> int:
    """Command line: simulate a loan book and write it to CSV."""
    parser = argparse.ArgumentParser(
        prog="python -m smecredit.simulate",
        description="Simulate the S-branch SME loan book (a teaching data set with a known truth).",
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
    parser.add_argument("--n-loans", type=int, default=DEFAULT_N_LOANS,
                        help=f"number of loans (default {DEFAULT_N_LOANS})")
    parser.add_argument("--scenario", default=BOOK, choices=scenario_names(),
                        help="generator scenario (default 'branch': the generator of data/loans.csv; the "
                             "others are described in data/loans.md, section 'Scenarios')")
    parser.add_argument("--out", type=Path, help="CSV file to write")
    parser.add_argument("--write-pseudo-true", action="store_true",
                        help="refit every scenario's pseudo-true coefficients and rewrite the package's table")
    args = parser.parse_args(argv)
    if args.write_pseudo_true:
        print(f"wrote {write_pseudo_true_table()}", file=sys.stderr)
        return 0
    if args.out is None:
        parser.error("the following arguments are required: --out")
    if args.n_loans < 1:
        parser.error(f"--n-loans must be at least 1, got {args.n_loans}")
    if args.seed < 0:
        parser.error(f"--seed must be zero or a positive whole number, got {args.seed}")
    if args.out.is_dir():
        parser.error(f"--out names a folder ({args.out}); give a file name such as {args.out / 'loans.csv'}")
    frame = simulate_loan_book(args.n_loans, args.seed, scenario=args.scenario)
    path = write_loan_book(frame, args.out)
    which = "" if args.scenario == BOOK else f", scenario {args.scenario}"
    print(f"wrote {len(frame):,} loans (seed {args.seed}{which}) to {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
