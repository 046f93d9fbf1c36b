"""iCalendar (RFC 5545) for feeds, single events and, later, invitations (RFC 5546).

- Times carry TZID with a VTIMEZONE written as yearly RRULE transitions: Outlook mishandles the
  dated RDATE lists that icalendar's `add_missing_timezones()` writes.
- A course series (an event with sessions) is one VEVENT per session, no RRULE: sessions differ
  in time and place and one can be cancelled alone. A session's UID is derived from the event's
  and the session's ids (`session_uid`), so it is as stable as the event's.
- UID is stable per event; SEQUENCE comes from the event and grows with time/place/status changes;
  DTSTAMP is the event's last change, so a feed's bytes change only when an event does.
- Each VEVENT's bytes are cached by what they depend on (id, updated_at, …): a feed of a
  thousand events is a join of cached fragments after the first build. Feed fragments are
  written by `events.ics_text` (the same bytes as icalendar's, ~15× faster); `vevent` keeps
  returning an icalendar.Event for single events and invitations.
"""

from __future__ import annotations

import calendar as pycalendar
import functools
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import icalendar

from events import ics_text, topics
from events.rows import EventRow, SessionRow
from events.statuses import EventStatus
from traffpunkt import richtext
from traffpunkt.localtime import to_local, zone

PRODID = "-//Träffpunkt//traffpunkt 0.1//SV"
UID_DOMAIN = "traffpunkt"
REFRESH = timedelta(hours=1)


def uid(event_id: Any) -> str:
    return f"{event_id}@{UID_DOMAIN}"


def session_uid(event_id: Any, session_id: Any) -> str:
    return f"{event_id}-{session_id}@{UID_DOMAIN}"


def _rule_for(moment_local: datetime) -> dict[str, Any]:
    """A yearly RRULE that hits this local date: nth (or last) weekday of the month."""
    day, month, year = moment_local.day, moment_local.month, moment_local.year
    weekday = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")[moment_local.weekday()]
    last_day = pycalendar.monthrange(year, month)[1]
    nth = -1 if day + 7 > last_day else (day - 1) // 7 + 1
    return {"freq": "yearly", "bymonth": month, "byday": f"{nth}{weekday}"}


def _first_onset_1970(rule: dict[str, Any], hour: int, minute: int) -> datetime:
    month = rule["bymonth"]
    nth = int(rule["byday"][:-2])
    weekday = ("MO", "TU", "WE", "TH", "FR", "SA", "SU").index(rule["byday"][-2:])
    days = [
        d
        for d in range(1, pycalendar.monthrange(1970, month)[1] + 1)
        if datetime(1970, month, d).weekday() == weekday
    ]
    return datetime(1970, month, days[nth if nth < 0 else nth - 1], hour, minute)


@functools.cache
def vtimezone(tz_name: str, year: int | None = None) -> icalendar.Timezone:
    """VTIMEZONE with RRULE transitions derived from the zone's rules in `year` (default now)."""
    tz = zone(tz_name)
    year = year or datetime.now(UTC).year
    start = datetime(year, 1, 1, tzinfo=UTC)
    transitions: list[tuple[datetime, timedelta, timedelta, str]] = []
    prev = start.astimezone(tz)
    # Hourly scan of one year (cached per zone): every current zone changes offset on the hour.
    for hour in range(1, 366 * 24):
        moment = (start + timedelta(hours=hour)).astimezone(tz)
        before, after = prev.utcoffset(), moment.utcoffset()
        if after != before:
            assert before is not None and after is not None  # an aware time in a zone
            transitions.append((moment, before, after, moment.tzname() or ""))
        prev = moment
    component = icalendar.Timezone()
    component.add("tzid", tz_name)
    component.add("x-lic-location", tz_name)
    if not transitions:
        std = icalendar.TimezoneStandard()
        std.add("dtstart", datetime(1970, 1, 1))
        std.add("tzoffsetfrom", start.astimezone(tz).utcoffset())
        std.add("tzoffsetto", start.astimezone(tz).utcoffset())
        std.add("tzname", start.astimezone(tz).tzname())
        component.add_component(std)
        return component
    for moment, before, after, name in transitions:
        # Transition wall time is given in the offset in force before it (RFC 5545 3.6.5).
        wall = (moment.astimezone(UTC) + before).replace(tzinfo=None)
        rule = _rule_for(wall)
        sub = icalendar.TimezoneDaylight() if after > before else icalendar.TimezoneStandard()
        sub.add("dtstart", _first_onset_1970(rule, wall.hour, wall.minute))
        sub.add("rrule", rule)
        sub.add("tzoffsetfrom", before)
        sub.add("tzoffsetto", after)
        sub.add("tzname", name)
        component.add_component(sub)
    return component


def _session_location(row: EventRow, session: SessionRow) -> str | None:
    if session.online:
        return row.online_url or "Online"
    if session.venue_name:
        parts = [p for p in (session.venue_name, session.venue_address) if p]
        if row.municipality_name not in " ".join(parts):
            parts.append(row.municipality_name)
        return ", ".join(parts)
    return _location(row)


def _location(row: EventRow) -> str | None:
    parts = [p for p in (row.venue_name, row.venue_address) if p]
    if parts:
        if row.municipality_name and row.municipality_name not in " ".join(parts):
            parts.append(row.municipality_name)
        return ", ".join(parts)
    return row.online_url


