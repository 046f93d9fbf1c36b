"""Rules of registrations: sign-up, waiting list, secret links, tickets, invitations, check-in.

Seats are counted by the events domain with one conditional UPDATE of the event row (`join`)
that also numbers each sign-up and counts the waiting list, so capacity is never exceeded, the
order is commit order and the waiting-list position told is exact, on either engine; the
waiting list is promoted in that order with an atomic UPDATE … (SELECT … FOR UPDATE SKIP LOCKED
on PostgreSQL). Every mail goes through the outbox
in the same transaction (notifications.service.enqueue).
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parseaddr
from typing import Any
from uuid import UUID, uuid4

from msgspec import UNSET

from events import service as events_service
from events import topics
from events.service import EventChange
from notifications import service as mail
from registrations import queries, tickets
from registrations.schemas import (
    AddressCorrected,
    AttendeeList,
    AttendeeOut,
    BatchIn,
    BatchOut,
    CheckinData,
    CheckinStats,
    DoorTokenOut,
    InvitationsIn,
    InvitationsOut,
    OfflineAttendee,
    RegistrationIn,
    RegistrationOut,
    RegistrationPatch,
    ScanIn,
    ScanOut,
    TicketOut,
)
from traffpunkt import addresses, db, i18n, limits
from traffpunkt.auth import DoorPrincipal, Principal, hash_secret, new_secret
from traffpunkt.clock import utc_now
from traffpunkt.errors import Conflict, FieldError, Forbidden, Invalid, NotFound
from traffpunkt.localtime import to_local, to_utc
from traffpunkt.settings import get_settings
from traffpunkt.spreadsheet import Cell, csv_safe
from traffpunkt.ttl import TTLCache

CheckinActor = Principal | DoorPrincipal
DOOR_TOKEN_GRACE = timedelta(hours=12)  # door tokens work until 12 h after the event ends
MANAGE_LINK_RESEND_KEY = "manage_link:{id}:{hour}"  # at most one re-sent link per hour


def manage_url(token: str) -> str:
    return f"{get_settings().base_url}/r/{token}"


def _uuid(value: Any) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))


# --- keys and tickets ------------------------------------------------------------------------


# An event's signing keys never change once made, so they are kept in process (one query less
# per sign-up and per check-in). Only committed keys are kept: a key made inside a transaction
# that then rolls back must not be used (another process would make and use a different one).
_KEYS: dict[UUID, dict[str, Any]] = {}
_KEYS_MAX = 10_000
# Keys this process made inside a transaction, with that transaction (not yet known committed).
_MADE_IN: dict[UUID, Any] = {}


async def event_keys(event_id: UUID) -> dict[str, Any]:
    cached = _KEYS.get(event_id)
    if cached is not None:
        return cached
    tx = db.engine().current_transaction.get()
    row = await queries.event_key(event_id)
    made = False
    if row is None:
        made = True
        pair = tickets.new_keypair()
        await queries.insert_event_key(
            {
                "event": event_id,
                "private_key": pair.private,
                "public_key": pair.public,
                "created_at": utc_now(),
            }
        )
        row = await queries.event_key(event_id)
    assert row is not None
    if made:
        _MADE_IN[event_id] = tx
    if tx is None or _MADE_IN.get(event_id) is not tx:
        # Committed: a transaction only sees others' rows once they commit, and the row is not
        # one this transaction made (outside a transaction an insert commits at once).
        _MADE_IN.pop(event_id, None)
        if len(_KEYS) >= _KEYS_MAX:
            _KEYS.clear()
        _KEYS[event_id] = row
    return row


async def ticket_code(registration: dict[str, Any]) -> str:
    event_id = _uuid(registration["event"])
    keys = await event_keys(event_id)
    return tickets.sign(event_id, registration["ticket_no"], keys["private_key"])


async def _new_manage_token(registration_id: UUID) -> str:
    token = new_secret()
    await queries.insert_manage_token(
        {
            "id": uuid4(),
            "registration": registration_id,
            "token_hash": hash_secret(token),
            "created_at": utc_now(),
        }
    )
    return token


# --- mail ------------------------------------------------------------------------------------


async def _mail(
    kind: str,
    reg: dict[str, Any],
    *,
    ticket: bool = False,
    dedupe_key: str | None = None,
    **data: Any,
) -> None:
    secrets: dict[str, Any] = {"manage_url": manage_url(await _new_manage_token(_uuid(reg["id"])))}
    if ticket:
        secrets["ticket_code"] = await ticket_code(reg)
    await mail.enqueue(
        kind,
        to=reg["email"],
        name=reg["name"],
        language=reg["language"],
        event_id=reg["event"],
        registration_id=reg["id"],
        data={"sequence_offset": reg["itip_offset"], **data},
        secrets=secrets,
        dedupe_key=dedupe_key,
    )


# --- signing up ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SignUp:
    registration_id: UUID
    status: str
    created: bool  # False: the address was already registered (no token is handed out)
    token: str | None


def _check_profile(needs: list[str], offers: list[str]) -> None:
    errors = [
        FieldError(f, "Unknown topics: {topics}. See /api/v1/topics for the list")
        for f, v in (("needs", needs), ("offers", offers))
        if topics.unknown(v)
    ]
    if errors:
        bad = ", ".join(topics.unknown(needs) + topics.unknown(offers))
        raise Invalid(errors[0].message, errors=errors, params={"topics": bad})


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
            if attempt == 2 or not (isinstance(exc, _Raced) or _is_unique_violation(exc)):
                raise
    raise AssertionError("unreachable")


class _Raced(Exception):
    """A simultaneous sign-up with the same address changed the row first (rolled back)."""


def _is_unique_violation(exc: Exception) -> bool:
    text = f"{type(exc).__name__} {exc}".lower()
    return "unique" in text or "duplicate key" in text


async def _register_once(
    event_key: str, data: RegistrationIn, email: str, name: str, checks: list[Any]
) -> SignUp:
    """`checks`: the abuse limits to count inside the writing transaction (SQLite; on
    PostgreSQL `register` counted them before, and `checks` is empty)."""
    # Everything that only reads happens before the writing transaction: on PostgreSQL the
    # event row stays locked from the seat decision to COMMIT, on SQLite all writers queue.
    event = await events_service.event_for_registration(event_key)
    event_id = _uuid(event["id"])
    invitation_id = None
    if data.invitation:
        invitation = await queries.invitation_by_hash(hash_secret(data.invitation))
        if invitation is None:
            await limits.token_miss()
        if invitation is None or _uuid(invitation["event"]) != event_id:
            raise Invalid.field("invitation", "This invitation link is not valid for this event")
        invitation_id = _uuid(invitation["id"])
    existing = await queries.by_event_email(f"{event_id}:{email}")
    if existing is not None and existing["status"] != "cancelled":
        now = utc_now()
        async with db.transaction():
            if checks:
                await limits.enforce(checks)
            await _mail(
                "manage_link",
                existing,
                dedupe_key=MANAGE_LINK_RESEND_KEY.format(
                    id=existing["id"], hour=now.strftime("%Y%m%d%H")
                ),
            )
        return SignUp(_uuid(existing["id"]), existing["status"], False, None)
    if not data.invitation and await queries.address_blocked(address_hash(email)):
        raise Conflict(
            "The owner of this address has asked not to be signed up by others. To sign "
            "up yourself, ask the organiser for an invitation.",
            code="address_blocked",
        )
    profile = {
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
        "cancelled_at": None,
        "checked_in_at": None,
    }
    # Numbers, secrets and the signed ticket are made before any lock is taken: on SQLite
    # every writer waits while one holds the lock, so the less CPU under it, the better.
    if existing is not None:  # a cancelled registration comes back to life
        reg_id = _uuid(existing["id"])
        ticket_no, itip_offset = existing["ticket_no"], existing["itip_offset"]
    else:
        reg_id, ticket_no, itip_offset = uuid4(), tickets.new_ticket_no(), 0
    reg = {
        "id": reg_id,
        "event": event_id,
        "ticket_no": ticket_no,
        "itip_offset": itip_offset,
    }
    token = new_secret()
    manage_token = {"id": uuid4(), "registration": reg["id"], "token_hash": hash_secret(token)}
    url = manage_url(token)
    # Sent only if a seat is taken; the event's key is made (and committed) here if need be,
    # outside the sign-up's transaction.
    code = await ticket_code(reg)
    if existing is None and invitation_id is None and not checks and not db.is_sqlite():
        return await _sign_up_at_once(
            event_key, reg, email, name, data.language, profile, manage_token, url, code, token
        )
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
        profile.update(
            status="confirmed" if joined.seat else "waitlisted",
            confirmed_at=now if joined.seat else None,
            queue_seq=joined.seq,
            queued_at=now,
            updated_at=now,
        )
        if existing is not None:
            if not await queries.set_status_if(reg["id"], "cancelled", profile):
                raise _Raced  # the seat taken above goes back with the rollback
        else:
            await queries.insert(
                {
                    "id": reg["id"],
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
            registration_id=reg["id"],
            data={"sequence_offset": itip_offset, **extra},
            secrets=secrets,
        )
    return SignUp(reg["id"], profile["status"], True, token)


async def _sign_up_at_once(
    event_key: str,
    reg: dict[str, Any],
    email: str,
    name: str,
    language: str,
    profile: dict[str, Any],
    manage_token: dict[str, Any],
    url: str,
    code: str,
    token: str,
) -> SignUp:
    """A new address without an invitation on PostgreSQL (nearly every sign-up): the seat
    decision and every row it writes in one statement (queries.sign_up_at_once), so the event
    row is locked only while the server commits. Both mails are prepared; it picks one."""
    event_id = reg["event"]
    to: dict[str, Any] = {
        "to": email,
        "name": name,
        "language": language,
        "event_id": event_id,
        "registration_id": reg["id"],
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
        events_service.join_sql(),
        event_id,
        {
            **profile,
            "id": reg["id"],
            "event": event_id,
            "event_email": f"{event_id}:{email}",
            "email": email,
            "ticket_no": reg["ticket_no"],
            "itip_offset": 0,
        },
        manage_token,
        mail.enqueue_one_of(
            [seat_mail, waiting_mail], queries.SEAT, "seat", {"position": "seat.last_position"}
        ),
    )
    if joined is None:  # cancelled (or closed) since the read
        await events_service.event_for_registration(event_key)
        raise Conflict("This event is not open for registration")
    return SignUp(reg["id"], "confirmed" if joined[1] == 0 else "waitlisted", True, token)


async def _promote(event_id: UUID) -> int:
    """Fill free seats from the waiting list, first come (first committed) first served;
    returns how many."""
    promoted = 0
    pg = not db.is_sqlite()
    while await events_service.promote_seat(event_id):
        reg_id = await queries.promote_first_waiting(event_id, utc_now(), pg)
        if reg_id is None:
            await events_service.give_back_seat(event_id)
            break
        reg = await queries.by_id(reg_id)
        assert reg is not None
        await _mail("promoted", reg, ticket=True)
        promoted += 1
    return promoted


# --- the attendee's own registration ----------------------------------------------------------


async def by_token(token: str) -> dict[str, Any]:
    reg = await queries.registration_by_token_hash(hash_secret(token)) if len(token) < 200 else None
    if reg is None:
        await limits.token_miss()
        raise NotFound("This link is not valid (any more). Ask for a new one by signing up again")
    return reg


async def registration_out(reg: dict[str, Any], token: str) -> RegistrationOut:
    event = events_service.event_out(await events_service.event_for_mail(reg["event"]))  # type: ignore[arg-type]
    base = get_settings().base_url
    ticket = None
    if reg["status"] == "confirmed":
        ticket = TicketOut(
            code=await ticket_code(reg),
            svg_url=f"{base}/api/v1/registrations/{token}/ticket.svg",
            png_url=f"{base}/api/v1/registrations/{token}/ticket.png",
        )
    position = None
    if reg["status"] == "waitlisted":
        position = await queries.waiting_position(
            _uuid(reg["event"]), reg["queue_seq"], _uuid(reg["id"])
        )
    return RegistrationOut(
        id=str(reg["id"]),
        status=reg["status"],
        name=reg["name"],
        email=reg["email"],
        organisation=reg["organisation"],
        municipality=reg["municipality"],
        language=reg["language"],
        needs=topics.decode(reg["needs"]),
        offers=topics.decode(reg["offers"]),
        networking_consent=reg["networking_consent"],
        role=reg["role"],
        sector=reg["sector"],
        about=reg["about"],
        waitlist_position=position,
        checked_in_at=to_local(reg["checked_in_at"], event.timezone)
        if reg["checked_in_at"]
        else None,
        event=event,
        ticket=ticket,
        ics_url=event.ics_url,
        manage_url=manage_url(token),
    )


async def get_own(token: str) -> RegistrationOut:
    return await registration_out(await by_token(token), token)


async def update_own(token: str, patch: RegistrationPatch) -> RegistrationOut:
    values: dict[str, Any] = {}
    for name in ("organisation", "municipality"):
        if (value := getattr(patch, name)) is not UNSET:
            values[name] = " ".join(value.split())
    if patch.language is not UNSET:
        values["language"] = patch.language
    if patch.networking_consent is not UNSET:
        values["networking_consent"] = patch.networking_consent
    if patch.role is not UNSET:
        values["role"] = patch.role
    if patch.sector is not UNSET:
        values["sector"] = " ".join(patch.sector.split())
    if patch.about is not UNSET:
        values["about"] = patch.about.strip()
    if patch.name is not UNSET:
        name = " ".join(patch.name.split())
        if not name:
            raise Invalid.field("name", "This cannot be empty")
        values["name"] = name
    needs = patch.needs if patch.needs is not UNSET else None
    offers = patch.offers if patch.offers is not UNSET else None
    _check_profile(needs or [], offers or [])
    if needs is not None:
        values["needs"] = topics.encode(needs)
    if offers is not None:
        values["offers"] = topics.encode(offers)
    async with db.transaction():
        reg = await by_token(token)
        if patch.email is not UNSET:
            await _change_address(reg, patch.email)
        if values:
            values["updated_at"] = utc_now()
            await queries.update(_uuid(reg["id"]), values)
        reg = await by_token(token)
    return await registration_out(reg, token)


async def _cancel(reg: dict[str, Any], *, notify: bool) -> None:
    """Cancel inside the caller's transaction: free the seat, promote, stop reminders."""
    now = utc_now()
    was = reg["status"]
    if was == "cancelled":
        return
    offset = reg["itip_offset"] + 1
    if not await queries.set_status_if(
        _uuid(reg["id"]),
        was,
        {
            "status": "cancelled",
            "cancelled_at": now,
            "updated_at": now,
            "itip_offset": offset,
        },
    ):
        return  # someone else changed it in between; their change stands
    await mail.cancel_pending(reg["id"], ["reminder", "confirmed", "promoted", "waitlisted"])
    if notify:
        await mail.enqueue(
            # A waiting place never had a calendar entry: say so without a CANCEL for it.
            "registration_cancelled" if was == "confirmed" else "waitlist_left",
            to=reg["email"],
            name=reg["name"],
            language=reg["language"],
            event_id=reg["event"],
            registration_id=reg["id"],
            data={"sequence_offset": offset},
        )
    if was == "confirmed":
        await events_service.release_seat(reg["event"])
        await _promote(_uuid(reg["event"]))
    elif was == "waitlisted":
        await events_service.left_waitlist(reg["event"])


