"""Which topics events already cover where: the planning page's "minus what is held"."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

import msgspec

from events import queries, topics


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
