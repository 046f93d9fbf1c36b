"""The notifications API for other domains, and the sender's steps.

Other domains call `enqueue()` inside their own transaction: the message commits or rolls back
with the change that causes it. The sender (`notifications.worker`) claims due messages with a
lease, renders and sends them, and marks the outcome:

- sent: done; secrets (links with tokens, ticket codes) are dropped from the row;
- temporary failure (4xx, connection trouble): retried with exponential backoff and jitter;
- permanent failure (5xx, e.g. a refused address) or too many attempts: `failed`, with the
  reason, visible to organisers;
- a worker that dies between "sent" and "marked" leaves a lease that expires; the message is
  sent again with the same Message-ID, so receiving servers and people can recognise it.

Leases are short (LEASE) and renewed by the sender every RENEW_EVERY while it works on a batch,
so a batch of a dead sender (killed, out of memory, the machine gone) is taken over by another
or a restarted one within seconds, while a live one keeps its batch however long the SMTP
server takes.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from accounts.schemas import SignInMail
from events import service as events_service
from notifications import queries
from notifications.kinds import KINDS
from notifications.rows import FailedMail, MailLine, OutboxRow
from notifications.schemas import MessageList, MessageOut
from notifications.statuses import OutboxStatus
from traffpunkt import db
from traffpunkt.auth import Principal
from traffpunkt.clock import utc_now
from traffpunkt.errors import Invalid, NotFound
from traffpunkt.ids import parse_id

# A claim expires LEASE after its last renewal; a sender renews every RENEW_EVERY, so several
# renewals in a row must fail (the database unreachable, the event loop stuck) before another
# sender takes over messages this one still works on. Expiry compares the clocks of the
# machines that run senders: keep them in sync (NTP), a skew near LEASE means early takeovers.
LEASE = timedelta(seconds=10)
RENEW_EVERY = timedelta(seconds=2)
RETRY_BASE = timedelta(seconds=30)
RETRY_MAX = timedelta(hours=6)
MAX_ATTEMPTS = 10
ERASED_ADDRESS = "erased@invalid"
_ADDRESS = re.compile(r"^[^@\s<>\"]+@[^@\s<>\"]+$")


def _checked_address(address: str) -> str:
    address = address.strip()
    if not _ADDRESS.fullmatch(address) or len(address) > 320:
        raise Invalid.field("email", "Not an email address")
    return address


async def enqueue(
    kind: str,
    *,
    to: str,
    event_id: UUID | str | None,
    name: str = "",
    language: str = "sv",
    registration_id: UUID | str | None = None,
    data: dict[str, Any] | None = None,
    secrets: dict[str, Any] | None = None,
    dedupe_key: str | None = None,
    send_at: datetime | None = None,
) -> UUID | None:
    """Put a mail in the outbox (inside the caller's transaction). None if deduplicated."""
    row = outbox_row(
        kind,
        to=to,
        event_id=event_id,
        name=name,
        language=language,
        registration_id=registration_id,
        data=data,
        secrets=secrets,
        dedupe_key=dedupe_key,
        send_at=send_at,
    )
    inserted = await queries.insert(row, dedupe=dedupe_key is not None)
    return row["id"] if inserted else None


async def mail_sign_in(mail: SignInMail) -> None:
    """The sign-in link accounts asks for (`traffpunkt.hooks.sign_in_requested`), inside the
    transaction that stores it."""
    await enqueue(
        "sign_in",
        to=mail.to,
        name=mail.name,
        language=mail.language,
        event_id=None,
        secrets={"sign_in_url": mail.url},
    )


def outbox_row(
    kind: str,
    *,
    to: str,
    event_id: UUID | str | None,
    name: str = "",
    language: str = "sv",
    registration_id: UUID | str | None = None,
    data: dict[str, Any] | None = None,
    secrets: dict[str, Any] | None = None,
    dedupe_key: str | None = None,
    send_at: datetime | None = None,
) -> dict[str, Any]:
    """The outbox row `enqueue` writes, checked (for `enqueue_one_of`)."""
    spec = KINDS.get(kind)
    if spec is None:
        raise ValueError(f"unknown message kind {kind!r}")
    given = {**(data or {}), **(secrets or {})}
    if name:
        given["name"] = name
    missing = [k for k in spec.requires if k not in given]
    if missing:
        raise ValueError(f"{kind} mail needs {missing}")
    now = utc_now()
    return {
        "id": uuid4(),
        "kind": kind,
        "event": parse_id(event_id) if event_id is not None else None,
        "registration_id": parse_id(registration_id) if registration_id else None,
        "recipient": _checked_address(to),
        "recipient_name": " ".join(name.split())[:200],
        "language": language if language in ("sv", "en") else "sv",
        "data": json.dumps(data or {}, ensure_ascii=False),
        "secrets": json.dumps(secrets) if secrets else None,
        "dedupe_key": dedupe_key,
        "status": OutboxStatus.PENDING,
        "attempts": 0,
        "next_attempt_at": send_at or now,
        "created_at": now,
    }


def enqueue_one_of(
    rows: list[dict[str, Any]], pick: str, source: str, data_from: dict[str, str]
) -> tuple[str, list[Any]]:
    """`enqueue` for a PostgreSQL statement that decides which mail to send as it runs: an
    INSERT … SELECT … FROM `source` (e.g. a data-modifying WITH's parts) of `rows[i]` (from
    `outbox_row`, no dedupe keys) where the SQL expression `pick` over `source` is i. A key
    of `data_from` that a row's data has is replaced by that SQL expression's value (e.g. a
    waiting-list position decided in the statement). Returns (`{}` template, args)."""
    assert rows and all(r["dedupe_key"] is None for r in rows)
    # One message whichever is picked: the first row's id and times.
    same = {k: rows[0][k] for k in ("id", "created_at", "next_attempt_at")}
    rows = [{**r, **same} for r in rows]
    values = {
        column: db.OneOf(
            pick, [_decided_data(r, data_from) if column == "data" else r[column] for r in rows]
        )
        for column in rows[0]
    }
    return queries.insert_select(values, source)


def _decided_data(row: dict[str, Any], data_from: dict[str, str]) -> Any:
    keys = [k for k in data_from if k in json.loads(row["data"])]
    if not keys:
        return row["data"]
    merged = ", ".join(f"'{k}', {data_from[k]}" for k in keys)
    return db.Sql(f"({{}}::jsonb || jsonb_build_object({merged}))::text", row["data"])


async def queued_keys(keys: list[str]) -> set[str]:
    """Which of these dedupe keys already have a message (of any status)."""
    return await queries.existing_keys(keys)


async def cancel_pending(registration_id: UUID | str, kinds: list[str] | None = None) -> int:
    """Stop mail not yet sent to a registration (e.g. reminders after a cancellation)."""
    return await queries.cancel_pending(parse_id(registration_id), kinds)


async def forget(registration_id: UUID | str) -> None:
    """GDPR erase: pending mail is cancelled and the address is removed from the outbox."""
    await queries.cancel_pending(parse_id(registration_id), None)
    await queries.scrub_registration(parse_id(registration_id), ERASED_ADDRESS)


async def forget_kinds_before(kinds: list[str], before: datetime) -> int:
    """Retention of mail about no event (the needs survey's): of these kinds, queued before
    `before`, only kind, status and times are kept; how many were scrubbed."""
    return await queries.scrub_kinds_before(kinds, before, ERASED_ADDRESS)


async def forget_event(event_id: UUID | str) -> None:
    """Retention: the mail of an event long over, without recipients or contents."""
    await queries.scrub_event(parse_id(event_id), ERASED_ADDRESS)


# --- the sender's steps (notifications.worker) --------------------------------------------------


async def claim(worker: str, limit: int) -> list[OutboxRow]:
    now = utc_now()
    async with db.transaction():
        ids = await queries.claim(worker, now, now + LEASE, limit, pg=not db.is_sqlite())
    return await queries.by_ids(ids)


async def renew(ids: list[UUID], worker: str) -> int:
    """Extend the lease of the messages of `ids` this worker still holds; how many."""
    if not ids:
        return 0
    now = utc_now()
    async with db.transaction():
        return await queries.renew(ids, worker, now + LEASE)


def backoff(attempts: int) -> timedelta:
    """Exponential backoff with full jitter between half and the whole step."""
    step = min(RETRY_BASE * (2 ** max(attempts - 1, 0)), RETRY_MAX)
    jittered: timedelta = step * random.uniform(0.5, 1.0)
    return jittered


async def mark_sent_many(ids: list[UUID], worker: str) -> None:
    """Mark several sent messages in one transaction (the sender does so in chunks)."""
    if ids:
        async with db.transaction():
            await queries.mark_sent_many(ids, worker, utc_now())


async def mark_failed(message_id: UUID, worker: str, error: str) -> None:
    async with db.transaction():
        await queries.mark_failed(message_id, worker, error[:2000])


async def mark_temporary_failure(message: OutboxRow, worker: str, error: str) -> None:
    if message.attempts >= MAX_ATTEMPTS:
        await mark_failed(message.id, worker, f"gave up after {message.attempts} attempts: {error}")
        return
    async with db.transaction():
        await queries.mark_retry(
            message.id, worker, utc_now() + backoff(message.attempts), error[:2000]
        )


async def release(ids: list[UUID], worker: str) -> None:
    async with db.transaction():
        await queries.release(ids, worker)


# --- what organisers see -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Page:
    cursor: str | None
    limit: int = 100


async def messages_for_event(actor: Principal, event_id: str, page: Page) -> MessageList:
    row = await events_service.event_for_organiser(actor, event_id)
    after = None
    if page.cursor:
        try:
            created, last = page.cursor.split("_", 1)
            after = (datetime.fromisoformat(created), UUID(last))
        except ValueError:
            raise Invalid.field(
                "cursor", "Use the `next` of the previous page as the cursor"
            ) from None
    rows = await queries.for_event(row.id, after, page.limit + 1)
    more = len(rows) > page.limit
    rows = rows[: page.limit]
    items = [
        MessageOut(
            id=str(r.id),
            kind=r.kind,
            to=r.recipient,
            registration_id=str(r.registration_id) if r.registration_id else None,
            status=r.status,
            attempts=r.attempts,
            last_error=r.last_error,
            created_at=r.created_at,
            sent_at=r.sent_at,
            next_attempt_at=r.next_attempt_at if r.status == OutboxStatus.PENDING else None,
        )
        for r in rows
    ]
    next_cursor = f"{rows[-1].created_at.isoformat()}_{rows[-1].id}" if more else None
    return MessageList(items=items, next=next_cursor)


# --- deliveries that failed for good, and a corrected address --------------------------------


async def delivery_failure(registration_id: UUID | str) -> MailLine | None:
    """The newest mail to a registration when it failed for good (a refused address, a 5xx):
    {kind, recipient, last_error, created_at}; None when the newest was sent or is on its way.
    Cancelled mail (e.g. a reminder after a cancellation) does not count either way."""
    rows = await queries.for_registration(parse_id(registration_id))
    live = [r for r in rows if r.status != OutboxStatus.CANCELLED]
    if live and live[-1].status == OutboxStatus.FAILED:
        return live[-1]
    return None


async def failed_to(registration_id: UUID | str, recipient: str) -> list[FailedMail]:
    """Mail to a registration at `recipient` that failed for good, oldest first, with its data
    (JSON decoded; the secrets were dropped when it failed)."""
    rows = await queries.for_registration(parse_id(registration_id))
    return [
        FailedMail(r.kind, json.loads(r.data or "{}"))
        for r in rows
        if r.status == OutboxStatus.FAILED and r.recipient == recipient
    ]


async def redirect_pending(registration_id: UUID | str, recipient: str) -> int:
    """Inside the caller's transaction: unsent mail to a registration goes to `recipient`."""
    return await queries.redirect_pending(parse_id(registration_id), _checked_address(recipient))


async def message_status(message_id: UUID | str) -> OutboxRow:
    rows = await queries.by_ids([parse_id(message_id)])
    if not rows:
        raise NotFound("No such message")
    return rows[0]


async def latest_status_by_registration(event_id: UUID | str) -> dict[str, MailLine]:
    """The newest mail to each registration of an event: {registration id: its line (kind,
    status, last_error, …)} (for the organiser's attendee list)."""
    out: dict[str, MailLine] = {}
    for r in await queries.for_event(parse_id(event_id), None, 100_000):
        if r.registration_id is not None:
            out[str(r.registration_id)] = r  # rows come oldest first: the last one wins
    return out


@dataclass(frozen=True, slots=True)
class OutboxFigures:
    """The outbox at one moment, for the operators' metrics (`traffpunkt.metrics`)."""

    waiting: int  # pending or being sent
    oldest_waiting_seconds: float  # age of the oldest message not yet sent; 0 when none
    failed: int  # given up for good (refused, or out of attempts)


async def outbox_figures() -> OutboxFigures:
    rows = {str(r["status"]): r for r in await queries.outbox_figures()}
    waiting = [rows[s] for s in (OutboxStatus.PENDING, OutboxStatus.SENDING) if s in rows]
    oldest = min((_aware(r["oldest"]) for r in waiting if r["oldest"] is not None), default=None)
    return OutboxFigures(
        waiting=sum(int(r["n"]) for r in waiting),
        oldest_waiting_seconds=max(0.0, (utc_now() - oldest).total_seconds()) if oldest else 0.0,
        failed=int(rows[OutboxStatus.FAILED]["n"]) if OutboxStatus.FAILED in rows else 0,
    )


def _aware(value: Any) -> datetime:
    """An aggregate's time (SQLite gives the stored text; PostgreSQL a datetime) in UTC."""
    when = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)
