"""Seminar tours through the API, their draft events, and the invitations a publish sends to
the companies that asked for the topic (both engines)."""

from __future__ import annotations

from typing import Any

import httpx

from events import service as events_service
from events.tables import AuditEntry
from notifications.tables import OutboxMessage
from planning import service
from planning.tables import SurveyInvitation
from registrations.tables import Invitation
from tests.conftest import World
from tests.planning.helpers import answer, municipality_id, survey_round


async def _places(client: httpx.AsyncClient, world: World) -> dict[str, str]:
    """Coordinates for Åsele and Arvidsjaur, a venue each (and a small one in Åsele)."""
    venues: dict[str, str] = {}
    for slug, lat, lon, seats in [
        ("asele", 64.1607, 17.3493, 60),
        ("arvidsjaur", 65.5917, 19.1800, 80),
    ]:
        r = await client.patch(
            f"/api/v1/municipalities/{slug}",
            json={"latitude": lat, "longitude": lon},
            headers=world.auth(world.admin),
        )
        assert r.status_code == 200
        r = await client.post(
            "/api/v1/venues",
            json={"municipality": slug, "name": f"Kommunhuset {slug}", "capacity": seats},
            headers=world.auth(world.admin),
        )
        venues[slug] = r.json()["id"]
    await client.post(
        "/api/v1/venues",
        json={"municipality": "asele", "name": "Lilla rummet", "capacity": 8},
        headers=world.auth(world.admin),
    )
    return venues


async def test_tour_drafts_publish_and_invitations(client: httpx.AsyncClient, world: World) -> None:
    venues = await _places(client, world)
    asele, arvidsjaur = await municipality_id("asele"), await municipality_id("arvidsjaur")
    round_id = await survey_round()
    people = [
        ("556036-0793", "anna@fjallbutiken.example", True, [("e-commerce", 3)]),
        ("556677-8899", "bo@snickeri.example", True, [("e-commerce", 2), ("tourism", 1)]),
        ("559000-0001", "ej@kontakt.example", False, [("e-commerce", 3)]),  # no consent
    ]
    for org, email, consent, needs in people:
        await answer(round_id, asele, org, needs, contact_consent=consent, email=email, name="Anna")
    await answer(
        round_id,
        arvidsjaur,
        "556111-2222",
        [("e-commerce", 2)],
        contact_consent=True,
        email="cecilia@arvidsjaur.example",
    )
    # Monday 1 March 2027: Åsele's town hall is taken; the small room is too small.
    busy = await client.post(
        "/api/v1/events",
        json={
            "title": "Annat möte",
            "kind": "network",
            "municipality": "asele",
            "venue_id": venues["asele"],
            "starts_at": "2027-03-01T09:00",
            "ends_at": "2027-03-01T11:00",
        },
        headers=world.auth(world.admin),
    )
    assert busy.status_code == 201

    r = await client.post(
        "/api/v1/tours",
        json={"topic": "e-commerce", "from": "2027-03-01", "to": "2027-03-05", "min_capacity": 20},
        headers=world.auth(world.admin),
    )
    assert r.status_code == 201, r.text
    tour = r.json()
    stops = tour["stops"]
    # Both localities, on consecutive working days; Åsele (more demand) not on the Monday.
    assert {s["municipality"] for s in stops} == {"asele", "arvidsjaur"}
    days = [s["day"] for s in stops]
    assert days in (["2027-03-01", "2027-03-02"], ["2027-03-02", "2027-03-03"])
    by_place = {s["municipality"]: s for s in stops}
    assert by_place["asele"]["day"] != "2027-03-01"
    assert by_place["asele"]["venue_id"] == venues["asele"]
    assert by_place["asele"]["reasons"][0] == "3 företag i Åsele behöver e-handel"
    assert tour["covered"] == 3 + 2 + 3 + 2
    # The second day's travel (Åsele–Arvidsjaur, ~170 km straight) is counted.
    assert 150 < stops[1]["travel_minutes"] < 300

    # Anna organises Åsele only: not a tour that goes to Arvidsjaur too.
    r = await client.post(f"/api/v1/tours/{tour['id']}/events", headers=world.auth(world.asele))
    assert r.status_code == 403
    r = await client.post(f"/api/v1/tours/{tour['id']}/events", headers=world.auth(world.admin))
    assert r.status_code == 201, r.text
    created = r.json()["events"]
    assert len(created) == 2
    again = await client.post(f"/api/v1/tours/{tour['id']}/events", headers=world.auth(world.admin))
    assert again.status_code == 409
    drafts = [
        (await client.get(f"/api/v1/events/{e}", headers=world.auth(world.admin))).json()
        for e in created
    ]
    assert all(d["status"] == "draft" and d["topics"] == ["e-commerce"] for d in drafts)
    assert all(d["kind"] == "seminar" for d in drafts)
    asele_event = next(d for d in drafts if d["municipality"] == "asele")

    # Nothing mailed before the publish.
    assert not await OutboxMessage.select().where(OutboxMessage.kind == "invitation")
    r = await client.post(
        f"/api/v1/events/{asele_event['id']}/publish", headers=world.auth(world.asele)
    )
    assert r.status_code == 200
    mails = await OutboxMessage.select(OutboxMessage.recipient).where(
        OutboxMessage.kind == "invitation"
    )
    # The two Åsele companies that agreed to be contacted; not the one without consent, not
    # Arvidsjaur's (its event is not published).
    assert sorted(m["recipient"] for m in mails) == [
        "anna@fjallbutiken.example",
        "bo@snickeri.example",
    ]
    assert await Invitation.count().where(Invitation.event == asele_event["id"]) == 2
    # Never twice: the same announcement again (a retry) sends nothing more.
    row = await events_service.event_for_organiser(await _admin(world), asele_event["id"])
    await service.on_event_changed(
        events_service.EventChange(events_service.event_out(row), frozenset({"status"}), False)
    )
    assert await OutboxMessage.count().where(OutboxMessage.kind == "invitation") == 2
    assert await SurveyInvitation.count() == 2
    logged = await AuditEntry.select(AuditEntry.detail).where(
        AuditEntry.action == "planning.survey_invitations"
    )
    assert logged == [{"detail": "2"}]  # once, for the publish that invited


