"""The organiser's web over HTTP: sign-in, events, attendees, invitations, door, plans, rights."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
import pytest

from events import service as events_service
from events.tables import AuditEntry, Event
from notifications.kinds import KINDS
from notifications.render import render_parts
from notifications.tables import OutboxMessage
from registrations.tables import Registration
from tests.conftest import World
from tests.organiser.conftest import csrf
from tests.registrations.conftest import sign_up
from traffpunkt.settings import get_settings

EVENT_FORM = {
    "title": "Kurs i e-handel",
    "description": "Rad ett",
    "kind": "course",
    "municipality": "asele",
    "venue_id": "",
    "starts_at": "2027-04-20T09:00",
    "ends_at": "2027-04-20T12:00",
    "capacity": "2",
    "registration_opens_at": "",
    "registration_closes_at": "",
    "language": "sv",
    "online_url": "",
    "reminder_hours": "24",
    "topics": ["e-commerce"],
}


async def post(
    client: httpx.AsyncClient, page: str, action: str, data: dict[str, Any], **kw: Any
) -> httpx.Response:
    html = (await client.get(page)).text
    return await client.post(action, data={"_csrf_token": csrf(html), **data}, **kw)


async def create_event(client: httpx.AsyncClient, **changes: Any) -> str:
    r = await post(
        client, "/organiser/events/new", "/organiser/events/new", {**EVENT_FORM, **changes}
    )
    assert r.status_code == 303, r.text
    return r.headers["location"].split("/")[3].split("?")[0]


async def test_sign_in_is_required_and_links_are_single_use(
    client: httpx.AsyncClient, world: World
) -> None:
    r = await client.get("/organiser/events/new")
    assert r.status_code == 303 and r.headers["location"].startswith("/organiser/sign-in?next=")
    form = await client.get("/organiser/sign-in")
    # Unknown addresses get the same answer, and no mail.
    r = await client.post(
        "/organiser/sign-in", data={"_csrf_token": csrf(form.text), "email": "stranger@example.se"}
    )
    assert r.status_code == 200 and "stranger@example.se" in r.text
    assert await OutboxMessage.select().where(OutboxMessage.kind == "sign_in") == []
    await client.post(
        "/organiser/sign-in", data={"_csrf_token": csrf(form.text), "email": "anna@asele.se"}
    )
    (msg,) = await OutboxMessage.select().where(OutboxMessage.kind == "sign_in")
    link = json.loads(msg["secrets"])["sign_in_url"].removeprefix("http://testserver")
    page = await client.get(link)  # a mail scanner opening the link does not use it up
    page = await client.get(link)
    r = await client.post(link, data={"_csrf_token": csrf(page.text), "next": "//evil.example/x"})
    assert r.status_code == 303 and r.headers["location"] == "/organiser"  # no open redirect
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("samesite", "SameSite")
    assert (await client.get("/organiser")).status_code == 200
    again = await client.post(link, data={"_csrf_token": csrf(page.text)})
    assert again.status_code == 404  # single use
    r = await post(client, "/organiser", "/organiser/sign-out", {})
    assert r.status_code == 303
    assert (await client.get("/organiser")).status_code == 303


async def test_run_an_event_from_the_web(
    anna: httpx.AsyncClient, client: httpx.AsyncClient
) -> None:
    event_id = await create_event(anna)
    page = await anna.get(f"/organiser/events/{event_id}")
    assert page.status_code == 200 and "Kurs i e-handel" in page.text and "Utkast" in page.text
    preview = await anna.get(f"/organiser/events/{event_id}/preview")
    assert preview.status_code == 200 and "Kurs i e-handel" in preview.text
    r = await post(
        anna, f"/organiser/events/{event_id}", f"/organiser/events/{event_id}/publish", {}
    )
    assert r.status_code == 303
    (row,) = await Event.select().where(Event.title == "Kurs i e-handel")
    assert row["status"] == "published"
    for i in range(3):
        await sign_up(client, event_id, f"p{i}@example.se")
    dash = await anna.get("/organiser")
    assert "Kurs i e-handel" in dash.text and "2 / 2" in dash.text
    people = await anna.get(f"/organiser/events/{event_id}/attendees")
    assert people.text.count("@example.se") == 3 and "På väntelistan" in people.text
    # Moving the event shows who will be told before anything is saved.
    r = await post(
        anna,
        f"/organiser/events/{event_id}/edit",
        f"/organiser/events/{event_id}/edit",
        {**EVENT_FORM, "starts_at": "2027-04-20T10:00"},
    )
    assert r.status_code == 200 and "2 bekräftade deltagare" in r.text
    (row,) = await Event.select().where(Event.id == event_id)
    assert row["sequence"] == 1  # not saved yet
    r = await anna.post(
        f"/organiser/events/{event_id}/edit",
        data={
            "_csrf_token": csrf(r.text),
            **EVENT_FORM,
            "starts_at": "2027-04-20T10:00",
            "confirm": "yes",
        },
    )
    assert r.status_code == 303
    assert len(await OutboxMessage.select().where(OutboxMessage.kind == "event_changed")) == 2
    # Errors come back on the form, with what was typed.
    r = await post(
        anna,
        f"/organiser/events/{event_id}/edit",
        f"/organiser/events/{event_id}/edit",
        {**EVENT_FORM, "ends_at": "2027-04-20T08:00", "title": "Behåll mig"},
    )
    assert r.status_code == 422 and 'value="Behåll mig"' in r.text and "error-summary" in r.text
    csv = await anna.get(f"/organiser/events/{event_id}/attendees.csv")
    assert "p0@example.se" in csv.content.decode("utf-8-sig")
    # Cancel with a message.
    r = await post(
        anna,
        f"/organiser/events/{event_id}/cancel",
        f"/organiser/events/{event_id}/cancel",
        {"note": "Vi ses i höst!"},
    )
    assert r.status_code == 303
    mails = await OutboxMessage.select().where(
        OutboxMessage.kind.is_in(["event_cancelled", "event_cancelled_waitlisted"])
    )
    assert len(mails) == 3 and all("Vi ses i höst!" in m["data"] for m in mails)
    log = await AuditEntry.select().where(AuditEntry.event == event_id)
    assert {a["action"] for a in log} >= {
        "event.created",
        "event.published",
        "event.changed",
        "event.cancelled",
    }
    assert all(a["organiser_email"] == "anna@asele.se" for a in log)


async def test_invitations_read_names_and_report_every_skipped_row(
    anna: httpx.AsyncClient, client: httpx.AsyncClient
) -> None:
    event_id = await create_event(anna)
    await post(anna, f"/organiser/events/{event_id}", f"/organiser/events/{event_id}/publish", {})
    page = f"/organiser/events/{event_id}/attendees"
    action = f"/organiser/events/{event_id}/invitations"
    # Nothing readable: nothing sent, and what was wrong is named.
    r = await post(anna, page, action, {"emails": "fel-adress", "language": "sv"})
    assert r.status_code == 422 and "Rad 1 i rutan: ‘fel-adress’" in r.text
    assert await OutboxMessage.select().where(OutboxMessage.kind == "invitation") == []
    # As pasted from Outlook, plus a CSV from Excel in Swedish with a bad row.
    csv_file = b"Namn;E-post\nCecilia Lind;cecilia@example.se\nDavid Ek;david@\n"
    r = await post(
        anna,
        page,
        action,
        {"emails": "Anna Andersson <anna@example.se>; bo@example.se\nfel-adress"},
        files={"file": ("lista.csv", csv_file, "text/csv")},
    )
    assert r.status_code == 200 and "3 inbjudningar" in r.text
    skipped = re.findall(r"<li>(Rad [^<]*)</li>", r.text)
    assert skipped == [
        "Rad 2 i rutan: ‘fel-adress’ – Adressen behöver ett @, som i namn@exempel.se",
        "Rad 3 i filen: ‘david@’ – Det saknas något efter @",
    ], skipped
    # The skipped line stays in the box, to be corrected and sent again.
    assert re.search(r"<textarea[^>]*>fel-adress</textarea>", r.text)
    rows = await OutboxMessage.select().where(OutboxMessage.kind == "invitation")
    names = {row["recipient"]: row["recipient_name"] for row in rows}
    assert names == {
        "anna@example.se": "Anna Andersson",
        "bo@example.se": "",
        "cecilia@example.se": "Cecilia Lind",
    }
    # The mail greets by name; the link opens the form with name and address filled in.
    anna_mail = next(row for row in rows if row["recipient"] == "anna@example.se")
    _subject, text, _ = render_parts(
        KINDS["invitation"],
        await events_service.event_row(event_id),
        language="sv",
        name=anna_mail["recipient_name"],
        data={},
        secrets=json.loads(anna_mail["secrets"]),
        settings=get_settings(),
    )
    assert "Hej Anna Andersson!" in text and "Hej!" not in text
    link = json.loads(anna_mail["secrets"])["signup_url"].removeprefix("http://testserver")
    form = (await client.get(link)).text
    assert 'id="name" name="name" type="text" value="Anna Andersson"' in form
    assert 'value="anna@example.se"' in form


async def test_door_pairing_and_meetings(
    anna: httpx.AsyncClient, client: httpx.AsyncClient
) -> None:
    event_id = await create_event(anna, capacity="20")
    await post(anna, f"/organiser/events/{event_id}", f"/organiser/events/{event_id}/publish", {})
    r = await post(
        anna,
        f"/organiser/events/{event_id}/door",
        f"/organiser/events/{event_id}/door",
        {"label": "Lisas telefon"},
    )
    assert r.status_code == 200 and "<svg" in r.text and "Lisas telefon" in r.text
    url = re.search(r'href="(http://testserver/checkin/[^"]+)"', r.text)
    assert url and "#door=" in url.group(1)
    for name, needs, offers in (("Ada", ["export"], ["tourism"]), ("Bo", ["tourism"], ["export"])):
        await sign_up(
            client,
            event_id,
            f"{name}@example.se",
            name=name,
            needs=needs,
            offers=offers,
            networking_consent=True,
        )
    r = await post(
        anna,
        f"/organiser/events/{event_id}/meetings",
        f"/organiser/events/{event_id}/meetings",
        {"slots": "2", "minutes": "10", "tables": "3"},
    )
    assert r.status_code == 303
    page = await anna.get(f"/organiser/events/{event_id}/meetings")
    assert "Ada – Bo" in page.text or "Bo – Ada" in page.text
    r = await post(
        anna,
        f"/organiser/events/{event_id}/meetings",
        f"/organiser/events/{event_id}/meetings/publish",
        {},
    )
    assert r.status_code == 303
    assert len(await OutboxMessage.select().where(OutboxMessage.kind == "meeting_plan")) == 2


ORGANISER_PAGES = [
    "",
    "/edit",
    "/attendees",
    "/attendees.csv",
    "/door",
    "/meetings",
    "/meetings.csv",
    "/cancel",
    "/preview",
]


@pytest.mark.parametrize("suffix", ORGANISER_PAGES)
async def test_no_page_shows_another_municipalitys_event(
    anna: httpx.AsyncClient, olle: httpx.AsyncClient, client: httpx.AsyncClient, suffix: str
) -> None:
    event_id = await create_event(anna)
    await sign_up(client, event_id, "secret-person@example.se") if False else None
    r = await olle.get(f"/organiser/events/{event_id}{suffix}", headers={"accept": "text/html"})
    assert r.status_code in (403, 404), r.status_code
    assert "Kurs i e-handel" not in r.text
    anonymous = await client.get(f"/organiser/events/{event_id}{suffix}")
    assert anonymous.status_code == 303 and "sign-in" in anonymous.headers["location"]
    own = await anna.get(f"/organiser/events/{event_id}{suffix}")
    assert own.status_code in (200, 404), own.status_code  # 404: no meeting plan yet (CSV)
    dash = await olle.get("/organiser")
    assert "Kurs i e-handel" not in dash.text


async def test_admin_pages(client: httpx.AsyncClient, world: World, app: Any) -> None:
    from tests.organiser.conftest import sign_in

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as admin:
        await sign_in(admin, "admin@example.se")
        r = await post(
            admin,
            "/organiser/admin",
            "/organiser/admin/organisers",
            {
                "email": "ny@overkalix.se",
                "name": "Ny",
                "role": "organiser",
                "municipality": "asele",
            },
        )
        assert r.status_code == 303
        assert await OutboxMessage.select().where(OutboxMessage.recipient == "ny@overkalix.se")
        r = await post(admin, "/organiser/admin", "/organiser/tokens", {"label": "skript"})
        token = re.search(r'<code class="token">([^<]+)</code>', r.text)
        assert token
        api = await client.get(
            "/api/v1/events", headers={"Authorization": f"Bearer {token.group(1)}"}
        )
        assert api.status_code == 200
        page = await admin.get("/organiser/admin")
        assert "ny@overkalix.se" in page.text
        # People's words on Settings: roles and municipality names, not codes and slugs.
        row = re.search(r"<tr [^>]*><th [^>]*>ny@overkalix.se</th>.*?</tr>", page.text, re.S)
        assert row and ">Arrangör</td>" in row.group(0) and ">Åsele</td>" in row.group(0)
        # The municipality's contact for questions, set from Settings.
        r = await post(
            admin,
            "/organiser/admin",
            "/organiser/admin/municipalities/asele/contact",
            {"contact_email": "naringsliv@asele.example", "contact_phone": "0941-140 00"},
        )
        assert r.status_code == 303 and r.headers["location"].endswith("done=contact")
        page = await admin.get("/organiser/admin")
        assert 'value="naringsliv@asele.example"' in page.text
        r = await post(
            admin,
            "/organiser/admin",
            "/organiser/admin/municipalities/asele/contact",
            {"contact_email": "inte en adress"},
        )
        # The form comes back with what was typed, and the error names its field.
        assert r.status_code == 422
        assert 'value="inte en adress"' in r.text
        summary = re.search(r'<div class="error-summary".*?</div>', r.text, re.S)
        assert summary and "Kontakt för frågor, Åsele" in summary.group(0)
        assert 'href="#c-email-asele">E-post: ' in summary.group(0)
        assert 'id="c-email-asele-error"' in r.text
        r = await post(
            admin,
            "/organiser/admin",
            "/organiser/admin/venues",
            {"municipality": "asele", "name": "Folkets hus", "capacity": "många"},
        )
        assert r.status_code == 422
        assert 'href="#v-capacity">Platser: Ange ett heltal' in r.text
        # A short name already taken is said under that field, in the page's language.
        r = await post(
            admin,
            "/organiser/admin",
            "/organiser/admin/municipalities?lang=en",
            {"name": "Åsele igen", "slug": "asele"},
        )
        assert r.status_code == 422
        assert (
            'href="#m-slug">Short name in addresses: The short name asele is already taken'
            in r.text
        )
        assert 'value="Åsele igen"' in r.text
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as anna:
        await sign_in(anna, "anna@asele.se")
        page = await anna.get("/organiser/admin")
        assert page.status_code == 200 and "ny@overkalix.se" not in page.text
        r = await post(
            anna,
            "/organiser/admin",
            "/organiser/admin/municipalities",
            {"name": "Sorsele", "slug": "sorsele"},
        )
        assert r.status_code in (303, 403)
        assert await Registration.select() == []
