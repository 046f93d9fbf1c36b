"""The outbox: every mail is a row written in the transaction of the change that causes it."""

from __future__ import annotations

from piccolo.columns import UUID, ForeignKey, Integer, OnDelete, Text, Timestamptz, Varchar
from piccolo.table import Table

from events.tables import Event
from notifications.statuses import OutboxStatus


class OutboxMessage(Table, tablename="outbox_message"):
    id = UUID(primary_key=True)
    kind = Varchar(length=32)
    event = ForeignKey(Event, on_delete=OnDelete.cascade, null=True, default=None, index=True)
    # Plain ids of other domains' rows (no foreign key: registrations are erased, mail stays).
    registration_id = UUID(null=True, default=None, index=True)
    recipient = Varchar(length=320)
    recipient_name = Varchar(length=200, default="")
    language = Varchar(length=2, default="sv")
    # JSON: what the mail says (names, reasons, positions). No secrets here.
    data = Text(default="{}")
    # JSON: links with tokens and ticket codes; set to NULL once the mail is sent or given up.
    secrets = Text(null=True, default=None)
    # At most one message per key (e.g. one reminder per registration and start time).
    dedupe_key = Varchar(length=200, null=True, default=None, unique=True)
    # pending -> sending -> sent | failed | cancelled (sending with an expired lease = pending)
    status = Varchar(length=16, default=OutboxStatus.PENDING, index=True)
    attempts = Integer(default=0)
    next_attempt_at = Timestamptz(index=True)
    claimed_by = Varchar(length=64, null=True, default=None)
    claimed_until = Timestamptz(null=True, default=None)
    last_error = Text(null=True, default=None)
    created_at = Timestamptz()
    sent_at = Timestamptz(null=True, default=None)
