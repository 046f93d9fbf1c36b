"""Course series: an event with sessions (dates and places, some online) under one sign-up.

An event without sessions works as it always did. With sessions it is a series: the event's
starts_at/ends_at are kept here as the first non-cancelled session's start and the last one's
end (so listings, feed filters and reminders need not know about sessions), and every change
of a session raises the event's SEQUENCE and is announced like any other change of a published
event (traffpunkt.hooks), so that attendees' calendars follow.
"""

from __future__ import annotations

import dataclasses
import itertools
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from events import audit, queries
from events.rows import EventRow, SessionRow
from events.schemas import MAX_SESSIONS, SessionList, SessionOut, SessionsIn
from events.service.lifecycle import EventChange, _check_times, event_for_organiser
from events.service.listing import event_row, with_sessions
from events.service.views import event_out
from events.statuses import EventStatus
from traffpunkt import db, hooks
from traffpunkt.auth import Principal
from traffpunkt.clock import utc_now
from traffpunkt.errors import Conflict, FieldError, Invalid, NotFound
from traffpunkt.ids import parse_id
from traffpunkt.localtime import to_local, to_utc


def active_sessions(row: EventRow) -> list[SessionRow]:
    return [s for s in row.sessions if s.cancelled_at is None]


def session_out(row: EventRow, s: SessionRow) -> SessionOut:
    return SessionOut(
        id=str(s.id),
        position=s.position,
        starts_at=to_local(s.starts_at, row.timezone),
        ends_at=to_local(s.ends_at, row.timezone),
        venue_id=str(s.venue_id) if s.venue_id else None,
        venue_name=s.venue_name,
        online=s.online,
        cancelled=s.cancelled_at is not None,
    )


def sessions_out(row: EventRow) -> SessionList:
    return SessionList(items=[session_out(row, s) for s in row.sessions])


async def list_sessions(key: str, actor: Principal | None = None) -> SessionList:
    """The sessions of a public event (or of a draft, for its organisers)."""
    return sessions_out(await event_row(key, actor))


def _field(i: int, name: str) -> str:
    return f"sessions[{i}].{name}"


async def _checked(
    row: EventRow, data: SessionsIn
) -> list[tuple[UUID | None, datetime, datetime, UUID | None, bool]]:
    """Every session's times and place, or one 422 naming every bad field."""
    if len(data.sessions) > MAX_SESSIONS:  # the schema says so too; the form does not
        raise Invalid.field("sessions", "At most {n} sessions", n=MAX_SESSIONS)
    known = {s.id: s for s in row.sessions}
    errors: list[FieldError] = []
    params: dict[str, Any] = {}
    out: list[tuple[UUID | None, datetime, datetime, UUID | None, bool]] = []
    for i, s in enumerate(data.sessions):
        sid = None
        if s.id is not None:
            sid = parse_id(s.id, field=_field(i, "id"))
            if sid not in known:
                errors.append(FieldError(_field(i, "id"), "No session with this id"))
        times: list[datetime] = []
        for name, value in (("starts_at", s.starts_at), ("ends_at", s.ends_at)):
            try:
                times.append(to_utc(value, row.timezone, _field(i, name)))
            except Invalid as exc:
                errors.extend(exc.errors or [])
                params.update(exc.params)
        venue = None
        if s.venue_id is not None:
            if s.online:
                errors.append(FieldError(_field(i, "venue_id"), "An online session has no venue"))
            else:
                v = await queries.venue(parse_id(s.venue_id, field=_field(i, "venue_id")))
                if v is None or v.municipality != row.municipality_id:
                    errors.append(FieldError(_field(i, "venue_id"), "No venue with this id here"))
                else:
                    venue = v.id
        if len(times) == 2:
            if times[1] <= times[0]:
                errors.append(
                    FieldError(_field(i, "ends_at"), "The session must end after it starts")
                )
            out.append((sid, times[0], times[1], venue, s.online))
    ids = [o[0] for o in out if o[0] is not None]
    if len(ids) != len(set(ids)):
        errors.append(FieldError("sessions", "A session is given twice"))
    if not errors:
        # Sessions of one series never overlap (a person cannot attend two at once); cancelled
        # ones are not in the input and do not count.
        ordered = sorted(out, key=lambda o: o[1])
        for before, after in itertools.pairwise(ordered):
            if after[1] < before[2]:
                i = out.index(after)
                errors.append(
                    FieldError(_field(i, "starts_at"), "Sessions of a series cannot overlap")
                )
    if errors:
        raise Invalid(errors[0].message, errors=errors, params=params)
    return out


