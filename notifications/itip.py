"""Calendar invitations by mail (iTIP, RFC 5546; iMIP, RFC 6047).

REQUEST for a new seat and every later change, CANCEL (with STATUS:CANCELLED) when the event or
the registration is cancelled. UID and SEQUENCE come from the event (events.ics), so an update
replaces the entry that the first invitation created. ORGANIZER is the configured organiser
mailbox, never the recipient; the recipient is the only ATTENDEE. Replies are not processed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import icalendar

from events import ics


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _mailto(address: str) -> str:
    # Addresses were validated on the way in; a CR or LF here would break the ICS line.
    clean = address.replace("\r", "").replace("\n", "").strip()
    return f"mailto:{clean}"


def invitation(
    row: dict[str, Any],
    *,
    method: str,
    organiser_mailbox: str,
    organiser_name: str,
    attendee_email: str,
    attendee_name: str,
    event_url: str,
    sequence_offset: int,
    now: datetime,
) -> bytes:
    if method not in ("REQUEST", "CANCEL"):
        raise ValueError(f"unsupported iTIP method {method!r}")
    cal = ics.calendar(row["title"], method=method)
    cal.add_component(ics.vtimezone(row["timezone"]))
    ev = ics.vevent(
        row, event_url=event_url, status="CANCELLED" if method == "CANCEL" else "CONFIRMED"
    )
    ev.pop("DTSTAMP")
    ev.add("dtstamp", now)
    ev.pop("SEQUENCE")
    ev.add("sequence", row["sequence"] + sequence_offset)
    organizer = icalendar.vCalAddress(_mailto(organiser_mailbox))
    organizer.params["CN"] = _one_line(organiser_name)
    ev.add("organizer", organizer)
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
    ev.add("attendee", attendee)
    cal.add_component(ev)
    return cal.to_ical()
