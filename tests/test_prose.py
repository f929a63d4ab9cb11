"""Glued numbers: plain Python values, rounded so that floating-point noise cannot reach the page."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from smecredit import prose


def test_rounded_keeps_eight_significant_digits():
    assert prose.rounded(-0.004675038048432705) == -0.0046750380
    assert prose.rounded(-0.004675038048432523) == prose.rounded(-0.004675038048432705)
    assert prose.rounded(12345.678912345) == 12345.679
    assert prose.rounded(0.0) == 0.0
    assert math.isnan(prose.rounded(float("nan")))


def displayed_by(glue, monkeypatch, *values) -> list:
    """What ``glue`` displays for each (name, value): (bundle, metadata) pairs."""
    import IPython.display
    import myst_nb.ext.glue

    shown = []
    record = lambda bundle, raw, metadata: shown.append((bundle, metadata))  # noqa: E731
    monkeypatch.setattr(IPython.display, "display", record)
    monkeypatch.setattr(myst_nb.ext.glue, "ipy_display", record)
    for name, value in values:
        glue(name, value)
    return shown


def test_glue_stores_plain_rounded_numbers(monkeypatch):
    shown = displayed_by(prose.glue, monkeypatch, ("rate", np.float64(0.053850000000000002)),
                         ("count", np.int64(20000)), ("label", "20,000"))
    plain = [bundle["application/papermill.record/text/plain"] for bundle, _ in shown]
    assert plain == ["0.05385", "20000", "'20,000'"]
    assert [metadata["scrapbook"]["name"] for _, metadata in shown] == ["rate", "count", "label"]


def test_glue_displays_what_myst_nb_glue_displays(monkeypatch):
    from myst_nb import glue as myst_glue

    values = [("rate", 0.05385), ("count", 20000), ("label", "20,000"), ("big", 1.5e12)]
    ours = displayed_by(prose.glue, monkeypatch, *values)
    theirs = displayed_by(lambda name, value: myst_glue(name, value, display=False), monkeypatch, *values)
    assert ours == theirs and len(ours) == len(values)


def test_glue_refuses_tables():
    with pytest.raises(TypeError, match="expected a number or a string"):
        prose.glue("table", pd.DataFrame({"a": [1]}))


@pytest.mark.parametrize("k,n,noun,verbs,expected", [
    (5, 5, "factors", None, "all five factors"),
    (2, 2, "tests", None, "both tests"),
    (0, 3, "", None, "none of the three"),
    (1, 3, "candidates", ("stays", "stay"), "one of the three candidates stays"),
    (2, 8, "", ("remains", "remain"), "two of the eight remain"),
    (31, 33, "coefficients", None, "31 of the 33 coefficients"),
])
def test_how_many(k, n, noun, verbs, expected):
    assert prose.how_many(k, n, noun, verbs) == expected


def test_in_words_and_lists():
    assert prose.in_words(0) == "no" and prose.in_words(10) == "ten" and prose.in_words(1200) == "1,200"
    assert prose.and_list(["a"]) == "a"
    assert prose.and_list(["a", "b"]) == "a and b"
    assert prose.and_list(["a", "b", "c"]) == "a, b and c"
    with pytest.raises(ValueError, match="between 0 and n"):
        prose.how_many(4, 3)


def test_counted_and_nouns():
    assert prose.counted(1, "factor") == "one factor"
    assert prose.counted(2, "factor") == "two factors"
    assert prose.counted(0, "analysis", "analyses") == "no analyses"
    assert prose.nouns(["I(markup_pct / 10)", "guarantee_method"]) == "the markup and the guarantee method"
    assert prose.nouns([]) == "none"


@pytest.mark.parametrize("passed,failed,expected", [
    (["markup_pct", "guarantee_method"], [],
     "both factors of the thesis are significant: the markup and the guarantee method"),
    ([], ["markup_pct", "guarantee_method", "owner_age_years"], "none of the three factors of the thesis is significant"),
    (["markup_pct"], ["guarantee_method", "owner_age_years"],
     "one of the three factors of the thesis is significant (the markup) and the guarantee method and the owner's age"
     " are not"),
    (["markup_pct", "guarantee_method"], ["owner_age_years"],
     "two of the three factors of the thesis are significant (the markup and the guarantee method) and the owner's "
     "age is not"),
])
def test_split_verdict_agrees_in_number_whatever_the_outcome(passed, failed, expected):
    assert prose.split_verdict(passed, failed, "factors of the thesis", ("is significant", "are significant"),
                               ("is not", "are not")) == expected


def test_tests_in_words_groups_by_column_in_order_of_mention():
    pairs = [("owner_age_years", "trend"), ("term_months", "trend"), ("owner_age_years", "chi-square")]
    assert prose.tests_in_words(pairs) == ("the chi-square and trend tests of the owner's age and the trend test "
                                           "of the loan's term")
    assert prose.tests_in_words([]) == "no test"
