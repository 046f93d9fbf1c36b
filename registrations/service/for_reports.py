"""What the reports domain reads of registrations: the check-ins it counts, the sessions of
course series attended, and the attendance list people sign on paper."""

from __future__ import annotations

from uuid import UUID

import msgspec

from events import service as events_service
from events.rows import EventRow
from registrations import queries
from registrations.queries import CheckedInRow, SessionAttendedRow
from registrations.statuses import RegistrationStatus
from traffpunkt.auth import Principal


class SignatureLine(msgspec.Struct, frozen=True):
    name: str
    organisation: str
    municipality: str


async def checked_in_for_report(event_ids: list[UUID]) -> list[CheckedInRow]:
    """The check-ins of these events (the caller checked the rights to them)."""
    return await queries.checked_in(event_ids)


async def sessions_attended_for_report(event_ids: list[UUID]) -> list[SessionAttendedRow]:
    """Who attended which session of these course series (scanned at the door or ticked by the
    organiser for an online session): a series counts its participants and hours by these."""
    return await queries.sessions_attended(event_ids)


async def signature_list(actor: Principal, event_id: str) -> tuple[EventRow, list[SignatureLine]]:
    """The event and its confirmed attendees by name, for a list signed on paper."""
    event = await events_service.event_for_organiser(actor, event_id)
    rows = await queries.of_event(event.id, [RegistrationStatus.CONFIRMED])
    lines = [
        SignatureLine(r.name, r.organisation, r.municipality) for r in rows if r.erased_at is None
    ]
    lines.sort(key=lambda line: (line.name.casefold(), line.organisation.casefold()))
    return event, lines
