"""Organisers signed in through the real mailed-link flow."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
import pytest

from events import organisers
from notifications.tables import OutboxMessage
from tests.conftest import World


def csrf(html: str) -> str:
    match = re.search(r'name="_csrf_token" value="([^"]+)"', html)
    assert match, "the page carries a CSRF token"
    return match.group(1)


async def sign_in(client: httpx.AsyncClient, email: str) -> None:
    form = await client.get("/organiser/sign-in")
    r = await client.post(
        "/organiser/sign-in", data={"_csrf_token": csrf(form.text), "email": email}
    )
    assert r.status_code == 200
    link_rows = (
        await OutboxMessage.select()
        .where((OutboxMessage.kind == "sign_in") & (OutboxMessage.recipient == email))
        .order_by(OutboxMessage.created_at, ascending=False)
    )
    assert link_rows, "a sign-in link was mailed"
    link = json.loads(link_rows[0]["secrets"])["sign_in_url"].removeprefix("http://testserver")
    confirm = await client.get(link)
    assert confirm.status_code == 200
    r = await client.post(link, data={"_csrf_token": csrf(confirm.text), "next": "/organiser"})
    assert r.status_code == 303 and r.headers["location"] == "/organiser"
    assert "tp_session" in client.cookies


@pytest.fixture
async def anna(app: Any, world: World) -> httpx.AsyncClient:
    """The Åsele organiser, signed in in her own browser."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        await sign_in(c, "anna@asele.se")
        yield c


@pytest.fixture
async def olle(app: Any, world: World) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        await sign_in(c, "olle@arvidsjaur.se")
        yield c


async def ensure(email: str, role: str, municipality: str | None = None) -> None:
    await organisers.ensure_organiser(email, role, municipality)
