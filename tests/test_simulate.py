"""The generator: reproducible, credible, and faithful to its stated truth."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf

from smecredit.simulate import (BOOK, DEFAULT_SEED, N_SUB_BRANCHES, VERSION_1, _size_class, benchmark_rate,
                                scenario_spec, simulate_loan_book, true_coefficients, true_model)
from smecredit.schema import INDUSTRIES


def test_command_line_writes_exactly_the_committed_file(root, tmp_path):
    out = tmp_path / "loans.csv"
    subprocess.run([sys.executable, "-m", "smecredit.simulate", "--seed", str(DEFAULT_SEED),
                    "--n-loans", "20000", "--out", str(out)], check=True, capture_output=True)
    assert out.read_bytes() == (root / "data" / "loans.csv").read_bytes()


def test_command_line_rejects_a_non_positive_size(tmp_path):
    result = subprocess.run([sys.executable, "-m", "smecredit.simulate", "--n-loans", "0",
                             "--out", str(tmp_path / "x.csv")], capture_output=True, text=True)
    assert result.returncode == 2
    assert "--n-loans must be at least 1" in result.stderr


@pytest.mark.parametrize("args,message", [
    (["--seed", "-1"], "--seed must be zero or a positive whole number"),
    (["--out", "."], "--out names a folder"),
])
def test_command_line_explains_bad_arguments(args, message, tmp_path):
    argv = [sys.executable, "-m", "smecredit.simulate", "--n-loans", "10"]
    argv += args if "--out" in args else [*args, "--out", str(tmp_path / "x.csv")]
    result = subprocess.run(argv, capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 2
    assert message in result.stderr


def test_same_seed_same_book_other_seed_other_book():
    a = simulate_loan_book(500, seed=7)
    b = simulate_loan_book(500, seed=7)
    c = simulate_loan_book(500, seed=8)
    pd.testing.assert_frame_equal(a, b)
    assert not a["markup_pct"].equals(c["markup_pct"])


@pytest.mark.parametrize("n", [1, 2, 137])
def test_exact_size(n):
    # "branch": n loans granted 2014-2018, and on top of them the seasoned stock (granted 2011-2013)
    book = simulate_loan_book(n, seed=3)
    granted = book.loc[~book["seasoned_stock"]]
    assert len(granted) == n
    assert (granted["origination_date"] >= pd.Timestamp("2014-01-01")).all()
    stock = book.loc[book["seasoned_stock"]]
    assert len(stock) == len(book) - n and (stock["origination_date"] < pd.Timestamp("2014-01-01")).all()
    if n == 137:
        assert len(stock) > 0  # a book of this size has a stock
    assert book["loan_id"].tolist() == [f"L{i:06d}" for i in range(1, len(book) + 1)]
    # version 1 has no stock: exactly n rows
    first = simulate_loan_book(n, seed=3, scenario=VERSION_1)
    assert len(first) == n and "seasoned_stock" not in first
    assert first["loan_id"].iloc[0] == "L000001"


def test_zero_loans_is_an_error():
    with pytest.raises(ValueError, match="n_loans must be at least 1"):
        simulate_loan_book(0)


def test_committed_book_is_credible(loans):
    from smecredit import load_loans
    from smecredit.schema import COLUMN_NAMES

    # the loans granted 2014-2018, with the optional columns of scenario "branch" (load_loans drops seasoned_stock)
    assert len(loans) == 20_000
    assert list(loans.columns) == [*COLUMN_NAMES, "guarantee_circle", "inclusive_scope"] and len(COLUMN_NAMES) == 32
    assert not loans.loc[(loans["size_class"] == "medium") | (loans["loan_amount_10k"] > 1000), "inclusive_scope"].any()
    assert 0.5 < loans["inclusive_scope"].mean() < 1
    circles = loans.loc[loans["guarantee_circle"].notna(), "guarantee_method"]
    assert len(circles) > 0 and (circles == "joint_mutual").all()
    # the seasoned stock: granted 2011-2013, outside the 20,000
    whole = load_loans(seasoned_stock=True)
    stock = whole.loc[whole["seasoned_stock"]]
    assert len(whole) == 20_000 + len(stock) and len(stock) > 1000
    assert stock["origination_year"].between(2011, 2013).all()
    assert loans["sub_branch"].nunique() == N_SUB_BRANCHES
    assert 140 <= loans["account_manager_id"].nunique() <= 150
    # every account manager works in one sub-branch
    assert (loans.groupby("account_manager_id")["sub_branch"].nunique() == 1).all()
    assert 0.04 <= loans["default_12m"].mean() <= 0.07
    assert loans["origination_date"].min() >= pd.Timestamp("2014-01-01")
    assert loans["origination_date"].max() <= pd.Timestamp("2018-12-31")
    assert (loans["shareholder_holding_years"] <= loans["firm_age_years"]).all()
    assert loans["loan_amount_10k"].max() <= 1000
    assert (loans["term_months"] == 12).mean() > 0.8
    assert (loans["loan_sequence"] > 1).mean() > 0.2  # renewals exist
    # lending grows every year
    assert loans["origination_year"].value_counts().sort_index().is_monotonic_increasing
    # guarantee mix near the national figures for end-2018: 52% mortgage/pledge, 36% guarantee, 12.5% credit
    mix = loans["guarantee_method"].value_counts(normalize=True)
    assert 0.45 <= mix["mortgage"] + mix["pledge"] <= 0.60
    assert 0.30 <= mix["guarantee"] + mix["guarantee_company"] + mix["joint_mutual"] <= 0.45
    assert 0.08 <= mix["credit"] <= 0.16
    assert set(loans["size_class"].unique()) == {"micro", "small", "medium"}


def test_riskier_firms_pay_higher_markups(loans):
    by_grade = loans.groupby("internal_rating", observed=True)["markup_pct"].mean()
    assert by_grade.is_monotonic_increasing


def test_size_class_follows_the_2011_standard():
    code = {name: i for i, name in enumerate(INDUSTRIES)}
    cases = [  # industry, employees, revenue (10k), assets (10k), expected class
        ("manufacturing", 19, 5000, 100, 0), ("manufacturing", 20, 300, 100, 1), ("manufacturing", 300, 2000, 100, 2),
        ("manufacturing", 300, 1999, 100, 1), ("retail", 10, 100, 1, 1), ("retail", 50, 500, 1, 2),
        ("wholesale", 5, 999, 1, 0), ("agriculture", 1, 50, 1, 1), ("agriculture", 1, 500, 1, 2),
        ("agriculture", 1, 49, 1, 0), ("construction", 1, 6000, 5000, 2), ("construction", 1, 6000, 4999, 1),
        ("construction", 1, 299, 5000, 0), ("software_it", 10, 50, 1, 1), ("lodging_catering", 100, 2000, 1, 2),
    ]
    industry = np.array([code[c[0]] for c in cases])
    got = _size_class(industry, np.array([c[1] for c in cases]), np.array([c[2] for c in cases], dtype=float),
                      np.array([c[3] for c in cases], dtype=float))
    assert got.tolist() == [c[4] for c in cases]


@pytest.mark.parametrize("date,term,rate", [
    ("2014-06-01", 12, 6.00), ("2014-06-01", 6, 5.60), ("2014-06-01", 36, 6.15), ("2014-06-01", 48, 6.40),
    ("2014-11-22", 12, 5.60), ("2014-11-22", 36, 6.00), ("2015-03-01", 12, 5.35), ("2015-06-27", 12, 5.10),
    ("2015-10-23", 12, 4.60), ("2015-10-24", 12, 4.35), ("2018-12-31", 24, 4.75),
    # the seasoned stock's years
    ("2011-01-01", 12, 5.81), ("2011-07-07", 12, 6.56), ("2011-07-07", 48, 6.90), ("2012-06-08", 6, 5.85),
    ("2012-07-05", 12, 6.31), ("2013-12-31", 12, 6.00),
])
def test_benchmark_rate_schedule(date, term, rate):
    assert benchmark_rate(np.array([date], dtype="datetime64[D]"), np.array([term]))[0] == rate


def test_benchmark_rate_refuses_dates_outside_the_schedule():
    with pytest.raises(ValueError, match="2010-12-26"):
        benchmark_rate(np.array(["2010-12-25"], dtype="datetime64[D]"), np.array([12]))
    with pytest.raises(ValueError, match="terms of 1 to 60"):
        benchmark_rate(np.array(["2016-01-01"], dtype="datetime64[D]"), np.array([61]))


def test_committed_book_matches_the_benchmark_schedule(loans):
    expected = benchmark_rate(loans["origination_date"].to_numpy().astype("datetime64[D]"),
                              loans["term_months"].to_numpy())
    np.testing.assert_array_equal(loans["benchmark_rate_pct"].to_numpy(), expected)


def test_true_model_names_match_statsmodels_and_estimates_recover_them(loans):
    model = true_model()
    fit = smf.logit(model.formula, data=loans).fit(disp=0)
    truth = true_coefficients()
    pseudo = true_coefficients("pseudo_true")
    assert set(fit.params.index) == set(truth.index) == set(pseudo.index)
    # In "branch" the logit on the observed columns converges to the pseudo-true coefficients: the soft
    # information the account manager prices into the markup also drives default, and the data lack it.
    # The five thesis factors: each estimate within 3 standard errors of its pseudo-true value, sign right.
    for name in ["markup_pct", "shareholder_holding_years", "owner_experience_years",
                 "guarantee_method[T.joint_mutual]", "repayment_method[T.equal_instalment]"]:
        assert abs(fit.params[name] - pseudo[name]) < 3 * fit.bse[name], name
        assert np.sign(fit.params[name]) == np.sign(pseudo[name]) == np.sign(truth[name]), name
    # The markup's estimate is far from its structural (causal) value, by about the documented bias ...
    bias = scenario_spec(BOOK).expected_markup_bias
    assert abs(pseudo["markup_pct"] - truth["markup_pct"] - bias) < 0.005
    assert fit.params["markup_pct"] - truth["markup_pct"] > 3 * fit.bse["markup_pct"]
    # ... while the factors the soft information does not touch recover their structural values too.
    for name in ["shareholder_holding_years", "owner_experience_years"]:
        assert abs(fit.params[name] - truth[name]) < 3 * fit.bse[name], name
    assert truth["owner_age_years"] == truth["firm_age_years"] == truth["registered_capital_10k"] == 0.0


def test_true_random_effects_replay_the_generator(loans):
    from smecredit.simulate import true_random_effects

    branches, managers = true_random_effects(DEFAULT_SEED)
    assert list(branches.index) == [f"SB{i:02d}" for i in range(1, 17)]
    assert len(managers) == 150
    in_data = loans.groupby("account_manager_id")["sub_branch"].first().astype(str)
    assert (managers.loc[in_data.index, "sub_branch"] == in_data).all()
    assert 0.15 < managers["effect"].std() < 0.45  # drawn with SD 0.30
    # the sub-branch the truth makes riskiest has a higher default rate than the safest one
    rates = loans.groupby("sub_branch", observed=True)["default_12m"].mean()
    assert rates[branches.idxmax()] > rates[branches.idxmin()]
