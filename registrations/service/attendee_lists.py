"""Who is coming: the door's and organisers' lists and counts, the data a phone checks in
with offline, and the exports (CSV, spreadsheet).
"""

from __future__ import annotations

import csv
import io
from typing import Any
from uuid import UUID

from events import service as events_service
from events import topics
from registrations import queries
from registrations.queries import RegistrationRow
from registrations.schemas import (
    AttendeeList,
    AttendeeOut,
    CheckinData,
    CheckinSession,
    CheckinStats,
    OfflineAttendee,
)
from registrations.service.door import CheckinActor, _event_for_checkin
from registrations.service.keys import event_keys
from registrations.statuses import RegistrationStatus
from traffpunkt import db, i18n
from traffpunkt.auth import DoorPrincipal, Principal
from traffpunkt.clock import utc_now
from traffpunkt.localtime import to_local
from traffpunkt.spreadsheet import Cell, csv_safe


def _attendee(reg: RegistrationRow, tz: str) -> AttendeeOut:
    return AttendeeOut(
        id=str(reg.id),
        name=reg.name,
        organisation=reg.organisation,
        email=reg.email,
        status=reg.status,
        checked_in_at=to_local(reg.checked_in_at, tz) if reg.checked_in_at else None,
        registered_at=to_local(reg.created_at, tz),
    )


async def attendees(
    actor: CheckinActor, event_id: str, q: str | None, status: RegistrationStatus | None
) -> AttendeeList:
    event = await _event_for_checkin(actor, event_id)
    ev_id = event.id
    if q:
        rows = await queries.search(ev_id, q.strip(), 50, pg=not db.is_sqlite())
        if status:
            rows = [r for r in rows if r.status == status]
    else:
        rows = await queries.of_event(ev_id, [status] if status else None)
        rows = [r for r in rows if r.erased_at is None]
    items = [_attendee(r, event.timezone) for r in rows]
    if isinstance(actor, DoorPrincipal):  # the door sees names, not addresses
        items = [AttendeeOut(**{**_asdict(i), "email": ""}) for i in items]
    return AttendeeList(items=items)


def _asdict(item: AttendeeOut) -> dict[str, Any]:
    return {f: getattr(item, f) for f in item.__struct_fields__}


async def attendees_csv(actor: Principal, event_id: str) -> tuple[str, bytes]:
    event = await events_service.event_for_organiser(actor, event_id)
    rows = await queries.of_event(event.id)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "name",
            "email",
            "organisation",
            "municipality",
            "status",
            "language",
            "needs",
            "offers",
            "networking_consent",
            "registered_at",
            "checked_in_at",
        ]
    )
    tz = event.timezone
    for r in rows:
        if r.erased_at is not None:
            continue
        writer.writerow(
            [
                csv_safe(r.name),
                r.email,
                csv_safe(r.organisation),
                csv_safe(r.municipality),
                r.status,
                r.language,
                " ".join(topics.decode(r.needs)),
                " ".join(topics.decode(r.offers)),
                "yes" if r.networking_consent else "no",
                to_local(r.created_at, tz).isoformat(timespec="minutes"),
                to_local(r.checked_in_at, tz).isoformat(timespec="minutes")
                if r.checked_in_at
                else "",
            ]
        )
    # UTF-8 with BOM so that Excel (what municipalities open CSV files with) reads å, ä, ö.
    return f"{event.slug}-attendees.csv", ("\ufeff" + out.getvalue()).encode()


