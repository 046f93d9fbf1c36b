"""Reactions to changes of events (traffpunkt.hooks): attendees are told, a larger capacity
fills seats from the waiting list.
"""

from __future__ import annotations

from uuid import UUID

from events.service import EventChange
from events.statuses import EventStatus
from notifications import service as mail
from registrations import queries
from registrations.service.door import _DOOR_EVENTS
from registrations.service.links import _mail
from registrations.service.waiting_list import _promote
from registrations.statuses import RegistrationStatus


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
    if change.moved:
        for reg in await queries.of_event(event_id, [RegistrationStatus.CONFIRMED]):
            await _mail("event_changed", reg)
    if "capacity" in change.changed_fields:
        await _promote(event_id)
