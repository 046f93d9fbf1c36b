"""Municipalities' coordinates and their source: API (optional fields) and the Settings page."""

from __future__ import annotations

import httpx

from tests.conftest import World
from tests.organiser.conftest import csrf


async def test_coordinates_through_the_api(client: httpx.AsyncClient, world: World) -> None:
    r = await client.post(
        "/api/v1/municipalities",
        json={
            "name": "Lycksele",
            "slug": "lycksele",
            "latitude": 64.5955,
            "longitude": 18.6748,
            "coordinates_source": "SCB tätortspunkt / Wikipedia, 2026",
        },
        headers=world.auth(world.admin),
    )
    assert r.status_code == 201, r.text
    assert r.json()["latitude"] == 64.5955 and r.json()["longitude"] == 18.6748
    # Optional: a municipality without them is as before (null).
    listed = {m["slug"]: m for m in (await client.get("/api/v1/municipalities")).json()["items"]}
    assert listed["asele"]["latitude"] is None and listed["lycksele"]["longitude"] == 18.6748
    r = await client.patch(
        "/api/v1/municipalities/asele",
        json={"latitude": 64.1607, "longitude": 17.3493, "coordinates_source": "Wikipedia"},
        headers=world.auth(world.asele),
    )
    assert r.status_code == 200 and r.json()["latitude"] == 64.1607
    r = await client.patch(
        "/api/v1/municipalities/asele", json={"latitude": 91}, headers=world.auth(world.asele)
    )
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")


async def test_coordinates_on_the_settings_page(anna: httpx.AsyncClient, world: World) -> None:
    page = await anna.get("/organiser/admin")
    assert 'id="c-latitude-asele"' in page.text and 'for="c-latitude-asele"' in page.text
    r = await anna.post(
        "/organiser/admin/municipalities/asele/contact",
        data={
            "_csrf_token": csrf(page.text),
            "latitude": "64,1607",  # a decimal comma, as a Swedish keyboard types it
            "longitude": "17.3493",
            "coordinates_source": "SCB tätortspunkt",
        },
    )
    assert r.status_code == 303, r.text
    page = await anna.get("/organiser/admin")
    assert 'value="64.1607"' in page.text and 'value="SCB tätortspunkt"' in page.text
    r = await anna.post(
        "/organiser/admin/municipalities/asele/contact",
        data={"_csrf_token": csrf(page.text), "latitude": "norr", "longitude": ""},
    )
    assert r.status_code == 422
    assert 'id="c-latitude-asele-error"' in r.text and 'value="norr"' in r.text
