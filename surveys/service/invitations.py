"""Personal links: organisers invite companies by address (one link per address and round,
mailed through the outbox), and remind those who have not answered, once."""

from __future__ import annotations

from email.utils import parseaddr
from typing import Any
from uuid import uuid4

from notifications import service as mail
from surveys import queries
from surveys.schemas import RemindersOut, SurveyInvitationsIn, SurveyInvitationsOut
from surveys.service._common import answer_url, closes_text, round_for_organiser, state
from traffpunkt import addresses, db, limits
from traffpunkt.auth import Principal, hash_secret, new_secret
from traffpunkt.clock import utc_now
from traffpunkt.errors import Conflict, Invalid


def _people(body: SurveyInvitationsIn) -> dict[str, str]:
    """address -> name of everyone in `emails` and `people` (checked: one 422 naming every
    wrong address)."""
    texts = body.emails + [p.email for p in body.people]
    if not texts:
        raise Invalid.field("emails", "Give at least one address")
    if len(texts) > 1000:
        raise Invalid.field("people", "At most 1000 addresses at a time")
    emails = addresses.checked_all(body.emails)
    people_emails = addresses.checked_all([p.email for p in body.people], field="people")
    names = [parseaddr(t)[0] if "<" in t else "" for t in body.emails]
    names += [p.name for p in body.people]
    out: dict[str, str] = {}
    for email, name in zip(emails + people_emails, names, strict=True):
        name = " ".join(name.split())[:200]
        if email not in out or (name and not out[email]):
            out[email] = name
    return out


async def invite(
    actor: Principal, round_id: str, body: SurveyInvitationsIn
) -> SurveyInvitationsOut:
    people = _people(body)
    async with db.transaction():
        row, _ = await round_for_organiser(actor, round_id)
        if state(row) == "closed":
            raise Conflict("The survey is closed")
        already = await queries.invited_emails(row.id, list(people))
        wanted = [e for e in people if e not in already]
        # The same abuse limits as event invitations (they count together): the organiser's
        # addresses per hour (429), and each address's invitations (beyond: not mailed).
        too_often = {
            hit.identity
            for hit in await limits.enforce(
                [
                    ("invite_per_organiser", str(actor.organiser_id), len(wanted)),
                    *(("invite_per_address", email) for email in wanted),
                ],
                quiet=("invite_per_address",),
            )
        }
        now = utc_now()
        language = body.language or row.language
        rows: list[dict[str, Any]] = []
        for email in wanted:
            if email in too_often:
                continue
            token = new_secret()
            rows.append(
                {
                    "id": uuid4(),
                    "round": row.id,
                    "round_email": f"{row.id}:{email}",
                    "email": email,
                    "name": people[email],
                    "language": language,
                    "token_hash": hash_secret(token),
                    "invited_by": actor.organiser_id,
                    "created_at": now,
                }
            )
            await mail.enqueue(
                "survey_invitation",
                to=email,
                name=people[email],
                language=language,
                event_id=None,
                data={"survey_title": row.title, "closes": closes_text(row, language)},
                secrets={"answer_url": answer_url(token)},
            )
        await queries.insert_invites(rows)
    return SurveyInvitationsOut(
        invited=len(rows),
        already_invited=sorted(already),
        invited_too_often=[e for e in wanted if e in too_often],
    )


async def send_reminders(actor: Principal, round_id: str) -> RemindersOut:
    """One reminder to every invite without an answer that was never reminded. Whether a
    reminder goes is decided by the conditional UPDATE of `reminded_at`, in the transaction
    that writes it to the outbox: a second click (or a second organiser at the same time)
    sends nothing twice."""
    async with db.transaction():
        row, _ = await round_for_organiser(actor, round_id)
        if state(row) != "open":
            raise Conflict("Reminders can be sent only while the survey is open")
        now = utc_now()
        sent = 0
        for invite in await queries.invites_to_remind(row.id):
            token = new_secret()
            if not await queries.mark_reminded(invite.id, now, hash_secret(token)):
                continue
            await mail.enqueue(
                "survey_reminder",
                to=invite.email,
                name=invite.name,
                language=invite.language,
                event_id=None,
                data={"survey_title": row.title, "closes": closes_text(row, invite.language)},
                secrets={"answer_url": answer_url(token)},
            )
            sent += 1
    return RemindersOut(reminded=sent)
