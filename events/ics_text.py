"""A small, fast writer of the feed's VEVENTs: the same bytes as icalendar's `Event.to_ical()`.

icalendar spends ~0.3 ms on each VEVENT of a feed (property objects, then folding character by
character); a cold feed of a thousand events took ~300 ms. This writes the properties that
`events.ics._properties` gives (one list feeds both this and `events.ics.vevent`, so the two
cannot drift) straight to bytes, with the rules icalendar follows:

- property order: the VEVENT canonical order (SUMMARY, DTSTART, DTEND, DTSTAMP, UID, SEQUENCE),
  then the rest alphabetically;
- TEXT escaping (RFC 5545 3.3.11): backslash, semicolon, comma; CRLF, LF and a lone CR become
  the two characters `\\n`. Like icalendar, a literal `\\N` in the text is read as a newline;
- DATE-TIME: `DTSTART;TZID=Europe/Stockholm:20270304T090000`, `…Z` for UTC (no TZID), seconds
  kept, microseconds dropped. The TZID parameter of each zone is asked of icalendar once;
- folding: a content line over 74 octets is cut into pieces of at most 74 octets on UTF-8
  character boundaries, joined by CRLF and one space (so no physical line exceeds 75 octets),
  and a piece never ends in `\\` or `^` (kept with the next piece, so an escape is not split).

tests/events/test_ics_text.py checks the bytes against icalendar and reads them back with
icalendar and vobject. Everything else (VCALENDAR, VTIMEZONE, invitations) stays icalendar's.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, tzinfo
from typing import Any

import icalendar

ENCODING = "utf-8"
FOLD_AT = 74  # octets of one piece of a folded line (icalendar's rule; RFC 5545 allows 75)
_BACKSLASH, _CARET = 0x5C, 0x5E


def escape_text(value: str) -> str:
    """RFC 5545 TEXT escaping, in icalendar's order (which makes `\\N` a newline first)."""
    return (
        value.replace("\\N", "\n")
        .replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: bytes) -> bytes:
    """A content line (no line break inside) folded as icalendar folds it."""
    end = len(line)
    if end <= FOLD_AT:
        return line
    pieces = []
    start = 0
    while end - start > FOLD_AT:
        cut = start + FOLD_AT
        while line[cut] & 0xC0 == 0x80:  # inside a multi-byte character: cut before it
            cut -= 1
        if line[cut - 1] in (_BACKSLASH, _CARET) and cut - 1 > start:
            cut -= 1
        pieces.append(line[start:cut])
        start = cut
    pieces.append(line[start:])
    return b"\r\n ".join(pieces)


@functools.cache
def _datetime_form(tz: tzinfo | None) -> tuple[str, str]:
    """(parameters, suffix) of a DATE-TIME in this zone, as icalendar writes them.

    `(";TZID=Europe/Stockholm", "")` for a zone, `("", "Z")` for UTC and the zones icalendar
    knows to be UTC, `("", "")` for a floating time.
    """
    value = icalendar.vDDDTypes(datetime(2000, 1, 1, tzinfo=tz))
    params = value.params.to_ical().decode(ENCODING)
    return (f";{params}" if params else ""), ("Z" if value.to_ical().endswith(b"Z") else "")


def _text(value: str) -> tuple[str, str]:
    return "", escape_text(value)


def _datetime(value: datetime) -> tuple[str, str]:
    params, suffix = _datetime_form(value.tzinfo)
    return params, (
        f"{value.year:04}{value.month:02}{value.day:02}"
        f"T{value.hour:02}{value.minute:02}{value.second:02}{suffix}"
    )


def _integer(value: int) -> tuple[str, str]:
    return "", str(int(value))


def _geo(value: Sequence[float]) -> tuple[str, str]:
    return "", f"{float(value[0])};{float(value[1])}"


def _uri(value: str) -> tuple[str, str]:
    if "\r" in value or "\n" in value:
        raise ValueError(f"A URI value may not contain CR or LF characters: {value!r}")
    return "", value


def _categories(value: Iterable[str]) -> tuple[str, str]:
    return "", ",".join(escape_text(c) for c in value)


# The value type of every property `events.ics._properties` may give; another name is an error
# here (and in the tests), not a silently different serialisation.
WRITERS: dict[str, Callable[[Any], tuple[str, str]]] = {
    "UID": _text,
    "SUMMARY": _text,
    "DESCRIPTION": _text,
    "LOCATION": _text,
    "STATUS": _text,
    "TRANSP": _text,
    "CLASS": _text,
    "DTSTAMP": _datetime,
    "CREATED": _datetime,
    "LAST-MODIFIED": _datetime,
    "DTSTART": _datetime,
    "DTEND": _datetime,
    "SEQUENCE": _integer,
    "GEO": _geo,
    "URL": _uri,
    "CATEGORIES": _categories,
}


@functools.cache
def _order(names: tuple[str, ...]) -> tuple[int, ...]:
    """Positions of `names` in icalendar's order: canonical ones first, then alphabetical."""
    canonical = icalendar.Event.canonical_order
    rank = {name: i for i, name in enumerate(canonical)}
    return tuple(
        sorted(range(len(names)), key=lambda i: (rank.get(names[i], len(canonical)), names[i]))
    )


def content_line(name: str, value: Any) -> bytes:
    params, text = WRITERS[name](value)
    return fold(f"{name}{params}:{text}".encode(ENCODING))


def vevent(properties: Sequence[tuple[str, Any]]) -> bytes:
    """`BEGIN:VEVENT … END:VEVENT` (CRLF after each line) of (UPPER-CASE name, value) pairs."""
    names = tuple(name for name, _ in properties)
    lines = [b"BEGIN:VEVENT"]
    for i in _order(names):
        name, value = properties[i]
        lines.append(content_line(name, value))
    lines.append(b"END:VEVENT\r\n")
    return b"\r\n".join(lines)
