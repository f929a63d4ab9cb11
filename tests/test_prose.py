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


def test_glue_stores_plain_rounded_numbers(monkeypatch):
    stored = {}
    monkeypatch.setattr(prose, "_myst_glue", lambda name, value, display: stored.update({name: (value, display)}))
    prose.glue("rate", np.float64(0.053850000000000002))
    prose.glue("count", np.int64(20000))
    prose.glue("label", "20,000")
    assert stored["rate"] == (0.05385, False) and type(stored["rate"][0]) is float
    assert stored["count"] == (20000, False) and type(stored["count"][0]) is int
    assert stored["label"] == ("20,000", False)


def test_glue_refuses_tables():
    with pytest.raises(TypeError, match="expected a number or a string"):
        prose.glue("table", pd.DataFrame({"a": [1]}))
