"""Self-checking exercises (smecredit.exercises): the right values agree with what each chapter's solution
computed and states, the verdicts say right, not yet (with a unit hint) and not answered yet as they
should, and the right values follow the loan book the student reads."""

from __future__ import annotations

import ast
import json
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from smecredit import exercises
from smecredit.exercises import EXERCISES, MESSAGES, answer_cell, check
from smecredit.prose import glued_values

ROOT = Path(__file__).resolve().parents[1]


def chapter(label: str) -> dict:
    """The chapter notebook that holds the exercise."""
    for path in sorted((ROOT / "book").glob("[0-9][0-9]-*.ipynb")):
        notebook = json.loads(path.read_text(encoding="utf-8"))
        if any(f":label: {label}\n" in "".join(c["source"]) for c in notebook["cells"]):
            return notebook
    raise AssertionError(f"no chapter has {label}")


def solution_text(notebook: dict, label: str) -> str:
    """The Markdown of an exercise's solution, from its solution-start to its solution-end."""
    text = "\n".join("".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "markdown")
    return re.search(rf"\{{solution-start\}} {label}\n(.*?)\{{solution-end\}}", text, re.S)[1]


def stored_output(notebook: dict, source_start: str) -> str:
    """The text/plain output stored for the code cell whose source starts so."""
    cell = next(c for c in notebook["cells"] if c["cell_type"] == "code" and "".join(c["source"]).startswith(source_start))
    return "".join(cell["outputs"][0]["data"]["text/plain"])


# What each solution computed (a glued value, times a factor where the solution states a share and the
# exercise asks for percent) or states in its text or its table.
GLUED = {
    "ex-sme-markup": {"markup_pct": ("ex_markup_a", 100), "markup_2019_pct": ("ex_markup_b", 100)},
    "ex-case-mix": {"sub_branch": ("joint_top_branch", None), "joint_share": ("joint_top_share", 1),
                    "default_rate": ("joint_top_rate", 1)},
    "ex-defaults-fisher": {"high_markup_rate": ("aa_high_rate", 1), "other_rate": ("aa_low_rate", 1),
                           "p_value": ("aa_fisher_p", 1)},
    "ex-interviews-rush": {"december_rate": ("ex_dec_rate", 1), "other_rate": ("ex_other_rate", 1)},
    "ex-interviews-kappa": {"p_e": ("ex_p_e", 1)},
    "ex-valid-hand": {"auc_value": ("hand_auc", 1), "ks_value": ("hand_ks", 1)},
    "ex-sba-codes": {"rate_0": ("rate_rev_0", 1), "rate_n": ("rate_rev_n", 1)},
    "ex-policy-score": {"pd_at_560": ("pd_at_560", 1)},
}


@pytest.mark.parametrize("label", sorted(GLUED))
def test_right_values_agree_with_what_the_solution_computed(label):
    values = glued_values(chapter(label))
    right = EXERCISES[label].right_values()
    for name, (glue_name, factor) in GLUED[label].items():
        stored = ast.literal_eval(values[glue_name])
        if factor is None:
            assert right[name] == stored, (label, name)
        else:  # glued values are stored to 8 significant digits
            assert math.isclose(right[name], factor * stored, rel_tol=1e-7, abs_tol=1e-12), (label, name, right[name])


def test_right_values_agree_with_what_the_solutions_state():
    units = solution_text(chapter("ex-tour-units"), "ex-tour-units")
    right = EXERCISES["ex-tour-units"].right_values()
    assert f"{right['amount_yuan']:,} yuan" in units and f"{right['contract_rate_pct']:.3f}%" in units

    notebook = chapter("ex-tour-subbranch")
    first_row = stored_output(notebook, 'by_branch = default_rate_table(loans, "sub_branch")').splitlines()[2].split()
    right = EXERCISES["ex-tour-subbranch"].right_values()
    assert first_row[:2] == [right["sub_branch"], str(right["n_loans"])]

    zero = solution_text(chapter("ex-first-zero"), "ex-first-zero")
    assert f"1 − 0.95³, about {EXERCISES['ex-first-zero'].right_values()['chance']:.0%}" in zero

    kappa = dict(line.rsplit(None, 1) for line in stored_output(chapter("ex-interviews-kappa"),
                                                               "row = agreement.iloc[-1]").splitlines()[:-1])
    right = EXERCISES["ex-interviews-kappa"].right_values()
    assert kappa["code"] == right["code"]
    assert [kappa[k] for k in ("p_o", "p_e", "kappa by hand", "kappa (statsmodels)")] == [
        f"{right[k]:.3f}" for k in ("p_o", "p_e", "kappa", "kappa")]

    score = stored_output(chapter("ex-policy-score"), "from smecredit.scorecard import pd_from_score")
    assert f"{EXERCISES['ex-policy-score'].right_values()['score_at_2pct']:.4f}" in score


