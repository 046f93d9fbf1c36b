"""The states of an outbox message, one name each, shared by the table, the queries (also in
their SQL text), the service and the API (`MailOut.status`)."""

from __future__ import annotations

from enum import StrEnum


class OutboxStatus(StrEnum):
    PENDING = "pending"  # due at next_attempt_at
    SENDING = "sending"  # claimed by a sender until claimed_until (then due again)
    SENT = "sent"  # handed to the mail server; secrets dropped
    FAILED = "failed"  # refused for good or given up after MAX_ATTEMPTS
    CANCELLED = "cancelled"  # no longer wanted (the registration was cancelled or erased)
