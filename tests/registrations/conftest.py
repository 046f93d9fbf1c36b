"""A published event to sign up for, through the API."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.conftest import World


async def make_event(client: httpx.AsyncClient, world: World, **changes: Any) -> dict[str, Any]:
    body = {
        "title": "Frukostmöte i Åsele",
        "kind": "network",
        "municipality": "asele",
        "starts_at": "2027-03-04T08:00",
        "ends_at": "2027-03-04T10:00",
        "capacity": 5,
        **changes,
    }
    r = await client.post("/api/v1/events", json=body, headers=World.auth(world.asele))
    assert r.status_code == 201, r.text
    ev = r.json()
    r = await client.post(f"/api/v1/events/{ev['id']}/publish", headers=World.auth(world.asele))
    assert r.status_code == 200
    return r.json()


@pytest.fixture
async def event(client: httpx.AsyncClient, world: World) -> dict[str, Any]:
    return await make_event(client, world)


async def sign_up(
    client: httpx.AsyncClient, event_id: str, email: str, **extra: Any
) -> httpx.Response:
    return await client.post(
        f"/api/v1/events/{event_id}/registrations",
        json={"name": extra.pop("name", email.split("@")[0].title()), "email": email, **extra},
    )


def token_of(response: httpx.Response) -> str:
    return response.json()["manage_url"].rsplit("/", 1)[1]
