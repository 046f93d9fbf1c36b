"""Validator messages in problem details are plain words in the reader's language (Accept-
Language), every wrong field at once, each named exactly; never msgspec's developer text."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import World
from tests.events.test_events_api import BASE_EVENT


async def post_event(
    client: httpx.AsyncClient, world: World, body: dict[str, object], lang: str | None
) -> list[dict[str, str]]:
    headers = World.auth(world.asele) | ({"Accept-Language": lang} if lang else {})
    r = await client.post("/api/v1/events", json=body, headers=headers)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    errors = r.json()["errors"]
    assert not any("Expected `" in e["message"] for e in errors), errors
    assert "Expected `" not in r.json()["detail"]
    return errors


@pytest.mark.parametrize(
    ("lang", "too_long", "not_a_number"),
    [
        ("sv", "Högst 200 tecken", "Ska vara ett heltal"),
        (None, "Högst 200 tecken", "Ska vara ett heltal"),  # Swedish first
        ("en", "At most 200 characters", "Must be a whole number"),
        ("en-GB,en;q=0.8", "At most 200 characters", "Must be a whole number"),
    ],
)
async def test_a_too_long_title_and_a_wrong_type_are_both_told(
    client: httpx.AsyncClient, world: World, lang: str | None, too_long: str, not_a_number: str
) -> None:
    body = {**BASE_EVENT, "title": "x" * 201, "capacity": "many"}
    errors = await post_event(client, world, body, lang)
    assert errors == [
        {"field": "title", "message": too_long},
        {"field": "capacity", "message": not_a_number},
    ]


async def test_each_kind_in_plain_words(client: httpx.AsyncClient, world: World) -> None:
    body = {k: v for k, v in BASE_EVENT.items() if k != "title"}
    body |= {"starts_at": "4 mars", "capacity": 0, "colour": "red", "kind": "party"}
    errors = {e["field"]: e["message"] for e in await post_event(client, world, body, "sv")}
    assert errors == {
        "title": "Måste anges",
        "kind": "Inte ett av de tillåtna värdena",
        "starts_at": "Fel format: till exempel 2027-03-04T09:00",
        "capacity": "Minst 1",
        "colour": "Okänt fält",
    }
    errors = {e["field"]: e["message"] for e in await post_event(client, world, body, "en")}
    assert errors["starts_at"] == "Wrong format: for example 2027-03-04T09:00"
    assert errors["title"] == "Must be given" and errors["colour"] == "Unknown field"


async def test_a_list_item_keeps_its_exact_name(client: httpx.AsyncClient, world: World) -> None:
    body = {**BASE_EVENT, "topics": ["digital-marketing", "x" * 65]}
    errors = await post_event(client, world, body, "en")
    assert errors == [{"field": "topics[1]", "message": "At most 64 characters"}]
