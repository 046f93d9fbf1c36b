"""An organiser changes one registration of their event: corrects its address, cancels it.
Both are audit-logged.
"""

from __future__ import annotations

from events import service as events_service
from events.rows import EventRow
from registrations import queries
from registrations.queries import RegistrationRow
from registrations.schemas import AddressCorrected
from registrations.service.address_correction import _change_address
from registrations.service.self_service import _cancel
from traffpunkt import db
from traffpunkt.auth import Principal
from traffpunkt.errors import NotFound
from traffpunkt.ids import parse_id


async def _registration_of_event(
    actor: Principal, event_id: str, registration_id: str
) -> tuple[EventRow, RegistrationRow]:
    """The event (if the organiser may manage it) and one of its registrations, or 404."""
    event = await events_service.event_for_organiser(actor, event_id)
    reg = await queries.by_id(parse_id(registration_id))
    if reg is None or reg.event != event.id:
        raise NotFound("No such registration for this event")
    return event, reg


async def organiser_correct_address(
    actor: Principal, event_id: str, registration_id: str, email: str
) -> AddressCorrected:
    """An organiser corrects an attendee's address (e.g. after a refused delivery): the stored
    address and how many mails were queued again. Audit-logged."""
    async with db.transaction():
        event, reg = await _registration_of_event(actor, event_id, registration_id)
        new, queued = await _change_address(reg, email)
        await events_service.record_action(
            actor,
            "registration.address_corrected",
            event.id,
            f"{reg.email} → {new}",
        )
    return AddressCorrected(email=new, resent=queued)


async def organiser_cancel(actor: Principal, event_id: str, registration_id: str) -> None:
    """An organiser takes someone off the list (e.g. off the waiting list); they are told."""
    async with db.transaction():
        event, reg = await _registration_of_event(actor, event_id, registration_id)
        await _cancel(reg, notify=True)
        await events_service.record_action(actor, "registration.cancelled", event.id, reg.email)
