"""What the reports domain reads of registrations: the check-ins it counts and the attendance
list people sign on paper."""

from __future__ import annotations

from uuid import UUID

import msgspec

from events import service as events_service
from events.rows import EventRow
from registrations import queries
from registrations.queries import CheckedInRow
from registrations.statuses import RegistrationStatus
from traffpunkt.auth import Principal


class SignatureLine(msgspec.Struct, frozen=True):
    name: str
    organisation: str
    municipality: str


async def checked_in_for_report(event_ids: list[UUID]) -> list[CheckedInRow]:
    """The check-ins of these events (the caller checked the rights to them)."""
    return await queries.checked_in(event_ids)


async def signature_list(actor: Principal, event_id: str) -> tuple[EventRow, list[SignatureLine]]:
    """The event and its confirmed attendees by name, for a list signed on paper."""
    event = await events_service.event_for_organiser(actor, event_id)
    rows = await queries.of_event(event.id, [RegistrationStatus.CONFIRMED])
    lines = [
        SignatureLine(r.name, r.organisation, r.municipality) for r in rows if r.erased_at is None
    ]
    lines.sort(key=lambda line: (line.name.casefold(), line.organisation.casefold()))
    return event, lines
