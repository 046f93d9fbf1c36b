"""Storage limitation ("gallring"): attendees' personal data of events that ended more than
`retention_months` ago (TRAFFPUNKT_RETENTION_MONTHS, default 24) is anonymised, by the mail
sender once a day (`traffpunkt.app.periodic_jobs`), and each event's anonymisation is written
to its audit log.

Per event, in one transaction: each registration loses name, address, organisation, home
municipality, sector and free text, its networking consent and its manage links (as the erase
path does, `self_service._erase`), and a sole trader's organisation number (the owner's
identity number) becomes a pseudonym (`traffpunkt.companies.org_pseudonym`); invitations
lose address and name; scans lose what the door phone read and which phone; the event's mail
keeps kind, status and times but not recipient or contents (`notifications.service.forget_event`).

Unlike an erasure on request, the person's *participation* stays counted: status,
check-in, seat and the topic slugs of needs and offers are kept (they say nothing about who),
so attendance counts and the skills-needs map are the same afterwards. The map counts people
once over several events by address; a retained registration carries instead
`retained-<HMAC of the address>@invalid` (keyed with the secret key, like the abuse limits'
counters: no address is stored), and the map counts every registration by that same key
(`person_key`), so someone who came to an old and a new event is still one person.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from datetime import datetime
from uuid import UUID

from events import service as events_service
from notifications import service as mail
from registrations import queries
from traffpunkt import db
from traffpunkt.auth import OrganiserRole, Principal
from traffpunkt.clock import months_before, utc_now
from traffpunkt.companies import org_pseudonym
from traffpunkt.settings import current_settings

log = logging.getLogger("traffpunkt.retention")

RETAINED_PREFIX = "retained-"
INVITATION_PLACEHOLDER = "retained@invalid"
# Who the audit log names: the service itself, no organiser (`audit.record` stores no id).
RETENTION_ACTOR = Principal(UUID(int=0), "Träffpunkt (gallring)", OrganiserRole.ADMIN)
EVENTS_PER_RUN = 200  # bounded work per run; the next run takes the rest


def person_key(email: str) -> str:
    """Who a registration is, for counting people once: the retained address as it is, any
    other address as the pseudonym retention would give it."""
    if email.startswith(RETAINED_PREFIX):
        return email
    secret = current_settings().secret_key.encode()
    digest = hmac.new(secret, email.strip().lower().encode(), hashlib.sha256).hexdigest()
    return f"{RETAINED_PREFIX}{digest[:32]}@invalid"


async def apply_retention(now: datetime | None = None) -> int:
    """Anonymise what is due; returns how many registrations were anonymised."""
    months = current_settings().retention_months
    if months <= 0:
        return 0
    now = now or utc_now()
    total = 0
    for event_id in await queries.events_to_retain(months_before(now, months), EVENTS_PER_RUN):
        total += await _retain_event(event_id, now)
    if total:
        log.info(
            "retention: anonymised %d registrations (events ended %d months ago)", total, months
        )
    return total


async def _retain_event(event_id: UUID, now: datetime) -> int:
    async with db.transaction():
        people = await queries.addresses_to_retain(event_id)
        secret = current_settings().secret_key
        for reg_id, email, org_number in people:
            await queries.update(
                reg_id,
                {
                    "name": "",
                    # A sole trader's number is the owner's identity number: a pseudonym
                    # (the same as the survey's retention gives it); a company's stays.
                    "org_number": org_pseudonym(org_number, secret),
                    "email": person_key(email),
                    "event_email": f"{event_id}:retained:{reg_id}",
                    "organisation": "",
                    "municipality": "",
                    "networking_consent": False,
                    "sector": "",
                    "about": "",
                    "updated_at": now,
                },
            )
            await queries.delete_manage_tokens(reg_id)
        invitations = await queries.scrub_invitations(event_id, INVITATION_PLACEHOLDER)
        await queries.scrub_scans(event_id)
        await mail.forget_event(event_id)
        await events_service.record_action(
            RETENTION_ACTOR,
            "registrations.retained",
            event_id,
            f"{len(people)}/{invitations}",
        )
    return len(people)


async def retention_job() -> None:
    """The sender's periodic job: at most once a day per process (it runs at start, then
    whenever a day has passed)."""
    global _last_run
    now = utc_now()
    if _last_run is not None and (now - _last_run).total_seconds() < RUN_EVERY_SECONDS:
        return
    _last_run = now
    await apply_retention(now)


RUN_EVERY_SECONDS = 24 * 3600
_last_run: datetime | None = None