async def cancel_own(token: str) -> RegistrationOut:
    async with db.transaction():
        reg = await by_token(token)
        await _cancel(reg, notify=True)
        reg = await by_token(token)
    return await registration_out(reg, token)


async def erase_own(token: str) -> None:
    """GDPR: cancel, free the seat, and anonymise; the link stops working."""
    async with db.transaction():
        await _erase(await by_token(token))


def address_hash(email: str) -> str:
    """What the block list keeps of an address."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


async def not_me(token: str) -> None:
    """ "This wasn't me" from a sign-up mail: erase the registration and block the address, so
    that nobody else's sign-up mails it again (an invitation from an organiser still can)."""
    async with db.transaction():
        reg = await by_token(token)
        await queries.block_address(address_hash(reg["email"]), utc_now())
        await _erase(reg)


async def _erase(reg: dict[str, Any]) -> None:
    """Cancel, free the seat, anonymise, kill the links (inside the caller's transaction)."""
    reg_id = _uuid(reg["id"])
    await _cancel(reg, notify=False)
    now = utc_now()
    await queries.update(
        reg_id,
        {
            "name": "",
            "email": f"erased-{reg_id}@invalid",
            "event_email": f"{reg['event']}:erased:{reg_id}",
            "organisation": "",
            "municipality": "",
            "needs": "",
            "offers": "",
            "networking_consent": False,
            "sector": "",
            "about": "",
            "erased_at": now,
            "updated_at": now,
        },
    )
    await queries.delete_manage_tokens(reg_id)
    await mail.forget(reg_id)