def test_every_self_checking_exercise_exists_and_is_tested():
    labels = set(GLUED) | {"ex-tour-units", "ex-tour-subbranch", "ex-first-zero", "ex-interviews-kappa"}
    assert labels == set(EXERCISES)
    for label in EXERCISES:
        chapter(label)


def lines(verdict) -> list[tuple[str, bool, str]]:
    return [(answer.name, ok, message) for answer, ok, message in verdict.lines]


def test_verdicts():
    verdict = check("ex-tour-units", amount_yuan=850_000, contract_rate_pct=5.655)
    assert verdict.passed and repr(verdict).endswith(MESSAGES["all_right"])
    assert "850" not in repr(check("ex-tour-units", amount_yuan=1, contract_rate_pct=1)), "never shows the right value"

    assert lines(check("ex-tour-units", amount_yuan=85, contract_rate_pct=...)) == [
        ("amount_yuan", False, MESSAGES["ten_thousand"].format(direction="small")),
        ("contract_rate_pct", False, MESSAGES["unanswered"])]
    assert "(it asks for the amount lent, in yuan)" in repr(check("ex-tour-units", amount_yuan=85, contract_rate_pct=1))
    assert check("ex-tour-units", amount_yuan=850_000, contract_rate_pct=5.7).lines[1][2] == MESSAGES["rounded"]
    assert check("ex-tour-units", amount_yuan=850_000, contract_rate_pct=5.6).lines[1][2] == MESSAGES["wrong"]
    assert not check("ex-tour-units", amount_yuan=850_001, contract_rate_pct=5.655).passed, "yuan are counted exactly"

    rate = EXERCISES["ex-interviews-rush"].right_values()["december_rate"]  # 0.04897 in the committed book
    cases = {rate * 1.004: MESSAGES["right"], 100 * rate: MESSAGES["percent"].format(direction="large"),
             round(rate, 2): MESSAGES["few_digits"],  # 0.05: one significant digit is not enough
             0.06: MESSAGES["wrong"], float("nan"): MESSAGES["not_a_number"], 10**400: MESSAGES["not_a_number"],
             "0.049": MESSAGES["not_a_number"]}
    assert abs(round(rate, 2) / rate - 1) > exercises.RELATIVE_TOLERANCE
    for given, message in cases.items():
        line = check("ex-interviews-rush", december_rate=given, other_rate=None).lines[0]
        assert line[2] == message, (given, line)

    # numpy and pandas values of one element count as the value; several do not
    assert check("ex-interviews-rush", december_rate=np.float64(rate), other_rate=pd.Series([0.0447])).lines[0][1]
    assert check("ex-interviews-rush", december_rate=pd.Series([rate, rate]), other_rate=None).lines[0][2] == \
        MESSAGES["several"].format(count=2)

    assert check("ex-tour-subbranch", sub_branch=" sb15 ", n_loans=795).passed
    assert lines(check("ex-tour-subbranch", sub_branch=15, n_loans=7.95)) == [
        ("sub_branch", False, MESSAGES["not_a_name"]), ("n_loans", False, MESSAGES["wrong"])], "no unit hint on a count"
    assert not check("ex-tour-subbranch", sub_branch="SB15", n_loans=794).passed
    assert check("ex-sme-markup", markup_pct=40, markup_2019_pct=54).passed  # whole numbers to two digits

    # a score near 600 is judged to the point, not to 0.5% (600 is the slip of taking 1/PD as the odds)
    assert lines(check("ex-policy-score", score_at_2pct=600, pd_at_560=0.0741))[0] == ("score_at_2pct", False,
                                                                                    MESSAGES["wrong"])
    assert check("ex-policy-score", score_at_2pct=599.4, pd_at_560=0.074).passed
    # kappa's parts near 1: p_e 0.905 for 0.9085 is wrong, though within 0.5%; kappa from rounded parts is right
    assert not check("ex-interviews-kappa", code="policy_support", p_o=0.939, p_e=0.905, kappa=0.332).passed
    assert check("ex-interviews-kappa", code="policy_support", p_o=0.939, p_e=0.909, kappa=0.3297).passed
    # a count of books out of 20 where the chance for one book is asked
    assert check("ex-first-zero", chance=2.85).lines[0][2] == MESSAGES["scaled"].format(
        advice=EXERCISES["ex-first-zero"].answers[0].scale_hint[1])


