"""Rows of the accounts domain as they leave `accounts/queries.py` (frozen msgspec Structs,
ids as `UUID`, times as aware `datetime`, the role as `OrganiserRole`)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec

from accounts.statuses import OrganiserRole


class OrganiserRow(msgspec.Struct, frozen=True):
    id: UUID
    email: str
    name: str
    role: OrganiserRole
    language: str
    active: bool
    created_at: datetime


class OwnerRow(msgspec.Struct, frozen=True):
    """The organiser behind a token or a session (`token_id` only for tokens)."""

    organiser_id: UUID
    email: str
    role: OrganiserRole
    active: bool
    token_id: UUID | None = None


class TokenRow(msgspec.Struct, frozen=True):
    id: UUID
    organiser: UUID
    token_hash: str
    label: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class SignInLinkRow(msgspec.Struct, frozen=True):
    id: UUID
    organiser: UUID
    token_hash: str
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None