# --- a corrected address ---------------------------------------------------------------------

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


async def delivery_failure(reg: dict[str, Any]) -> dict[str, Any] | None:
    """The newest mail to this registration when it failed for good (shown for correction)."""
    if reg["erased_at"] is not None:
        return None
    return await mail.delivery_failure(reg["id"])


async def _change_address(reg: dict[str, Any], email: str) -> tuple[str, int]:
    """Inside the caller's transaction: the registration's address becomes `email` (checked by
    the address rule), unsent mail goes there, and mail that failed for good at the old address
    is sent again. Returns (the stored address, how many mails were queued again)."""
    reg_id, event_id = _uuid(reg["id"]), _uuid(reg["event"])
    if reg["erased_at"] is not None:
        raise NotFound("This link is not valid (any more). Ask for a new one by signing up again")
    new = addresses.checked(email)
    old = reg["email"]
    if new != old:
        other = await queries.by_event_email(f"{event_id}:{new}")
        if other is not None and _uuid(other["id"]) != reg_id:
            raise Conflict("This address is already registered for this event")
        await queries.update(
            reg_id, {"email": new, "event_email": f"{event_id}:{new}", "updated_at": utc_now()}
        )
        await mail.redirect_pending(reg_id, new)
    reg = {**reg, "email": new}
    failed = await mail.failed_to(reg_id, old)
    kinds = [f["kind"] for f in failed]
    queued = 0
    if _STATE_KINDS.intersection(kinds):
        if reg["status"] == "confirmed":
            await _mail("confirmed", reg, ticket=True)
            queued += 1
        elif reg["status"] == "waitlisted":
            position = await queries.waiting_position(event_id, reg["queue_seq"], reg_id)
            await _mail("waitlisted", reg, position=position)
            queued += 1
    again: dict[str, dict[str, Any]] = {}
    for f in failed:  # the newest of each other kind, if it still holds
        if f["kind"] in _CANCELLED_KINDS and reg["status"] == "cancelled":
            again[f["kind"]] = f
        elif f["kind"] in _EVENT_CANCELLED_KINDS:
            again[f["kind"]] = f
        elif f["kind"] in ("introduction", "meeting_plan") and reg["status"] != "cancelled":
            again[f["kind"]] = f
    for kind, f in again.items():
        if kind in ("introduction", "meeting_plan"):
            await _mail(kind, reg, **f["data"])
        else:
            await mail.enqueue(
                kind,
                to=new,
                name=reg["name"],
                language=reg["language"],
                event_id=event_id,
                registration_id=reg_id,
                data=f["data"],
            )
        queued += 1
    return new, queued


