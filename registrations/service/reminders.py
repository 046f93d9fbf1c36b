"""Reminders before an event, queued once per registration and start time."""

from __future__ import annotations

from datetime import timedelta

from events import service as events_service
from notifications import service as mail
from registrations import queries
from registrations.service.keys import ticket_code
from registrations.service.links import _new_manage_token, manage_url
from registrations.statuses import RegistrationStatus
from traffpunkt import db
from traffpunkt.clock import utc_now


async def schedule_reminders() -> int:
    """Queue reminders that are due (each once per registration and start time)."""
    now = utc_now()
    queued = 0
    for event in await events_service.events_starting_within(timedelta(days=14)):
        hours = event.reminder_hours
        if hours <= 0 or not (event.starts_at - timedelta(hours=hours) <= now < event.starts_at):
            continue
        regs = await queries.of_event(event.id, [RegistrationStatus.CONFIRMED])
        keys = {f"reminder:{r.id}:{event.starts_at.isoformat()}": r for r in regs}
        due = set(keys) - await mail.queued_keys(list(keys))
        if not due:
            continue
        async with db.transaction():
            for key in sorted(due):
                reg = keys[key]
                secrets = {
                    "manage_url": manage_url(await _new_manage_token(reg.id)),
                    "ticket_code": await ticket_code(reg.event, reg.ticket_no),
                }
                if await mail.enqueue(
                    "reminder",
                    to=reg.email,
                    name=reg.name,
                    language=reg.language,
                    event_id=event.id,
                    registration_id=reg.id,
                    data={"sequence_offset": reg.itip_offset},
                    secrets=secrets,
                    dedupe_key=key,
                ):
                    queued += 1
    return queued
