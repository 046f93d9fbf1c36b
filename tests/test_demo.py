"""The demo is a believable season: working days only, a full event with a waiting list, a past
meeting with check-ins, and people whose needs fill the needs map (both engines)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import holidays

from events import service
from traffpunkt.demo import EVENTS, PEOPLE, load_demo, working_day


def test_working_days_skip_weekends_holidays_and_christmas() -> None:
    # Tuesday 22 Dec 2026: the next working day is Thursday 7 Jan 2027 (Christmas break,
    # New Year's Day and Epiphany between).
    assert working_day(date(2026, 12, 22), 1) == date(2027, 1, 7)
    assert working_day(date(2026, 11, 30), -1) == date(2026, 11, 27)  # Monday -> Friday
    assert working_day(date(2027, 6, 24), 1) == date(2027, 6, 28)  # Midsummer Eve is not one


async def test_demo_season(client: Any) -> None:
    summary = await load_demo()
    assert "13 published events" in summary and "11 check-ins" in summary
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

    needs = (await client.get("/api/v1/needs-map", params={"municipality": "asele"})).json()
    counted = {i["topic"]: i["need"] for i in needs["items"]}
    assert counted["e-commerce"].isdigit() and int(counted["e-commerce"]) >= 3
    assert int(needs["people"]) == len([p for p in PEOPLE if p.municipality == "Åsele"])