async def correct_own_address(token: str, email: str) -> RegistrationOut:
    """The attendee corrects their address from the manage page; the link keeps working."""
    async with db.transaction():
        await _change_address(await by_token(token), email)
        reg = await by_token(token)
    return await registration_out(reg, token)


async def _registration_of_event(
    actor: Principal, event_id: str, registration_id: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The event (if the organiser may manage it) and one of its registrations, or 404."""
    event = await events_service.event_for_organiser(actor, event_id)
    try:
        reg = await queries.by_id(UUID(registration_id))
    except ValueError:
        reg = None
    if reg is None or _uuid(reg["event"]) != _uuid(event["id"]):
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
            event["id"],
            f"{reg['email']} → {new}",
        )
    return AddressCorrected(email=new, resent=queued)


async def own_ticket_code(token: str) -> str:
    reg = await by_token(token)
    if reg["status"] != "confirmed":
        raise NotFound("There is no ticket while the registration is not confirmed")
    return await ticket_code(reg)


# --- organisers ------------------------------------------------------------------------------


def _invitees(body: InvitationsIn) -> dict[str, str]:
    """address -> name of everyone in `emails` and `people` (checked; one 422 naming every
    wrong one). A string in `emails` may carry a name as mail programs write it
    (`Anna Andersson <anna@example.se>`)."""
    texts = body.emails + [p.email for p in body.people]
    if not texts:
        raise Invalid.field("emails", "Give at least one address")
    if len(texts) > 1000:
        raise Invalid.field("people", "At most 1000 addresses at a time")
    try:
        emails = addresses.checked_all(body.emails)
    except Invalid as exc:
        first = exc
    else:
        first = None
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
        if event["status"] != "published":
            raise Conflict("Publish the event before inviting people")
        now = utc_now()
        ev_id = _uuid(event["id"])
        base = get_settings().base_url
        already: list[str] = []
        wanted: list[str] = []
        for email in dict.fromkeys(emails):
            existing = await queries.by_event_email(f"{ev_id}:{email}")
            if existing is not None and existing["status"] != "cancelled":
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
                secrets={"signup_url": f"{base}/events/{event['slug']}/register?invite={token}"},
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


async def organiser_cancel(actor: Principal, event_id: str, registration_id: str) -> None:
    """An organiser takes someone off the list (e.g. off the waiting list); they are told."""
    async with db.transaction():
        event, reg = await _registration_of_event(actor, event_id, registration_id)
        await _cancel(reg, notify=True)
        await events_service.record_action(
            actor, "registration.cancelled", event["id"], reg["email"]
        )


async def invitation_person(event_id: UUID, token: str) -> tuple[str, str] | None:
    """(address, name) an invitation was sent to (to pre-fill the sign-up form)."""
    if not token or len(token) > 100:
        return None
    row = await queries.invitation_by_hash(hash_secret(token))
    if row is None:
        await limits.token_miss()
    if row is None or _uuid(row["event"]) != event_id:
        return None
    return row["email"], row.get("name") or ""


async def create_door_token(actor: Principal, event_id: str, label: str) -> DoorTokenOut:
    async with db.transaction():
        event = await events_service.event_for_organiser(actor, event_id)
        token = new_secret()
        token_id = uuid4()
        expires = event["ends_at"] + DOOR_TOKEN_GRACE
        await queries.insert_door_token(
            {
                "id": token_id,
                "event": event["id"],
                "token_hash": hash_secret(token),
                "label": label[:100],
                "created_by": actor.organiser_id,
                "created_at": utc_now(),
                "expires_at": expires,
            }
        )
    # The token travels in the fragment: browsers never send it to servers or write it in logs.
    url = f"{get_settings().base_url}/checkin/{event['id']}#door={token}"
    return DoorTokenOut(
        id=str(token_id), token=token, url=url, expires_at=to_local(expires, event["timezone"])
    )


async def revoke_door_token(actor: Principal, event_id: str, token_id: str) -> None:
    async with db.transaction():
        event = await events_service.event_for_organiser(actor, event_id)
        try:
            tid = UUID(token_id)
        except ValueError:
            raise NotFound("No such door token") from None
        if not await queries.revoke_door_token(_uuid(event["id"]), tid, utc_now()):
            raise NotFound("No such door token")
        await events_service.record_action(actor, "door_token.revoked", event["id"], token_id)
    _DOOR_TOKENS.clear()


@dataclass(frozen=True, slots=True)
class DoorTokenLine:
    id: str
    label: str
    created_at: datetime
    expires_at: datetime
    revoked: bool


async def door_tokens(actor: Principal, event_id: str) -> list[DoorTokenLine]:
    event = await events_service.event_for_organiser(actor, event_id)
    tz = event["timezone"]
    return [
        DoorTokenLine(
            str(t["id"]),
            t["label"],
            to_local(t["created_at"], tz),
            to_local(t["expires_at"], tz),
            t["revoked_at"] is not None,
        )
        for t in await queries.door_tokens_of(_uuid(event["id"]))
    ]


# Door tokens and their events, remembered for two seconds from the read (traffpunkt.ttl): a
# door sends scan after scan with the same ones. A revocation or a change of the event clears
# this process's memory at once; other web processes see it within the two seconds. Expiry is
# checked on every use.
_DOOR_TOKENS: TTLCache[str, dict[str, Any]] = TTLCache(2.0)
_DOOR_EVENTS: TTLCache[UUID, dict[str, Any]] = TTLCache(2.0)


async def door_principal(token: str) -> DoorPrincipal | None:
    token_hash = hash_secret(token)
    row = await _DOOR_TOKENS.get_or_load(token_hash, queries.door_token)
    if row is None or row["revoked_at"] is not None or row["expires_at"] <= utc_now():
        return None
    return DoorPrincipal(event_id=_uuid(row["event"]), token_id=_uuid(row["id"]))


async def _event_for_checkin(actor: CheckinActor, event_id: str) -> dict[str, Any]:
    if isinstance(actor, DoorPrincipal):
        try:
            wanted = UUID(event_id)
        except ValueError:
            raise Forbidden("This door token is for another event") from None
        if wanted != actor.event_id:
            raise Forbidden("This door token is for another event")
        row = await _DOOR_EVENTS.get_or_load(wanted, events_service.event_for_mail)
        if row is None:
            raise NotFound("No such event")
        return row
    return await events_service.event_for_organiser(actor, event_id)


def _scan_time(value: str | None, tz: str, now: datetime) -> datetime:
    if value is None:
        return now
    at = to_utc(value, tz, "scanned_at")
    return min(at, now)  # a phone's clock in the future must not make arrivals in the future


class _SameScan(Exception):
    """A simultaneous request recorded this scan_id first: roll back, answer as it did."""


async def _ticket_holder(secret: str, event_id: UUID) -> dict[str, Any] | None:
    """The registration a scanned secret belongs to, if its signature holds (reads only)."""
    parsed = tickets.parse(secret)
    if parsed is not None:
        ticket_no, signature = parsed
        candidate = await queries.by_ticket_no(ticket_no)
        if candidate is not None:
            keys = await event_keys(_uuid(candidate["event"]))
            if tickets.verify(_uuid(candidate["event"]), ticket_no, signature, keys["public_key"]):
                return candidate
    elif (manual := tickets.manual_ticket_no(secret)) is not None:
        # Checked in by name at the door: the ticket number from this event's checkin-data,
        # which only this event's door tokens and organisers get (another event's is not_found).
        candidate = await queries.by_ticket_no(manual)
        if candidate is not None and _uuid(candidate["event"]) == event_id:
            return candidate
    return None


def _refusal(reg: dict[str, Any], refused_at_door: bool) -> str:
    """The answer for a registration that this scan does not check in."""
    if reg["status"] == "cancelled":
        return "cancelled"
    if reg["status"] == "waitlisted":
        return "waitlisted"
    if refused_at_door:
        # The phone turned this person away: record what the server would have said, but
        # check no one in who was not let in.
        return "already_checked_in" if reg["checked_in_at"] else "ok"
    return "already_checked_in"


async def _check_in_one(event: dict[str, Any], scan: ScanIn, device: str, now: datetime) -> ScanOut:
    """One scan. Everything that only reads (ticket, key, signature) happens before
    the writing transaction, which holds just the conditional UPDATE and the scan row: on
    SQLite writers queue for one lock, so the less it covers, the more scans per second
    (measured 365 -> 835/s at 32 clients). The UPDATE decides; the reads only choose what to try.
    """
    # Its own transaction, not part of a caller's: a _SameScan must roll back this scan only.
    assert db.engine().current_transaction.get() is None, "check-in runs outside transactions"
    event_id = _uuid(event["id"])
    key = f"{event_id}:{scan.scan_id}" if scan.scan_id else f"{event_id}:server:{uuid4()}"
    # A scan_id seen before is found by the scan insert's conflict, which also rolls back
    # what this attempt changed: replays are rare, a lookup first would cost every scan.
    at = _scan_time(scan.scanned_at, event["timezone"], now)
    refused_at_door = scan.offline_result not in (None, "ok", "already_checked_in")
    # The common case, a ticket of this very event, needs no read: its signature checks with
    # this event's key, and the UPDATE finds the holder by ticket number.
    own_ticket = await _ticket_of_event(scan.secret, event_id)
    device_label = (f"{scan.device} ({device})" if scan.device else device)[:100]
    if own_ticket and not refused_at_door and not db.is_sqlite():
        # PostgreSQL: the check-in and its scan row in one statement (no transaction round
        # trips); if it lets no one in, the transaction below finds out why.
        try:
            row = await queries.check_in_at_once(
                event_id,
                own_ticket,
                at,
                {
                    "id": uuid4(),
                    "event": event_id,
                    "event_scan": key,
                    "secret": scan.secret[:300],
                    "device": device_label,
                    "action": "checkin",
                    "offline_result": scan.offline_result,
                    "flagged": False,  # the door let them in too
                    "scanned_at": at,
                    "received_at": now,
                },
            )
        except Exception as exc:
            if not _is_unique_violation(exc):
                raise
            row = None  # a scan_id seen before: the transaction below answers as it did
        if row is not None:
            reg = {"id": row["id"], "name": row["name"], "checked_in_at": at}
            return _scan_out("ok", reg, event, False)
    reg = None if own_ticket else await _ticket_holder(scan.secret, event_id)
    try:
        async with db.transaction():
            if own_ticket:
                result, reg = await _apply_own_ticket(own_ticket, event_id, refused_at_door, at)
            else:
                result, reg = await _apply_scan(reg, event_id, refused_at_door, at)
            admitted = {"ok", "already_checked_in"}
            # Flag where the door and the server disagree, in either direction.
            flagged = scan.offline_result is not None and (
                (scan.offline_result in admitted) != (result in admitted)
            )
            inserted = await queries.insert_scan(
                {
                    "id": uuid4(),
                    "event": event_id,
                    "event_scan": key,
                    "registration_id": reg["id"] if reg is not None else None,
                    "secret": scan.secret[:300],
                    # The phone's own label and which door token sent it, both kept.
                    "device": device_label,
                    "action": "checkin",
                    "result": result,
                    "offline_result": scan.offline_result,
                    "flagged": flagged,
                    "scanned_at": at,
                    "received_at": now,
                }
            )
            if not inserted:
                raise _SameScan  # undoes this request's check-in, if it made one
    except _SameScan:
        seen = await queries.scan_by_key(key)
        assert seen is not None
        return await _replay(seen, event)
    return _scan_out(result, reg, event, flagged)


async def _ticket_of_event(secret: str, event_id: UUID) -> str | None:
    """The ticket number of a code that this event's key signed (reads nothing but the key)."""
    parsed = tickets.parse(secret)
    if parsed is None:
        return None
    ticket_no, signature = parsed
    keys = await event_keys(event_id)
    return ticket_no if tickets.verify(event_id, ticket_no, signature, keys["public_key"]) else None


async def _apply_own_ticket(
    ticket_no: str, event_id: UUID, refused_at_door: bool, at: datetime
) -> tuple[str, dict[str, Any] | None]:
    """_apply_scan for a ticket of this event: straight to the UPDATE, reading only if it
    lets no one in."""
    if not refused_at_door:
        row = await queries.check_in_by_ticket(event_id, ticket_no, at)
        if row is not None:
            return "ok", {"id": row["id"], "name": row["name"], "checked_in_at": at}
    return await _apply_scan(await queries.by_ticket_no(ticket_no), event_id, refused_at_door, at)


async def _apply_scan(
    reg: dict[str, Any] | None, event_id: UUID, refused_at_door: bool, at: datetime
) -> tuple[str, dict[str, Any] | None]:
    """Inside the scan's transaction: the result, and the registration as it now stands
    (None when the scan names no one of this event)."""
    if reg is None:
        return "not_found", None
    if _uuid(reg["event"]) != event_id:
        return "wrong_event", None
    reg_id = _uuid(reg["id"])
    if reg["status"] == "confirmed" and not refused_at_door:
        if await queries.check_in_by_ticket(event_id, reg["ticket_no"], at):
            return "ok", {**reg, "checked_in_at": at}
    for _ in range(3):
        fresh = await queries.by_id(reg_id)  # what the UPDATE saw, or a change since the read
        if fresh is None:
            return "not_found", None
        if refused_at_door or fresh["status"] != "confirmed" or fresh["checked_in_at"]:
            break
        # Confirmed and not in: promoted, or a check-in undone, since the read above (on
        # PostgreSQL also between the UPDATE and this read); the UPDATE decides again.
        if await queries.check_in_by_ticket(event_id, fresh["ticket_no"], at):
            return "ok", {**fresh, "checked_in_at": at}
    return _refusal(fresh, refused_at_door), fresh


def _scan_out(
    result: str, reg: dict[str, Any] | None, event: dict[str, Any], flagged: bool
) -> ScanOut:
    if reg is None or result in ("wrong_event", "not_found"):
        return ScanOut(result=result, flagged=flagged)  # type: ignore[arg-type]
    checked = reg["checked_in_at"]
    return ScanOut(
        result=result,  # type: ignore[arg-type]
        name=reg["name"] or None,
        registration_id=str(reg["id"]),
        checked_in_at=to_local(checked, event["timezone"]) if checked else None,
        flagged=flagged,
    )


async def _replay(scan: dict[str, Any], event: dict[str, Any]) -> ScanOut:
    """The answer a recorded scan got, with the person as they stand now."""
    reg = await queries.by_id(_uuid(scan["registration_id"])) if scan["registration_id"] else None
    return _scan_out(scan["result"], reg, event, scan["flagged"])


async def check_in(actor: CheckinActor, event_id: str, scan: ScanIn) -> ScanOut:
    event = await _event_for_checkin(actor, event_id)
    return await _check_in_one(event, scan, _device(actor), utc_now())


async def check_in_batch(actor: CheckinActor, event_id: str, batch: BatchIn) -> BatchOut:
    """Scans one by one, each in its own short transaction: a batch that fails half way is
    sent again by the phone and its scan_ids make the repeat harmless (the body's type
    requires a scan_id on every scan)."""
    event = await _event_for_checkin(actor, event_id)
    now = utc_now()
    results = [await _check_in_one(event, s, _device(actor), now) for s in batch.scans]
    return BatchOut(results=results)


def _device(actor: CheckinActor) -> str:
    if isinstance(actor, DoorPrincipal):
        return f"door:{actor.token_id}"
    return f"organiser:{actor.email}"


async def undo_check_in(actor: CheckinActor, event_id: str, registration_id: str) -> ScanOut:
    async with db.transaction():
        event = await _event_for_checkin(actor, event_id)
        try:
            reg = await queries.by_id(UUID(registration_id))
        except ValueError:
            reg = None
        if reg is None or _uuid(reg["event"]) != _uuid(event["id"]):
            raise NotFound("No such registration for this event")
        now = utc_now()
        if not await queries.undo_check_in(_uuid(reg["id"]), now):
            raise Conflict("This person is not checked in")
        await queries.insert_scan(
            {
                "id": uuid4(),
                "event": event["id"],
                "event_scan": f"{event['id']}:undo:{uuid4()}",
                "registration_id": reg["id"],
                "device": _device(actor),
                "action": "undo",
                "result": "ok",
                "scanned_at": now,
                "received_at": now,
            }
        )
    return ScanOut(result="ok", name=reg["name"] or None, registration_id=str(reg["id"]))


def _attendee(reg: dict[str, Any], tz: str) -> AttendeeOut:
    return AttendeeOut(
        id=str(reg["id"]),
        name=reg["name"],
        organisation=reg["organisation"],
        email=reg["email"],
        status=reg["status"],
        checked_in_at=to_local(reg["checked_in_at"], tz) if reg["checked_in_at"] else None,
        registered_at=to_local(reg["created_at"], tz),
    )


async def attendees(
    actor: CheckinActor, event_id: str, q: str | None, status: str | None
) -> AttendeeList:
    event = await _event_for_checkin(actor, event_id)
    ev_id = _uuid(event["id"])
    if q:
        rows = await queries.search(ev_id, q.strip(), 50, pg=not db.is_sqlite())
        if status:
            rows = [r for r in rows if r["status"] == status]
    else:
        rows = await queries.of_event(ev_id, [status] if status else None)
        rows = [r for r in rows if r["erased_at"] is None]
    items = [_attendee(r, event["timezone"]) for r in rows]
    if isinstance(actor, DoorPrincipal):  # the door sees names, not addresses
        items = [AttendeeOut(**{**_asdict(i), "email": ""}) for i in items]
    return AttendeeList(items=items)


def _asdict(item: AttendeeOut) -> dict[str, Any]:
    return {f: getattr(item, f) for f in item.__struct_fields__}


async def attendees_csv(actor: Principal, event_id: str) -> tuple[str, bytes]:
    event = await events_service.event_for_organiser(actor, event_id)
    rows = await queries.of_event(_uuid(event["id"]))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "name",
            "email",
            "organisation",
            "municipality",
            "status",
            "language",
            "needs",
            "offers",
            "networking_consent",
            "registered_at",
            "checked_in_at",
        ]
    )
    tz = event["timezone"]
    for r in rows:
        if r["erased_at"] is not None:
            continue
        writer.writerow(
            [
                csv_safe(r["name"]),
                r["email"],
                csv_safe(r["organisation"]),
                csv_safe(r["municipality"]),
                r["status"],
                r["language"],
                " ".join(topics.decode(r["needs"])),
                " ".join(topics.decode(r["offers"])),
                "yes" if r["networking_consent"] else "no",
                to_local(r["created_at"], tz).isoformat(timespec="minutes"),
                to_local(r["checked_in_at"], tz).isoformat(timespec="minutes")
                if r["checked_in_at"]
                else "",
            ]
        )
    # UTF-8 with BOM so that Excel (what municipalities open CSV files with) reads å, ä, ö.
    return f"{event['slug']}-attendees.csv", ("\ufeff" + out.getvalue()).encode()


