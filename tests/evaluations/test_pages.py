"""The attendee's evaluation page and the organiser's pages, through real HTTP."""

from __future__ import annotations

from datetime import timedelta

import httpx

from evaluations import service
from evaluations.tables import EvaluationAnswer
from tests.conftest import World
from tests.evaluations.conftest import Past, after, link_token, outbox, past_event
from tests.organiser.conftest import csrf
from traffpunkt.clock import frozen_at


async def _links(
    client: httpx.AsyncClient, world: World, people: int = 3
) -> tuple[Past, list[str]]:
    past = await past_event(client, world, people=people, present=people)
    with frozen_at(after(past)):
        await service.send_evaluations()
    return past, [link_token(m) for m in await outbox("evaluation")]


async def test_answer_change_and_close(client: httpx.AsyncClient, world: World) -> None:
    _past, tokens = await _links(client, world, 1)
    token = tokens[0]
    page = await client.get(f"/evaluation/{token}")
    assert page.status_code == 200 and "Hur var det?" in page.text
    assert (
        page.headers["cache-control"].startswith("private")
        and "noindex" in page.headers["x-robots-tag"]
    )
    # Nothing chosen: both scales say so, under each field; nothing stored.
    r = await client.post(f"/evaluation/{token}", data={"_csrf_token": csrf(page.text)})
    assert r.status_code == 422
    assert 'id="overall-error"' in r.text and 'id="relevance-error"' in r.text
    assert await EvaluationAnswer.count() == 0
    # An unknown topic is an error under the topics, not a 500.
    r = await client.post(
        f"/evaluation/{token}",
        data={"_csrf_token": csrf(page.text), "overall": "4", "relevance": "5", "topics": "nope"},
    )
    assert r.status_code == 422 and 'id="topics-error"' in r.text
    form = {
        "_csrf_token": csrf(page.text),
        "overall": "4",
        "relevance": "5",
        "next_step": "Starta en webbshop",
        "topics": ["e-commerce", "ai-tools"],
        "wants_follow_up_contact": "yes",
    }
    r = await client.post(f"/evaluation/{token}", data=form)
    assert r.status_code == 303, r.text
    shown = await client.get(r.headers["location"])
    assert "Tack! Ditt svar är sparat" in shown.text and "Starta en webbshop" in shown.text
    # Changed within 14 days; one answer kept.
    first = await EvaluationAnswer.select().first()
    assert first is not None
    with frozen_at(first["answered_at"] + timedelta(days=13)):
        r = await client.post(f"/evaluation/{token}", data={**form, "overall": "2"})
        assert r.status_code == 303
    rows = await EvaluationAnswer.select()
    assert len(rows) == 1 and rows[0]["overall"] == 2
    with frozen_at(first["answered_at"] + timedelta(days=15)):
        closed = await client.get(f"/evaluation/{token}?lang=en")
        assert "The evaluation is closed" in closed.text
        assert f'action="/evaluation/{token}"' not in closed.text
        r = await client.post(f"/evaluation/{token}", data={**form, "overall": "5"})
        assert r.status_code == 409 and "closed" in r.text
        api = await client.put(
            f"/api/v1/evaluations/{token}/answer", json={"overall": 5, "relevance": 5}
        )
        assert api.status_code == 409 and api.headers["content-type"].startswith(
            "application/problem+json"
        )
    assert (await EvaluationAnswer.select().first() or {})["overall"] == 2


async def test_unknown_link_is_a_clear_404(client: httpx.AsyncClient, engine: object) -> None:
    r = await client.get("/evaluation/not-a-token", headers={"accept": "text/html"})
    assert r.status_code == 404 and "<html" in r.text
    api = await client.get("/api/v1/evaluations/not-a-token")
    assert api.status_code == 404 and api.json()["status"] == 404


async def test_follow_up_on_the_same_link(client: httpx.AsyncClient, world: World) -> None:
    past, tokens = await _links(client, world, 1)
    token = tokens[0]
    early = await client.put(f"/api/v1/evaluations/{token}/follow-up", json={"used": "yes"})
    assert early.status_code == 409
    with frozen_at(past.ends_at + service.FOLLOW_UP_AFTER + timedelta(hours=1)):
        page = await client.get(f"/evaluation/{token}?lang=en")
        assert "Have you started using what you learnt?" in page.text
        bad = await client.post(
            f"/evaluation/{token}/follow-up", data={"_csrf_token": csrf(page.text), "used": "maybe"}
        )
        assert bad.status_code == 422 and 'id="follow_used-error"' in bad.text
        r = await client.post(
            f"/evaluation/{token}/follow-up",
            data={"_csrf_token": csrf(page.text), "used": "partly", "text": "Lite grann"},
        )
        assert r.status_code == 303
        own = (await client.get(f"/api/v1/evaluations/{token}")).json()
        assert own["follow_up"]["used"] == "partly" and own["follow_up_open"] is True


async def test_settings_page_and_the_link_from_the_event(
    client: httpx.AsyncClient, world: World, anna: httpx.AsyncClient, olle: httpx.AsyncClient
) -> None:
    past = await past_event(client, world, people=0, present=0)
    event_id = past.event["id"]
    page = await anna.get(f"/organiser/events/{event_id}")
    assert f"/organiser/events/{event_id}/evaluation" in page.text
    assert f"/organiser/evaluations?event={event_id}" in page.text
    form = await anna.get(f"/organiser/events/{event_id}/evaluation")
    assert form.status_code == 200
    r = await anna.post(
        f"/organiser/events/{event_id}/evaluation",
        data={
            "_csrf_token": csrf(form.text),
            "follow_up": "yes",
            "q1_kind": "choice",
            "q1_text": "Hur hittade du hit?",
            "q1_options": "Annons",
        },
    )
    assert r.status_code == 422 and 'id="q1_options-error"' in r.text
    r = await anna.post(
        f"/organiser/events/{event_id}/evaluation",
        data={
            "_csrf_token": csrf(form.text),
            "q2_kind": "choice",
            "q2_text": "Hur hittade du hit?",
            "q2_options": "Annons\nVän\nWebb",
            "q4_kind": "scale",
            "q4_text": "Lokalen?",
        },
    )
    assert r.status_code == 303
    settings = (
        await client.get(
            f"/api/v1/events/{event_id}/evaluation-settings", headers=World.auth(world.asele)
        )
    ).json()
    assert settings["follow_up"] is False
    assert [(q["id"], q["kind"]) for q in settings["questions"]] == [
        ("q1", "choice"),
        ("q2", "scale"),
    ]
    assert (await olle.get(f"/organiser/events/{event_id}/evaluation")).status_code == 403
    other = await client.get(
        f"/api/v1/events/{event_id}/evaluation-settings", headers=World.auth(world.arvidsjaur)
    )
    assert other.status_code == 403
