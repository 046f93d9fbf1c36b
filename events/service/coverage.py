"""Which topics events already cover where (the planning page's "minus what is held"), and
which venues and municipalities are taken on which days (the seminar tour's "free that day")."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from uuid import UUID

import msgspec

from events import queries, topics
from traffpunkt.localtime import to_local


class TopicCoverage(msgspec.Struct, frozen=True, kw_only=True):
    """Events on a topic in a municipality: the last one that started before `now` and the
    first one starting from `now` on (drafts count as planned; cancelled ones never)."""

    municipality: UUID
    topic: str
    last_held: datetime | None = None
    next_planned: datetime | None = None


async def topic_coverage(
    municipalities: Sequence[UUID] | None, now: datetime
) -> list[TopicCoverage]:
    """Per (municipality, topic) with an event: the last held and the next planned."""
    rows = await queries.topic_events(list(municipalities) if municipalities is not None else None)
    last: dict[tuple[UUID, str], datetime] = {}
    nxt: dict[tuple[UUID, str], datetime] = {}
    for row in rows:
        for topic in topics.decode(row.topics):
            key = (row.municipality, topic)
            if row.starts_at < now:
                if key not in last or row.starts_at > last[key]:
                    last[key] = row.starts_at
            elif key not in nxt or row.starts_at < nxt[key]:
                nxt[key] = row.starts_at
    return [
        TopicCoverage(
            municipality=m, topic=t, last_held=last.get((m, t)), next_planned=nxt.get((m, t))
        )
        for m, t in sorted(set(last) | set(nxt), key=str)
    ]


class Booking(msgspec.Struct, frozen=True, kw_only=True):
    """An event (not cancelled) on a local day: its municipality and venue are taken then."""

    municipality: UUID
    venue: UUID | None
    day: date


async def bookings(
    municipalities: Sequence[UUID], start: datetime, end: datetime, tz: str
) -> list[Booking]:
    """Events starting in [start, end), with their local day in `tz`."""
    if not municipalities:
        return []
    rows = await queries.bookings(list(municipalities), start, end)
    return [
        Booking(municipality=r.municipality, venue=r.venue, day=to_local(r.starts_at, tz).date())
        for r in rows
    ]
