"""Reactions to changes of events (traffpunkt.hooks): attendees are told, a larger capacity
fills seats from the waiting list.
"""

from __future__ import annotations

from uuid import UUID

from events import service as events_service
from events.service import EventChange
from events.statuses import EventStatus
from notifications import service as mail
from registrations import queries
from registrations.service.door import _DOOR_EVENTS
from registrations.service.links import _mail
from registrations.service.waiting_list import _promote
from registrations.statuses import RegistrationStatus
from traffpunkt.templating import local_date, local_time


async def on_event_changed(change: EventChange) -> None:
    """Inside the events transaction: tell people, fill seats a larger capacity frees."""
    event_id = UUID(change.event.id)
    _DOOR_EVENTS.clear()
    if change.event.status == EventStatus.CANCELLED:
        active = [RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED]
        for reg in await queries.of_event(event_id, active):
            await mail.cancel_pending(reg.id, ["reminder"])
            await mail.enqueue(
                "event_cancelled"
                if reg.status == RegistrationStatus.CONFIRMED
                else "event_cancelled_waitlisted",
                to=reg.email,
                name=reg.name,
                language=reg.language,
                event_id=event_id,
                registration_id=reg.id,
                data={
                    "sequence_offset": reg.itip_offset,
                    **({"note": change.note} if change.note else {}),
                },
            )
        return
    if change.cancelled_session is not None:
        await _session_cancelled(event_id, change.cancelled_session)
    elif change.moved:
        for reg in await queries.of_event(event_id, [RegistrationStatus.CONFIRMED]):
            await _mail("event_changed", reg)
    if "capacity" in change.changed_fields:
        await _promote(event_id)


async def _session_cancelled(event_id: UUID, session_id: str) -> None:
    """One session of a series is off: a CANCEL of that session's calendar entry to everyone
    with a seat (the others' entries stay as they are)."""
    row = await events_service.event_for_mail(event_id)
    session = next((s for s in row.sessions if str(s.id) == session_id), None) if row else None
    if row is None or session is None:
        return
    for reg in await queries.of_event(event_id, [RegistrationStatus.CONFIRMED]):
        lang = reg.language
        when = (
            f"{local_date(session.starts_at, row.timezone, lang)} "
            f"{local_time(session.starts_at, row.timezone, lang)}"
        )
        await _mail("session_cancelled", reg, session_id=session_id, session_when=when)
