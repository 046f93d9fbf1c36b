"""Bodies of the notifications API."""

from __future__ import annotations

from datetime import datetime

import msgspec

from notifications.statuses import OutboxStatus


class MessageOut(msgspec.Struct, kw_only=True):
    id: str
    kind: str
    to: str
    registration_id: str | None
    status: OutboxStatus
    attempts: int
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None
    next_attempt_at: datetime | None


class MessageList(msgspec.Struct, kw_only=True):
    items: list[MessageOut]
    next: str | None
