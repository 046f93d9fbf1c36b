"""No combination of filters reveals one person's answer (hypothesis, on the pure grouping):
every group shown has 3 answers or more, free texts appear only there, and an event with fewer
than 3 answers changes no shown number at all (so no difference of two results isolates it)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from evaluations.rows import FollowUpResultRow, ResultRow
from evaluations.schemas import MIN_GROUP, Question, ResultGroup, ResultList
from evaluations.service import group_results
from evaluations.statuses import GroupBy, QuestionKind

EVENTS = [uuid.UUID(int=i + 1) for i in range(5)]
PLACES = [(uuid.UUID(int=100), "Åsele"), (uuid.UUID(int=101), "Arvidsjaur")]
TOPICS = ["e-commerce", "export", "tourism"]
MONTHS = [datetime(2027, m, 15, 12, tzinfo=UTC) for m in (3, 4)]
QUESTIONS = {
    e: [
        Question(id="q1", kind=QuestionKind.SCALE, text="Lokalen?"),
        Question(id="q2", kind=QuestionKind.CHOICE, text="Hur?", options=["A", "B"]),
        Question(id="q3", kind=QuestionKind.TEXT, text="Mer?"),
    ]
    for e in EVENTS
}


def _where(i: int) -> dict[str, Any]:
    """Each event has one fixed place, topics and end (filters select whole events)."""
    place, name = PLACES[i % 2]
    return {
        "event": EVENTS[i],
        "event_title": f"Event {i}",
        "event_topics": " " + " ".join(TOPICS[: 1 + i % 3]) + " ",
        "municipality": place,
        "municipality_name": name,
        "ends_at": MONTHS[i % 2],
        "timezone": "Europe/Stockholm",
    }


answers = st.builds(
    lambda i, o, r, t, c, q1, q2, q3: ResultRow(
        **_where(i),
        overall=o,
        relevance=r,
        next_step=t,
        topics=" export ",
        wants_follow_up_contact=c,
        custom="{"
        + ",".join(
            part
            for part in (
                f'"q1":{q1}' if q1 else "",
                f'"q2":"{q2}"' if q2 else "",
                f'"q3":"{q3}"' if q3 else "",
            )
            if part
        )
        + "}",
    ),
    st.integers(0, len(EVENTS) - 1),
    st.integers(1, 5),
    st.integers(1, 5),
    st.sampled_from(["", "text a", "text b"]),
    st.booleans(),
    st.sampled_from([0, 1, 5]),
    st.sampled_from(["", "A", "B"]),
    st.sampled_from(["", "x", "y"]),
)
follow_ups = st.builds(
    lambda i, u, t: FollowUpResultRow(**_where(i), used=u, text=t),
    st.integers(0, len(EVENTS) - 1),
    st.sampled_from(["yes", "partly", "no"]),
    st.sampled_from(["", "fu a"]),
)
filters = st.fixed_dictionaries(
    {
        "by": st.sampled_from(list(GroupBy)),
        "event": st.none() | st.sampled_from(EVENTS),
        "municipality": st.none() | st.sampled_from([p for p, _ in PLACES]),
        "month": st.none() | st.sampled_from(MONTHS),
        "topic": st.none() | st.sampled_from(TOPICS),
    }
)


def _filtered(rows: list[Any], f: dict[str, Any]) -> list[Any]:
    """What the database's filters (event, municipality, period) leave."""
    return [
        r
        for r in rows
        if (f["event"] is None or r.event == f["event"])
        and (f["municipality"] is None or r.municipality == f["municipality"])
        and (f["month"] is None or r.ends_at == f["month"])
    ]


def _check_group(g: ResultGroup) -> None:
    if g.suppressed:
        assert g.answers is None and g.overall is None and g.relevance is None
        assert g.next_steps is None and g.topics_wanted is None and g.custom is None
        assert g.wants_follow_up_contact is None
    else:
        assert g.answers is not None and g.answers >= MIN_GROUP
        assert g.overall is not None and sum(g.overall.distribution) == g.answers
        assert g.next_steps is not None and len(g.next_steps) <= g.answers
        for c in g.custom or []:
            if c.answers:
                assert c.answers >= MIN_GROUP
            else:
                assert c.scale is None and c.choices is None and c.texts is None
    if g.follow_up is not None:
        assert g.follow_up.answers >= MIN_GROUP
        assert g.follow_up.yes + g.follow_up.partly + g.follow_up.no == g.follow_up.answers


def _shown(result: ResultList) -> list[Any]:
    """Every number and text shown, except the small events' own (suppressed) entries."""
    return [
        (g.key, g.answers, g.overall, g.relevance, g.next_steps, g.custom, g.follow_up)
        for g in [*result.items, result.total]
        if not g.suppressed or g.follow_up is not None
    ]


@settings(max_examples=300, deadline=None)
@given(st.lists(answers, max_size=30), st.lists(follow_ups, max_size=15), filters)
def test_no_filter_reveals_one_answer(
    rows: list[ResultRow], follows: list[FollowUpResultRow], f: dict[str, Any]
) -> None:
    result = group_results(
        _filtered(rows, f), _filtered(follows, f), f["by"], "sv", QUESTIONS, f["topic"]
    )
    for g in [*result.items, result.total]:
        _check_group(g)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(answers, max_size=30),
    st.lists(follow_ups, max_size=15),
    filters,
    st.integers(0, len(EVENTS) - 1),
    st.integers(1, MIN_GROUP - 1),
)
def test_a_small_event_changes_nothing_shown(
    rows: list[ResultRow],
    follows: list[FollowUpResultRow],
    f: dict[str, Any],
    event: int,
    extra: int,
) -> None:
    """Add answers of a new event of 1-2 people: nothing already shown changes (an attacker
    comparing results with and without it, or of two filters, learns nothing about them)."""
    rows = [r for r in rows if r.event != EVENTS[event]]
    follows = [r for r in follows if r.event != EVENTS[event]]
    newcomers = [
        ResultRow(
            **_where(event),
            overall=1,
            relevance=1,
            next_step="secret",
            topics="",
            wants_follow_up_contact=True,
            custom="{}",
        )
    ] * extra
    before = group_results(
        _filtered(rows, f), _filtered(follows, f), f["by"], "sv", QUESTIONS, f["topic"]
    )
    after = group_results(
        _filtered(rows + newcomers, f), _filtered(follows, f), f["by"], "sv", QUESTIONS, f["topic"]
    )
    assert _shown(before) == _shown(after)
    assert all("secret" not in (g.next_steps or []) for g in [*after.items, after.total])
