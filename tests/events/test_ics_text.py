"""The feed's fast VEVENT writer (events.ics_text) against icalendar's, for awkward organiser text.

Pure functions, no database: rows are plain dicts shaped like events.queries rows. For every row
the fast fragment must
- be the same bytes as icalendar's `Event.to_ical()` of `ics.vevent` (subscribers see no change);
- read back, wrapped in a VCALENDAR with the zone's VTIMEZONE, by icalendar and by vobject to
  the same values as icalendar's fragment, and those values must be the row's (text, instants,
  categories);
- be well formed: CRLF after every line, no bare CR or LF, no physical line over 75 octets, no
  line that splits a UTF-8 character, continuation lines starting with one space.
"""

from __future__ import annotations

import functools
import uuid
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import msgspec
import pytest
import vobject
from dateutil.tz import gettz
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from icalendar.parser import Contentline

from events import ics, ics_text, topics
from events.rows import EventRow
from traffpunkt.localtime import to_local

ZONES = ("Europe/Stockholm", "Europe/Helsinki", "America/St_Johns", "UTC")
CALENDAR_END = b"END:VCALENDAR\r\n"

# Pieces that are awkward for escaping and folding, mixed with arbitrary characters.
AWKWARD = (
    *"åäöÅÄÖé,;:\\^\"' \t\r\n",
    "\r\n",
    "\\n",
    "\\N",
    "\\,",
    "\\\\",
    "e\u0301",  # e + combining acute
    "\u0301",
    "🎉",
    "👩\u200d👩\u200d👧",  # family: emoji joined by zero-width joiners
    "中文",
    "\u2028",
    "x" * 80,
    "ö" * 40,
    "🎉" * 20,
    "Kaffe, bullar; och \\ backslash",
)
awkward_text = st.lists(
    st.one_of(st.sampled_from(AWKWARD), st.characters(codec="utf-8")), max_size=60
).map("".join)
moments = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31), timezones=st.just(UTC)
)
urls = st.builds(
    lambda path: f"https://traffpunkt.example.se/events/{path}",
    st.from_regex(r"[a-z0-9]+(-[a-z0-9]+){0,30}", fullmatch=True),
)


def event_row(**values: Any) -> dict[str, Any]:
    """A row as events.queries returns it (event columns plus municipality and venue)."""
    starts = datetime(2027, 3, 4, 8, 0, tzinfo=UTC)
    row = {
        "id": uuid.UUID("0b9d6a5e-8a4e-4c1e-9d59-6d1f3e2a7c10"),
        "slug": "frukostmote",
        "title": "Frukostmöte",
        "description": "",
        "kind": "seminar",
        "status": "published",
        "starts_at": starts,
        "ends_at": starts + timedelta(hours=2),
        "capacity": None,
        "seats_taken": 0,
        "waiting": 0,
        "registration_opens_at": None,
        "registration_closes_at": None,
        "topics": "",
        "language": "sv",
        "online_url": None,
        "reminder_hours": 24,
        "sequence": 0,
        "published_at": starts - timedelta(days=20),
        "cancelled_at": None,
        "created_at": starts - timedelta(days=30, microseconds=-123_456),
        "updated_at": starts - timedelta(days=3),
        "municipality_id": uuid.UUID("5a3f7d4c-0f0e-4d8a-8a57-51e6a1c2b3d4"),
        "municipality_slug": "asele",
        "municipality_name": "Åsele",
        "municipality_region": "Västerbotten",
        "timezone": "Europe/Stockholm",
        "contact_email": None,
        "contact_phone": None,
        "venue_id": None,
        "venue_name": None,
        "venue_address": None,
        "venue_capacity": None,
        "venue_latitude": None,
        "venue_longitude": None,
        "venue_accessibility": None,
        "completion_min_sessions": None,
        "completion_requires_exam": False,
        "report_fields": "",
        "municipality_report_fields": "",
    }
    return row | values


