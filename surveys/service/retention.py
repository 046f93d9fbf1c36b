"""Storage limitation ("gallring") of the needs survey: rounds that closed more than
`retention_months` ago (TRAFFPUNKT_RETENTION_MONTHS, default 24, as for registrations) keep what
they say about needs, not who said it. Run by the mail sender once a day
(`traffpunkt.app.periodic_jobs`), written to the audit log.

Per round, in one transaction: each answer loses company name, contact, address, free text, its
consents and its link; a sole trader's organisation number (the owner's identity number)
becomes a pseudonym (`traffpunkt.companies.org_pseudonym`, the same registrations' retention
gives it); municipality, sector, size band and the needs stay, so the needs map, the planning
page and the funder's report count the same afterwards. Invitations lose address and name; the
survey's mail queued before the cut-off keeps kind, status and times only.
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime
from uuid import UUID

from events import service as events_service
from notifications import service as mail
from surveys import queries
from traffpunkt import db
from traffpunkt.auth import OrganiserRole, Principal, hash_secret
from traffpunkt.clock import months_before, utc_now
from traffpunkt.companies import org_pseudonym
from traffpunkt.settings import current_settings

log = logging.getLogger("traffpunkt.retention")

RETENTION_ACTOR = Principal(UUID(int=0), "Träffpunkt (gallring)", OrganiserRole.ADMIN)
MAIL_KINDS = ["survey_invitation", "survey_reminder", "survey_receipt"]
RUN_EVERY_SECONDS = 24 * 3600
_last_run: datetime | None = None


def _dead_link() -> str:
    return hash_secret(secrets.token_urlsafe(24))  # a hash nobody holds the link of


async def apply_retention(now: datetime | None = None) -> int:
    """Anonymise the answers of rounds closed long ago; how many answers."""
    months = current_settings().retention_months
    if months <= 0:
        return 0
    now = now or utc_now()
    before = months_before(now, months)
    total = 0
    for round_id in await queries.rounds_closed_before(before):
        total += await _retain_round(round_id, now)
    await mail.forget_kinds_before(MAIL_KINDS, before)
    if total:
        log.info(
            "retention: anonymised %d survey answers (rounds closed %d months ago)", total, months
        )
    return total


async def _retain_round(round_id: UUID, now: datetime) -> int:
    secret = current_settings().secret_key
    async with db.transaction():
        answers = await queries.answers_to_retain(round_id)
        for answer_id, org_number in answers:
            pseudonym = org_pseudonym(org_number, secret)
            await queries.retain_answer(
                answer_id,
                {
                    "company_name": "",
                    "contact_name": "",
                    "email": "",
                    "free_text": "",
                    "contact_consent": False,
                    "networking_consent": False,
                    "token_hash": _dead_link(),
                    "org_number": pseudonym,
                    "round_company": f"{round_id}:{pseudonym}",
                    "updated_at": now,
                },
            )
        invites = await queries.retain_invites(round_id, _dead_link)
        if answers or invites:
            await events_service.record_action(
                RETENTION_ACTOR, "surveys.retained", None, f"{len(answers)}/{invites}"
            )
    return len(answers)


async def retention_job() -> None:
    """The sender's periodic job: at most once a day per process."""
    global _last_run
    now = utc_now()
    if _last_run is not None and (now - _last_run).total_seconds() < RUN_EVERY_SECONDS:
        return
    _last_run = now
    await apply_retention(now)
