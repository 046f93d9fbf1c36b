"""The sign-up and manage pages over HTTP, as a phone without JavaScript uses them."""

from __future__ import annotations

import re
from typing import Any

import httpx

from notifications.tables import OutboxMessage
from registrations.tables import Registration
from tests.conftest import World


def csrf(html: str) -> str:
    match = re.search(r'name="_csrf_token" value="([^"]+)"', html)
    assert match, "the form carries a CSRF token"
    return match.group(1)


async def post_form(
    client: httpx.AsyncClient, page_url: str, action: str, data: dict[str, Any]
) -> httpx.Response:
    page = await client.get(page_url)
    return await client.post(action, data={"_csrf_token": csrf(page.text), **data})


async def test_sign_up_through_the_page(client: httpx.AsyncClient, event: dict[str, Any]) -> None:
    url = f"/events/{event['slug']}/register"
    form = await client.get(url)
    assert form.status_code == 200 and 'name="networking_consent"' in form.text
    assert "checked" not in re.search(
        r'<input type="checkbox" name="networking_consent"[^>]*>', form.text
    ).group(0)  # type: ignore[union-attr]
    assert "Vad vi sparar och varför" in form.text
    r = await client.post(
        url,
        data={
            "_csrf_token": csrf(form.text),
            "name": "Saga Nilsson",
            "email": "saga@example.se",
            "organisation": "Sagas Bageri",
            "language": "sv",
            "needs": ["e-commerce", "bookkeeping"],
            "offers": "tourism",
            "networking_consent": "yes",
        },
    )
    assert r.status_code == 303
    manage = r.headers["location"]
    assert manage.startswith("/r/")
    page = await client.get(manage)
    assert page.status_code == 200
    assert page.headers["referrer-policy"] == "no-referrer"
    assert "no-store" in page.headers["cache-control"]
    assert "Saga Nilsson" in page.text and "Bekräftad" in page.text
    assert "/ticket.svg" in page.text
    (reg,) = await Registration.select()
    assert reg["needs"].split() == ["e-commerce", "bookkeeping"] and reg["networking_consent"]
    # Cancel with one tap and a confirmation.
    token = manage.split("?")[0].rsplit("/", 1)[1]
    r = await post_form(client, f"/r/{token}/cancel", f"/r/{token}/cancel", {})
    assert r.status_code == 303
    assert "Din anmälan är avbokad" in (await client.get(r.headers["location"])).text


async def test_form_errors_keep_what_was_typed(
    client: httpx.AsyncClient, event: dict[str, Any]
) -> None:
    url = f"/events/{event['slug']}/register"
    r = await post_form(
        client, url, url, {"name": "Saga", "email": "not-an-email", "organisation": "Sagas Bageri"}
    )
    assert r.status_code == 422
    assert 'aria-invalid="true"' in r.text and 'value="Sagas Bageri"' in r.text
    assert "error-summary" in r.text
    assert await Registration.select() == []


async def test_csrf_is_required(client: httpx.AsyncClient, event: dict[str, Any]) -> None:
    await client.get(f"/events/{event['slug']}/register")  # gets the cookie
    r = await client.post(
        f"/events/{event['slug']}/register", data={"name": "Eve", "email": "eve@example.se"}
    )
    assert r.status_code == 403
    assert await Registration.select() == []


async def test_invitation_link_prefills_the_form(
    client: httpx.AsyncClient, world: World, event: dict[str, Any]
) -> None:
    import json

    await client.post(
        f"/api/v1/events/{event['id']}/invitations",
        json={"emails": ["bjorn@example.se"]},
        headers=World.auth(world.asele),
    )
    (msg,) = await OutboxMessage.select().where(OutboxMessage.kind == "invitation")
    link = json.loads(msg["secrets"])["signup_url"]
    path = link.removeprefix("http://testserver")
    form = await client.get(path)
    assert 'value="bjorn@example.se"' in form.text
    invite = path.split("invite=")[1]
    r = await client.post(
        f"/events/{event['slug']}/register",
        data={
            "_csrf_token": csrf(form.text),
            "name": "Björn",
            "email": "bjorn@example.se",
            "invitation": invite,
        },
    )
    assert r.status_code == 303


