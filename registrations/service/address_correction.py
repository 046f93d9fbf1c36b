"""A corrected address: unsent mail goes to it, mail that failed for good is sent again.

The attendee (self_service.update_own, correct_own_address) and organisers
(organiser_changes.organiser_correct_address) correct through `_change_address`.
"""

from __future__ import annotations

import msgspec

from notifications import service as mail
from notifications.rows import FailedMail, MailLine
from registrations import queries
from registrations.queries import RegistrationRow
from registrations.service.links import _mail
from registrations.statuses import RegistrationStatus
from traffpunkt import addresses
from traffpunkt.clock import utc_now
from traffpunkt.errors import Conflict, NotFound

# Mail that says where a registration stands: after a correction one mail with the current
# state (a confirmation with the ticket and the calendar invitation, or the waiting-list place)
# replaces whichever of these failed; a stale one (e.g. "you are on the waiting list" after a
# promotion) is not sent again.
_STATE_KINDS = frozenset(
    {"confirmed", "promoted", "waitlisted", "manage_link", "reminder", "event_changed"}
)
# Sent again as they were while they still hold (the registration or the event is cancelled).
_CANCELLED_KINDS = frozenset({"registration_cancelled", "waitlist_left"})
_EVENT_CANCELLED_KINDS = frozenset({"event_cancelled", "event_cancelled_waitlisted"})


async def delivery_failure(reg: RegistrationRow) -> MailLine | None:
    """The newest mail to this registration when it failed for good (shown for correction)."""
    if reg.erased_at is not None:
        return None
    return await mail.delivery_failure(reg.id)


async def _change_address(reg: RegistrationRow, email: str) -> tuple[str, int]:
    """Inside the caller's transaction: the registration's address becomes `email` (checked by
    the address rule), unsent mail goes there, and mail that failed for good at the old address
    is sent again. Returns (the stored address, how many mails were queued again)."""
    reg_id, event_id = reg.id, reg.event
    if reg.erased_at is not None:
        raise NotFound("This link is not valid (any more). Ask for a new one by signing up again")
    new = addresses.checked(email)
    old = reg.email
    if new != old:
        other = await queries.by_event_email(f"{event_id}:{new}")
        if other is not None and other.id != reg_id:
            raise Conflict("This address is already registered for this event")
        await queries.update(
            reg_id, {"email": new, "event_email": f"{event_id}:{new}", "updated_at": utc_now()}
        )
        await mail.redirect_pending(reg_id, new)
    reg = msgspec.structs.replace(reg, email=new)
    failed = await mail.failed_to(reg_id, old)
    kinds = [f.kind for f in failed]
    queued = 0
    if _STATE_KINDS.intersection(kinds):
        if reg.status == RegistrationStatus.CONFIRMED:
            await _mail("confirmed", reg, ticket=True)
            queued += 1
        elif reg.status == RegistrationStatus.WAITLISTED:
            position = await queries.waiting_position(event_id, reg.queue_seq, reg_id)
            await _mail("waitlisted", reg, position=position)
            queued += 1
    again: dict[str, FailedMail] = {}
    for f in failed:  # the newest of each other kind, if it still holds
        if f.kind in _CANCELLED_KINDS and reg.status == RegistrationStatus.CANCELLED:
            again[f.kind] = f
        elif f.kind in _EVENT_CANCELLED_KINDS:
            again[f.kind] = f
        elif (
            f.kind in ("introduction", "meeting_plan")
            and reg.status != RegistrationStatus.CANCELLED
        ):
            again[f.kind] = f
    for kind, f in again.items():
        if kind in ("introduction", "meeting_plan"):
            await _mail(kind, reg, **f.data)
        else:
            await mail.enqueue(
                kind,
                to=new,
                name=reg.name,
                language=reg.language,
                event_id=event_id,
                registration_id=reg_id,
                data=f.data,
            )
        queued += 1
    return new, queued
