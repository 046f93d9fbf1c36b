"""Organisers and their credentials: sign-in by mailed link, sessions, API tokens, the
organiser list and who is active.

No passwords. A sign-in link is random (256 bits), stored hashed, single use and valid for
20 minutes; it is consumed by a POST (mail scanners that open links must not use it up). The
session cookie holds another random secret, also stored hashed; sessions last 12 hours. API
tokens are shown once and stored hashed (`traffpunkt.auth.hash_secret`).

The Principals made here carry no municipalities: which municipalities an organiser manages is
a fact about municipalities, kept by `events` (`events.organisers.with_rights`). The sign-in
mail leaves through `traffpunkt.hooks.sign_in_requested` (notifications puts it in the outbox),
so this lowest domain imports no other.
"""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID, uuid4

from accounts import queries
from accounts.schemas import OrganiserLine, SignInMail, TokenLine
from accounts.statuses import OrganiserRole
from traffpunkt import addresses, db, hooks, limits
from traffpunkt.auth import Principal, hash_secret, new_secret
from traffpunkt.clock import utc_now
from traffpunkt.errors import Invalid, NotFound
from traffpunkt.ids import parse_id
from traffpunkt.settings import current_settings

SIGN_IN_VALID = timedelta(minutes=20)
SESSION_VALID = timedelta(hours=12)
_LONGEST_SECRET = 200  # anything longer is not one of ours: no lookup


# --- sign-in and sessions ---------------------------------------------------------------------


async def request_sign_in(email: str, *, by_admin: bool = False) -> None:
    """Mail a sign-in link if the address belongs to an active organiser.

    The answer is the same either way, so the form does not reveal who is an organiser. Abuse
    limits are counted before the address is looked up, so they reveal nothing either: too
    many requests from one client get a 429 whatever the address; too many links for one
    address are quietly not mailed (the page says what it always says).
    """
    email = addresses.checked(email)
    client = None if by_admin else limits.client_address()  # an admin inviting organisers
    if await limits.enforce(
        [("signin_per_client", client), ("signin_per_address", email)],
        quiet=("signin_per_address",),
    ):
        return
    row = await queries.organiser_by_email(email)
    if row is None or not row.active:
        return
    token = new_secret()
    now = utc_now()
    async with db.transaction():
        await queries.insert_sign_in_link(
            {
                "id": uuid4(),
                "organiser": row.id,
                "token_hash": hash_secret(token),
                "created_at": now,
                "expires_at": now + SIGN_IN_VALID,
            }
        )
        await hooks.sign_in_requested(
            SignInMail(
                to=email,
                name=row.name,
                language=row.language,
                url=f"{current_settings().base_url}/organiser/sign-in/{token}",
            )
        )


async def sign_in_link_valid(token: str) -> bool:
    row = await queries.sign_in_link(hash_secret(token))
    if row is None:
        await limits.token_miss()
    return row is not None and row.used_at is None and row.expires_at > utc_now()


async def sign_in(token: str) -> str:
    """Use a sign-in link once; returns a new session secret for the cookie."""
    now = utc_now()
    async with db.transaction():
        organiser = await queries.use_sign_in_link(hash_secret(token), now)
        if organiser is None:
            raise NotFound("This sign-in link is not valid any more. Ask for a new one")
        session = new_secret()
        await queries.insert_session(
            {
                "id": uuid4(),
                "organiser": organiser,
                "token_hash": hash_secret(session),
                "created_at": now,
                "expires_at": now + SESSION_VALID,
            }
        )
    return session


async def session_organiser(session: str | None) -> Principal | None:
    """The active organiser of a browser session (without municipalities), or None."""
    if not session or len(session) > _LONGEST_SECRET:
        return None
    row = await queries.session_owner(hash_secret(session), utc_now())
    if row is None or not row.active:
        return None
    return Principal(row.organiser_id, row.email, row.role)


async def sign_out(session: str) -> None:
    async with db.transaction():
        await queries.end_session(hash_secret(session), utc_now())


# --- API tokens -------------------------------------------------------------------------------


async def token_organiser(token: str) -> Principal | None:
    """The active organiser behind an unrevoked API token (without municipalities), or None."""
    if len(token) > _LONGEST_SECRET:
        return None
    owner = await queries.token_owner(hash_secret(token))
    if owner is None or not owner.active:
        return None
    return Principal(owner.organiser_id, owner.email, owner.role)


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
    """Organisers revoke their own tokens; admins anyone's."""
    async with db.transaction():
        n = await queries.revoke_token(
            parse_id(token_id), None if actor.is_admin else actor.organiser_id, utc_now()
        )
    if n == 0:
        raise NotFound("No such token")


async def my_tokens(actor: Principal) -> list[TokenLine]:
    rows = await queries.tokens_of(actor.organiser_id)
    return [TokenLine(str(r.id), r.label, r.created_at, r.revoked_at) for r in rows]


# --- organisers -------------------------------------------------------------------------------


def check_role(role: str) -> OrganiserRole:
    """The role a client named (a form, the CLI), or 422."""
    try:
        return OrganiserRole(role)
    except ValueError:
        raise Invalid.field("role", "Role must be admin or organiser") from None


async def ensure_organiser(email: str, role: str, name: str = "") -> UUID:
    """Create the organiser if needed (or raise their role to admin); their id."""
    role = check_role(role)
    email = addresses.checked(email)
    async with db.transaction():
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
            return organiser_id
        organiser_id = existing.id
        if role == OrganiserRole.ADMIN and existing.role != OrganiserRole.ADMIN:
            await queries.update_organiser(organiser_id, {"role": OrganiserRole.ADMIN})
    return organiser_id


async def organisers(actor: Principal) -> list[OrganiserLine]:
    actor.require_admin()
    return [
        OrganiserLine(str(p.id), p.email, p.name, p.role, p.active)
        for p in await queries.organisers()
    ]


async def set_active(actor: Principal, organiser_id: str, active: bool) -> None:
    """(De)activate an organiser; deactivating ends their sessions at once (their tokens stop
    working too: a token's owner must be active). Call inside the caller's transaction to
    record it in the same one."""
    actor.require_admin()
    if str(actor.organiser_id) == organiser_id and not active:
        raise Invalid.field("active", "You cannot deactivate yourself")
    target = UUID(organiser_id)  # a malformed id is a ValueError, as the page expects
    async with db.transaction():
        if not await queries.update_organiser(target, {"active": active}):
            raise NotFound("No such organiser")
        if not active:
            await queries.end_sessions_of(target, utc_now())
