"""Generator version 2: scenarios beside the book, each with its stated truths checked in numbers."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf

from smecredit.exploration import within_group_default_correlation
from smecredit.schema import typed_loan_book
from smecredit.simulate import (DEFAULT_SEED, inclusive_scope, pseudo_true_coefficients, scenario_names, scenario_spec,
                                simulate_loan_book, true_coefficients, true_model, working_capital_limit,
                                write_loan_book)

V2 = [name for name in scenario_names() if name != "version-1"]
# sha256 of data/loans.csv as the first edition shipped it (commit 0141158): version 1 must still make it.
VERSION_1_SHA256 = "eb7ef7e90260cd219a298448ad2e1eb28f6ab8c1f9372677ddfa4c7a608f513b"
SOFT_INFO = ["private-information", "no-causal-markup"]


@pytest.fixture(scope="module")
def books():
    """One 20,000-loan book of each version-2 scenario, at the book's seed, typed as the loader types them."""
    return {name: typed_loan_book(simulate_loan_book(20_000, seed=DEFAULT_SEED, scenario=name)) for name in V2}


def test_branch_is_the_default_scenario_and_makes_the_book(root, tmp_path):
    assert scenario_names()[0] == "branch" and scenario_names()[-1] == "version-1"
    assert {"private-information", "no-causal-markup", "circles"} <= set(V2)
    pd.testing.assert_series_equal(true_coefficients(), true_coefficients("structural", "branch"))
    pd.testing.assert_frame_equal(simulate_loan_book(300, seed=4), simulate_loan_book(300, seed=4, scenario="branch"))
    out = tmp_path / "book.csv"
    subprocess.run([sys.executable, "-m", "smecredit.simulate", "--out", str(out)], check=True, capture_output=True)
    assert out.read_bytes() == (root / "data" / "loans.csv").read_bytes()


def test_version_1_still_makes_the_first_editions_book_byte_for_byte(tmp_path):
    import hashlib

    path = write_loan_book(simulate_loan_book(scenario="version-1"), tmp_path / "v1.csv")
    text = path.read_bytes()
    # The one change since the first edition: bullet loans' label (their interest is paid quarterly, as
    # enterprise loans' is; version 1 has no timing, so the label changes nothing else).
    assert text.count(b",quarterly_interest_bullet,") > 10_000
    first_edition = text.replace(b",quarterly_interest_bullet,", b",monthly_interest_bullet,")
    assert hashlib.sha256(first_edition).hexdigest() == VERSION_1_SHA256


