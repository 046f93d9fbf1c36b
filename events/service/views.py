"""How rows become what the API and pages show: municipalities, venues, events (with the
registration window and seats left).
"""

from __future__ import annotations

from datetime import datetime

from events import topics
from events.rows import EventRow, MunicipalityRow, VenueRow
from events.schemas import AttendanceMode, EventOut, MunicipalityOut, VenueOut
from events.statuses import EventStatus, ReportField
from traffpunkt.clock import utc_now
from traffpunkt.localtime import to_local
from traffpunkt.settings import current_settings


def municipality_out(row: MunicipalityRow) -> MunicipalityOut:
    base = current_settings().base_url
    ics = f"{base}/calendars/{row.slug}.ics"
    return MunicipalityOut(
        id=str(row.id),
        slug=row.slug,
        name=row.name,
        code=row.code,
        region=row.region,
        timezone=row.timezone,
        url=f"{base}/calendar/{row.slug}",
        ics_url=ics,
        webcal_url="webcal://" + ics.split("://", 1)[1],
        contact_email=row.contact_email,
        contact_phone=row.contact_phone,
        report_fields=decode_report_fields(row.report_fields),
        latitude=row.latitude,
        longitude=row.longitude,
        coordinates_source=row.coordinates_source,
    )


def venue_out(row: VenueRow, municipality_slug: str) -> VenueOut:
    return VenueOut(
        id=str(row.id),
        municipality=municipality_slug,
        name=row.name,
        address=row.address,
        capacity=row.capacity,
        latitude=row.latitude,
        longitude=row.longitude,
        accessibility=row.accessibility,
    )


def registration_window(row: EventRow) -> tuple[datetime | None, datetime]:
    """(opens, closes) in UTC; opening defaults to publication, closing to the start."""
    return row.registration_opens_at, row.registration_closes_at or row.starts_at


def is_registration_open(row: EventRow, now: datetime) -> bool:
    if row.status != EventStatus.PUBLISHED:
        return False
    opens, closes = registration_window(row)
    return (opens is None or opens <= now) and now < closes


def attendance_mode(row: EventRow) -> AttendanceMode:
    if row.online_url and row.venue_id:
        return "mixed"
    return "online" if row.online_url else "offline"


def event_out(row: EventRow, now: datetime | None = None) -> EventOut:
    now = now or utc_now()
    tz = row.timezone
    base = current_settings().base_url
    venue = None
    if row.venue_id is not None:
        venue = VenueOut(
            id=str(row.venue_id),
            municipality=row.municipality_slug,
            name=row.venue_name or "",  # NOT NULL in the venue table
            address=row.venue_address,
            capacity=row.venue_capacity,
            latitude=row.venue_latitude,
            longitude=row.venue_longitude,
            accessibility=row.venue_accessibility,
        )
    capacity = row.capacity
    opens, closes = row.registration_opens_at, row.registration_closes_at
    seats_left = None if capacity is None else max(capacity - row.seats_taken, 0)
    registration_open = is_registration_open(row, now)
    return EventOut(
        id=str(row.id),
        slug=row.slug,
        url=f"{base}/events/{row.slug}",
        ics_url=f"{base}/api/v1/events/{row.id}/event.ics",
        title=row.title,
        description=row.description,
        kind=row.kind,
        status=row.status,
        municipality=row.municipality_slug,
        municipality_name=row.municipality_name,
        timezone=tz,
        venue=venue,
        starts_at=to_local(row.starts_at, tz),
        ends_at=to_local(row.ends_at, tz),
        capacity=capacity,
        seats_left=seats_left,
        waitlist_open=registration_open and seats_left == 0,
        # Kept by the statements that move people on and off the list (no count per event).
        waiting=row.waiting,
        registration_opens_at=to_local(opens, tz) if opens else None,
        registration_closes_at=to_local(closes, tz) if closes else None,
        registration_open=registration_open,
        topics=topics.decode(row.topics),
        language=row.language,
        online_url=row.online_url,
        attendance_mode=attendance_mode(row),
        reminder_hours=row.reminder_hours,
        sequence=row.sequence,
        updated_at=to_local(row.updated_at, tz),
        report_fields=decode_report_fields(row.report_fields),
        report_fields_asked=report_fields_asked(row),
        completion_min_sessions=row.completion_min_sessions,
        completion_requires_exam=row.completion_requires_exam,
    )


_REPORT_FIELD = {f.value: f for f in ReportField}


def encode_report_fields(fields: list[ReportField]) -> str:
    """As stored: " a b " in the order of `ReportField` (the same set, the same text)."""
    chosen = set(fields)
    return " " + " ".join(f.value for f in ReportField if f in chosen) + " " if chosen else ""


def decode_report_fields(text: str) -> list[ReportField]:
    return [_REPORT_FIELD[t] for t in text.split() if t in _REPORT_FIELD]


def report_fields_asked(row: EventRow) -> list[ReportField]:
    """What sign-up asks for the funder's report: the event's and its municipality's."""
    asked = set(decode_report_fields(row.report_fields))
    asked.update(decode_report_fields(row.municipality_report_fields))
    return [f for f in ReportField if f in asked]
