"""Local wall time <-> UTC, with the DST rules of docs/api.md.

A time without an offset is local time in the given zone. A local time that does not exist (the
spring-forward gap) is refused; an ambiguous one (the autumn overlap) is the first occurrence.
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from traffpunkt.errors import Invalid


@functools.cache
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def parse(value: str | datetime, field: str) -> datetime:
    """An ISO 8601 date-time (seconds and offset optional) or a 422 naming the field."""
    if isinstance(value, datetime):
        return value
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise Invalid.field(field, "Not a valid date and time (2027-03-04T09:00)") from None


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
