"""The answers' needs counted per municipality, topic and urgency (the planning page's survey
source at scale; `signals` gives the same needs one by one)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

import msgspec

from surveys import queries


class NeedCount(msgspec.Struct, frozen=True, kw_only=True):
    """How many distinct companies (organisation numbers) named the topic as a need in the
    municipality, with this as their highest urgency."""

    municipality: UUID
    topic: str
    urgency: int
    companies: int


async def need_counts(
    municipalities: Sequence[UUID] | None, start: datetime, end: datetime
) -> list[NeedCount]:
    """Needs of the answers given in [start, end) (UTC), in the municipalities named (every
    municipality when None), as distinct companies at their highest urgency."""
    return [
        NeedCount(
            municipality=UUID(r.municipality),
            topic=r.topic,
            urgency=r.urgency,
            companies=r.companies,
        )
        for r in await queries.need_counts(municipalities, start, end)
    ]
