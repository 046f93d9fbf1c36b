"""A course series in attendees' calendars: one VEVENT per session, a cancelled session alone."""

from __future__ import annotations

from typing import Any

import httpx
import vobject

from events import service as events_service
from events.schemas import SessionIn, SessionsIn
from notifications.worker import Sender
from tests.notifications.conftest import Recorder
from tests.notifications.test_mail_content import calendar_of
from traffpunkt.settings import Settings

SESSIONS = SessionsIn(
    sessions=[
        SessionIn(starts_at="2027-03-04T09:00", ends_at="2027-03-04T12:00"),
        SessionIn(starts_at="2027-03-11T09:00", ends_at="2027-03-11T12:00", online=True),
        SessionIn(starts_at="2027-03-18T09:00", ends_at="2027-03-18T12:00"),
        SessionIn(starts_at="2027-04-01T09:00", ends_at="2027-04-01T12:00"),
    ]
)


async def test_series_invitation_and_one_cancelled_session(
    event: dict[str, Any],
    client: httpx.AsyncClient,
    mail_settings: Settings,
    smtp: Recorder,
) -> None:
    admin, event_id = event["admin"], str(event["id"])
    sessions = (await events_service.set_sessions(admin, event_id, SESSIONS)).items
    r = await client.post(
        f"/api/v1/events/{event_id}/registrations",
        json={"name": "Anna Berg", "email": "anna@example.se"},
    )
    assert r.status_code in (200, 201), r.text
    await Sender(mail_settings).run_once()
    (confirmed,) = smtp.messages
    cal, method = calendar_of(confirmed)
    assert method == cal["METHOD"] == "REQUEST"
    vevents = cal.walk("VEVENT")
    assert [str(v["UID"]) for v in vevents] == [f"{event_id}-{s.id}@traffpunkt" for s in sessions]
    assert len({int(v["SEQUENCE"]) for v in vevents}) == 1
    assert str(vevents[1]["LOCATION"]) == "Online"
    assert "Folkets hus" in str(vevents[0]["LOCATION"])
    assert str(vevents[3]["SUMMARY"]).endswith("(4/4)")
    assert vevents[3].decoded("DTSTART").utcoffset().total_seconds() == 7200  # summer time
    assert all(str(v["ATTENDEE"]) == "mailto:anna@example.se" for v in vevents)
    # A second parser reads four events too.
    parsed = vobject.readOne(calendar_of_text(confirmed))
    assert len(parsed.vevent_list) == 4

    await events_service.cancel_session(admin, event_id, sessions[2].id)
    await Sender(mail_settings).run_once()
    (cancel,) = smtp.messages[1:]
    cal2, method2 = calendar_of(cancel)
    assert method2 == cal2["METHOD"] == "CANCEL"
    (only,) = cal2.walk("VEVENT")
    assert str(only["UID"]) == f"{event_id}-{sessions[2].id}@traffpunkt"
    assert str(only["STATUS"]) == "CANCELLED"
    assert int(only["SEQUENCE"]) > int(vevents[2]["SEQUENCE"])
    assert "18 mars" in parts_text(cancel)  # which session, in the attendee's language

    # A later invitation (a change) carries the three sessions that remain.
    await events_service.set_sessions(
        admin,
        event_id,
        SessionsIn(
            sessions=[
                SessionIn(
                    id=s.id,
                    starts_at=f.starts_at,
                    ends_at="2027-03-04T12:30" if i == 0 else f.ends_at,
                    online=f.online,
                )
                for i, (s, f) in enumerate(zip(sessions, SESSIONS.sessions, strict=True))
                if i != 2
            ]
        ),
    )
    await Sender(mail_settings).run_once()
    (changed,) = smtp.messages[2:]
    cal3, _ = calendar_of(changed)
    assert len(cal3.walk("VEVENT")) == 3
    assert int(cal3.walk("VEVENT")[0]["SEQUENCE"]) > int(only["SEQUENCE"])


def calendar_of_text(msg: Any) -> str:
    for part in msg.walk():
        if part.get_content_type() == "text/calendar":
            return str(part.get_content())
    raise AssertionError("no calendar")


def parts_text(msg: Any) -> str:
    for part in msg.walk():
        if part.get_content_type() == "text/plain":
            return str(part.get_content())
    raise AssertionError("no text")
