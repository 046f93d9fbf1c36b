"""Results: anonymous (no group of fewer than 3 answers, no name beside an answer), per event,
topic, municipality and month, rights per municipality, CSV/XLSX, the needs they signal."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from evaluations import service
from evaluations.tables import EvaluationRequest
from tests.conftest import World
from tests.evaluations.conftest import Past, after, link_token, outbox, past_event
from traffpunkt.clock import frozen_at
from traffpunkt.needs import NeedKind, NeedSource


async def _answered(
    client: httpx.AsyncClient, world: World, answers: list[dict[str, Any]], **event: Any
) -> Past:
    """A past event whose attendees (one per answer) have answered."""
    past = await past_event(client, world, people=len(answers), present=len(answers), **event)
    before = {m["id"] for m in await outbox("evaluation")}
    with frozen_at(after(past)):
        await service.send_evaluations()
        tokens = [link_token(m) for m in await outbox("evaluation") if m["id"] not in before]
        for token, body in zip(tokens, answers, strict=True):
            r = await client.put(f"/api/v1/evaluations/{token}/answer", json=body)
            assert r.status_code == 200, r.text
    return past


def _answer(overall: int, relevance: int, text: str = "", **more: Any) -> dict[str, Any]:
    return {"overall": overall, "relevance": relevance, "next_step": text, **more}


async def test_results_per_event_and_suppression(
    client: httpx.AsyncClient, world: World, anna: httpx.AsyncClient
) -> None:
    a = await _answered(
        client,
        world,
        [
            _answer(5, 4, "Starta webbshop", topics=["e-commerce"], wants_follow_up_contact=True),
            _answer(4, 4, "Bokföra digitalt", topics=["e-commerce", "bookkeeping"]),
            _answer(3, 2, "", topics=[]),
            _answer(4, 5, "Prova AI", topics=["ai-tools"]),
        ],
        title="Webbshop på en dag",
        topics=["e-commerce"],
    )
    b = await _answered(
        client,
        world,
        [_answer(1, 1, "Hemligt svar från en person"), _answer(2, 2)],
        title="Litet möte",
        topics=["e-commerce"],
    )
    h = World.auth(world.asele)
    r = await client.get("/api/v1/evaluation-results", params={"by": "event"}, headers=h)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["next"] is None
    groups = {g["label"]: g for g in body["items"]}
    shown = groups["Webbshop på en dag"]
    assert shown["suppressed"] is False and shown["answers"] == 4
    assert shown["overall"] == {"average": 4.0, "distribution": [0, 0, 1, 2, 1]}
    assert shown["relevance"]["average"] == 3.75
    assert shown["wants_follow_up_contact"] == 1
    assert shown["next_steps"] == ["Bokföra digitalt", "Prova AI", "Starta webbshop"]
    assert shown["topics_wanted"] == {"ai-tools": 1, "bookkeeping": 1, "e-commerce": 2}
    small = groups["Litet möte"]
    assert small == {
        "key": str(b.event["id"]),
        "label": "Litet möte",
        "suppressed": True,
        "answers": None,
        "overall": None,
        "relevance": None,
        "wants_follow_up_contact": None,
        "next_steps": None,
        "topics_wanted": None,
        "custom": None,
        "follow_up": None,
    }
    assert body["total"]["answers"] == 4  # the small event counts nowhere
    # Filtered to the small event alone: still nothing but "fewer than 3".
    r = await client.get("/api/v1/evaluation-results", params={"event": b.event["id"]}, headers=h)
    assert r.json()["total"]["suppressed"] is True
    assert "Hemligt" not in r.text
    # The page: numbers in a table beside an SVG chart, no name or address of anyone.
    page = await anna.get("/organiser/evaluations?by=event")
    assert page.status_code == 200
    assert 'role="img"' in page.text and "<title id=" in page.text and "<desc id=" in page.text
    assert "färre än 3 svar" in page.text and "Hemligt" not in page.text
    assert "Person 0" not in page.text and "@example.se" not in page.text
    assert str(a.event["id"]) in page.text  # the event filter lists it
    en = await anna.get("/organiser/evaluations?by=event&lang=en")
    assert "fewer than 3 answers" in en.text and "Evaluation results" in en.text


async def test_groups_by_topic_municipality_month_and_rights(
    client: httpx.AsyncClient, world: World, olle: httpx.AsyncClient
) -> None:
    await _answered(
        client, world, [_answer(4, 4)] * 3, title="Marknad", topics=["digital-marketing", "export"]
    )
    h = World.auth(world.asele)
    by_topic = (
        await client.get("/api/v1/evaluation-results", params={"by": "topic"}, headers=h)
    ).json()
    assert sorted(g["key"] for g in by_topic["items"]) == ["digital-marketing", "export"]
    assert all(g["answers"] == 3 for g in by_topic["items"])
    by_place = (
        await client.get(
            "/api/v1/evaluation-results",
            params={"by": "municipality", "municipality": "asele"},
            headers=h,
        )
    ).json()
    assert [g["label"] for g in by_place["items"]] == ["Åsele"]
    by_month = (
        await client.get("/api/v1/evaluation-results", params={"by": "month"}, headers=h)
    ).json()
    assert [g["key"] for g in by_month["items"]] == ["2027-03"]
    window = (
        await client.get(
            "/api/v1/evaluation-results",
            params={"from": "2027-04-01", "to": "2027-05-01"},
            headers=h,
        )
    ).json()
    assert window["items"] == [] and window["total"]["suppressed"] is True
    # Arvidsjaur's organiser sees none of Åsele's answers, and may not ask for them.
    theirs = await client.get("/api/v1/evaluation-results", headers=World.auth(world.arvidsjaur))
    assert theirs.json()["items"] == []
    refused = await client.get(
        "/api/v1/evaluation-results",
        params={"municipality": "asele"},
        headers=World.auth(world.arvidsjaur),
    )
    assert refused.status_code == 403
    assert (await olle.get("/organiser/evaluations?municipality=asele")).status_code == 403
    bad = await client.get("/api/v1/evaluation-results", params={"by": "person"}, headers=h)
    assert bad.status_code == 400 or bad.status_code == 422
    bad = await client.get("/api/v1/evaluation-results", params={"topic": "nope"}, headers=h)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "topic"
    assert (await client.get("/api/v1/evaluation-results")).status_code == 401


async def test_exports_csv_and_xlsx(
    client: httpx.AsyncClient, world: World, anna: httpx.AsyncClient
) -> None:
    await _answered(client, world, [_answer(5, 5), _answer(4, 3), _answer(3, 4)], title="=Kurs")
    await _answered(client, world, [_answer(1, 1)], title="Ensam")
    csv = await anna.get("/organiser/evaluations.csv?by=event")
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Grupp;Svar;Helhetsintryck (medelvärde 1–5)")
    assert lines[1].startswith("'=Kurs;3;4.0;4.0;0;0;1;1;1")  # a formula is never a formula
    assert lines[2].startswith("Ensam;färre än 3 svar;")
    xlsx = await client.get(
        "/api/v1/evaluation-results/xlsx",
        headers={**World.auth(world.asele), "accept-language": "en"},
    )
    assert xlsx.status_code == 200
    with zipfile.ZipFile(io.BytesIO(xlsx.content)) as z:
        strings = z.read("xl/worksheets/sheet1.xml").decode()
    assert "fewer than 3 answers" in strings and "=Kurs" in strings
    assert (
        await client.get("/api/v1/evaluation-results/pdf", headers=World.auth(world.asele))
    ).status_code == 404


async def test_custom_questions_in_results(client: httpx.AsyncClient, world: World) -> None:
    past = await past_event(client, world, people=4, present=4, title="Frågor")
    h = World.auth(world.asele)
    settings = {
        "questions": [
            {"kind": "choice", "text": "Hur hittade du hit?", "options": ["Annons", "Vän"]},
            {"kind": "scale", "text": "Lokalen?"},
            {"kind": "text", "text": "Något mer?"},
        ]
    }
    r = await client.put(
        f"/api/v1/events/{past.event['id']}/evaluation-settings", json=settings, headers=h
    )
    assert r.status_code == 200, r.text
    with frozen_at(after(past)):
        await service.send_evaluations()
        tokens = [link_token(m) for m in await outbox("evaluation")]
        wrong = await client.put(
            f"/api/v1/evaluations/{tokens[0]}/answer",
            json=_answer(3, 3, custom={"q1": "Tidning"}),
        )
        assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "custom.q1"
        for i, token in enumerate(tokens):
            custom: dict[str, Any] = {"q1": "Annons" if i else "Vän", "q2": 4}
            if i < 2:
                custom["q3"] = f"Text {i}"
            r = await client.put(
                f"/api/v1/evaluations/{token}/answer", json=_answer(4, 4, custom=custom)
            )
            assert r.status_code == 200, r.text
    changed = await client.put(
        f"/api/v1/events/{past.event['id']}/evaluation-settings", json={"questions": []}, headers=h
    )
    assert changed.status_code == 422  # answered: the questions stay
    res = (
        await client.get(
            "/api/v1/evaluation-results", params={"event": past.event["id"]}, headers=h
        )
    ).json()
    custom_results = {c["id"]: c for c in res["items"][0]["custom"]}
    assert custom_results["q1"]["choices"] == [
        {"option": "Annons", "count": 3},
        {"option": "Vän", "count": 1},
    ]
    assert custom_results["q2"]["scale"]["average"] == 4.0
    assert custom_results["q3"]["answers"] == 0 and custom_results["q3"]["texts"] is None


async def test_topics_wanted_are_need_signals(client: httpx.AsyncClient, world: World) -> None:
    past = await _answered(
        client, world, [_answer(4, 4, topics=["export", "financing"]), _answer(3, 3)]
    )
    requests = await EvaluationRequest.select(EvaluationRequest.registration_id)
    now = datetime.now(UTC) + timedelta(days=3650)
    signals = await service.need_signals(None, datetime(2000, 1, 1, tzinfo=UTC), now)
    assert sorted(s.topic for s in signals) == ["export", "financing"]
    assert {s.source for s in signals} == {NeedSource.EVALUATION}
    assert {s.kind for s in signals} == {NeedKind.NEED}
    assert {s.company for s in signals} <= {str(r["registration_id"]) for r in requests}
    assert signals[0].at >= past.ends_at
    assert await service.need_signals([], datetime(2000, 1, 1, tzinfo=UTC), now) == []
    # ... and they count in the needs map as their own source (one answer each: "<3").
    params = {"municipality": "asele", "from": "2000-01-01", "source": "evaluation"}
    r = await client.get("/api/v1/needs-map", params=params)
    assert r.status_code == 200, r.text
    counted = {i["topic"]: i["need"] for i in r.json()["items"]}
    assert counted["export"] == "<3" and counted["financing"] == "<3"
    assert counted["e-commerce"] == "0" and r.json()["sources"] == ["evaluation"]


async def test_the_contracts_event_evaluation(client: httpx.AsyncClient, world: World) -> None:
    """`GET /api/v1/events/{id}/evaluation`: per-question figures only with 3 or more answers."""
    h = World.auth(world.asele)
    two = await _answered(client, world, [_answer(5, 4), _answer(3, 2)], title="Två")
    r = await client.get(f"/api/v1/events/{two.event['id']}/evaluation", headers=h)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["answers"] == 2 and body["requests"] == 2
    assert all(set(q) <= {"key", "kind", "text", "options"} for q in body["questions"])
    three = await _answered(
        client, world, [_answer(5, 4), _answer(3, 2), _answer(4, 3, wants_follow_up_contact=True)]
    )
    body = (await client.get(f"/api/v1/events/{three.event['id']}/evaluation", headers=h)).json()
    figures = {q["key"]: q for q in body["questions"]}
    assert figures["overall"] == {
        "key": "overall",
        "kind": "scale",
        "answers": 3,
        "mean": 4.0,
        "distribution": [0, 0, 1, 1, 1],
    }
    assert figures["wants_follow_up_contact"]["distribution"] == [2, 1]
    assert "answers" not in figures["follow_up"]
    other = await client.get(
        f"/api/v1/events/{three.event['id']}/evaluation", headers=World.auth(world.arvidsjaur)
    )
    assert other.status_code == 403


async def test_bad_filters_on_the_page_are_errors_not_failures(
    anna: httpx.AsyncClient, world: World
) -> None:
    for query, status in (
        ("by=person", 422),
        ("event=not-an-id", 422),
        ("from=2027-02-31", 422),
        ("from=2027-05-01&to=2027-04-01", 422),
        ("topic=nope", 422),
        ("municipality=atlantis", 422),
        ("event=00000000-0000-0000-0000-000000000001", 422),
    ):
        r = await anna.get(f"/organiser/evaluations?{query}")
        assert r.status_code == status, (query, r.status_code)
        assert "<html" in r.text
    r = await anna.get("/organiser/evaluations.csv?by=person")
    assert r.status_code == 422 and "<html" in r.text


async def test_an_erasure_takes_the_answer_out_of_the_results(
    client: httpx.AsyncClient, world: World
) -> None:
    past = await _answered(client, world, [_answer(5, 5), _answer(4, 4), _answer(1, 1)])
    h = World.auth(world.asele)
    url = f"/api/v1/events/{past.event['id']}/evaluation"
    assert (await client.get(url, headers=h)).json()["answers"] == 3
    links = {str(r["registration_id"]): r["id"] for r in await EvaluationRequest.select()}
    gone = past.checked_in[0]
    r = await client.post(f"/api/v1/registrations/{past.manage[gone]}/erase")
    assert r.status_code == 204, r.text
    body = (await client.get(url, headers=h)).json()
    assert body["answers"] == 2 and body["requests"] == 2
    assert "mean" not in {q["key"]: q for q in body["questions"]}["overall"]  # now below 3
    left = {str(r["registration_id"]) for r in await EvaluationRequest.select()}
    assert gone not in left and len(links) == 3
