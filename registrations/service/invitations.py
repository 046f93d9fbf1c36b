"""Invitations: organisers invite people by address; an invitation's link pre-fills and
admits the sign-up (also past the block list).
"""

from __future__ import annotations

from email.utils import parseaddr
from typing import Any
from uuid import UUID, uuid4

from events import service as events_service
from events.statuses import EventStatus
from notifications import service as mail
from registrations import queries
from registrations.schemas import InvitationsIn, InvitationsOut
from registrations.statuses import RegistrationStatus
from traffpunkt import addresses, db, limits
from traffpunkt.auth import Principal, hash_secret, new_secret
from traffpunkt.clock import utc_now
from traffpunkt.errors import Conflict, Invalid
from traffpunkt.settings import current_settings


def _invitees(body: InvitationsIn) -> dict[str, str]:
    """address -> name of everyone in `emails` and `people` (checked; one 422 naming every
    wrong one). A string in `emails` may carry a name as mail programs write it
    (`Anna Andersson <anna@example.se>`)."""
    texts = body.emails + [p.email for p in body.people]
    if not texts:
        raise Invalid.field("emails", "Give at least one address")
    if len(texts) > 1000:
        raise Invalid.field("people", "At most 1000 addresses at a time")
    first: Invalid | None = None
    try:
        emails = addresses.checked_all(body.emails)
    except Invalid as exc:
        first = exc
    try:
        people_emails = addresses.checked_all([p.email for p in body.people], field="people")
    except Invalid as exc:
        if first is None:
            raise
        raise Invalid(first.detail, errors=[*(first.errors or []), *(exc.errors or [])]) from None
    if first is not None:
        raise first
    names = [parseaddr(t)[0] if "<" in t else "" for t in body.emails]
    names += [p.name for p in body.people]
    out: dict[str, str] = {}
    for email, name in zip(emails + people_emails, names, strict=True):
        name = " ".join(name.split())[:200]
        if email not in out or (name and not out[email]):
            out[email] = name
    return out


async def invite(actor: Principal, event_id: str, body: InvitationsIn) -> InvitationsOut:
    people = _invitees(body)
    emails = list(people)
    async with db.transaction():
        event = await events_service.event_for_organiser(actor, event_id)
        if event.status != EventStatus.PUBLISHED:
            raise Conflict("Publish the event before inviting people")
        now = utc_now()
        ev_id = event.id
        base = current_settings().base_url
        already: list[str] = []
        wanted: list[str] = []
        for email in dict.fromkeys(emails):
            existing = await queries.by_event_email(f"{ev_id}:{email}")
            if existing is not None and existing.status != RegistrationStatus.CANCELLED:
                already.append(email)
            else:
                wanted.append(email)
        # Abuse limits, one statement: the organiser's addresses per hour (429), and each
        # address's invitations across events (beyond that it is not mailed, and reported).
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
        rows: list[dict[str, Any]] = []
        for email in wanted:
            if email in too_often:
                continue
            token = new_secret()
            rows.append(
                {
                    "id": uuid4(),
                    "event": ev_id,
                    "email": email,
                    "name": people[email],
                    "token_hash": hash_secret(token),
                    "invited_by": actor.organiser_id,
                    "created_at": now,
                }
            )
            await mail.enqueue(
                "invitation",
                to=email,
                name=people[email],
                language=body.language,
                event_id=ev_id,
                secrets={"signup_url": f"{base}/events/{event.slug}/register?invite={token}"},
            )
        await queries.insert_invitations(rows)
        await events_service.record_action(
            actor,
            "invitations.sent",
            ev_id,
            f"{len(rows)}/{len(already)}",  # sent/already
        )
    return InvitationsOut(
        invited=len(rows),
        already_registered=already,
        invited_too_often=[e for e in wanted if e in too_often],
    )


async def invitation_person(event_id: UUID, token: str) -> tuple[str, str] | None:
    """(address, name) an invitation was sent to (to pre-fill the sign-up form)."""
    if not token or len(token) > 100:
        return None
    row = await queries.invitation_by_hash(hash_secret(token))
    if row is None:
        await limits.token_miss()
    if row is None or row.event != event_id:
        return None
    return row.email, row.name


async def invite_person(
    event_id: UUID,
    event_slug: str,
    email: str,
    name: str = "",
    language: str = "sv",
    invited_by: UUID | None = None,
) -> bool:
    """One personal invitation (the link that pre-fills and admits the sign-up, its mail
    through the outbox) on behalf of the project rather than an organiser at a keyboard: the
    planning domain invites the companies that asked for an event's topic when it is
    published. Inside the caller's transaction. False (nothing sent) when the address is
    already registered or is not a valid address any more."""
    try:
        address = addresses.checked(email, "email")
    except Invalid:
        return False
    existing = await queries.by_event_email(f"{event_id}:{address}")
    if existing is not None and existing.status != RegistrationStatus.CANCELLED:
        return False
    token = new_secret()
    await queries.insert_invitations(
        [
            {
                "id": uuid4(),
                "event": event_id,
                "email": address,
                "name": " ".join(name.split())[:200],
                "token_hash": hash_secret(token),
                "invited_by": invited_by,
                "created_at": utc_now(),
            }
        ]
    )
    base = current_settings().base_url
    await mail.enqueue(
        "invitation",
        to=address,
        name=" ".join(name.split())[:200],
        language=language if language in ("sv", "en") else "sv",
        event_id=event_id,
        secrets={"signup_url": f"{base}/events/{event_slug}/register?invite={token}"},
    )
    return True
