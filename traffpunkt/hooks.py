"""In-process ports between domains, so that dependencies point one way.

A lower domain announces something (or asks for something) here; an upper domain provides the
listener. The app factory registers them (`traffpunkt.app.wire`, called by `create_app`), so
no entry point has to remember it, and this module imports no domain.

- `event_changed`: the events domain announces changes of an event (inside the transaction
  that makes them); registrations listens, to notify attendees and fill freed seats.
- `sign_in_requested`: accounts asks for a sign-in link to be mailed (inside the transaction
  that stores the link); notifications puts it in the outbox.
- `attendance_counts`: the organiser's event pages (events) show how many have signed up;
  registrations counts them.
- `registration_erased`: registrations announces an erasure (inside its transaction); the
  evaluations domain drops that person's evaluation link and answers.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

EventChangedListener = Callable[[Any], Awaitable[None]]
SignInListener = Callable[[Any], Awaitable[None]]
CountsProvider = Callable[[list[Any]], Awaitable[dict[str, dict[str, int]]]]

_event_changed: list[EventChangedListener] = []
_sign_in_requested: list[SignInListener] = []
_counts: list[CountsProvider] = []
_registration_erased: list[Callable[[Any], Awaitable[None]]] = []


def on_event_changed(listener: EventChangedListener) -> None:
    if listener not in _event_changed:
        _event_changed.append(listener)


async def event_changed(change: Any) -> None:
    for listener in _event_changed:
        await listener(change)


def on_sign_in_requested(listener: SignInListener) -> None:
    if listener not in _sign_in_requested:
        _sign_in_requested.append(listener)


async def sign_in_requested(mail: Any) -> None:
    if not _sign_in_requested:  # a link nobody can receive is a bug, not a quiet no-op
        raise RuntimeError("no sign-in mailer is wired (traffpunkt.app.wire)")
    for listener in _sign_in_requested:
        await listener(mail)


def provide_attendance_counts(provider: CountsProvider) -> None:
    _counts[:] = [provider]


async def attendance_counts(event_ids: list[Any]) -> dict[str, dict[str, int]]:
    """Per event id (as a string): counts by status; empty when no domain provides them."""
    if not _counts:
        return {}
    return await _counts[0](event_ids)


def on_registration_erased(listener: Callable[[Any], Awaitable[None]]) -> None:
    if listener not in _registration_erased:
        _registration_erased.append(listener)


async def registration_erased(registration_id: Any) -> None:
    for listener in _registration_erased:
        await listener(registration_id)
