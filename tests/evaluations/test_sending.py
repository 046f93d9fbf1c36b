"""The evaluation mail: once per checked-in attendee, never to erased or absent people, never
twice (two runs at once, runs repeated after a crash), the follow-up three months later."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx

from evaluations import service
from evaluations.tables import EvaluationRequest
from notifications import service as mail
from tests.conftest import World
from tests.evaluations.conftest import after, outbox, past_event
from traffpunkt.clock import frozen_at


async def test_only_checked_in_and_not_erased(client: httpx.AsyncClient, world: World) -> None:
    past = await past_event(client, world, people=5, present=3)
    erased = past.checked_in[2]
    r = await client.post(f"/api/v1/registrations/{past.manage[erased]}/erase")
    assert r.status_code in (200, 204), r.text
    with frozen_at(past.ends_at - timedelta(minutes=1)):
        assert await service.send_evaluations() == 0  # not over yet
    with frozen_at(after(past)):
        assert await service.send_evaluations() == 2
        assert await service.send_evaluations() == 0
    sent = await outbox("evaluation")
    assert sorted(str(m["registration_id"]) for m in sent) == sorted(past.checked_in[:2])
    assert all(m["recipient"].startswith("p") for m in sent)
    assert {m["language"] for m in sent} == {"sv"}
    requests = await EvaluationRequest.select(EvaluationRequest.registration_id)
    assert sorted(str(r["registration_id"]) for r in requests) == sorted(past.checked_in[:2])


async def test_two_runs_at_once_send_one_mail_each(client: httpx.AsyncClient, world: World) -> None:
    past = await past_event(client, world, people=6, present=6)
    with frozen_at(after(past)):
        created = await asyncio.gather(*(service.send_evaluations() for _ in range(3)))
    assert sum(created) == 6
    sent = await outbox("evaluation")
    assert len(sent) == 6 and len({m["registration_id"] for m in sent}) == 6
    assert len(await EvaluationRequest.select()) == 6


async def test_a_crash_after_commit_sends_no_second_mail(
    client: httpx.AsyncClient, world: World
) -> None:
    """The request and its mail commit together: a run that died after the commit (before the
    sender sent anything) leaves both, and the next run adds nothing; the outbox sends the one
    that is there."""
    past = await past_event(client, world, people=3, present=3)
    with frozen_at(after(past)):
        assert await service.send_evaluations() == 3
    pending = await outbox("evaluation")
    assert {m["status"] for m in pending} == {"pending"}
    # "Crash": a new process (nothing in memory) runs the job again, hours later.
    with frozen_at(after(past, timedelta(hours=5))):
        assert await service.send_evaluations() == 0
        claimed = await mail.claim("worker-1", 100)
    assert sorted(m.id for m in claimed if m.kind == "evaluation") == sorted(
        m["id"] for m in pending
    )
    assert len(await outbox("evaluation")) == 3


async def test_follow_up_three_months_later_with_the_same_link(
    client: httpx.AsyncClient, world: World
) -> None:
    past = await past_event(client, world, people=2, present=2)
    with frozen_at(after(past)):
        await service.send_evaluations()
        due_now = [m.kind for m in await mail.claim("w", 100) if m.kind.startswith("evaluation")]
    assert sorted(due_now) == ["evaluation", "evaluation"]  # the follow-up waits
    follow = await outbox("evaluation_follow_up")
    assert len(follow) == 2
    first = {m["registration_id"]: m["secrets"] for m in await outbox("evaluation")}
    assert all(first[m["registration_id"]] == m["secrets"] for m in follow)  # the same link
    with frozen_at(past.ends_at + service.FOLLOW_UP_AFTER - timedelta(minutes=1)):
        assert "evaluation_follow_up" not in {m.kind for m in await mail.claim("w2", 100)}
    with frozen_at(past.ends_at + service.FOLLOW_UP_AFTER + timedelta(minutes=1)):
        claimed = await mail.claim("w3", 100)
        assert [m.kind for m in claimed].count("evaluation_follow_up") == 2
        assert await service.send_evaluations() == 0  # once


async def test_no_follow_up_when_turned_off(client: httpx.AsyncClient, world: World) -> None:
    past = await past_event(client, world, people=2, present=2)
    h = World.auth(world.asele)
    url = f"/api/v1/events/{past.event['id']}/evaluation-settings"
    with frozen_at(after(past)):
        await service.send_evaluations()
        r = await client.put(url, json={"follow_up": False}, headers=h)
        assert r.status_code == 200, r.text
        assert r.json()["follow_up"] is False and r.json()["requests"] == 2
        again = await client.put(url, json={"follow_up": True}, headers=h)
    assert again.status_code == 422 and again.json()["errors"][0]["field"] == "follow_up"
    follow = await outbox("evaluation_follow_up")
    assert {m["status"] for m in follow} == {"cancelled"}
    with frozen_at(past.ends_at + service.FOLLOW_UP_AFTER + timedelta(days=1)):
        assert "evaluation_follow_up" not in {m.kind for m in await mail.claim("w", 100)}


def test_the_mails_render_in_both_languages() -> None:
    from notifications.kinds import KINDS
    from notifications.render import render_parts
    from traffpunkt.settings import get_settings

    for kind in ("evaluation", "evaluation_follow_up"):
        for lang, word in (("sv", "Hej Anna"), ("en", "Hello Anna")):
            subject, text, _html = render_parts(
                KINDS[kind],
                None,
                language=lang,
                name="Anna",
                data={},
                secrets={"evaluation_url": "https://x.test/evaluation/abc"},
                settings=get_settings(),
            )
            assert word in text and "https://x.test/evaluation/abc" in text and subject


async def test_erased_after_the_evaluation_gets_no_follow_up(
    client: httpx.AsyncClient, world: World
) -> None:
    past = await past_event(client, world, people=2, present=2)
    with frozen_at(after(past)):
        await service.send_evaluations()
    gone = past.checked_in[0]
    r = await client.post(f"/api/v1/registrations/{past.manage[gone]}/erase")
    assert r.status_code in (200, 204), r.text
    follow = {str(m["registration_id"]): m for m in await outbox("evaluation_follow_up")}
    assert follow[gone]["status"] == "cancelled" and follow[gone]["secrets"] is None
    assert follow[past.checked_in[1]]["status"] == "pending"
