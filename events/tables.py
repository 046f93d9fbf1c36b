"""Tables of the events domain. All times are `Timestamptz` (UTC on both engines).

The organisers' tables are in `accounts/tables.py` (registered in this Piccolo app, see
`accounts/piccolo_app.py`)."""

from __future__ import annotations

from piccolo.columns import (
    UUID,
    Boolean,
    DoublePrecision,
    ForeignKey,
    Integer,
    OnDelete,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from accounts.tables import Organiser
from events.statuses import EventStatus


class Municipality(Table, tablename="municipality"):
    id = UUID(primary_key=True)
    slug = Varchar(length=64, unique=True)
    name = Varchar(length=200)
    code = Varchar(length=8, null=True, default=None)
    region = Varchar(length=100, null=True, default=None)
    timezone = Varchar(length=64, default="Europe/Stockholm")
    created_at = Timestamptz()
    # Where people with questions about the municipality's events turn (shown on event pages).
    contact_email = Varchar(length=320, null=True, default=None)
    contact_phone = Varchar(length=40, null=True, default=None)
    # Report questions (statuses.ReportField) asked at sign-up for every event here, as
    # " a b " (space-delimited, padded); an event may ask more (Event.report_fields).
    report_fields = Varchar(length=100, default="")
    # The central locality (WGS 84), for travel times between municipalities (planning), and
    # where the coordinates come from ("SCB tätortspunkt / Wikipedia, 2026").
    latitude = DoublePrecision(null=True, default=None)
    longitude = DoublePrecision(null=True, default=None)
    coordinates_source = Varchar(length=200, null=True, default=None)


class Venue(Table, tablename="venue"):
    id = UUID(primary_key=True)
    municipality = ForeignKey(Municipality, on_delete=OnDelete.restrict, index=True, null=False)
    name = Varchar(length=200)
    address = Text(null=True, default=None)
    capacity = Integer(null=True, default=None)
    latitude = DoublePrecision(null=True, default=None)
    longitude = DoublePrecision(null=True, default=None)
    accessibility = Text(null=True, default=None)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class OrganiserMunicipality(Table, tablename="organiser_municipality"):
    organiser = ForeignKey(Organiser, on_delete=OnDelete.cascade, index=True, null=False)
    municipality = ForeignKey(Municipality, on_delete=OnDelete.cascade, index=True, null=False)


class Event(Table, tablename="event"):
    id = UUID(primary_key=True)
    slug = Varchar(length=120, unique=True)
    title = Varchar(length=200)
    description = Text(default="")
    kind = Varchar(length=16)
    # draft -> published -> cancelled; a cancelled event that was published stays in feeds.
    status = Varchar(length=16, default=EventStatus.DRAFT, index=True)
    municipality = ForeignKey(Municipality, on_delete=OnDelete.restrict, index=True, null=False)
    venue = ForeignKey(Venue, on_delete=OnDelete.restrict, null=True, default=None)
    starts_at = Timestamptz(index=True)
    ends_at = Timestamptz()
    capacity = Integer(null=True, default=None)
    # Kept by the registrations domain with one conditional UPDATE (never read-then-write).
    seats_taken = Integer(default=0)
    # The sign-up counter: the UPDATE that decides seat or waiting list (`join`) gives each
    # sign-up the next number under this row's lock, held to COMMIT, so the numbers follow
    # commit order (first come, first served) on both engines.
    signup_seq = Integer(default=0)
    # People on the waiting list now (kept in the same statements that move people on or off
    # it): a newcomer is told number waiting + 1, exact at the moment of their commit.
    waiting = Integer(default=0)
    # What `join` decided for the latest sign-up, so that its RETURNING can say it (RETURNING
    # sees only new values): 0 a seat, else the waiting-list position.
    last_position = Integer(default=0)
    registration_opens_at = Timestamptz(null=True, default=None)
    registration_closes_at = Timestamptz(null=True, default=None)
    # Topic slugs as " a b c " (space-delimited, padded): filterable with one LIKE on both engines.
    topics = Text(default="")
    language = Varchar(length=2, default="sv")
    online_url = Varchar(length=500, null=True, default=None)
    reminder_hours = Integer(default=24)
    # Report questions asked at sign-up besides the municipality's, " a b " like `topics`.
    report_fields = Varchar(length=100, default="")
    # A course's completion rule (certificates): sessions attended at least (None: all of a
    # series' sessions; a single event: checked in), and whether a passed exam is needed too.
    completion_min_sessions = Integer(null=True, default=None)
    completion_requires_exam = Boolean(default=False)
    # RFC 5545 SEQUENCE: grows with every change of time, place or status.
    sequence = Integer(default=0)
    created_by = ForeignKey(Organiser, on_delete=OnDelete.set_null, null=True, default=None)
    published_at = Timestamptz(null=True, default=None)
    cancelled_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz()
    updated_at = Timestamptz(index=True)


class EventSession(Table, tablename="event_session"):
    """One meeting of a course series: an event with sessions is a series, one sign-up for all.

    The event's own starts_at/ends_at are kept (by events.service.sessions) as the first and
    last non-cancelled session, so listings, feeds' filters and reminders see a series as one
    span of time."""

    id = UUID(primary_key=True)
    event = ForeignKey(Event, on_delete=OnDelete.cascade, index=True, null=False)
    position = Integer(default=1)  # 1..n in time order (cancelled sessions keep theirs)
    starts_at = Timestamptz()
    ends_at = Timestamptz()
    # No venue and not online: at the event's venue.
    venue = ForeignKey(Venue, on_delete=OnDelete.restrict, null=True, default=None)
    online = Boolean(default=False)
    cancelled_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class AuditEntry(Table, tablename="audit_entry"):
    """Who did what, when: every organiser action that changes something."""

    id = UUID(primary_key=True)
    organiser = ForeignKey(Organiser, on_delete=OnDelete.set_null, null=True, default=None)
    organiser_email = Varchar(length=320, default="")
    event = ForeignKey(Event, on_delete=OnDelete.cascade, null=True, default=None, index=True)
    action = Varchar(length=64)
    detail = Text(default="")
    at = Timestamptz(index=True)
