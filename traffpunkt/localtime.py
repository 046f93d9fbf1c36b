"""Local wall time <-> UTC, with the DST rules of docs/api.md, and the one check of every date
input.

A time without an offset is local time in the given zone. A local time that does not exist (the
spring-forward gap) is refused; an ambiguous one (the autumn overlap) is the first occurrence.

Every date and date-time a client sends (query parameters, JSON bodies, forms, cursors) is read
by `parse` or `parse_date` here, which refuse anything outside `EARLIEST`..`LATEST` with a 422
naming the field. Python's `datetime` ends at years 1 and 9999: without the bound, moving
`0001-01-01T00:30` (local) or `9999-12-31T23:59-05:00` to UTC, or a day's start to the zone,
overflows into a 500. No event, scan or report needs a day outside these years.
"""

from __future__ import annotations

import functools
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from traffpunkt.errors import Invalid

EARLIEST = date(1900, 1, 1)
LATEST = date(2999, 12, 31)


@functools.cache
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def in_range(value: date | datetime, field: str) -> None:
    """A 422 naming the field unless the (wall-clock) day is within EARLIEST..LATEST."""
    day = value.date() if isinstance(value, datetime) else value
    if not EARLIEST <= day <= LATEST:
        raise Invalid.field(
            field,
            "Give a date from {earliest} to {latest}",
            earliest=EARLIEST.isoformat(),
            latest=LATEST.isoformat(),
        )


def parse(value: str | datetime, field: str) -> datetime:
    """An ISO 8601 date-time (seconds and offset optional) or a 422 naming the field."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise Invalid.field(field, "Not a valid date and time (2027-03-04T09:00)") from None
    in_range(value, field)
    return value


def parse_date(value: str | date, field: str) -> date:
    """An ISO 8601 calendar date (2027-03-04) or a 422 naming the field."""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            raise Invalid.field(field, "Give dates as 2027-03-04") from None
    in_range(value, field)
    return value


def to_utc(value: str | datetime, tz_name: str, field: str) -> datetime:
    value = parse(value, field)
    if value.tzinfo is not None:
        return value.astimezone(UTC)
    tz = zone(tz_name)
    local = value.replace(tzinfo=tz, fold=0)
    as_utc = local.astimezone(UTC)
    # A wall time in the gap does not survive the round trip through UTC.
    if as_utc.astimezone(tz).replace(tzinfo=None) != value:
        raise Invalid.field(
            field,
            "{time} does not exist in {zone} (the clocks jump forward then); "
            "choose another time or give an offset",
            time=value.isoformat(timespec="minutes"),
            zone=tz_name,
        )
    return as_utc


def to_local(value: datetime, tz_name: str) -> datetime:
    if value.tzinfo is None:  # stored values are UTC; be explicit if a driver drops tzinfo
        value = value.replace(tzinfo=UTC)
    return value.astimezone(zone(tz_name))
