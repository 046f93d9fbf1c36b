"""Mail as people and calendar programs get it: MIME, languages, links, QR, iTIP."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Any

import icalendar
import pytest
import vobject
import zxingcpp
from PIL import Image

from events import service as events_service
from events.schemas import EventPatch
from notifications import service
from notifications.kinds import KINDS
from notifications.worker import Sender
from tests.notifications.conftest import Recorder
from traffpunkt import db
from traffpunkt.settings import Settings

MANAGE = "http://testserver/r/manage-token-123"
SIGNUP = "http://testserver/i/invite-token-456"
TICKET = "TP1.AbCdEf-0123456789_ticket"
ANSWER = "http://testserver/survey/a/answer-token-789"

FIXTURES: dict[str, dict[str, Any]] = {
    "confirmed": {"secrets": {"manage_url": MANAGE, "ticket_code": TICKET}},
    "waitlisted": {"data": {"position": 3}, "secrets": {"manage_url": MANAGE}},
    "promoted": {"secrets": {"manage_url": MANAGE, "ticket_code": TICKET}},
    "manage_link": {"secrets": {"manage_url": MANAGE}},
    "invitation": {"secrets": {"signup_url": SIGNUP}},
    "event_changed": {"secrets": {"manage_url": MANAGE}},
    "event_cancelled": {"data": {"note": "Vi ses i vår i stället."}},
    "certificate": {
        "data": {"hours": "7,5"},
        "secrets": {"certificate_url": "http://testserver/certificates/abc/certificate.pdf"},
    },
    "session_cancelled": {
        "data": {"session_id": "none", "session_when": "torsdag 11 mars 2027 09:00"},
        "secrets": {"manage_url": MANAGE},
    },
    "registration_cancelled": {},
    "event_cancelled_waitlisted": {},
    "waitlist_left": {},
    "reminder": {"secrets": {"manage_url": MANAGE, "ticket_code": TICKET}},
    "sign_in": {"secrets": {"sign_in_url": "http://testserver/organiser/sign-in/abc"}},
    "evaluation": {"secrets": {"evaluation_url": "http://testserver/evaluation/abc"}},
    "evaluation_follow_up": {"secrets": {"evaluation_url": "http://testserver/evaluation/abc"}},
    "expert_invitation": {"secrets": {"expert_url": "http://testserver/expert/abc"}},
    "meeting_plan": {
        "data": {"items": ["10:00, bord 3: Hugo Lind (Lind Redovisning AB)"]},
        "secrets": {"manage_url": MANAGE},
    },
    "survey_invitation": {
        "data": {"survey_title": "Kompetensbehov hösten 2026", "closes": "30 november 2026"},
        "secrets": {"answer_url": ANSWER},
    },
    "survey_reminder": {
        "data": {"survey_title": "Kompetensbehov hösten 2026", "closes": "30 november 2026"},
        "secrets": {"answer_url": ANSWER},
    },
    "survey_receipt": {
        "data": {
            "survey_title": "Kompetensbehov hösten 2026",
            "company": "Lind Redovisning AB",
            "closes": "30 november 2026",
        },
        "secrets": {"answer_url": ANSWER},
    },
    "introduction": {
        "data": {
            "peer_name": "Hugo Lind",
            "peer_organisation": "Lind Redovisning AB",
            "peer_email": "hugo@lind.se",
            "items": ["Hugo erbjuder bokföring, som du behöver"],
        },
        "secrets": {"manage_url": MANAGE},
    },
}


async def send(
    event: dict[str, Any],
    settings: Settings,
    smtp: Recorder,
    kind: str,
    lang: str = "sv",
    to: str = "anna@example.se",
    name: str = "Anna Berg",
) -> EmailMessage:
    async with db.transaction():
        mid = await service.enqueue(
            kind, to=to, name=name, language=lang, event_id=event["id"], **FIXTURES[kind]
        )
    await Sender(settings).run_once()
    (msg,) = smtp.by_id(f"<{mid}@traffpunkt.local>")
    return msg


def parts(msg: EmailMessage) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for part in msg.walk():
        found.setdefault(part.get_content_type(), part)
    return found


def calendar_of(msg: EmailMessage) -> tuple[icalendar.Calendar, str]:
    part = parts(msg)["text/calendar"]
    return icalendar.Calendar.from_ical(part.get_content()), part.get_param("method")


@pytest.mark.parametrize("lang", ["sv", "en"])
@pytest.mark.parametrize("kind", sorted(KINDS))
async def test_every_kind_renders_in_both_languages(
    event: dict[str, Any], mail_settings: Settings, smtp: Recorder, kind: str, lang: str
) -> None:
    msg = await send(event, mail_settings, smtp, kind, lang)
    assert msg["Content-Language"] == lang
    p = parts(msg)
    text = p["text/plain"].get_content()
    html = p["text/html"].get_content()
    assert "<script" not in html
    # The text part says everything the HTML part says: the same links and the event's time.
    for link in (MANAGE, SIGNUP, ANSWER, event["slug"]):
        assert (link in html) == (link in text), link
    if KINDS[kind].show_event:
        assert "09:00–12:00" in text and "09:00–12:00" in html
        # One time zone here: its name is not said (only for events elsewhere).
        zone = "normaltid" if lang == "sv" else "Standard Time"
        assert zone not in text and zone not in html, text
    # Mails that anyone's sign-up sends greet without the typed name (it may be a stranger's).
    # An invitation greets by the name the organiser gave (none given: "Hej!").
    # Sign-in and an expert's invitation go to an address typed without a name.
    greets_by_name = kind not in ("sign_in", "expert_invitation") and not KINDS[kind].signup
    greeting = "Hej Anna Berg" if lang == "sv" else "Hello Anna Berg"
    assert (greeting in text) == greets_by_name, text
    if kind == "introduction":
        assert "hugo@lind.se" in text and "Hugo erbjuder bokföring" in html
    if kind == "event_cancelled":
        assert "Vi ses i vår i stället." in text
    if kind.startswith("survey_"):
        assert ANSWER in text and "Kompetensbehov hösten 2026" in msg["Subject"]
        assert "30 november 2026" in text


async def test_confirmation_structure_ticket_and_invitation(
    event: dict[str, Any], mail_settings: Settings, smtp: Recorder
) -> None:
    msg = await send(event, mail_settings, smtp, "confirmed")
    assert msg.get_content_type() == "multipart/mixed"
    alternative, attachment = msg.get_payload()
    assert alternative.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in alternative.get_payload()] == [
        "text/plain",
        "multipart/related",
        "text/calendar",
    ]
    related = alternative.get_payload()[1]
    html_part, png = related.get_payload()
    assert html_part.get_content_type() == "text/html" and png.get_content_type() == "image/png"
    assert f"cid:{png['Content-ID'].strip('<>')}" in html_part.get_content()
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(png.get_content())))
    assert [d.text for d in decoded] == [TICKET]
    assert attachment.get_content_type() == "application/ics"
    assert attachment.get_filename() == "invite.ics"
    cal_part = alternative.get_payload()[2]
    assert cal_part.get_param("method") == "REQUEST" and cal_part.get_content_charset() == "utf-8"
    cal = icalendar.Calendar.from_ical(cal_part.get_content())
    assert cal["METHOD"] == "REQUEST"
    assert icalendar.Calendar.from_ical(attachment.get_content()).to_ical() == cal.to_ical()
    (vevent,) = cal.walk("VEVENT")
    assert str(vevent["ORGANIZER"]) == "mailto:noreply@traffpunkt.local"
    attendee = vevent["ATTENDEE"]
    assert str(attendee) == "mailto:anna@example.se"
    assert attendee.params["RSVP"] == "TRUE" and attendee.params["PARTSTAT"] == "NEEDS-ACTION"
    assert vevent["SUMMARY"] == "Digital marknadsföring, steg 1; grunder"
    assert vevent.decoded("DTSTAMP").tzinfo is not None
    assert vevent.decoded("DTSTART").astimezone(UTC) == datetime(2027, 3, 4, 8, 0, tzinfo=UTC)
    # A second parser agrees.
    parsed = vobject.readOne(cal_part.get_content())
    assert parsed.method.value == "REQUEST"
    assert parsed.vevent.dtstart.value.astimezone(UTC) == datetime(2027, 3, 4, 8, 0, tzinfo=UTC)
    assert parsed.vevent.attendee.value == "mailto:anna@example.se"


async def test_uid_and_sequence_across_confirm_change_cancel(
    event: dict[str, Any], mail_settings: Settings, smtp: Recorder
) -> None:
    confirmed = await send(event, mail_settings, smtp, "confirmed")
    change = await events_service.update_event(
        event["admin"],
        str(event["id"]),
        EventPatch(starts_at="2027-03-04T10:00", ends_at="2027-03-04T13:00"),
    )
    assert change.moved
    changed = await send(event, mail_settings, smtp, "event_changed")
    await events_service.cancel_event(event["admin"], str(event["id"]))
    cancelled = await send(event, mail_settings, smtp, "event_cancelled")
    seen = []
    for msg, method in ((confirmed, "REQUEST"), (changed, "REQUEST"), (cancelled, "CANCEL")):
        cal, mime_method = calendar_of(msg)
        assert mime_method == cal["METHOD"] == method
        (vevent,) = cal.walk("VEVENT")
        seen.append((str(vevent["UID"]), int(vevent["SEQUENCE"]), str(vevent["STATUS"])))
    uids = {s[0] for s in seen}
    assert uids == {f"{event['id']}@traffpunkt"}
    sequences = [s[1] for s in seen]
    assert sequences[0] < sequences[1] < sequences[2]
    assert seen[2][2] == "CANCELLED"
    cal, _ = calendar_of(changed)
    (vevent,) = cal.walk("VEVENT")
    assert vevent.decoded("DTSTART").astimezone(UTC) == datetime(2027, 3, 4, 9, 0, tzinfo=UTC)


async def test_attendee_cancellation_outranks_the_invitation(
    event: dict[str, Any], mail_settings: Settings, smtp: Recorder
) -> None:
    confirmed = await send(event, mail_settings, smtp, "confirmed")
    async with db.transaction():
        mid = await service.enqueue(
            "registration_cancelled",
            to="anna@example.se",
            name="Anna",
            event_id=event["id"],
            data={"sequence_offset": 1},
        )
    await Sender(mail_settings).run_once()
    (cancel,) = smtp.by_id(f"<{mid}@traffpunkt.local>")
    (c1,) = calendar_of(confirmed)[0].walk("VEVENT")
    cal, method = calendar_of(cancel)
    (c2,) = cal.walk("VEVENT")
    assert method == "CANCEL" and c2["STATUS"] == "CANCELLED"
    assert int(c2["SEQUENCE"]) > int(c1["SEQUENCE"]) and c2["UID"] == c1["UID"]


async def test_no_header_or_ics_injection(
    event: dict[str, Any], mail_settings: Settings, smtp: Recorder
) -> None:
    await events_service.update_event(
        event["admin"], str(event["id"]), EventPatch(title="Möte\r\nBcc: victim@example.se")
    )
    msg = await send(event, mail_settings, smtp, "confirmed", name="Eve\r\nBcc: victim@example.se")
    assert msg["Bcc"] is None
    assert "\n" not in msg["Subject"] and "\n" not in str(msg["To"])
    cal, _ = calendar_of(msg)
    (vevent,) = cal.walk("VEVENT")
    assert "BCC" not in [k.upper() for k in vevent]
    raw = parts(msg)["text/calendar"].get_content()
    assert "\nBcc:" not in raw


# Anything a mail client would turn into a link: a scheme, www., a bare domain, a tag.
_LINKY = re.compile(r"(?i)[a-z]+://|www\.|evil\.test|<a\b")


@pytest.mark.parametrize(
    "kind", ["confirmed", "waitlisted", "manage_link", "promoted", "introduction"]
)
async def test_typed_names_never_become_links_or_lead_the_mail(
    event: dict[str, Any], mail_settings: Settings, smtp: Recorder, kind: str
) -> None:
    """A stranger signs someone up with a name that is a link: the mail carries no clickable
    URL and no markup from it, in either part, and sign-up mails do not start with it."""
    name = "Spam <a href=http://evil.test>klicka</a> www.evil.test"
    msg = await send(event, mail_settings, smtp, kind, name=name)
    p = parts(msg)
    text = p["text/plain"].get_content()
    html = p["text/html"].get_content()
    ours = re.compile(r"https?://testserver/\S*|https?://[^\s\"<]*" + re.escape(event["slug"]))
    assert not _LINKY.search(ours.sub("", text)), text
    # In HTML, our own links are tags; nothing the name brought is one, or looks like one.
    assert "evil.test" not in html and "http://evil" not in html
    assert "&lt;a href" not in html and "<a href=http" not in html
    if KINDS[kind].signup:
        assert "Spam" not in text.split("\n\n", 1)[0]
        assert "/not-me" in text and "/not-me" in html
    else:
        assert "Spam" in text and "evil[.]test" in text
