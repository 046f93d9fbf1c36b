"""Check-in to a course series: one attendance per person and session, however often scanned."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from registrations.tables import Scan, SessionAttendance
from tests.conftest import World
from tests.events.test_sessions import FOUR, put_sessions
from tests.registrations.conftest import make_event
from tests.registrations.test_checkin import attendee, door


async def series_event(client: httpx.AsyncClient, world: World) -> tuple[dict[str, Any], list[str]]:
    ev = await make_event(client, world, kind="course", capacity=10)
    r = await put_sessions(client, world.asele, ev["id"], FOUR)
    assert r.status_code == 200, r.text
    return ev, [s["id"] for s in r.json()["items"]]


async def test_scans_per_session(client: httpx.AsyncClient, world: World) -> None:
    ev, sessions = await series_event(client, world)
    h = await door(client, world, ev["id"])
    anna = await attendee(client, ev["id"], "anna@example.se")
    url = f"/api/v1/events/{ev['id']}/checkins"

    async def scan(session: str | None, **extra: Any) -> dict[str, Any]:
        body = {"secret": anna["code"], **extra}
        if session:
            body["session_id"] = session
        r = await client.post(url, json=body, headers=h)
        assert r.status_code == 200, r.text
        return r.json()

    assert (await scan(sessions[0]))["result"] == "ok"
    assert (await scan(sessions[0]))["result"] == "already_checked_in"
    assert (await scan(sessions[1]))["result"] == "ok"  # another session: a new attendance
    assert (await scan(sessions[1]))["result"] == "already_checked_in"
    # By name at the door (the manual ticket number) counts for the session too.
    assert (await scan(None))["result"] == "already_checked_in"  # the series, as before
    data = (await client.get(f"/api/v1/events/{ev['id']}/checkin-data", headers=h)).json()
    assert [s["id"] for s in data["sessions"]] == sessions
    assert sorted(data["attendance"][anna["id"]]) == sorted(sessions[:2])
    # A session of another event, or nonsense, is a 422 naming the field.
    r = await client.post(url, json={"secret": anna["code"], "session_id": ev["id"]}, headers=h)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "session_id"
    r = await client.post(
        f"{url}/batch",
        json={"scans": [{"secret": anna["code"], "scan_id": "x1", "session_id": "nope"}]},
        headers=h,
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "scans[0].session_id"
    # Undo of one session's attendance keeps the other's and the series' check-in.
    r = await client.delete(f"{url}/{anna['id']}", params={"session_id": sessions[1]}, headers=h)
    assert r.status_code == 200, r.text
    assert (await scan(sessions[1]))["result"] == "ok"
    assert await SessionAttendance.count() == 2


async def test_offline_batch_replayed_and_twice_one_session(
    client: httpx.AsyncClient, world: World
) -> None:
    ev, sessions = await series_event(client, world)
    h = await door(client, world, ev["id"])
    people = [await attendee(client, ev["id"], f"p{i}@example.se") for i in range(3)]
    batch = {
        "scans": [
            # The same person twice for session 2 (two phones, offline): one attendance.
            {
                "secret": people[0]["code"],
                "scan_id": "a",
                "session_id": sessions[1],
                "offline_result": "ok",
            },
            {
                "secret": people[0]["code"],
                "scan_id": "b",
                "session_id": sessions[1],
                "offline_result": "ok",
            },
            {
                "secret": people[1]["code"],
                "scan_id": "c",
                "session_id": sessions[1],
                "offline_result": "ok",
            },
            {
                "secret": people[1]["code"],
                "scan_id": "d",
                "session_id": sessions[2],
                "offline_result": "ok",
            },
        ]
    }
    url = f"/api/v1/events/{ev['id']}/checkins/batch"
    first = (await client.post(url, json=batch, headers=h)).json()["results"]
    assert [r["result"] for r in first] == ["ok", "already_checked_in", "ok", "ok"]
    assert [r.get("flagged", False) for r in first] == [False, False, False, False]
    # The phone did not hear the answer and sends it all again, twice at once: nothing new.
    again = await asyncio.gather(*(client.post(url, json=batch, headers=h) for _ in range(2)))
    for r in again:
        assert r.status_code == 200
        assert [x["result"] for x in r.json()["results"]] == [x["result"] for x in first]
    assert await SessionAttendance.count() == 3
    assert await Scan.count().where(Scan.session_id == sessions[1]) == 3
    # A person never checked in for session 2 is not in its attendance.
    data = (await client.get(f"/api/v1/events/{ev['id']}/checkin-data", headers=h)).json()
    assert people[2]["id"] not in data["attendance"]
    assert data["attendance"][people[0]["id"]] == [sessions[1]]
