"""The facts on an event page as a Swedish municipal page writes them: the place once, the time
without a zone name, a map link, and whom to ask (both engines)."""

from __future__ import annotations

import httpx

from tests.conftest import World
from tests.events.test_feeds import published
from tests.events.test_pages import json_ld


async def _venue(client: httpx.AsyncClient, world: World) -> str:
    r = await client.post(
        "/api/v1/venues",
        json={
            "municipality": "asele",
            "name": "Folkets hus",
            "address": "Storgatan 18, 919 31 Åsele",
            "latitude": 64.1617,
            "longitude": 17.353,
        },
        headers=World.auth(world.asele),
    )
    assert r.status_code == 201
    return r.json()["id"]


async def test_place_time_map_and_contact(client: httpx.AsyncClient, world: World) -> None:
    ev = await published(
        client,
        world.asele,
        venue_id=await _venue(client, world),
        starts_at="2027-01-14T09:00",
        ends_at="2027-01-14T12:00",
    )
    r = await client.patch(
        "/api/v1/municipalities/asele",
        json={"contact_email": "naringsliv@asele.example", "contact_phone": "0941-140 00"},
        headers=World.auth(world.asele),
    )
    assert r.status_code == 200, r.text
    assert r.json()["contact_phone"] == "0941-140 00"

    html = (await client.get(f"/events/{ev['slug']}")).text
    assert "Folkets hus, Storgatan 18, 919 31 Åsele" in html
    assert "919 31 Åsele, Åsele" not in html
    assert "torsdag 14 januari 2027, 09:00–12:00" in html
    assert "normaltid" not in html
    assert "https://www.openstreetmap.org/?mlat=64.16170&amp;mlon=17.35300" in html
    assert 'href="mailto:naringsliv@asele.example"' in html and 'href="tel:094114000"' in html
    organizer = json_ld(html)["organizer"]
    assert organizer["email"] == "naringsliv@asele.example"
    assert organizer["telephone"] == "0941-140 00"

    english = (await client.get(f"/events/{ev['slug']}?lang=en")).text
    assert "Thursday, 14 January 2027, 09:00–12:00" in english
    assert "Standard Time" not in english


async def test_contact_rights_and_validation(client: httpx.AsyncClient, world: World) -> None:
    body = {"contact_email": "info@arvidsjaur.example"}
    other = await client.patch(
        "/api/v1/municipalities/arvidsjaur", json=body, headers=World.auth(world.asele)
    )
    assert other.status_code == 403
    missing = await client.patch(
        "/api/v1/municipalities/nowhere", json=body, headers=World.auth(world.admin)
    )
    assert missing.status_code == 404
    bad = await client.patch(
        "/api/v1/municipalities/asele",
        json={"contact_phone": "call me maybe"},
        headers=World.auth(world.asele),
    )
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "contact_phone"
    anonymous = await client.patch("/api/v1/municipalities/asele", json=body)
    assert anonymous.status_code == 401
    cleared = await client.patch(
        "/api/v1/municipalities/asele",
        json={"contact_email": None},
        headers=World.auth(world.asele),
    )
    assert cleared.status_code == 200 and cleared.json()["contact_email"] is None
