"""All database queries of the accounts domain. Rows come back typed (`accounts/rows.py`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from accounts.rows import OrganiserRow, OwnerRow, SignInLinkRow, TokenRow
from accounts.tables import ApiToken, Organiser, SignInLink, WebSession
from traffpunkt.db import prepared, row_of, rows_of

# --- organisers ----------------------------------------------------------------------------


async def organiser_by_email(email: str) -> OrganiserRow | None:
    return row_of(await Organiser.select().where(Organiser.email == email).first(), OrganiserRow)


async def organisers() -> list[OrganiserRow]:
    return rows_of(await Organiser.select().order_by(Organiser.email), OrganiserRow)


async def insert_organiser(values: dict[str, Any]) -> None:
    await Organiser.insert(Organiser(**values))


async def update_organiser(organiser_id: UUID, values: dict[str, Any]) -> int:
    """The number of organisers changed (0 or 1)."""
    rows = (
        await Organiser.update({getattr(Organiser, k): v for k, v in values.items()})
        .where(Organiser.id == organiser_id)
        .returning(Organiser.id)
    )
    return len(rows)


# --- API tokens ----------------------------------------------------------------------------


async def insert_token(values: dict[str, Any]) -> None:
    await ApiToken.insert(ApiToken(**values))


_token_owner = prepared(
    lambda h: (
        ApiToken.select(
            ApiToken.id.as_alias("token_id"),
            ApiToken.organiser.id.as_alias("organiser_id"),
            ApiToken.organiser.email.as_alias("email"),
            ApiToken.organiser.role.as_alias("role"),
            ApiToken.organiser.active.as_alias("active"),
        )
        .where((ApiToken.token_hash == h) & (ApiToken.revoked_at.is_null()))
        .first()
    ),
    first=True,
)


async def token_owner(token_hash: str) -> OwnerRow | None:
    """The organiser behind an unrevoked token, with the token's id."""
    return row_of(await _token_owner(token_hash), OwnerRow)


async def tokens_of(organiser_id: UUID) -> list[TokenRow]:
    rows = (
        await ApiToken.select()
        .where(ApiToken.organiser == organiser_id)
        .order_by(ApiToken.created_at, ascending=False)
    )
    return rows_of(rows, TokenRow)


async def revoke_token(token_id: UUID, organiser_id: UUID | None, at: datetime) -> int:
    where: Any = (ApiToken.id == token_id) & ApiToken.revoked_at.is_null()
    if organiser_id is not None:
        where &= ApiToken.organiser == organiser_id
    rows = await ApiToken.update({ApiToken.revoked_at: at}).where(where).returning(ApiToken.id)
    return len(rows)


# --- sign-in links and sessions ------------------------------------------------------------


async def insert_sign_in_link(values: dict[str, Any]) -> None:
    await SignInLink.insert(SignInLink(**values))


async def sign_in_link(token_hash: str) -> SignInLinkRow | None:
    row = await SignInLink.select().where(SignInLink.token_hash == token_hash).first()
    return row_of(row, SignInLinkRow)


async def use_sign_in_link(token_hash: str, now: datetime) -> UUID | None:
    """Mark an unused, unexpired link used (one statement: used once even when raced); its
    organiser, or None."""
    used = (
        await SignInLink.update({SignInLink.used_at: now})
        .where(
            (SignInLink.token_hash == token_hash)
            & SignInLink.used_at.is_null()
            & (SignInLink.expires_at > now)
        )
        .returning(SignInLink.organiser)
    )
    organiser: UUID | None = used[0]["organiser"] if used else None
    return organiser


async def insert_session(values: dict[str, Any]) -> None:
    await WebSession.insert(WebSession(**values))


async def session_owner(token_hash: str, now: datetime) -> OwnerRow | None:
    row = (
        await WebSession.select(
            WebSession.organiser.id.as_alias("organiser_id"),
            WebSession.organiser.email.as_alias("email"),
            WebSession.organiser.role.as_alias("role"),
            WebSession.organiser.active.as_alias("active"),
        )
        .where(
            (WebSession.token_hash == token_hash)
            & WebSession.ended_at.is_null()
            & (WebSession.expires_at > now)
        )
        .first()
    )
    return row_of(row, OwnerRow)


async def end_session(token_hash: str, at: datetime) -> None:
    await WebSession.update({WebSession.ended_at: at}).where(WebSession.token_hash == token_hash)


async def end_sessions_of(organiser_id: UUID, at: datetime) -> None:
    await WebSession.update({WebSession.ended_at: at}).where(
        (WebSession.organiser == organiser_id) & WebSession.ended_at.is_null()
    )
