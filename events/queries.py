"""All database queries of the events domain. Rows come back typed (`events/rows.py`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec
from piccolo.columns import Column
from piccolo.columns.combination import Where
from piccolo.query.functions.aggregate import Count, Max, Sum

from events.rows import EventRow, Fingerprint, MunicipalityRow, SessionRow, VenueRow
from events.statuses import EventStatus
from events.tables import Event, EventSession, Municipality, OrganiserMunicipality, Venue
from traffpunkt.db import as_template, hot, prepared, row_of, rows_of

PUBLIC_STATUSES = (EventStatus.PUBLISHED, EventStatus.CANCELLED)

# One SELECT gives an event with its municipality and venue (no per-event follow-up queries).
_EVENT_COLUMNS: list[Column | Any] = [
    # The sign-up number and last decision are read only by the statements that keep them;
    # `waiting` (the waiting list's length) is shown on pages and in the JSON.
    *Event.all_columns(
        exclude=["municipality", "venue", "created_by", "signup_seq", "last_position"]
    ),
    Event.municipality.as_alias("municipality_id"),
    Event.municipality.slug.as_alias("municipality_slug"),
    Event.municipality.name.as_alias("municipality_name"),
    Event.municipality.region.as_alias("municipality_region"),
    Event.municipality.timezone.as_alias("timezone"),
    Event.municipality.contact_email.as_alias("contact_email"),
    Event.municipality.contact_phone.as_alias("contact_phone"),
    Event.municipality.report_fields.as_alias("municipality_report_fields"),
    Event.venue.as_alias("venue_id"),
    Event.venue.name.as_alias("venue_name"),
    Event.venue.address.as_alias("venue_address"),
    Event.venue.capacity.as_alias("venue_capacity"),
    Event.venue.latitude.as_alias("venue_latitude"),
    Event.venue.longitude.as_alias("venue_longitude"),
    Event.venue.accessibility.as_alias("venue_accessibility"),
]


# --- municipalities ------------------------------------------------------------------------


async def municipalities() -> list[MunicipalityRow]:
    return rows_of(await Municipality.select().order_by(Municipality.name), MunicipalityRow)


async def municipality_by_slug_or_id(key: str) -> MunicipalityRow | None:
    where: Where | Any = Municipality.slug == key
    if (uid := _as_uuid(key)) is not None:
        where = where | (Municipality.id == uid)
    return row_of(await Municipality.select().where(where).first(), MunicipalityRow)


async def municipality_slug_taken(slug: str) -> bool:
    return await Municipality.exists().where(Municipality.slug == slug)


async def insert_municipality(values: dict[str, Any]) -> None:
    await Municipality.insert(Municipality(**values))


async def update_municipality(municipality_id: UUID, values: dict[str, Any]) -> None:
    await Municipality.update({getattr(Municipality, k): v for k, v in values.items()}).where(
        Municipality.id == municipality_id
    )


# --- venues --------------------------------------------------------------------------------


async def insert_venue(values: dict[str, Any]) -> None:
    await Venue.insert(Venue(**values))


async def venue(venue_id: UUID) -> VenueRow | None:
    return row_of(await Venue.select().where(Venue.id == venue_id).first(), VenueRow)


async def venues_of(municipality_id: UUID) -> list[VenueRow]:
    rows = await Venue.select().where(Venue.municipality == municipality_id).order_by(Venue.name)
    return rows_of(rows, VenueRow)


# --- events --------------------------------------------------------------------------------


async def insert_event(values: dict[str, Any]) -> None:
    await Event.insert(Event(**values))


async def update_event(event_id: UUID, values: dict[str, Any]) -> None:
    await Event.update({getattr(Event, k): v for k, v in values.items()}).where(
        Event.id == event_id
    )


async def bump_sequence(event_id: UUID, values: dict[str, Any]) -> None:
    """Update and raise SEQUENCE in one statement (no read-modify-write race)."""
    await Event.update(
        {Event.sequence: Event.sequence + 1, **{getattr(Event, k): v for k, v in values.items()}}
    ).where(Event.id == event_id)


# A seat if one is free, else the end of the waiting list: one UPDATE decides, numbers the
# sign-up and counts the waiting list. Every SET expression reads the row as it was before the
# update (on both engines); on PostgreSQL a concurrent sign-up waits for this row's lock until
# COMMIT and then re-evaluates on the committed row, so `signup_seq` follows commit order and
# `waiting` + 1 is exact. Only a published event takes sign-ups (a cancellation in between
# updates this row too, so it cannot slip between the check and the write).
_FREE = "(capacity IS NULL OR seats_taken < capacity)"
JOIN_SQL = (
    f"UPDATE event SET seats_taken = seats_taken + CASE WHEN {_FREE} THEN 1 ELSE 0 END, "
    f"waiting = waiting + CASE WHEN {_FREE} THEN 0 ELSE 1 END, "
    f"last_position = CASE WHEN {_FREE} THEN 0 ELSE waiting + 1 END, "
    "signup_seq = signup_seq + 1 "
    "WHERE id = {} AND status = 'published'{} RETURNING signup_seq, last_position"
)

_JOIN = JOIN_SQL.format("{}", "")


async def join(event_id: UUID) -> tuple[int, int] | None:
    """(sign-up number, waiting-list position or 0 for a seat); None if not published."""
    rows = await hot(_JOIN, event_id)
    return (rows[0]["signup_seq"], rows[0]["last_position"]) if rows else None


async def promote_seat(event_id: UUID) -> bool:
    """A free seat for the first on the waiting list (who leaves it): the caller moves them."""
    rows = await hot(
        f"UPDATE event SET seats_taken = seats_taken + 1, waiting = waiting - 1 "
        f"WHERE id = {{}} AND waiting > 0 AND {_FREE} RETURNING seats_taken",
        event_id,
    )
    return bool(rows)


async def left_waitlist(event_id: UUID) -> None:
    """Someone left the waiting list without a seat (cancelled or erased)."""
    await hot(
        "UPDATE event SET waiting = CASE WHEN waiting > 0 THEN waiting - 1 ELSE 0 END "
        "WHERE id = {}",
        event_id,
    )


async def give_back_seat(event_id: UUID) -> None:
    """Undo `promote_seat` when no one could be moved (on PostgreSQL the only one waiting may be
    leaving in a transaction of its own, which then counts them off itself)."""
    await hot(
        "UPDATE event SET seats_taken = seats_taken - 1, waiting = waiting + 1 WHERE id = {}",
        event_id,
    )


async def release_seat(event_id: UUID) -> None:
    await Event.raw(
        "UPDATE event SET seats_taken = seats_taken - 1 WHERE id = {} AND seats_taken > 0",
        event_id,
    )


# Hot lookups (every sign-up and check-in) are built once: see traffpunkt.db.prepared.
_event_by_id = prepared(
    lambda i: Event.select(*_EVENT_COLUMNS).where(Event.id == i).first(), first=True
)
_event_by_slug = prepared(
    lambda s: Event.select(*_EVENT_COLUMNS).where(Event.slug == s).first(), first=True
)


async def event(event_id: UUID) -> EventRow | None:
    return row_of(await _event_by_id(event_id), EventRow)


async def event_by_slug_or_id(key: str) -> EventRow | None:
    if (uid := _as_uuid(key)) is not None:
        return row_of(await _event_by_id(uid), EventRow)
    return row_of(await _event_by_slug(key), EventRow)


async def events_of_municipalities(municipality_ids: list[UUID] | None) -> list[EventRow]:
    """All events (any status) of these municipalities, or of all for None; newest first."""
    query = Event.select(*_EVENT_COLUMNS).order_by(Event.starts_at, ascending=False)
    if municipality_ids is not None:
        query = query.where(Event.municipality.is_in(municipality_ids or [UUID(int=0)]))
    return rows_of(await query, EventRow)


async def held_in(municipality_ids: list[UUID], start: datetime, end: datetime) -> list[EventRow]:
    """Published events of these municipalities starting in [start, end), oldest first (one
    SELECT on the starts_at index; cancelled and draft events were not held)."""
    query = (
        Event.select(*_EVENT_COLUMNS)
        .where(
            (Event.status == EventStatus.PUBLISHED)
            & (Event.starts_at >= start)
            & (Event.starts_at < end)
            & Event.municipality.is_in(municipality_ids or [UUID(int=0)])
        )
        .order_by(Event.starts_at)
        .order_by(Event.id)
    )
    return rows_of(await query, EventRow)


async def slug_taken(slug: str) -> bool:
    return await Event.exists().where(Event.slug == slug)


def _public_where(
    *,
    municipality_id: UUID | None,
    topic: str | None,
    ends_after: datetime | None,
    starts_before: datetime | None,
    statuses: tuple[EventStatus, ...],
) -> Any:
    where: Any = Event.status.is_in(list(statuses))
    if municipality_id is not None:
        where &= Event.municipality == municipality_id
    if topic is not None:
        where &= Event.topics.like(f"% {topic} %")
    if ends_after is not None:
        where &= Event.ends_at >= ends_after
    if starts_before is not None:
        where &= Event.starts_at < starts_before
    return where


# Building this 33-column, two-join SELECT costs ~0.5 ms per request in Piccolo, ten times its
# WHERE clause; the SQL only depends on which filters are present, so it is built once per
# shape and run with the WHERE clause's arguments (LIMIT is written into the SQL by Piccolo).
_PUBLIC_SQL: dict[tuple[Any, ...], str] = {}


async def public_events(
    *,
    municipality_id: UUID | None = None,
    topic: str | None = None,
    ends_after: datetime | None = None,
    starts_before: datetime | None = None,
    statuses: tuple[EventStatus, ...] = (EventStatus.PUBLISHED,),
    after: tuple[datetime, UUID] | None = None,
    limit: int | None = None,
) -> list[EventRow]:
    where = _public_where(
        municipality_id=municipality_id,
        topic=topic,
        ends_after=ends_after,
        starts_before=starts_before,
        statuses=statuses,
    )
    if after is not None:
        start, last_id = after
        where &= (Event.starts_at > start) | ((Event.starts_at == start) & (Event.id > last_id))
    engine_type = Event._meta.db.engine_type
    key = (
        engine_type,
        municipality_id is None,
        topic is None,
        ends_after is None,
        starts_before is None,
        statuses,
        after is None,
        limit,
    )
    _, args = where.querystring.compile_string(engine_type=engine_type)
    template = _PUBLIC_SQL.get(key)
    if template is None:
        query = Event.select(*_EVENT_COLUMNS).where(where).order_by(Event.starts_at, Event.id)
        if limit is not None:
            query = query.limit(limit)
        sql, full_args = query.querystrings[0].compile_string(engine_type=engine_type)
        template = as_template(sql, engine_type, len(args)) if full_args == args else None
        if template is None:  # not the expected shape: do not cache
            return rows_of(await query, EventRow)
        _PUBLIC_SQL[key] = template
    return rows_of(await Event.raw(template, *args), EventRow)


async def fingerprint(
    *,
    municipality_id: UUID | None,
    topic: str | None,
    ends_after: datetime | None,
    statuses: tuple[EventStatus, ...],
    open_at: datetime | None = None,
) -> Fingerprint:
    """count, newest updated_at, seats taken and waiting of a set of events: one aggregate
    query. With `open_at`, also how many of them take sign-ups at that moment (a second one):
    a page's "Full – sign up for the waiting list" turns into "Full" when a deadline passes,
    which changes no row, so the ETag must see it."""
    where = _public_where(
        municipality_id=municipality_id,
        topic=topic,
        ends_after=ends_after,
        starts_before=None,
        statuses=statuses,
    )
    row = (
        await Event.select(
            Count(alias="n"),
            Max(Event.updated_at, alias="newest"),
            Sum(Event.seats_taken, alias="taken"),
            # Pages show the waiting list's length: a change of it must change their ETag.
            Sum(Event.waiting, alias="waiting"),
        )
        .where(where)
        .first()
    )
    # SUM over no rows is NULL: an empty set counts nothing.
    result = Fingerprint(
        n=row["n"] if row else 0,
        newest=row["newest"] if row else None,
        taken=(row["taken"] or 0) if row else 0,
        waiting=(row["waiting"] or 0) if row else 0,
    )
    if open_at is not None:
        # The same rule as service.is_registration_open, in SQL.
        open_now = (
            (Event.status == EventStatus.PUBLISHED)
            & (Event.registration_opens_at.is_null() | (Event.registration_opens_at <= open_at))
            & (
                (Event.registration_closes_at.is_null() & (Event.starts_at > open_at))
                | (Event.registration_closes_at > open_at)
            )
        )
        counted = await Event.select(Count(alias="n")).where(where & open_now).first()
        result = msgspec.structs.replace(result, open=counted["n"] if counted else 0)
    return result


# --- sessions of a series ----------------------------------------------------------------

_SESSION_COLUMNS: list[Column | Any] = [
    *EventSession.all_columns(exclude=["venue", "created_at", "updated_at"]),
    EventSession.venue.as_alias("venue_id"),
    EventSession.venue.name.as_alias("venue_name"),
    EventSession.venue.address.as_alias("venue_address"),
]


async def sessions_of(event_ids: list[UUID]) -> list[SessionRow]:
    """The sessions of these events (one query), by event and time."""
    if not event_ids:
        return []
    rows = (
        await EventSession.select(*_SESSION_COLUMNS)
        .where(EventSession.event.is_in(event_ids))
        .order_by(EventSession.event)
        .order_by(EventSession.starts_at)
    )
    return rows_of(rows, SessionRow)


async def insert_session(values: dict[str, Any]) -> None:
    await EventSession.insert(EventSession(**values))


async def update_session(session_id: UUID, values: dict[str, Any]) -> None:
    await EventSession.update({getattr(EventSession, k): v for k, v in values.items()}).where(
        EventSession.id == session_id
    )


async def delete_sessions(session_ids: list[UUID]) -> None:
    if session_ids:
        await EventSession.delete().where(EventSession.id.is_in(session_ids))


# --- organisers' municipalities (the organisers themselves are in accounts) -------------


_organiser_municipalities = prepared(
    lambda o: OrganiserMunicipality.select(OrganiserMunicipality.municipality).where(
        OrganiserMunicipality.organiser == o
    )
)


async def organiser_municipality_ids(organiser_id: UUID) -> list[UUID]:
    rows = await _organiser_municipalities(organiser_id)
    return [r["municipality"] for r in rows]  # UUIDs from the database layer


async def add_organiser_municipality(organiser_id: UUID, municipality_id: UUID) -> None:
    exists = await OrganiserMunicipality.exists().where(
        (OrganiserMunicipality.organiser == organiser_id)
        & (OrganiserMunicipality.municipality == municipality_id)
    )
    if not exists:
        await OrganiserMunicipality.insert(
            OrganiserMunicipality(organiser=organiser_id, municipality=municipality_id)
        )


async def organiser_municipality_slugs() -> dict[str, list[str]]:
    """{organiser id: [municipality slug, ...]} of every organiser."""
    links = await OrganiserMunicipality.select(
        OrganiserMunicipality.organiser, OrganiserMunicipality.municipality.slug.as_alias("slug")
    )
    by_person: dict[str, list[str]] = {}
    for link in links:
        by_person.setdefault(str(link["organiser"]), []).append(link["slug"])
    return by_person


def _as_uuid(value: Any) -> UUID | None:
    """Whether a key (`slug or id`) is an id: a lookup by either, not an error (see parse_id)."""
    if isinstance(value, UUID):
        return value
    try:
        return UUID(str(value))
    except ValueError:
        return None


# --- coverage for planning -------------------------------------------------------------------


class TopicEventRow(msgspec.Struct, frozen=True):
    municipality: UUID
    topics: str
    starts_at: datetime


async def topic_events(municipality_ids: list[UUID] | None) -> list[TopicEventRow]:
    """Every event with topics that is not cancelled (drafts too: planned), with where and
    when; only the three columns the coverage needs."""
    query = Event.select(Event.municipality, Event.topics, Event.starts_at).where(
        (Event.status != EventStatus.CANCELLED) & (Event.topics != "")
    )
    if municipality_ids is not None:
        query = query.where(Event.municipality.is_in(municipality_ids))
    return rows_of(await query, TopicEventRow)


class BookingRow(msgspec.Struct, frozen=True):
    municipality: UUID
    venue: UUID | None
    starts_at: datetime


async def bookings(
    municipality_ids: list[UUID], start: datetime, end: datetime
) -> list[BookingRow]:
    """Events (drafts too, not cancelled) starting in [start, end) in these municipalities."""
    return rows_of(
        await Event.select(Event.municipality, Event.venue, Event.starts_at).where(
            (Event.status != EventStatus.CANCELLED)
            & (Event.starts_at >= start)
            & (Event.starts_at < end)
            & Event.municipality.is_in(municipality_ids)
        ),
        BookingRow,
    )
