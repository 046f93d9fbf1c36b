"""Rules of the events domain: places, events, their life cycle, organisers and their tokens.

Every function here is a plain async function; the HTTP layer and the tests call them directly.
Writing functions own their transaction (`traffpunkt.db.transaction()`).
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import UUID, uuid4

import msgspec
from msgspec import UNSET

from events import audit, queries, topics
from events.schemas import (
    EventIn,
    EventList,
    EventOut,
    EventPatch,
    MunicipalityIn,
    MunicipalityOut,
    MunicipalityPatch,
    VenueIn,
    VenueOut,
)
from traffpunkt import addresses, db, hooks
from traffpunkt.auth import Principal
from traffpunkt.clock import utc_now
from traffpunkt.errors import Conflict, FieldError, Invalid, NotFound
from traffpunkt.localtime import in_range, to_local, to_utc, zone
from traffpunkt.settings import get_settings

# Feeds keep published events that ended less than this long ago, so calendar apps that
# subscribed keep recent history; older ones drop out of the feed (never out of the database).
FEED_HISTORY = timedelta(days=180)
PAGE_SIZE_DEFAULT = 50
PAGE_SIZE_MAX = 200
# Changes to these fields move the event in people's calendars: SEQUENCE grows (RFC 5545).
_SEQUENCE_FIELDS = frozenset(
    {"starts_at", "ends_at", "venue", "municipality", "online_url", "status"}
)


# --- helpers -------------------------------------------------------------------------------


def _uuid(value: Any, field: str | None = None, what: str = "item") -> UUID:
    if isinstance(value, UUID):
        return value
    try:
        return UUID(str(value))
    except ValueError:
        if field is not None:
            raise Invalid.field(field, "Not a valid id") from None
        raise NotFound("Nothing with this id") from None


def _check_timezone(name: str) -> None:
    try:
        zone(name)
    except Exception:
        raise Invalid.field("timezone", "Unknown time zone {name}", name=name) from None


def one_line(text: str, field: str = "title") -> str:
    """Titles and names are one line: no CR/LF reaches a mail header or a page title."""
    line = " ".join(text.split())
    if not line:
        raise Invalid.field(field, "This cannot be empty")
    return line


def slugify(text: str, max_length: int = 60) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = re.sub(r"[^a-zA-Z0-9]+", "-", text).strip("-").lower()
    return text[:max_length].strip("-") or "event"


def municipality_out(row: dict[str, Any]) -> MunicipalityOut:
    base = get_settings().base_url
    ics = f"{base}/calendars/{row['slug']}.ics"
    return MunicipalityOut(
        id=str(row["id"]),
        slug=row["slug"],
        name=row["name"],
        code=row["code"],
        region=row["region"],
        timezone=row["timezone"],
        url=f"{base}/calendar/{row['slug']}",
        ics_url=ics,
        webcal_url="webcal://" + ics.split("://", 1)[1],
        contact_email=row.get("contact_email"),
        contact_phone=row.get("contact_phone"),
    )


def venue_out(row: dict[str, Any], municipality_slug: str) -> VenueOut:
    return VenueOut(
        id=str(row["id"]),
        municipality=municipality_slug,
        name=row["name"],
        address=row["address"],
        capacity=row["capacity"],
        latitude=row["latitude"],
        longitude=row["longitude"],
        accessibility=row["accessibility"],
    )


def registration_window(row: dict[str, Any]) -> tuple[datetime | None, datetime]:
    """(opens, closes) in UTC; opening defaults to publication, closing to the start."""
    return row["registration_opens_at"], row["registration_closes_at"] or row["starts_at"]


def is_registration_open(row: dict[str, Any], now: datetime) -> bool:
    if row["status"] != "published":
        return False
    opens, closes = registration_window(row)
    return (opens is None or opens <= now) and now < closes


def attendance_mode(row: dict[str, Any]) -> str:
    if row["online_url"] and row["venue_id"]:
        return "mixed"
    return "online" if row["online_url"] else "offline"


def event_out(row: dict[str, Any], now: datetime | None = None) -> EventOut:
    now = now or utc_now()
    tz = row["timezone"]
    base = get_settings().base_url
    venue = None
    if row["venue_id"] is not None:
        venue = VenueOut(
            id=str(row["venue_id"]),
            municipality=row["municipality_slug"],
            name=row["venue_name"],
            address=row["venue_address"],
            capacity=row["venue_capacity"],
            latitude=row["venue_latitude"],
            longitude=row["venue_longitude"],
            accessibility=row["venue_accessibility"],
        )
    capacity = row["capacity"]
    opens, closes = row["registration_opens_at"], row["registration_closes_at"]
    seats_left = None if capacity is None else max(capacity - row["seats_taken"], 0)
    registration_open = is_registration_open(row, now)
    return EventOut(
        id=str(row["id"]),
        slug=row["slug"],
        url=f"{base}/events/{row['slug']}",
        ics_url=f"{base}/api/v1/events/{row['id']}/event.ics",
        title=row["title"],
        description=row["description"],
        kind=row["kind"],
        status=row["status"],
        municipality=row["municipality_slug"],
        municipality_name=row["municipality_name"],
        timezone=tz,
        venue=venue,
        starts_at=to_local(row["starts_at"], tz),
        ends_at=to_local(row["ends_at"], tz),
        capacity=capacity,
        seats_left=seats_left,
        waitlist_open=registration_open and seats_left == 0,
        # Kept by the statements that move people on and off the list (no count per event).
        waiting=row["waiting"],
        registration_opens_at=to_local(opens, tz) if opens else None,
        registration_closes_at=to_local(closes, tz) if closes else None,
        registration_open=registration_open,
        topics=topics.decode(row["topics"]),
        language=row["language"],
        online_url=row["online_url"],
        attendance_mode=attendance_mode(row),  # type: ignore[arg-type]
        reminder_hours=row["reminder_hours"],
        sequence=row["sequence"],
        updated_at=to_local(row["updated_at"], tz),
    )


# --- municipalities and venues ---------------------------------------------------------------


async def list_municipalities() -> list[MunicipalityOut]:
    return [municipality_out(r) for r in await queries.municipalities()]


async def get_municipality(key: str) -> dict[str, Any]:
    row = await queries.municipality_by_slug_or_id(key)
    if row is None:
        raise NotFound("No municipality called {key}", params={"key": key})
    return row


async def create_municipality(actor: Principal, data: MunicipalityIn) -> MunicipalityOut:
    actor.require_admin()
    tz = data.timezone or get_settings().default_timezone
    _check_timezone(tz)
    values = {
        "id": uuid4(),
        "slug": data.slug,
        "name": one_line(data.name, "name"),
        "code": data.code,
        "region": data.region,
        "timezone": tz,
        "created_at": utc_now(),
        "contact_email": addresses.checked(data.contact_email, "contact_email")
        if data.contact_email is not None
        else None,
        "contact_phone": data.contact_phone,
    }
    async with db.transaction():
        if data.slug == "all" or await queries.municipality_slug_taken(data.slug):
            raise Conflict("The slug {slug} is already taken", params={"slug": data.slug})
        await queries.insert_municipality(values)
        await audit.record(actor, "municipality.created", detail=data.slug)
    return municipality_out(values)


async def update_municipality(
    actor: Principal, key: str, patch: MunicipalityPatch
) -> MunicipalityOut:
    """Change a municipality's contact details (its organisers or an admin)."""
    given = {
        f: getattr(patch, f) for f in patch.__struct_fields__ if getattr(patch, f) is not UNSET
    }
    async with db.transaction():
        row = await queries.municipality_by_slug_or_id(key)
        if row is None:
            raise NotFound("No such municipality")
        actor.require_municipality(_uuid(row["id"]))
        values = {k: (v.strip() or None) if isinstance(v, str) else v for k, v in given.items()}
        if isinstance(values.get("contact_email"), str):
            values["contact_email"] = addresses.checked(values["contact_email"], "contact_email")
        if values:
            await queries.update_municipality(_uuid(row["id"]), values)
            await audit.record(
                actor, "municipality.updated", detail=f"{row['slug']}: {', '.join(values)}"
            )
    return municipality_out({**row, **values})


