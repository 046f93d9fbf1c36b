"""Attendance of a course series' sessions as the organiser records it: online sessions have no
door, so the organiser ticks who took part (source "mark"); a forgotten scan is ticked the same
way. The door's scans are in `scans`; both write one row per person and session.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from events import service as events_service
from events.rows import EventRow, SessionRow
from registrations import queries
from registrations.queries import RegistrationRow
from registrations.service.certificates import Progress, progress_of
from registrations.statuses import AttendanceSource
from traffpunkt import db
from traffpunkt.auth import Principal
from traffpunkt.clock import utc_now
from traffpunkt.errors import Invalid, NotFound
from traffpunkt.ids import parse_id


@dataclass(frozen=True, slots=True)
class SessionSheet:
    """One session's attendance list: every confirmed person, and whether they attended."""

    event: EventRow
    session: SessionRow
    people: list[tuple[RegistrationRow, bool]]
    progress: list[Progress]


async def _series(actor: Principal, event_id: str) -> EventRow:
    event = await events_service.with_sessions(
        await events_service.event_for_organiser(actor, event_id)
    )
    return event


def _session(event: EventRow, session_id: str, field: str = "session_id") -> SessionRow:
    sid = parse_id(session_id, field=field)
    found = next((s for s in event.sessions if s.id == sid), None)
    if found is None:
        raise Invalid.field(field, "No session with this id")
    return found


async def session_sheet(actor: Principal, event_id: str, session_id: str) -> SessionSheet:
    event = await _series(actor, event_id)
    session = _session(event, session_id)
    progress = await progress_of(event)
    present: set[UUID] = {
        a.registration
        for a in await queries.attendance_of_event(event.id)
        if a.session_id == session.id
    }
    people = [(p.registration, p.registration.id in present) for p in progress]
    return SessionSheet(event, session, people, progress)


async def mark_attendance(
    actor: Principal, event_id: str, registration_id: str, session_id: str, attended: bool
) -> bool:
    """Tick or untick one person for one session; True if that changed anything."""
    async with db.transaction():
        event = await _series(actor, event_id)
        session = _session(event, session_id)
        reg = await queries.by_id(parse_id(registration_id, field="registration_id"))
        if reg is None or reg.event != event.id:
            raise NotFound("No such registration for this event")
        if attended:
            return await queries.add_attendance(
                reg.id, session.id, AttendanceSource.MARK, utc_now()
            )
        return await queries.remove_attendance(reg.id, session.id)


async def mark_many(actor: Principal, event_id: str, session_id: str, attended: set[str]) -> int:
    """The attendance form of one session: exactly these registration ids attended (ticked);
    the others not. Returns how many rows changed."""
    async with db.transaction():
        event = await _series(actor, event_id)
        session = _session(event, session_id)
        present = {
            a.registration
            for a in await queries.attendance_of_event(event.id)
            if a.session_id == session.id
        }
        wanted = {parse_id(r, field="attended") for r in attended}
        changed = 0
        now = utc_now()
        for p in await progress_of(event):
            rid = p.registration.id
            if rid in wanted and rid not in present:
                changed += await queries.add_attendance(rid, session.id, AttendanceSource.MARK, now)
            elif rid not in wanted and rid in present:
                changed += await queries.remove_attendance(rid, session.id)
        return changed
