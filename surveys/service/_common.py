"""What the survey's rules share: the round's state and dates, links, who may see a round."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from uuid import UUID

from surveys import queries
from surveys.rows import RoundPlace, RoundRow
from traffpunkt.auth import Principal
from traffpunkt.clock import utc_now
from traffpunkt.errors import Forbidden, NotFound
from traffpunkt.ids import parse_id
from traffpunkt.localtime import parse_date, to_local, to_utc
from traffpunkt.settings import current_settings
from traffpunkt.templating import local_date


def zone() -> str:
    """The zone of a round's dates: the service's local time (TRAFFPUNKT_TIMEZONE,
    Europe/Stockholm by default). A round may span several municipalities, so it is not any
    one municipality's own zone (today all of them share this one)."""
    return current_settings().default_timezone


def start_of(day: date, field: str) -> datetime:
    return to_utc(datetime.combine(day, time()), zone(), field)


def end_of(day: date, field: str) -> datetime:
    """The first instant after `day` (a round closes at the end of its last day)."""
    return to_utc(datetime.combine(day + timedelta(days=1), time()), zone(), field)


def instant(value: str, field: str, *, end: bool) -> datetime:
    """A bound of a round from a local date (its start, or with `end` the end of that day) or a
    local date-time (that instant)."""
    if len(value) == 10:
        day = parse_date(value, field)
        return end_of(day, field) if end else start_of(day, field)
    return to_utc(value, zone(), field)


def opens_day(row: RoundRow) -> date:
    return to_local(row.opens_at, zone()).date()


def closes_day(row: RoundRow) -> date:
    return to_local(row.closes_at - timedelta(microseconds=1), zone()).date()


def closes_text(row: RoundRow, lang: str) -> str:
    """The last day answers are taken, as people write it ("30 november 2026")."""
    return local_date(row.closes_at - timedelta(microseconds=1), zone(), lang, "long")


def opens_text(row: RoundRow, lang: str) -> str:
    return local_date(row.opens_at, zone(), lang, "long")


def state(row: RoundRow, now: datetime | None = None) -> str:
    now = now or utc_now()
    if now < row.opens_at:
        return "upcoming"
    return "open" if now < row.closes_at else "closed"


def answer_url(token: str) -> str:
    return f"{current_settings().base_url}/survey/a/{token}"


def open_url(slug: str) -> str:
    return f"{current_settings().base_url}/survey/{slug}"


def can_see(actor: Principal, places: list[RoundPlace]) -> bool:
    return actor.is_admin or any(p.municipality in actor.municipality_ids for p in places)


async def round_for_organiser(
    actor: Principal, round_id: str | UUID, *, change: bool = False
) -> tuple[RoundRow, list[RoundPlace]]:
    """The round, if the organiser manages one of its municipalities (to see it, invite and
    remind), or all of them (`change`: to edit it)."""
    row = await queries.round_by_id(round_id if isinstance(round_id, UUID) else parse_id(round_id))
    if row is None:
        raise NotFound("Survey not found")
    places = await queries.places([row.id])
    if not can_see(actor, places):
        raise Forbidden("You are not an organiser for this municipality")
    if change:
        for p in places:
            actor.require_municipality(p.municipality)
    return row, places