async def _municipality_for_write(actor: Principal, key: str, field: str) -> dict[str, Any]:
    row = await queries.municipality_by_slug_or_id(key)
    if row is None:
        raise Invalid.field(field, "No municipality called {key}", key=key)
    actor.require_municipality(_uuid(row["id"]))
    return row


async def create_venue(actor: Principal, data: VenueIn) -> VenueOut:
    municipality = await _municipality_for_write(actor, data.municipality, "municipality")
    now = utc_now()
    values = {
        "id": uuid4(),
        "municipality": municipality["id"],
        "name": one_line(data.name, "name"),
        "address": data.address,
        "capacity": data.capacity,
        "latitude": data.latitude,
        "longitude": data.longitude,
        "accessibility": data.accessibility,
        "created_at": now,
        "updated_at": now,
    }
    async with db.transaction():
        await queries.insert_venue(values)
        await audit.record(actor, "venue.created", detail=values["name"])
    return venue_out(values, municipality["slug"])


async def list_venues(municipality_key: str) -> list[VenueOut]:
    municipality = await get_municipality(municipality_key)
    rows = await queries.venues_of(_uuid(municipality["id"]))
    return [venue_out(r, municipality["slug"]) for r in rows]


# --- events --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EventChange:
    """What a save changed: the view after it, and whether people's calendars must move.

    Announced to other domains (traffpunkt.hooks) inside the transaction that made it.
    """

    event: EventOut
    changed_fields: frozenset[str]
    moved: bool  # time, place or status changed: SEQUENCE grew
    note: str | None = None  # the organiser's message to attendees (cancellation)


