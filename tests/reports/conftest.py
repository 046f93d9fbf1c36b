"""A year of activities in two municipalities, counted by hand (tests/reports/test_participation.py
says what each figure is made of)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import httpx
import pytest

from surveys.tables import SurveyAnswer, SurveyRound
from tests.conftest import World
from tests.registrations.conftest import make_event, sign_up, token_of
from traffpunkt.companies import luhn_ok


def org(first_nine: str) -> str:
    """A valid organisation number from its first nine digits (the Luhn check digit added)."""
    digit = next(str(d) for d in range(10) if luhn_ok(first_nine + str(d)))
    return f"{first_nine[:6]}-{first_nine[6:]}{digit}"


ORG1, ORG2, ORG3, ORG4 = org("556036079"), org("559123456"), org("556677889"), org("802456789")
ALL = ["org_number", "sni_section", "size_band", "gender"]


async def check_in(
    client: httpx.AsyncClient, token: str, event_id: str, reg: httpx.Response
) -> None:
    own = (await client.get(f"/api/v1/registrations/{token_of(reg)}")).json()
    r = await client.post(
        f"/api/v1/events/{event_id}/checkins",
        json={"secret": own["ticket"]["code"]},
        headers=World.auth(token),
    )
    assert r.status_code == 200 and r.json()["result"] == "ok", r.text


@pytest.fixture
async def year(client: httpx.AsyncClient, world: World) -> dict[str, Any]:
    for slug in ("asele", "arvidsjaur"):
        r = await client.patch(
            f"/api/v1/municipalities/{slug}",
            json={"report_fields": ALL},
            headers=World.auth(world.admin),
        )
        assert r.status_code == 200, r.text
    e1 = await make_event(client, world, title="Frukost", kind="seminar", capacity=50)
    e2 = await make_event(
        client,
        world,
        title="Webbinarium",
        kind="webinar",
        capacity=50,
        starts_at="2027-04-01T13:00",
        ends_at="2027-04-01T14:30",
        online_url="https://meet.example.se/x",
    )
    body = {
        "title": "Kurs i bokföring",
        "kind": "course",
        "municipality": "arvidsjaur",
        "starts_at": "2027-05-10T09:00",
        "ends_at": "2027-05-10T12:00",
        "capacity": 50,
    }
    r = await client.post("/api/v1/events", json=body, headers=World.auth(world.arvidsjaur))
    e3 = r.json()
    r = await client.post(
        f"/api/v1/events/{e3['id']}/publish", headers=World.auth(world.arvidsjaur)
    )
    assert r.status_code == 200
    e4 = await make_event(
        client, world, title="Nästa år", starts_at="2028-01-10T09:00", ends_at="2028-01-10T10:00"
    )
    people: dict[str, dict[str, Any]] = {
        "a": {"org_number": ORG1, "sni_section": "C", "size_band": "1-4", "gender": "woman"},
        "b": {"org_number": ORG1, "sni_section": "C", "size_band": "1-4", "gender": "man"},
        "c": {"gender": "woman"},
        "d": {"org_number": ORG4, "gender": "man"},  # signs up, never comes
        "e": {"org_number": ORG2, "sni_section": "G", "size_band": "0", "gender": "woman"},
        "f": {"org_number": ORG3, "sni_section": "G", "size_band": "5-9", "gender": "other"},
        "g": {},
        "h": {"gender": "man"},  # comes next year only
    }
    plan = [
        (e1, world.asele, "abc", "d"),
        (e2, world.asele, "ae", ""),
        (e3, world.arvidsjaur, "fag", ""),
        (e4, world.asele, "h", ""),
    ]
    for event, token, came, absent in plan:
        for who in came + absent:
            reg = await sign_up(client, event["id"], f"{who}@example.se", **people[who])
            assert reg.status_code == 201, reg.text
            if who in came:
                await check_in(client, token, event["id"], reg)
    # A company that answered the needs survey in Arvidsjaur (never at an activity).
    round_id = uuid4()
    at = datetime(2027, 6, 1, 10, tzinfo=UTC)
    await SurveyRound.insert(
        SurveyRound(
            id=round_id,
            slug="host-2027",
            title="Kompetensbehov",
            opens_at=at,
            closes_at=at,
            created_at=at,
            updated_at=at,
        )
    )
    arvidsjaur = (await client.get("/api/v1/municipalities")).json()["items"]
    municipality = next(m["id"] for m in arvidsjaur if m["slug"] == "arvidsjaur")
    await SurveyAnswer.insert(
        SurveyAnswer(
            id=uuid4(),
            round=round_id,
            round_company=f"{round_id}:{ORG4}",
            org_number=ORG4,
            municipality=municipality,
            sector="A",
            size_band="0",
            token_hash="x" * 64,
            answered_at=at,
            updated_at=at,
        )
    )
    return {"events": [e1, e2, e3, e4]}
