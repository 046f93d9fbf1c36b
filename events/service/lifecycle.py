"""Events through their life: created (a draft), changed, published, cancelled.

Writing functions own their transaction (`traffpunkt.db.transaction()`); a change to a
published event is announced to other domains (traffpunkt.hooks) inside it.
"""

from __future__ import annotations

import dataclasses
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

import msgspec
from msgspec import UNSET

from events import audit, queries, topics
from events.rows import EventRow
from events.schemas import EventIn, EventOut, EventPatch
from events.service._common import check_topics, one_line
from events.service.places import _municipality_for_write
from events.service.views import encode_report_fields, event_out
from events.statuses import EventStatus
from traffpunkt import db, hooks
from traffpunkt.auth import Principal
from traffpunkt.clock import utc_now
from traffpunkt.errors import Conflict, FieldError, Invalid, NotFound
from traffpunkt.ids import parse_id
from traffpunkt.localtime import to_utc

# Changes to these fields move the event in people's calendars: SEQUENCE grows (RFC 5545).
_SEQUENCE_FIELDS = frozenset(
    {"starts_at", "ends_at", "venue", "municipality", "online_url", "status"}
)


def slugify(text: str, max_length: int = 60) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = re.sub(r"[^a-zA-Z0-9]+", "-", text).strip("-").lower()
    return text[:max_length].strip("-") or "event"


@dataclass(frozen=True, slots=True)
class EventChange:
    """What a save changed: the view after it, and whether people's calendars must move.

    Announced to other domains (traffpunkt.hooks) inside the transaction that made it.
    """

    event: EventOut
    changed_fields: frozenset[str]
    moved: bool  # time, place or status changed: SEQUENCE grew
    note: str | None = None  # the organiser's message to attendees (cancellation)
    # One session of a series was cancelled (its id): attendees get a CANCEL for it alone.
    cancelled_session: str | None = None


async def _venue_for(venue_id: str | None, municipality_id: UUID) -> UUID | None:
    if venue_id is None:
        return None
    row = await queries.venue(parse_id(venue_id, field="venue_id"))
    if row is None:
        raise Invalid.field("venue_id", "No venue with this id")
    if row.municipality != municipality_id:
        raise Invalid.field("venue_id", "The venue is in another municipality")
    return row.id


def _check_times(v: dict[str, Any]) -> None:
    errors: list[FieldError] = []
    if v["ends_at"] <= v["starts_at"]:
        errors.append(FieldError("ends_at", "The event must end after it starts"))
    opens, closes = v["registration_opens_at"], v["registration_closes_at"]
    if opens and closes and closes <= opens:
        errors.append(
            FieldError("registration_closes_at", "Registration must close after it opens")
        )
    if closes and closes > v["ends_at"]:
        errors.append(
            FieldError("registration_closes_at", "Registration must close before the event ends")
        )
    if opens and opens >= v["ends_at"]:
        errors.append(
            FieldError("registration_opens_at", "Registration must open before the event ends")
        )
    if errors:
        raise Invalid(errors[0].message, errors=errors)


def _times_in(values: dict[str, str | datetime | None], tz: str) -> dict[str, datetime | None]:
    """Every time field at once; messages stay message ids with their parameters, so that the
    answer is translated (a message formatted here would no longer be found in the catalog)."""
    out: dict[str, datetime | None] = {}
    errors: list[FieldError] = []
    params: dict[str, Any] = {}
    for name, value in values.items():
        try:
            out[name] = None if value is None else to_utc(value, tz, name)
        except Invalid as exc:
            errors.extend(exc.errors or [])
            params.update(exc.params)
    if errors:
        raise Invalid(errors[0].message, errors=errors, params=params)
    return out


async def _unique_slug(title: str) -> str:
    base = slugify(title, 80)
    for _ in range(10):
        slug = f"{base}-{secrets.token_hex(2)}"
        if not await queries.slug_taken(slug):
            return slug
    raise Conflict("Could not find a free address for this event; change the title")


async def create_event(actor: Principal, data: EventIn) -> EventOut:
    municipality = await _municipality_for_write(actor, data.municipality, "municipality")
    municipality_id = municipality.id
    check_topics(data.topics)
    times = _times_in(
        {
            "starts_at": data.starts_at,
            "ends_at": data.ends_at,
            "registration_opens_at": data.registration_opens_at,
            "registration_closes_at": data.registration_closes_at,
        },
        municipality.timezone,
    )
    _check_times(times)
    now = utc_now()
    event_id = uuid4()
    async with db.transaction():
        title = one_line(data.title)
        values = {
            "id": event_id,
            "slug": await _unique_slug(data.title),
            "title": title,
            "description": data.description,
            "kind": data.kind,
            "status": EventStatus.DRAFT,
            "municipality": municipality_id,
            "venue": await _venue_for(data.venue_id, municipality_id),
            **times,
            "capacity": data.capacity,
            "seats_taken": 0,
            "topics": topics.encode(data.topics),
            "language": data.language,
            "online_url": data.online_url,
            "reminder_hours": data.reminder_hours,
            "report_fields": encode_report_fields(data.report_fields),
            "completion_min_sessions": data.completion_min_sessions,
            "completion_requires_exam": data.completion_requires_exam,
            "sequence": 0,
            "created_by": actor.organiser_id,
            "created_at": now,
            "updated_at": now,
        }
        await queries.insert_event(values)
        await audit.record(actor, "event.created", event_id, title)
        row = await queries.event(event_id)
    assert row is not None
    return event_out(row, now)


