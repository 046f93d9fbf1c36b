"""Check-in: a scanned ticket (or a name picked at the door) lets a confirmed person in,
once; every scan is recorded, a repeated scan_id answers as it did the first time.

A course series: a scan may name a session (`session_id`). The person's first scan checks them
in as before; each session's first scan records an attendance of that session (one row per
person and session, a unique key), so the same person twice for one session is
already_checked_in, and for a new session ok. The attendance is written in the scan's own
transaction, so a repeated scan_id rolls it back with the rest.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID, uuid4

import msgspec

from events.rows import EventRow
from registrations import queries, tickets
from registrations.queries import RegistrationRow, ScanRow
from registrations.schemas import BatchIn, BatchOut, ScanIn, ScanOut
from registrations.service.door import CheckinActor, _event_for_checkin
from registrations.service.keys import event_keys
from registrations.statuses import (
    AttendanceSource,
    CheckinResult,
    RegistrationStatus,
    ScanAction,
)
from traffpunkt import db
from traffpunkt.auth import DoorPrincipal
from traffpunkt.clock import utc_now
from traffpunkt.errors import Conflict, Invalid, NotFound
from traffpunkt.ids import parse_id
from traffpunkt.localtime import to_local, to_utc


def _scan_time(value: str | None, tz: str, now: datetime) -> datetime:
    if value is None:
        return now
    at = to_utc(value, tz, "scanned_at")
    return min(at, now)  # a phone's clock in the future must not make arrivals in the future


class _SameScan(Exception):
    """A simultaneous request recorded this scan_id first: roll back, answer as it did."""


async def _ticket_holder(secret: str, event_id: UUID) -> RegistrationRow | None:
    """The registration a scanned secret belongs to, if its signature holds (reads only)."""
    parsed = tickets.parse(secret)
    if parsed is not None:
        ticket_no, signature = parsed
        candidate = await queries.by_ticket_no(ticket_no)
        if candidate is not None:
            keys = await event_keys(candidate.event)
            if tickets.verify(candidate.event, ticket_no, signature, keys.public_key):
                return candidate
    elif (manual := tickets.manual_ticket_no(secret)) is not None:
        # Checked in by name at the door: the ticket number from this event's checkin-data,
        # which only this event's door tokens and organisers get (another event's is not_found).
        candidate = await queries.by_ticket_no(manual)
        if candidate is not None and candidate.event == event_id:
            return candidate
    return None


def _refusal(reg: RegistrationRow, refused_at_door: bool) -> CheckinResult:
    """The answer for a registration that this scan does not check in."""
    if reg.status == RegistrationStatus.CANCELLED:
        return CheckinResult.CANCELLED
    if reg.status == RegistrationStatus.WAITLISTED:
        return CheckinResult.WAITLISTED
    if refused_at_door:
        # The phone turned this person away: record what the server would have said, but
        # check no one in who was not let in.
        return CheckinResult.ALREADY_CHECKED_IN if reg.checked_in_at else CheckinResult.OK
    return CheckinResult.ALREADY_CHECKED_IN


# Who a scan is about, as the answer shows them: a registration as it stands, or just who a
# check-in let in (the UPDATE's RETURNING, with the time it set).
_Admitted = RegistrationRow | tuple[queries.CheckedIn, datetime]

_ADMITTED = frozenset((CheckinResult.OK, CheckinResult.ALREADY_CHECKED_IN))


def _session_of(event: EventRow, scan: ScanIn, field: str = "session_id") -> UUID | None:
    """The session a scan names, checked against the event's (a 422 naming the field)."""
    if scan.session_id is None:
        return None
    sid = parse_id(scan.session_id, field=field)
    if not any(s.id == sid for s in event.sessions):
        raise Invalid.field(field, "No session with this id")
    return sid


