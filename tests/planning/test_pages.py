"""The planning pages over HTTP: the tour form, adjusting a proposal, creating its drafts,
travel times, and an expert's own page through the mailed link (both engines)."""

from __future__ import annotations

import json
import re

import httpx

from events.tables import Event
from notifications.tables import OutboxMessage
from planning.tables import Expert
from tests.conftest import World
from tests.organiser.conftest import csrf
from tests.planning.helpers import answer, municipality_id, survey_round


async def _setup(client: httpx.AsyncClient, world: World) -> None:
    for slug, lat, lon in [("asele", 64.1607, 17.3493), ("arvidsjaur", 65.5917, 19.1800)]:
        await client.patch(
            f"/api/v1/municipalities/{slug}",
            json={"latitude": lat, "longitude": lon},
            headers=world.auth(world.admin),
        )
    for slug, name, seats in [
        ("asele", "Folkets hus", 120),
        ("asele", "Kommunhuset", 60),
        ("arvidsjaur", "Kommunhuset", 80),
    ]:
        r = await client.post(
            "/api/v1/venues",
            json={"municipality": slug, "name": name, "capacity": seats},
            headers=world.auth(world.admin),
        )
        assert r.status_code == 201
    round_id = await survey_round()
    await answer(round_id, await municipality_id("asele"), "556036-0793", [("export", 3)])


async def test_tour_form_adjust_and_create(
    client: httpx.AsyncClient, world: World, anna: httpx.AsyncClient
) -> None:
    await _setup(client, world)
    form = await anna.get("/organiser/planning/tour", params={"topic": "export"})
    assert form.status_code == 200 and 'value="export" selected' in form.text
    data = {"_csrf_token": csrf(form.text), "topic": "export", "min_capacity": "20"}
    r = await anna.post(
        "/organiser/planning/tour", data={**data, "start": "2027-03-05", "end": "2027-03-01"}
    )
    assert r.status_code == 422 and 'id="t-end-error"' in r.text
    r = await anna.post(
        "/organiser/planning/tour", data={**data, "start": "2027-03-05", "end": "2027-03-12"}
    )
    assert r.status_code == 303, r.text
    tour_url = r.headers["location"]
    page = await anna.get(tour_url)
    assert page.status_code == 200
    assert "Åsele" in page.text and "1 företag i Åsele behöver export" in page.text
    # The Friday: the smallest venue with enough seats (Kommunhuset, 60), at 10:00.
    assert 'id="day-asele" name="day-asele" type="date" value="2027-03-05"' in page.text
    assert "10:00–12:30" in page.text
    venues = dict(re.findall(r'<option value="([^"]+)"[^>]*>([^<(]+)', page.text))
    folkets = next(k for k, v in venues.items() if v.startswith("Folkets hus"))
    # A Saturday is refused, with the reason under the stop.
    r = await anna.post(
        tour_url,
        data={
            "_csrf_token": csrf(page.text),
            "stop": "asele",
            "day-asele": "2027-03-06",
            "venue-asele": folkets,
        },
    )
    assert r.status_code == 422 and "Inte en arbetsdag" in r.text
    r = await anna.post(
        tour_url,
        data={
            "_csrf_token": csrf(page.text),
            "stop": "asele",
            "day-asele": "2027-03-08",
            "venue-asele": folkets,
        },
    )
    assert r.status_code == 303
    page = await anna.get(tour_url)
    assert 'value="2027-03-08"' in page.text and f'value="{folkets}" selected' in page.text
    r = await anna.post(f"{tour_url}/events", data={"_csrf_token": csrf(page.text)})
    assert r.status_code == 303 and r.headers["location"] == "/organiser?done=tour"
    events = await Event.select(Event.title, Event.status, Event.venue, Event.topics)
    assert [(e["status"], str(e["venue"]), e["topics"]) for e in events] == [
        ("draft", folkets, " export ")
    ]
    assert events[0]["title"] == "Export och nya marknader: seminarium i Åsele"
    page = await anna.get(tour_url)
    assert "är skapade" in page.text
    again = await anna.post(f"{tour_url}/events", data={"_csrf_token": csrf(page.text)})
    assert again.status_code == 409


