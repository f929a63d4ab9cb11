"""Self-checking exercises: ``check(label, **answers)`` says whether a student's numbers are right.

The exercises with a number (or a name) to find can check themselves. Each says so under its text,
and the student edition of the chapters (``make student``) leaves a cell under each, ready to fill in::

    from smecredit.exercises import check

    check("ex-tour-units",
          amount_yuan=...,        # the amount lent, in yuan
          contract_rate_pct=...,  # the contract rate, in percent a year
    )

The cell prints a verdict for each answer: right; not right yet (with a hint when the number looks
100 or 10,000 times off, or is given to too few digits); or not answered yet while it is still
``...``. The right values are computed when the cell runs, from the data the chapters read
(``load_loans()``, which honours ``SMECREDIT_DATA``), so a class with a loan book per student
(``smecredit.classroom``) checks each student against their own book; a book loaded some other way
(``load_loans(path)``) is not seen. The check never prints the right value; the solutions are in the
web book and the full notebooks.

A number is right when it is within the answer's tolerance (0.5% of the right value unless the
answer says otherwise; none for counts and names), or when it is the right value rounded to the
decimals the student typed, given at least two significant digits (0.049 for 0.0490, 5.7 for
5.655). Python cannot see a trailing zero: 0.330 counts as 0.33.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

RELATIVE_TOLERANCE = 0.005
# What a verdict says, in one place so that an edition in another language can replace them.
MESSAGES = {
    "heading": "Exercise {label}",
    "right": "right",
    "rounded": "right (rounded to the decimals you typed)",
    "wrong": "not right yet",
    "unanswered": "not answered yet: replace the ... with your answer",
    "percent": "not right yet: it looks 100 times too {direction}; check the unit",
    "ten_thousand": "not right yet: it looks 10,000 times too {direction}; check the unit (1 in 10k yuan is 10,000 yuan)",
    "scaled": "not right yet: {advice}",
    "few_digits": "close, but give at least two significant digits",
    "not_a_number": "not right yet: this asks for one number",
    "not_a_name": "not right yet: this asks for a name, in quotes",
    "several": "not right yet: you gave {count} values; give one (for example with .iloc[0])",
    "asks_for": "it asks for",
    "all_right": "All answers are right.",
}
# what the unit of an answer lets the verdict hint at
SHARE, PERCENT, YUAN, COUNT, NAME, NUMBER = "share", "percent", "yuan", "count", "name", "number"


@dataclass(frozen=True)
class Answer:
    """One part of an exercise's answer.

    Attributes:
        name: the keyword the student passes.
        unit: what it is, with its unit, in words (shown when the answer is not right).
        kind: share, percent, yuan, count, name or number: decides the hints (a share or percent
            100 times off, yuan 10,000 times off) and that counts and names have no tolerance.
        absolute_tolerance: for a number whose relative tolerance would be too loose or too tight
            (a score near 600, a probability near 1); None for the relative 0.5%.
        scale_hint: ``(factor, advice)``: a number about ``factor`` times the right one (within 10%)
            gets this advice, for a slip the exercise invites (a count out of 20 for a chance).
    """

    name: str
    unit: str
    kind: str = NUMBER
    absolute_tolerance: float | None = None
    scale_hint: tuple[float, str] | None = None


@dataclass(frozen=True)
class Exercise:
    """An exercise that checks itself: its answers, and a function computing their right values."""

    label: str
    answers: tuple[Answer, ...]
    right_values: Callable[[], dict[str, float | int | str]]


def _loans():
    from smecredit import load_loans

    return load_loans()


def _sme_markup():
    from smecredit import data_file

    stats = pd.read_csv(data_file("sme_finance_stats.csv"), parse_dates=["date"])
    benchmark = stats.loc[stats["indicator"] == "benchmark_lending_rate_1y", "value"].item()
    rates = stats[(stats["indicator"] == "inclusive_small_micro_new_loan_rate")
                  & stats["note"].str.contains("Full-year average", na=False)].set_index("date")["value"]
    return {"markup_pct": 100 * (6.09 / benchmark - 1),
            "markup_2019_pct": float(100 * (rates.loc["2019-12-31"] / benchmark - 1))}


def _case_mix():
    from smecredit.exploration import default_rate_table

    loans = _loans()
    joint_share = pd.crosstab(loans["sub_branch"], loans["guarantee_method"], normalize="index")["joint_mutual"]
    top = joint_share.idxmax()
    return {"sub_branch": str(top), "joint_share": float(joint_share.max()),
            "default_rate": float(default_rate_table(loans, "sub_branch").loc[top, "rate"])}


def _tour_units():
    return {"amount_yuan": 85 * 10_000, "contract_rate_pct": 4.35 * (1 + 30 / 100)}


def _tour_subbranch():
    from smecredit.exploration import default_rate_table

    table = default_rate_table(_loans(), "sub_branch").sort_values("rate", ascending=False)
    return {"sub_branch": str(table.index[0]), "n_loans": int(table["loans"].iloc[0])}


def _defaults_fisher():
    from scipy.stats import fisher_exact

    loans = _loans()
    aa = loans[loans["internal_rating"] == "AA"]
    high = (aa["markup_pct"] > 30).to_numpy()
    defaults = aa["default_12m"].astype(bool).to_numpy()
    table = [[int((high & defaults).sum()), int((high & ~defaults).sum())],
             [int((~high & defaults).sum()), int((~high & ~defaults).sum())]]
    return {"high_markup_rate": float(defaults[high].mean()), "other_rate": float(defaults[~high].mean()),
            "p_value": float(fisher_exact(table).pvalue)}


def _interviews_kappa():
    from smecredit.interviews import (agreement_by_code, code_matrix, dictionary_code, load_coder_dictionary,
                                      load_corpus, segments_of)

    corpus = load_corpus()
    codes = list(corpus.codebook["code"])
    segments = segments_of(corpus.codings)
    automatic = dictionary_code(segments["text"], load_coder_dictionary(codebook=corpus.codebook), codes)
    agreement = agreement_by_code(code_matrix(corpus.codings, codes), automatic)
    lowest = agreement["kappa"].idxmin()
    both, manual_only, dictionary_only, neither = agreement.loc[
        lowest, ["both", "reference_only", "other_only", "neither"]].astype(float)
    n = both + manual_only + dictionary_only + neither
    manual_yes, dictionary_yes = (both + manual_only) / n, (both + dictionary_only) / n
    return {"code": str(lowest), "p_o": (both + neither) / n,
            "p_e": manual_yes * dictionary_yes + (1 - manual_yes) * (1 - dictionary_yes),
            "kappa": float(agreement.loc[lowest, "kappa"])}


def _interviews_rush():
    loans = _loans()
    december = loans["origination_date"].dt.month == 12
    return {"december_rate": float(loans.loc[december, "default_12m"].mean()),
            "other_rate": float(loans.loc[~december, "default_12m"].mean())}


def _first_zero():
    return {"chance": 1 - 0.95 ** 3}


def _valid_hand():
    from smecredit.validation import auc, ks_statistic

    y, pd_hat = [0, 1, 0, 0, 1], [0.02, 0.05, 0.05, 0.10, 0.30]
    return {"auc_value": auc(y, pd_hat), "ks_value": ks_statistic(y, pd_hat)}


def _sba_codes():
    from smecredit.sba import load_sba_case

    sba = load_sba_case()
    code = sba["RevLineCr"]
    return {"rate_0": float(sba.loc[code == "0", "Default"].mean()),
            "rate_n": float(sba.loc[code == "N", "Default"].mean())}


def _policy_score():
    from smecredit.scorecard import pd_from_score, score_from_pd

    return {"score_at_2pct": float(score_from_pd(0.02)), "pd_at_560": float(pd_from_score(560))}


IN_SHARE = "a share between 0 and 1, such as 0.05 for 5%"
EXERCISES = {exercise.label: exercise for exercise in [
    Exercise("ex-sme-markup", (
        Answer("markup_pct", "(a) the loan's markup over the benchmark, in percent", PERCENT),
        Answer("markup_2019_pct", "(b) the average markup the 2019 rate implies, in percent", PERCENT)), _sme_markup),
    Exercise("ex-case-mix", (
        Answer("sub_branch", "the name of the sub-branch, such as SB01", NAME),
        Answer("joint_share", f"its share of joint or mutual guarantees, {IN_SHARE}", SHARE),
        Answer("default_rate", f"its 12-month default rate, {IN_SHARE}", SHARE)), _case_mix),
    Exercise("ex-tour-units", (
        Answer("amount_yuan", "the amount lent, in yuan", YUAN),
        Answer("contract_rate_pct", "the contract rate, in percent a year", PERCENT)), _tour_units),
    Exercise("ex-tour-subbranch", (
        Answer("sub_branch", "the name of the sub-branch, such as SB01", NAME),
        Answer("n_loans", "the number of its loans", COUNT)), _tour_subbranch),
    Exercise("ex-defaults-fisher", (
        Answer("high_markup_rate", f"the default rate of the AA loans with a markup above 30%, {IN_SHARE}", SHARE),
        Answer("other_rate", f"the default rate of the other AA loans, {IN_SHARE}", SHARE),
        Answer("p_value", "the p-value of Fisher's exact test (two-sided)", SHARE)), _defaults_fisher),
    Exercise("ex-interviews-kappa", (
        Answer("code", "the code with the lowest kappa, as the agreement table names it", NAME),
        Answer("p_o", "the raw agreement p_o, between 0 and 1", SHARE, absolute_tolerance=0.0005),
        Answer("p_e", "the chance agreement p_e, between 0 and 1", SHARE, absolute_tolerance=0.0005),
        Answer("kappa", "Cohen's kappa", NUMBER, absolute_tolerance=0.005)), _interviews_kappa),
    Exercise("ex-interviews-rush", (
        Answer("december_rate", f"the 12-month default rate of the loans granted in December, {IN_SHARE}", SHARE),
        Answer("other_rate", f"the 12-month default rate of the loans granted in the other months, {IN_SHARE}",
               SHARE)), _interviews_rush),
    Exercise("ex-first-zero", (
        Answer("chance", f"the chance that at least one of the three looks significant in one book, {IN_SHARE}",
               SHARE, scale_hint=(20, "that looks like a number of books out of 20: give the chance for one book")),),
             _first_zero),
    Exercise("ex-valid-hand", (
        Answer("auc_value", "the AUC, between 0 and 1", SHARE),
        Answer("ks_value", "the KS statistic, between 0 and 1", SHARE)), _valid_hand),
    Exercise("ex-sba-codes", (
        Answer("rate_0", f"the default rate of the loans coded 0, {IN_SHARE}", SHARE),
        Answer("rate_n", f"the default rate of the loans coded N, to compare with, {IN_SHARE}", SHARE)), _sba_codes),
    Exercise("ex-policy-score", (
        Answer("score_at_2pct", "the score of a loan with a PD of 2%, in points", NUMBER, absolute_tolerance=0.05),
        Answer("pd_at_560", f"the PD a score of 560 stands for, {IN_SHARE}", SHARE)), _policy_score),
]}


def _significant_digits(text: str) -> int:
    """Significant digits of a number as Python writes it: "0.049" -> 2, "40.0" -> 2, "599.4" -> 4."""
    text = text.lstrip("-").removesuffix(".0")
    return len(text.replace(".", "").lstrip("0"))


def _decimals(text: str) -> int:
    return len(text.split(".")[1].rstrip("0")) if "." in text else 0


def _one_value(given):
    """A single value from what a student passed: a number, a string, or a one-element Series or array.
    Returns (value, None) or (None, message)."""
    if isinstance(given, (pd.Series, pd.DataFrame, pd.Index, np.ndarray, list, tuple)):
        values = np.asarray(given, dtype=object).ravel()
        if values.size != 1:
            return None, MESSAGES["several"].format(count=values.size)
        given = values[0]
    if isinstance(given, np.generic):
        given = given.item()
    return given, None


def _number_verdict(answer: Answer, given: float, right: float) -> tuple[bool, str]:
    if not math.isfinite(given):
        return False, MESSAGES["not_a_number"]
    if answer.kind in (COUNT, YUAN) and answer.absolute_tolerance is None:
        tolerance = 1e-9 * max(1.0, abs(right))
    elif answer.absolute_tolerance is not None:
        tolerance = answer.absolute_tolerance
    else:
        tolerance = RELATIVE_TOLERANCE * abs(right)
    if abs(given - right) <= tolerance + 1e-12:
        return True, MESSAGES["right"]
    text = repr(given)
    if "e" not in text and answer.kind not in (COUNT, YUAN):
        decimals = _decimals(text)
        if math.isclose(round(right, decimals), given, rel_tol=1e-9, abs_tol=1e-12):
            if _significant_digits(text) >= 2:
                return True, MESSAGES["rounded"]
            return False, MESSAGES["few_digits"]
    return False, _scale_hint(answer, given, right)


def _scale_hint(answer: Answer, given: float, right: float) -> str:
    """Not right yet, and if the number is off by its unit's factor (percent, 10k yuan), say so."""
    if right == 0 or given == 0:
        return MESSAGES["wrong"]
    ratio = given / right
    if answer.scale_hint is not None:
        factor, advice = answer.scale_hint
        if math.isclose(ratio, factor, rel_tol=0.1):
            return MESSAGES["scaled"].format(advice=advice)
    hints = {SHARE: (100, "percent"), PERCENT: (100, "percent"), YUAN: (10_000, "ten_thousand")}
    if answer.kind in hints:
        factor, key = hints[answer.kind]
        for scale, direction in ((factor, "large"), (1 / factor, "small")):
            if math.isclose(ratio, scale, rel_tol=0.02):
                return MESSAGES[key].format(direction=direction)
    return MESSAGES["wrong"]


