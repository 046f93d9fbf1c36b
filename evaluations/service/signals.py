"""The topics attendees want next, as needs for the needs map and planning."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from evaluations import queries
from traffpunkt.needs import NeedSignal


async def need_signals(
    municipalities: Sequence[UUID] | None, start: datetime, end: datetime
) -> list[NeedSignal]:
    """Topics wanted in answers first given in [start, end) (UTC), about events in the
    municipalities named (every municipality when None); source EVALUATION, kind NEED, the
    company key the registration id (counted, never shown)."""
    return await queries.need_signals(municipalities, start, end)
