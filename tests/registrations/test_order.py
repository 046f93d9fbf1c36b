"""First come, first served by commit order, and waiting-list positions that are exact in every
mail and page, under concurrent sign-ups (each test on SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import json
from types import SimpleNamespace
from typing import Any

import httpx

from events import service as events_service
from notifications import render
from notifications.tables import OutboxMessage
from registrations.tables import Registration
from tests.conftest import World
from tests.registrations.conftest import make_event, sign_up, token_of
from traffpunkt.clock import utc_now
from traffpunkt.settings import get_settings

CAPACITY = 10
PEOPLE = 60


class CommitWatch:
    """Polls the event's registrations from a connection of its own while sign-ups run and
    notes, for each row, the first poll that saw it. One SELECT sees a snapshot: if a poll saw
    A but not B, A committed before B. Independent of anything the code under test records."""

    def __init__(self, event_id: str) -> None:
        self.event_id = event_id
        self.first_seen: dict[str, int] = {}
        self.polls = 0
        self._stop = asyncio.Event()

    async def run(self) -> None:
        # One poll more after `stop`: it starts after every sign-up has answered (so committed),
        # and so sees every row; without it a row committed during the last poll went unseen.
        while True:
            stopping = self._stop.is_set()
            rows = await Registration.select(Registration.id).where(
                Registration.event == self.event_id
            )
            self.polls += 1
            for r in rows:
                self.first_seen.setdefault(str(r["id"]), self.polls)
            if stopping:
                return
            await asyncio.sleep(0)

    def stop(self) -> None:
        self._stop.set()

    def committed_before(self, a: str, b: str) -> bool:
        """Seen proof that `a` committed before `b`."""
        return self.first_seen[a] < self.first_seen[b]


async def _waitlist_mails() -> dict[str, int]:
    """{registration id: the position its waiting-list mail states} (erased ones left out)."""
    rows = await OutboxMessage.select().where(OutboxMessage.kind == "waitlisted")
    data = {str(m["registration_id"]): json.loads(m["data"]) for m in rows}
    return {k: d["position"] for k, d in data.items() if "position" in d}


async def test_concurrent_sign_ups_are_served_in_commit_order_with_exact_positions(
    client: httpx.AsyncClient, world: World
) -> None:
    event = await make_event(client, world, capacity=CAPACITY)
    watch = CommitWatch(event["id"])
    watcher = asyncio.create_task(watch.run())
    try:
        responses = await asyncio.gather(
            *(sign_up(client, event["id"], f"person{i}@example.se") for i in range(PEOPLE))
        )
    finally:
        watch.stop()
        await watcher
    assert all(r.status_code == 201 for r in responses), [r.text for r in responses]
    rows = {str(r["id"]): r for r in await Registration.select()}
    confirmed = [i for i, r in rows.items() if r["status"] == "confirmed"]
    waiting = [i for i, r in rows.items() if r["status"] == "waitlisted"]
    assert len(confirmed) == CAPACITY and len(waiting) == PEOPLE - CAPACITY

    # Every mail states a different position, exactly 1..N.
    told = await _waitlist_mails()
    assert sorted(told.values()) == list(range(1, PEOPLE - CAPACITY + 1)), sorted(told.values())
    assert set(told) == set(waiting)

    # First come, first served by commit order: no one who was put on the waiting list
    # committed before someone who got a seat, and the positions follow the commits.
    assert watch.polls > 1
    assert not [(w, c) for w in waiting for c in confirmed if watch.committed_before(w, c)], (
        "a waitlisted sign-up committed before one that got a seat"
    )
    assert not [
        (a, b)
        for a in waiting
        for b in waiting
        if told[a] < told[b] and watch.committed_before(b, a)
    ], "a later position committed before an earlier one"
    # The order the rows record is that same order: time of the decision (kept as queued_at
    # and registered_at), then the sign-up number.
    by_time = sorted(rows.values(), key=lambda r: (r["queued_at"], r.get("queue_seq", 0)))
    assert [r["status"] for r in by_time] == ["confirmed"] * CAPACITY + ["waitlisted"] * (
        PEOPLE - CAPACITY
    )
    assert [told[str(r["id"])] for r in by_time[CAPACITY:]] == list(range(1, PEOPLE - CAPACITY + 1))
    by_seq = sorted(rows.values(), key=lambda r: r["queue_seq"])
    assert [r["queue_seq"] for r in by_seq] == list(range(1, PEOPLE + 1))
    assert [r["id"] for r in by_seq] == [r["id"] for r in by_time]

    # The mail as sent says it (the data written in the deciding statement renders).
    row = await events_service.event_for_mail(event["id"])
    for m in await OutboxMessage.select().where(OutboxMessage.event == event["id"]):
        mail = render.build(SimpleNamespace(**m), row, get_settings(), utc_now())
        text = mail.get_body(("plain",)).get_content()
        if m["kind"] == "waitlisted":
            assert f"nummer {told[str(m['registration_id'])]} på väntelistan" in text
        else:
            assert m["kind"] == "confirmed" and "väntelistan" not in text

    # The manage API and the manage page say what the mail said.
    for r in responses:
        if r.json()["status"] != "waitlisted":
            continue
        token = token_of(r)
        own = (await client.get(f"/api/v1/registrations/{token}")).json()
        assert own["waitlist_position"] == told[r.json()["id"]]
        page = await client.get(f"/r/{token}")
        assert f"På väntelistan, nummer {told[r.json()['id']]}" in page.text


async def _position(client: httpx.AsyncClient, response: httpx.Response) -> Any:
    own = (await client.get(f"/api/v1/registrations/{token_of(response)}")).json()
    return own["waitlist_position"] if own["status"] == "waitlisted" else own["status"]


async def test_positions_after_cancellations_and_promotions(
    client: httpx.AsyncClient, world: World
) -> None:
    """A mail states the position at the time; the page shows the current one; a newcomer is
    told the true end of the list after people left it."""
    event = await make_event(client, world, capacity=2)
    people = [await sign_up(client, event["id"], f"p{i}@example.se") for i in range(6)]
    assert [await _position(client, p) for p in people] == ["confirmed"] * 2 + [1, 2, 3, 4]
    # Number 2 on the waiting list leaves: those behind move up.
    await client.delete(f"/api/v1/registrations/{token_of(people[3])}")
    assert [await _position(client, p) for p in people[4:]] == [2, 3]
    newcomer = await sign_up(client, event["id"], "new@example.se")
    assert (await _waitlist_mails())[newcomer.json()["id"]] == 4
    assert await _position(client, newcomer) == 4
    # A seat is freed: the first on the waiting list gets it, the rest move up.
    await client.delete(f"/api/v1/registrations/{token_of(people[0])}")
    assert [await _position(client, p) for p in (people[2], people[4], people[5], newcomer)] == [
        "confirmed",
        1,
        2,
        3,
    ]
    last = await sign_up(client, event["id"], "last@example.se")
    assert (await _waitlist_mails())[last.json()["id"]] == 4
    # Erasing one's data takes one off the list too.
    erased = await client.post(f"/api/v1/registrations/{token_of(people[4])}/erase")
    assert erased.status_code == 204
    again = await sign_up(client, event["id"], "again@example.se")
    assert (await _waitlist_mails())[again.json()["id"]] == 4
    assert [await _position(client, p) for p in (people[5], newcomer, last, again)] == [
        1,
        2,
        3,
        4,
    ]
    # Coming back after cancelling joins the end of the list.
    back = await sign_up(client, event["id"], "p3@example.se")
    assert back.status_code == 201 and back.json()["id"] == people[3].json()["id"]
    assert await _position(client, back) == 5
    mails = await OutboxMessage.select().where(
        (OutboxMessage.kind == "waitlisted") & (OutboxMessage.registration_id == back.json()["id"])
    )
    assert sorted(json.loads(m["data"])["position"] for m in mails)[-1] == 5


async def _live_rows(database_url: str, sql: str) -> list[dict[str, Any]]:
    """Rows straight from a live server's database (read-only)."""
    if database_url.startswith("sqlite"):
        import sqlite3

        conn = sqlite3.connect(database_url.removeprefix("sqlite:///"))
        conn.row_factory = sqlite3.Row
        try:
            return [dict(r) for r in conn.execute(sql)]
        finally:
            conn.close()
    import asyncpg

    pg = await asyncpg.connect(database_url)
    try:
        return [dict(r) for r in await pg.fetch(sql)]
    finally:
        await pg.close()


