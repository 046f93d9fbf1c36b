"""Tables of the accounts domain. All times are `Timestamptz` (UTC on both engines).

Registered in the `events` Piccolo app, whose migrations created them (see
`accounts/piccolo_app.py`): moving the classes here changed no table.
"""

from __future__ import annotations

from piccolo.columns import UUID, Boolean, ForeignKey, OnDelete, Timestamptz, Varchar
from piccolo.table import Table

from accounts.statuses import OrganiserRole


class Organiser(Table, tablename="organiser"):
    """A person who runs events: `admin` (everything) or `organiser` (own municipalities)."""

    id = UUID(primary_key=True)
    email = Varchar(length=320, unique=True)
    name = Varchar(length=200, default="")
    role = Varchar(length=16, default=OrganiserRole.ORGANISER)
    language = Varchar(length=2, default="sv")
    active = Boolean(default=True)
    created_at = Timestamptz()


class ApiToken(Table, tablename="api_token"):
    """Organiser API tokens: shown once, stored as a SHA-256 hash, revocable."""

    id = UUID(primary_key=True)
    organiser = ForeignKey(Organiser, on_delete=OnDelete.cascade, index=True, null=False)
    token_hash = Varchar(length=64, unique=True)
    label = Varchar(length=200, default="")
    created_at = Timestamptz()
    last_used_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)


class SignInLink(Table, tablename="sign_in_link"):
    """A mailed, single-use sign-in link for the organiser web (no passwords)."""

    id = UUID(primary_key=True)
    organiser = ForeignKey(Organiser, on_delete=OnDelete.cascade, index=True, null=False)
    token_hash = Varchar(length=64, unique=True)
    created_at = Timestamptz()
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)


class WebSession(Table, tablename="web_session"):
    """An organiser's browser session; the cookie holds the secret, the table its hash."""

    id = UUID(primary_key=True)
    organiser = ForeignKey(Organiser, on_delete=OnDelete.cascade, index=True, null=False)
    token_hash = Varchar(length=64, unique=True)
    created_at = Timestamptz()
    expires_at = Timestamptz()
    ended_at = Timestamptz(null=True, default=None)