async def attendee_table(
    actor: Principal, event_id: str, lang: str
) -> tuple[str, list[str], list[list[Cell]]]:
    """The attendee list for a spreadsheet, headers and values in the organiser's language:
    (file name without extension, headers, rows). Erased registrations are left out."""
    event = await events_service.event_for_organiser(actor, event_id)
    tz = event["timezone"]
    _ = i18n.translator(lang)
    status = {
        "confirmed": _("Confirmed"),
        "waitlisted": _("Waiting list"),
        "cancelled": _("Booking cancelled"),
    }

    def labels(stored: str) -> str:
        return ", ".join(
            topics.BY_SLUG[s].label(lang) if s in topics.BY_SLUG else s
            for s in topics.decode(stored)
        )

    headers = [
        _("Name"),
        _("Email"),
        _("Company or organisation"),
        _("Municipality"),
        _("Status"),
        _("Language"),
        _("Needs"),
        _("Offers"),
        _("Networking"),
        _("Registered"),
        _("Checked in"),
    ]
    rows: list[list[Cell]] = [
        [
            r["name"],
            r["email"],
            r["organisation"],
            r["municipality"],
            status.get(r["status"], r["status"]),
            "Svenska" if r["language"] == "sv" else "English",
            labels(r["needs"]),
            labels(r["offers"]),
            _("Yes") if r["networking_consent"] else _("No"),
            to_local(r["created_at"], tz),
            to_local(r["checked_in_at"], tz) if r["checked_in_at"] else None,
        ]
        for r in await queries.of_event(_uuid(event["id"]))
        if r["erased_at"] is None
    ]
    return f"{event['slug']}-{_('attendees')}", headers, rows


