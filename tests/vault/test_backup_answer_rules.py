"""Pure backup-answer rules: normalisation, question ids, and the R16 fold over attempts."""

from __future__ import annotations

import pytest

from bot.domain.backup_answer import (
    MAX_ANSWER_LENGTH,
    InteractionAttempt,
    answer_material,
    check_answer,
    new_pin_required,
    normalise_answer,
)
from bot.domain.backup_question import configured_questions, find_question, question_id

QUESTIONS = ("What was the name of your first pet?", "What was your childhood nickname?")
PIN_FAIL = InteractionAttempt("pin", failed=True)
ANSWER_FAIL = InteractionAttempt("backup_answer", failed=True)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("  Mr.   WHISKERS ", "mr. whiskers"),
        ("Stra\u00dfe\tNord", "strasse nord"),
        ("\uff32\uff45\uff58", "rex"),
        ("\u00a0Rex\n", "rex"),
    ],
)
def test_answers_are_case_folded_and_whitespace_collapsed(given: str, expected: str) -> None:
    """Case, width and runs of whitespace never decide whether an answer matches."""
    assert normalise_answer(given) == expected


def test_the_hashed_material_is_labelled_apart_from_a_pin() -> None:
    """The hasher never sees an answer in the same form as a PIN of the same characters."""
    assert answer_material("1234") != "1234"
    assert answer_material(" REX ").endswith("rex")


def test_empty_and_overlong_answers_are_refused_without_quoting_them() -> None:
    """An empty or overlong answer is refused with a reason that does not repeat it."""
    assert check_answer(" \t\n") is not None
    long = "x" * (MAX_ANSWER_LENGTH + 1)
    reason = check_answer(long)
    assert reason is not None and long not in reason
    assert check_answer("Rex") is None


def test_question_ids_are_stable_and_resolved_by_id_or_position() -> None:
    """Ids ignore case and spacing; the CLI may name a question by id or 1-based position."""
    assert question_id("What was your  childhood NICKNAME?") == question_id(QUESTIONS[1])
    listed = configured_questions(QUESTIONS)
    assert [q.id for q in listed] == [question_id(q) for q in QUESTIONS]
    assert find_question(QUESTIONS, "2") == listed[1]
    assert find_question(QUESTIONS, listed[0].id.upper()) == listed[0]
    assert find_question(QUESTIONS, "3") is None
    assert find_question(QUESTIONS, "q-0000000000") is None


@pytest.mark.parametrize(
    ("attempts", "required"),
    [
        ([PIN_FAIL], False),
        ([ANSWER_FAIL], False),
        ([PIN_FAIL, PIN_FAIL], False),
        ([PIN_FAIL, ANSWER_FAIL], True),
        ([ANSWER_FAIL, PIN_FAIL], True),
        ([PIN_FAIL, InteractionAttempt("pin", verified=True), ANSWER_FAIL], False),
        ([PIN_FAIL, ANSWER_FAIL, InteractionAttempt("new_pin")], False),
        ([PIN_FAIL, InteractionAttempt("backup_answer"), InteractionAttempt("pin")], False),
    ],
)
def test_r16_needs_both_factors_failed_since_the_last_success_or_new_pin(
    attempts: list[InteractionAttempt], required: bool
) -> None:
    """R16: a wrong PIN and a wrong answer require a new PIN; unevaluated refusals do not count."""
    assert new_pin_required(attempts) is required
