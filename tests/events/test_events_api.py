"""Events API: create, edit, publish, cancel, list; visibility; validation; DST."""

from __future__ import annotations

from typing import Any

import httpx

from tests.conftest import World

BASE_EVENT = {
    "title": "Digital marknadsföring",
    "kind": "seminar",
    "municipality": "asele",
    "starts_at": "2027-03-04T09:00:00",
    "ends_at": "2027-03-04T12:00:00",
    "capacity": 40,
    "topics": ["digital-marketing"],
}


async def create(client: httpx.AsyncClient, token: str, **changes: Any) -> dict[str, Any]:
    r = await client.post(
        "/api/v1/events", json={**BASE_EVENT, **changes}, headers=World.auth(token)
    )
    assert r.status_code == 201, r.text
    return r.json()


async def test_create_publish_and_read(client: httpx.AsyncClient, world: World) -> None:
    ev = await create(client, world.asele)
    assert ev["status"] == "draft"
    assert ev["starts_at"] == "2027-03-04T09:00:00+01:00"
    assert ev["seats_left"] == 40
    assert ev["url"] == f"http://testserver/events/{ev['slug']}"
    # A draft is invisible to the public...
    assert (await client.get(f"/api/v1/events/{ev['id']}")).status_code == 404
    listed = (await client.get("/api/v1/events", params={"from": "2027-01-01"})).json()
    assert listed["items"] == []
    # ...but its organiser sees it.
    r = await client.get(f"/api/v1/events/{ev['id']}", headers=World.auth(world.asele))
    assert r.status_code == 200
    r = await client.post(f"/api/v1/events/{ev['id']}/publish", headers=World.auth(world.asele))
    assert r.status_code == 200 and r.json()["status"] == "published"
    public = (await client.get(f"/api/v1/events/{ev['id']}")).json()
    assert public["title"] == "Digital marknadsföring"
    listed = (await client.get("/api/v1/events", params={"from": "2027-01-01"})).json()
    assert [e["id"] for e in listed["items"]] == [ev["id"]]
    assert listed["next"] is None