async def attendee_table(
    actor: Principal, event_id: str, lang: str
) -> tuple[str, list[str], list[list[Cell]]]:
    """The attendee list for a spreadsheet, headers and values in the organiser's language:
    (file name without extension, headers, rows). Erased registrations are left out."""
    event = await events_service.event_for_organiser(actor, event_id)
    tz = event.timezone
    _ = i18n.translator(lang)
    status = {
        RegistrationStatus.CONFIRMED: _("Confirmed"),
        RegistrationStatus.WAITLISTED: _("Waiting list"),
        RegistrationStatus.CANCELLED: _("Booking cancelled"),
    }

    def labels(stored: str) -> str:
        return ", ".join(
            topics.BY_SLUG[s].label(lang) if s in topics.BY_SLUG else s
            for s in topics.decode(stored)
        )

    headers = [
        _("Name"),
        _("Email"),
        _("Company or organisation"),
        _("Municipality"),
        _("Status"),
        _("Language"),
        _("Needs"),
        _("Offers"),
        _("Networking"),
        _("Registered"),
        _("Checked in"),
    ]
    rows: list[list[Cell]] = [
        [
            r.name,
            r.email,
            r.organisation,
            r.municipality,
            status[r.status],
            "Svenska" if r.language == "sv" else "English",
            labels(r.needs),
            labels(r.offers),
            _("Yes") if r.networking_consent else _("No"),
            to_local(r.created_at, tz),
            to_local(r.checked_in_at, tz) if r.checked_in_at else None,
        ]
        for r in await queries.of_event(event.id)
        if r.erased_at is None
    ]
    return f"{event.slug}-{_('attendees')}", headers, rows


async def stats(actor: CheckinActor, event_id: str) -> CheckinStats:
    event = await _event_for_checkin(actor, event_id)
    counts = await queries.counts(event.id)
    return CheckinStats(
        registered=counts.get(RegistrationStatus.CONFIRMED, 0),
        checked_in=counts.get("checked_in", 0),
        waiting=counts.get(RegistrationStatus.WAITLISTED, 0),
        capacity=event.capacity,
    )


async def checkin_data(actor: CheckinActor, event_id: str) -> CheckinData:
    event = await _event_for_checkin(actor, event_id)
    ev_id = event.id
    keys = await event_keys(ev_id)
    rows = await queries.of_event(ev_id)
    attended: dict[str, list[str]] = {}
    if event.sessions:
        for a in await queries.attendance_of_event(ev_id):
            attended.setdefault(str(a.registration), []).append(str(a.session_id))
    counts = {RegistrationStatus.CONFIRMED: 0, RegistrationStatus.WAITLISTED: 0}
    checked_in = 0
    people = []
    revoked = []
    for r in rows:
        if r.status == RegistrationStatus.CANCELLED:
            revoked.append(r.ticket_no)
            continue
        counts[r.status] += 1
        checked_in += r.checked_in_at is not None and r.status == RegistrationStatus.CONFIRMED
        people.append(
            OfflineAttendee(
                ticket_no=r.ticket_no,
                name=r.name,
                status=r.status,
                checked_in=r.checked_in_at is not None,
                registration_id=str(r.id),
            )
        )
    tz = event.timezone
    return CheckinData(
        event_id=str(ev_id),
        title=event.title,
        starts_at=to_local(event.starts_at, tz),
        ends_at=to_local(event.ends_at, tz),
        public_key=keys.public_key,
        attendees=people,
        revoked=revoked,
        stats=CheckinStats(
            registered=counts[RegistrationStatus.CONFIRMED],
            checked_in=checked_in,
            waiting=counts[RegistrationStatus.WAITLISTED],
            capacity=event.capacity,
        ),
        generated_at=to_local(utc_now(), tz),
        sessions=[
            CheckinSession(
                id=str(x.id),
                position=x.position,
                starts_at=to_local(x.starts_at, tz),
                ends_at=to_local(x.ends_at, tz),
                online=x.online,
                cancelled=x.cancelled_at is not None,
            )
            for x in event.sessions
        ],
        attendance=attended,
    )


async def counts_for_events(event_ids: list[UUID]) -> dict[str, dict[str, int]]:
    """{event id: {confirmed, waitlisted, cancelled, checked_in}} for organisers' overviews."""
    return await queries.counts_for_events(event_ids)