def _verdict(answer: Answer, given, right) -> tuple[bool, str]:
    """(is it right, what to say) for one answer; never raises, so that no traceback shows the right value."""
    if given is ... or given is None:
        return False, MESSAGES["unanswered"]
    try:
        given, problem = _one_value(given)
        if problem:
            return False, problem
        if answer.kind == NAME:
            if not isinstance(given, str):
                return False, MESSAGES["not_a_name"]
            ok = given.strip().casefold() == str(right).casefold()
            return ok, MESSAGES["right"] if ok else MESSAGES["wrong"]
        if isinstance(given, (str, bytes, bool)):
            return False, MESSAGES["not_a_number"]
        return _number_verdict(answer, float(given), float(right))
    except Exception:  # a number too large for a float, an object that will not compare: not a number
        return False, MESSAGES["not_a_number"]


class Verdicts:
    """What ``check`` returns: shown as one line per answer; ``passed`` is True when all are right.
    It holds the verdicts only, never the right values."""

    def __init__(self, label: str, lines: list[tuple[Answer, bool, str]]):
        self.label = label
        self.lines = lines
        self.passed = all(ok for _, ok, _ in lines)

    def __repr__(self) -> str:
        width = max(len(answer.name) for answer, _, _ in self.lines)
        text = [MESSAGES["heading"].format(label=self.label)]
        for answer, ok, message in self.lines:
            text.append(f"  {'✓' if ok else '✗'} {answer.name:<{width}}  {message}")
            if not ok:
                text.append(f"    {'':<{width}}  ({MESSAGES['asks_for']} {answer.unit})")
        if self.passed:
            text.append(MESSAGES["all_right"])
        return "\n".join(text)