async def test_english_and_the_erase_flow(client: httpx.AsyncClient, event: dict[str, Any]) -> None:
    url = f"/events/{event['slug']}/register?lang=en"
    form = await client.get(url)
    assert "What we store and why" in form.text
    r = await client.post(
        f"/events/{event['slug']}/register",
        data={
            "_csrf_token": csrf(form.text),
            "name": "Erin",
            "email": "erin@example.se",
            "language": "en",
        },
    )
    token = r.headers["location"].split("?")[0].rsplit("/", 1)[1]
    confirm = await client.get(f"/r/{token}/erase")
    assert "Erase your data?" in confirm.text
    r = await client.post(f"/r/{token}/erase", data={"_csrf_token": csrf(confirm.text)})
    assert r.status_code == 200 and "Your data is erased" in r.text
    gone = await client.get(f"/r/{token}")
    assert gone.status_code == 404
    (reg,) = await Registration.select()
    assert reg["name"] == "" and reg["status"] == "cancelled"


async def test_closed_event_says_why(
    client: httpx.AsyncClient, world: World, event: dict[str, Any]
) -> None:
    await client.post(f"/api/v1/events/{event['id']}/cancel", headers=World.auth(world.asele))
    r = await client.get(f"/events/{event['slug']}/register")
    assert r.status_code == 409 and "Evenemanget är inställt" in r.text
    assert "<form" not in r.text.split("</header>")[1]


async def test_full_event_puts_people_on_the_waiting_list(
    client: httpx.AsyncClient, world: World
) -> None:
    from tests.registrations.conftest import make_event

    ev = await make_event(client, world, capacity=1)
    for name in ("first", "second"):
        url = f"/events/{ev['slug']}/register"
        r = await post_form(client, url, url, {"name": name, "email": f"{name}@example.se"})
        assert r.status_code == 303
    page = await client.get(r.headers["location"])
    assert "väntelistan, nummer 1" in page.text


async def test_manage_page_words_and_calendar_link_by_status(
    client: httpx.AsyncClient, event: dict[str, Any]
) -> None:
    """ "Avbokad" (not "Inställt", which means the event was called off) for a registration the
    attendee cancelled; the calendar link only for a seat (five seats: the sixth waits)."""
    from tests.registrations.conftest import sign_up

    tokens = []
    for i in range(6):
        r = await sign_up(client, event["id"], f"s{i}@example.se")
        tokens.append(r.json()["manage_url"].rsplit("/", 1)[1])
    seat = (await client.get(f"/r/{tokens[0]}")).text
    assert "Lägg till i kalendern" in seat
    waiting = (await client.get(f"/r/{tokens[5]}")).text
    assert "väntelistan" in waiting and "Lägg till i kalendern" not in waiting
    await client.delete(f"/api/v1/registrations/{tokens[0]}")
    gone = (await client.get(f"/r/{tokens[0]}")).text
    assert "Avbokad" in gone and "Inställt" not in gone
    assert "Lägg till i kalendern" not in gone
    english = (await client.get(f"/r/{tokens[0]}?lang=en")).text
    assert "Booking cancelled" in english


async def test_invitations_through_the_api_carry_names(
    client: httpx.AsyncClient, world: World, event: dict[str, Any]
) -> None:
    import json

    url = f"/api/v1/events/{event['id']}/invitations"
    auth = World.auth(world.asele)
    r = await client.post(url, json={}, headers=auth)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "emails"
    r = await client.post(url, json={"people": [{"email": "bo@", "name": "Bo"}]}, headers=auth)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "people[0]"
    r = await client.post(
        url,
        json={
            "emails": ["Anna Andersson <anna@example.se>", "cia@example.se"],
            "people": [{"email": "Bo@Example.se", "name": "Bo Ek"}],
        },
        headers=auth,
    )
    assert r.status_code in (200, 201, 202), r.text
    rows = await OutboxMessage.select().where(OutboxMessage.kind == "invitation")
    assert {m["recipient"]: m["recipient_name"] for m in rows} == {
        "anna@example.se": "Anna Andersson",
        "cia@example.se": "",
        "bo@example.se": "Bo Ek",
    }
    bo = next(m for m in rows if m["recipient"] == "bo@example.se")
    form = await client.get(
        json.loads(bo["secrets"])["signup_url"].removeprefix("http://testserver")
    )
    assert 'value="Bo Ek"' in form.text and 'value="bo@example.se"' in form.text
