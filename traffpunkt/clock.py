"""The one clock. Everything that needs "now" calls `utc_now()`; tests may replace it."""

from __future__ import annotations

import calendar
import contextlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

_now: Callable[[], datetime] = lambda: datetime.now(UTC)  # noqa: E731


def utc_now() -> datetime:
    return _now()


@contextlib.contextmanager
def frozen_at(moment: datetime) -> Iterator[None]:
    """Make `utc_now()` answer `moment` inside the block (tests)."""
    global _now
    if moment.tzinfo is None:
        raise ValueError("frozen_at needs an aware datetime")
    previous = _now
    _now = lambda: moment  # noqa: E731
    try:
        yield
    finally:
        _now = previous


def months_before(when: datetime, months: int) -> datetime:
    """`when` moved back by calendar months (the 31st becomes the month's last day)."""
    index = when.year * 12 + when.month - 1 - months
    year, month = divmod(index, 12)
    day = min(when.day, calendar.monthrange(year, month + 1)[1])
    return when.replace(year=year, month=month + 1, day=day)