def test_every_exercise_that_checks_itself_says_so_in_its_text():
    for path in sorted((ROOT / "book").glob("[0-9][0-9]-*.ipynb")):
        text = "\n".join("".join(c["source"]) for c in json.loads(path.read_text(encoding="utf-8"))["cells"]
                         if c["cell_type"] == "markdown")
        for label, body in re.findall(r"^:::\{exercise\}\n:label: (\S+)\n\n(.*?)\n:::", text, re.M | re.S):
            said = re.findall(r"check\(\"[^`]*\)", body)
            if label in EXERCISES:
                assert said == [exercises.check_call(label)], f"{path.name}, {label}: {said}"
                assert exercises.CHECK_SENTENCE.format(call=exercises.check_call(label)) in body
            else:
                assert not said, f"{path.name}, {label} does not check itself but says it does"


def test_misuse_is_named():
    with pytest.raises(KeyError, match="no self-checking exercise is labelled 'ex-nope'; these are: ex-sme-markup"):
        check("ex-nope", x=1)
    with pytest.raises(TypeError, match=r"ex-valid-hand: it does not ask for gini; ks_value missing\. Give each of: auc_value="):
        check("ex-valid-hand", auc_value=0.75, gini=0.5)


def test_the_answer_cell_runs_and_says_not_answered_yet():
    for label in EXERCISES:
        source = answer_cell(label)
        namespace: dict = {}
        tree = ast.parse(source)
        *setup, last = tree.body
        exec(compile(ast.Module(setup, []), label, "exec"), namespace)
        verdict = eval(compile(ast.Expression(last.value), label, "eval"), namespace)
        assert not verdict.passed and all(message == MESSAGES["unanswered"] for _, _, message in verdict.lines)
        assert verdict.label == label


def test_right_values_follow_the_students_loan_book(tmp_path, monkeypatch):
    """A student with a book of their own (smecredit.classroom) is checked against that book."""
    from smecredit.exploration import default_rate_table
    from smecredit.loading import load_loans
    from smecredit.simulate import simulate_loan_book

    simulate_loan_book(3000, seed=2117847071).to_csv(tmp_path / "loans.csv", index=False)
    monkeypatch.setenv("SMECREDIT_DATA", str(tmp_path))
    own = default_rate_table(load_loans(), "sub_branch").sort_values("rate", ascending=False)
    right = EXERCISES["ex-tour-subbranch"].right_values()
    assert (right["sub_branch"], right["n_loans"]) == (own.index[0], int(own["loans"].iloc[0]))
    # the folder holds the student's loans.csv alone (as smecredit.classroom writes it): every check still
    # runs, the statistics, the SBA case and the interviews coming from the book's own data
    for exercise in EXERCISES.values():
        assert set(exercise.right_values()) == {answer.name for answer in exercise.answers}
    monkeypatch.delenv("SMECREDIT_DATA")
    assert EXERCISES["ex-tour-subbranch"].right_values() != right


def test_messages_are_one_table():
    """Every message the verdicts use comes from MESSAGES (so that another edition can translate them)."""
    source = Path(exercises.__file__).read_text(encoding="utf-8")
    used = set(re.findall(r'MESSAGES\["(\w+)"\]', source)) | set(re.findall(r"MESSAGES\['(\w+)'\]", source))
    used |= {"percent", "ten_thousand"}  # looked up by key in _unit_hint
    assert used == set(MESSAGES)


def test_the_instructor_guide_shows_the_cell_the_edition_leaves():
    guide = (ROOT / "book" / "instructor-guide.md").read_text(encoding="utf-8")
    cell = answer_cell("ex-tour-units")
    assert cell.split("\n", 1)[1].strip() in guide, "the guide's example differs from exercises.answer_cell"
