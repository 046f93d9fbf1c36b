"""The attendance list people sign on paper, for the events whose funder still asks for
signatures: the confirmed attendees by name."""

from __future__ import annotations

from events.rows import EventRow
from registrations import service as registrations_service
from registrations.service import SignatureLine
from traffpunkt.auth import Principal


async def attendance_list(actor: Principal, event_id: str) -> tuple[EventRow, list[SignatureLine]]:
    """The event (if the organiser may see it) and its lines, by name."""
    return await registrations_service.signature_list(actor, event_id)
