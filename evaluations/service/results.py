"""Anonymous results: per event, topic, municipality or month, under filters of the same.

Every number shown stands for at least `MIN_GROUP` (3) answers: a group with fewer says only
that it has fewer than three (no count, no average, no text); the follow-up's answers, and each
of the organiser's own questions, are suppressed on their own the same way. An event with fewer
than three answers counts in no group and no total at all, so that no two results differ by
one person's answer (every filter selects whole events). Free texts are
shown only in groups that are shown, sorted (not in the order given), never beside a name.
Results read no registration: answers carry no person (see `evaluations.tables`).

`group_results` is pure (tested on its own, with hypothesis); `results` adds the rights (the
organiser's municipalities) and reads the rows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar
from uuid import UUID

import msgspec

from evaluations import queries
from evaluations.rows import FollowUpResultRow, ResultRow, Where
from evaluations.schemas import (
    MIN_GROUP,
    ChoiceCount,
    CustomResult,
    EventEvaluation,
    FollowUpResult,
    Question,
    QuestionFigures,
    ResultGroup,
    ResultList,
    Scale,
    decode_questions,
)
from evaluations.statuses import FollowUpUse, GroupBy, QuestionKind
from events import service as events_service
from events import topics
from traffpunkt import i18n, spreadsheet
from traffpunkt.auth import Principal
from traffpunkt.errors import Invalid
from traffpunkt.ids import parse_id
from traffpunkt.localtime import to_local
from traffpunkt.settings import current_settings

W = TypeVar("W", bound=Where)


@dataclass(frozen=True, slots=True)
class ResultQuery:
    by: GroupBy = GroupBy.EVENT
    event: str | None = None  # id
    topic: str | None = None  # slug
    municipality: str | None = None  # id or slug
    start: str | None = None  # `from`: a date (events that ended on or after it)
    end: str | None = None  # `to`: a date (events that ended before it)


def _scale(values: list[int]) -> Scale:
    dist = [0] * 5
    for v in values:
        dist[v - 1] += 1
    return Scale(average=round(sum(values) / len(values), 2), distribution=dist)


def _texts(values: Iterable[str]) -> list[str]:
    return sorted(t.strip() for t in values if t and t.strip())


def _custom(questions: list[Question], rows: list[ResultRow]) -> list[CustomResult]:
    given = [msgspec.json.decode(r.custom or "{}", type=dict[str, int | str]) for r in rows]
    out = []
    for q in questions:
        values = [g[q.id] for g in given if q.id in g]
        result = CustomResult(id=q.id, kind=q.kind, text=q.text, answers=len(values))
        if len(values) < MIN_GROUP:
            result.answers = 0  # said as "fewer than 3 answers"
        elif q.kind == QuestionKind.SCALE:
            result.scale = _scale([int(v) for v in values])
        elif q.kind == QuestionKind.CHOICE:
            counts = Counter(str(v) for v in values)
            result.choices = [ChoiceCount(option=o, count=counts.get(o, 0)) for o in q.options]
        else:
            result.texts = _texts(str(v) for v in values)
        out.append(result)
    return out


def _follow_up(rows: list[FollowUpResultRow]) -> FollowUpResult | None:
    if len(rows) < MIN_GROUP:
        return None
    used = Counter(r.used for r in rows)
    return FollowUpResult(
        answers=len(rows),
        yes=used.get(FollowUpUse.YES, 0),
        partly=used.get(FollowUpUse.PARTLY, 0),
        no=used.get(FollowUpUse.NO, 0),
        texts=_texts(r.text for r in rows),
    )


def _group(
    key: str,
    label: str,
    rows: list[ResultRow],
    follow_ups: list[FollowUpResultRow],
    questions: list[Question] | None,
) -> ResultGroup:
    group = ResultGroup(
        key=key, label=label, suppressed=len(rows) < MIN_GROUP, follow_up=_follow_up(follow_ups)
    )
    if group.suppressed:
        return group
    group.answers = len(rows)
    group.overall = _scale([r.overall for r in rows])
    group.relevance = _scale([r.relevance for r in rows])
    group.wants_follow_up_contact = sum(1 for r in rows if r.wants_follow_up_contact)
    group.next_steps = _texts(r.next_step for r in rows)
    wanted = Counter(slug for r in rows for slug in topics.decode(r.topics))
    group.topics_wanted = {slug: wanted[slug] for slug in sorted(wanted)}
    if questions is not None:
        group.custom = _custom(questions, rows)
    return group


def _keys(row: Where, by: GroupBy, lang: str) -> list[tuple[str, str]]:
    """The groups (key, label) a row belongs to."""
    if by == GroupBy.EVENT:
        return [(str(row.event), row.event_title)]
    if by == GroupBy.MUNICIPALITY:
        return [(str(row.municipality), row.municipality_name)]
    if by == GroupBy.MONTH:
        month = to_local(row.ends_at, row.timezone).strftime("%Y-%m")
        return [(month, month)]
    return [
        (slug, topics.BY_SLUG[slug].label(lang))
        for slug in topics.decode(row.event_topics)
        if slug in topics.BY_SLUG
    ]


def _grouped(rows: Sequence[W], by: GroupBy, lang: str) -> dict[tuple[str, str], list[W]]:
    groups: dict[tuple[str, str], list[W]] = {}
    for row in rows:
        for key in _keys(row, by, lang):
            groups.setdefault(key, []).append(row)
    return groups


def _small_events(rows: Sequence[Where]) -> set[UUID]:
    per_event = Counter(r.event for r in rows)
    return {event for event, n in per_event.items() if n < MIN_GROUP}


def group_results(
    rows: Sequence[ResultRow],
    follow_ups: Sequence[FollowUpResultRow],
    by: GroupBy,
    lang: str,
    questions: dict[UUID, list[Question]] | None = None,
    topic: str | None = None,
) -> ResultList:
    """The groups of `by` and the total, every one shown only with 3 answers or more."""
    if topic is not None:
        rows = [r for r in rows if topic in topics.decode(r.event_topics)]
        follow_ups = [r for r in follow_ups if topic in topics.decode(r.event_topics)]
    # An event counts only with 3 answers or more, in every group and the total: every filter
    # works on whole events (its id, municipality, topics, end), so the difference of any two
    # results is made of whole events of 3 or more, never one person's answer.
    small = _small_events(rows)
    small_follow = _small_events(follow_ups)
    kept = [r for r in rows if r.event not in small]
    kept_follow = [r for r in follow_ups if r.event not in small_follow]
    answers = _grouped(kept, by, lang)
    followed = _grouped(kept_follow, by, lang)
    keys = answers.keys() | followed.keys()
    if by == GroupBy.EVENT:  # an event too small to show is still named, as such
        keys |= {(str(r.event), r.event_title) for r in rows}
    items = []
    for key, label in sorted(keys, key=lambda k: (k[1], k[0])):
        event_questions = None
        if by == GroupBy.EVENT and questions is not None:
            event_questions = questions.get(UUID(key), [])
        items.append(
            _group(
                key,
                label,
                answers.get((key, label), []),
                followed.get((key, label), []),
                event_questions,
            )
        )
    total = _group("all", i18n.gettext(lang, "All"), kept, kept_follow, None)
    return ResultList(items=items, total=total)


async def _bounds(q: ResultQuery) -> tuple[datetime | None, datetime | None]:
    tz = current_settings().default_timezone
    start = events_service.parse_local_bound(q.start, tz, "from")
    end = events_service.parse_local_bound(q.end, tz, "to")
    if start and end and end <= start:
        raise Invalid.field("to", "The end must be after the start")
    return start, end


async def results(actor: Principal, q: ResultQuery, lang: str) -> ResultList:
    """The results the organiser may see: their municipalities' events (an administrator's:
    all), narrowed by the query's filters."""
    if q.topic and q.topic not in topics.BY_SLUG:
        events_service.check_topics([q.topic], field="topic")
    municipalities: list[UUID] | None = None if actor.is_admin else list(actor.municipality_ids)
    if q.municipality:
        place = await events_service.get_municipality(q.municipality)
        actor.require_municipality(place.id)
        municipalities = [place.id]
    event_id = None
    if q.event:
        event_id = (await events_service.event_for_organiser(actor, q.event)).id
    start, end = await _bounds(q)
    rows = await queries.result_rows(municipalities, event_id, start, end)
    follow_ups = await queries.follow_up_rows(municipalities, event_id, start, end)
    questions: dict[UUID, list[Question]] = {}
    if q.by == GroupBy.EVENT:
        for eid in {r.event for r in rows}:
            settings = await queries.settings(eid)
            questions[eid] = decode_questions(settings.questions) if settings else []
    return group_results(rows, follow_ups, q.by, lang, questions, q.topic)


