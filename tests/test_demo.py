"""The demo is a believable season: working days only, a full event with a waiting list, a past
meeting with check-ins, and people whose needs fill the needs map (both engines)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import holidays

from events import service
from traffpunkt.demo import EVENTS, PEOPLE, SURVEY_ANSWERS, load_demo, working_day


def test_working_days_skip_weekends_holidays_and_christmas() -> None:
    # Tuesday 22 Dec 2026: the next working day is Thursday 7 Jan 2027 (Christmas break,
    # New Year's Day and Epiphany between).
    assert working_day(date(2026, 12, 22), 1) == date(2027, 1, 7)
    assert working_day(date(2026, 11, 30), -1) == date(2026, 11, 27)  # Monday -> Friday
    assert working_day(date(2027, 6, 24), 1) == date(2027, 6, 28)  # Midsummer Eve is not one


async def test_demo_season(client: Any) -> None:
    summary = await load_demo()
    assert "14 published events" in summary and "11 check-ins" in summary
    assert await load_demo() == "Demo data is already loaded."

    # Every municipality has its central locality's coordinates and their source (travel
    # times for seminar tours), and a venue with seats.
    places = (await client.get("/api/v1/municipalities")).json()["items"]
    assert len(places) == 13
    for place in places:
        assert 63 < place["latitude"] < 68 and 16 < place["longitude"] < 24, place["slug"]
        assert place["coordinates_source"] == "SCB tätortspunkt / Wikipedia, 2026"
        venues = await service.list_venues(place["slug"])
        assert any(v.capacity for v in venues), place["slug"]

    listed = (await client.get("/api/v1/events", params={"limit": 100})).json()["items"]
    assert len(listed) == len([e for e in EVENTS if e.working_day > 0])
    se = holidays.country_holidays("SE", years=range(2025, 2030))
    for event in listed:
        day = datetime.fromisoformat(event["starts_at"]).date()
        assert day.weekday() < 5 and day not in se, event["title"]
        assert not (day.month == 12 and day.day >= 23), event["title"]

    full = [e for e in listed if e["seats_left"] == 0]
    assert [e["title"] for e in full] == ["Frukostmöte: nätverka med andra företagare"]

    # A course series in Överkalix: four sessions a week apart, one online, "3 of 4".
    (course,) = [e for e in listed if e["completion_min_sessions"] is not None]
    assert course["completion_min_sessions"] == 3
    sessions = (await client.get(f"/api/v1/events/{course['id']}/sessions")).json()["items"]
    assert len(sessions) == 4 and [s["online"] for s in sessions] == [False, True, False, False]
    for s in sessions:
        day = datetime.fromisoformat(s["starts_at"]).date()
        assert day.weekday() < 5 and day not in se

    params = {"municipality": "asele", "source": "registration"}
    needs = (await client.get("/api/v1/needs-map", params=params)).json()
    counted = {i["topic"]: i["need"] for i in needs["items"]}
    assert counted["e-commerce"].isdigit() and int(counted["e-commerce"]) >= 3
    assert int(needs["people"]) == len([p for p in PEOPLE if p.municipality == "Åsele"])
    # The survey round's answers count too, told apart.
    params = {"municipality": "overkalix", "source": "survey"}
    answered = (await client.get("/api/v1/needs-map", params=params)).json()
    in_overkalix = [a for a in SURVEY_ANSWERS if a.split("|")[1] == "overkalix"]
    assert int(answered["people"]) == len(in_overkalix) >= 10
