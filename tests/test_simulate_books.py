"""simulate_loan_books: several typed loan books for repeated-simulation studies."""

from __future__ import annotations

import pandas as pd
import pytest
import statsmodels.formula.api as smf

from smecredit.simulate import simulate_loan_book, simulate_loan_books


def test_books_use_consecutive_seeds_and_the_loader_types(loans):
    books = list(simulate_loan_books(3, n_loans=300, first_seed=41))
    assert [seed for seed, _ in books] == [41, 42, 43]
    for seed, book in books:
        # the 300 loans granted 2014-2018: the seasoned stock is left out, with its column, as load_loans does
        assert len(book) == 300
        whole = simulate_loan_book(300, seed=seed)
        assert whole["seasoned_stock"].any()
        assert book["loan_id"].tolist() == whole.loc[~whole["seasoned_stock"], "loan_id"].tolist()
        assert (book["origination_date"] >= pd.Timestamp("2014-01-01")).all()
        assert book.dtypes.to_dict() == loans.dtypes.to_dict()
        for column in ["guarantee_method", "repayment_method", "internal_rating", "size_class", "industry"]:
            assert list(book[column].cat.categories) == list(loans[column].cat.categories), column


def test_formula_names_match_the_committed_book(loans):
    _, book = next(simulate_loan_books(1, n_loans=2000, first_seed=5))
    fit = smf.logit("default_12m ~ guarantee_method + markup_pct", data=book).fit(disp=0)
    assert fit.params.index[1] == "guarantee_method[T.pledge]"  # mortgage is the reference, as in the truth


def test_bad_sizes_are_errors():
    with pytest.raises(ValueError, match="n_books must be at least 1"):
        next(simulate_loan_books(0))
    with pytest.raises(ValueError, match="n_loans must be at least 1"):
        next(simulate_loan_books(1, n_loans=0))


def test_same_seed_same_book():
    (_, a), = simulate_loan_books(1, n_loans=200, first_seed=9)
    (_, b), = simulate_loan_books(1, n_loans=200, first_seed=9)
    pd.testing.assert_frame_equal(a, b)


def test_books_mark_loans_outside_circles_as_missing_as_the_loader_does(tmp_path):
    from smecredit import load_loans
    from smecredit.simulate import simulate_loan_books, write_loan_book, simulate_loan_book

    _, book = next(simulate_loan_books(1, n_loans=800, first_seed=9))
    loaded = load_loans(write_loan_book(simulate_loan_book(800, seed=9), tmp_path / "b.csv"))
    assert book["guarantee_circle"].isna().sum() == loaded["guarantee_circle"].isna().sum() > 0
    assert not (book["guarantee_circle"] == "").any()
    assert (book["guarantee_circle"].notna() == (book["guarantee_method"] == "joint_mutual")).all()
