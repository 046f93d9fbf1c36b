"""Who is calling: organiser API tokens, browser sessions and door tokens.

`Principal` lives here, in the shell, not in `accounts`: every domain and the guards of every
route hand it around, and the shell (these guards) must not import a domain.

Tokens are 256 bits from `secrets`, shown once, stored as SHA-256 (a fast hash is right for
random secrets of that size: there is nothing to brute-force). Rights are checked by the domain
services with the `Principal` this module hands them.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypeVar
from uuid import UUID

from litestar.connection import ASGIConnection

from traffpunkt import limits
from traffpunkt.errors import Forbidden, Unauthorized

TOKEN_BYTES = 32  # 256 bits; docs/api.md asks for at least 128


def new_secret() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class OrganiserRole(StrEnum):
    """What an organiser may do (accounts.statuses re-exports it; see there why it is here)."""

    ADMIN = "admin"  # everything, every municipality
    ORGANISER = "organiser"  # the municipalities they were given


@dataclass(frozen=True, slots=True)
class Principal:
    organiser_id: UUID
    email: str
    role: OrganiserRole
    municipality_ids: frozenset[UUID] = field(default_factory=frozenset)

    @property
    def is_admin(self) -> bool:
        return self.role == OrganiserRole.ADMIN

    def require_admin(self) -> None:
        if not self.is_admin:
            raise Forbidden("This needs an administrator")

    def can_manage(self, municipality_id: UUID) -> bool:
        return self.is_admin or municipality_id in self.municipality_ids

    def require_municipality(self, municipality_id: UUID) -> None:
        if not self.can_manage(municipality_id):
            raise Forbidden("You are not an organiser for this municipality")


@dataclass(frozen=True, slots=True)
class DoorPrincipal:
    """A helper's phone at the door: may check people in to one event, nothing else."""

    event_id: UUID
    token_id: UUID


def bearer_token(connection: ASGIConnection[Any, Any, Any, Any]) -> str | None:
    header = connection.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


# Who is behind a secret: the app factory registers the domains' lookups (`traffpunkt.app.wire`),
# so this module imports no domain. Organisers' lookups complete the Principal with the
# municipalities they manage; door tokens belong to registrations.
R = TypeVar("R")
TokenResolver = Callable[[str], Awaitable["Principal | DoorPrincipal | None"]]
SessionResolver = Callable[[str | None], Awaitable["Principal | None"]]


@dataclass(slots=True)
class _Resolvers:
    organiser_token: TokenResolver | None = None
    door_token: TokenResolver | None = None
    session: SessionResolver | None = None


_resolvers = _Resolvers()


def provide_resolvers(
    *, organiser_token: TokenResolver, door_token: TokenResolver, session: SessionResolver
) -> None:
    _resolvers.organiser_token = organiser_token
    _resolvers.door_token = door_token
    _resolvers.session = session


def _wired(resolver: R | None) -> R:
    if resolver is None:  # a missing lookup must not look like "unknown token"
        raise RuntimeError("no token resolvers are wired (traffpunkt.app.wire)")
    return resolver


async def _resolve(token: str, door_first: bool = False) -> Principal | DoorPrincipal | None:
    organiser, door = _wired(_resolvers.organiser_token), _wired(_resolvers.door_token)
    if door_first:
        return await door(token) or await organiser(token)
    return await organiser(token) or await door(token)


async def optional_organiser(request: ASGIConnection[Any, Any, Any, Any]) -> Principal | None:
    """The organiser behind the bearer token, None without one; a bad token is still a 401."""
    token = bearer_token(request)
    if token is None:
        return None
    principal = await _resolve(token)
    if principal is None:
        await limits.token_miss()  # 429 instead, after too many misses from this client
        raise Unauthorized("The API token is not valid (unknown, revoked or malformed)")
    if isinstance(principal, DoorPrincipal):
        raise Forbidden("A door token may only check people in")
    return principal


async def require_checkin_actor(
    request: ASGIConnection[Any, Any, Any, Any],
) -> Principal | DoorPrincipal:
    """An organiser or a door token (which services then hold to its one event)."""
    token = bearer_token(request)
    if token is None:
        raise Unauthorized("This needs a door token or an organiser's API token")
    # Door tokens first: scans at the door come with door tokens, so this saves the organiser
    # token lookup (a miss) on every scan. Same result either way: both kinds are random
    # 256-bit secrets, so a token is never both.
    principal = await _resolve(token, door_first=True)
    if principal is None:
        await limits.token_miss()
        raise Unauthorized("The token is not valid (unknown, revoked, expired or malformed)")
    return principal


async def require_organiser(request: ASGIConnection[Any, Any, Any, Any]) -> Principal:
    principal = await optional_organiser(request)
    if principal is None:
        raise Unauthorized("This needs an organiser's API token (Authorization: Bearer …)")
    return principal


# --- organisers in the browser ---------------------------------------------------------------

SESSION_COOKIE = "tp_session"


class SignInRequired(Exception):
    """Raised by organiser pages without a valid session: the app redirects to sign-in."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


async def web_organiser(request: ASGIConnection[Any, Any, Any, Any]) -> Principal:
    """The organiser signed in with this browser, or SignInRequired."""
    principal = await _wired(_resolvers.session)(request.cookies.get(SESSION_COOKIE))
    if principal is None:
        raise SignInRequired(request.url.path)
    return principal