async def stats(actor: CheckinActor, event_id: str) -> CheckinStats:
    event = await _event_for_checkin(actor, event_id)
    counts = await queries.counts(_uuid(event["id"]))
    return CheckinStats(
        registered=counts.get("confirmed", 0),
        checked_in=counts.get("checked_in", 0),
        waiting=counts.get("waitlisted", 0),
        capacity=event["capacity"],
    )


async def checkin_data(actor: CheckinActor, event_id: str) -> CheckinData:
    event = await _event_for_checkin(actor, event_id)
    ev_id = _uuid(event["id"])
    keys = await event_keys(ev_id)
    rows = await queries.of_event(ev_id)
    counts = {"confirmed": 0, "waitlisted": 0, "checked_in": 0}
    people = []
    revoked = []
    for r in rows:
        if r["status"] == "cancelled":
            revoked.append(r["ticket_no"])
            continue
        counts[r["status"]] += 1
        counts["checked_in"] += bool(r["checked_in_at"]) and r["status"] == "confirmed"
        people.append(
            OfflineAttendee(
                ticket_no=r["ticket_no"],
                name=r["name"],
                status=r["status"],
                checked_in=r["checked_in_at"] is not None,
                registration_id=str(r["id"]),
            )
        )
    tz = event["timezone"]
    return CheckinData(
        event_id=str(ev_id),
        title=event["title"],
        starts_at=to_local(event["starts_at"], tz),
        ends_at=to_local(event["ends_at"], tz),
        public_key=keys["public_key"],
        attendees=people,
        revoked=revoked,
        stats=CheckinStats(
            registered=counts["confirmed"],
            checked_in=counts["checked_in"],
            waiting=counts["waitlisted"],
            capacity=event["capacity"],
        ),
        generated_at=to_local(utc_now(), tz),
    )


