"""The waiting list moves up: freed seats go to the first on it, in commit order."""

from __future__ import annotations

from uuid import UUID

from events import service as events_service
from registrations import queries
from registrations.service.links import _mail
from traffpunkt import db
from traffpunkt.clock import utc_now


async def _promote(event_id: UUID) -> int:
    """Fill free seats from the waiting list, first come (first committed) first served;
    returns how many."""
    promoted = 0
    pg = not db.is_sqlite()
    while await events_service.promote_seat(event_id):
        reg_id = await queries.promote_first_waiting(event_id, utc_now(), pg)
        if reg_id is None:
            await events_service.give_back_seat(event_id)
            break
        reg = await queries.by_id(reg_id)
        assert reg is not None
        await _mail("promoted", reg, ticket=True)
        promoted += 1
    return promoted
