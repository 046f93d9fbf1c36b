"""Unmet demand: the pure function on its own, then the sources (survey, registrations,
events' coverage), the API and the planning page, on both engines."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from events import service as events_service
from planning.demand import (
    Coverage,
    NeedCount,
    ReasonKind,
    count_signals,
    months_between,
    unmet_demand,
)
from planning.reasons import reason_sentence
from registrations import service as registrations_service
from registrations.tables import Registration
from tests.conftest import World
from tests.planning.helpers import answer, municipality_id, survey_round
from tests.registrations.conftest import make_event, sign_up
from traffpunkt.needs import NeedKind, NeedSignal, NeedSource

NOW = datetime(2027, 3, 1, 12, tzinfo=UTC)
ASELE, LYCKSELE = uuid.uuid4(), uuid.uuid4()


def signal(company: str, topic: str, urgency: int = 2, **kw: Any) -> NeedSignal:
    return NeedSignal(
        source=kw.pop("source", NeedSource.SURVEY),
        municipality=kw.pop("municipality", ASELE),
        topic=topic,
        kind=kw.pop("kind", NeedKind.NEED),
        company=company,
        at=NOW - timedelta(days=3),
        urgency=urgency,
    )


def test_distinct_companies_at_their_highest_urgency() -> None:
    counts = count_signals(
        [
            signal("556036-0793", "e-commerce", 1),
            signal("556036-0793", "e-commerce", 3),  # the same company again: once, at 3
            signal("556677-8899", "e-commerce", 2),
            signal("556677-8899", "tourism", 2, kind=NeedKind.OFFER),  # offers do not count
            signal("x", "e-commerce", 2, municipality=None),  # nowhere: not counted
            signal("org:fjällbutiken", "e-commerce", 2, source=NeedSource.REGISTRATION),
        ]
    )
    assert sorted((c.source, c.urgency, c.companies) for c in counts) == [
        (NeedSource.REGISTRATION, 2, 1),
        (NeedSource.SURVEY, 2, 1),
        (NeedSource.SURVEY, 3, 1),
    ]


def test_the_formula_coverage_and_reasons() -> None:
    counts = [
        NeedCount(
            municipality=ASELE, topic="e-commerce", source=NeedSource.SURVEY, urgency=3, companies=4
        ),
        NeedCount(
            municipality=ASELE, topic="e-commerce", source=NeedSource.SURVEY, urgency=1, companies=5
        ),
        NeedCount(
            municipality=ASELE, topic="tourism", source=NeedSource.SURVEY, urgency=2, companies=10
        ),
        NeedCount(
            municipality=LYCKSELE,
            topic="e-commerce",
            source=NeedSource.REGISTRATION,
            urgency=2,
            companies=2,
        ),
    ]
    coverage = [
        # E-commerce in Åsele: the last one 14 months ago, outside the window.
        Coverage(municipality=ASELE, topic="e-commerce", last_held=NOW - timedelta(days=430)),
        # Tourism in Åsele: one planned inside the window covers it.
        Coverage(municipality=ASELE, topic="tourism", next_planned=NOW + timedelta(days=30)),
    ]
    found = unmet_demand(
        counts,
        coverage,
        now=NOW,
        window_start=NOW - timedelta(days=365),
        window_end=NOW + timedelta(days=182),
    )
    assert [(d.municipality, d.topic, d.unmet) for d in found] == [
        (ASELE, "e-commerce", 4 * 3 + 5 * 1),
        (LYCKSELE, "e-commerce", 4),
        (ASELE, "tourism", 0),
    ]
    top = found[0]
    assert top.companies == 9 and top.by_urgency == (5, 0, 4) and not top.covered
    assert [r.kind for r in top.reasons] == [
        ReasonKind.COMPANIES,
        ReasonKind.URGENT,
        ReasonKind.LAST_HELD,
    ]
    assert reason_sentence(top, "Åsele", "sv") == (
        "9 företag i Åsele behöver e-handel; 4 av dem behöver det nu; "
        "senaste aktiviteten om det för 14 månader sedan"
    )
    assert reason_sentence(top, "Åsele", "en") == (
        "9 companies in Åsele need e-commerce; 4 of them need it now; "
        "the last activity on it 14 months ago"
    )
    assert found[2].covered and found[2].demand == 20
    assert "planerad till 2027-03-31" in reason_sentence(found[2], "Åsele", "sv")
    assert reason_sentence(found[1], "Lycksele", "sv") == (
        "2 företag i Lycksele behöver e-handel; ingen aktivitet om det där ännu"
    )
    # Narrow the window so that the planned event falls outside it: tourism is unmet again.
    found = unmet_demand(
        counts, coverage, now=NOW, window_start=NOW, window_end=NOW + timedelta(days=10)
    )
    assert {(d.topic, d.municipality): d.unmet for d in found}[("tourism", ASELE)] == 20


def test_months_between() -> None:
    assert months_between(datetime(2026, 1, 15, tzinfo=UTC), NOW) == 13
    assert months_between(datetime(2026, 1, 1, tzinfo=UTC), NOW) == 14
    assert months_between(NOW, NOW) == 0


async def test_sources_coverage_api_page_and_rights(
    client: httpx.AsyncClient, world: World, anna: httpx.AsyncClient
) -> None:
    asele = await municipality_id("asele")
    arvidsjaur = await municipality_id("arvidsjaur")
    round_id = await survey_round()
    for i, org in enumerate(["556036-0793", "556677-8899", "559000-0001"]):
        await answer(round_id, asele, org, [("e-commerce", 3 if i == 0 else 2)])
    await answer(round_id, arvidsjaur, "556111-2222", [("tourism", 2)])
    # Registrations: two people of one company tick a need (one company), one cancels.
    ev = await make_event(client, world, topics=["bookkeeping"])
    for email, org in [("a@x.se", "Fjällbutiken AB"), ("b@x.se", "fjällbutiken"), ("c@x.se", "")]:
        r = await sign_up(client, ev["id"], email, organisation=org, needs=["ai-tools"])
        assert r.status_code == 201, r.text
    await Registration.update({Registration.status: "cancelled"}).where(
        Registration.email == "c@x.se"
    )
    now = datetime.now(UTC)
    signals = await registrations_service.need_signals([asele], now - timedelta(days=1), now)
    assert {(s.company, s.topic, s.source) for s in signals} == {
        ("org:fjällbutiken", "ai-tools", NeedSource.REGISTRATION)
    }
    # The event on bookkeeping in Åsele is planned (2027-03-04): coverage knows it.
    coverage = await events_service.topic_coverage([asele], now)
    assert [(c.topic, c.last_held, c.next_planned is not None) for c in coverage] == [
        ("bookkeeping", None, True)
    ]

    r = await client.get("/api/v1/demand", headers=world.auth(world.asele))
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    # Anna organises Åsele only: Arvidsjaur's tourism is not hers.
    assert [(i["municipality"], i["topic"], i["companies"], i["score"]) for i in items] == [
        ("asele", "e-commerce", 3, 3 + 2 + 2),
        ("asele", "ai-tools", 1, 2),
    ]
    assert items[0]["reasons"][0] == "3 företag i Åsele behöver e-handel"
    assert r.json()["next"] is None
    admin = (await client.get("/api/v1/demand", headers=world.auth(world.admin))).json()
    assert {i["municipality"] for i in admin["items"]} == {"asele", "arvidsjaur"}
    english = await client.get(
        "/api/v1/demand",
        params={"region": "Norrbotten"},
        headers={**world.auth(world.admin), "Accept-Language": "en"},
    )
    assert [i["reasons"][0] for i in english.json()["items"]] == [
        "1 company in Arvidsjaur needs tourism and hospitality"
    ]
    bad = await client.get(
        "/api/v1/demand",
        params={"from": "2027-05-01", "to": "2027-01-01"},
        headers=world.auth(world.admin),
    )
    assert bad.status_code == 422
    assert (await client.get("/api/v1/demand")).status_code == 401
    other = await client.get(
        "/api/v1/demand", params={"municipality": "arvidsjaur"}, headers=world.auth(world.asele)
    )
    assert other.status_code == 422

    page = await anna.get("/organiser/planning")
    assert page.status_code == 200
    assert "Åsele" in page.text and "Arvidsjaur" not in page.text
    assert "3 företag i Åsele behöver e-handel" in page.text
    assert "/organiser/planning/tour?topic=e-commerce" in page.text
    english = await anna.get("/organiser/planning", params={"lang": "en"})
    assert "3 companies in Åsele need e-commerce" in english.text
    assert "Make a tour on E-commerce" in english.text
    page = await anna.get("/organiser/planning", params={"from": "inte ett datum"})
    assert page.status_code == 422 and 'value="inte ett datum"' in page.text
