"""The completion rule of a course, on its own (pure functions)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from registrations.completion import Rule, completed, hours_text, minutes


def test_three_of_four_and_the_exam() -> None:
    rule = Rule(sessions=4, min_sessions=3)
    assert not completed(rule, 2, exam_passed=False)
    assert completed(rule, 3, exam_passed=False)
    exam = Rule(sessions=4, min_sessions=3, requires_exam=True)
    assert not completed(exam, 4, exam_passed=False)
    assert completed(exam, 3, exam_passed=True)
    # No number given: every session that takes place.
    assert not completed(Rule(sessions=4), 3, exam_passed=True)
    assert completed(Rule(sessions=4), 4, exam_passed=False)
    # More asked than take place (sessions were cancelled): all that take place.
    assert completed(Rule(sessions=2, min_sessions=3), 2, exam_passed=False)
    # A single event: checked in or not.
    assert completed(Rule(sessions=1), 1, False) and not completed(Rule(sessions=1), 0, False)


@given(
    sessions=st.integers(1, 30),
    min_sessions=st.none() | st.integers(1, 30),
    requires_exam=st.booleans(),
    attended=st.integers(0, 30),
    exam=st.booleans(),
)
def test_properties(
    sessions: int, min_sessions: int | None, requires_exam: bool, attended: int, exam: bool
) -> None:
    rule = Rule(sessions, min_sessions, requires_exam)
    done = completed(rule, attended, exam)
    # Monotone: one more session or a passed exam never takes completion away.
    assert not done or completed(rule, attended + 1, exam)
    assert not done or completed(rule, attended, True)
    # Attending every session with a passed exam always completes; nothing attended never does.
    assert completed(rule, sessions, True)
    assert not completed(rule, 0, exam)
    if requires_exam and not exam:
        assert not done


def test_minutes_and_hours() -> None:
    t = datetime(2027, 3, 4, 8, 0, tzinfo=UTC)
    spans = [
        (t, t + timedelta(hours=3)),
        (t + timedelta(days=7), t + timedelta(days=7, hours=4, minutes=30)),
    ]
    assert minutes(spans) == 450
    assert minutes(spans + spans[:1]) == 450  # a span counted once
    assert hours_text(450) == "7,5" and hours_text(450, "en") == "7.5"
    assert hours_text(180) == "3" and hours_text(200) == "3,33"