@st.composite
def rows(draw: st.DrawFn) -> dict[str, Any]:
    starts = draw(moments)
    created = draw(moments)
    venue = draw(st.booleans())
    geo = st.none() | st.floats(-90, 90) if venue else st.none()
    slugs = [*topics.BY_SLUG, "no-such-topic"]
    return event_row(
        id=draw(st.uuids()),
        title=draw(awkward_text),
        description=draw(st.just("") | awkward_text),
        status=draw(st.sampled_from(["published", "cancelled"])),
        starts_at=starts,
        ends_at=starts + draw(st.timedeltas(timedelta(0), timedelta(days=3))),
        created_at=created,
        updated_at=created + draw(st.timedeltas(timedelta(0), timedelta(days=400))),
        sequence=draw(st.integers(0, 2**31 - 1)),
        topics=topics.encode(draw(st.lists(st.sampled_from(slugs), unique=True, max_size=4))),
        language=draw(st.sampled_from(["sv", "en"])),
        online_url=draw(st.none() | st.just("https://meet.example.se/a,b;c?x=1\\y")),
        timezone=draw(st.sampled_from(ZONES)),
        municipality_name=draw(awkward_text),
        venue_id=uuid.uuid4() if venue else None,
        venue_name=draw(awkward_text) if venue else None,
        venue_address=draw(st.none() | awkward_text) if venue else None,
        venue_latitude=draw(geo),
        venue_longitude=draw(st.floats(-180, 180)) if venue else None,
    )


# --- helpers ---------------------------------------------------------------------------------


def typed(row: dict[str, Any]) -> EventRow:
    """The test's row as events.queries hands it out (a typed row)."""
    return msgspec.convert(row, EventRow)


def fast(row: dict[str, Any], url: str) -> bytes:
    return ics_text.vevent(ics._properties(typed(row), url))


def reference(row: dict[str, Any], url: str) -> bytes:
    return bytes(ics.vevent(typed(row), event_url=url).to_ical())


@functools.cache
def _calendar_head(tz_name: str) -> bytes:
    cal = ics.calendar("Träffpunkt – test")
    cal.add_component(ics.vtimezone(tz_name))
    return cal.to_ical()[: -len(CALENDAR_END)]


def wrap(tz_name: str, fragment: bytes) -> bytes:
    return _calendar_head(tz_name) + fragment + CALENDAR_END


def normalised(text: str) -> str:
    """What a client reads back from organiser text: line breaks become LF, and (icalendar's
    escaping, kept by the fast writer) a literal backslash-N is a line break too."""
    return text.replace("\\N", "\n").replace("\r\n", "\n").replace("\r", "\n")


def _instant(value: Any) -> Any:
    return value.astimezone(UTC) if isinstance(value, datetime) else value


def read_icalendar(data: bytes) -> dict[str, Any]:
    """The VEVENT's decoded values, as icalendar reads them."""
    (event,) = icalendar.Calendar.from_ical(data).walk("VEVENT")
    out: dict[str, Any] = {}
    for name in event:
        if name == "CATEGORIES":
            out[name] = [str(c) for c in event[name].cats]
        elif name == "GEO":
            out[name] = (event[name].latitude, event[name].longitude)
        else:
            out[name] = _instant(event.decoded(name))
    return out


def read_vobject(data: bytes) -> dict[str, Any]:
    """The VEVENT's values, as vobject reads them (datetimes through our VTIMEZONE)."""
    event = vobject.readOne(data.decode("utf-8")).vevent
    out: dict[str, Any] = {}
    for name, lines in event.contents.items():
        (line,) = lines
        out[name.upper()] = _instant(line.value)
    return out


def check_well_formed(fragment: bytes) -> None:
    assert fragment.startswith(b"BEGIN:VEVENT\r\n") and fragment.endswith(b"END:VEVENT\r\n")
    physical = fragment[: -len(b"\r\n")].split(b"\r\n")
    for line in physical:
        assert b"\r" not in line and b"\n" not in line, line
        assert len(line) <= 75, (len(line), line)
        line.decode("utf-8")  # no multi-byte character split across lines
        if not line.startswith(b" "):  # a content line, not a continuation
            name = line.split(b":", 1)[0].split(b";", 1)[0].decode()
            assert name in ("BEGIN", "END") or name in ics_text.KINDS, line
    # Unfolding (drop CRLF + one space) gives back lines that each start with a property.
    unfolded = fragment.replace(b"\r\n ", b"").split(b"\r\n")[:-1]
    assert all(not line.startswith(b" ") for line in unfolded)


