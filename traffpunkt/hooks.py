"""In-process listeners between domains, so that dependencies point one way.

The events domain announces changes of an event (inside the transaction that makes them);
registrations listens, to notify attendees and to fill seats that a larger capacity frees.
Listeners are wired once by `wire()` (the app, the CLI and the tests call it).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

EventChangedListener = Callable[[Any], Awaitable[None]]

_event_changed: list[EventChangedListener] = []


def on_event_changed(listener: EventChangedListener) -> None:
    if listener not in _event_changed:
        _event_changed.append(listener)


async def event_changed(change: Any) -> None:
    for listener in _event_changed:
        await listener(change)


def wire() -> None:
    """Register every domain's listeners (idempotent)."""
    from registrations import service as registrations_service

    on_event_changed(registrations_service.on_event_changed)


def periodic_jobs() -> list[tuple[float, Callable[[], Awaitable[Any]]]]:
    """(every seconds, job) pairs that the mail sender runs between batches."""
    from registrations import service as registrations_service
    from traffpunkt import limits

    return [(60.0, registrations_service.schedule_reminders), (300.0, limits.sweep)]
