"""Rights matrix for every write endpoint of the events domain.

anonymous -> 401, bad token -> 401, organiser of another municipality -> 403,
the municipality's organiser -> allowed (except admin-only), admin -> allowed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from accounts import service as accounts
from accounts.tables import ApiToken
from events import organisers
from tests.conftest import World
from tests.events.test_events_api import BASE_EVENT, create

Call = Callable[[httpx.AsyncClient, World, dict[str, str]], Awaitable[httpx.Response]]


async def _event_id(client: httpx.AsyncClient, world: World) -> str:
    return (await create(client, world.asele))["id"]


async def create_municipality(c: httpx.AsyncClient, w: World, h: dict[str, str]) -> httpx.Response:
    return await c.post(
        "/api/v1/municipalities", json={"name": "Sorsele", "slug": "sorsele"}, headers=h
    )


async def create_venue(c: httpx.AsyncClient, w: World, h: dict[str, str]) -> httpx.Response:
    return await c.post(
        "/api/v1/venues", json={"municipality": "asele", "name": "Hallen"}, headers=h
    )


async def create_event(c: httpx.AsyncClient, w: World, h: dict[str, str]) -> httpx.Response:
    return await c.post("/api/v1/events", json=BASE_EVENT, headers=h)


async def patch_event(c: httpx.AsyncClient, w: World, h: dict[str, str]) -> httpx.Response:
    return await c.patch(f"/api/v1/events/{await _event_id(c, w)}", json={"title": "Ny"}, headers=h)


async def publish_event(c: httpx.AsyncClient, w: World, h: dict[str, str]) -> httpx.Response:
    return await c.post(f"/api/v1/events/{await _event_id(c, w)}/publish", headers=h)


async def cancel_event(c: httpx.AsyncClient, w: World, h: dict[str, str]) -> httpx.Response:
    return await c.post(f"/api/v1/events/{await _event_id(c, w)}/cancel", headers=h)


# (call, what the Åsele organiser gets, success status)
ENDPOINTS: list[tuple[Call, int, int]] = [
    (create_municipality, 403, 201),
    (create_venue, 201, 201),
    (create_event, 201, 201),
    (patch_event, 200, 200),
    (publish_event, 200, 200),
    (cancel_event, 200, 200),
]


@pytest.mark.parametrize(
    ("call", "organiser_status", "ok"), ENDPOINTS, ids=[e[0].__name__ for e in ENDPOINTS]
)
async def test_rights_matrix(
    client: httpx.AsyncClient, world: World, call: Call, organiser_status: int, ok: int
) -> None:
    anonymous = await call(client, world, {})
    assert anonymous.status_code == 401
    assert anonymous.headers["content-type"].startswith("application/problem+json")
    assert anonymous.headers["www-authenticate"].startswith("Bearer")
    bad = await call(client, world, World.auth("not-a-real-token"))
    assert bad.status_code == 401
    other = await call(client, world, World.auth(world.arvidsjaur))
    assert other.status_code == 403, other.text
    assert other.json()["status"] == 403
    own = await call(client, world, World.auth(world.asele))
    assert own.status_code == organiser_status, own.text
    admin = await call(client, world, World.auth(world.admin))
    assert admin.status_code == ok, admin.text


async def test_revoked_token_is_refused(client: httpx.AsyncClient, world: World) -> None:
    organiser_id = await organisers.ensure_organiser("temp@asele.se", "organiser", "asele")
    token_id, token = await accounts.create_token(organiser_id)
    assert (await create_venue(client, world, World.auth(token))).status_code == 201
    # Another organiser cannot revoke it; the owner can.
    r = await client.delete(f"/api/v1/tokens/{token_id}", headers=World.auth(world.arvidsjaur))
    assert r.status_code == 404
    r = await client.delete(f"/api/v1/tokens/{token_id}", headers=World.auth(token))
    assert r.status_code == 204
    assert (await create_venue(client, world, World.auth(token))).status_code == 401


async def test_tokens_are_stored_hashed(client: httpx.AsyncClient, world: World) -> None:
    stored = [r["token_hash"] for r in await ApiToken.select(ApiToken.token_hash)]
    assert stored and world.admin not in stored and all(len(h) == 64 for h in stored)
    assert len(world.admin) >= 22  # >= 128 bits of URL-safe randomness


async def test_drafts_of_other_municipalities_stay_hidden(
    client: httpx.AsyncClient, world: World
) -> None:
    ev: dict[str, Any] = await create(client, world.asele)
    r = await client.get(f"/api/v1/events/{ev['id']}", headers=World.auth(world.arvidsjaur))
    assert r.status_code == 404
    r = await client.get(f"/api/v1/events/{ev['id']}", headers=World.auth(world.admin))
    assert r.status_code == 200