# --- the fragment, whole ---------------------------------------------------------------------


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(row=rows(), url=urls)
@example(row=event_row(), url="https://traffpunkt.example.se/events/frukostmote")
@example(
    row=event_row(
        title="Sommar; möte, i Åsele \\N 🎉 e\u0301",
        description="Kaffe, bullar; och\r\nen ny rad \\ backslash\r" + "åäö" * 50,
        topics=" e-commerce no-such-topic bookkeeping ",
        venue_name="Folkets hus; stora salen",
        venue_address="Storgatan 1, Åsele",
        venue_latitude=64.16,
        venue_longitude=17.35,
        timezone="UTC",
        status="cancelled",
    ),
    url="https://traffpunkt.example.se/events/" + "-".join(["sommar"] * 20),
)
@example(row=event_row(topics=" no-such-topic ", description=" \n "), url="https://t.se/e/x")
def test_fast_fragment_is_icalendars_and_reads_back_the_same(row: dict[str, Any], url: str) -> None:
    ours, theirs = fast(row, url), reference(row, url)
    check_well_formed(ours)
    tz_name = row["timezone"]
    ical_ours, ical_theirs = (
        read_icalendar(wrap(tz_name, ours)),
        read_icalendar(wrap(tz_name, theirs)),
    )
    vobj_ours, vobj_theirs = read_vobject(wrap(tz_name, ours)), read_vobject(wrap(tz_name, theirs))
    assert ical_ours == ical_theirs
    assert vobj_ours == vobj_theirs
    assert ours == theirs  # and, today, byte for byte

    # The values are the row's, in both parsers.
    description = row["description"].strip()
    expected_text = {
        "UID": f"{row['id']}@traffpunkt",
        "SUMMARY": normalised(row["title"]),
        "DESCRIPTION": normalised(f"{description}\n\n{url}" if description else url),
        "URL": url,
        "STATUS": "CANCELLED" if row["status"] == "cancelled" else "CONFIRMED",
        "TRANSP": "OPAQUE",
        "CLASS": "PUBLIC",
    }
    if location := ics._location(typed(row)):
        expected_text["LOCATION"] = normalised(location)
    for values in (ical_ours, vobj_ours):
        for name, text in expected_text.items():
            assert str(values[name]) == text, name
        assert int(values["SEQUENCE"]) == row["sequence"]
        for name, column in (("DTSTAMP", "updated_at"), ("CREATED", "created_at")):
            assert values[name] == row[column].replace(microsecond=0)
        assert values["LAST-MODIFIED"] == row["updated_at"].replace(microsecond=0)
    labels = [
        topics.BY_SLUG[s].label(row["language"])
        for s in topics.decode(row["topics"])
        if s in topics.BY_SLUG
    ]
    if row["topics"].strip():
        # Only unknown slugs (the API refuses them) give "CATEGORIES:", read as one empty category.
        assert ical_ours["CATEGORIES"] == vobj_ours["CATEGORIES"] == (labels or [""])
    else:
        assert "CATEGORIES" not in ical_ours and "CATEGORIES" not in vobj_ours
    if row["venue_latitude"] is not None:
        assert ical_ours["GEO"] == (row["venue_latitude"], row["venue_longitude"])
    # Local times are the row's instants (icalendar reads the TZID as the IANA zone). A wall
    # time in the autumn overlap names two instants; iCalendar takes the first.
    for name, column in (("DTSTART", "starts_at"), ("DTEND", "ends_at")):
        local = to_local(row[column], tz_name)
        if local.replace(fold=0).utcoffset() == local.replace(fold=1).utcoffset():
            assert ical_ours[name] == row[column].replace(microsecond=0), name


# --- the pieces ------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(value=awkward_text)
def test_text_escaping_is_icalendars(value: str) -> None:
    escaped = ics_text.escape_text(value)
    assert escaped == icalendar.vText(value).to_ical().decode("utf-8")
    assert "\r" not in escaped and "\n" not in escaped


@settings(max_examples=300, deadline=None)
@given(name=st.sampled_from(["SUMMARY", "DESCRIPTION", "X"]), value=awkward_text)
def test_folding_is_icalendars(name: str, value: str) -> None:
    line = f"{name}:{ics_text.escape_text(value)}"
    folded = ics_text.fold(line.encode("utf-8"))
    assert folded == Contentline(line).to_ical()
    pieces = folded.split(b"\r\n")
    assert all(len(p) <= 75 for p in pieces)
    assert all(p.startswith(b" ") for p in pieces[1:])
    assert b"".join(p[1:] if i else p for i, p in enumerate(pieces)).decode("utf-8") == line


