"""The report's pure counting: hours of participation, and the anonymity rule under every
filter an organiser can choose (period, municipalities)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import UUID

from hypothesis import given, settings
from hypothesis import strategies as st

from reports.counting import (
    GENDERS,
    SUPPRESSED,
    Activity,
    Attendance,
    Report,
    build,
    participation_hours,
)

A, B = UUID(int=1), UUID(int=2)
MUNICIPALITIES = [("a", "A-by"), ("b", "B-by"), ("c", "C-by")]
START = date(2027, 1, 1)


def test_participation_hours_add_up_per_person_and_activity() -> None:
    hours = participation_hours(
        [
            (A.int, "p", timedelta(hours=2)),
            (A.int, "p", timedelta(minutes=90)),  # a second session of the same series
            (A.int, "q", timedelta(hours=2)),
            (B.int, "p", timedelta(minutes=20)),
        ]
    )
    assert hours == {(A.int, "p"): 3.5, (A.int, "q"): 2.0, (B.int, "p"): 0.33}


def _activity(i: int, municipality: str, day: int) -> Activity:
    when = datetime(2027, 1, 1, 9, tzinfo=UTC) + timedelta(days=day)
    return Activity(
        id=UUID(int=100 + i),
        day=when.date(),
        starts_at=when,
        title=f"Aktivitet {i}",
        kind="seminar",
        mode="offline",
        place="",
        municipality=municipality,
        municipality_name=municipality.upper(),
        hours=2.0,
    )


people = st.lists(
    st.tuples(
        st.integers(0, 5),  # which activity
        st.integers(0, 9),  # which person
        st.sampled_from(["", *GENDERS]),
        st.sampled_from(["", "5560360793", "5591234560", "5566778899"]),
    ),
    max_size=40,
)
activities = st.lists(
    st.tuples(st.sampled_from(["a", "b", "c"]), st.integers(0, 364)), min_size=6, max_size=6
)


def _every_count(report: Report) -> list[int | str]:
    counts: list[int | str] = []
    for m in report.by_municipality:
        counts += [m.participants, m.persons, m.companies]
    for shares in (report.by_sector, report.by_size_band, report.by_gender):
        counts += [s.count for s in shares]
    return counts


@settings(max_examples=200, deadline=None)
@given(
    activities,
    people,
    st.integers(0, 364),
    st.integers(0, 364),
    st.sets(st.sampled_from(["a", "b", "c"]), min_size=1),
)
def test_no_filter_shows_a_count_of_one_or_two_nor_a_lone_gender(
    places: list[tuple[str, int]],
    came: list[tuple[int, int, str, str]],
    first: int,
    length: int,
    chosen: set[str],
) -> None:
    every = [_activity(i, m, d) for i, (m, d) in enumerate(places)]
    start, end = START + timedelta(days=first), START + timedelta(days=first + length)
    # What the service does for a filter: the activities of the period and municipalities.
    held = [a for a in every if start <= a.day <= end and a.municipality in chosen]
    attendances = [
        Attendance(
            activity=every[i].id,
            person=f"p{p}@example.se",
            at=datetime(2027, 1, 1, tzinfo=UTC) + timedelta(minutes=n),
            org_number=org,
            gender=g,
        )
        for n, (i, p, g, org) in enumerate(came)
    ]
    report = build(held, attendances, [], [m for m in MUNICIPALITIES if m[0] in chosen])
    for count in _every_count(report):
        assert count == SUPPRESSED or count == 0 or count >= 3
    # Gender: a count is shown only from 3 up, and 0 is hidden too; the number who answered is
    # not shown, so one person's answer can be had neither from a cell nor by subtraction.
    shown = [s.count for s in report.by_gender]
    assert all(c == SUPPRESSED or (isinstance(c, int) and c >= 3) for c in shown)
    answered = {a.person for a in attendances if a.gender and a.activity in {h.id for h in held}}
    if len(answered) < 3:
        assert shown == [SUPPRESSED] * len(GENDERS)
    assert not hasattr(report, "answered")
    # The same inputs, the same numbers.
    assert build(held, attendances, [], [m for m in MUNICIPALITIES if m[0] in chosen]) == report