def test_command_line_picks_a_scenario(tmp_path):
    out = tmp_path / "pi.csv"
    result = subprocess.run([sys.executable, "-m", "smecredit.simulate", "--scenario", "private-information",
                             "--n-loans", "400", "--seed", "3", "--out", str(out)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    expected = tmp_path / "expected.csv"
    write_loan_book(simulate_loan_book(400, seed=3, scenario="private-information"), expected)
    assert out.read_bytes() == expected.read_bytes()
    bad = subprocess.run([sys.executable, "-m", "smecredit.simulate", "--scenario", "nope", "--out",
                          str(tmp_path / "x.csv")], capture_output=True, text=True)
    assert bad.returncode == 2 and "invalid choice: 'nope'" in bad.stderr


def test_unknown_scenario_and_kind_are_errors():
    with pytest.raises(ValueError, match="unknown scenario 'nope'; choose one of branch, private-information, "
                                         "no-causal-markup, circles, version-1$"):
        simulate_loan_book(10, scenario="nope")
    with pytest.raises(ValueError, match="kind must be 'structural' or 'pseudo_true'"):
        true_coefficients(kind="causal")


@pytest.mark.parametrize("name", V2)
def test_scenarios_are_seeded_and_deterministic(name):
    a = simulate_loan_book(500, seed=11, scenario=name)
    pd.testing.assert_frame_equal(a, simulate_loan_book(500, seed=11, scenario=name))
    assert not a["default_12m"].equals(simulate_loan_book(500, seed=12, scenario=name)["default_12m"]) or \
        not a["markup_pct"].equals(simulate_loan_book(500, seed=12, scenario=name)["markup_pct"])


@pytest.mark.parametrize("name", V2)
def test_default_rate_of_each_scenario_is_4_to_7_percent(books, name):
    assert 0.04 <= books[name]["default_12m"].mean() <= 0.07


@pytest.mark.parametrize("name", V2)
def test_scenario_books_pass_the_loaders_checks(books, name, tmp_path):
    from smecredit import load_loans

    path = write_loan_book(simulate_loan_book(3000, seed=8, scenario=name), tmp_path / "loans.csv")
    loaded = load_loans(path)
    assert len(loaded) == 3000


def test_structural_markup_effects_are_stated():
    assert true_coefficients(scenario="private-information")["markup_pct"] == 0.015  # repayment burden
    assert true_coefficients(scenario="no-causal-markup")["markup_pct"] == 0.0
    for name in SOFT_INFO:
        spec = scenario_spec(name)
        assert spec.soft_info_markup_pp > 0 and spec.soft_info_logit > 0
        assert list(true_model(name).coefficients.index) == list(true_coefficients().index)


@pytest.mark.parametrize("name", V2)
def test_pseudo_true_markup_exceeds_the_structural_by_the_documented_bias(name):
    pseudo = pseudo_true_coefficients(name, with_std_err=True)
    structural = true_coefficients("structural", name)
    bias = pseudo.loc["markup_pct", "pseudo_true_coefficient"] - structural["markup_pct"]
    assert bias == pytest.approx(scenario_spec(name).expected_markup_bias, abs=0.004)
    assert bias > 20 * pseudo.loc["markup_pct", "std_err"]  # far beyond the Monte Carlo error
    pd.testing.assert_series_equal(true_coefficients("pseudo_true", name), pseudo["pseudo_true_coefficient"])
    # the variables nothing unobserved touches keep their truth: debt ratio and the zero-effect candidates
    for term in ["debt_ratio_pct", "owner_age_years", "firm_age_years"]:
        assert abs(pseudo.loc[term, "pseudo_true_coefficient"] - structural[term]) < 4 * pseudo.loc[term, "std_err"]


@pytest.mark.parametrize("name", scenario_names())
def test_the_shipped_pseudo_true_table_is_what_a_refit_gives(name):
    refit = pseudo_true_coefficients(name, with_std_err=True, recompute=True)
    shipped = pseudo_true_coefficients(name, with_std_err=True)
    assert list(shipped.index) == list(true_coefficients().index)
    np.testing.assert_allclose(shipped.to_numpy(), refit.to_numpy(), rtol=1e-6, atol=1e-9,
                               err_msg="run `python -m smecredit.simulate --write-pseudo-true`")


def test_a_scenario_missing_from_the_shipped_table_is_a_clear_error(monkeypatch, tmp_path):
    from importlib import resources

    from smecredit import simulate

    with pytest.raises(ValueError, match="unknown scenario 'nope'"):
        pseudo_true_coefficients("nope")
    shipped = pd.read_csv(resources.files("smecredit").joinpath(simulate.PSEUDO_TRUE_TABLE))
    partial = tmp_path / "partial.csv"
    shipped[shipped["scenario"] != "circles"].to_csv(partial, index=False)
    monkeypatch.setattr(simulate, "PSEUDO_TRUE_TABLE", str(partial))  # an absolute path wins in joinpath
    with pytest.raises(ValueError, match="no complete rows for scenario 'circles'.*--write-pseudo-true"):
        pseudo_true_coefficients("circles")
    assert pseudo_true_coefficients("version-1")["markup_pct"] == pytest.approx(0.0156, abs=1e-4)


def test_in_version_1_pseudo_true_and_structural_markup_agree():
    pseudo = pseudo_true_coefficients("version-1", with_std_err=True).loc["markup_pct"]
    structural = true_coefficients("structural", "version-1")["markup_pct"]
    assert abs(pseudo["pseudo_true_coefficient"] - structural) < 3 * pseudo["std_err"]


def test_no_causal_markup_comes_out_significant_anyway(books):
    assert true_coefficients(scenario="no-causal-markup")["markup_pct"] == 0.0
    fit = smf.logit(true_model("no-causal-markup").formula, data=books["no-causal-markup"]).fit(disp=0)
    assert fit.params["markup_pct"] > 0 and fit.pvalues["markup_pct"] < 0.001


def test_classroom_makes_books_of_a_scenario(tmp_path):
    from smecredit.classroom import read_answer_key, student_seed

    result = subprocess.run([sys.executable, "-m", "smecredit.classroom", "--ids", "s001", "--out", str(tmp_path),
                             "--n-loans", "3000", "--scenario", "no-causal-markup"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    expected = write_loan_book(simulate_loan_book(3000, seed=student_seed("s001"), scenario="no-causal-markup"),
                               tmp_path / "expected.csv")
    assert (tmp_path / "s001" / "loans.csv").read_bytes() == expected.read_bytes()
    key = read_answer_key(tmp_path / "answer_key.csv").set_index("term")
    truth = true_coefficients("structural", "no-causal-markup")
    np.testing.assert_allclose(key.loc[truth.index, "true_coefficient"], truth.to_numpy())
    assert "no-causal-markup" in (tmp_path / "s001" / "README.txt").read_text(encoding="utf-8")
    assert 'true_coefficients("pseudo_true", "no-causal-markup")' in \
        (tmp_path / "answer_key_README.txt").read_text(encoding="utf-8")
    bad = subprocess.run([sys.executable, "-m", "smecredit.classroom", "--ids", "s001", "--out", str(tmp_path),
                          "--scenario", "nope"], capture_output=True, text=True)
    assert bad.returncode == 2


# --- (d) loan size, inclusive scope and pricing by policy (every version-2 scenario) ----------------------------

def test_working_capital_limit_is_the_cbrc_formula_with_the_stated_parameters():
    # need = revenue x (1 - 0.08) x (1 + 0.10) / 2 turnovers; the bank lends 70% of it, at most 40% of assets
    np.testing.assert_allclose(working_capital_limit([1000.0, 1000.0, 10_000.0, 5.0], [10_000.0, 500.0, 10_000.0, 5.0]),
                               [354.2, 200.0, 1000.0, 1.771])
    with pytest.raises(ValueError, match="must not be negative"):
        working_capital_limit([-1.0], [10.0])
    with pytest.raises(ValueError, match="differ in shape"):
        working_capital_limit([1.0, 2.0], [10.0])


def test_version_1_had_loans_above_revenue_and_assets():
    # what the working-capital rule of version 2 removes
    loans = simulate_loan_book(scenario="version-1")
    assert (loans["loan_amount_10k"] > loans["annual_revenue_10k"]).mean() == pytest.approx(0.2000, abs=5e-4)
    assert (loans["loan_amount_10k"] > loans["total_assets_10k"]).mean() == pytest.approx(0.2551, abs=5e-4)
    micro = loans[loans["size_class"] == "micro"]
    assert (micro["loan_amount_10k"] / micro["annual_revenue_10k"]).max() == pytest.approx(33.2)


@pytest.mark.parametrize("name", V2)
def test_no_loan_exceeds_the_working_capital_limit(books, name):
    loans = books[name]
    amount, revenue, assets = loans["loan_amount_10k"], loans["annual_revenue_10k"], loans["total_assets_10k"]
    limit = working_capital_limit(revenue, assets)
    assert (amount <= limit).all() and (amount >= 1).all()
    # the rule allows at most 35.42% of revenue and 40% of total assets: no loan above either (book: 20.0%, 25.5%)
    assert (amount > revenue).sum() == 0 and (amount > assets).sum() == 0
    assert (amount / revenue).max() <= 0.3542 + 1e-9 and (amount / assets).max() <= 0.40 + 1e-9
    at_limit = (limit - amount < 5) | (amount == 1000)
    assert 0.2 < at_limit.mean() < 0.4  # the rule binds for about 28% of loans (a request above the limit)
    # amounts still grow with the firm and with the collateral
    by_size = loans.groupby("size_class", observed=True)["loan_amount_10k"].median()
    assert by_size["micro"] < by_size["small"] < by_size["medium"]
    by_guarantee = loans.groupby("guarantee_method", observed=True)["loan_amount_10k"].median()
    assert by_guarantee["mortgage"] > by_guarantee["credit"]


def test_inclusive_scope_is_small_or_micro_within_10_million_yuan():
    scope = inclusive_scope(["small", "micro", "medium", "small", "micro"], [1000.0, 1000.5, 10.0, 10.0, 1.0])
    assert scope.tolist() == [True, False, False, True, True]
    with pytest.raises(ValueError, match="unknown size class"):
        inclusive_scope(["large"], [10.0])


@pytest.mark.parametrize("name", V2)
def test_medium_firms_and_loans_over_the_cap_are_never_in_scope(books, name):
    loans = books[name]
    assert loans["inclusive_scope"].dtype == bool
    assert not loans.loc[loans["size_class"] == "medium", "inclusive_scope"].any()
    assert not loans.loc[loans["loan_amount_10k"] > 1000, "inclusive_scope"].any()
    # one loan at a time per borrower: its credit is the loan amount, so every small or micro loan is in scope
    expected = (loans["size_class"] != "medium") & (loans["loan_amount_10k"] <= 1000)
    assert (loans["inclusive_scope"] == expected).all()
    assert 0.9 < loans["inclusive_scope"].mean() < 0.97


@pytest.mark.parametrize("name", V2)
def test_markups_fall_in_2018_under_the_two_controls(books, name):
    from smecredit.simulate import _policy_parameters

    policy = _policy_parameters()
    path = policy["markup_year_pp"][2014 - policy["first_year"]:]  # 2014 ... 2018
    stated_fall = path[3] - path[4]
    assert stated_fall == 6.0
    by_year = books[name].groupby("origination_year")["markup_pct"].mean()
    # steps of 5 points and the floor at -10 take a little off the stated fall
    assert by_year[2017] - by_year[2018] >= stated_fall - 1.0
    version_1 = simulate_loan_book(scenario="version-1").groupby("origination_year")["markup_pct"].mean()
    assert version_1[2018] - version_1[2017] == pytest.approx(4.13, abs=0.01)  # the first edition's: rising


# --- (b) timing: the month of default by repayment method and term -------------------------------------------

def test_month_profiles_sum_to_one_and_stop_at_maturity():
    from smecredit.simulate import default_month_profile

    repayment = np.array([0, 0, 1, 2, 3, 0])
    term = np.array([12, 6, 12, 6, 12, 36])
    profile = default_month_profile(repayment, term)
    np.testing.assert_allclose(profile.sum(axis=1), 1.0)
    assert (profile[1, 6:] == 0).all() and (profile[3, 6:] == 0).all()  # a 6-month loan cannot fail in month 7
    assert profile[0].argmax() == 11 and profile[1].argmax() == 5  # bullet: the maturity month
    assert profile[2].argmax() == 3  # amortising: month 4, (shape - 1) x scale
    # a bullet loan pays interest quarterly: it can miss a payment only in months 3, 6, 9 and 12
    quarter_months = np.arange(1, 13) % 3 == 0
    assert (profile[[0, 1, 5]][:, ~quarter_months] == 0).all()
    np.testing.assert_allclose(profile[0, quarter_months], np.array([3, 3, 3, 2 + 10]) / 21)  # 10: at maturity
    np.testing.assert_allclose(profile[5, quarter_months], 0.25)  # a 36-month bullet: no maturity in the window


def test_bullet_defaults_peak_at_maturity_and_amortising_ones_come_earlier(books):
    loans = pd.concat([books[name] for name in SOFT_INFO])
    defaults = loans[(loans["default_12m"] == 1) & (loans["term_months"] == 12)]
    bullet = defaults.loc[defaults["repayment_method"] == "quarterly_interest_bullet", "months_to_default"]
    amortising = defaults.loc[defaults["repayment_method"].isin(["equal_instalment", "equal_principal"]),
                              "months_to_default"]
    assert len(bullet) > 500 and len(amortising) > 150
    assert bullet.value_counts().idxmax() == 12
    assert (bullet == 12).mean() > 0.45  # the principal falls due: 12/21 of the profile
    assert (bullet % 3 == 0).all()  # interest is paid quarterly, so payments are missed only then
    assert bullet.mean() - amortising.mean() > 2.5
    assert (amortising <= 6).mean() > 0.5 > (bullet <= 6).mean()
    assert amortising.median() <= 6


def test_the_window_is_12_months_plus_90_days_and_catches_a_failure_at_maturity(books):
    loans = books["private-information"]
    defaults = loans[loans["default_12m"] == 1]
    assert defaults["months_to_default"].between(1, 12).all()
    assert (defaults["months_to_default"] <= defaults["term_months"]).all()  # never after maturity
    at_maturity = defaults[(defaults["repayment_method"] == "quarterly_interest_bullet")
                           & (defaults["months_to_default"] == defaults["term_months"])]
    assert len(at_maturity) > 100
    # a bullet loan failing at maturity owes its whole principal
    np.testing.assert_allclose(at_maturity["ead_10k"], at_maturity["loan_amount_10k"])
    assert (loans["max_days_past_due"] <= 390).all()
    assert (defaults["recovery_10k"] >= 0).all() and (defaults["recovery_10k"] <= defaults["ead_10k"]).all()


# --- (c) guarantee circles -------------------------------------------------------------------------------------

def test_circles_hold_the_joint_guarantee_borrowers(books):
    loans = books["circles"]
    in_circle = loans["guarantee_circle"].notna()  # typed as the loader types it: missing outside circles
    assert (in_circle == (loans["guarantee_method"] == "joint_mutual")).all()
    assert 0.08 < in_circle.mean() < 0.16
    sizes = loans[in_circle].groupby("guarantee_circle")["borrower_id"].nunique()
    assert sizes.max() <= 5 and sizes.median() >= 3
    assert (loans[in_circle].groupby("guarantee_circle")["sub_branch"].nunique() == 1).all()
    assert "guarantee_circle" not in books["private-information"].columns


def test_within_circle_default_correlation_is_in_its_stated_band(books):
    loans = books["circles"]
    rho = within_group_default_correlation(loans)
    assert 0.08 <= rho <= 0.22  # stated in data/loans.md: about 0.14
    # the same statistic with circle labels shuffled among the members is about zero
    shuffled = loans.copy()
    members = shuffled["guarantee_circle"].notna()
    owners = shuffled[members].groupby("borrower_id")["guarantee_circle"].first()
    relabel = dict(zip(owners.index, np.random.default_rng(0).permutation(owners.to_numpy())))
    shuffled.loc[members, "guarantee_circle"] = shuffled.loc[members, "borrower_id"].map(relabel)
    assert abs(within_group_default_correlation(shuffled)) < 0.04


def test_the_loader_reads_the_circle_column(tmp_path):
    from smecredit import load_loans

    path = write_loan_book(simulate_loan_book(3000, seed=8, scenario="circles"), tmp_path / "loans.csv")
    loaded = load_loans(path)
    assert loaded["guarantee_circle"].notna().sum() == (loaded["guarantee_method"] == "joint_mutual").sum()


# --- (f) the seasoned stock: the book does not start empty in 2014 --------------------------------------------

def test_the_seasoned_stock_is_the_2011_2013_loans_still_outstanding_on_1_january_2014(books):
    book = books["branch"]
    seasoned = book["seasoned_stock"]
    assert (seasoned == (book["origination_year"] < 2014)).all()
    assert set(book.loc[seasoned, "origination_year"]) == {2011, 2012, 2013}
    maturity = book["origination_date"] + pd.to_timedelta((book["term_months"] * 30.44).round(), unit="D")
    outstanding = maturity > pd.Timestamp("2014-01-01")
    # the others had matured, but defaulted within the disposal time (12 months) before 2014: bad loans still held
    held_bad = ~outstanding & (book["default_12m"] == 1) & (maturity > pd.Timestamp("2014-01-01") - pd.Timedelta(days=365))
    assert (outstanding | held_bad)[seasoned].all()
    assert 50 < (held_bad & seasoned).sum() < 400
    # on the books on 31 December 2013 by the chapters' own rule: none had been disposed of yet
    from smecredit.assumptions import NPL_DISPOSAL_MONTHS
    from smecredit.schedule import book_at

    status = book_at(book, "2013-12-31", write_off_months=NPL_DISPOSAL_MONTHS)["status"]
    assert set(status[seasoned]) == {"performing", "non_performing"}
    # n_loans counts the loans granted 2014-2018; the stock comes on top (about 2,900 loans, 13% of the file)
    assert (~seasoned).sum() == 20_000
    assert 2_000 < seasoned.sum() < 3_500
    # the other scenarios have no stock and no column
    assert "seasoned_stock" not in books["circles"] and books["circles"]["origination_year"].min() == 2014


def test_with_the_seasoned_stock_the_balance_grows_at_a_credible_pace_from_2014(books):
    from smecredit.schedule import book_at

    def balance(date):
        snap = book_at(books["branch"], date)
        return snap["balance_10k"].where(snap["status"].isin(["performing", "non_performing"]), 0.0).sum()

    balances = np.array([balance(f"{year}-12-31") for year in range(2013, 2019)])
    growth = balances[1:] / balances[:-1] - 1
    # 2014 to 2018: every year between 10% and 30% (a book that started empty grew 95% in its second year)
    assert ((growth > 0.10) & (growth < 0.30)).all(), growth
    assert balance("2014-01-01") > 0.7 * balance("2014-12-31")


def test_the_loader_leaves_the_seasoned_stock_out_unless_asked(books, tmp_path):
    from smecredit import load_loans

    path = write_loan_book(simulate_loan_book(3_000, seed=5, scenario="branch"), tmp_path / "branch.csv")
    granted, whole = load_loans(path), load_loans(path, seasoned_stock=True)
    assert len(granted) == 3_000 and "seasoned_stock" not in granted
    assert len(whole) > 3_000 and whole["seasoned_stock"].dtype == bool
    pd.testing.assert_frame_equal(granted, whole[~whole["seasoned_stock"]].drop(columns="seasoned_stock")
                                  .reset_index(drop=True))


def test_a_loan_before_2014_must_be_flagged_seasoned(tmp_path):
    from smecredit import load_loans
    from smecredit.loading import DataFileError

    frame = simulate_loan_book(400, seed=5, scenario="branch")
    frame.loc[frame["seasoned_stock"], "seasoned_stock"] = False
    path = write_loan_book(frame, tmp_path / "unflagged.csv")
    with pytest.raises(DataFileError, match="before 2014 but the loan is not flagged seasoned_stock"):
        load_loans(path, seasoned_stock=True)


def test_data_cutoff_is_each_scenarios_last_day():
    from smecredit.simulate import data_cutoff

    assert data_cutoff() == pd.Timestamp("2020-03-31") == data_cutoff("private-information")
    assert data_cutoff("version-1") == pd.Timestamp("2019-12-31")
    # the book's last recovery-bearing default can be recognised no later than the cut-off
    loans = typed_loan_book(simulate_loan_book(2_000, seed=3))
    window_end = loans["origination_date"] + pd.DateOffset(months=12, days=90)
    assert (window_end <= data_cutoff()).all()
    with pytest.raises(ValueError, match="unknown scenario"):
        data_cutoff("nope")


def test_in_the_committed_book_bullet_loans_default_only_on_a_payment_date():
    from smecredit import load_loans
    from smecredit.simulate import INTEREST_PERIOD_MONTHS

    loans = load_loans(seasoned_stock=True)
    bullet = loans[(loans["default_12m"] == 1) & (loans["repayment_method"] == "quarterly_interest_bullet")]
    assert len(bullet) > 500 and bullet["guarantee_circle"].notna().sum() > 50  # contagion included
    months = bullet["months_to_default"]
    assert ((months % INTEREST_PERIOD_MONTHS == 0) | (months == bullet["term_months"])).all()