def check(label: str, **answers) -> Verdicts:
    """Check a student's answers to a self-checking exercise.

    Args:
        label: the exercise's label, as in the chapter (``"ex-tour-units"``); ``EXERCISES`` lists them.
        **answers: one keyword per part of the answer (``EXERCISES[label].answers`` lists them with their
            units; ``check_call(label)`` writes the call); ``...`` or None for a part not answered yet.

    Returns:
        ``Verdicts``, displayed as one line per answer (right, not right yet, not answered yet), with
        ``passed`` True when every part is right. The right values are never shown.

    Raises:
        KeyError: no exercise has this label (the message lists those that check themselves).
        TypeError: a keyword the exercise does not ask for, or one it asks for missing (the message
            names the keywords it asks for).
    """
    if label not in EXERCISES:
        raise KeyError(f"no self-checking exercise is labelled {label!r}; these are: {', '.join(EXERCISES)}")
    exercise = EXERCISES[label]
    names = [answer.name for answer in exercise.answers]
    unknown, missing = sorted(set(answers) - set(names)), [n for n in names if n not in answers]
    if unknown or missing:
        problem = "; ".join(filter(None, [f"it does not ask for {', '.join(unknown)}" if unknown else "",
                                          f"{', '.join(missing)} missing" if missing else ""]))
        raise TypeError(f"{label}: {problem}. Give each of: "
                        + ", ".join(f"{a.name}= ({a.unit})" for a in exercise.answers))
    right = exercise.right_values()
    return Verdicts(label, [(answer, *_verdict(answer, answers[answer.name], right[answer.name]))
                            for answer in exercise.answers])


def check_call(label: str) -> str:
    """The one-line call an exercise's text shows, ``check("ex-tour-units", amount_yuan=..., ...)``.
    Raises KeyError for an exercise that does not check itself."""
    return f'check("{label}", ' + ", ".join(f"{a.name}=..." for a in EXERCISES[label].answers) + ")"


CHECK_SENTENCE = ("In a notebook, check your answer with `{call}` (after "
                  "`from smecredit.exercises import check`), your values in place of the `...`.")


def answer_cell(label: str) -> str:
    """The code a student edition leaves under a self-checking exercise: every answer as ``...``, then
    the check. Raises KeyError for an exercise that does not check itself."""
    answers = EXERCISES[label].answers
    width = max(len(a.name) for a in answers) + 5
    lines = ["# Your answer: replace each ... with your value, then run this cell to check it.",
             "from smecredit.exercises import check", "", f'check("{label}",']
    lines += [f"      {(a.name + '=...,'):<{width}}  # {a.unit}" for a in answers]
    lines.append(")")
    return "\n".join(lines) + "\n"


__all__ = ["Answer", "CHECK_SENTENCE", "EXERCISES", "Exercise", "MESSAGES", "Verdicts", "answer_cell", "check",
           "check_call"]
