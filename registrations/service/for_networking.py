"""What the networking domain reads and asks of registrations."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from events import topics
from registrations import queries
from registrations.service._common import _uuid
from registrations.service.links import _new_manage_token, manage_url


async def networking_profiles(event_id: UUID | str) -> list[dict[str, Any]]:
    """Attendees of an event who agreed to networking (and have not cancelled)."""
    rows = await queries.of_event(_uuid(event_id), ["confirmed", "waitlisted"])
    return [r for r in rows if r["networking_consent"] and r["erased_at"] is None]


async def new_manage_link(reg: dict[str, Any]) -> str:
    """A fresh manage link for a mail (inside the caller's transaction)."""
    return manage_url(await _new_manage_token(_uuid(reg["id"])))


async def registration(registration_id: UUID | str) -> dict[str, Any] | None:
    return await queries.by_id(_uuid(registration_id))


async def topic_demand(
    municipality_id: UUID | None, starts_from: datetime, starts_before: datetime
) -> tuple[dict[str, set[str]], dict[str, set[str]], int]:
    """Who (by email) needs and offers each topic, over events in a period; people counted."""
    rows = await queries.needs_and_offers(municipality_id, starts_from, starts_before)
    needs: dict[str, set[str]] = {}
    offers: dict[str, set[str]] = {}
    people: set[str] = set()
    for r in rows:
        people.add(r["email"])
        for slug in topics.decode(r["needs"]):
            needs.setdefault(slug, set()).add(r["email"])
        for slug in topics.decode(r["offers"]):
            offers.setdefault(slug, set()).add(r["email"])
    return needs, offers, len(people)