async def _admin(world: World) -> Any:
    from events import organisers

    principal = await organisers.authenticate(world.admin)
    assert principal is not None
    return principal


async def test_a_tour_with_an_expert_starts_from_home_on_days_they_travel(
    client: httpx.AsyncClient, world: World
) -> None:
    import json

    await _places(client, world)
    round_id = await survey_round()
    await answer(round_id, await municipality_id("asele"), "556036-0793", [("export", 3)])
    admin = await _admin(world)
    await service.invite_expert(admin, "eva@ltu.example")
    row = (
        await OutboxMessage.select(OutboxMessage.secrets)
        .where(OutboxMessage.kind == "expert_invitation")
        .first()
    )
    assert row is not None
    token = json.loads(row["secrets"])["expert_url"].rsplit("/", 1)[1]
    eva = await service.save_expert(
        token,
        service.ExpertIn(
            name="Eva Forskare",
            topics=["export"],
            languages=["sv"],
            home_municipality="arvidsjaur",  # outside the tour (Åsele only)
            travel_dates="2027-03-03..2027-03-04",
        ),
    )
    r = await client.post(
        "/api/v1/tours",
        json={
            "topic": "export",
            "from": "2027-03-01",
            "to": "2027-03-05",
            "municipalities": ["asele"],
            "expert_id": eva.id,
        },
        headers=world.auth(world.admin),
    )
    assert r.status_code == 201, r.text
    (stop,) = r.json()["stops"]
    # Her first day she can travel; from Arvidsjaur (~170 km straight: about 3 h by road).
    assert stop["day"] == "2027-03-03"
    assert 150 < stop["travel_minutes"] < 300
    assert stop["starts_at"].startswith("2027-03-03T1")  # after the morning's drive
    bad = await client.post(
        "/api/v1/tours",
        json={"topic": "nope", "from": "2027-03-01", "to": "2027-03-05"},
        headers=world.auth(world.admin),
    )
    assert bad.status_code == 422
