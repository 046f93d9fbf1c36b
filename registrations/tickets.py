"""Signed tickets that a phone can verify offline (as pretix does for large events).

A ticket code is `TP1` + base32(ticket_no ‖ Ed25519 signature over event_id ‖ ticket_no), upper
case without padding: 120 characters that QR's alphanumeric mode packs into a version 6 code
(41×41 modules at error correction M), big enough to scan from a cracked screen. The phone
holds only the event's public key, so it can check tickets of people who signed up after its
last sync but cannot make new ones; cancelled tickets are in the revocation list it syncs.
"""

from __future__ import annotations

import base64
import binascii
import secrets
from dataclasses import dataclass
from functools import lru_cache
from uuid import UUID

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

PREFIX = "TP1"
TICKET_NO_BYTES = 9
SIGNATURE_BYTES = 64


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def new_ticket_no() -> str:
    return b64(secrets.token_bytes(TICKET_NO_BYTES))


@dataclass(frozen=True, slots=True)
class KeyPair:
    private: str  # base64url raw 32 bytes
    public: str


def new_keypair() -> KeyPair:
    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return KeyPair(b64(private), b64(public))


def _message(event_id: UUID, ticket_no: bytes) -> bytes:
    return event_id.bytes + ticket_no


# Loading a key derives its public point (~60 µs on a slow core); an event's key never changes,
# and a few hundred events are live at a time. The process holds these keys anyway (the event
# key cache of registrations.service.keys), so keeping their objects adds no new secret.
@lru_cache(maxsize=1024)
def _private_key(private_key: str) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(unb64(private_key))


@lru_cache(maxsize=1024)
def _public_key(public_key: str) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(unb64(public_key))


def sign(event_id: UUID, ticket_no: str, private_key: str) -> str:
    raw_no = unb64(ticket_no)
    signature = _private_key(private_key).sign(_message(event_id, raw_no))
    return PREFIX + base64.b32encode(raw_no + signature).decode().rstrip("=")


def parse(code: str) -> tuple[str, bytes] | None:
    """(ticket_no, signature) of a well-formed code, else None. Does not verify."""
    code = code.strip().upper()
    if not code.startswith(PREFIX) or len(code) > 200:
        return None
    body = code[len(PREFIX) :]
    try:
        raw = base64.b32decode(body + "=" * (-len(body) % 8))
    except (binascii.Error, ValueError):
        return None
    if len(raw) != TICKET_NO_BYTES + SIGNATURE_BYTES:
        return None
    return b64(raw[:TICKET_NO_BYTES]), raw[TICKET_NO_BYTES:]


MANUAL_PREFIX = "ticket_no:"


def manual_ticket_no(secret: str) -> str | None:
    """The ticket number of a check-in by name (`ticket_no:<ticket_no>` from checkin-data).

    Only door tokens and organisers can check in, and they have every ticket number of their
    event anyway, so this gives nobody more than the attendee list already does.
    """
    text = secret.strip()
    if not text.startswith(MANUAL_PREFIX):
        return None
    ticket_no = text[len(MANUAL_PREFIX) :]
    allowed = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    if len(ticket_no) != 12 or not set(ticket_no) <= allowed:
        return None
    return ticket_no


def verify(event_id: UUID, ticket_no: str, signature: bytes, public_key: str) -> bool:
    try:
        _public_key(public_key).verify(signature, _message(event_id, unb64(ticket_no)))
    except (InvalidSignature, ValueError):
        return False
    return True
