"""Calendar invitations by mail (iTIP, RFC 5546; iMIP, RFC 6047).

REQUEST for a new seat and every later change, CANCEL (with STATUS:CANCELLED) when the event or
the registration is cancelled. UID and SEQUENCE come from the event (events.ics), so an update
replaces the entry that the first invitation created. ORGANIZER is the configured organiser
mailbox, never the recipient; the recipient is the only ATTENDEE. Replies are not processed.

A course series (an event with sessions) is one VEVENT per session, each with its own UID
(`events.ics.session_uid`) and the event's SEQUENCE: a REQUEST carries every session that is
not cancelled; cancelling one session sends a CANCEL with that session's VEVENT alone.
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import UTC, datetime
from typing import Any

import icalendar

from events import ics
from events.rows import EventRow


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _mailto(address: str) -> str:
    # Addresses were validated on the way in; a CR or LF here would break the ICS line.
    clean = address.replace("\r", "").replace("\n", "").strip()
    return f"mailto:{clean}"


def _attendee(attendee_email: str, attendee_name: str) -> icalendar.vCalAddress:
    attendee = icalendar.vCalAddress(_mailto(attendee_email))
    attendee.params.update(
        {
            "CN": _one_line(attendee_name) or attendee_email,
            "ROLE": "REQ-PARTICIPANT",
            "PARTSTAT": "NEEDS-ACTION",
            "RSVP": "TRUE",
            "CUTYPE": "INDIVIDUAL",
        }
    )
    return attendee


def build_invitation(
    row: EventRow,
    *,
    method: str,
    organiser_mailbox: str,
    organiser_name: str,
    attendee: icalendar.vCalAddress,
    event_url: str,
    sequence_offset: int,
    now: datetime,
    session_id: str | None = None,
) -> bytes:
    """The invitation, written by icalendar from scratch (`invitation` caches most of it).
    `session_id`: this one session of a series alone (its cancellation)."""
    if method not in ("REQUEST", "CANCEL"):
        raise ValueError(f"unsupported iTIP method {method!r}")
    cal = ics.calendar(row.title, method=method)
    cal.add_component(ics.vtimezone(row.timezone))
    status = "CANCELLED" if method == "CANCEL" else "CONFIRMED"
    if not row.sessions:
        events = [ics.vevent(row, event_url=event_url, status=status)]
    else:
        chosen = [
            s
            for s in row.sessions
            if (str(s.id) == session_id if session_id else s.cancelled_at is None)
        ]
        events = [ics.vevent(row, event_url=event_url, status=status, session=s) for s in chosen]
    for ev in events:
        ev.pop("DTSTAMP")
        ev.add("dtstamp", now)
        ev.pop("SEQUENCE")
        ev.add("sequence", row.sequence + sequence_offset)
        organizer = icalendar.vCalAddress(_mailto(organiser_mailbox))
        organizer.params["CN"] = _one_line(organiser_name)
        ev.add("organizer", organizer)
        ev.add("attendee", attendee)
        cal.add_component(ev)
    return bytes(cal.to_ical())


# Writing the calendar costs ~0.5 ms, nearly all of it the same for every attendee of an event:
# it is written once per event version with placeholder ATTENDEE and DTSTAMP lines, and each
# mail gets its own two lines (written by icalendar, as in the full calendar) spliced in.
_PLACEHOLDER_ATTENDEE = icalendar.vCalAddress("mailto:attendee@placeholder.invalid")
_PLACEHOLDER_NOW = datetime(1970, 1, 1, tzinfo=UTC)


def _property_line(name: str, value: Any) -> bytes:
    """One property as icalendar writes it inside a VEVENT (escaped, folded, CRLF)."""
    ev = icalendar.Event()
    ev.add(name, value)
    lines = ev.to_ical().split(b"\r\n")
    # BEGIN:VEVENT, the property's (folded) lines, END:VEVENT, "".
    return b"\r\n".join(lines[1:-2]) + b"\r\n"


_templates: OrderedDict[tuple[Any, ...], bytes | None] = OrderedDict()
_TEMPLATES_KEPT = 256
_ATTENDEE_MARK = b"\r\n" + _property_line("attendee", _PLACEHOLDER_ATTENDEE)
_DTSTAMP_MARK = b"\r\n" + _property_line("dtstamp", _PLACEHOLDER_NOW)


def _template(
    row: EventRow,
    method: str,
    organiser_mailbox: str,
    organiser_name: str,
    event_url: str,
    sequence_offset: int,
    session_id: str | None = None,
) -> bytes | None:
    """The calendar with placeholder ATTENDEE and DTSTAMP lines, once in each VEVENT; None if
    they cannot be found so (then every calendar is written whole). Kept per event version: the
    key holds every value of the row (a series' sessions too)."""
    key = (row, method, organiser_mailbox, organiser_name, event_url, sequence_offset, session_id)
    if key in _templates:
        _templates.move_to_end(key)
        return _templates[key]
    whole = build_invitation(
        row,
        method=method,
        organiser_mailbox=organiser_mailbox,
        organiser_name=organiser_name,
        attendee=_PLACEHOLDER_ATTENDEE,
        event_url=event_url,
        sequence_offset=sequence_offset,
        now=_PLACEHOLDER_NOW,
        session_id=session_id,
    )
    n = whole.count(b"\r\nBEGIN:VEVENT\r\n")
    marked = whole.count(_ATTENDEE_MARK) == n and whole.count(_DTSTAMP_MARK) == n
    _templates[key] = whole if marked else None
    if len(_templates) > _TEMPLATES_KEPT:
        _templates.popitem(last=False)
    return _templates[key]


def invitation(
    row: EventRow,
    *,
    method: str,
    organiser_mailbox: str,
    organiser_name: str,
    attendee_email: str,
    attendee_name: str,
    event_url: str,
    sequence_offset: int,
    now: datetime,
    session_id: str | None = None,
) -> bytes:
    """The iTIP calendar of one attendee: byte for byte what `build_invitation` writes."""
    attendee = _attendee(attendee_email, attendee_name)
    template = _template(
        row, method, organiser_mailbox, organiser_name, event_url, sequence_offset, session_id
    )
    if template is None:
        return build_invitation(
            row,
            method=method,
            organiser_mailbox=organiser_mailbox,
            organiser_name=organiser_name,
            attendee=attendee,
            event_url=event_url,
            sequence_offset=sequence_offset,
            now=now,
            session_id=session_id,
        )
    # DTSTAMP first: its value is ours, so the attendee's text can never be mistaken for a mark
    # (and `replace` does not look again at what it put in). One of each per VEVENT.
    return template.replace(_DTSTAMP_MARK, b"\r\n" + _property_line("dtstamp", now)).replace(
        _ATTENDEE_MARK, b"\r\n" + _property_line("attendee", attendee)
    )