async def _venue_for(venue_id: str | None, municipality_id: UUID) -> UUID | None:
    if venue_id is None:
        return None
    row = await queries.venue(_uuid(venue_id, "venue_id"))
    if row is None:
        raise Invalid.field("venue_id", "No venue with this id")
    if _uuid(row["municipality"]) != municipality_id:
        raise Invalid.field("venue_id", "The venue is in another municipality")
    return _uuid(row["id"])


def check_topics(slugs: list[str], field: str = "topics") -> None:
    if bad := topics.unknown(slugs):
        raise Invalid.field(
            field,
            "Unknown topics: {topics}. See /api/v1/topics for the list",
            topics=", ".join(bad),
        )


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
    municipality_id = _uuid(municipality["id"])
    check_topics(data.topics)
    times = _times_in(
        {
            "starts_at": data.starts_at,
            "ends_at": data.ends_at,
            "registration_opens_at": data.registration_opens_at,
            "registration_closes_at": data.registration_closes_at,
        },
        municipality["timezone"],
    )
    _check_times(times)
    now = utc_now()
    event_id = uuid4()
    async with db.transaction():
        values = {
            "id": event_id,
            "slug": await _unique_slug(data.title),
            "title": one_line(data.title),
            "description": data.description,
            "kind": data.kind,
            "status": "draft",
            "municipality": municipality_id,
            "venue": await _venue_for(data.venue_id, municipality_id),
            **times,
            "capacity": data.capacity,
            "seats_taken": 0,
            "topics": topics.encode(data.topics),
            "language": data.language,
            "online_url": data.online_url,
            "reminder_hours": data.reminder_hours,
            "sequence": 0,
            "created_by": actor.organiser_id,
            "created_at": now,
            "updated_at": now,
        }
        await queries.insert_event(values)
        await audit.record(actor, "event.created", event_id, values["title"])
        row = await queries.event(event_id)
    assert row is not None
    return event_out(row, now)