async def _keep_event_span(row: EventRow) -> dict[str, Any]:
    """The event's start and end from its sessions (re-read), checked against its sign-up
    window; {} when nothing is left to take them from."""
    sessions = [s for s in await queries.sessions_of([row.id]) if s.cancelled_at is None]
    if not sessions:
        return {}
    span = {"starts_at": sessions[0].starts_at, "ends_at": max(s.ends_at for s in sessions)}
    merged = {
        **span,
        "registration_opens_at": row.registration_opens_at,
        "registration_closes_at": row.registration_closes_at,
    }
    try:
        _check_times(merged)
    except Invalid as exc:
        raise Invalid.field(
            "sessions", "The sessions end before registration closes; change the dates"
        ) from exc
    return span


async def _renumber(event_id: UUID, now: datetime) -> None:
    for n, s in enumerate(await queries.sessions_of([event_id]), start=1):
        if s.position != n:
            await queries.update_session(s.id, {"position": n, "updated_at": now})


async def set_sessions(actor: Principal, event_id: str, data: SessionsIn) -> SessionList:
    """Replace a series' sessions: given ids are changed, new ones added, missing ones removed
    (only from a draft: a published series' sessions are cancelled, so that calendars hear of
    it). An empty list on a draft makes it a single event again."""
    async with db.transaction():
        row = await with_sessions(await event_for_organiser(actor, event_id))
        if row.status == EventStatus.CANCELLED:
            raise Conflict("A cancelled event cannot be changed")
        wanted = await _checked(row, data)
        keep = {o[0] for o in wanted if o[0] is not None}
        gone = [s for s in row.sessions if s.id not in keep and s.cancelled_at is None]
        published = row.status == EventStatus.PUBLISHED
        if published and gone:
            raise Conflict("Cancel a session of a published series instead of removing it")
        if published and not wanted and not row.sessions:
            return sessions_out(row)
        now = utc_now()
        known = {s.id: s for s in row.sessions}
        await queries.delete_sessions([s.id for s in gone])
        changed = bool(gone)
        for sid, starts, ends, venue, online in wanted:
            values = {"starts_at": starts, "ends_at": ends, "venue": venue, "online": online}
            if sid is None:
                await queries.insert_session(
                    {
                        "id": uuid4(),
                        "event": row.id,
                        "position": 0,
                        **values,
                        "created_at": now,
                        "updated_at": now,
                    }
                )
                changed = True
            else:
                old = known[sid]
                if old.cancelled_at is not None:
                    raise Invalid.field("sessions", "A cancelled session cannot be changed")
                before = {
                    "starts_at": old.starts_at,
                    "ends_at": old.ends_at,
                    "venue": old.venue_id,
                    "online": old.online,
                }
                if before != values:
                    await queries.update_session(sid, {**values, "updated_at": now})
                    changed = True
        if not changed:
            return sessions_out(row)
        await _renumber(row.id, now)
        span = await _keep_event_span(row)
        await queries.bump_sequence(row.id, {**span, "updated_at": now})
        await audit.record(actor, "event.sessions_changed", row.id, str(len(wanted)))
        after = await queries.event(row.id)
        assert after is not None
        if published:
            await hooks.event_changed(
                EventChange(event_out(after), frozenset({"sessions", *span}), moved=True)
            )
        return sessions_out(await with_sessions(after))


async def cancel_session(actor: Principal, event_id: str, session_id: str) -> SessionList:
    """Cancel one session: attendees get a CANCEL for that session's calendar entry only."""
    async with db.transaction():
        row = await with_sessions(await event_for_organiser(actor, event_id))
        sid = parse_id(session_id)
        session = next((s for s in row.sessions if s.id == sid), None)
        if session is None:
            raise NotFound("No such session")
        if row.status == EventStatus.CANCELLED:
            raise Conflict("A cancelled event cannot be changed")
        if session.cancelled_at is not None:
            return sessions_out(row)
        if len(active_sessions(row)) == 1:
            raise Conflict("This is the last session; cancel the event instead")
        now = utc_now()
        await queries.update_session(sid, {"cancelled_at": now, "updated_at": now})
        span = await _keep_event_span(row)
        await queries.bump_sequence(row.id, {**span, "updated_at": now})
        await audit.record(actor, "event.session_cancelled", row.id, str(session.position))
        after = await queries.event(row.id)
        assert after is not None
        if row.status == EventStatus.PUBLISHED:
            change = EventChange(event_out(after), frozenset({"sessions", *span}), moved=True)
            await hooks.event_changed(dataclasses.replace(change, cancelled_session=str(sid)))
        return sessions_out(await with_sessions(after))


def is_series(row: EventRow) -> bool:
    return bool(row.sessions)