HEADERS = (
    "Group",
    "Answers",
    "Overall (average 1-5)",
    "Relevance (average 1-5)",
    "Overall 1",
    "Overall 2",
    "Overall 3",
    "Overall 4",
    "Overall 5",
    "Relevance 1",
    "Relevance 2",
    "Relevance 3",
    "Relevance 4",
    "Relevance 5",
    "Want a follow-up contact",
    "Follow-up answers",
    "Using it: yes",
    "Using it: partly",
    "Using it: no",
)


async def event_evaluation(actor: Principal, event_id: str) -> EventEvaluation:
    """The contract's per-event figures (`GET /api/v1/events/{id}/evaluation`): the numbers of
    answers, and each question's figures only where 3 or more answered it."""
    row = await events_service.event_for_organiser(actor, event_id)
    rows = await queries.result_rows(None, row.id, None, None)
    follow = await queries.follow_up_rows(None, row.id, None, None)
    settings = await queries.settings(row.id)
    questions = decode_questions(settings.questions) if settings else []
    requests, _ = await queries.counts(row.id)
    shown = len(rows) >= MIN_GROUP
    items = [
        QuestionFigures(key="overall", kind=QuestionKind.SCALE),
        QuestionFigures(key="relevance", kind=QuestionKind.SCALE),
        QuestionFigures(key="wants_follow_up_contact", kind="yes_no"),
    ]
    if shown:
        for item, values in zip(
            items[:2], ([r.overall for r in rows], [r.relevance for r in rows]), strict=True
        ):
            scale = _scale(values)
            item.answers, item.mean, item.distribution = (
                len(values),
                scale.average,
                scale.distribution,
            )
        wanted = sum(1 for r in rows if r.wants_follow_up_contact)
        items[2].answers, items[2].distribution = len(rows), [len(rows) - wanted, wanted]
    for c in _custom(questions, rows):
        item = QuestionFigures(key=c.id, kind=c.kind, text=c.text)
        if c.kind == QuestionKind.CHOICE:
            item.options = [o for q in questions if q.id == c.id for o in q.options]
        if c.answers:
            item.answers = c.answers
            if c.scale is not None:
                item.mean, item.distribution = c.scale.average, c.scale.distribution
            if c.choices is not None:
                item.distribution = [ch.count for ch in c.choices]
        items.append(item)
    follow_up = QuestionFigures(key="follow_up", kind="follow_up")
    if (f := _follow_up(list(follow))) is not None:
        follow_up.answers, follow_up.distribution = f.answers, [f.yes, f.partly, f.no]
    items.append(follow_up)
    return EventEvaluation(
        event=row.id,
        requests=requests,
        answers=len(rows),
        follow_up_answers=len(follow),
        questions=items,
    )


