"""A sender that dies mid-batch holds its messages only seconds: leases are short and renewed
while the sender works, so another (or a restarted) sender delivers the rest at once."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from notifications import service
from notifications.tables import OutboxMessage
from notifications.worker import MARK_EVERY, Sender
from tests.notifications.conftest import Recorder
from traffpunkt import db
from traffpunkt.settings import Settings

CONFIRMED = {
    "data": {"sequence_offset": 0},
    "secrets": {"manage_url": "http://testserver/r/abc", "ticket_code": "TP1.test-ticket"},
}
BATCH = 100  # the Sender's default batch, which `traffpunkt worker` uses
TAKEOVER_BOUND = 15.0  # seconds from the kill until every mail has arrived


def start_worker(env: dict[str, str], cwd: Path, log: Path) -> subprocess.Popen[bytes]:
    with open(log, "wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "traffpunkt", "worker"],
            env=env,
            cwd=cwd,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


async def test_a_killed_senders_batch_is_taken_over_within_seconds(
    event: dict[str, Any],
    mail_settings: Settings,
    smtp: Recorder,
    database_url: str,
    tmp_path: Path,
) -> None:
    n = 60  # one batch; the kill leaves about half of it to take over
    async with db.transaction():
        for i in range(n):
            await service.enqueue(
                "confirmed", to=f"p{i}@example.se", name=f"P {i}", event_id=event["id"], **CONFIRMED
            )
    smtp.delay = 0.1  # ~6 s for the batch: the kill lands in its middle
    env = {
        **os.environ,
        "TRAFFPUNKT_DATABASE_URL": database_url,
        "TRAFFPUNKT_SMTP_URL": mail_settings.smtp_url or "",
        "TRAFFPUNKT_MAIL_RENDER_PROCESSES": "0",
    }
    log = tmp_path / "worker.log"
    worker = start_worker(env, tmp_path, log)
    try:
        deadline = time.monotonic() + 60
        while len(smtp.messages) < 25:
            assert worker.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            await asyncio.sleep(0.02)
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait()
    killed_at = time.monotonic()
    smtp.delay = 0.0
    assert len(smtp.messages) < n  # it died mid-batch, holding the rest
    held = await OutboxMessage.count().where(OutboxMessage.status == "sending")
    assert held > 0

    survivor = Sender(mail_settings, worker_id="survivor", poll_seconds=0.2)
    running = asyncio.create_task(survivor.run())
    try:
        while await OutboxMessage.count().where(OutboxMessage.status != "sent"):
            assert time.monotonic() - killed_at < 60, "the dead sender's batch was not taken over"
            await asyncio.sleep(0.1)
        took = time.monotonic() - killed_at
    finally:
        survivor.stop()
        await running
    print(f"every mail delivered {took:.1f} s after the sender was killed ({held} held)")
    assert took < TAKEOVER_BOUND, f"{took:.1f} s"

    ids_by_recipient: dict[str, list[str]] = defaultdict(list)
    for m in smtp.messages:
        ids_by_recipient[str(m["To"])].append(str(m["Message-ID"]))
    assert len(ids_by_recipient) == n  # every mail arrived
    copies = sum(len(v) for v in ids_by_recipient.values()) - n
    assert copies <= MARK_EVERY <= BATCH  # at most the chunk not yet marked sent
    assert all(len(set(v)) == 1 for v in ids_by_recipient.values())  # copies keep their ID


async def test_a_live_sender_keeps_its_batch_past_the_lease(
    event: dict[str, Any], mail_settings: Settings, smtp: Recorder
) -> None:
    """Renewal: a batch that takes longer than the lease (a slow SMTP server) stays with its
    sender; a second sender finds nothing to take and no mail is sent twice."""
    n = 8
    async with db.transaction():
        for i in range(n):
            await service.enqueue(
                "confirmed", to=f"s{i}@example.se", name=f"S {i}", event_id=event["id"], **CONFIRMED
            )
    lease = service.LEASE.total_seconds()
    smtp.delay = (lease + 2 * service.RENEW_EVERY.total_seconds()) / n  # the batch outlasts it
    slow = Sender(mail_settings, worker_id="slow")
    other = Sender(mail_settings, worker_id="other")
    sending = asyncio.create_task(slow.run_once())
    taken = 0
    while not sending.done():
        await asyncio.sleep(0.5)
        taken += await other.run_once()
    assert await sending == n
    assert taken == 0
    assert len(smtp.messages) == n
    assert len({m["Message-ID"] for m in smtp.messages}) == n
