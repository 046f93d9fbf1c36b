"""Types the accounts domain hands to others."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from accounts.statuses import OrganiserRole


@dataclass(frozen=True, slots=True)
class SignInMail:
    """A sign-in link to mail (announced through `traffpunkt.hooks.sign_in_requested`, inside
    the transaction that stores the link; notifications puts it in the outbox)."""

    to: str
    name: str
    language: str
    url: str


@dataclass(frozen=True, slots=True)
class OrganiserLine:
    id: str
    email: str
    name: str
    role: OrganiserRole
    active: bool


@dataclass(frozen=True, slots=True)
class TokenLine:
    id: str
    label: str
    created_at: datetime
    revoked_at: datetime | None