async def _check_in_one(event: EventRow, scan: ScanIn, device: str, now: datetime) -> ScanOut:
    """One scan. Everything that only reads (ticket, key, signature) happens before
    the writing transaction, which holds just the conditional UPDATE and the scan row: on
    SQLite writers queue for one lock, so the less it covers, the more scans per second
    (measured 365 -> 835/s at 32 clients). The UPDATE decides; the reads only choose what to try.
    """
    # Its own transaction, not part of a caller's: a _SameScan must roll back this scan only.
    assert db.engine().current_transaction.get() is None, "check-in runs outside transactions"
    event_id: UUID = event.id
    key = f"{event_id}:{scan.scan_id}" if scan.scan_id else f"{event_id}:server:{uuid4()}"
    # A scan_id seen before is found by the scan insert's conflict, which also rolls back
    # what this attempt changed: replays are rare, a lookup first would cost every scan.
    at = _scan_time(scan.scanned_at, event.timezone, now)
    refused_at_door = scan.offline_result is not None and scan.offline_result not in _ADMITTED
    # The common case, a ticket of this very event, needs no read: its signature checks with
    # this event's key, and the UPDATE finds the holder by ticket number.
    own_ticket = await _ticket_of_event(scan.secret, event_id)
    device_label = (f"{scan.device} ({device})" if scan.device else device)[:100]
    session = _session_of(event, scan)
    if own_ticket and not refused_at_door and not db.is_sqlite() and session is None:
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
                    "action": ScanAction.CHECKIN,
                    "offline_result": scan.offline_result,
                    "flagged": False,  # the door let them in too
                    "scanned_at": at,
                    "received_at": now,
                },
            )
        except Exception as exc:
            if not db.is_unique_violation(exc):
                raise
            row = None  # a scan_id seen before: the transaction below answers as it did
        if row is not None:
            return _scan_out(CheckinResult.OK, (row, at), event, False)
    reg: _Admitted | None = None if own_ticket else await _ticket_holder(scan.secret, event_id)
    try:
        async with db.transaction():
            if own_ticket:
                result, reg = await _apply_own_ticket(own_ticket, event_id, refused_at_door, at)
            else:
                result, reg = await _apply_scan(reg, event_id, refused_at_door, at)
            if session is not None and not refused_at_door and result in _ADMITTED:
                who = _who(reg)
                assert who is not None  # admitted: someone of this event
                new = await queries.add_attendance(who, session, AttendanceSource.SCAN, at)
                # In for the series already, but not yet for this session: welcome.
                result = CheckinResult.OK if new else CheckinResult.ALREADY_CHECKED_IN
            # Flag where the door and the server disagree, in either direction.
            flagged = scan.offline_result is not None and (
                (scan.offline_result in _ADMITTED) != (result in _ADMITTED)
            )
            inserted = await queries.insert_scan(
                {
                    "id": uuid4(),
                    "event": event_id,
                    "event_scan": key,
                    "registration_id": _who(reg),
                    "secret": scan.secret[:300],
                    # The phone's own label and which door token sent it, both kept.
                    "device": device_label,
                    "action": ScanAction.CHECKIN,
                    "result": result,
                    "offline_result": scan.offline_result,
                    "flagged": flagged,
                    "scanned_at": at,
                    "received_at": now,
                    "session_id": session,
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
    return ticket_no if tickets.verify(event_id, ticket_no, signature, keys.public_key) else None


def _who(reg: _Admitted | None) -> UUID | None:
    if reg is None:
        return None
    return reg.id if isinstance(reg, RegistrationRow) else reg[0].id


async def _apply_own_ticket(
    ticket_no: str, event_id: UUID, refused_at_door: bool, at: datetime
) -> tuple[CheckinResult, _Admitted | None]:
    """_apply_scan for a ticket of this event: straight to the UPDATE, reading only if it
    lets no one in."""
    if not refused_at_door:
        row = await queries.check_in_by_ticket(event_id, ticket_no, at)
        if row is not None:
            return CheckinResult.OK, (row, at)
    return await _apply_scan(await queries.by_ticket_no(ticket_no), event_id, refused_at_door, at)


async def _apply_scan(
    reg: _Admitted | None, event_id: UUID, refused_at_door: bool, at: datetime
) -> tuple[CheckinResult, _Admitted | None]:
    """Inside the scan's transaction: the result, and the registration as it now stands
    (None when the scan names no one of this event)."""
    if reg is None:
        return CheckinResult.NOT_FOUND, None
    assert isinstance(reg, RegistrationRow)  # _ticket_holder's: a whole row
    if reg.event != event_id:
        return CheckinResult.WRONG_EVENT, None
    if reg.status == RegistrationStatus.CONFIRMED and not refused_at_door:
        if await queries.check_in_by_ticket(event_id, reg.ticket_no, at):
            return CheckinResult.OK, msgspec.structs.replace(reg, checked_in_at=at)
    fresh = reg
    for _ in range(3):
        found = await queries.by_id(reg.id)  # what the UPDATE saw, or a change since the read
        if found is None:
            return CheckinResult.NOT_FOUND, None
        fresh = found
        if refused_at_door or fresh.status != RegistrationStatus.CONFIRMED or fresh.checked_in_at:
            break
        # Confirmed and not in: promoted, or a check-in undone, since the read above (on
        # PostgreSQL also between the UPDATE and this read); the UPDATE decides again.
        if await queries.check_in_by_ticket(event_id, fresh.ticket_no, at):
            return CheckinResult.OK, msgspec.structs.replace(fresh, checked_in_at=at)
    return _refusal(fresh, refused_at_door), fresh


def _scan_out(
    result: CheckinResult, reg: _Admitted | None, event: EventRow, flagged: bool
) -> ScanOut:
    if reg is None or result in (CheckinResult.WRONG_EVENT, CheckinResult.NOT_FOUND):
        return ScanOut(result=result, flagged=flagged)
    if isinstance(reg, RegistrationRow):
        reg_id, name, checked = reg.id, reg.name, reg.checked_in_at
    else:
        (who, checked) = reg
        reg_id, name = who.id, who.name
    return ScanOut(
        result=result,
        name=name or None,
        registration_id=str(reg_id),
        checked_in_at=to_local(checked, event.timezone) if checked else None,
        flagged=flagged,
    )


async def _replay(scan: ScanRow, event: EventRow) -> ScanOut:
    """The answer a recorded scan got, with the person as they stand now."""
    reg = await queries.by_id(scan.registration_id) if scan.registration_id else None
    return _scan_out(scan.result, reg, event, scan.flagged)


async def check_in(actor: CheckinActor, event_id: str, scan: ScanIn) -> ScanOut:
    event = await _event_for_checkin(actor, event_id)
    _session_of(event, scan)
    return await _check_in_one(event, scan, _device(actor), utc_now())


async def check_in_batch(actor: CheckinActor, event_id: str, batch: BatchIn) -> BatchOut:
    """Scans one by one, each in its own short transaction: a batch that fails half way is
    sent again by the phone and its scan_ids make the repeat harmless (the body's type
    requires a scan_id on every scan)."""
    event = await _event_for_checkin(actor, event_id)
    for i, s in enumerate(batch.scans):  # refused whole, before any scan is applied
        _session_of(event, s, f"scans[{i}].session_id")
    now = utc_now()
    results = [await _check_in_one(event, s, _device(actor), now) for s in batch.scans]
    return BatchOut(results=results)


def _device(actor: CheckinActor) -> str:
    if isinstance(actor, DoorPrincipal):
        return f"door:{actor.token_id}"
    return f"organiser:{actor.email}"


async def undo_check_in(
    actor: CheckinActor, event_id: str, registration_id: str, session_id: str | None = None
) -> ScanOut:
    """Undo a check-in. With a session of a series: that session's attendance; the check-in
    of the series too when no other session's attendance is left."""
    async with db.transaction():
        event = await _event_for_checkin(actor, event_id)
        reg = await queries.by_id(parse_id(registration_id))
        if reg is None or reg.event != event.id:
            raise NotFound("No such registration for this event")
        now = utc_now()
        session = _session_of(event, ScanIn(secret="-", session_id=session_id))
        if session is not None:
            if not await queries.remove_attendance(reg.id, session):
                raise Conflict("This person is not checked in")
            others = [
                a for a in await queries.attendance_of_event(event.id) if a.registration == reg.id
            ]
            if not others:
                await queries.undo_check_in(reg.id, now)
        elif not await queries.undo_check_in(reg.id, now):
            raise Conflict("This person is not checked in")
        await queries.insert_scan(
            {
                "id": uuid4(),
                "event": event.id,
                "event_scan": f"{event.id}:undo:{uuid4()}",
                "registration_id": reg.id,
                "device": _device(actor),
                "action": ScanAction.UNDO,
                "result": CheckinResult.OK,
                "scanned_at": now,
                "received_at": now,
                "session_id": session,
            }
        )
    return ScanOut(result=CheckinResult.OK, name=reg.name or None, registration_id=str(reg.id))


async def scan_counts() -> dict[str, int]:
    """{result: check-in scans ever received} (the operators' metrics)."""
    return await queries.scan_counts()