async def test_a_real_server_under_a_burst_of_sign_ups(live: Any) -> None:
    """100 sign-ups at once over 50 connections to `traffpunkt serve`, for 20 seats: the mails
    state 1..80 once each, the manage API agrees, and the seats went to the first 20 commits."""
    token = live.cli("token", "create", "--email", "boss@example.se", "--role", "admin").split()[-1]
    auth = {"Authorization": f"Bearer {token}"}
    limits = httpx.Limits(max_connections=50)
    async with httpx.AsyncClient(base_url=live.url, limits=limits, timeout=60) as http:
        r = await http.post(
            "/api/v1/municipalities", json={"name": "Åsele", "slug": "asele"}, headers=auth
        )
        assert r.status_code == 201, r.text
        r = await http.post(
            "/api/v1/events",
            json={
                "title": "Frukostmöte",
                "kind": "network",
                "municipality": "asele",
                "starts_at": "2027-03-04T08:00",
                "ends_at": "2027-03-04T10:00",
                "capacity": 20,
            },
            headers=auth,
        )
        event_id = r.json()["id"]
        assert (await http.post(f"/api/v1/events/{event_id}/publish", headers=auth)).is_success
        responses = await asyncio.gather(
            *(
                http.post(
                    f"/api/v1/events/{event_id}/registrations",
                    json={"name": f"Person {i}", "email": f"person{i}@example.se"},
                )
                for i in range(100)
            )
        )
        assert [r.status_code for r in responses] == [201] * 100, [r.text for r in responses]
        own = await asyncio.gather(
            *(http.get(f"/api/v1/registrations/{token_of(r)}") for r in responses)
        )
    api = {o.json()["id"]: o.json() for o in own}
    mails = await _live_rows(
        live.database_url,
        "SELECT registration_id, data FROM outbox_message WHERE kind = 'waitlisted'",
    )
    told = {str(m["registration_id"]): json.loads(m["data"])["position"] for m in mails}
    assert sorted(told.values()) == list(range(1, 81))
    positions = {i: a["waitlist_position"] for i, a in api.items() if a["waitlist_position"]}
    assert positions == told
    rows = await _live_rows(
        live.database_url, "SELECT id, status, queue_seq FROM registration ORDER BY queue_seq"
    )
    assert [r["queue_seq"] for r in rows] == list(range(1, 101))
    assert [r["status"] for r in rows] == ["confirmed"] * 20 + ["waitlisted"] * 80
    assert [told[str(r["id"])] for r in rows[20:]] == list(range(1, 81))