# --- reacting to changes of events and to time ----------------------------------------------------


async def on_event_changed(change: EventChange) -> None:
    """Inside the events transaction: tell people, fill seats a larger capacity frees."""
    event_id = UUID(change.event.id)
    _DOOR_EVENTS.clear()
    if change.event.status == "cancelled":
        for reg in await queries.of_event(event_id, ["confirmed", "waitlisted"]):
            await mail.cancel_pending(reg["id"], ["reminder"])
            await mail.enqueue(
                "event_cancelled" if reg["status"] == "confirmed" else "event_cancelled_waitlisted",
                to=reg["email"],
                name=reg["name"],
                language=reg["language"],
                event_id=event_id,
                registration_id=reg["id"],
                data={
                    "sequence_offset": reg["itip_offset"],
                    **({"note": change.note} if change.note else {}),
                },
            )
        return
    if change.moved:
        for reg in await queries.of_event(event_id, ["confirmed"]):
            await _mail("event_changed", reg)
    if "capacity" in change.changed_fields:
        await _promote(event_id)


async def schedule_reminders() -> int:
    """Queue reminders that are due (each once per registration and start time)."""
    now = utc_now()
    queued = 0
    for event in await events_service.events_starting_within(timedelta(days=14)):
        hours = event["reminder_hours"]
        if hours <= 0 or not (
            event["starts_at"] - timedelta(hours=hours) <= now < event["starts_at"]
        ):
            continue
        regs = await queries.of_event(_uuid(event["id"]), ["confirmed"])
        keys = {f"reminder:{r['id']}:{event['starts_at'].isoformat()}": r for r in regs}
        due = set(keys) - await mail.queued_keys(list(keys))
        if not due:
            continue
        async with db.transaction():
            for key in sorted(due):
                reg = keys[key]
                secrets = {
                    "manage_url": manage_url(await _new_manage_token(_uuid(reg["id"]))),
                    "ticket_code": await ticket_code(reg),
                }
                if await mail.enqueue(
                    "reminder",
                    to=reg["email"],
                    name=reg["name"],
                    language=reg["language"],
                    event_id=event["id"],
                    registration_id=reg["id"],
                    data={"sequence_offset": reg["itip_offset"]},
                    secrets=secrets,
                    dedupe_key=key,
                ):
                    queued += 1
    return queued