def _export_rows(result: ResultList, lang: str) -> list[list[spreadsheet.Cell]]:
    fewer = i18n.gettext(lang, "fewer than 3 answers")
    out: list[list[spreadsheet.Cell]] = []
    for g in [*result.items, result.total]:
        f = g.follow_up
        follow: list[spreadsheet.Cell] = [fewer, "", "", ""]
        if f is not None:
            follow = [f.answers, f.yes, f.partly, f.no]
        if g.suppressed or g.overall is None or g.relevance is None:
            out.append([g.label, fewer, *([""] * 13), *follow])
            continue
        out.append(
            [
                g.label,
                g.answers,
                g.overall.average,
                g.relevance.average,
                *g.overall.distribution,
                *g.relevance.distribution,
                g.wants_follow_up_contact,
                *follow,
            ]
        )
    return out


def export(result: ResultList, lang: str, fmt: str) -> tuple[str, str, bytes]:
    """(file name, media type, body) of the results as CSV or XLSX (numbers only; the free
    texts stay on the page, where they are shown only for groups of 3 or more)."""
    headers = [i18n.gettext(lang, h) for h in HEADERS]
    rows = _export_rows(result, lang)
    if fmt == "xlsx":
        body = spreadsheet.xlsx(i18n.gettext(lang, "Evaluation"), headers, rows)
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return "evaluation.xlsx", media, body
    return "evaluation.csv", "text/csv; charset=utf-8", spreadsheet.csv_excel(headers, rows)


def parse_query(values: Callable[[str], str | None]) -> ResultQuery:
    """A ResultQuery from query parameters (API and pages alike)."""
    by = values("by") or GroupBy.EVENT
    if by not in GroupBy.__members__.values():
        raise Invalid.field("by", "Choose event, topic, municipality or month")
    event = values("event") or None
    if event:
        parse_id(event, field="event")
    return ResultQuery(
        by=GroupBy(by),
        event=event,
        topic=values("topic") or None,
        municipality=values("municipality") or None,
        start=values("from") or None,
        end=values("to") or None,
    )
