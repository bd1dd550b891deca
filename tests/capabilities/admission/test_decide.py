"""The pure decisions of the door, without a database: codes, answers, levels."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hearthkeeper.capabilities.admission.decide import (
    CODE_ALPHABET,
    Answered,
    CodeOutcome,
    answers_of,
    judge_answers,
    judge_code,
    level_reached,
    new_code,
    normalise_code,
)
from hearthkeeper.capabilities.admission.records import InviteCode

NOW = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)


def code(**changes: object) -> InviteCode:
    values: dict[str, object] = dict(id=1, community_id=1, code="SPRING", label="poster",
                                     max_uses=2, uses=0, expires_at=NOW + timedelta(days=1),
                                     revoked_at=None, created_by="cli", created_at=NOW)  # fmt: skip
    values.update(changes)
    return InviteCode(**values)  # type: ignore[arg-type]


def test_a_code_admits_until_it_is_used_up_expired_or_revoked() -> None:
    assert judge_code(code(), "SPRING", False, NOW) is CodeOutcome.ADMIT
    assert judge_code(None, "", False, NOW) is CodeOutcome.MISSING
    assert judge_code(None, "SPRNG", False, NOW) is CodeOutcome.UNKNOWN
    assert judge_code(code(uses=2), "SPRING", False, NOW) is CodeOutcome.USED_UP
    assert judge_code(code(expires_at=NOW), "SPRING", False, NOW) is CodeOutcome.EXPIRED
    assert judge_code(code(revoked_at=NOW), "SPRING", False, NOW) is CodeOutcome.REVOKED
    assert judge_code(code(max_uses=None, expires_at=None, uses=10**6), "SPRING", False,
                      NOW) is CodeOutcome.ADMIT  # fmt: skip


def test_someone_a_code_let_in_asks_again_and_is_let_in_without_a_second_use() -> None:
    assert judge_code(code(uses=2), "SPRING", True, NOW) is CodeOutcome.ADMIT
    assert judge_code(code(expires_at=NOW), "SPRING", True, NOW) is CodeOutcome.ADMIT
    assert judge_code(code(revoked_at=NOW), "SPRING", True, NOW) is CodeOutcome.REVOKED


def test_codes_are_read_as_typed_and_made_easy_to_type() -> None:
    assert normalise_code("  spring ") == "SPRING"
    assert normalise_code(None) == ""
    made = {new_code() for _ in range(50)}
    assert len(made) == 50
    assert all(len(c) == 8 and set(c) <= set(CODE_ALPHABET) for c in made)
    assert not set("0O1IL") & set(CODE_ALPHABET)


def test_an_application_needs_every_question_answered_or_one_answer_for_all() -> None:
    questions = ["Who nominated you?", "What do you do?"]
    assert judge_answers(questions, []) is Answered.NONE
    assert judge_answers(questions, ["  ", ""]) is Answered.NONE
    assert judge_answers(questions, ["Ann", " "]) is Answered.PARTLY
    assert judge_answers(questions, ["Ann", "Architect"]) is Answered.FULLY
    assert judge_answers(questions, ["Ann nominated me; I am an architect"]) is Answered.FULLY
    one = ["Ann nominated me; I am an architect"]  # from a form with a field per question
    assert judge_answers(questions, one, per_question=True) is Answered.PARTLY
    assert judge_answers([], []) is Answered.FULLY
    assert answers_of(questions, [" Ann ", "x" * 5000, "extra"]) == ("Ann", "x" * 2000)


def test_a_level_is_reached_at_or_above_the_one_needed() -> None:
    pyramid = ["newcomer", "student", "monitor"]
    assert level_reached(pyramid, "student", "student")
    assert level_reached(pyramid, "student", "monitor")
    assert not level_reached(pyramid, "student", "newcomer")
    assert not level_reached(pyramid, "student", None), "never placed: the bottom level"
    assert level_reached(pyramid, "newcomer", None)
    assert not level_reached(pyramid, "dean", "monitor")