async def counts_for_events(event_ids: list[Any]) -> dict[str, dict[str, int]]:
    """{event id: {confirmed, waitlisted, cancelled, checked_in}} for organisers' overviews."""
    return await queries.counts_for_events([_uuid(e) for e in event_ids])


# --- for networking ----------------------------------------------------------------------------


async def networking_profiles(event_id: UUID | str) -> list[dict[str, Any]]:
    """Attendees of an event who agreed to networking (and have not cancelled)."""
    rows = await queries.of_event(_uuid(event_id), ["confirmed", "waitlisted"])
    return [r for r in rows if r["networking_consent"] and r["erased_at"] is None]


async def new_manage_link(reg: dict[str, Any]) -> str:
    """A fresh manage link for a mail (inside the caller's transaction)."""
    return manage_url(await _new_manage_token(_uuid(reg["id"])))


async def registration(registration_id: UUID | str) -> dict[str, Any] | None:
    return await queries.by_id(_uuid(registration_id))


async def topic_demand(
    municipality_id: UUID | None, starts_from: datetime, starts_before: datetime
) -> tuple[dict[str, set[str]], dict[str, set[str]], int]:
    """Who (by email) needs and offers each topic, over events in a period; people counted."""
    rows = await queries.needs_and_offers(municipality_id, starts_from, starts_before)
    needs: dict[str, set[str]] = {}
    offers: dict[str, set[str]] = {}
    people: set[str] = set()
    for r in rows:
        people.add(r["email"])
        for slug in topics.decode(r["needs"]):
            needs.setdefault(slug, set()).add(r["email"])
        for slug in topics.decode(r["offers"]):
            offers.setdefault(slug, set()).add(r["email"])
    return needs, offers, len(people)
