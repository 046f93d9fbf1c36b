"""Request and response bodies of the events domain (msgspec; unknown fields are refused)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, Meta, UnsetType

from events.statuses import EventKind, EventStatus, ReportField
from traffpunkt.addresses import Email

Slug = Annotated[
    str,
    Meta(
        pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
        min_length=2,
        max_length=64,
        description="lower-case letters, digits and single hyphens",
    ),
]
Name = Annotated[str, Meta(min_length=1, max_length=200)]
LongText = Annotated[str, Meta(max_length=20_000)]
Url = Annotated[str, Meta(pattern=r"^https?://[^\s<>\"]+$", max_length=500)]
Capacity = Annotated[int, Meta(ge=1, le=100_000)]
Language = Literal["sv", "en"]
AttendanceMode = Literal["offline", "online", "mixed"]
TopicSlug = Annotated[str, Meta(max_length=64)]
Topics = Annotated[list[TopicSlug], Meta(max_length=15)]
ReminderHours = Annotated[int, Meta(ge=0, le=24 * 14)]
# Questions for the funder's report that sign-up asks (besides the municipality's).
ReportFields = Annotated[list[ReportField], Meta(max_length=len(ReportField))]
# ISO 8601 date-time; seconds and offset are optional (phones' <input type=datetime-local> sends
# "2027-03-04T09:00"). Without an offset it is local time in the municipality's zone. The day
# must lie in 1900-01-01..2999-12-31 (traffpunkt.localtime checks it; a 422 names the field).
LocalDateTime = Annotated[
    str,
    Meta(
        pattern=r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?$",
        examples=["2027-03-04T09:00", "2027-03-04T09:00:00+01:00"],
        description=(
            "ISO 8601; without an offset: local time in the municipality's zone. "
            "Days from 1900-01-01 to 2999-12-31."
        ),
    ),
]


class Strict(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A request body: unknown fields are refused, and so is NUL in any text.

    PostgreSQL cannot store NUL in text (SQLite can), and no person types one: it is refused
    with the field's name on both engines alike, instead of a 500 on one of them."""

    def __post_init__(self) -> None:
        for name in self.__struct_fields__:
            value = getattr(self, name)
            texts = value if isinstance(value, list) else (value,)
            if any(isinstance(t, str) and "\x00" in t for t in texts):
                raise ValueError(f"NUL characters are not allowed in field `{name}`")


# Checked by the address rule in the service (traffpunkt/addresses.py), like every address.
ContactEmail = Email
ContactPhone = Annotated[
    str,
    Meta(
        max_length=40,
        pattern=r"^\+?[0-9][0-9 ()-]{4,38}$",
        examples=["0941-140 00", "+46 941 140 00"],
    ),
]


Latitude = Annotated[float, Meta(ge=-90, le=90)]
Longitude = Annotated[float, Meta(ge=-180, le=180)]
CoordinatesSource = Annotated[str, Meta(max_length=200)]


class MunicipalityIn(Strict, kw_only=True):
    name: Name
    slug: Slug
    code: Annotated[str, Meta(pattern=r"^\d{4}$")] | None = None
    region: Annotated[str, Meta(max_length=100)] | None = None
    timezone: Annotated[str, Meta(max_length=64)] | None = None
    # Where people turn with questions about the municipality's events (shown on event pages).
    contact_email: ContactEmail | None = None
    contact_phone: ContactPhone | None = None
    # The central locality (WGS 84) and where its coordinates come from (travel times).
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    coordinates_source: CoordinatesSource | None = None


class MunicipalityPatch(Strict, kw_only=True):
    """The contact details and the place an organiser of the municipality may change; `null`
    clears one."""

    contact_email: ContactEmail | UnsetType | None = UNSET
    contact_phone: ContactPhone | UnsetType | None = UNSET
    # Report questions asked at sign-up for all of the municipality's events.
    report_fields: ReportFields | UnsetType = UNSET
    latitude: Latitude | UnsetType | None = UNSET
    longitude: Longitude | UnsetType | None = UNSET
    coordinates_source: CoordinatesSource | UnsetType | None = UNSET


class MunicipalityOut(msgspec.Struct, kw_only=True):
    id: str
    slug: str
    name: str
    code: str | None
    region: str | None
    timezone: str
    url: str
    ics_url: str
    webcal_url: str
    contact_email: str | None = None
    contact_phone: str | None = None
    report_fields: list[ReportField] = msgspec.field(default_factory=list)
    latitude: float | None = None
    longitude: float | None = None
    coordinates_source: str | None = None


class VenueIn(Strict, kw_only=True):
    municipality: Annotated[str, Meta(min_length=1, max_length=64)]
    name: Name
    address: Annotated[str, Meta(max_length=500)] | None = None
    capacity: Capacity | None = None
    latitude: Annotated[float, Meta(ge=-90, le=90)] | None = None
    longitude: Annotated[float, Meta(ge=-180, le=180)] | None = None
    accessibility: Annotated[str, Meta(max_length=2000)] | None = None