@pytest.mark.parametrize(
    ("line", "pieces"),
    [
        ("x" * 74, ["x" * 74]),  # icalendar keeps a line under 75 octets
        ("x" * 75, ["x" * 74, " x"]),
        ("x" * 148 + "y", ["x" * 74, " " + "x" * 74, " y"]),
        ("x" * 73 + "ö", ["x" * 73, " ö"]),  # never split a two-byte character
        ("x" * 72 + "🎉", ["x" * 72, " 🎉"]),  # nor a four-byte one
        ("x" * 73 + "\\,y", ["x" * 73, " \\,y"]),  # nor an escape
        ("x" * 73 + "^y", ["x" * 73, " ^y"]),
    ],
)
def test_fold_examples(line: str, pieces: list[str]) -> None:
    assert ics_text.fold(line.encode()).decode() == "\r\n".join(pieces)
    assert ics_text.fold(line.encode()) == Contentline(line).to_ical()


@pytest.mark.parametrize(
    "tz",
    [
        ZoneInfo("Europe/Stockholm"),
        ZoneInfo("America/St_Johns"),
        ZoneInfo("Etc/UTC"),  # a zone icalendar knows to be UTC: Z, as icalendar writes it
        ZoneInfo("Europe/London"),  # UTC+0 in winter, still a zone
        UTC,
        timezone(timedelta(hours=2)),
        gettz("Europe/Stockholm"),
        None,  # floating
    ],
    ids=str,
)
def test_datetimes_are_written_as_icalendar_writes_them(tz: Any) -> None:
    for moment in (datetime(2027, 1, 4, 9, 0, 5, 999_999), datetime(2027, 7, 4, 23, 59, 59)):
        value = moment.replace(tzinfo=tz)
        ev = icalendar.Event()
        ev.add("DTSTART", value)
        assert ics_text.content_line("DTSTART", value) == ev.content_line("DTSTART", ev["DTSTART"])
    stockholm = datetime(2027, 3, 4, 9, 0, 5, 999_999, tzinfo=ZoneInfo("Europe/Stockholm"))
    assert ics_text.content_line("DTSTART", stockholm) == (
        "DTSTART;TZID=Europe/Stockholm:20270304T090005"
    )
    utc = datetime(2027, 3, 4, 8, 0, tzinfo=UTC)
    assert ics_text.content_line("DTSTAMP", utc) == "DTSTAMP:20270304T080000Z"


def test_only_known_properties() -> None:
    with pytest.raises(KeyError):
        ics_text.vevent([("ATTENDEE", "mailto:a@example.se")])
    with pytest.raises(ValueError, match="CR or LF"):
        ics_text.vevent([("URL", "https://example.se/\r\nX-EVIL:1")])


def test_rows_here_are_shaped_like_the_query_rows() -> None:
    from events.queries import _EVENT_COLUMNS

    columns = {getattr(c, "_alias", None) or c._meta.name for c in _EVENT_COLUMNS}
    # `sessions` is filled by the service (events.service.with_sessions), not by the SELECT.
    assert set(event_row()) == columns == set(EventRow.__struct_fields__) - {"sessions"}


def test_vevent_still_gives_an_icalendar_event_and_the_feed_the_same_bytes() -> None:
    base = datetime(2027, 5, 1, 7, 0, tzinfo=UTC)
    events = [
        event_row(
            id=uuid.uuid4(),
            slug=f"mote-{i}",
            title=f"Möte {i}; fika, prat \\ mer",
            description="Rad ett\nrad två " + "lång " * 30,
            starts_at=base + timedelta(days=i * 40),
            ends_at=base + timedelta(days=i * 40, hours=2),
            topics=" tourism export ",
            timezone=ZONES[i % len(ZONES)],
        )
        for i in range(8)
    ]
    assert isinstance(ics.vevent(typed(events[0]), event_url="https://t.se/e"), icalendar.Event)
    url_for = lambda r: f"https://traffpunkt.example.se/events/{r.slug}"  # noqa: E731
    ics._fragments.items.clear()
    body = ics.feed(
        [typed(e) for e in events],
        name="Åsele",
        description="Möten",
        tz_name="Europe/Stockholm",
        url_for=url_for,
    )
    # What the feed was before events.ics_text: icalendar's fragments after the same header.
    head = body[: body.index(b"BEGIN:VEVENT")]
    expected = head + b"".join(reference(r, url_for(typed(r))) for r in events) + CALENDAR_END
    assert body == expected
    cal = icalendar.Calendar.from_ical(body)
    assert len(cal.walk("VEVENT")) == 8 and len(cal.walk("VTIMEZONE")) == len(ZONES)
    assert len(vobject.readOne(body.decode()).vevent_list) == 8
    ics._fragments.items.clear()
