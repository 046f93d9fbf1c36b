"""An event's signing keys and the ticket codes they sign.

Each event gets an Ed25519 key pair the first time a ticket is signed; the door checks codes
with the public key (also offline, from the check-in data).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from registrations import queries, tickets
from traffpunkt import db
from traffpunkt.clock import utc_now

# An event's signing keys never change once made, so they are kept in process (one query less
# per sign-up and per check-in). Only committed keys are kept: a key made inside a transaction
# that then rolls back must not be used (another process would make and use a different one).
_KEYS: dict[UUID, queries.EventKeyRow] = {}
_KEYS_MAX = 10_000
# Keys this process made inside a transaction, with that transaction (not yet known committed).
_MADE_IN: dict[UUID, Any] = {}


async def event_keys(event_id: UUID) -> queries.EventKeyRow:
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


async def ticket_code(event_id: UUID, ticket_no: str) -> str:
    """The signed ticket of registration `ticket_no` of this event (the QR code's text)."""
    keys = await event_keys(event_id)
    return tickets.sign(event_id, ticket_no, keys.private_key)
