"""Check-in: exactly one result per scan, once per person, idempotent batches, door tokens."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import httpx
import pytest

from registrations import tickets
from registrations.tables import Scan
from tests.conftest import World
from tests.registrations.conftest import make_event, sign_up, token_of
from traffpunkt.clock import utc_now


async def attendee(client: httpx.AsyncClient, event_id: str, email: str) -> dict[str, Any]:
    r = await sign_up(client, event_id, email)
    own = (await client.get(f"/api/v1/registrations/{token_of(r)}")).json()
    return {
        "token": token_of(r),
        "code": own["ticket"]["code"] if own["ticket"] else None,
        "id": own["id"],
        "name": own["name"],
    }


async def door(client: httpx.AsyncClient, world: World, event_id: str) -> dict[str, str]:
    r = await client.post(f"/api/v1/events/{event_id}/door-tokens", headers=World.auth(world.asele))
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["url"].endswith(f"/checkin/{event_id}#door={body['token']}")
    return World.auth(body["token"])


async def test_every_result(client: httpx.AsyncClient, world: World, event: dict[str, Any]) -> None:
    h = await door(client, world, event["id"])
    people = [await attendee(client, event["id"], f"p{i}@example.se") for i in range(7)]
    anna, cancelled, waitlisted = people[0], people[1], people[6]
    assert waitlisted["code"] is None  # capacity 5: the sixth and seventh wait, without tickets
    await client.delete(f"/api/v1/registrations/{cancelled['token']}")  # the sixth moves up
    other = await make_event(client, world, title="Annat möte")
    stranger = await attendee(client, other["id"], "stranger@example.se")

    async def scan(secret: str) -> dict[str, Any]:
        r = await client.post(
            f"/api/v1/events/{event['id']}/checkins", json={"secret": secret}, headers=h
        )
        assert r.status_code == 200, r.text
        return r.json()

    ok = await scan(anna["code"])
    assert ok["result"] == "ok" and ok["name"] == anna["name"] and ok["checked_in_at"]
    assert (await scan(anna["code"]))["result"] == "already_checked_in"
    assert (await scan(cancelled["code"]))["result"] == "cancelled"
    assert (await scan(stranger["code"]))["result"] == "wrong_event"
    assert (await scan("TP1NOTATICKET"))["result"] == "not_found"
    assert (await scan("hello"))["result"] == "not_found"
    # Tampering: change one character of a valid code; the signature no longer matches.
    code = people[2]["code"]
    forged = code[:20] + ("A" if code[20] != "A" else "B") + code[21:]
    assert (await scan(forged))["result"] == "not_found"
    # The waitlisted person's ticket never existed; a signed-but-waitlisted one says so.
    from registrations import service
    from registrations.queries import by_id

    reg = await by_id(UUID(waitlisted["id"]))
    assert reg is not None
    assert (await scan(await service.ticket_code(reg.event, reg.ticket_no)))[
        "result"
    ] == "waitlisted"
    stats = (await client.get(f"/api/v1/events/{event['id']}/checkin-stats", headers=h)).json()
    assert stats == {"registered": 5, "checked_in": 1, "waiting": 1, "capacity": 5}


async def test_many_phones_one_person(
    client: httpx.AsyncClient, world: World, event: dict[str, Any]
) -> None:
    h = await door(client, world, event["id"])
    person = await attendee(client, event["id"], "crowd@example.se")
    results = await asyncio.gather(
        *(
            client.post(
                f"/api/v1/events/{event['id']}/checkins", json={"secret": person["code"]}, headers=h
            )
            for _ in range(12)
        )
    )
    outcomes = [r.json()["result"] for r in results]
    assert outcomes.count("ok") == 1 and outcomes.count("already_checked_in") == 11
    assert len(await Scan.select()) == 12  # every scan is kept


async def test_batches_are_idempotent(
    client: httpx.AsyncClient, world: World, event: dict[str, Any]
) -> None:
    h = await door(client, world, event["id"])
    people = [await attendee(client, event["id"], f"b{i}@example.se") for i in range(3)]
    earlier = (utc_now() - timedelta(minutes=7)).astimezone(ZoneInfo("Europe/Stockholm"))
    local = earlier.replace(tzinfo=None, microsecond=0).isoformat()  # local time, no offset
    scans = [
        {
            "secret": p["code"],
            "scan_id": f"phone1-{i}",
            "device": "phone 1",
            "scanned_at": local,
            "offline_result": "ok",
        }
        for i, p in enumerate(people)
    ]
    scans.append({"secret": people[0]["code"], "scan_id": "phone1-again", "offline_result": "ok"})
    first = await client.post(
        f"/api/v1/events/{event['id']}/checkins/batch", json={"scans": scans}, headers=h
    )
    assert first.status_code == 200, first.text
    assert [r["result"] for r in first.json()["results"]] == [
        "ok",
        "ok",
        "ok",
        "already_checked_in",
    ]
    # The phone did not hear the answer and sends the same batch again, twice at once.
    again = await asyncio.gather(
        *(
            client.post(
                f"/api/v1/events/{event['id']}/checkins/batch", json={"scans": scans}, headers=h
            )
            for _ in range(2)
        )
    )
    for r in again:
        assert r.json()["results"] == first.json()["results"]
    assert len(await Scan.select()) == 4
    # The offline scan time is kept as the arrival time.
    assert first.json()["results"][0]["checked_in_at"] == earlier.replace(microsecond=0).isoformat()
    bad = await client.post(
        f"/api/v1/events/{event['id']}/checkins/batch", json={"scans": [{"secret": "x"}]}, headers=h
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "scans[0].scan_id"


async def test_offline_admission_refused_online_is_flagged(
    client: httpx.AsyncClient, world: World, event: dict[str, Any]
) -> None:
    h = await door(client, world, event["id"])
    person = await attendee(client, event["id"], "late@example.se")
    await client.delete(f"/api/v1/registrations/{person['token']}")  # after the phone synced
    r = await client.post(
        f"/api/v1/events/{event['id']}/checkins/batch",
        headers=h,
        json={"scans": [{"secret": person["code"], "scan_id": "s1", "offline_result": "ok"}]},
    )
    (result,) = r.json()["results"]
    assert result["result"] == "cancelled" and result["flagged"] is True
    (scan,) = await Scan.select()
    assert scan["flagged"] and scan["offline_result"] == "ok"


async def test_undo_search_and_offline_data(
    client: httpx.AsyncClient, world: World, event: dict[str, Any]
) -> None:
    h = await door(client, world, event["id"])
    person = await attendee(client, event["id"], "undo@example.se")
    gone = await attendee(client, event["id"], "gone@example.se")
    await client.delete(f"/api/v1/registrations/{gone['token']}")
    await client.post(
        f"/api/v1/events/{event['id']}/checkins", json={"secret": person["code"]}, headers=h
    )
    r = await client.delete(f"/api/v1/events/{event['id']}/checkins/{person['id']}", headers=h)
    assert r.status_code == 200
    assert (
        await client.delete(f"/api/v1/events/{event['id']}/checkins/{person['id']}", headers=h)
    ).status_code == 409
    again = await client.post(
        f"/api/v1/events/{event['id']}/checkins", json={"secret": person["code"]}, headers=h
    )
    assert again.json()["result"] == "ok"
    found = (
        await client.get(
            f"/api/v1/events/{event['id']}/registrations", params={"q": "UNDO"}, headers=h
        )
    ).json()["items"]
    assert [f["id"] for f in found] == [person["id"]]
    assert found[0]["email"] == ""  # the door sees names, not addresses
    data = (await client.get(f"/api/v1/events/{event['id']}/checkin-data", headers=h)).json()
    parsed = tickets.parse(person["code"])
    assert parsed is not None
    ticket_no, signature = parsed
    assert tickets.verify(UUID(event["id"]), ticket_no, signature, data["public_key"])
    assert [a[0] for a in data["attendees"]] == [ticket_no]
    assert data["attendees"][0][1:] == [person["name"], "confirmed", True, person["id"]]
    assert data["revoked"] == [tickets.parse(gone["code"])[0]]  # type: ignore[index]


@pytest.mark.parametrize(
    "path,method",
    [
        ("/checkins", "post"),
        ("/checkins/batch", "post"),
        ("/checkin-data", "get"),
        ("/checkin-stats", "get"),
        ("/registrations", "get"),
    ],
)
async def test_door_tokens_only_open_their_own_event(
    client: httpx.AsyncClient, world: World, event: dict[str, Any], path: str, method: str
) -> None:
    other = await make_event(client, world, title="Annat")
    h = await door(client, world, event["id"])
    body = (
        {
            "json": {"secret": "x", "scan_id": "1"}
            if path == "/checkins"
            else {"scans": [{"secret": "x", "scan_id": "1"}]}
        }
        if method == "post"
        else {}
    )
    r = await getattr(client, method)(f"/api/v1/events/{other['id']}{path}", headers=h, **body)
    assert r.status_code == 403, r.text
    r = await getattr(client, method)(f"/api/v1/events/{event['id']}{path}", **body)
    assert r.status_code == 401
    r = await getattr(client, method)(
        f"/api/v1/events/{event['id']}{path}", headers=World.auth("nope"), **body
    )
    assert r.status_code == 401
    r = await getattr(client, method)(
        f"/api/v1/events/{event['id']}{path}", headers=World.auth(world.arvidsjaur), **body
    )
    assert r.status_code == 403


async def test_door_tokens_may_only_check_in(
    client: httpx.AsyncClient, world: World, event: dict[str, Any]
) -> None:
    h = await door(client, world, event["id"])
    for method, path, body in (
        ("patch", f"/api/v1/events/{event['id']}", {"title": "x"}),
        ("post", f"/api/v1/events/{event['id']}/cancel", None),
        ("post", f"/api/v1/events/{event['id']}/door-tokens", None),
        ("post", f"/api/v1/events/{event['id']}/invitations", {"emails": ["a@example.se"]}),
        ("get", f"/api/v1/events/{event['id']}/registrations.csv", None),
        ("get", f"/api/v1/events/{event['id']}/messages", None),
    ):
        kwargs: dict[str, Any] = {"headers": h}
        if body is not None:
            kwargs["json"] = body
        r = await getattr(client, method)(path, **kwargs)
        assert r.status_code == 403, (path, r.text)


async def test_revoked_and_expired_door_tokens(
    client: httpx.AsyncClient, world: World, event: dict[str, Any]
) -> None:
    from datetime import timedelta

    from traffpunkt.clock import frozen_at
    from traffpunkt.localtime import to_utc

    r = await client.post(
        f"/api/v1/events/{event['id']}/door-tokens", headers=World.auth(world.asele)
    )
    token = r.json()
    h = World.auth(token["token"])
    assert (
        await client.get(f"/api/v1/events/{event['id']}/checkin-stats", headers=h)
    ).status_code == 200
    with frozen_at(to_utc(token["expires_at"], "Europe/Stockholm", "x") + timedelta(seconds=1)):
        assert (
            await client.get(f"/api/v1/events/{event['id']}/checkin-stats", headers=h)
        ).status_code == 401
    r = await client.delete(
        f"/api/v1/events/{event['id']}/door-tokens/{token['id']}", headers=World.auth(world.asele)
    )
    assert r.status_code == 204
    assert (
        await client.get(f"/api/v1/events/{event['id']}/checkin-stats", headers=h)
    ).status_code == 401


async def test_attendee_list_and_csv_for_organisers_only(
    client: httpx.AsyncClient, world: World, event: dict[str, Any]
) -> None:
    await sign_up(
        client, event["id"], "csv@example.se", name='=HYPERLINK("x")', organisation="Åkeri AB"
    )
    r = await client.get(
        f"/api/v1/events/{event['id']}/registrations.csv", headers=World.auth(world.asele)
    )
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    text = r.content.decode("utf-8-sig")
    assert "csv@example.se" in text and "Åkeri AB" in text
    assert "'=HYPERLINK" in text  # no formula injection in spreadsheets
    assert (
        await client.get(
            f"/api/v1/events/{event['id']}/registrations.csv", headers=World.auth(world.arvidsjaur)
        )
    ).status_code == 403
    assert (await client.get(f"/api/v1/events/{event['id']}/registrations.csv")).status_code == 401
    # Public pages never show attendees.
    page = (await client.get(f"/events/{event['slug']}")).text
    assert "csv@example.se" not in page and "HYPERLINK" not in page


async def test_a_person_turned_away_offline_is_not_checked_in(
    client: httpx.AsyncClient, world: World, event: dict[str, Any]
) -> None:
    h = await door(client, world, event["id"])
    person = await attendee(client, event["id"], "promoted@example.se")
    # The phone's stale list said "waitlisted", so the door turned the person away.
    r = await client.post(
        f"/api/v1/events/{event['id']}/checkins/batch",
        headers=h,
        json={
            "scans": [
                {
                    "secret": person["code"],
                    "scan_id": "r1",
                    "offline_result": "waitlisted",
                    "device": "Lisas telefon",
                }
            ]
        },
    )
    (result,) = r.json()["results"]
    assert result["result"] == "ok" and result["flagged"] is True  # the server would have admitted
    stats = (await client.get(f"/api/v1/events/{event['id']}/checkin-stats", headers=h)).json()
    assert stats["checked_in"] == 0
    (scan,) = await Scan.select()
    assert scan["device"].startswith("Lisas telefon (door:")


async def test_one_scan_id_sent_at_once_with_different_secrets(
    client: httpx.AsyncClient, world: World, event: dict[str, Any]
) -> None:
    """A scan_id is one scan: if a (buggy) phone sends it for different people at once, one
    answer is recorded, every request gets that answer, and nobody else is checked in."""
    h = await door(client, world, event["id"])
    people = [await attendee(client, event["id"], f"same{i}@example.se") for i in range(5)]
    results = await asyncio.gather(
        *(
            client.post(
                f"/api/v1/events/{event['id']}/checkins",
                json={"secret": p["code"], "scan_id": "phone-7"},
                headers=h,
            )
            for p in people
        )
    )
    answers = [r.json() for r in results]
    assert all(r.status_code == 200 for r in results)
    assert all(a == answers[0] for a in answers) and answers[0]["result"] == "ok"
    scans = await Scan.select()
    assert len(scans) == 1 and str(scans[0]["registration_id"]) == answers[0]["registration_id"]
    stats = (await client.get(f"/api/v1/events/{event['id']}/checkin-stats", headers=h)).json()
    assert stats["checked_in"] == 1


async def test_the_write_decides_not_the_earlier_read(
    client: httpx.AsyncClient, world: World, event: dict[str, Any]
) -> None:
    """check-in reads the registration before its transaction; what happened in between
    (a promotion, a cancellation) decides the answer."""
    from registrations.queries import by_id
    from registrations.service import scans
    from traffpunkt import db

    people = [await attendee(client, event["id"], f"race{i}@example.se") for i in range(6)]
    first, waiting = people[0], people[5]  # capacity 5: the sixth waits
    stale_waiting = await by_id(UUID(waiting["id"]))
    stale_first = await by_id(UUID(first["id"]))
    assert stale_waiting is not None and stale_waiting.status == "waitlisted"
    await client.delete(f"/api/v1/registrations/{first['token']}")  # the sixth moves up
    event_id = UUID(event["id"])
    async with db.transaction():
        promoted = await scans._apply_scan(stale_waiting, event_id, False, utc_now())
        gone = await scans._apply_scan(stale_first, event_id, False, utc_now())
    assert promoted[0] == "ok" and promoted[1] is not None
    assert gone[0] == "cancelled"
    now_waiting, now_first = await by_id(UUID(waiting["id"])), await by_id(UUID(first["id"]))
    assert now_waiting is not None and now_waiting.checked_in_at is not None
    assert now_first is not None and now_first.checked_in_at is None
