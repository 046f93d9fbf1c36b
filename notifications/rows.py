"""Rows of the outbox as they leave `notifications/queries.py`: frozen msgspec Structs with ids
as `UUID`, times as aware `datetime` and the status as `OutboxStatus`. An `OutboxRow` also
travels to the mail render processes (Structs pickle)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec

from notifications.statuses import OutboxStatus


class OutboxRow(msgspec.Struct, frozen=True):
    """A whole message, as the sender claims it."""

    id: UUID
    kind: str
    event: UUID | None
    registration_id: UUID | None
    recipient: str
    recipient_name: str
    language: str
    data: str  # JSON: what the mail says
    secrets: str | None  # JSON: links with tokens; NULL once sent or given up
    dedupe_key: str | None
    status: OutboxStatus
    attempts: int
    next_attempt_at: datetime
    claimed_by: str | None
    claimed_until: datetime | None
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None


class MailLine(msgspec.Struct, frozen=True):
    """A message as organisers and attendees see it (no secrets; `data` only where read)."""

    id: UUID
    kind: str
    recipient: str
    status: OutboxStatus
    attempts: int
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None
    registration_id: UUID | None = None
    next_attempt_at: datetime | None = None
    data: str = "{}"


class FailedMail(msgspec.Struct, frozen=True):
    """A mail that failed for good, with what it said (to send it again to a corrected address)."""

    kind: str
    data: dict[str, Any]
