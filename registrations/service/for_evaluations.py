"""What the evaluations domain reads of registrations: who was there (checked in, not erased)."""

from __future__ import annotations

from uuid import UUID

from registrations import queries
from registrations.queries import RegistrationRow
from registrations.statuses import RegistrationStatus


def _attended(reg: RegistrationRow) -> bool:
    return (
        reg.status == RegistrationStatus.CONFIRMED
        and reg.checked_in_at is not None
        and reg.erased_at is None
    )


async def checked_in_attendees(event_id: UUID) -> list[RegistrationRow]:
    """Registrations of the event that were checked in and are neither cancelled nor erased
    (an erased registration is cancelled too)."""
    rows = await queries.of_event(event_id, [RegistrationStatus.CONFIRMED])
    return [r for r in rows if _attended(r)]


async def checked_in_attendee(registration_id: UUID) -> RegistrationRow | None:
    """The registration if it still counts as attended (read again inside a sender's
    transaction: erased in between means no mail)."""
    reg = await queries.by_id(registration_id)
    return reg if reg is not None and _attended(reg) else None