async def event_for_organiser(actor: Principal, event_id: str) -> dict[str, Any]:
    row = await queries.event(_uuid(event_id, what="event"))
    if row is None:
        raise NotFound("No such event")
    actor.require_municipality(_uuid(row["municipality_id"]))
    return row


async def update_event(actor: Principal, event_id: str, patch: EventPatch) -> EventChange:
    given = {
        f: getattr(patch, f) for f in patch.__struct_fields__ if getattr(patch, f) is not UNSET
    }
    async with db.transaction():
        row = await event_for_organiser(actor, event_id)
        if row["status"] == "cancelled":
            raise Conflict("A cancelled event cannot be changed")
        municipality_id = _uuid(row["municipality_id"])
        tz = row["timezone"]
        new: dict[str, Any] = {}
        if "municipality" in given:
            municipality = await _municipality_for_write(
                actor, given["municipality"], "municipality"
            )
            municipality_id, tz = _uuid(municipality["id"]), municipality["timezone"]
            new["municipality"] = municipality_id
        for name in (
            "title",
            "description",
            "kind",
            "capacity",
            "language",
            "online_url",
            "reminder_hours",
        ):
            if name in given:
                new[name] = one_line(given[name]) if name == "title" else given[name]
        if "topics" in given:
            check_topics(given["topics"])
            new["topics"] = topics.encode(given["topics"])
        if "venue_id" in given:
            new["venue"] = await _venue_for(given["venue_id"], municipality_id)
        elif "municipality" in given and row["venue_id"] is not None:
            # The old venue belongs to the old municipality.
            raise Invalid.field("venue_id", "Choose a venue in the new municipality (or null)")
        time_fields = ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at")
        new.update(_times_in({k: given[k] for k in time_fields if k in given}, tz))
        merged = {k: new.get(k, row[k]) for k in time_fields}
        _check_times(merged)
        if (
            "capacity" in new
            and new["capacity"] is not None
            and new["capacity"] < row["seats_taken"]
        ):
            raise Conflict(
                "{taken} seats are already taken; capacity cannot go below that",
                params={"taken": row["seats_taken"]},
            )
        current = {**row, "venue": row["venue_id"], "municipality": row["municipality_id"]}
        changed = {k: v for k, v in new.items() if _differs(current.get(k), v)}
        moved = bool(changed.keys() & _SEQUENCE_FIELDS)
        if changed:
            await audit.record(actor, "event.changed", row["id"], ", ".join(sorted(changed)))
            changed["updated_at"] = utc_now()
            if moved:
                await queries.bump_sequence(row["id"], changed)
            else:
                await queries.update_event(row["id"], changed)
        after = await queries.event(row["id"])
        assert after is not None
        change = EventChange(event_out(after), frozenset(changed) - {"updated_at"}, moved)
        if change.changed_fields and row["status"] == "published":
            await hooks.event_changed(change)
            # Listeners may have taken seats (a larger capacity fills from the waiting list).
            final = await queries.event(row["id"])
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


def _differs(old: Any, new: Any) -> bool:
    if isinstance(old, UUID) or isinstance(new, UUID):
        return str(old) != str(new) if old is not None and new is not None else old != new
    return old != new


async def publish_event(actor: Principal, event_id: str) -> EventOut:
    async with db.transaction():
        row = await event_for_organiser(actor, event_id)
        if row["status"] == "cancelled":
            raise Conflict("A cancelled event cannot be published again")
        if row["status"] == "draft":
            now = utc_now()
            await queries.bump_sequence(
                row["id"], {"status": "published", "published_at": now, "updated_at": now}
            )
            await audit.record(actor, "event.published", row["id"])
        after = await queries.event(row["id"])
    assert after is not None
    return event_out(after)


