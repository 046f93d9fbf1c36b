"""Networking through the API on both engines: consent, decisions, introductions, plans, map."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from networking import service
from notifications.tables import OutboxMessage
from registrations.tables import Registration
from tests.conftest import World
from tests.registrations.conftest import make_event, sign_up, token_of


async def person(
    client: httpx.AsyncClient,
    event_id: str,
    name: str,
    needs: list[str],
    offers: list[str],
    consent: bool = True,
    **extra: Any,
) -> dict[str, str]:
    r = await sign_up(
        client,
        event_id,
        f"{name.lower()}@example.se",
        name=name,
        needs=needs,
        offers=offers,
        networking_consent=consent,
        **extra,
    )
    assert r.status_code == 201, r.text
    return {"token": token_of(r), "id": r.json()["id"], "name": name}


async def test_matches_with_reasons_and_introductions(
    client: httpx.AsyncClient, world: World
) -> None:
    ev = await make_event(client, world, capacity=50)
    anna = await person(
        client, ev["id"], "Anna", ["bookkeeping"], ["e-commerce"], organisation="Annas Ull"
    )
    hugo = await person(
        client,
        ev["id"],
        "Hugo",
        ["e-commerce"],
        ["bookkeeping"],
        organisation="Lind Redovisning",
        language="en",
    )
    await person(client, ev["id"], "Secret", ["e-commerce"], ["bookkeeping"], consent=False)
    r = await client.get(f"/api/v1/registrations/{anna['token']}/matches")
    assert r.status_code == 200
    items = r.json()["items"]
    assert [i["name"] for i in items] == ["Hugo"]  # Secret did not consent; never oneself
    assert items[0]["organisation"] == "Lind Redovisning"
    assert items[0]["reasons"] == [
        "Hugo erbjuder bokföring och administrativa verktyg, som du behöver",
        "Du erbjuder e-handel, som Hugo behöver",
    ]
    assert items[0]["email"] is None  # contact details only after both said yes
    hugo_view = (await client.get(f"/api/v1/registrations/{hugo['token']}/matches")).json()
    assert hugo_view["items"][0]["reasons"][0] == "Anna offers e-commerce, which you need"
    # Anna says yes: nothing is revealed yet.
    r = await client.put(
        f"/api/v1/registrations/{anna['token']}/matches/{hugo['id']}", json={"decision": "yes"}
    )
    assert r.json() == {"decision": "yes", "mutual": False, "introduced": False}
    assert await OutboxMessage.select().where(OutboxMessage.kind == "introduction") == []
    # Hugo says yes too, twice at once: exactly one introduction each.
    both = await asyncio.gather(
        *(
            client.put(
                f"/api/v1/registrations/{hugo['token']}/matches/{anna['id']}",
                json={"decision": "yes"},
            )
            for _ in range(3)
        )
    )
    assert sum(r.json()["introduced"] for r in both) == 1
    intros = await OutboxMessage.select().where(OutboxMessage.kind == "introduction")
    assert sorted(m["recipient"] for m in intros) == ["anna@example.se", "hugo@example.se"]
    assert {m["language"] for m in intros} == {"sv", "en"}
    items = (await client.get(f"/api/v1/registrations/{anna['token']}/matches")).json()["items"]
    assert items[0]["mutual"] and items[0]["email"] == "hugo@example.se"


async def test_no_and_non_consent(client: httpx.AsyncClient, world: World) -> None:
    ev = await make_event(client, world, capacity=50)
    a = await person(client, ev["id"], "Ada", ["export"], ["tourism"])
    b = await person(client, ev["id"], "Bo", ["tourism"], ["export"])
    c = await person(client, ev["id"], "Cy", ["tourism"], ["export"], consent=False)
    await client.put(
        f"/api/v1/registrations/{a['token']}/matches/{b['id']}", json={"decision": "no"}
    )
    assert (await client.get(f"/api/v1/registrations/{a['token']}/matches")).json()["items"] == []
    assert (await client.get(f"/api/v1/registrations/{b['token']}/matches")).json()["items"] == []
    none = (await client.get(f"/api/v1/registrations/{c['token']}/matches")).json()
    assert none == {"items": [], "next": None, "consent": False}
    r = await client.put(
        f"/api/v1/registrations/{a['token']}/matches/{c['id']}", json={"decision": "yes"}
    )
    assert r.status_code == 404  # cannot reach someone who did not consent
    r = await client.put(
        f"/api/v1/registrations/{a['token']}/matches/{a['id']}", json={"decision": "yes"}
    )
    assert r.status_code == 404
    r = await client.put(
        f"/api/v1/registrations/{a['token']}/matches/{b['id']}", json={"decision": "maybe"}
    )
    assert r.status_code == 422
    # Withdrawing consent on the manage page removes a person from every list.
    await client.patch(f"/api/v1/registrations/{b['token']}", json={"networking_consent": False})
    await client.put(
        f"/api/v1/registrations/{a['token']}/matches/{b['id']}", json={"decision": "yes"}
    )
    assert (await client.get(f"/api/v1/registrations/{a['token']}/matches")).json()["items"] == []


@settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    st.lists(
        st.tuples(
            st.booleans(),
            st.lists(st.sampled_from(["export", "tourism", "bookkeeping"]), max_size=2),
            st.lists(st.sampled_from(["export", "tourism", "bookkeeping"]), max_size=2),
        ),
        min_size=2,
        max_size=7,
    )
)
async def test_consent_is_absolute(
    client: httpx.AsyncClient, world: World, people: list[tuple[bool, list[str], list[str]]]
) -> None:
    await Registration.delete(force=True)
    ev = await make_event(client, world, capacity=50, title="Egenskapstest")
    made = [
        await person(client, ev["id"], f"P{i}x", needs, offers, consent)
        for i, (consent, needs, offers) in enumerate(people)
    ]
    refused = {m["id"] for m, (consent, _, _) in zip(made, people, strict=True) if not consent}
    for m in made:
        items = (await client.get(f"/api/v1/registrations/{m['token']}/matches")).json()["items"]
        assert not {i["id"] for i in items} & refused
        assert m["id"] not in {i["id"] for i in items}
        for i in items:  # everyone decides yes to everything they see
            await client.put(
                f"/api/v1/registrations/{m['token']}/matches/{i['id']}", json={"decision": "yes"}
            )
    r = await client.post(
        f"/api/v1/events/{ev['id']}/meeting-plan",
        json={"tables": 5, "slots": 3},
        headers=World.auth(world.asele),
    )
    assert r.status_code == 201, r.text
    planned = {x for m in r.json()["meetings"] for x in (m["a"], m["b"])}
    assert not planned & refused
    for msg in await OutboxMessage.select().where(OutboxMessage.kind == "introduction"):
        assert msg["registration_id"] is None or str(msg["registration_id"]) not in refused
    await OutboxMessage.delete(force=True)


async def test_meeting_plan_through_the_api(client: httpx.AsyncClient, world: World) -> None:
    ev = await make_event(client, world, capacity=100)
    people = []
    for i in range(16):
        needs = ["export"] if i % 2 else ["tourism"]
        offers = ["tourism"] if i % 2 else ["export"]
        people.append(
            await person(
                client, ev["id"], f"Deltagare{i}", needs, offers, organisation=f"Firma {i}"
            )
        )
    h = World.auth(world.asele)
    r = await client.post(
        f"/api/v1/events/{ev['id']}/meeting-plan",
        json={"slots": 3, "minutes": 10, "tables": 4, "starts_at": "2027-03-04T08:30"},
        headers=h,
    )
    assert r.status_code == 201, r.text
    plan = r.json()
    assert plan["status"] == "draft" and plan["total_score"] >= plan["greedy_total_score"]
    for slot in (1, 2, 3):
        meetings = [m for m in plan["meetings"] if m["slot"] == slot]
        assert len(meetings) <= 4
        people_in_slot = [x for m in meetings for x in (m["a"], m["b"])]
        assert len(people_in_slot) == len(set(people_in_slot))
        assert sorted(m["table"] for m in meetings) == list(range(1, len(meetings) + 1))
    assert plan["meetings"][0]["starts_at"] == "2027-03-04T08:30:00+01:00"
    assert (
        await client.post(
            f"/api/v1/events/{ev['id']}/meeting-plan",
            json={"tables": 4},
            headers=World.auth(world.arvidsjaur),
        )
    ).status_code == 403
    r = await client.post(f"/api/v1/events/{ev['id']}/meeting-plan/publish", headers=h)
    assert r.status_code == 200 and r.json()["status"] == "published"
    mails = await OutboxMessage.select().where(OutboxMessage.kind == "meeting_plan")
    assert len(mails) == len({x for m in plan["meetings"] for x in (m["a"], m["b"])})
    csv = await client.get(f"/api/v1/events/{ev['id']}/meeting-plan.csv", headers=h)
    assert csv.status_code == 200 and "Deltagare" in csv.content.decode("utf-8-sig")
    mine = await service.my_meetings(people[0]["token"])
    assert all(people[0]["id"] in (m.a, m.b) for m in mine)


async def test_needs_map_suppresses_small_counts(client: httpx.AsyncClient, world: World) -> None:
    ev = await make_event(client, world, capacity=50)
    for i in range(4):
        await person(client, ev["id"], f"Export{i}", ["export"], [], consent=i == 0)
    await person(client, ev["id"], "Ensam", ["tourism"], ["bookkeeping"], consent=False)
    r = await client.get(
        "/api/v1/needs-map",
        params={"municipality": "asele", "from": "2027-01-01", "to": "2027-12-31"},
    )
    assert r.status_code == 200, r.text
    rows = {i["topic"]: i for i in r.json()["items"]}
    assert rows["export"]["need"] == "4"  # everyone counts, anonymously, consent or not
    assert rows["tourism"]["need"] == "<3" and rows["bookkeeping"]["offer"] == "<3"
    assert rows["ai-tools"]["need"] == "0"
    assert r.json()["people"] == "5"
    other = (await client.get("/api/v1/needs-map", params={"municipality": "arvidsjaur"})).json()
    assert all(i["need"] == "0" for i in other["items"])
    csv = await client.get(
        "/api/v1/needs-map.csv", params={"municipality": "asele", "from": "2027-01-01"}
    )
    assert "export" in csv.text and "<3" in csv.text
    assert (await client.get("/api/v1/needs-map", params={"from": "2027-13-01"})).status_code in (
        400,
        422,
    )