async def test_travel_times_page(client: httpx.AsyncClient, world: World) -> None:
    from tests.organiser.conftest import sign_in

    await _setup(client, world)
    await sign_in(client, "admin@example.se")
    page = await client.get("/organiser/planning/travel")
    assert page.status_code == 200
    assert "Arvidsjaur – Åsele" in page.text or "Åsele – Arvidsjaur" in page.text
    r = await client.post(
        "/organiser/planning/travel",
        data={"_csrf_token": csrf(page.text), "a": "asele", "b": "asele", "minutes": "10"},
    )
    assert r.status_code == 422
    r = await client.post(
        "/organiser/planning/travel",
        data={"_csrf_token": csrf(page.text), "a": "asele", "b": "arvidsjaur", "minutes": "195"},
    )
    assert r.status_code == 303
    page = await client.get("/organiser/planning/travel")
    assert "195 min" in page.text
    remove = re.search(r'action="(/organiser/planning/travel/[^"]+/remove)"', page.text)
    assert remove
    r = await client.post(remove.group(1), data={"_csrf_token": csrf(page.text)})
    assert r.status_code == 303
    assert "195 min" not in (await client.get("/organiser/planning/travel")).text


async def test_expert_registers_through_the_mailed_link(
    client: httpx.AsyncClient, world: World, anna: httpx.AsyncClient
) -> None:
    form = await anna.get("/organiser/planning/tour", params={"topic": "export"})
    r = await anna.post(
        "/organiser/planning/experts",
        data={"_csrf_token": csrf(form.text), "email": "forskare@ltu.example", "topic": "export"},
    )
    assert r.status_code == 303
    mail = await OutboxMessage.select().where(OutboxMessage.kind == "expert_invitation")
    assert len(mail) == 1 and mail[0]["recipient"] == "forskare@ltu.example"
    link = json.loads(mail[0]["secrets"])["expert_url"].removeprefix("http://testserver")
    page = await client.get(link)
    assert page.status_code == 200 and page.headers["cache-control"] == "private, no-store"
    token = csrf(page.text)
    r = await client.post(link, data={"_csrf_token": token, "name": "Eva Forskare"})
    assert r.status_code == 422 and 'id="x-topics"' in r.text
    r = await client.post(
        link,
        data={
            "_csrf_token": token,
            "name": "Eva Forskare",
            "organisation": "Luleå tekniska universitet",
            "topics": ["export", "e-commerce"],
            "languages": ["sv", "en"],
            "home_latitude": "65,5848",
            "home_longitude": "22.1547",
            "travel_dates": "2027-03-01..2027-03-05, 2027-03-10",
        },
    )
    assert r.status_code == 303, r.text
    page = await client.get(link)
    assert 'value="Eva Forskare"' in page.text
    assert "2027-03-05, 2027-03-10" in page.text
    # The organiser sees who can take the topic (not for another topic).
    form = await anna.get("/organiser/planning/tour", params={"topic": "export"})
    assert "Eva Forskare" in form.text and "6 dagar" in form.text
    round_id = await survey_round()
    await answer(round_id, await municipality_id("asele"), "556036-0793", [("export", 2)])
    planning = await anna.get("/organiser/planning")
    assert "Kan ta det: Eva Forskare" in planning.text
    other = await anna.get("/organiser/planning/tour", params={"topic": "tourism"})
    assert "Eva Forskare" not in other.text.split('id="experts-h"')[1]
    # Erased: gone, and the link no longer works.
    r = await client.post(f"{link}/erase", data={"_csrf_token": token})
    assert r.status_code == 200
    assert await Expert.count() == 0
    assert (await client.get(link)).status_code == 404
