"""A published event that has ended, with people signed up and some of them checked in."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx

from events import service as events_service
from notifications.tables import OutboxMessage
from tests.conftest import World
from tests.organiser.conftest import anna, olle  # noqa: F401 (the signed-in organisers' fixtures)
from tests.registrations.conftest import make_event, sign_up, token_of


@dataclass
class Past:
    event: dict[str, Any]
    ends_at: datetime
    checked_in: list[str] = field(default_factory=list)  # registration ids
    others: list[str] = field(default_factory=list)
    manage: dict[str, str] = field(default_factory=dict)  # registration id -> manage token


async def past_event(
    client: httpx.AsyncClient, world: World, people: int = 5, present: int = 3, **changes: Any
) -> Past:
    """`people` signed up, the first `present` checked in (by the organiser, by ticket)."""
    event = await make_event(client, world, capacity=None, **changes)
    row = await events_service.event_for_mail(event["id"])
    assert row is not None
    past = Past(event=event, ends_at=row.ends_at)
    for i in range(people):
        r = await sign_up(
            client, event["id"], f"p{i}.{event['slug']}@example.se", name=f"Person {i}"
        )
        assert r.status_code == 201, r.text
        token = token_of(r)
        own = (await client.get(f"/api/v1/registrations/{token}")).json()
        past.manage[own["id"]] = token
        if i < present:
            scan = await client.post(
                f"/api/v1/events/{event['id']}/checkins",
                json={"secret": own["ticket"]["code"]},
                headers=World.auth(world.asele),
            )
            assert scan.json()["result"] == "ok", scan.text
            past.checked_in.append(own["id"])
        else:
            past.others.append(own["id"])
    return past


def after(past: Past, delta: timedelta = timedelta(hours=1)) -> datetime:
    return past.ends_at + delta


async def outbox(kind: str) -> list[dict[str, Any]]:
    return list(await OutboxMessage.select().where(OutboxMessage.kind == kind))


def link_token(message: dict[str, Any]) -> str:
    return str(json.loads(message["secrets"])["evaluation_url"]).rsplit("/", 1)[1]
