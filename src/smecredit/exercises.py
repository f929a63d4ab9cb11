"""Self-checking exercises: ``check(label, **answers)`` says whether a student's numbers are right.

The exercises with a number (or a name) to find can check themselves. The student edition of the
chapters (``make student``) leaves a cell under each of them, ready to fill in::

    from smecredit.exercises import check

    check("ex-tour-units",
          amount_yuan=...,        # yuan lent
          contract_rate_pct=...,  # contract rate, percent a year
    )

and the cell prints a verdict for each answer: right, not yet (with a hint when the unit looks
wrong), or not answered yet while it is still ``...``. The right values are computed when the cell
runs, from the data the chapter reads (``load_loans()`` honours ``SMECREDIT_DATA``), so a class with
a loan book per student (``smecredit.classroom``) checks each student against their own book. The
check never prints the right value; the solutions are in the web book and the full notebooks.

A number is right when it is within 0.5% of the right value (1e-9 for exact counts and names), or
when it equals the right value rounded to the decimals the student typed, given at least two
significant digits (0.049 for 0.0490, 5.7 for 5.655).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

RELATIVE_TOLERANCE = 0.005
# What a verdict says, in one place so that an edition in another language can replace them.
MESSAGES = {
    "heading": "Exercise {label}",
    "right": "right",
    "rounded": "right, to the digits you gave",
    "wrong": "not yet",
    "unanswered": "not answered yet: replace the ... with your answer",
    "percent": "not yet: it looks 100 times too {direction}; check the unit",
    "ten_thousand": "not yet: it looks 10,000 times too {direction}; check the unit (10k yuan = 10,000 yuan)",
    "not_a_number": "not yet: this asks for a number",
    "asks_for": "it asks for",
    "all_right": "All right.",
}


@dataclass(frozen=True)
class Answer:
    """One part of an exercise's answer: the keyword the student passes, and what it is, with its unit."""

    name: str
    unit: str
    exact: bool = False  # a count or a name: no tolerance


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
    return {"sub_branch": str(table.index[0]), "loans": int(table["loans"].iloc[0])}


def _defaults_fisher():
    from scipy.stats import fisher_exact

    loans = _loans()
    aa = loans[loans["internal_rating"] == "AA"]
    high = aa["markup_pct"] > 30
    defaults = aa["default_12m"].astype(bool)
    table = [[int((high & defaults).sum()), int((high & ~defaults).sum())],
             [int((~high & defaults).sum()), int((~high & ~defaults).sum())]]
    return {"loans": int(high.sum()), "defaults": table[0][0], "p_value": float(fisher_exact(table).pvalue)}


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
    return {"auc": auc(y, pd_hat), "ks": ks_statistic(y, pd_hat)}


def _sba_codes():
    from smecredit.sba import load_sba_case

    sba = load_sba_case()
    code = sba["RevLineCr"]
    return {"rate_0": float(sba.loc[code == "0", "Default"].mean()),
            "rate_n": float(sba.loc[code == "N", "Default"].mean())}


def _policy_score():
    from smecredit.scorecard import pd_from_score, score_from_pd

    return {"score": float(score_from_pd(0.02)), "pd": float(pd_from_score(560))}


