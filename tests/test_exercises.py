"""Self-checking exercises (smecredit.exercises): the right values agree with what each chapter's solution
computed and states, the verdicts say right, not yet (with a unit hint) and not answered yet as they
should, and the right values follow the loan book the student reads."""

from __future__ import annotations

import ast
import json
import math
import re
from pathlib import Path

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
    "ex-defaults-fisher": {"loans": ("aa_high_loans", 1), "defaults": ("aa_high_defaults", 1),
                           "p_value": ("aa_fisher_p", 1)},
    "ex-interviews-rush": {"december_rate": ("ex_dec_rate", 1), "other_rate": ("ex_other_rate", 1)},
    "ex-interviews-kappa": {"p_e": ("ex_p_e", 1)},
    "ex-valid-hand": {"auc": ("hand_auc", 1), "ks": ("hand_ks", 1)},
    "ex-sba-codes": {"rate_0": ("rate_rev_0", 1), "rate_n": ("rate_rev_n", 1)},
    "ex-policy-score": {"pd": ("pd_at_560", 1)},
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
    assert first_row[:2] == [right["sub_branch"], str(right["loans"])]

    zero = solution_text(chapter("ex-first-zero"), "ex-first-zero")
    assert f"1 − 0.95³, about {EXERCISES['ex-first-zero'].right_values()['chance']:.0%}" in zero

    kappa = dict(line.rsplit(None, 1) for line in stored_output(chapter("ex-interviews-kappa"),
                                                               "row = agreement.iloc[-1]").splitlines()[:-1])
    right = EXERCISES["ex-interviews-kappa"].right_values()
    assert kappa["code"] == right["code"]
    assert [kappa[k] for k in ("p_o", "p_e", "kappa by hand", "kappa (statsmodels)")] == [
        f"{right[k]:.3f}" for k in ("p_o", "p_e", "kappa", "kappa")]

    score = stored_output(chapter("ex-policy-score"), "from smecredit.scorecard import pd_from_score")
    assert f"{EXERCISES['ex-policy-score'].right_values()['score']:.4f}" in score


def test_every_self_checking_exercise_exists_and_is_tested():
    labels = set(GLUED) | {"ex-tour-units", "ex-tour-subbranch", "ex-first-zero", "ex-interviews-kappa"}
    assert labels == set(EXERCISES)
    for label in EXERCISES:
        chapter(label)


def test_verdicts():
    verdict = check("ex-tour-units", amount_yuan=850_000, contract_rate_pct=5.655)
    assert verdict.passed and repr(verdict).endswith(MESSAGES["all_right"])
    assert "850" not in repr(check("ex-tour-units", amount_yuan=1, contract_rate_pct=1)), "never shows the right value"

    verdict = check("ex-tour-units", amount_yuan=85, contract_rate_pct=...)
    assert not verdict.passed
    assert [(a.name, ok, message) for a, ok, message in verdict.lines] == [
        ("amount_yuan", False, MESSAGES["ten_thousand"].format(direction="small")),
        ("contract_rate_pct", False, MESSAGES["unanswered"])]
    assert "(it asks for yuan lent)" in repr(verdict)

    assert check("ex-tour-units", amount_yuan=850_000, contract_rate_pct=5.7).lines[1][2] == MESSAGES["rounded"]
    assert check("ex-tour-units", amount_yuan=850_000, contract_rate_pct=5.6).lines[1][2] == MESSAGES["wrong"]
    rate = EXERCISES["ex-interviews-rush"].right_values()["december_rate"]  # 0.04897 in the committed book
    cases = {rate * 1.004: MESSAGES["right"], 100 * rate: MESSAGES["percent"].format(direction="large"),
             round(rate, 2): MESSAGES["wrong"],  # 0.05: one significant digit is not enough
             0.06: MESSAGES["wrong"]}
    assert abs(round(rate, 2) / rate - 1) > exercises.RELATIVE_TOLERANCE
    for given, message in cases.items():
        line = check("ex-interviews-rush", december_rate=given, other_rate=None).lines[0]
        assert line[2] == message, (given, line)

    assert check("ex-tour-subbranch", sub_branch=" sb15 ", loans=795).passed
    assert not check("ex-tour-subbranch", sub_branch="SB15", loans=794).passed
    assert check("ex-tour-subbranch", sub_branch="SB15", loans="many").lines[1][2] == MESSAGES["not_a_number"]
    assert check("ex-sme-markup", markup_pct=40, markup_2019_pct=54).passed  # whole numbers to two digits


def test_misuse_is_named():
    with pytest.raises(KeyError, match="no self-checking exercise is labelled 'ex-nope'; these are: ex-sme-markup"):
        check("ex-nope", x=1)
    with pytest.raises(TypeError, match=r"ex-valid-hand: it does not ask for gini; ks missing\. Give each of: auc="):
        check("ex-valid-hand", auc=0.75, gini=0.5)


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
    assert (right["sub_branch"], right["loans"]) == (own.index[0], int(own["loans"].iloc[0]))
    monkeypatch.delenv("SMECREDIT_DATA")
    assert EXERCISES["ex-tour-subbranch"].right_values() != right


def test_messages_are_one_table():
    """Every message the verdicts use comes from MESSAGES (so that another edition can translate them)."""
    source = Path(exercises.__file__).read_text(encoding="utf-8")
    used = set(re.findall(r'MESSAGES\["(\w+)"\]', source)) | set(re.findall(r"MESSAGES\['(\w+)'\]", source))
    used |= {"percent", "ten_thousand"}  # looked up by key in _unit_hint
    assert used == set(MESSAGES)