class VenueOut(msgspec.Struct, kw_only=True):
    id: str
    municipality: str
    name: str
    address: str | None
    capacity: int | None
    latitude: float | None
    longitude: float | None
    accessibility: str | None


class EventIn(Strict, kw_only=True):
    title: Name
    description: LongText = ""
    kind: EventKind
    municipality: Annotated[str, Meta(min_length=1, max_length=64)]
    venue_id: Annotated[str, Meta(max_length=64)] | None = None
    starts_at: LocalDateTime
    ends_at: LocalDateTime
    capacity: Capacity | None = None
    registration_opens_at: LocalDateTime | None = None
    registration_closes_at: LocalDateTime | None = None
    topics: Topics = msgspec.field(default_factory=list)
    language: Language = "sv"
    online_url: Url | None = None
    reminder_hours: ReminderHours = 24
    report_fields: ReportFields = msgspec.field(default_factory=list)
    # Completion (certificates): at least this many sessions attended (none: all of them), and
    # whether the organiser must also mark a passed exam.
    completion_min_sessions: Annotated[int, Meta(ge=1, le=30)] | None = None
    completion_requires_exam: bool = False


class EventPatch(Strict, kw_only=True):
    """Any subset of the create fields; `null` clears an optional one."""

    title: Name | UnsetType = UNSET
    description: LongText | UnsetType = UNSET
    kind: EventKind | UnsetType = UNSET
    municipality: Annotated[str, Meta(min_length=1, max_length=64)] | UnsetType = UNSET
    venue_id: Annotated[str, Meta(max_length=64)] | UnsetType | None = UNSET
    starts_at: LocalDateTime | UnsetType = UNSET
    ends_at: LocalDateTime | UnsetType = UNSET
    capacity: Capacity | UnsetType | None = UNSET
    registration_opens_at: LocalDateTime | UnsetType | None = UNSET
    registration_closes_at: LocalDateTime | UnsetType | None = UNSET
    topics: Topics | UnsetType = UNSET
    language: Language | UnsetType = UNSET
    online_url: Url | UnsetType | None = UNSET
    reminder_hours: ReminderHours | UnsetType = UNSET
    report_fields: ReportFields | UnsetType = UNSET
    completion_min_sessions: Annotated[int, Meta(ge=1, le=30)] | UnsetType | None = UNSET
    completion_requires_exam: bool | UnsetType = UNSET


class EventOut(msgspec.Struct, kw_only=True):
    id: str
    slug: str
    url: str
    ics_url: str
    title: str
    description: str
    kind: EventKind
    status: EventStatus
    municipality: str
    municipality_name: str
    timezone: str
    venue: VenueOut | None
    # Local time in the event's zone, with its offset (e.g. 2027-03-04T09:00:00+01:00).
    starts_at: datetime
    ends_at: datetime
    capacity: int | None
    seats_left: int | None
    # Full but still taking sign-ups: a new one goes on the waiting list.
    waitlist_open: bool
    waiting: int  # people on the waiting list now
    registration_opens_at: datetime | None
    registration_closes_at: datetime | None
    registration_open: bool
    topics: list[str]
    language: str
    online_url: str | None
    attendance_mode: AttendanceMode
    reminder_hours: int
    sequence: int
    updated_at: datetime
    # The event's own report questions, and all it asks at sign-up (with the municipality's):
    # a registration may carry `org_number`, `sni_section`, `size_band`, `gender` only if asked.
    report_fields: list[ReportField] = msgspec.field(default_factory=list)
    report_fields_asked: list[ReportField] = msgspec.field(default_factory=list)
    completion_min_sessions: int | None = None
    completion_requires_exam: bool = False


MAX_SESSIONS = 30


class SessionIn(Strict, kw_only=True):
    """One session of a course series. Without `id` it is a new session; with the id of an
    existing one, that session is changed (its id, and so its calendar entry, stays)."""

    id: Annotated[str, Meta(max_length=64)] | None = None
    starts_at: LocalDateTime
    ends_at: LocalDateTime
    # A venue of the event's municipality; none and not online: the event's own venue.
    venue_id: Annotated[str, Meta(max_length=64)] | None = None
    online: bool = False


class SessionsIn(Strict, kw_only=True):
    """All sessions of a series at once (an empty list makes a draft a single event again)."""

    sessions: Annotated[list[SessionIn], Meta(max_length=MAX_SESSIONS)]


class SessionOut(msgspec.Struct, kw_only=True):
    id: str
    position: int
    # Local time in the event's zone, with its offset.
    starts_at: datetime
    ends_at: datetime
    venue_id: str | None
    venue_name: str | None
    online: bool
    cancelled: bool


class SessionList(msgspec.Struct, kw_only=True):
    items: list[SessionOut]
    next: str | None = None


class EventList(msgspec.Struct, kw_only=True):
    items: list[EventOut]
    next: str | None


class MunicipalityList(msgspec.Struct, kw_only=True):
    items: list[MunicipalityOut]
    next: str | None = None


class TopicOut(msgspec.Struct, kw_only=True):
    slug: str
    sv: str
    en: str


class TopicList(msgspec.Struct, kw_only=True):
    items: list[TopicOut]
    next: str | None = None