def _properties(
    row: EventRow,
    event_url: str,
    status: str | None = None,
    session: SessionRow | None = None,
) -> list[tuple[str, Any]]:
    """The VEVENT properties of an event row (from events.queries), or of one session of a
    series, as (name, value) pairs.

    One list for both writers: `vevent` (icalendar, for single events and invitations) and the
    feed's fragments (`events.ics_text`, byte for byte what icalendar would write).
    """
    tz = row.timezone
    updated = row.updated_at.astimezone(UTC)
    description = richtext.to_plain(row.description)
    title, starts, ends, location = row.title, row.starts_at, row.ends_at, _location(row)
    if session is not None:
        title = f"{row.title} ({session.position}/{len(row.sessions)})"
        starts, ends = session.starts_at, session.ends_at
        location = _session_location(row, session)
    props: list[tuple[str, Any]] = [
        ("UID", uid(row.id) if session is None else session_uid(row.id, session.id)),
        ("DTSTAMP", updated),
        ("CREATED", row.created_at.astimezone(UTC)),
        ("LAST-MODIFIED", updated),
        ("SEQUENCE", row.sequence),
        ("SUMMARY", title),
        ("DESCRIPTION", f"{description}\n\n{event_url}" if description else event_url),
        ("DTSTART", to_local(starts, tz)),
        ("DTEND", to_local(ends, tz)),
    ]
    if location:
        props.append(("LOCATION", location))
    at_event_venue = session is None or not (session.online or session.venue_id)
    if at_event_venue and row.venue_latitude is not None and row.venue_longitude is not None:
        props.append(("GEO", (row.venue_latitude, row.venue_longitude)))
    props.append(("URL", event_url))
    cancelled = row.status == EventStatus.CANCELLED or (
        session is not None and session.cancelled_at is not None
    )
    state = status or ("CANCELLED" if cancelled else "CONFIRMED")
    props += [("STATUS", state), ("TRANSP", "OPAQUE"), ("CLASS", "PUBLIC")]
    if slugs := topics.decode(row.topics):
        lang = row.language
        labels = [topics.BY_SLUG[s].label(lang) for s in slugs if s in topics.BY_SLUG]
        props.append(("CATEGORIES", labels))
    return props


def vevent(
    row: EventRow,
    *,
    event_url: str,
    status: str | None = None,
    session: SessionRow | None = None,
) -> icalendar.Event:
    """The VEVENT of an event row (from events.queries) or of one of its sessions. Organiser
    text is escaped by icalendar."""
    ev = icalendar.Event()
    for name, value in _properties(row, event_url, status, session):
        ev.add(name, value)
    return ev


def vevents(row: EventRow, *, event_url: str, status: str | None = None) -> list[icalendar.Event]:
    """The VEVENTs of an event: its own, or one per session of a series (cancelled sessions
    say STATUS:CANCELLED, as a cancelled event does)."""
    if not row.sessions:
        return [vevent(row, event_url=event_url, status=status)]
    return [vevent(row, event_url=event_url, status=status, session=s) for s in row.sessions]


def calendar(
    name: str, description: str | None = None, method: str = "PUBLISH"
) -> icalendar.Calendar:
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    cal.add("x-wr-calname", name)
    cal.add("name", name)
    if description:
        cal.add("x-wr-caldesc", description)
    return cal


class _FragmentCache:
    """LRU of VEVENT bytes keyed by what they depend on."""

    def __init__(self, size: int = 20_000) -> None:
        self.size = size
        self.items: OrderedDict[tuple[Any, ...], bytes] = OrderedDict()

    def get(self, key: tuple[Any, ...]) -> bytes | None:
        value = self.items.get(key)
        if value is not None:
            self.items.move_to_end(key)
        return value

    def put(self, key: tuple[Any, ...], value: bytes) -> None:
        self.items[key] = value
        if len(self.items) > self.size:
            self.items.popitem(last=False)


_fragments = _FragmentCache()


def _fragment(row: EventRow, event_url: str) -> bytes:
    key = (
        str(row.id),
        row.updated_at,
        row.sequence,
        row.status,
        event_url,
        row.venue_name,
        row.venue_address,
        row.sessions,  # a series' sessions (with their venues' names) are in its fragment
    )
    cached = _fragments.get(key)
    if cached is None:
        if row.sessions:
            cached = b"".join(
                ics_text.vevent(_properties(row, event_url, session=s)) for s in row.sessions
            )
        else:
            cached = ics_text.vevent(_properties(row, event_url))
        _fragments.put(key, cached)
    return cached


def feed(
    rows: list[EventRow],
    *,
    name: str,
    description: str | None,
    tz_name: str,
    url_for: Callable[[EventRow], str],
) -> bytes:
    """A PUBLISH feed: header, one VTIMEZONE per zone used, the events (no attendees)."""
    cal = calendar(name, description)
    cal.add("x-wr-timezone", tz_name)
    cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT1H")  # a plain DURATION text, as Outlook expects
    for tz in sorted({tz_name, *(r.timezone for r in rows)}):
        cal.add_component(vtimezone(tz))
    head = bytes(cal.to_ical())
    end = b"END:VCALENDAR\r\n"
    assert head.endswith(end)
    body = b"".join(_fragment(r, url_for(r)) for r in rows)
    return head[: -len(end)] + body + end


def single(row: EventRow, *, event_url: str, name: str) -> bytes:
    cal = calendar(name)
    cal.add_component(vtimezone(row.timezone))
    for ev in vevents(row, event_url=event_url):
        cal.add_component(ev)
    return bytes(cal.to_ical())
