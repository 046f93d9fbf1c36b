"""All database queries of the evaluation domain."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from piccolo.columns import Column

from evaluations.rows import (
    AnswerRow,
    FollowUpResultRow,
    FollowUpRow,
    RequestRow,
    ResultRow,
    SettingsRow,
)
from evaluations.tables import EvaluationAnswer as A
from evaluations.tables import EvaluationRequest as Q
from evaluations.tables import EvaluationSettings as S
from evaluations.tables import FollowUpAnswer as F
from traffpunkt.db import insert_row, row_of, rows_of
from traffpunkt.needs import NeedKind, NeedSignal, NeedSource

_REQUEST = (
    Q.id,
    Q.registration_id,
    Q.event,
    Q.sent_at,
    Q.answered_at,
    Q.follow_up_sent_at,
    Q.follow_up_answered_at,
)


async def settings(event_id: UUID) -> SettingsRow | None:
    row = await S.select(S.follow_up, S.questions).where(S.event == event_id).first()
    return row_of(row, SettingsRow) if row else None


async def save_settings(event_id: UUID, values: dict[str, Any]) -> None:
    if await S.exists().where(S.event == event_id):
        changes: dict[Column | str, Any] = {k: v for k, v in values.items()}
        await S.update(changes).where(S.event == event_id)
    else:
        await S.insert(S(event=event_id, **values))


async def requested(event_id: UUID) -> set[UUID]:
    """Registration ids of the event that have a request already."""
    rows = await Q.select(Q.registration_id).where(Q.event == event_id)
    return {r["registration_id"] for r in rows}


async def insert_request(values: dict[str, Any]) -> bool:
    """INSERT … ON CONFLICT (registration_id) DO NOTHING: True only for the one transaction
    that creates it (a concurrent one waits for it on PostgreSQL, or for the write lock on
    SQLite, and then inserts nothing)."""
    return await insert_row(Q, values, conflict_target="registration_id")


async def request_by_token_hash(token_hash: str) -> RequestRow | None:
    row = await Q.select(*_REQUEST).where(Q.token_hash == token_hash).first()
    return row_of(row, RequestRow) if row else None


async def counts(event_id: UUID) -> tuple[int, int]:
    """(requests, answers) of an event."""
    requests = await Q.count().where(Q.event == event_id)
    answers = await Q.count().where((Q.event == event_id) & Q.answered_at.is_not_null())
    return requests, answers


async def stop_follow_ups(event_id: UUID, now: datetime) -> list[UUID]:
    """Follow-ups of the event not yet due: no longer planned; their registration ids."""
    where = (Q.event == event_id) & (Q.follow_up_sent_at > now)
    rows = await Q.select(Q.registration_id).where(where)
    await Q.update({Q.follow_up_sent_at: None}).where(where)
    return [r["registration_id"] for r in rows]


async def answer(request_id: UUID) -> AnswerRow | None:
    row = await (
        A.select(
            A.overall,
            A.relevance,
            A.next_step,
            A.topics,
            A.wants_follow_up_contact,
            A.custom,
            A.answered_at,
            A.updated_at,
        )
        .where(A.req == request_id)
        .first()
    )
    return row_of(row, AnswerRow) if row else None


async def insert_answer(request_id: UUID, values: dict[str, Any], now: datetime) -> None:
    await A.insert(A(req=request_id, answered_at=now, updated_at=now, **values))
    await Q.update({Q.answered_at: now}).where(Q.id == request_id)


async def update_answer(request_id: UUID, values: dict[str, Any], now: datetime) -> None:
    changes: dict[Column | str, Any] = {k: v for k, v in values.items()}
    changes["updated_at"] = now
    await A.update(changes).where(A.req == request_id)


async def follow_up(request_id: UUID) -> FollowUpRow | None:
    row = await F.select(F.used, F.text, F.answered_at).where(F.req == request_id).first()
    return row_of(row, FollowUpRow) if row else None


async def save_follow_up(request_id: UUID, used: str, text: str, now: datetime) -> None:
    if await F.exists().where(F.req == request_id):
        await F.update({F.used: used, F.text: text}).where(F.req == request_id)
    else:
        await F.insert(F(req=request_id, used=used, text=text, answered_at=now))
        await Q.update({Q.follow_up_answered_at: now}).where(Q.id == request_id)


def _where_columns(request: Any) -> tuple[Any, ...]:
    event = request.event
    return (
        event.id.as_alias("event"),
        event.title.as_alias("event_title"),
        event.topics.as_alias("event_topics"),
        event.municipality.id.as_alias("municipality"),
        event.municipality.name.as_alias("municipality_name"),
        event.ends_at.as_alias("ends_at"),
        event.municipality.timezone.as_alias("timezone"),
    )


def _filter(
    query: Any,
    request: Any,
    municipalities: Sequence[UUID] | None,
    event_id: UUID | None,
    start: datetime | None,
    end: datetime | None,
) -> Any:
    if municipalities is not None:
        query = query.where(request.event.municipality.is_in(list(municipalities) or [UUID(int=0)]))
    if event_id is not None:
        query = query.where(request.event == event_id)
    if start is not None:
        query = query.where(request.event.ends_at >= start)
    if end is not None:
        query = query.where(request.event.ends_at < end)
    return query


async def result_rows(
    municipalities: Sequence[UUID] | None,
    event_id: UUID | None,
    start: datetime | None,
    end: datetime | None,
) -> list[ResultRow]:
    """Answers about events (ending in [start, end)) of these municipalities (all: None)."""
    query = A.select(
        *_where_columns(A.req),
        A.overall,
        A.relevance,
        A.next_step,
        A.topics,
        A.wants_follow_up_contact,
        A.custom,
    )
    rows = await _filter(query, A.req, municipalities, event_id, start, end)
    return rows_of(rows, ResultRow)


async def follow_up_rows(
    municipalities: Sequence[UUID] | None,
    event_id: UUID | None,
    start: datetime | None,
    end: datetime | None,
) -> list[FollowUpResultRow]:
    query = F.select(*_where_columns(F.req), F.used, F.text)
    rows = await _filter(query, F.req, municipalities, event_id, start, end)
    return rows_of(rows, FollowUpResultRow)


async def need_signals(
    municipalities: Sequence[UUID] | None, start: datetime, end: datetime
) -> list[NeedSignal]:
    """Every topic wanted in answers first given in [start, end)."""
    if municipalities is not None and not municipalities:
        return []
    event: Any = A.req.event
    query = A.select(
        event.municipality.id.as_alias("municipality"),
        A.req.registration_id.as_alias("company"),
        A.topics,
        A.answered_at,
    ).where((A.answered_at >= start) & (A.answered_at < end) & (A.topics != ""))
    if municipalities is not None:
        query = query.where(event.municipality.is_in(list(municipalities)))
    signals = [
        {
            "source": NeedSource.EVALUATION,
            "municipality": r["municipality"],
            "topic": slug,
            "kind": NeedKind.NEED,
            "company": str(r["company"]),
            "at": r["answered_at"],
        }
        for r in await query
        for slug in r["topics"].split()
    ]
    return rows_of(signals, NeedSignal)


async def delete_request_of(registration_id: UUID) -> None:
    """An erased registration's link, answers and follow-up answer (cascading)."""
    await Q.delete().where(Q.registration_id == registration_id)
