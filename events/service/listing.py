"""Finding events: one by id or slug, pages of the public list (with cursors), the rows of
public pages and feeds, an organiser's events.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from uuid import UUID

import msgspec

from events import queries
from events.rows import EventRow, Fingerprint, SessionRow
from events.schemas import EventList, EventOut
from events.service._common import check_topics
from events.service.views import event_out
from events.statuses import EventStatus
from traffpunkt.auth import Principal
from traffpunkt.clock import utc_now
from traffpunkt.errors import Invalid, NotFound
from traffpunkt.ids import parse_id
from traffpunkt.localtime import in_range, to_utc
from traffpunkt.settings import current_settings

# Feeds keep published events that ended less than this long ago, so calendar apps that
# subscribed keep recent history; older ones drop out of the feed (never out of the database).
FEED_HISTORY = timedelta(days=180)
PAGE_SIZE_DEFAULT = 50
PAGE_SIZE_MAX = 200


async def with_sessions(row: EventRow) -> EventRow:
    """The row with its sessions (one query)."""
    return msgspec.structs.replace(row, sessions=tuple(await queries.sessions_of([row.id])))


async def with_sessions_all(rows: list[EventRow]) -> list[EventRow]:
    """Many rows with their sessions (one query for all of them)."""
    by_event: dict[UUID, list[SessionRow]] = {}
    for s in await queries.sessions_of([r.id for r in rows]):
        by_event.setdefault(s.event, []).append(s)
    return [
        msgspec.structs.replace(r, sessions=tuple(by_event[r.id])) if r.id in by_event else r
        for r in rows
    ]


async def event_for_mail(event_id: UUID | str) -> EventRow | None:
    """Any event by id, whatever its status (mail about cancelled events needs it), with its
    sessions (a series' invitation has one entry per session)."""
    row = await queries.event(parse_id(event_id))
    return None if row is None else await with_sessions(row)


async def events_starting_within(window: timedelta) -> list[EventRow]:
    """Published events that start between now and now + window (for reminders)."""
    now = utc_now()
    return await queries.public_events(ends_after=now, starts_before=now + window)


async def events_ended_within(window: timedelta) -> list[EventRow]:
    """Published (not cancelled) events that ended between now - window and now (for the
    evaluation mails; a course series' end is its last session's)."""
    now = utc_now()
    rows = await queries.public_events(ends_after=now - window, starts_before=now)
    return [r for r in rows if r.ends_at <= now]


def is_public(row: EventRow) -> bool:
    return row.status == EventStatus.PUBLISHED or (
        row.status == EventStatus.CANCELLED and row.published_at is not None
    )


async def event_row(key: str, actor: Principal | None = None) -> EventRow:
    """A public event by id or slug; drafts only for an organiser who may manage them."""
    row = await queries.event_by_slug_or_id(key)
    if row is None or not (
        is_public(row) or (actor is not None and actor.can_manage(row.municipality_id))
    ):
        raise NotFound("No such event")
    return await with_sessions(row)


async def get_event(key: str, actor: Principal | None = None) -> EventOut:
    return event_out(await event_row(key, actor))


class _Cursor(msgspec.Struct, array_like=True):
    starts_at: datetime
    id: UUID


def encode_cursor(row: EventRow) -> str:
    raw = msgspec.json.encode(_Cursor(row.starts_at, row.id))
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[datetime, UUID]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        c = msgspec.json.decode(raw, type=_Cursor)
    except (binascii.Error, ValueError, msgspec.DecodeError):
        raise Invalid.field("cursor", "Use the `next` of the previous page as the cursor") from None
    in_range(c.starts_at, "cursor")  # a hand-made cursor is a date input like any other
    return c.starts_at, c.id


def parse_local_bound(value: str | None, tz: str, field: str) -> datetime | None:
    """A date (start of that local day) or a datetime (local when it has no offset)."""
    if value is None or value == "":
        return None
    if len(value) != 10:
        return to_utc(value, tz, field)
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise Invalid.field(field, "Give a date (2027-03-04) or a date and time") from None
    return to_utc(datetime.combine(day, time()), tz, field)


@dataclass(frozen=True, slots=True)
class EventQuery:
    municipality: str | None = None
    topic: str | None = None
    start: str | None = None  # `from` in the API
    end: str | None = None  # `to` in the API
    cursor: str | None = None
    limit: int = PAGE_SIZE_DEFAULT


async def _resolve_filters(q: EventQuery) -> tuple[UUID | None, str]:
    municipality_id = None
    tz = current_settings().default_timezone
    if q.municipality:
        row = await queries.municipality_by_slug_or_id(q.municipality)
        if row is None:
            raise Invalid.field("municipality", "No municipality called {key}", key=q.municipality)
        municipality_id, tz = row.id, row.timezone
    if q.topic:
        check_topics([q.topic], field="topic")
    return municipality_id, tz


async def list_events(q: EventQuery) -> EventList:
    """Published events that have not ended (or overlap [from, to)), soonest first."""
    if not 1 <= q.limit <= PAGE_SIZE_MAX:
        raise Invalid.field("limit", "Between 1 and {max}", max=PAGE_SIZE_MAX)
    municipality_id, tz = await _resolve_filters(q)
    now = utc_now()
    ends_after = parse_local_bound(q.start, tz, "from") or now
    starts_before = parse_local_bound(q.end, tz, "to")
    rows = await queries.public_events(
        municipality_id=municipality_id,
        topic=q.topic or None,
        ends_after=ends_after,
        starts_before=starts_before,
        after=_decode_cursor(q.cursor) if q.cursor else None,
        limit=q.limit + 1,
    )
    more = len(rows) > q.limit
    rows = rows[: q.limit]
    return EventList(
        items=[event_out(r, now) for r in rows],
        next=encode_cursor(rows[-1]) if more else None,
    )


async def upcoming_rows(municipality_id: UUID | None, topic: str | None) -> list[EventRow]:
    """Rows for public pages: published and cancelled events that have not ended."""
    return await queries.public_events(
        municipality_id=municipality_id,
        topic=topic,
        ends_after=utc_now(),
        statuses=queries.PUBLIC_STATUSES,
    )


async def feed_rows(municipality_id: UUID | None, topic: str | None) -> list[EventRow]:
    """A feed's events with their sessions (a series is one VEVENT per session)."""
    return await with_sessions_all(await _feed_events(municipality_id, topic))


async def _feed_events(municipality_id: UUID | None, topic: str | None) -> list[EventRow]:
    return await queries.public_events(
        municipality_id=municipality_id,
        topic=topic,
        ends_after=utc_now() - FEED_HISTORY,
        statuses=queries.PUBLIC_STATUSES,
    )


async def feed_fingerprint(
    municipality_id: UUID | None, topic: str | None, *, history: bool = True
) -> Fingerprint:
    """Count, newest change and seats taken of a feed's events: one cheap query for ETags.
    Pages (`history=False`) also get "open", how many take sign-ups now (their labels say)."""
    now = utc_now()
    return await queries.fingerprint(
        municipality_id=municipality_id,
        topic=topic,
        ends_after=(now - FEED_HISTORY) if history else now,
        statuses=queries.PUBLIC_STATUSES,
        open_at=None if history else now,
    )


async def organiser_events(actor: Principal) -> list[EventRow]:
    """Every event the organiser may manage (admins: all), newest first."""
    return await queries.events_of_municipalities(
        None if actor.is_admin else list(actor.municipality_ids)
    )


async def events_held(
    municipality_ids: list[UUID], start: datetime, end: datetime
) -> list[EventRow]:
    """The activities held for the funder's report: published events of these municipalities
    that start in [start, end) (UTC), oldest first. The caller checks the rights."""
    return await queries.held_in(municipality_ids, start, end)
