"""Registrations' ticked needs as `traffpunkt.needs.NeedSignal`s (the planning page's second
source beside the survey)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from events import topics
from registrations import queries
from traffpunkt.needs import NeedKind, NeedSignal, NeedSource


def company_key(organisation: str, registration_id: UUID) -> str:
    """Distinct companies are counted by their organisation's name as people write it, folded
    (case, spaces, a trailing "AB"); someone who gave none counts as themselves."""
    words = organisation.casefold().replace(".", " ").replace(",", " ").split()
    if words and words[-1] == "ab":
        words = words[:-1]
    if words and words[0] == "ab":
        words = words[1:]
    return "org:" + " ".join(words) if words else f"registration:{registration_id}"


async def need_signals(
    municipalities: Sequence[UUID] | None, start: datetime, end: datetime
) -> list[NeedSignal]:
    """Needs ticked by registrations made in [start, end) (UTC) for events in the
    municipalities named (all when None); cancelled and erased registrations never count.
    A ticked need has no urgency: it counts as 2 (within the year)."""
    rows = await queries.registration_needs(
        list(municipalities) if municipalities is not None else None, start, end
    )
    return [
        NeedSignal(
            source=NeedSource.REGISTRATION,
            municipality=row.municipality,
            topic=topic,
            kind=NeedKind.NEED,
            company=company_key(row.organisation, row.id),
            at=row.created_at,
        )
        for row in rows
        for topic in topics.decode(row.needs)
    ]