SHARE = "a share between 0 and 1 (0.05 for 5%)"
EXERCISES = {exercise.label: exercise for exercise in [
    Exercise("ex-sme-markup", (Answer("markup_pct", "(a) the markup, percent over the benchmark"),
                               Answer("markup_2019_pct", "(b) the 2019 average markup, percent")), _sme_markup),
    Exercise("ex-case-mix", (Answer("sub_branch", "the sub-branch's name, such as SB01", exact=True),
                             Answer("joint_share", f"its share of joint or mutual guarantees, {SHARE}"),
                             Answer("default_rate", f"its 12-month default rate, {SHARE}")), _case_mix),
    Exercise("ex-tour-units", (Answer("amount_yuan", "yuan lent", exact=True),
                               Answer("contract_rate_pct", "the contract rate, percent a year")), _tour_units),
    Exercise("ex-tour-subbranch", (Answer("sub_branch", "the sub-branch's name, such as SB01", exact=True),
                                   Answer("loans", "its number of loans", exact=True)), _tour_subbranch),
    Exercise("ex-defaults-fisher", (Answer("loans", "AA loans with a markup above 30%", exact=True),
                                    Answer("defaults", "how many of them defaulted", exact=True),
                                    Answer("p_value", "Fisher's exact test, two-sided p-value")), _defaults_fisher),
    Exercise("ex-interviews-kappa", (Answer("code", "the code with the lowest kappa, as the agreement table names it", exact=True),
                                     Answer("p_o", "the raw agreement, between 0 and 1"),
                                     Answer("p_e", "the chance agreement, between 0 and 1"),
                                     Answer("kappa", "Cohen's kappa")), _interviews_kappa),
    Exercise("ex-interviews-rush", (Answer("december_rate", f"12-month default rate of December loans, {SHARE}"),
                                    Answer("other_rate", f"that of the other months' loans, {SHARE}")),
             _interviews_rush),
    Exercise("ex-first-zero", (Answer("chance", f"chance that at least one of the three looks significant, {SHARE}"),),
             _first_zero),
    Exercise("ex-valid-hand", (Answer("auc", "the AUC, between 0 and 1"), Answer("ks", "the KS, between 0 and 1")),
             _valid_hand),
    Exercise("ex-sba-codes", (Answer("rate_0", f"default rate of loans coded 0, {SHARE}"),
                              Answer("rate_n", f"default rate of loans coded N, {SHARE}")), _sba_codes),
    Exercise("ex-policy-score", (Answer("score", "the score of a loan with a PD of 2%"),
                                 Answer("pd", f"the PD a score of 560 stands for, {SHARE}")), _policy_score),
]}


def _typed_to_the_digits(given: float, right: float) -> bool:
    """Whether ``given`` is ``right`` rounded to the decimals typed, with at least two significant digits."""
    text = repr(float(given))
    if "e" in text or "inf" in text or "nan" in text:
        return False
    decimals = len(text.split(".")[1].rstrip("0")) if "." in text else 0
    significant = len(text.replace("-", "").replace(".", "").lstrip("0").rstrip("0") or "")
    if significant < 2 and abs(given) >= 1:  # a whole number such as 40 or 600 is two digits or more
        significant = len(str(int(abs(given))))
    return significant >= 2 and math.isclose(round(right, decimals), given, rel_tol=1e-9, abs_tol=1e-12)


def _verdict(answer: Answer, given, right) -> tuple[bool, str]:
    """(is it right, what to say) for one answer."""
    if given is ... or given is None:
        return False, MESSAGES["unanswered"]
    if isinstance(right, str):
        return (str(given).strip().casefold() == right.casefold(),
                MESSAGES["right"] if str(given).strip().casefold() == right.casefold() else MESSAGES["wrong"])
    try:
        given = float(given)
    except (TypeError, ValueError):
        return False, MESSAGES["not_a_number"]
    if answer.exact:
        ok = math.isclose(given, right, rel_tol=1e-9, abs_tol=1e-9)
        return ok, MESSAGES["right"] if ok else _unit_hint(answer, given, right)
    if math.isclose(given, right, rel_tol=RELATIVE_TOLERANCE, abs_tol=1e-12):
        return True, MESSAGES["right"]
    if _typed_to_the_digits(given, right):
        return True, MESSAGES["rounded"]
    return False, _unit_hint(answer, given, right)


def _unit_hint(answer: Answer, given: float, right: float) -> str:
    """Not yet, and if the number is off by a unit's factor (percent, 10k yuan), say so."""
    if right != 0 and given != 0:
        for factor, key in ((100, "percent"), (10_000, "ten_thousand")):
            for ratio, direction in ((factor, "large"), (1 / factor, "small")):
                if math.isclose(given / right, ratio, rel_tol=0.02):
                    return MESSAGES[key].format(direction=direction)
    return MESSAGES["wrong"]


class Verdicts:
    """What ``check`` returns: shown as one line per answer; ``passed`` is True when all are right."""

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
        **answers: one keyword per part of the answer (``exercise_answers(label)`` lists them with their
            units); ``...`` or None for a part not answered yet.

    Returns:
        ``Verdicts``, displayed as one line per answer (right, not yet, not answered yet), with
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


def exercise_answers(label: str) -> tuple[Answer, ...]:
    """The parts of an exercise's answer (keyword and unit), or () when it does not check itself."""
    exercise = EXERCISES.get(label)
    return exercise.answers if exercise else ()


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


__all__ = ["Answer", "EXERCISES", "Exercise", "MESSAGES", "Verdicts", "answer_cell", "check", "exercise_answers"]
