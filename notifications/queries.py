"""Queries of the notifications domain (the outbox)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from notifications.rows import MailLine, OutboxRow
from notifications.statuses import OutboxStatus
from notifications.tables import OutboxMessage as M
from traffpunkt import db
from traffpunkt.db import insert_row, rows_of

# Due and unclaimed (or claimed by a worker whose lease ran out, e.g. it crashed mid-send).
_DUE = (
    f"status IN ('{OutboxStatus.PENDING}', '{OutboxStatus.SENDING}') AND next_attempt_at <= {{}} "
    "AND (claimed_until IS NULL OR claimed_until < {})"
)


async def insert(values: dict[str, Any], *, dedupe: bool) -> bool:
    """Insert one message; with a dedupe key an existing key makes this a no-op (False).

    Every sign-up inserts one: with the SQL built once (insert_row) rather than per call."""
    return await insert_row(M, values, conflict_target="dedupe_key" if dedupe else None)


def insert_select(values: dict[str, Any], source: str) -> tuple[str, list[Any]]:
    """A message row as part of a larger PostgreSQL statement (traffpunkt.db.insert_select)."""
    return db.insert_select(M, values, source)


async def existing_keys(keys: list[str]) -> set[str]:
    found: set[str] = set()
    for i in range(0, len(keys), 500):
        rows = await M.select(M.dedupe_key).where(M.dedupe_key.is_in(keys[i : i + 500]))
        found.update(r["dedupe_key"] for r in rows)
    return found


async def claim(
    worker: str, now: datetime, lease_until: datetime, limit: int, pg: bool
) -> list[Any]:
    """Atomically lease up to `limit` due messages to `worker`; returns their ids.

    PostgreSQL: FOR UPDATE SKIP LOCKED lets several workers claim disjoint batches at once.
    SQLite: the statement runs inside the writer lock, which serialises claims.
    """
    lock = " FOR UPDATE SKIP LOCKED" if pg else ""
    sql = (
        f"UPDATE outbox_message SET status = '{OutboxStatus.SENDING}', claimed_by = {{}}, "
        "claimed_until = {}, "
        "attempts = attempts + 1 "
        f"WHERE id IN (SELECT id FROM outbox_message WHERE {_DUE} "
        f"ORDER BY next_attempt_at LIMIT {{}}{lock}) RETURNING id"
    )
    rows = await M.raw(sql, worker, lease_until, now, now, limit)
    return [r["id"] for r in rows]


async def renew(ids: list[UUID], worker: str, lease_until: datetime) -> int:
    """Extend the claims that `worker` still holds among `ids` (by primary key: cheap however
    large the outbox grows)."""
    renewed = 0
    for i in range(0, len(ids), 500):
        rows = (
            await M.update({M.claimed_until: lease_until})
            .where(
                M.id.is_in(ids[i : i + 500])
                & (M.claimed_by == worker)
                & (M.status == OutboxStatus.SENDING)
            )
            .returning(M.id)
        )
        renewed += len(rows)
    return renewed


async def by_ids(ids: list[Any]) -> list[OutboxRow]:
    if not ids:
        return []
    return rows_of(await M.select().where(M.id.is_in(ids)).order_by(M.next_attempt_at), OutboxRow)


async def mark_sent_many(ids: list[UUID], worker: str, now: datetime) -> None:
    """Mark messages sent (secrets dropped): one UPDATE per 500 ids (PostgreSQL binds each id)."""
    for i in range(0, len(ids), 500):
        await M.update(
            {
                M.status: OutboxStatus.SENT,
                M.sent_at: now,
                M.secrets: None,
                M.claimed_until: None,
                M.last_error: None,
            }
        ).where(M.id.is_in(ids[i : i + 500]) & (M.claimed_by == worker))


async def mark_retry(message_id: UUID, worker: str, at: datetime, error: str) -> None:
    await M.update(
        {
            M.status: OutboxStatus.PENDING,
            M.next_attempt_at: at,
            M.claimed_until: None,
            M.last_error: error,
        }
    ).where((M.id == message_id) & (M.claimed_by == worker))


async def mark_failed(message_id: UUID, worker: str, error: str) -> None:
    await M.update(
        {M.status: OutboxStatus.FAILED, M.claimed_until: None, M.last_error: error, M.secrets: None}
    ).where((M.id == message_id) & (M.claimed_by == worker))


async def release(ids: list[UUID], worker: str) -> None:
    """Give back claimed messages untouched (shutdown before sending them)."""
    if ids:
        await M.update(
            {M.status: OutboxStatus.PENDING, M.claimed_until: None, M.attempts: M.attempts - 1}
        ).where(M.id.is_in(ids) & (M.claimed_by == worker) & (M.status == OutboxStatus.SENDING))


async def cancel_pending(registration_id: UUID, kinds: list[str] | None) -> int:
    where: Any = (M.registration_id == registration_id) & (M.status == OutboxStatus.PENDING)
    if kinds:
        where &= M.kind.is_in(kinds)
    rows = (
        await M.update({M.status: OutboxStatus.CANCELLED, M.secrets: None})
        .where(where)
        .returning(M.id)
    )
    return len(rows)


async def scrub_registration(registration_id: UUID, placeholder: str) -> None:
    """GDPR erase: keep the fact that mail was sent, drop who it went to."""
    await M.update(
        {M.recipient: placeholder, M.recipient_name: "", M.data: "{}", M.secrets: None}
    ).where(M.registration_id == registration_id)


async def for_event(
    event_id: UUID, after: tuple[datetime, UUID] | None, limit: int
) -> list[MailLine]:
    where: Any = M.event == event_id
    if after is not None:
        created, last = after
        where &= (M.created_at > created) | ((M.created_at == created) & (M.id > last))
    rows = await (
        M.select(
            M.id,
            M.kind,
            M.recipient,
            M.registration_id,
            M.status,
            M.attempts,
            M.last_error,
            M.created_at,
            M.sent_at,
            M.next_attempt_at,
        )
        .where(where)
        .order_by(M.created_at, M.id)
        .limit(limit)
    )
    return rows_of(rows, MailLine)


async def for_registration(registration_id: UUID) -> list[MailLine]:
    """A registration's mail, oldest first (without the bodies' secrets)."""
    rows = (
        await M.select(
            M.id,
            M.kind,
            M.recipient,
            M.data,
            M.status,
            M.attempts,
            M.last_error,
            M.created_at,
            M.sent_at,
        )
        .where(M.registration_id == registration_id)
        .order_by(M.created_at, M.id)
    )
    return rows_of(rows, MailLine)


async def redirect_pending(registration_id: UUID, recipient: str) -> int:
    """Mail not yet sent to a registration goes to its corrected address."""
    rows = (
        await M.update({M.recipient: recipient})
        .where((M.registration_id == registration_id) & (M.status == OutboxStatus.PENDING))
        .returning(M.id)
    )
    return len(rows)


async def outbox_figures() -> list[dict[str, Any]]:
    """Per status of interest, how many messages and the oldest's creation time (metrics;
    `status` is indexed, so each group is an index range)."""
    return list(
        await M.raw(
            "SELECT status, count(*) AS n, min(created_at) AS oldest FROM outbox_message "
            f"WHERE status IN ('{OutboxStatus.PENDING}', '{OutboxStatus.SENDING}', "
            f"'{OutboxStatus.FAILED}') GROUP BY status"
        )
    )


async def scrub_kinds_before(kinds: list[str], before: datetime, placeholder: str) -> int:
    """Retention of mail about no event (the survey's): messages of these kinds queued before
    `before` keep kind, status and times only; unsent ones are cancelled."""
    old = M.kind.is_in(kinds) & (M.created_at < before)
    await M.update({M.status: OutboxStatus.CANCELLED}).where(
        old & M.status.is_in([OutboxStatus.PENDING, OutboxStatus.SENDING])
    )
    rows = await (
        M.update({M.recipient: placeholder, M.recipient_name: "", M.data: "{}", M.secrets: None})
        .where(old & (M.recipient != placeholder))
        .returning(M.id)
    )
    return len(rows)


async def scrub_event(event_id: UUID, placeholder: str) -> None:
    """Retention: mail about an event long over keeps its kind, status and times, not to whom
    it went or what it said; what had not gone out by now never will."""
    await M.update({M.status: OutboxStatus.CANCELLED}).where(
        (M.event == event_id) & M.status.is_in([OutboxStatus.PENDING, OutboxStatus.SENDING])
    )
    await M.update(
        {M.recipient: placeholder, M.recipient_name: "", M.data: "{}", M.secrets: None}
    ).where(M.event == event_id)
