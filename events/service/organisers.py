"""Organisers and their API tokens, and the audit log of what they do."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

from events import audit, queries
from events.service._common import _uuid
from traffpunkt import addresses, db
from traffpunkt.auth import Principal, hash_secret, new_secret
from traffpunkt.clock import utc_now
from traffpunkt.errors import Invalid, NotFound

ROLES = ("admin", "organiser")


async def record_action(
    actor: Principal, action: str, event_id: Any = None, detail: str = ""
) -> None:
    """Other domains log organiser actions here (inside their transaction)."""
    await audit.record(actor, action, event_id, detail)


async def authenticate(token: str) -> Principal | None:
    if len(token) > 200:
        return None
    owner = await queries.token_owner(hash_secret(token))
    if owner is None or not owner["active"]:
        return None
    organiser_id = _uuid(owner["organiser_id"])
    municipalities = await queries.organiser_municipality_ids(organiser_id)
    return Principal(organiser_id, owner["email"], owner["role"], frozenset(municipalities))


async def ensure_organiser(
    email: str, role: str, municipality: str | None = None, name: str = ""
) -> UUID:
    """Create the organiser if needed (or raise their role), and give them a municipality."""
    if role not in ROLES:
        raise Invalid.field("role", "Role must be admin or organiser")
    email = addresses.checked(email)
    async with db.transaction():
        municipality_row = None
        if municipality:
            municipality_row = await queries.municipality_by_slug_or_id(municipality)
            if municipality_row is None:
                raise Invalid.field(
                    "municipality", "No municipality called {key}", key=municipality
                )
        elif role == "organiser":
            raise Invalid.field("municipality", "An organiser needs a municipality")
        existing = await queries.organiser_by_email(email)
        if existing is None:
            organiser_id = uuid4()
            await queries.insert_organiser(
                {
                    "id": organiser_id,
                    "email": email,
                    "name": name,
                    "role": role,
                    "created_at": utc_now(),
                }
            )
        else:
            organiser_id = _uuid(existing["id"])
            if role == "admin" and existing["role"] != "admin":
                await queries.update_organiser(organiser_id, {"role": "admin"})
        if municipality_row is not None:
            await queries.add_organiser_municipality(organiser_id, _uuid(municipality_row["id"]))
    return organiser_id


async def create_token(organiser_id: UUID, label: str = "") -> tuple[UUID, str]:
    """A new API token for the organiser: (token id, the token itself, shown once)."""
    token = new_secret()
    token_id = uuid4()
    async with db.transaction():
        await queries.insert_token(
            {
                "id": token_id,
                "organiser": organiser_id,
                "token_hash": hash_secret(token),
                "label": label[:200],
                "created_at": utc_now(),
            }
        )
    return token_id, token


async def revoke_token(actor: Principal, token_id: str) -> None:
    async with db.transaction():
        n = await queries.revoke_token(
            _uuid(token_id, what="token"), None if actor.is_admin else actor.organiser_id, utc_now()
        )
    if n == 0:
        raise NotFound("No such token")