async def event_for_organiser(actor: Principal, event_id: str) -> EventRow:
    row = await queries.event(parse_id(event_id))
    if row is None:
        raise NotFound("No such event")
    actor.require_municipality(row.municipality_id)
    return row


async def update_event(actor: Principal, event_id: str, patch: EventPatch) -> EventChange:
    given = {
        f: getattr(patch, f) for f in patch.__struct_fields__ if getattr(patch, f) is not UNSET
    }
    async with db.transaction():
        row = await event_for_organiser(actor, event_id)
        if row.status == EventStatus.CANCELLED:
            raise Conflict("A cancelled event cannot be changed")
        municipality_id = row.municipality_id
        tz = row.timezone
        new: dict[str, Any] = {}
        if "municipality" in given:
            municipality = await _municipality_for_write(
                actor, given["municipality"], "municipality"
            )
            municipality_id, tz = municipality.id, municipality.timezone
            new["municipality"] = municipality_id
        for name in (
            "title",
            "description",
            "kind",
            "capacity",
            "language",
            "online_url",
            "reminder_hours",
            "completion_min_sessions",
            "completion_requires_exam",
        ):
            if name in given:
                new[name] = one_line(given[name]) if name == "title" else given[name]
        if "report_fields" in given:
            new["report_fields"] = encode_report_fields(given["report_fields"])
        if "topics" in given:
            check_topics(given["topics"])
            new["topics"] = topics.encode(given["topics"])
        if "venue_id" in given:
            new["venue"] = await _venue_for(given["venue_id"], municipality_id)
        elif "municipality" in given and row.venue_id is not None:
            # The old venue belongs to the old municipality.
            raise Invalid.field("venue_id", "Choose a venue in the new municipality, or no venue")
        time_fields = ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at")
        new.update(_times_in({k: given[k] for k in time_fields if k in given}, tz))
        if await queries.sessions_of([row.id]):
            # A series' start and end are its sessions' (events.service.sessions keeps them).
            for name in ("starts_at", "ends_at"):
                if name in new and new[name] != getattr(row, name):
                    raise Invalid.field(name, "A course series takes its times from its sessions")
        merged = {k: new.get(k, getattr(row, k)) for k in time_fields}
        _check_times(merged)
        if "capacity" in new and new["capacity"] is not None and new["capacity"] < row.seats_taken:
            raise Conflict(
                "{taken} seats are already taken; capacity cannot go below that",
                params={"taken": row.seats_taken},
            )
        current = {
            **msgspec.structs.asdict(row),
            "venue": row.venue_id,
            "municipality": row.municipality_id,
        }
        changed = {k: v for k, v in new.items() if _differs(current.get(k), v)}
        moved = bool(changed.keys() & _SEQUENCE_FIELDS)
        if changed:
            await audit.record(actor, "event.changed", row.id, ", ".join(sorted(changed)))
            changed["updated_at"] = utc_now()
            if moved:
                await queries.bump_sequence(row.id, changed)
            else:
                await queries.update_event(row.id, changed)
        after = await queries.event(row.id)
        assert after is not None
        change = EventChange(event_out(after), frozenset(changed) - {"updated_at"}, moved)
        if change.changed_fields and row.status == EventStatus.PUBLISHED:
            await hooks.event_changed(change)
            # Listeners may have taken seats (a larger capacity fills from the waiting list).
            final = await queries.event(row.id)
            assert final is not None
            change = dataclasses.replace(change, event=event_out(final))
    return change


class _DryRun(Exception):
    pass


async def check_event_patch(actor: Principal, event_id: str, patch: EventPatch) -> None:
    """Every check of `update_event`, and nothing saved or sent (the change is rolled back)."""
    try:
        async with db.transaction():
            await update_event(actor, event_id, patch)
            raise _DryRun
    except _DryRun:
        pass


def _differs(old: object, new: object) -> bool:
    # Rows and the patch both carry typed values (UUID, datetime, the enums): plain comparison.
    return bool(old != new)


async def publish_event(actor: Principal, event_id: str) -> EventOut:
    async with db.transaction():
        row = await event_for_organiser(actor, event_id)
        if row.status == EventStatus.CANCELLED:
            raise Conflict("A cancelled event cannot be published again")
        if row.status == EventStatus.DRAFT:
            now = utc_now()
            await queries.bump_sequence(
                row.id, {"status": EventStatus.PUBLISHED, "published_at": now, "updated_at": now}
            )
            await audit.record(actor, "event.published", row.id)
        after = await queries.event(row.id)
        assert after is not None
        if row.status == EventStatus.DRAFT:
            # Announced as a status change that moves nobody's calendar (a draft has no
            # attendees): listeners tell a publish by the status now published and "status"
            # among the changed fields (planning invites the companies that asked).
            await hooks.event_changed(EventChange(event_out(after), frozenset({"status"}), False))
    return event_out(after)


async def cancel_event(actor: Principal, event_id: str, note: str | None = None) -> EventChange:
    async with db.transaction():
        row = await event_for_organiser(actor, event_id)
        moved = row.status != EventStatus.CANCELLED
        if moved:
            now = utc_now()
            await queries.bump_sequence(
                row.id, {"status": EventStatus.CANCELLED, "cancelled_at": now, "updated_at": now}
            )
            await audit.record(actor, "event.cancelled", row.id, note or "")
        after = await queries.event(row.id)
        assert after is not None
        change = EventChange(
            event_out(after), frozenset({"status"}) if moved else frozenset(), moved, note
        )
        if moved and row.status == EventStatus.PUBLISHED:
            await hooks.event_changed(change)
    return change
