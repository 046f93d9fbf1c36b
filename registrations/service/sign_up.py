"""Signing up: a seat or a place on the waiting list, the confirmation mail, the block list.

Seats are counted by the events domain with one conditional UPDATE of the event row (`join`)
that also numbers each sign-up and counts the waiting list, so capacity is never exceeded, the
order is commit order and the waiting-list position told is exact, on either engine. Every
mail goes through the outbox in the same transaction (notifications.service.enqueue).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any
from uuid import UUID, uuid4

from events import service as events_service
from events import topics
from events.rows import EventRow
from notifications import service as mail
from registrations import queries, tickets
from registrations.schemas import RegistrationIn
from registrations.service._common import _check_profile, report_answers
from registrations.service.keys import ticket_code
from registrations.service.links import _mail, manage_url
from registrations.statuses import RegistrationStatus
from traffpunkt import addresses, db, limits
from traffpunkt.auth import hash_secret, new_secret
from traffpunkt.clock import utc_now
from traffpunkt.errors import Conflict, Invalid

MANAGE_LINK_RESEND_KEY = "manage_link:{id}:{hour}"  # at most one re-sent link per hour


@dataclass(frozen=True, slots=True)
class SignUp:
    registration_id: UUID
    status: RegistrationStatus
    created: bool  # False: the address was already registered (no token is handed out)
    token: str | None


async def register(event_key: str, data: RegistrationIn) -> SignUp:
    email = addresses.checked(data.email)
    name = " ".join(data.name.split())
    if not name:
        raise Invalid.field("name", "This cannot be empty")
    _check_profile(data.needs, data.offers)
    # Abuse limits: one statement, inside the transaction or just before it (traffpunkt.limits).
    checks = [("signup_per_client", limits.client_address()), ("signup_per_address", email)]
    inside = limits.count_inside_transaction()
    if not inside:
        await limits.enforce(checks)
    for attempt in range(3):
        try:
            return await _register_once(event_key, data, email, name, checks if inside else [])
        except Exception as exc:  # a race on PostgreSQL: the other sign-up won; read again
            if attempt == 2 or not (isinstance(exc, _Raced) or db.is_unique_violation(exc)):
                raise
    raise AssertionError("unreachable")


def _profile(event: EventRow, data: RegistrationIn, name: str) -> dict[str, Any]:
    """What the attendee told about themselves, as the registration row keeps it."""
    return {
        "name": name,
        "organisation": " ".join((data.organisation or "").split()),
        "municipality": " ".join((data.municipality or "").split()),
        "language": data.language,
        "needs": topics.encode(data.needs),
        "offers": topics.encode(data.offers),
        "networking_consent": data.networking_consent,
        "role": data.role,
        "sector": " ".join((data.sector or "").split()),
        "about": (data.about or "").strip(),
        **report_answers(event, data),
        "cancelled_at": None,
        "checked_in_at": None,
    }


class _Raced(Exception):
    """A simultaneous sign-up with the same address changed the row first (rolled back)."""


async def _register_once(
    event_key: str, data: RegistrationIn, email: str, name: str, checks: list[Any]
) -> SignUp:
    """`checks`: the abuse limits to count inside the writing transaction (SQLite; on
    PostgreSQL `register` counted them before, and `checks` is empty)."""
    # Everything that only reads happens before the writing transaction: on PostgreSQL the
    # event row stays locked from the seat decision to COMMIT, on SQLite all writers queue.
    event = await events_service.event_for_registration(event_key)
    event_id: UUID = event.id
    invitation_id = None
    if data.invitation:
        invitation = await queries.invitation_by_hash(hash_secret(data.invitation))
        if invitation is None:
            await limits.token_miss()
        if invitation is None or invitation.event != event_id:
            raise Invalid.field("invitation", "This invitation link is not valid for this event")
        invitation_id = invitation.id
    profile = _profile(event, data, name)
    token = new_secret()
    url = manage_url(token)
    if invitation_id is None and not checks and not db.is_sqlite():
        # PostgreSQL, no invitation (nearly every sign-up): one statement that takes the seat
        # only for an address that is new here and not blocked, without reading first.
        reg_id, ticket_no = uuid4(), tickets.new_ticket_no()
        done = await _sign_up_at_once(
            event_id,
            reg_id,
            ticket_no,
            email,
            name,
            data.language,
            profile,
            {"id": uuid4(), "registration": reg_id, "token_hash": hash_secret(token)},
            url,
            await ticket_code(event_id, ticket_no),
            token,
        )
        if done is not None:
            return done
        # Already registered, blocked, or not open any more: the path below finds out which.
    existing = await queries.by_event_email(f"{event_id}:{email}")
    if existing is not None and existing.status != RegistrationStatus.CANCELLED:
        now = utc_now()
        async with db.transaction():
            if checks:
                await limits.enforce(checks)
            await _mail(
                "manage_link",
                existing,
                dedupe_key=MANAGE_LINK_RESEND_KEY.format(
                    id=existing.id, hour=now.strftime("%Y%m%d%H")
                ),
            )
        return SignUp(existing.id, existing.status, False, None)
    if not data.invitation and await queries.address_blocked(address_hash(email)):
        raise Conflict(
            "The owner of this address has asked not to be signed up by others. To sign "
            "up yourself, ask the organiser for an invitation.",
            code="address_blocked",
        )
    # Numbers, secrets and the signed ticket are made before any lock is taken: on SQLite
    # every writer waits while one holds the lock, so the less CPU under it, the better.
    if existing is not None:  # a cancelled registration comes back to life
        reg_id = existing.id
        ticket_no, itip_offset = existing.ticket_no, existing.itip_offset
    else:
        reg_id, ticket_no, itip_offset = uuid4(), tickets.new_ticket_no(), 0
    manage_token = {"id": uuid4(), "registration": reg_id, "token_hash": hash_secret(token)}
    # Sent only if a seat is taken; the event's key is made (and committed) here if need be,
    # outside the sign-up's transaction.
    code = await ticket_code(event_id, ticket_no)
    async with db.transaction():
        if checks:
            await limits.enforce(checks)
        if invitation_id is not None:
            await queries.mark_invitation_used(invitation_id, utc_now())
        joined = await events_service.join(event_id)
        if joined is None:  # cancelled (or closed) since the read above
            await events_service.event_for_registration(event_key)
            raise Conflict("This event is not open for registration")
        # Taken under the event row's lock (PostgreSQL) or the write lock (SQLite): ordered as
        # queue_seq, i.e. as the commits.
        now = utc_now()
        status = RegistrationStatus.CONFIRMED if joined.seat else RegistrationStatus.WAITLISTED
        profile.update(
            status=status,
            confirmed_at=now if joined.seat else None,
            queue_seq=joined.seq,
            queued_at=now,
            updated_at=now,
        )
        if existing is not None:
            if not await queries.set_status_if(reg_id, RegistrationStatus.CANCELLED, profile):
                raise _Raced  # the seat taken above goes back with the rollback
        else:
            await queries.insert(
                {
                    "id": reg_id,
                    "event": event_id,
                    "event_email": f"{event_id}:{email}",
                    "email": email,
                    "ticket_no": ticket_no,
                    "itip_offset": itip_offset,
                    "created_at": now,
                    **profile,
                }
            )
        await queries.insert_manage_token({**manage_token, "created_at": now})
        if joined.seat:
            kind, extra, secrets = "confirmed", {}, {"manage_url": url, "ticket_code": code}
        else:
            # Exact: everyone counted in `waiting` committed before this row's lock was ours.
            kind, extra, secrets = "waitlisted", {"position": joined.position}, {"manage_url": url}
        await mail.enqueue(
            kind,
            to=email,
            name=name,
            language=data.language,
            event_id=event_id,
            registration_id=reg_id,
            data={"sequence_offset": itip_offset, **extra},
            secrets=secrets,
        )
    return SignUp(reg_id, status, True, token)


async def _sign_up_at_once(
    event_id: UUID,
    reg_id: UUID,
    ticket_no: str,
    email: str,
    name: str,
    language: str,
    profile: dict[str, Any],
    manage_token: dict[str, Any],
    url: str,
    code: str,
    token: str,
) -> SignUp | None:
    """A new address without an invitation on PostgreSQL (nearly every sign-up): the seat
    decision and every row it writes in one statement (queries.sign_up_at_once), so the event
    row is locked only while the server commits. Both mails are prepared; it picks one.
    None (nothing written) if the address is already registered or blocked, or the event not
    open any more."""
    to: dict[str, Any] = {
        "to": email,
        "name": name,
        "language": language,
        "event_id": event_id,
        "registration_id": reg_id,
    }
    seat_mail = mail.outbox_row(
        "confirmed",
        **to,
        data={"sequence_offset": 0},
        secrets={"manage_url": url, "ticket_code": code},
    )
    # The position is the one decided in the statement (the 0 here is replaced).
    waiting_mail = mail.outbox_row(
        "waitlisted", **to, data={"sequence_offset": 0, "position": 0}, secrets={"manage_url": url}
    )
    joined = await queries.sign_up_at_once(
        events_service.join_sql(queries.NEW_UNBLOCKED),
        event_id,
        (f"{event_id}:{email}", address_hash(email)),
        {
            **profile,
            "id": reg_id,
            "event": event_id,
            "event_email": f"{event_id}:{email}",
            "email": email,
            "ticket_no": ticket_no,
            "itip_offset": 0,
        },
        manage_token,
        mail.enqueue_one_of(
            [seat_mail, waiting_mail], queries.SEAT, "seat", {"position": "seat.last_position"}
        ),
    )
    if joined is None:
        return None
    seat = joined[1] == 0
    status = RegistrationStatus.CONFIRMED if seat else RegistrationStatus.WAITLISTED
    return SignUp(reg_id, status, True, token)


def address_hash(email: str) -> str:
    """What the block list keeps of an address."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()