async def cancel_event(actor: Principal, event_id: str, note: str | None = None) -> EventChange:
    async with db.transaction():
        row = await event_for_organiser(actor, event_id)
        moved = row["status"] != "cancelled"
        if moved:
            now = utc_now()
            await queries.bump_sequence(
                row["id"], {"status": "cancelled", "cancelled_at": now, "updated_at": now}
            )
            await audit.record(actor, "event.cancelled", row["id"], note or "")
        after = await queries.event(row["id"])
        assert after is not None
        change = EventChange(
            event_out(after), frozenset({"status"}) if moved else frozenset(), moved, note
        )
        if moved and row["status"] == "published":
            await hooks.event_changed(change)
    return change


async def event_for_mail(event_id: UUID | str) -> dict[str, Any] | None:
    """Any event by id, whatever its status (mail about cancelled events needs it)."""
    return await queries.event(_uuid(event_id, what="event"))


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
    got = await queries.join(_uuid(event_id))
    return Joined(*got) if got is not None else None


def join_sql() -> str:
    """`join` as SQL (`{}` = the event id), for a statement that writes the sign-up with it."""
    return queries.JOIN_SQL


async def promote_seat(event_id: UUID | str) -> bool:
    """A free seat for the first on the waiting list (counted off it); False if none."""
    return await queries.promote_seat(_uuid(event_id))


async def give_back_seat(event_id: UUID | str) -> None:
    """Undo `promote_seat` when nobody could be moved up."""
    await queries.give_back_seat(_uuid(event_id))


async def left_waitlist(event_id: UUID | str) -> None:
    """Someone on the waiting list cancelled."""
    await queries.left_waitlist(_uuid(event_id))


async def release_seat(event_id: UUID | str) -> None:
    await queries.release_seat(_uuid(event_id))


async def event_for_registration(key: str) -> dict[str, Any]:
    """An event that takes registrations now, or a 404/409 saying why not."""
    row = await queries.event_by_slug_or_id(key)
    if row is None:
        raise NotFound("No such event")
    if row["status"] == "draft":
        raise Conflict("This event is not published yet", code="event_not_published")
    if row["status"] == "cancelled":
        raise Conflict("This event is cancelled", code="event_cancelled")
    now = utc_now()
    opens, closes = registration_window(row)
    if opens is not None and now < opens:
        raise Conflict("Registration has not opened yet", code="registration_not_open")
    if now >= closes:
        raise Conflict("Registration has closed", code="registration_closed")
    return row


async def events_starting_within(window: timedelta) -> list[dict[str, Any]]:
    """Published events that start between now and now + window (for reminders)."""
    now = utc_now()
    return await queries.public_events(ends_after=now, starts_before=now + window)


def is_public(row: dict[str, Any]) -> bool:
    return row["status"] == "published" or (
        row["status"] == "cancelled" and row["published_at"] is not None
    )


async def event_row(key: str, actor: Principal | None = None) -> dict[str, Any]:
    """A public event by id or slug; drafts only for an organiser who may manage them."""
    row = await queries.event_by_slug_or_id(key)
    if row is None or not (
        is_public(row) or (actor is not None and actor.can_manage(_uuid(row["municipality_id"])))
    ):
        raise NotFound("No such event")
    return row


async def get_event(key: str, actor: Principal | None = None) -> EventOut:
    return event_out(await event_row(key, actor))


class _Cursor(msgspec.Struct, array_like=True):
    starts_at: datetime
    id: UUID


def encode_cursor(row: dict[str, Any]) -> str:
    raw = msgspec.json.encode(_Cursor(row["starts_at"], _uuid(row["id"])))
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[datetime, UUID]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        c = msgspec.json.decode(raw, type=_Cursor)
    except (binascii.Error, ValueError, msgspec.DecodeError):
        raise Invalid.field("cursor", "Not a cursor this API handed out") from None
    in_range(c.starts_at, "cursor")  # a hand-made cursor is a date input like any other
    return c.starts_at, c.id


