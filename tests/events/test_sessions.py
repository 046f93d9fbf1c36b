"""Course series: sessions set, changed, cancelled; the event's span follows; errors name fields."""

from __future__ import annotations

from typing import Any

import httpx
import icalendar

from tests.conftest import World
from tests.events.test_events_api import create

FOUR = [
    {"starts_at": "2027-03-04T09:00", "ends_at": "2027-03-04T12:00"},
    {"starts_at": "2027-03-11T09:00", "ends_at": "2027-03-11T12:00", "online": True},
    {"starts_at": "2027-03-18T09:00", "ends_at": "2027-03-18T12:00"},
    {"starts_at": "2027-03-25T13:00", "ends_at": "2027-03-25T16:00"},
]


async def put_sessions(
    client: httpx.AsyncClient, token: str, event_id: str, sessions: list[dict[str, Any]]
) -> httpx.Response:
    return await client.put(
        f"/api/v1/events/{event_id}/sessions",
        json={"sessions": sessions},
        headers=World.auth(token),
    )


async def series(
    client: httpx.AsyncClient, token: str, *, publish: bool = True, **changes: Any
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A published course series with the four sessions above."""
    ev = await create(client, token, kind="course", title="Bokföring för nyföretagare", **changes)
    r = await put_sessions(client, token, ev["id"], FOUR)
    assert r.status_code == 200, r.text
    items: list[dict[str, Any]] = r.json()["items"]
    if publish:
        r = await client.post(f"/api/v1/events/{ev['id']}/publish", headers=World.auth(token))
        assert r.status_code == 200
        items = (await client.get(f"/api/v1/events/{ev['id']}/sessions")).json()["items"]
    return ev, items


async def test_sessions_set_and_span(client: httpx.AsyncClient, world: World) -> None:
    ev, items = await series(client, world.asele)
    assert [s["position"] for s in items] == [1, 2, 3, 4]
    assert items[0]["starts_at"] == "2027-03-04T09:00:00+01:00"
    assert items[1]["online"] is True and items[1]["venue_id"] is None
    after = (await client.get(f"/api/v1/events/{ev['id']}")).json()
    assert after["starts_at"] == "2027-03-04T09:00:00+01:00"
    assert after["ends_at"] == "2027-03-25T16:00:00+01:00"
    assert after["sequence"] > ev["sequence"]
    # A single event has no sessions.
    single = await create(client, world.asele)
    r = await client.get(f"/api/v1/events/{single['id']}/sessions", headers=World.auth(world.asele))
    assert r.json() == {"items": [], "next": None}


async def test_change_keeps_ids_and_renumbers(client: httpx.AsyncClient, world: World) -> None:
    ev, items = await series(client, world.asele, publish=False)
    ids = [s["id"] for s in items]
    moved = [
        {"id": ids[0], "starts_at": "2027-04-01T09:00", "ends_at": "2027-04-01T12:00"},
        *(
            {"id": s["id"], "starts_at": f["starts_at"], "ends_at": f["ends_at"]}
            for s, f in zip(items[1:], FOUR[1:], strict=True)
        ),
    ]
    r = await put_sessions(client, world.asele, ev["id"], moved)
    assert r.status_code == 200, r.text
    out = r.json()["items"]
    assert [s["id"] for s in out] == [*ids[1:], ids[0]]  # in time order, ids kept
    assert [s["position"] for s in out] == [1, 2, 3, 4]
    ev_after = (
        await client.get(f"/api/v1/events/{ev['id']}", headers=World.auth(world.asele))
    ).json()
    assert ev_after["ends_at"] == "2027-04-01T12:00:00+02:00"  # summer time by then
    # A draft's sessions can be removed: all of them makes it a single event again.
    r = await put_sessions(client, world.asele, ev["id"], [])
    assert r.status_code == 200 and r.json()["items"] == []


async def test_validation_names_fields(client: httpx.AsyncClient, world: World) -> None:
    ev = await create(client, world.asele, kind="course")
    bad = [
        {"starts_at": "2027-03-04T09:00", "ends_at": "2027-03-04T08:00"},
        {"starts_at": "2027-03-28T02:30", "ends_at": "2027-03-28T04:00"},  # the DST gap
        {"starts_at": "3001-03-05T09:00", "ends_at": "3001-03-05T10:00"},
    ]
    r = await put_sessions(client, world.asele, ev["id"], bad)
    assert r.status_code == 422
    fields = {e["field"] for e in r.json()["errors"]}
    assert fields == {
        "sessions[0].ends_at",
        "sessions[1].starts_at",
        "sessions[2].starts_at",
        "sessions[2].ends_at",
    }
    r = await put_sessions(
        client, world.asele, ev["id"], [{"starts_at": "nonsense", "ends_at": "2027-03-05T10:00"}]
    )
    assert r.status_code == 422 and "sessions[0].starts_at" in r.text
    overlap = [
        {"starts_at": "2027-03-04T09:00", "ends_at": "2027-03-04T12:00"},
        {"starts_at": "2027-03-04T11:00", "ends_at": "2027-03-04T13:00"},
    ]
    r = await put_sessions(client, world.asele, ev["id"], overlap)
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["errors"]] == ["sessions[1].starts_at"]
    r = await put_sessions(client, world.asele, ev["id"], [dict(FOUR[0]) for _ in range(31)])
    assert r.status_code in (400, 422)
    r = await put_sessions(
        client,
        world.asele,
        ev["id"],
        [{**FOUR[0], "id": "00000000-0000-0000-0000-000000000000"}],
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "sessions[0].id"
    r = await put_sessions(client, world.asele, ev["id"], [{**FOUR[0], "venue_id": "x"}])
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "sessions[0].venue_id"
    # A series' span comes from its sessions.
    await put_sessions(client, world.asele, ev["id"], FOUR)
    r = await client.patch(
        f"/api/v1/events/{ev['id']}",
        json={"starts_at": "2027-02-01T09:00"},
        headers=World.auth(world.asele),
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "starts_at"


async def test_rights(client: httpx.AsyncClient, world: World) -> None:
    ev = await create(client, world.asele, kind="course")
    assert (await put_sessions(client, world.arvidsjaur, ev["id"], FOUR)).status_code == 403
    r = await client.put(f"/api/v1/events/{ev['id']}/sessions", json={"sessions": FOUR})
    assert r.status_code == 401
    # A draft's sessions are not public.
    assert (await client.get(f"/api/v1/events/{ev['id']}/sessions")).status_code == 404


async def test_cancel_one_session(client: httpx.AsyncClient, world: World) -> None:
    ev, items = await series(client, world.asele)
    last = items[3]["id"]
    r = await client.post(
        f"/api/v1/events/{ev['id']}/sessions/{last}/cancel", headers=World.auth(world.asele)
    )
    assert r.status_code == 200, r.text
    assert [s["cancelled"] for s in r.json()["items"]] == [False, False, False, True]
    after = (await client.get(f"/api/v1/events/{ev['id']}")).json()
    assert after["ends_at"] == "2027-03-18T12:00:00+01:00"
    # A published series' sessions are cancelled, not removed.
    keep = [
        {"id": s["id"], "starts_at": f["starts_at"], "ends_at": f["ends_at"]}
        for s, f in zip(items[:2], FOUR[:2], strict=True)
    ]
    r = await put_sessions(client, world.asele, ev["id"], keep)
    assert r.status_code == 409
    # Not the last one: that is cancelling the event.
    for s in items[:2]:
        r = await client.post(
            f"/api/v1/events/{ev['id']}/sessions/{s['id']}/cancel",
            headers=World.auth(world.asele),
        )
        assert r.status_code == 200
    r = await client.post(
        f"/api/v1/events/{ev['id']}/sessions/{items[2]['id']}/cancel",
        headers=World.auth(world.asele),
    )
    assert r.status_code == 409
    r = await client.post(
        f"/api/v1/events/{ev['id']}/sessions/{ev['id']}/cancel", headers=World.auth(world.asele)
    )
    assert r.status_code == 404


async def test_feeds_and_event_ics_list_each_session(
    client: httpx.AsyncClient, world: World
) -> None:
    ev, items = await series(client, world.asele)
    single = await create(client, world.asele, title="Frukostmöte")
    await client.post(f"/api/v1/events/{single['id']}/publish", headers=World.auth(world.asele))
    await client.post(
        f"/api/v1/events/{ev['id']}/sessions/{items[1]['id']}/cancel",
        headers=World.auth(world.asele),
    )
    for url in ("/calendars/asele.ics", f"/api/v1/events/{ev['id']}/event.ics"):
        r = await client.get(url)
        assert r.status_code == 200
        cal = icalendar.Calendar.from_ical(r.content)
        mine = [v for v in cal.walk("VEVENT") if str(v["UID"]).startswith(ev["id"])]
        assert [str(v["UID"]) for v in mine] == [f"{ev['id']}-{s['id']}@traffpunkt" for s in items]
        assert [str(v["STATUS"]) for v in mine] == [
            "CONFIRMED",
            "CANCELLED",
            "CONFIRMED",
            "CONFIRMED",
        ]
        assert [v.decoded("DTSTART").day for v in mine] == [4, 11, 18, 25]
        assert str(mine[1]["LOCATION"]) == "Online"
        assert len({str(v["UID"]) for v in cal.walk("VEVENT")}) == len(cal.walk("VEVENT"))
    feed = icalendar.Calendar.from_ical((await client.get("/calendars/asele.ics")).content)
    assert f"{single['id']}@traffpunkt" in {str(v["UID"]) for v in feed.walk("VEVENT")}
    # The feed's ETag follows a change of a session.
    etag = (await client.get("/calendars/asele.ics")).headers["etag"]
    await client.post(
        f"/api/v1/events/{ev['id']}/sessions/{items[2]['id']}/cancel",
        headers=World.auth(world.asele),
    )
    assert (await client.get("/calendars/asele.ics")).headers["etag"] != etag


async def test_event_and_manage_pages_list_the_sessions(
    client: httpx.AsyncClient, world: World
) -> None:
    from tests.registrations.conftest import sign_up, token_of

    ev, items = await series(client, world.asele)
    await client.post(
        f"/api/v1/events/{ev['id']}/sessions/{items[3]['id']}/cancel",
        headers=World.auth(world.asele),
    )
    page = (await client.get(f"/events/{ev['slug']}")).text
    assert "Kurstillfällen" in page
    assert page.count('<li class="session-cancelled">') == 1
    assert "torsdag 11 mars 2027, 09:00–12:00</time>,\n      Digitalt" in page
    assert "(inställt)" in page
    r = await sign_up(client, ev["id"], "anna@example.se")
    assert r.status_code in (200, 201), r.text
    manage = (await client.get(f"/r/{token_of(r)}", headers={"Accept-Language": "en"})).text
    assert "Sessions" in manage or "Kurstillfällen" in manage
    assert "18 mars 2027" in manage or "March 18, 2027" in manage
