"""Rows of the events domain as they leave `events/queries.py`: frozen msgspec Structs with
ids as `UUID`, times as aware `datetime` (UTC) and statuses and kinds as their `StrEnum`s.

Other domains receive these (`events.service.event_row`, `event_for_mail`, `feed_rows`, …) and
read them by attribute (`row.title`; Jinja's `row.title` too). The database layer already
gives `UUID`/`datetime` values on both engines (`traffpunkt/db/conversion.py` for SQLite), so
turning Piccolo's dicts into rows is one `msgspec.convert` (`traffpunkt.db.rows_of`).
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec

from events.statuses import EventKind, EventStatus


class MunicipalityRow(msgspec.Struct, frozen=True):
    id: UUID
    slug: str
    name: str
    timezone: str
    created_at: datetime
    code: str | None = None
    region: str | None = None
    contact_email: str | None = None
    contact_phone: str | None = None
    report_fields: str = ""  # " a b " (statuses.ReportField)
    latitude: float | None = None
    longitude: float | None = None
    coordinates_source: str | None = None


class VenueRow(msgspec.Struct, frozen=True):
    id: UUID
    municipality: UUID
    name: str
    created_at: datetime
    updated_at: datetime
    address: str | None = None
    capacity: int | None = None
    latitude: float | None = None
    longitude: float | None = None
    accessibility: str | None = None


class SessionRow(msgspec.Struct, frozen=True):
    """One session of a series with its venue (`queries.sessions_of`)."""

    id: UUID
    event: UUID
    position: int
    starts_at: datetime
    ends_at: datetime
    online: bool
    cancelled_at: datetime | None = None
    venue_id: UUID | None = None
    venue_name: str | None = None
    venue_address: str | None = None


class EventRow(msgspec.Struct, frozen=True):
    """An event with its municipality and venue (one SELECT: `queries._EVENT_COLUMNS`)."""

    id: UUID
    slug: str
    title: str
    description: str
    kind: EventKind
    status: EventStatus
    starts_at: datetime
    ends_at: datetime
    capacity: int | None
    seats_taken: int
    waiting: int
    registration_opens_at: datetime | None
    registration_closes_at: datetime | None
    topics: str  # " a b c " (see events/tables.py); `events.topics.decode` gives the list
    language: str
    online_url: str | None
    reminder_hours: int
    sequence: int
    published_at: datetime | None
    cancelled_at: datetime | None
    created_at: datetime
    updated_at: datetime
    municipality_id: UUID
    municipality_slug: str
    municipality_name: str
    municipality_region: str | None
    timezone: str
    contact_email: str | None
    contact_phone: str | None
    venue_id: UUID | None
    venue_name: str | None
    venue_address: str | None
    venue_capacity: int | None
    venue_latitude: float | None
    venue_longitude: float | None
    venue_accessibility: str | None
    # Report questions asked at sign-up (" a b "): the event's own and its municipality's.
    report_fields: str = ""
    municipality_report_fields: str = ""
    completion_min_sessions: int | None = None
    completion_requires_exam: bool = False
    # A course series' sessions in time order, cancelled ones too; empty for a single event.
    # Filled by the service where calendars and pages need them (`with_sessions`), not by
    # every SELECT of events.
    sessions: tuple[SessionRow, ...] = ()


class Fingerprint(msgspec.Struct, frozen=True):
    """What a feed's or page's ETag is made of (`queries.fingerprint`)."""

    n: int
    newest: datetime | None
    taken: int
    waiting: int
    open: int | None = None
