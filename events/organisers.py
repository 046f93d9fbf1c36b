"""Organisers as the events domain sees them: which municipalities each may manage, and the
admin's organiser list (people from `accounts`, their municipalities from here).

`accounts` knows who someone is; the link to municipalities names a municipality, so it lives
here, and every Principal the app hands to a service is completed by `with_rights` (the app
factory registers `authenticate` and `session_principal` as the lookups of `traffpunkt.auth`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from uuid import UUID

from accounts import service as accounts
from accounts.statuses import OrganiserRole
from events import audit, queries
from events import service as events_service
from traffpunkt import db
from traffpunkt.auth import Principal
from traffpunkt.errors import Invalid


async def with_rights(principal: Principal | None) -> Principal | None:
    """The Principal with the municipalities its organiser manages."""
    if principal is None:
        return None
    municipalities = await queries.organiser_municipality_ids(principal.organiser_id)
    return replace(principal, municipality_ids=frozenset(municipalities))


async def authenticate(token: str) -> Principal | None:
    """The organiser behind an API token, with their municipalities."""
    return await with_rights(await accounts.token_organiser(token))


async def session_principal(session: str | None) -> Principal | None:
    """The organiser of a browser session, with their municipalities."""
    return await with_rights(await accounts.session_organiser(session))


async def ensure_organiser(
    email: str, role: str, municipality: str | None = None, name: str = ""
) -> UUID:
    """Create the organiser if needed (or raise their role), and give them a municipality."""
    checked = accounts.check_role(role)
    async with db.transaction():
        municipality_row = None
        if municipality:
            municipality_row = await queries.municipality_by_slug_or_id(municipality)
            if municipality_row is None:
                raise Invalid.field(
                    "municipality", "No municipality called {key}", key=municipality
                )
        elif checked == OrganiserRole.ORGANISER:
            raise Invalid.field("municipality", "An organiser needs a municipality")
        organiser_id = await accounts.ensure_organiser(email, role, name=name)
        if municipality_row is not None:
            await queries.add_organiser_municipality(organiser_id, municipality_row.id)
    return organiser_id


@dataclass(frozen=True, slots=True)
class OrganiserLine:
    id: str
    email: str
    name: str
    role: str
    active: bool
    municipalities: list[str]  # slugs


async def organisers(actor: Principal) -> list[OrganiserLine]:
    """Every organiser with the municipalities they manage (admins only)."""
    people = await accounts.organisers(actor)
    slugs = await queries.organiser_municipality_slugs()
    return [
        OrganiserLine(p.id, p.email, p.name, p.role, p.active, sorted(slugs.get(p.id, [])))
        for p in people
    ]


async def invite_organiser(
    actor: Principal, email: str, name: str, role: str, municipality: str | None
) -> None:
    actor.require_admin()
    await ensure_organiser(email, role, municipality or None, name=name)
    await accounts.request_sign_in(email, by_admin=True)


async def set_active(actor: Principal, organiser_id: str, active: bool) -> None:
    """(De)activate an organiser and write it in the audit log, in one transaction."""
    async with db.transaction():
        await accounts.set_active(actor, organiser_id, active)
        await audit.record(
            actor, "organiser.activated" if active else "organiser.deactivated", detail=organiser_id
        )


async def event_audit(actor: Principal, event_id: str) -> list[audit.AuditLine]:
    row = await events_service.event_for_organiser(actor, event_id)
    return await audit.of_event(row.id)
