"""Organisers on the web: sign-in by mailed link, sessions, the admin's organiser list, API
tokens from the browser, and the audit log of organiser actions.

No passwords. A sign-in link is random (256 bits), stored hashed, single use and valid for
20 minutes; it is consumed by a POST (mail scanners that open links must not use it up). The
session cookie holds another random secret, also stored hashed; sessions last 12 hours.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID, uuid4

from events import audit, queries
from events import service as events_service
from events.tables import ApiToken, Organiser, OrganiserMunicipality, SignInLink, WebSession
from traffpunkt import addresses, db, limits
from traffpunkt.auth import Principal, hash_secret, new_secret
from traffpunkt.clock import utc_now
from traffpunkt.errors import Forbidden, Invalid, NotFound
from traffpunkt.settings import get_settings

SIGN_IN_VALID = timedelta(minutes=20)
SESSION_VALID = timedelta(hours=12)


async def request_sign_in(email: str, *, by_admin: bool = False) -> None:
    """Mail a sign-in link if the address belongs to an active organiser.

    The answer is the same either way, so the form does not reveal who is an organiser. Abuse
    limits are counted before the address is looked up, so they reveal nothing either: too
    many requests from one client get a 429 whatever the address; too many links for one
    address are quietly not mailed (the page says what it always says).
    """
    from notifications import service as mail

    email = addresses.checked(email)
    client = None if by_admin else limits.client_address()  # an admin inviting organisers
    if await limits.enforce(
        [("signin_per_client", client), ("signin_per_address", email)],
        quiet=("signin_per_address",),
    ):
        return
    row = await queries.organiser_by_email(email)
    if row is None or not row["active"]:
        return
    token = new_secret()
    now = utc_now()
    async with db.transaction():
        await SignInLink.insert(
            SignInLink(
                id=uuid4(),
                organiser=row["id"],
                token_hash=hash_secret(token),
                created_at=now,
                expires_at=now + SIGN_IN_VALID,
            )
        )
        await mail.enqueue(
            "sign_in",
            to=email,
            name=row["name"],
            language=row["language"],
            event_id=None,
            secrets={"sign_in_url": f"{get_settings().base_url}/organiser/sign-in/{token}"},
        )


async def sign_in_link_valid(token: str) -> bool:
    row = await SignInLink.select().where(SignInLink.token_hash == hash_secret(token)).first()
    if row is None:
        await limits.token_miss()
    return row is not None and row["used_at"] is None and row["expires_at"] > utc_now()


async def sign_in(token: str) -> str:
    """Use a sign-in link once; returns a new session secret for the cookie."""
    now = utc_now()
    async with db.transaction():
        used = (
            await SignInLink.update({SignInLink.used_at: now})
            .where(
                (SignInLink.token_hash == hash_secret(token))
                & SignInLink.used_at.is_null()
                & (SignInLink.expires_at > now)
            )
            .returning(SignInLink.organiser)
        )
        if not used:
            raise NotFound("This sign-in link is not valid any more. Ask for a new one")
        session = new_secret()
        await WebSession.insert(
            WebSession(
                id=uuid4(),
                organiser=used[0]["organiser"],
                token_hash=hash_secret(session),
                created_at=now,
                expires_at=now + SESSION_VALID,
            )
        )
    return session


async def session_principal(session: str | None) -> Principal | None:
    if not session or len(session) > 200:
        return None
    row = (
        await WebSession.select(
            WebSession.organiser.id.as_alias("organiser_id"),
            WebSession.organiser.email.as_alias("email"),
            WebSession.organiser.role.as_alias("role"),
            WebSession.organiser.active.as_alias("active"),
        )
        .where(
            (WebSession.token_hash == hash_secret(session))
            & WebSession.ended_at.is_null()
            & (WebSession.expires_at > utc_now())
        )
        .first()
    )
    if row is None or not row["active"]:
        return None
    organiser_id = UUID(str(row["organiser_id"]))
    municipalities = await queries.organiser_municipality_ids(organiser_id)
    return Principal(organiser_id, row["email"], row["role"], frozenset(municipalities))


async def sign_out(session: str) -> None:
    async with db.transaction():
        await WebSession.update({WebSession.ended_at: utc_now()}).where(
            WebSession.token_hash == hash_secret(session)
        )


# --- the audit log ---------------------------------------------------------------------------


async def event_audit(actor: Principal, event_id: str) -> list[audit.AuditLine]:
    row = await events_service.event_for_organiser(actor, event_id)
    return await audit.of_event(UUID(str(row["id"])))


# --- organisers and their tokens, for the admin pages -----------------------------------------


@dataclass(frozen=True, slots=True)
class OrganiserLine:
    id: str
    email: str
    name: str
    role: str
    active: bool
    municipalities: list[str]


async def organisers(actor: Principal) -> list[OrganiserLine]:
    actor.require_admin()
    people = await Organiser.select().order_by(Organiser.email)
    links = await OrganiserMunicipality.select(
        OrganiserMunicipality.organiser, OrganiserMunicipality.municipality.slug.as_alias("slug")
    )
    by_person: dict[str, list[str]] = {}
    for link in links:
        by_person.setdefault(str(link["organiser"]), []).append(link["slug"])
    return [
        OrganiserLine(
            str(p["id"]),
            p["email"],
            p["name"],
            p["role"],
            p["active"],
            sorted(by_person.get(str(p["id"]), [])),
        )
        for p in people
    ]


async def invite_organiser(
    actor: Principal, email: str, name: str, role: str, municipality: str | None
) -> None:
    actor.require_admin()
    await events_service.ensure_organiser(email, role, municipality or None, name=name)
    await request_sign_in(email, by_admin=True)


async def set_active(actor: Principal, organiser_id: str, active: bool) -> None:
    actor.require_admin()
    if str(actor.organiser_id) == organiser_id and not active:
        raise Invalid.field("active", "You cannot deactivate yourself")
    async with db.transaction():
        rows = (
            await Organiser.update({Organiser.active: active})
            .where(Organiser.id == UUID(organiser_id))
            .returning(Organiser.id)
        )
        if not rows:
            raise NotFound("No such organiser")
        if not active:  # end their sessions and tokens at once
            await WebSession.update({WebSession.ended_at: utc_now()}).where(
                (WebSession.organiser == UUID(organiser_id)) & WebSession.ended_at.is_null()
            )
        await audit.record(
            actor, "organiser.activated" if active else "organiser.deactivated", detail=organiser_id
        )


@dataclass(frozen=True, slots=True)
class TokenLine:
    id: str
    label: str
    created_at: datetime
    revoked_at: datetime | None


async def my_tokens(actor: Principal) -> list[TokenLine]:
    rows = (
        await ApiToken.select()
        .where(ApiToken.organiser == actor.organiser_id)
        .order_by(ApiToken.created_at, ascending=False)
    )
    return [TokenLine(str(r["id"]), r["label"], r["created_at"], r["revoked_at"]) for r in rows]


async def require_admin_or_self(actor: Principal, organiser_id: UUID) -> None:
    if not actor.is_admin and actor.organiser_id != organiser_id:
        raise Forbidden("This needs an administrator")
