"""Local time, DST gap and overlap, and validation errors that name the field."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import World
from tests.events.test_events_api import BASE_EVENT, create


def problem_fields(r: httpx.Response) -> list[str]:
    assert r.headers["content-type"].startswith("application/problem+json"), r.text
    body = r.json()
    assert body["status"] == r.status_code and body["title"] and body["detail"]
    return [e["field"] for e in body.get("errors", [])]


async def test_local_time_without_offset_uses_the_municipality_zone(
    client: httpx.AsyncClient, world: World
) -> None:
    winter = await create(
        client, world.asele, starts_at="2027-01-10T09:00", ends_at="2027-01-10T10:00"
    )
    assert winter["starts_at"] == "2027-01-10T09:00:00+01:00"
    summer = await create(
        client, world.asele, starts_at="2027-07-10T09:00", ends_at="2027-07-10T10:00"
    )
    assert summer["starts_at"] == "2027-07-10T09:00:00+02:00"
    # An explicit offset is respected and shown in local time.
    utc = await create(
        client, world.asele, starts_at="2027-07-10T07:00:00Z", ends_at="2027-07-10T08:00:00Z"
    )
    assert utc["starts_at"] == "2027-07-10T09:00:00+02:00"


async def test_spring_forward_gap_is_422(client: httpx.AsyncClient, world: World) -> None:
    # 2027-03-28 02:30 does not exist in Stockholm (02:00 -> 03:00).
    r = await client.post(
        "/api/v1/events",
        json={**BASE_EVENT, "starts_at": "2027-03-28T02:30", "ends_at": "2027-03-28T04:00"},
        headers=World.auth(world.asele),
    )
    assert r.status_code == 422
    assert problem_fields(r) == ["starts_at"]
    assert "2027-03-28T02:30" in r.json()["errors"][0]["message"]
    # Translated like every other message (it used to be formatted before translation).
    sv = await client.post(
        "/api/v1/events",
        json={**BASE_EVENT, "starts_at": "2027-03-28T02:30", "ends_at": "2027-03-28T04:00"},
        headers={**World.auth(world.asele), "Accept-Language": "sv"},
    )
    assert "finns inte i tidszonen Europe/Stockholm" in sv.json()["errors"][0]["message"]


async def test_autumn_overlap_is_the_first_occurrence(
    client: httpx.AsyncClient, world: World
) -> None:
    # 2027-10-31 02:30 happens twice; the first is in summer time (+02:00).
    ev = await create(client, world.asele, starts_at="2027-10-31T02:30", ends_at="2027-10-31T04:00")
    assert ev["starts_at"] == "2027-10-31T02:30:00+02:00"
    assert ev["ends_at"] == "2027-10-31T04:00:00+01:00"


async def test_swedish_and_english_problem_details(client: httpx.AsyncClient, world: World) -> None:
    body = {**BASE_EVENT, "ends_at": "2027-03-04T08:00"}
    r = await client.post("/api/v1/events", json=body, headers=World.auth(world.asele))
    assert r.status_code == 422 and problem_fields(r) == ["ends_at"]
    assert r.json()["errors"][0]["message"] == "Evenemanget måste sluta efter att det börjar"
    r = await client.post(
        "/api/v1/events", json=body, headers={**World.auth(world.asele), "Accept-Language": "en"}
    )
    assert r.json()["errors"][0]["message"] == "The event must end after it starts"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": 5}, "title"),
        ({"kind": "party"}, "kind"),
        ({"capacity": 0}, "capacity"),
        ({"capacity": "many"}, "capacity"),
        ({"starts_at": "tomorrow"}, "starts_at"),
        ({"topics": ["knitting"]}, "topics"),
        ({"language": "fi"}, "language"),
        ({"online_url": "javascript:alert(1)"}, "online_url"),
        ({"municipality": "atlantis"}, "municipality"),
        ({"venue_id": "not-a-uuid"}, "venue_id"),
        ({"registration_closes_at": "2027-03-05T09:00"}, "registration_closes_at"),
        ({"unknown_field": 1}, "unknown_field"),
    ],
)
async def test_validation_errors_name_the_field(
    client: httpx.AsyncClient, world: World, changes: dict[str, object], field: str
) -> None:
    r = await client.post(
        "/api/v1/events", json={**BASE_EVENT, **changes}, headers=World.auth(world.asele)
    )
    assert r.status_code == 422, r.text
    assert field in problem_fields(r)
    # Nothing was stored.
    r = await client.get("/api/v1/events", params={"from": "2000-01-01"})
    assert r.json()["items"] == []


async def test_missing_field_and_broken_json(client: httpx.AsyncClient, world: World) -> None:
    body = {k: v for k, v in BASE_EVENT.items() if k != "title"}
    r = await client.post("/api/v1/events", json=body, headers=World.auth(world.asele))
    assert r.status_code == 422 and "title" in problem_fields(r)
    r = await client.post(
        "/api/v1/events",
        content=b"{not json",
        headers={**World.auth(world.asele), "content-type": "application/json"},
    )
    assert r.status_code in (400, 422)
    assert r.headers["content-type"].startswith("application/problem+json")
    r = await client.post(
        "/api/v1/events",
        content=b"[1, 2]",
        headers={**World.auth(world.asele), "content-type": "application/json"},
    )
    assert r.status_code in (400, 422)


async def test_patch_validates_against_stored_values(
    client: httpx.AsyncClient, world: World
) -> None:
    ev = await create(client, world.asele)
    r = await client.patch(
        f"/api/v1/events/{ev['id']}",
        json={"ends_at": "2027-03-04T08:00"},
        headers=World.auth(world.asele),
    )
    assert r.status_code == 422 and problem_fields(r) == ["ends_at"]
    r = await client.patch(
        f"/api/v1/events/{ev['id']}",
        json={"starts_at": "2027-03-28T02:15"},
        headers=World.auth(world.asele),
    )
    assert r.status_code == 422 and problem_fields(r) == ["starts_at"]
    unchanged = (
        await client.get(f"/api/v1/events/{ev['id']}", headers=World.auth(world.asele))
    ).json()
    assert unchanged["starts_at"] == ev["starts_at"] and unchanged["ends_at"] == ev["ends_at"]


async def test_unknown_ids_are_404(client: httpx.AsyncClient, world: World) -> None:
    for path in (
        "/api/v1/events/00000000-0000-0000-0000-000000000000",
        "/api/v1/events/nope",
        "/events/nope",
        "/calendars/atlantis.ics",
        "/calendar/atlantis",
    ):
        r = await client.get(path)
        assert r.status_code == 404, path
    r = await client.patch("/api/v1/events/nope", json={}, headers=World.auth(world.asele))
    assert r.status_code == 404


async def test_list_filters_and_pages(client: httpx.AsyncClient, world: World) -> None:
    ids = []
    for day in range(1, 8):
        ev = await create(
            client,
            world.asele,
            starts_at=f"2027-05-0{day}T10:00",
            ends_at=f"2027-05-0{day}T11:00",
            topics=["e-commerce"] if day % 2 else ["bookkeeping"],
        )
        await client.post(f"/api/v1/events/{ev['id']}/publish", headers=World.auth(world.asele))
        ids.append(ev["id"])
    seen: list[str] = []
    cursor = None
    while True:
        params = {"from": "2027-05-01", "limit": 3, **({"cursor": cursor} if cursor else {})}
        page = (await client.get("/api/v1/events", params=params)).json()
        seen += [e["id"] for e in page["items"]]
        cursor = page["next"]
        if cursor is None:
            break
    assert seen == ids
    topic = (
        await client.get("/api/v1/events", params={"from": "2027-05-01", "topic": "bookkeeping"})
    ).json()
    assert [e["id"] for e in topic["items"]] == ids[1::2]
    window = (
        await client.get("/api/v1/events", params={"from": "2027-05-03", "to": "2027-05-05"})
    ).json()
    assert [e["id"] for e in window["items"]] == ids[2:4]
    other = (
        await client.get(
            "/api/v1/events", params={"from": "2027-05-01", "municipality": "arvidsjaur"}
        )
    ).json()
    assert other["items"] == []
    for bad in (
        {"topic": "knitting"},
        {"from": "soon"},
        {"cursor": "garbage!"},
        {"municipality": "atlantis"},
        {"limit": 0},
        {"limit": 1000},
    ):
        r = await client.get("/api/v1/events", params=bad)
        assert r.status_code in (400, 422), (bad, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")


async def test_capacity_and_sequence_rules(client: httpx.AsyncClient, world: World) -> None:
    ev = await create(client, world.asele)
    h = World.auth(world.asele)
    published = (await client.post(f"/api/v1/events/{ev['id']}/publish", headers=h)).json()
    seq = published["sequence"]
    # A title change does not move the event in calendars; a time change does.
    r = (
        await client.patch(f"/api/v1/events/{ev['id']}", json={"title": "Ny titel"}, headers=h)
    ).json()
    assert r["sequence"] == seq and r["title"] == "Ny titel"
    r = (
        await client.patch(
            f"/api/v1/events/{ev['id']}", json={"starts_at": "2027-03-04T10:00"}, headers=h
        )
    ).json()
    assert r["sequence"] == seq + 1
    # Saving the same values again changes nothing.
    same = (
        await client.patch(
            f"/api/v1/events/{ev['id']}", json={"starts_at": "2027-03-04T10:00"}, headers=h
        )
    ).json()
    assert same["sequence"] == seq + 1 and same["updated_at"] == r["updated_at"]
    cancelled = (await client.post(f"/api/v1/events/{ev['id']}/cancel", headers=h)).json()
    assert cancelled["status"] == "cancelled" and cancelled["sequence"] == seq + 2
    r = await client.patch(f"/api/v1/events/{ev['id']}", json={"title": "x"}, headers=h)
    assert r.status_code == 409
    r = await client.post(f"/api/v1/events/{ev['id']}/publish", headers=h)
    assert r.status_code == 409
    # A cancelled (once published) event stays readable, marked cancelled.
    assert (await client.get(f"/api/v1/events/{ev['id']}")).json()["status"] == "cancelled"


async def test_nul_characters_are_refused_alike_on_both_engines(
    client: httpx.AsyncClient, world: World
) -> None:
    """PostgreSQL cannot store NUL in text (SQLite can): bodies refuse it with the field named,
    and anywhere else it is a 422, never a 500, with nothing stored."""
    h = World.auth(world.asele)
    r = await client.post("/api/v1/events", json={**BASE_EVENT, "title": "Möte\u0000"}, headers=h)
    assert r.status_code == 422 and problem_fields(r) == ["title"], r.text
    r = await client.post(
        "/api/v1/events", json={**BASE_EVENT, "topics": ["digital-marketing\u0000"]}, headers=h
    )
    assert r.status_code == 422 and problem_fields(r) == ["topics"], r.text
    event = await create(client, world.asele)
    await client.post(f"/api/v1/events/{event['id']}/publish", headers=h)
    r = await client.post(
        f"/api/v1/events/{event['id']}/registrations",
        json={"name": "Anna", "email": "anna@example.se", "organisation": "A\u0000B"},
    )
    assert r.status_code == 422 and problem_fields(r) == ["organisation"], r.text
    r = await client.post(
        f"/api/v1/events/{event['id']}/checkins/batch",
        json={"scans": [{"secret": "TP1\u0000", "scan_id": "s1"}]},
        headers=h,
    )
    assert r.status_code == 422 and problem_fields(r) == ["scans[0].secret"], r.text
    r = await client.get(
        f"/api/v1/events/{event['id']}/registrations", params={"q": "An\u0000na"}, headers=h
    )
    assert r.status_code in (200, 422), r.text  # SQLite finds nobody; PostgreSQL refuses
    if r.status_code == 422:
        assert r.headers["content-type"].startswith("application/problem+json")
    listed = await client.get(f"/api/v1/events/{event['id']}/registrations", headers=h)
    assert listed.json()["items"] == []
    r = await client.get("/api/v1/events", params={"from": "2000-01-01"})
    assert [e["title"] for e in r.json()["items"]] == [BASE_EVENT["title"]]
