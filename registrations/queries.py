"""All database queries of the registrations domain."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

import msgspec
from piccolo.query.functions.aggregate import Count

from registrations.statuses import AttendeeRole, CheckinResult, RegistrationStatus, ScanAction
from registrations.tables import (
    AddressBlock,
    Certificate,
    DoorToken,
    EventKey,
    Invitation,
    ManageToken,
    Registration,
    Scan,
    SessionAttendance,
)
from traffpunkt.db import Sql, hot, insert_row, insert_select, prepared, returned_uuid, rows_of

R = Registration


# --- rows: what the queries return, typed (UUIDs, datetimes, statuses) ---------------------
# Built from the driver's dicts with `Row(**row)`, statuses and roles turned into their
# StrEnums on the way: 2.5-4 µs for a registration (`RegistrationRow(**row)` alone 2.5-3.7 µs,
# measured on the loaded 2-core box), against ~1-3 ms of server CPU per sign-up or check-in.
# The common sign-up (a new address) converts no registration; the common check-in (a
# ticket of this event) only the UPDATE's RETURNING (`CheckedIn`: id and name).


class RegistrationRow(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    event: UUID
    event_email: str
    email: str
    name: str
    organisation: str
    municipality: str
    language: str
    needs: str  # topic slugs, " a b " (events.topics.decode)
    offers: str
    networking_consent: bool
    role: AttendeeRole
    sector: str
    about: str
    status: RegistrationStatus
    ticket_no: str
    itip_offset: int
    checked_in_at: datetime | None
    exam_passed_at: datetime | None = None
    confirmed_at: datetime | None
    cancelled_at: datetime | None
    erased_at: datetime | None
    queue_seq: int
    queued_at: datetime
    created_at: datetime
    updated_at: datetime
    org_number: str = ""
    sni_section: str = ""
    size_band: str = ""
    gender: str = ""


# Text -> member by a dict lookup: calling the Enum class (`RegistrationStatus(text)`) costs
# ~2 µs each, most of a row's conversion.
_STATUS = {s.value: s for s in RegistrationStatus}
_ROLE = {r.value: r for r in AttendeeRole}


def _registration(row: dict[str, Any]) -> RegistrationRow:
    row["status"] = _STATUS[row["status"]]
    row["role"] = _ROLE[row["role"]]
    # SQLite hands BOOLEAN back as 0/1 on some paths (e.g. rows read inline on the loop).
    row["networking_consent"] = bool(row["networking_consent"])
    return RegistrationRow(**row)


def _registration_or_none(row: dict[str, Any] | None) -> RegistrationRow | None:
    return None if row is None else _registration(row)


class CheckedIn(msgspec.Struct, frozen=True):
    """Who a check-in let in (the UPDATE's RETURNING)."""

    id: UUID
    name: str


class InvitationRow(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    event: UUID
    email: str
    name: str
    token_hash: str
    invited_by: UUID | None
    created_at: datetime
    used_at: datetime | None


class EventKeyRow(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    event: UUID
    private_key: str  # raw 32 bytes, base64url
    public_key: str
    created_at: datetime


class DoorTokenRow(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    event: UUID
    token_hash: str
    label: str
    created_by: UUID | None
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None


class DoorTokenListed(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    label: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None


class ScanRow(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    event: UUID
    event_scan: str
    registration_id: UUID | None
    secret: str
    device: str
    action: ScanAction
    result: CheckinResult
    offline_result: CheckinResult | None
    flagged: bool
    scanned_at: datetime
    received_at: datetime
    session_id: UUID | None = None


class AttendanceRow(msgspec.Struct, frozen=True, kw_only=True):
    registration: UUID
    session_id: UUID
    source: str
    at: datetime


class NeedsAndOffers(msgspec.Struct, frozen=True):
    email: str
    needs: str
    offers: str


# The lookups of every sign-up and check-in are built and compiled once (traffpunkt.db.prepared)
# and the hot inserts use insert_row: Piccolo's query building was a large share of each call.
_by_event_email = prepared(lambda k: R.select().where(R.event_email == k).first(), first=True)
_by_id = prepared(lambda i: R.select().where(R.id == i).first(), first=True)
_by_ticket_no = prepared(lambda t: R.select().where(R.ticket_no == t).first(), first=True)
_manage_token = prepared(
    lambda h: (
        ManageToken.select(ManageToken.registration).where(ManageToken.token_hash == h).first()
    ),
    first=True,
)
_event_key = prepared(lambda e: EventKey.select().where(EventKey.event == e).first(), first=True)
_door_token = prepared(
    lambda h: DoorToken.select().where(DoorToken.token_hash == h).first(), first=True
)
_address_blocked = prepared(
    lambda h: AddressBlock.select(AddressBlock.email_hash).where(AddressBlock.email_hash == h),
    first=True,
)
_scan_by_key = prepared(lambda k: Scan.select().where(Scan.event_scan == k).first(), first=True)
_check_in_by_ticket = prepared(
    lambda at, e, t: (
        R.update({R.checked_in_at: at, R.updated_at: at})
        .where(
            (R.event == e)
            & (R.ticket_no == t)
            & R.checked_in_at.is_null()
            & (R.status == RegistrationStatus.CONFIRMED)
        )
        .returning(R.id, R.name)
    ),
    first=True,
)


# --- registrations -------------------------------------------------------------------------


async def address_blocked(email_hash: str) -> bool:
    return await _address_blocked(email_hash) is not None


async def block_address(email_hash: str, now: datetime) -> None:
    await insert_row(
        AddressBlock, {"email_hash": email_hash, "created_at": now}, conflict_target="email_hash"
    )


async def by_event_email(event_email: str) -> RegistrationRow | None:
    return _registration_or_none(await _by_event_email(event_email))


async def by_id(registration_id: UUID) -> RegistrationRow | None:
    return _registration_or_none(await _by_id(registration_id))


async def by_ticket_no(ticket_no: str) -> RegistrationRow | None:
    return _registration_or_none(await _by_ticket_no(ticket_no))


async def insert(values: dict[str, Any]) -> None:
    await insert_row(R, values)


# The statuses as SQL writes them (StrEnum values: plain text).
CONFIRMED, WAITLISTED = RegistrationStatus.CONFIRMED.value, RegistrationStatus.WAITLISTED.value
SEAT = "CASE WHEN seat.last_position = 0 THEN 0 ELSE 1 END"  # 0: a seat, 1: the waiting list


# The condition a sign-up in one statement adds to the seat's UPDATE: the address is new for
# the event and not on the block list (values: event_email, the address's hash).
NEW_UNBLOCKED = (
    "NOT EXISTS (SELECT 1 FROM registration WHERE event_email = {}) "
    "AND NOT EXISTS (SELECT 1 FROM address_block WHERE email_hash = {})"
)


async def sign_up_at_once(
    join_sql: str,
    event_id: UUID,
    guard: tuple[str, str],
    registration: dict[str, Any],
    token: dict[str, Any],
    mail: tuple[str, list[Any]],
) -> tuple[int, int] | None:
    """PostgreSQL: decide seat or waiting list (the events domain's `join_sql` with the
    NEW_UNBLOCKED condition, `guard` its values) and write the registration, its manage token
    and its mail (`mail`: an INSERT … SELECT … FROM seat that picks by SEAT) in ONE statement
    outside any transaction. The event row's lock is then held only while the server finishes
    the statement and commits: no round trip to this process, whose event loop may be busy
    with 31 other requests, happens under it; and nothing is read before it. Returns what
    `join` returns; None (and nothing written) if the event is not published, the address is
    already registered (in any status) or blocked: the caller finds out which. A registration
    of the same address committed meanwhile makes the statement fail on the unique key."""
    reg_sql, reg_args = insert_select(
        R,
        {
            **registration,
            "status": Sql(f"CASE {SEAT} WHEN 0 THEN '{CONFIRMED}' ELSE '{WAITLISTED}' END"),
            "confirmed_at": Sql(f"CASE {SEAT} WHEN 0 THEN t.at END"),
            "queue_seq": Sql("seat.signup_seq"),
            "queued_at": Sql("t.at"),
            "created_at": Sql("t.at"),
            "updated_at": Sql("t.at"),
        },
        "seat, t",
    )
    token_sql, token_args = insert_select(ManageToken, {**token, "created_at": Sql("t.at")}, "t")
    mail_sql, mail_args = mail
    rows = await hot(
        f"WITH seat AS ({join_sql}), "
        # The time of the decision, taken once, after the lock was granted.
        "t AS (SELECT clock_timestamp() AS at FROM seat), "
        f"reg AS ({reg_sql}), tok AS ({token_sql}), msg AS ({mail_sql}) "
        "SELECT signup_seq, last_position FROM seat",
        event_id,
        *guard,
        *reg_args,
        *token_args,
        *mail_args,
    )
    return (rows[0]["signup_seq"], rows[0]["last_position"]) if rows else None


async def update(registration_id: UUID, values: dict[str, Any]) -> None:
    await R.update({getattr(R, k): v for k, v in values.items()}).where(R.id == registration_id)


async def set_status_if(
    registration_id: UUID, expected: RegistrationStatus, values: dict[str, Any]
) -> bool:
    """Change a registration only if its status is still `expected` (no lost update)."""
    rows = (
        await R.update({getattr(R, k): v for k, v in values.items()})
        .where((R.id == registration_id) & (R.status == expected))
        .returning(R.id)
    )
    return bool(rows)


async def promote_first_waiting(event_id: UUID, now: datetime, pg: bool) -> UUID | None:
    """Confirm the first person on the waiting list (caller holds a seat for them)."""
    lock = " FOR UPDATE SKIP LOCKED" if pg else ""
    rows = await R.raw(
        f"UPDATE registration SET status = '{CONFIRMED}', confirmed_at = {{}}, updated_at = {{}} "
        f"WHERE status = '{WAITLISTED}' AND id = (SELECT id FROM registration "
        f"WHERE event = {{}} AND status = '{WAITLISTED}' "
        f"ORDER BY queue_seq, queued_at, id LIMIT 1{lock}) RETURNING id",
        now,
        now,
        event_id,
    )
    if not rows:
        return None
    return returned_uuid(rows[0]["id"])


async def waiting_position(event_id: UUID, queue_seq: int, registration_id: UUID) -> int:
    """Number on the waiting list now: those still waiting who joined it before (commit order)."""
    ahead: int = await R.count().where(
        (R.event == event_id)
        & (R.status == RegistrationStatus.WAITLISTED)
        & ((R.queue_seq < queue_seq) | ((R.queue_seq == queue_seq) & (R.id < registration_id)))
    )
    return ahead + 1


async def of_event(
    event_id: UUID, statuses: list[RegistrationStatus] | None = None
) -> list[RegistrationRow]:
    """In sign-up order (for the waiting list: its order)."""
    where: Any = R.event == event_id
    if statuses:
        where &= R.status.is_in(list(statuses))
    rows = await R.select().where(where).order_by(R.queue_seq).order_by(R.id)
    return [_registration(r) for r in rows]


class CheckedInRow(msgspec.Struct, frozen=True):
    """What the funder's report counts of one check-in (no name; the address only to tell
    persons apart, never shown)."""

    event: UUID
    email: str
    checked_in_at: datetime
    org_number: str
    sni_section: str
    size_band: str
    gender: str


async def checked_in(event_ids: list[UUID]) -> list[CheckedInRow]:
    """Every registration of these events that was checked in (whatever happened to it
    after: an attendee who cancelled or erased their data later still came; erased ones carry
    nothing but a unique placeholder address). One SELECT per 500 events."""
    out: list[CheckedInRow] = []
    for i in range(0, len(event_ids), 500):
        rows = await R.select(
            R.event,
            R.email,
            R.checked_in_at,
            R.org_number,
            R.sni_section,
            R.size_band,
            R.gender,
        ).where(R.event.is_in(event_ids[i : i + 500]) & R.checked_in_at.is_not_null())
        out.extend(rows_of(rows, CheckedInRow))
    return out


class SessionAttendedRow(msgspec.Struct, frozen=True):
    """One person's attendance of one session of a course series, as the report counts it (the
    registration's report answers; the address only to tell persons apart, never shown)."""

    event: UUID
    email: str
    session_id: UUID
    at: datetime
    org_number: str
    sni_section: str
    size_band: str
    gender: str


async def sessions_attended(event_ids: list[UUID]) -> list[SessionAttendedRow]:
    """Every recorded session attendance (scanned or ticked) of these events' registrations,
    whatever happened to the registration after. One SELECT per 500 events."""
    A = SessionAttendance
    out: list[SessionAttendedRow] = []
    for i in range(0, len(event_ids), 500):
        rows = await A.select(
            A.registration.event.as_alias("event"),
            A.registration.email.as_alias("email"),
            A.session_id,
            A.at,
            A.registration.org_number.as_alias("org_number"),
            A.registration.sni_section.as_alias("sni_section"),
            A.registration.size_band.as_alias("size_band"),
            A.registration.gender.as_alias("gender"),
        ).where(A.registration.event.is_in(event_ids[i : i + 500]))
        out.extend(rows_of(rows, SessionAttendedRow))
    return out


async def search(event_id: UUID, text: str, limit: int, pg: bool) -> list[RegistrationRow]:
    """Name, organisation or address containing `text`, ignoring case (SQLite's LIKE folds
    ASCII letters only, so "å" and "Å" differ there; PostgreSQL's ILIKE folds all)."""
    pattern = f"%{text.lower()}%"
    cols = (R.name, R.organisation, R.email)
    match: Any = None
    for col in cols:
        cond = col.ilike(pattern) if pg else col.like(pattern)
        match = cond if match is None else match | cond
    rows = await (
        R.select()
        .where((R.event == event_id) & R.erased_at.is_null() & match)
        .order_by(R.name)
        .limit(limit)
    )
    return [_registration(r) for r in rows]


async def counts(event_id: UUID) -> dict[str, int]:
    rows = await R.select(R.status, Count(alias="n")).where(R.event == event_id).group_by(R.status)
    checked = await R.count().where(
        (R.event == event_id)
        & R.checked_in_at.is_not_null()
        & (R.status == RegistrationStatus.CONFIRMED)
    )
    out = {r["status"]: r["n"] for r in rows}
    out["checked_in"] = checked
    return out


async def counts_for_events(event_ids: list[UUID]) -> dict[str, dict[str, int]]:
    if not event_ids:
        return {}
    rows = (
        await R.select(R.event, R.status, Count(alias="n"))
        .where(R.event.is_in(event_ids))
        .group_by(R.event, R.status)
    )
    checked = (
        await R.select(R.event, Count(alias="n"))
        .where(
            R.event.is_in(event_ids)
            & R.checked_in_at.is_not_null()
            & (R.status == RegistrationStatus.CONFIRMED)
        )
        .group_by(R.event)
    )
    out: dict[str, dict[str, int]] = {}
    for r in rows:
        out.setdefault(str(r["event"]), {})[r["status"]] = r["n"]
    for r in checked:
        out.setdefault(str(r["event"]), {})["checked_in"] = r["n"]
    return out


def _checked_in(row: dict[str, Any] | None) -> CheckedIn | None:
    if row is None:
        return None
    return CheckedIn(returned_uuid(row["id"]), row["name"])


async def check_in_by_ticket(event_id: UUID, ticket_no: str, at: datetime) -> CheckedIn | None:
    """Mark the arrival of this event's ticket holder once (only the first of many simultaneous
    scans wins): who, if this scan let them in."""
    return _checked_in(await _check_in_by_ticket(at, event_id, ticket_no))


async def check_in_at_once(
    event_id: UUID, ticket_no: str, at: datetime, scan: dict[str, Any]
) -> CheckedIn | None:
    """PostgreSQL: let this event's ticket holder in once and record the `scan` (result "ok")
    in ONE statement outside a transaction, instead of BEGIN, UPDATE, INSERT, COMMIT: {id,
    name} if this scan let them in, None (nothing written) if it did not. A scan_id seen
    before fails the statement with a unique violation, which also undoes the check-in."""
    scan_sql, scan_args = insert_select(
        Scan, {**scan, "registration_id": Sql("upd.id"), "result": CheckinResult.OK}, "upd"
    )
    rows = await hot(
        "WITH upd AS (UPDATE registration SET checked_in_at = {}, updated_at = {} "
        "WHERE event = {} AND ticket_no = {} AND checked_in_at IS NULL "
        f"AND status = '{CONFIRMED}' RETURNING id, name), ins AS ({scan_sql}) "
        "SELECT id, name FROM upd",
        at,
        at,
        event_id,
        ticket_no,
        *scan_args,
    )
    return _checked_in(rows[0] if rows else None)


async def undo_check_in(registration_id: UUID, now: datetime) -> bool:
    rows = (
        await R.update({R.checked_in_at: None, R.updated_at: now})
        .where((R.id == registration_id) & R.checked_in_at.is_not_null())
        .returning(R.id)
    )
    return bool(rows)


async def needs_and_offers(
    municipality_id: UUID | None, starts_from: datetime, starts_before: datetime
) -> list[NeedsAndOffers]:
    where: Any = (
        R.erased_at.is_null()
        & (R.status != RegistrationStatus.CANCELLED)
        & (R.event.starts_at >= starts_from)
        & (R.event.starts_at < starts_before)
        & ((R.needs != "") | (R.offers != ""))
    )
    if municipality_id is not None:
        where &= R.event.municipality == municipality_id
    rows = await R.select(R.email, R.needs, R.offers).where(where)
    return [NeedsAndOffers(r["email"], r["needs"], r["offers"]) for r in rows]


# --- manage tokens -------------------------------------------------------------------------


async def insert_manage_token(values: dict[str, Any]) -> None:
    await insert_row(ManageToken, values)


async def registration_by_token_hash(token_hash: str) -> RegistrationRow | None:
    row = await _manage_token(token_hash)
    if row is None:
        return None
    return await by_id(row["registration"])


async def delete_manage_tokens(registration_id: UUID) -> None:
    await ManageToken.delete().where(ManageToken.registration == registration_id)


# --- invitations ---------------------------------------------------------------------------


async def insert_invitations(rows: list[dict[str, Any]]) -> None:
    if rows:
        await Invitation.insert(*[Invitation(**r) for r in rows])


async def invitation_by_hash(token_hash: str) -> InvitationRow | None:
    row = await Invitation.select().where(Invitation.token_hash == token_hash).first()
    return None if row is None else InvitationRow(**row)


async def mark_invitation_used(invitation_id: UUID, at: datetime) -> None:
    await Invitation.update({Invitation.used_at: at}).where(
        (Invitation.id == invitation_id) & Invitation.used_at.is_null()
    )


# --- keys ------------------------------------------------------------------------------------


async def event_key(event_id: UUID) -> EventKeyRow | None:
    row = await _event_key(event_id)
    return None if row is None else EventKeyRow(**row)


async def insert_event_key(values: dict[str, Any]) -> None:
    await EventKey.insert(EventKey(**values)).on_conflict(
        target=EventKey.event, action="DO NOTHING"
    )


# --- door tokens -----------------------------------------------------------------------------


async def insert_door_token(values: dict[str, Any]) -> None:
    await DoorToken.insert(DoorToken(**values))


async def door_token(token_hash: str) -> DoorTokenRow | None:
    row = await _door_token(token_hash)
    return None if row is None else DoorTokenRow(**row)


async def revoke_door_token(event_id: UUID, token_id: UUID, at: datetime) -> bool:
    rows = (
        await DoorToken.update({DoorToken.revoked_at: at})
        .where(
            (DoorToken.id == token_id)
            & (DoorToken.event == event_id)
            & DoorToken.revoked_at.is_null()
        )
        .returning(DoorToken.id)
    )
    return bool(rows)


async def door_tokens_of(event_id: UUID) -> list[DoorTokenListed]:
    rows = (
        await DoorToken.select(
            DoorToken.id,
            DoorToken.label,
            DoorToken.created_at,
            DoorToken.expires_at,
            DoorToken.revoked_at,
        )
        .where(DoorToken.event == event_id)
        .order_by(DoorToken.created_at)
    )
    return [DoorTokenListed(**r) for r in rows]


# --- scans -----------------------------------------------------------------------------------


async def scan_by_key(event_scan: str) -> ScanRow | None:
    row = await _scan_by_key(event_scan)
    if row is None:
        return None
    row["action"] = ScanAction(row["action"])
    row["result"] = CheckinResult(row["result"])
    if row["offline_result"] is not None:
        row["offline_result"] = CheckinResult(row["offline_result"])
    row["flagged"] = bool(row["flagged"])
    return ScanRow(**row)


async def insert_scan(values: dict[str, Any]) -> bool:
    return await insert_row(Scan, values, conflict_target="event_scan")


async def scan_counts() -> dict[str, int]:
    """Check-in scans ever received, by result (metrics: check-ins per minute). Scans are
    never deleted with their registration, so these only grow."""
    rows = (
        await Scan.select(Scan.result, Count(alias="n"))
        .where(Scan.action == ScanAction.CHECKIN)
        .group_by(Scan.result)
    )
    return {str(r["result"]): int(r["n"]) for r in rows}


# --- retention (service/retention.py) --------------------------------------------------------

RETAINED_EMAIL = "%@invalid"  # erased or retained addresses all end so


async def events_to_retain(ended_before: datetime, limit: int) -> list[UUID]:
    """Events that ended before `ended_before` and still hold an attendee's or an invitee's
    address."""
    found: set[UUID] = set()
    for table in (Registration, Invitation):
        rows = (
            await table.select(table.event)
            .where((table.event.ends_at < ended_before) & table.email.not_like(RETAINED_EMAIL))
            .distinct()
            .limit(limit)
        )
        found.update(r["event"] for r in rows)
    return sorted(found)[:limit]


async def addresses_to_retain(event_id: UUID) -> list[tuple[UUID, str, str]]:
    """(id, address, organisation number) of the registrations not yet anonymised."""
    rows = await R.select(R.id, R.email, R.org_number).where(
        (R.event == event_id) & R.email.not_like(RETAINED_EMAIL)
    )
    return [(r["id"], r["email"], r["org_number"]) for r in rows]


async def scrub_invitations(event_id: UUID, placeholder: str) -> int:
    rows = (
        await Invitation.update({Invitation.email: placeholder, Invitation.name: ""})
        .where((Invitation.event == event_id) & Invitation.email.not_like(RETAINED_EMAIL))
        .returning(Invitation.id)
    )
    return len(rows)


async def scrub_scans(event_id: UUID) -> None:
    """What a door phone read (a ticket code or a typed name) and which phone: not kept."""
    await Scan.update({Scan.secret: "", Scan.device: ""}).where(Scan.event == event_id)


# --- attendance of a course series' sessions ------------------------------------------------


async def add_attendance(
    registration_id: UUID, session_id: UUID, source: str, at: datetime
) -> bool:
    """Record that this person attended this session; False if it was recorded before (the
    unique key decides, so two scans at once record one attendance)."""
    return await insert_row(
        SessionAttendance,
        {
            "id": uuid4(),
            "registration": registration_id,
            "session_id": session_id,
            "registration_session": f"{registration_id}:{session_id}",
            "source": source,
            "at": at,
        },
        conflict_target="registration_session",
    )


async def remove_attendance(registration_id: UUID, session_id: UUID) -> bool:
    rows = (
        await SessionAttendance.delete()
        .where(SessionAttendance.registration_session == f"{registration_id}:{session_id}")
        .returning(SessionAttendance.id)
    )
    return bool(rows)


async def attendance_of_event(event_id: UUID) -> list[AttendanceRow]:
    """Every recorded attendance of the event's registrations (one query)."""
    rows = await SessionAttendance.select(
        SessionAttendance.registration,
        SessionAttendance.session_id,
        SessionAttendance.source,
        SessionAttendance.at,
    ).where(SessionAttendance.registration.event == event_id)
    return [AttendanceRow(**r) for r in rows]


# --- course certificates ----------------------------------------------------------------------


class CertificateRow(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    registration: UUID
    token_hash: str
    issued_at: datetime
    minutes: int


async def insert_certificate(values: dict[str, Any]) -> bool:
    """False when this registration has one already (the unique key: never two)."""
    return await insert_row(Certificate, values, conflict_target="registration")


async def certificate_holders(event_id: UUID) -> set[UUID]:
    rows = await Certificate.select(Certificate.registration).where(
        Certificate.registration.event == event_id
    )
    return {r["registration"] for r in rows}


async def certificate_by_hash(token_hash: str) -> CertificateRow | None:
    row = await Certificate.select().where(Certificate.token_hash == token_hash).first()
    return None if row is None else CertificateRow(**row)


async def certificate_of(registration_id: UUID) -> CertificateRow | None:
    row = await Certificate.select().where(Certificate.registration == registration_id).first()
    return None if row is None else CertificateRow(**row)


async def set_exam_passed(registration_id: UUID, at: datetime | None, now: datetime) -> None:
    await R.update({R.exam_passed_at: at, R.updated_at: now}).where(R.id == registration_id)


# --- needs for planning ----------------------------------------------------------------------


class NeedRow(msgspec.Struct, frozen=True):
    id: UUID
    organisation: str
    needs: str
    municipality: UUID
    created_at: datetime


async def registration_needs(
    municipalities: list[UUID] | None, start: datetime, end: datetime
) -> list[NeedRow]:
    """Registrations made in [start, end) that ticked a need (not cancelled, not erased), with
    their event's municipality."""
    query = Registration.select(
        Registration.id,
        Registration.organisation,
        Registration.needs,
        Registration.event.municipality.as_alias("municipality"),
        Registration.created_at,
    ).where(
        (Registration.created_at >= start)
        & (Registration.created_at < end)
        & (Registration.needs != "")
        & (Registration.status != RegistrationStatus.CANCELLED)
        & Registration.erased_at.is_null()
    )
    if municipalities is not None:
        query = query.where(Registration.event.municipality.is_in(municipalities))
    return rows_of(await query, NeedRow)
