"""`create_app(settings=…)` governs the domains: two apps in one process, with two base URLs,
each write their own into the links they answer with (traffpunkt.settings.current_settings)."""

from __future__ import annotations

import dataclasses
from typing import Any

import httpx

from tests.conftest import World
from traffpunkt.app import create_app
from traffpunkt.settings import current_settings, get_settings, using


async def _calendar_link(app: Any) -> str:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        r = await c.get("/api/v1/municipalities")
    assert r.status_code == 200, r.text
    (asele,) = [m for m in r.json()["items"] if m["slug"] == "asele"]
    return str(asele["ics_url"])


async def test_each_app_answers_with_its_own_settings(engine: Any, world: World) -> None:
    east = dataclasses.replace(get_settings(), base_url="https://east.example.se")
    west = dataclasses.replace(get_settings(), base_url="https://west.example.se")
    east_app, west_app = create_app(east, engine), create_app(west, engine)
    assert await _calendar_link(east_app) == "https://east.example.se/calendars/asele.ics"
    assert await _calendar_link(west_app) == "https://west.example.se/calendars/asele.ics"
    # Outside an app: the environment's, or what a block binds.
    assert current_settings() is get_settings()
    with using(west):
        assert current_settings() is west
    assert current_settings() is get_settings()
