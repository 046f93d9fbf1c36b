"""The evaluation mail after an event, and the follow-up three months later, each once per
checked-in attendee.

`send_evaluations` runs in the mail sender's periodic jobs (`traffpunkt.app.periodic_jobs`).
For each attendee it creates the request and queues the mail(s) in one transaction; the
request's unique registration id decides who sends, so two runs at once (two senders, or a
run repeated after a crash) give one mail per person. What is committed is sent by the outbox,
whatever happens to the process after the commit.

The follow-up mail is queued with the evaluation mail, due three months after the event
(`send_at`), because it carries the same personal link and the link's secret is kept only as
a hash: the outbox holds it until then, as it holds any mail not yet sent. Turning the follow-up
off cancels those not yet due; erasing the registration cancels them too (the outbox forgets an
erased registration's pending mail).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

from evaluations import queries
from evaluations.service._common import FOLLOW_UP_AFTER, SEND_WITHIN, evaluation_url
from events import service as events_service
from events.rows import EventRow
from notifications import service as mail
from registrations import service as registrations_service
from traffpunkt import db
from traffpunkt.auth import hash_secret, new_secret
from traffpunkt.clock import utc_now


async def send_evaluations() -> int:
    """Requests and mails for attendees of events that ended lately; how many were created."""
    created = 0
    for event in await events_service.events_ended_within(SEND_WITHIN):
        created += len(await send_for_event(event))
    return created


async def send_for_event(event: EventRow) -> dict[UUID, str]:
    """Requests and mails for the event's attendees who have none yet: {registration id: the
    personal link's secret} of those created here (the demo answers through them)."""
    attendees = await registrations_service.checked_in_attendees(event.id)
    done = await queries.requested(event.id)
    todo = [a.id for a in attendees if a.id not in done]
    if not todo:
        return {}
    settings = await queries.settings(event.id)
    follow_up = settings is None or settings.follow_up
    created: dict[UUID, str] = {}
    for registration_id in todo:
        async with db.transaction():
            # Read again inside the transaction: erased or un-checked-in since means no mail.
            reg = await registrations_service.checked_in_attendee(registration_id)
            if reg is None:
                continue
            now = utc_now()
            token = new_secret()
            follow_up_at = event.ends_at + FOLLOW_UP_AFTER if follow_up else None
            if not await queries.insert_request(
                {
                    "id": uuid4(),
                    "registration_id": reg.id,
                    "event": event.id,
                    "token_hash": hash_secret(token),
                    "sent_at": now,
                    "follow_up_sent_at": follow_up_at,
                }
            ):
                continue  # another run created it (and queued its mail)
            common: dict[str, Any] = {
                "to": reg.email,
                "name": reg.name,
                "language": reg.language,
                "event_id": event.id,
                "registration_id": reg.id,
                "secrets": {"evaluation_url": evaluation_url(token)},
            }
            await mail.enqueue("evaluation", dedupe_key=f"evaluation:{reg.id}", **common)
            if follow_up_at is not None:
                await mail.enqueue(
                    "evaluation_follow_up",
                    dedupe_key=f"evaluation-follow-up:{reg.id}",
                    send_at=follow_up_at,
                    **common,
                )
            created[reg.id] = token
    return created
