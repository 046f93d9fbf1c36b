"""The outbox loses nothing and doubles nothing: transactions, retries, crashes, two workers."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import timedelta
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import httpx
import pytest

from events import service as events_service
from notifications import render, service
from notifications.rows import OutboxRow
from notifications.tables import OutboxMessage
from notifications.transport import transport_for
from notifications.worker import Sender
from tests.conftest import World
from tests.notifications.conftest import Recorder
from traffpunkt import db
from traffpunkt.clock import frozen_at, utc_now
from traffpunkt.settings import Settings

CONFIRMED = {
    "data": {"sequence_offset": 0},
    "secrets": {"manage_url": "http://testserver/r/abc", "ticket_code": "TP1.test-ticket"},
}


async def enqueue(event: dict[str, Any], to: str, kind: str = "confirmed", **kw: Any) -> Any:
    args = {**CONFIRMED, **kw} if kind == "confirmed" else kw
    async with db.transaction():
        return await service.enqueue(kind, to=to, name="Hugo Lind", event_id=event["id"], **args)


async def status(message_id: Any) -> OutboxRow:
    return await service.message_status(message_id)


async def test_nothing_is_sent_for_a_rolled_back_change(
    event: dict[str, Any], mail_settings: Settings, smtp: Recorder
) -> None:
    with pytest.raises(RuntimeError):
        async with db.transaction():
            await service.enqueue(
                "confirmed", to="gone@example.se", name="X", event_id=event["id"], **CONFIRMED
            )
            raise RuntimeError("the change fails after the mail was queued")
    kept = await enqueue(event, "kept@example.se")
    assert await Sender(mail_settings).run_once() == 1
    assert [m["To"].addresses[0].addr_spec for m in smtp.messages] == ["kept@example.se"]
    assert (await status(kept)).status == "sent"
    assert (await status(kept)).secrets is None  # links with tokens do not outlive sending


async def test_one_connection_for_a_batch(
    event: dict[str, Any], mail_settings: Settings, smtp: Recorder
) -> None:
    for i in range(5):
        await enqueue(event, f"p{i}@example.se")
    assert await Sender(mail_settings).run_once() == 5
    assert len(smtp.messages) == 5 and smtp.connections == 1


async def test_temporary_failure_is_retried_with_backoff(
    event: dict[str, Any], mail_settings: Settings, smtp: Recorder
) -> None:
    mid = await enqueue(event, "retry@example.se")
    smtp.data_responses.extend(["451 4.3.0 try again later"])
    sender = Sender(mail_settings)
    await sender.run_once()
    first = await status(mid)
    assert first.status == "pending" and first.attempts == 1
    assert "451" in first.last_error
    delay = first.next_attempt_at - utc_now()
    assert timedelta(seconds=10) < delay <= service.RETRY_BASE
    assert await sender.run_once() == 0  # not due yet
    with frozen_at(first.next_attempt_at + timedelta(seconds=1)):
        assert await sender.run_once() == 1
        after = await status(mid)
    assert after.status == "sent" and after.attempts == 2
    assert len(smtp.by_id(f"<{mid}@traffpunkt.local>")) == 1


async def test_permanent_failure_is_visible_to_organisers_and_not_retried(
    event: dict[str, Any],
    mail_settings: Settings,
    smtp: Recorder,
    client: httpx.AsyncClient,
    world: World,
) -> None:
    smtp.refuse["nobody@example.se"] = "550 5.1.1 No such user"
    bad = await enqueue(event, "nobody@example.se")
    good = await enqueue(event, "somebody@example.se")
    sender = Sender(mail_settings)
    assert await sender.run_once() == 2
    failed = await status(bad)
    assert failed.status == "failed" and "550" in failed.last_error
    assert (await status(good)).status == "sent"
    with frozen_at(utc_now() + timedelta(days=2)):
        assert await sender.run_once() == 0  # no crash loop, no retry
    r = await client.get(f"/api/v1/events/{event['id']}/messages", headers=World.auth(world.asele))
    assert r.status_code == 200
    by_to = {m["to"]: m for m in r.json()["items"]}
    assert by_to["nobody@example.se"]["status"] == "failed"
    assert "No such user" in by_to["nobody@example.se"]["last_error"]
    assert by_to["somebody@example.se"]["status"] == "sent"
    # Organisers of other municipalities see nothing; anonymous callers neither.
    r = await client.get(
        f"/api/v1/events/{event['id']}/messages", headers=World.auth(world.arvidsjaur)
    )
    assert r.status_code == 403
    assert (await client.get(f"/api/v1/events/{event['id']}/messages")).status_code == 401


async def test_5xx_on_data_is_permanent(
    event: dict[str, Any], mail_settings: Settings, smtp: Recorder
) -> None:
    mid = await enqueue(event, "spam@example.se")
    smtp.data_responses.append("554 5.7.1 Message rejected")
    await Sender(mail_settings).run_once()
    assert (await status(mid)).status == "failed"


async def test_unreachable_server_keeps_everything(event: dict[str, Any], engine: Any) -> None:
    from tests.live import free_port
    from traffpunkt.settings import get_settings

    ids = [await enqueue(event, f"p{i}@example.se") for i in range(3)]
    down = dataclasses.replace(get_settings(), smtp_url=f"smtp://127.0.0.1:{free_port()}")
    await Sender(down).run_once()
    for mid in ids:
        s = await status(mid)
        assert s.status == "pending" and s.attempts == 1 and "connect" in s.last_error


async def test_crash_between_send_and_mark_resends_the_same_message_id(
    event: dict[str, Any], mail_settings: Settings, smtp: Recorder
) -> None:
    mid = await enqueue(event, "crash@example.se")
    # The worker's steps up to the SMTP server's "250", then the process dies: nothing marks it.
    (claimed,) = await service.claim("crashing", 10)
    row = await events_service.event_for_mail(event["id"])
    async with transport_for(mail_settings.smtp_url, mail_settings.mail_dir) as transport:
        await transport.send(render.build(claimed, row, mail_settings, utc_now()))
    assert len(smtp.messages) == 1
    assert (await status(mid)).status == "sending"
    survivor = Sender(mail_settings, worker_id="survivor")
    assert await survivor.run_once() == 0  # the lease still holds
    with frozen_at(utc_now() + service.LEASE + timedelta(seconds=1)):
        assert await survivor.run_once() == 1
    copies = smtp.by_id(f"<{mid}@traffpunkt.local>")
    assert len(copies) == 2  # sent again, recognisably the same mail
    assert (await status(mid)).status == "sent"


async def test_two_workers_never_send_the_same_message_twice(
    event: dict[str, Any], mail_settings: Settings, smtp: Recorder
) -> None:
    n = 120
    async with db.transaction():
        for i in range(n):
            await service.enqueue(
                "confirmed", to=f"p{i}@example.se", name=f"P {i}", event_id=event["id"], **CONFIRMED
            )
    workers = [Sender(mail_settings, batch_size=10, worker_id=f"w{i}") for i in range(2)]

    async def drain(sender: Sender) -> int:
        total = 0
        while handled := await sender.run_once():
            total += handled
        return total

    counts = await asyncio.gather(*(drain(w) for w in workers))
    assert sum(counts) == n
    ids = [m["Message-ID"] for m in smtp.messages]
    assert len(ids) == n and len(set(ids)) == n
    rows = await OutboxMessage.select(OutboxMessage.status)
    assert {r["status"] for r in rows} == {"sent"}


async def test_folder_transport_without_smtp(
    event: dict[str, Any], engine: Any, tmp_path: Path
) -> None:
    from traffpunkt.settings import get_settings

    settings = dataclasses.replace(get_settings(), smtp_url=None, mail_dir=tmp_path / "outbox")
    mid = await enqueue(event, "eml@example.se")
    sender = Sender(settings)
    assert "eml" in sender.describe() and str(tmp_path / "outbox") in sender.describe()
    await sender.run_once()
    (path,) = (tmp_path / "outbox").glob("*.eml")
    msg = message_from_bytes(path.read_bytes(), policy=policy.default)
    assert msg["Message-ID"] == f"<{mid}@traffpunkt.local>"
    assert msg["To"].addresses[0].addr_spec == "eml@example.se"


async def test_bad_addresses_are_refused_at_enqueue(event: dict[str, Any]) -> None:
    from traffpunkt.errors import Invalid

    for bad in ("no-at-sign", "a@b\r\nBcc: victim@example.se", "two@@example.se", "a b@c.se"):
        with pytest.raises(Invalid):
            await enqueue(event, bad)
    with pytest.raises(ValueError):
        await enqueue(event, "ok@example.se", kind="confirmed", secrets={})  # missing ticket


async def test_dedupe_key_makes_enqueue_idempotent(event: dict[str, Any]) -> None:
    first = await enqueue(event, "once@example.se", dedupe_key="reminder:1")
    again = await enqueue(event, "once@example.se", dedupe_key="reminder:1")
    assert first is not None and again is None
    rows = await OutboxMessage.select().where(OutboxMessage.dedupe_key == "reminder:1")
    assert len(rows) == 1