def parse_local_bound(value: str | None, tz: str, field: str) -> datetime | None:
    """A date (start of that local day) or a datetime (local when it has no offset)."""
    if value is None or value == "":
        return None
    if len(value) != 10:
        return to_utc(value, tz, field)
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise Invalid.field(field, "Give a date (2027-03-04) or a date and time") from None
    return to_utc(datetime.combine(day, time()), tz, field)


@dataclass(frozen=True, slots=True)
class EventQuery:
    municipality: str | None = None
    topic: str | None = None
    start: str | None = None  # `from` in the API
    end: str | None = None  # `to` in the API
    cursor: str | None = None
    limit: int = PAGE_SIZE_DEFAULT


async def _resolve_filters(q: EventQuery) -> tuple[UUID | None, str]:
    municipality_id = None
    tz = get_settings().default_timezone
    if q.municipality:
        row = await queries.municipality_by_slug_or_id(q.municipality)
        if row is None:
            raise Invalid.field("municipality", "No municipality called {key}", key=q.municipality)
        municipality_id, tz = _uuid(row["id"]), row["timezone"]
    if q.topic:
        check_topics([q.topic], field="topic")
    return municipality_id, tz


async def list_events(q: EventQuery) -> EventList:
    """Published events that have not ended (or overlap [from, to)), soonest first."""
    if not 1 <= q.limit <= PAGE_SIZE_MAX:
        raise Invalid.field("limit", "Between 1 and {max}", max=PAGE_SIZE_MAX)
    municipality_id, tz = await _resolve_filters(q)
    now = utc_now()
    ends_after = parse_local_bound(q.start, tz, "from") or now
    starts_before = parse_local_bound(q.end, tz, "to")
    rows = await queries.public_events(
        municipality_id=municipality_id,
        topic=q.topic or None,
        ends_after=ends_after,
        starts_before=starts_before,
        after=_decode_cursor(q.cursor) if q.cursor else None,
        limit=q.limit + 1,
    )
    more = len(rows) > q.limit
    rows = rows[: q.limit]
    return EventList(
        items=[event_out(r, now) for r in rows],
        next=encode_cursor(rows[-1]) if more else None,
    )


async def upcoming_rows(municipality_id: UUID | None, topic: str | None) -> list[dict[str, Any]]:
    """Rows for public pages: published and cancelled events that have not ended."""
    return await queries.public_events(
        municipality_id=municipality_id,
        topic=topic,
        ends_after=utc_now(),
        statuses=queries.PUBLIC_STATUSES,
    )


async def feed_rows(municipality_id: UUID | None, topic: str | None) -> list[dict[str, Any]]:
    return await queries.public_events(
        municipality_id=municipality_id,
        topic=topic,
        ends_after=utc_now() - FEED_HISTORY,
        statuses=queries.PUBLIC_STATUSES,
    )


async def feed_fingerprint(
    municipality_id: UUID | None, topic: str | None, *, history: bool = True
) -> dict[str, Any]:
    """Count, newest change and seats taken of a feed's events: one cheap query for ETags."""
    now = utc_now()
    return await queries.fingerprint(
        municipality_id=municipality_id,
        topic=topic,
        ends_after=(now - FEED_HISTORY) if history else now,
        statuses=queries.PUBLIC_STATUSES,
    )


async def organiser_events(actor: Principal) -> list[dict[str, Any]]:
    """Every event the organiser may manage (admins: all), newest first."""
    return await queries.events_of_municipalities(
        None if actor.is_admin else list(actor.municipality_ids)
    )


async def organiser_municipalities(actor: Principal) -> list[MunicipalityOut]:
    return [m for m in await list_municipalities() if actor.can_manage(_uuid(m.id))]


async def record_action(
    actor: Principal, action: str, event_id: Any = None, detail: str = ""
) -> None:
    """Other domains log organiser actions here (inside their transaction)."""
    await audit.record(actor, action, event_id, detail)
