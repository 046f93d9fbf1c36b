"""The answers' needs and offers for the needs map and the planning page."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from surveys import queries
from traffpunkt.needs import NeedSignal


async def need_signals(
    municipalities: Sequence[UUID] | None, start: datetime, end: datetime
) -> list[NeedSignal]:
    """Needs and offers named in answers given in [start, end) (UTC), in the municipalities
    named (every municipality when None)."""
    return await queries.need_signals(municipalities, start, end)
