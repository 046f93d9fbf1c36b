"""A full event says so, and what signing up will do: on its page, the calendar cards, the embed,
the sign-up form and in the JSON; the waiting list's length stays right as people come and go."""

from __future__ import annotations

import re
from typing import Any

import httpx

from tests.conftest import World
from tests.registrations.conftest import make_event, sign_up, token_of


async def full_event(client: httpx.AsyncClient, world: World) -> tuple[dict[str, Any], list[str]]:
    """Capacity 1 and three sign-ups: one seat taken, two on the waiting list."""
    ev = await make_event(client, world, capacity=1)
    tokens = []
    for who in ("anna", "bo", "cia"):
        r = await sign_up(client, ev["id"], f"{who}@example.se")
        assert r.status_code == 201, r.text
        tokens.append(token_of(r))
    return ev, tokens


async def event_json(client: httpx.AsyncClient, event_id: str) -> dict[str, Any]:
    r = await client.get(f"/api/v1/events/{event_id}")
    assert r.status_code == 200, r.text
    return r.json()


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


async def test_the_json_says_full_and_how_many_wait(
    client: httpx.AsyncClient, world: World
) -> None:
    ev = await make_event(client, world, capacity=1)
    got = await event_json(client, ev["id"])
    assert (got["seats_left"], got["waitlist_open"], got["waiting"]) == (1, False, 0)
    ev, _ = await full_event(client, world)
    got = await event_json(client, ev["id"])
    assert (got["seats_left"], got["waitlist_open"], got["waiting"]) == (0, True, 2)
    (item,) = [
        e for e in (await client.get("/api/v1/events")).json()["items"] if e["id"] == ev["id"]
    ]
    assert (item["waitlist_open"], item["waiting"]) == (True, 2)


async def test_the_waiting_count_follows_cancel_promotion_and_erase(
    client: httpx.AsyncClient, world: World
) -> None:
    ev, (anna, bo, cia) = await full_event(client, world)
    # Anna leaves: Bo gets her seat, Cia still waits.
    assert (await client.delete(f"/api/v1/registrations/{anna}")).status_code in (200, 204)
    got = await event_json(client, ev["id"])
    assert (got["seats_left"], got["waiting"]) == (0, 1)
    # Cia, waiting, erases her data: nobody waits, the seat stays Bo's.
    assert (await client.post(f"/api/v1/registrations/{cia}/erase")).status_code == 204
    got = await event_json(client, ev["id"])
    assert (got["seats_left"], got["waiting"], got["waitlist_open"]) == (0, 0, True)
    # Bo cancels: a free seat, nobody to move up.
    assert (await client.delete(f"/api/v1/registrations/{bo}")).status_code in (200, 204)
    got = await event_json(client, ev["id"])
    assert (got["seats_left"], got["waiting"], got["waitlist_open"]) == (1, 0, False)


async def test_the_event_page_and_the_form_say_what_signing_up_does(
    client: httpx.AsyncClient, world: World
) -> None:
    ev, _ = await full_event(client, world)
    page = text_of((await client.get(f"/events/{ev['slug']}")).text)
    assert "Fullbokat – anmäl dig till väntelistan" in page
    assert "2 står på väntelistan" in page
    assert "Anmäl dig till väntelistan" in page and "0 / 1" not in page
    form = text_of((await client.get(f"/events/{ev['slug']}/register")).text)
    assert "Evenemanget är fullbokat" in form and "hamnar du på väntelistan" in form
    assert "Anmäl dig till väntelistan" in form
    en = text_of((await client.get(f"/events/{ev['slug']}?lang=en")).text)
    assert "Full – sign up for the waiting list" in en and "2 people on the waiting list" in en
    assert ">Sign up for the waiting list<" in (await client.get(f"/events/{ev['slug']}")).text


async def test_calendar_cards_and_the_embed_say_full(
    client: httpx.AsyncClient, world: World
) -> None:
    ev, _ = await full_event(client, world)
    open_ev = await make_event(client, world, title="Kurs med platser kvar")
    for url in ("/calendar/asele", "/calendar/asele/embed", "/"):
        page = (await client.get(url)).text
        cards = {
            m.group(1): text_of(m.group(0))
            for m in re.finditer(
                r'<li class="event-card[^"]*">.*?href="[^"]*/events/([^"]+)".*?</li>', page, re.S
            )
        }
        assert "Fullbokat – anmäl dig till väntelistan" in cards[ev["slug"]], url
        assert "2 står på väntelistan" in cards[ev["slug"]], url
        assert "Fullbokat" not in cards[open_ev["slug"]], url


async def test_the_pages_etag_changes_when_someone_joins_the_waiting_list(
    client: httpx.AsyncClient, world: World
) -> None:
    ev, _ = await full_event(client, world)
    urls = (f"/events/{ev['slug']}", "/calendar/asele", "/calendar/asele/embed")
    etags = {}
    for url in urls:
        r = await client.get(url)
        etags[url] = r.headers["etag"]
        again = await client.get(url, headers={"If-None-Match": etags[url]})
        assert again.status_code == 304
    assert (await sign_up(client, ev["id"], "dan@example.se")).status_code == 201
    for url in urls:
        r = await client.get(url, headers={"If-None-Match": etags[url]})
        assert r.status_code == 200, url
        assert "3 står på väntelistan" in text_of(r.text), url
