"""Seats and the waiting list, counted on the event row for registrations, and whether an
event takes registrations now.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from events import queries
from events.rows import EventRow
from events.service.views import registration_window
from events.statuses import EventStatus
from traffpunkt.clock import utc_now
from traffpunkt.errors import Conflict, NotFound
from traffpunkt.ids import parse_id


@dataclass(frozen=True, slots=True)
class Joined:
    """What `join` decided: the sign-up's number (commit order) and its waiting-list position,
    0 for a seat."""

    seq: int
    position: int

    @property
    def seat(self) -> bool:
        return self.position == 0


async def join(event_id: UUID | str) -> Joined | None:
    """A seat if one is free, else the end of the waiting list, decided and numbered in one
    UPDATE of the event row (see queries.JOIN_SQL); None if the event is not published (any
    more). On PostgreSQL the row stays locked until COMMIT: do it last in the transaction."""
    got = await queries.join(parse_id(event_id))
    return Joined(*got) if got is not None else None


def join_sql(condition: str = "") -> str:
    """`join` as SQL (`{}` = the event id), for a statement that writes the sign-up with it;
    `condition` (SQL, its `{}` values after the event id) must hold too, or nothing is taken."""
    return queries.JOIN_SQL.format("{}", f" AND ({condition})" if condition else "")


async def promote_seat(event_id: UUID | str) -> bool:
    """A free seat for the first on the waiting list (counted off it); False if none."""
    return await queries.promote_seat(parse_id(event_id))


async def give_back_seat(event_id: UUID | str) -> None:
    """Undo `promote_seat` when nobody could be moved up."""
    await queries.give_back_seat(parse_id(event_id))


async def left_waitlist(event_id: UUID | str) -> None:
    """Someone on the waiting list cancelled."""
    await queries.left_waitlist(parse_id(event_id))


async def release_seat(event_id: UUID | str) -> None:
    await queries.release_seat(parse_id(event_id))


async def event_for_registration(key: str) -> EventRow:
    """An event that takes registrations now, or a 404/409 saying why not."""
    row = await queries.event_by_slug_or_id(key)
    if row is None:
        raise NotFound("No such event")
    if row.status == EventStatus.DRAFT:
        raise Conflict("This event is not published yet", code="event_not_published")
    if row.status == EventStatus.CANCELLED:
        raise Conflict("This event is cancelled", code="event_cancelled")
    now = utc_now()
    opens, closes = registration_window(row)
    if opens is not None and now < opens:
        raise Conflict("Registration has not opened yet", code="registration_not_open")
    if now >= closes:
        raise Conflict("Registration has closed", code="registration_closed")
    return row
