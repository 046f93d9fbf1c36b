"""What the networking domain reads and asks of registrations."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from events import topics
from registrations import queries
from registrations.queries import RegistrationRow
from registrations.service.links import _new_manage_token, manage_url
from registrations.service.retention import person_key
from registrations.statuses import RegistrationStatus


async def networking_profiles(event_id: UUID) -> list[RegistrationRow]:
    """Attendees of an event who agreed to networking (and have not cancelled)."""
    active = [RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED]
    rows = await queries.of_event(event_id, active)
    return [r for r in rows if r.networking_consent and r.erased_at is None]


async def new_manage_link(reg: RegistrationRow) -> str:
    """A fresh manage link for a mail (inside the caller's transaction)."""
    return manage_url(await _new_manage_token(reg.id))


async def registration(registration_id: UUID) -> RegistrationRow | None:
    return await queries.by_id(registration_id)


async def topic_demand(
    municipality_id: UUID | None, starts_from: datetime, starts_before: datetime
) -> tuple[dict[str, set[str]], dict[str, set[str]], int]:
    """Who (by email) needs and offers each topic, over events in a period; people counted."""
    rows = await queries.needs_and_offers(municipality_id, starts_from, starts_before)
    needs: dict[str, set[str]] = {}
    offers: dict[str, set[str]] = {}
    people: set[str] = set()
    for r in rows:
        # By the key retention leaves (service/retention.py): one person over old and new
        # events alike, before and after their old registrations are anonymised.
        person = person_key(r.email)
        people.add(person)
        for slug in topics.decode(r.needs):
            needs.setdefault(slug, set()).add(person)
        for slug in topics.decode(r.offers):
            offers.setdefault(slug, set()).add(person)
    return needs, offers, len(people)
