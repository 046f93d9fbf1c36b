"""Networking pages over HTTP: people to meet (no JavaScript), and the needs map."""

from __future__ import annotations

import httpx

from notifications.tables import OutboxMessage
from tests.conftest import World
from tests.networking.test_networking_api import person
from tests.registrations.conftest import make_event
from tests.registrations.test_attendee_pages import csrf


async def test_people_page_yes_on_both_sides(client: httpx.AsyncClient, world: World) -> None:
    ev = await make_event(client, world, capacity=20)
    anna = await person(client, ev["id"], "Anna", ["bookkeeping"], ["e-commerce"])
    hugo = await person(client, ev["id"], "Hugo", ["e-commerce"], ["bookkeeping"])
    manage = await client.get(f"/r/{anna['token']}")
    assert f"/r/{anna['token']}/people" in manage.text
    page = await client.get(f"/r/{anna['token']}/people")
    assert page.status_code == 200 and "Hugo" in page.text
    assert "Hugo erbjuder bokföring" in page.text and "hugo@example.se" not in page.text
    assert page.headers["referrer-policy"] == "no-referrer"
    r = await client.post(
        f"/r/{anna['token']}/people/{hugo['id']}",
        data={"_csrf_token": csrf(page.text), "decision": "yes"},
    )
    assert r.status_code == 303 and "done=yes" in r.headers["location"]
    page = await client.get(f"/r/{hugo['token']}/people")
    r = await client.post(
        f"/r/{hugo['token']}/people/{anna['id']}",
        data={"_csrf_token": csrf(page.text), "decision": "yes"},
    )
    assert "done=introduced" in r.headers["location"]
    after = await client.get(f"/r/{hugo['token']}/people")
    assert "anna@example.se" in after.text
    intros = await OutboxMessage.select().where(OutboxMessage.kind == "introduction")
    assert len(intros) == 2


async def test_needs_map_page(client: httpx.AsyncClient, world: World) -> None:
    ev = await make_event(client, world, capacity=20)
    for i in range(3):
        await person(client, ev["id"], f"E{i}", ["export"], ["tourism"] if i == 0 else [])
    r = await client.get("/needs-map/asele?from=2027-01-01&to=2027-12-31")
    assert r.status_code == 200
    assert "<svg" in r.text and 'role="img"' in r.text
    assert "<table" in r.text and "&lt;3" in r.text
    assert "Export och nya marknader" in r.text
    assert (await client.get("/needs-map/all")).status_code == 200
    assert (await client.get("/needs-map/atlantis")).status_code == 404
