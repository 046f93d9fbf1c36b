"""Retention (registrations/service/retention.py): the personal data of events that ended more
than TRAFFPUNKT_RETENTION_MONTHS ago is anonymised, logged in the event's audit log, and the
figures stay as they were: attendance counts, check-in stats, the skills-needs map (counting a
person who came to an old and a new event once)."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import Any
from uuid import UUID

import httpx

from events.audit import of_event
from registrations import service
from tests.conftest import World
from tests.registrations.conftest import make_event, sign_up, token_of
from tests.registrations.test_checkin import door
from traffpunkt import db
from traffpunkt.clock import utc_now
from traffpunkt.settings import get_settings, using

MAP = "/api/v1/needs-map?municipality=asele&from=2020-01-01&to=2030-01-01"


async def _figures(client: httpx.AsyncClient, old: str, new: str, h: dict[str, str]) -> Any:
    counts = await service.counts_for_events([UUID(old), UUID(new)])
    needs_map = (await client.get(MAP)).json()
    stats = (await client.get(f"/api/v1/events/{old}/checkin-stats", headers=h)).json()
    return counts, needs_map, stats


async def test_retention_anonymises_old_events_and_keeps_the_figures(
    client: httpx.AsyncClient, world: World
) -> None:
    old = (await make_event(client, world, title="Gammalt möte", capacity=3))["id"]
    new = (await make_event(client, world, title="Nytt möte"))["id"]
    tokens = {}
    for i, (email, needs, offers) in enumerate(
        [
            ("anna@example.se", ["e-commerce"], ["bookkeeping"]),
            ("bo@example.se", ["e-commerce"], []),
            ("cecilia@example.se", ["bookkeeping"], ["e-commerce"]),
            ("david@example.se", ["e-commerce"], []),  # the fourth waits
        ]
    ):
        r = await sign_up(
            client, old, email, needs=needs, offers=offers, organisation=f"Firma {i} AB"
        )
        assert r.status_code == 201, r.text
        tokens[email] = token_of(r)
    r = await sign_up(client, new, "Anna@Example.se", needs=["e-commerce"], name="Anna Ny")
    new_token = token_of(r)
    r = await client.post(
        f"/api/v1/events/{old}/invitations",
        json={"emails": ["inbjuden@example.se"]},
        headers=World.auth(world.asele),
    )
    assert r.status_code == 202, r.text
    h = await door(client, world, old)
    ticket = (await client.get(f"/api/v1/registrations/{tokens['anna@example.se']}")).json()
    r = await client.post(
        f"/api/v1/events/{old}/checkins", json={"secret": ticket["ticket"]["code"]}, headers=h
    )
    assert r.json()["result"] == "ok"
    # The old event took place 30 months ago.
    ends = utc_now() - timedelta(days=915)
    await db.hot(
        "UPDATE event SET starts_at = {}, ends_at = {} WHERE id = {}",
        ends - timedelta(hours=2),
        ends,
        UUID(old),
    )
    before = await _figures(client, old, new, h)
    assert before[1]["people"] == "4"  # Anna once, over both events

    with using(dataclasses.replace(get_settings(), retention_months=0)):
        assert await service.apply_retention() == 0  # off
    assert await service.apply_retention() == 4
    assert await service.apply_retention() == 0  # nothing left to do

    assert await _figures(client, old, new, h) == before
    rows = await db.hot("SELECT * FROM registration WHERE event = {}", UUID(old))
    text = repr(rows).lower()
    for gone in ("anna", "bo@", "cecilia", "david", "firma"):
        assert gone not in text, gone
    assert all(r["email"].startswith("retained-") for r in rows)
    assert sum(r["checked_in_at"] is not None for r in rows) == 1
    for token in tokens.values():  # the manage links are dead
        assert (await client.get(f"/api/v1/registrations/{token}")).status_code == 404
    mail = await db.hot(
        "SELECT recipient, data, secrets FROM outbox_message WHERE event = {}", UUID(old)
    )
    assert mail and all(
        (m["recipient"], m["data"], m["secrets"]) == ("erased@invalid", "{}", None) for m in mail
    )
    invited = await db.hot("SELECT email, name FROM invitation WHERE event = {}", UUID(old))
    assert [(i["email"], i["name"]) for i in invited] == [("retained@invalid", "")]
    scans = await db.hot("SELECT secret, device FROM scan WHERE event = {}", UUID(old))
    assert [(s["secret"], s["device"]) for s in scans] == [("", "")]
    (line,) = [a for a in await of_event(UUID(old)) if a.action == "registrations.retained"]
    assert line.detail == "4/1"
    # The new event is untouched.
    own = (await client.get(f"/api/v1/registrations/{new_token}")).json()
    assert own["name"] == "Anna Ny" and own["email"] == "anna@example.se"


def test_months_before() -> None:
    from datetime import UTC, datetime

    from traffpunkt.clock import months_before

    assert months_before(datetime(2026, 3, 31, tzinfo=UTC), 1) == datetime(2026, 2, 28, tzinfo=UTC)
    assert months_before(datetime(2026, 1, 15, tzinfo=UTC), 24) == datetime(2024, 1, 15, tzinfo=UTC)
    assert months_before(datetime(2026, 5, 31, tzinfo=UTC), 3) == datetime(2026, 2, 28, tzinfo=UTC)
