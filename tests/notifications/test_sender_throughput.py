"""What the sender does to be fast keeps the outbox's promises: render processes, chunked marks.

- rendering in other processes sends the same mail, fails a message that cannot be rendered
  with the reason (no crash loop), retries the messages of a render process that died, and
  leaves no process behind;
- marking sent in chunks: a crash between the SMTP server's "250" and the chunk's UPDATE sends
  at most one chunk again, with the same Message-IDs, and loses nothing.
"""

from __future__ import annotations

import asyncio
import copy
import dataclasses
import io
import json
import os
import random
import signal
from collections import Counter
from datetime import timedelta
from email import message_from_bytes, policy
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from uuid import uuid4

import aiosmtplib.email
import pytest
import zxingcpp
from PIL import Image

from events import service as events_service
from notifications import render, service, worker
from notifications.tables import OutboxMessage
from notifications.transport import prepare, transport_for
from notifications.worker import MARK_EVERY, Sender
from tests.notifications.conftest import Recorder
from traffpunkt import db
from traffpunkt.clock import frozen_at, utc_now
from traffpunkt.settings import Settings, load_settings

TICKET = "TP1" + "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567" * 3 + "QWERTYUIOPASDFGHJKLZX"


async def enqueue_many(event: dict[str, Any], n: int, prefix: str = "p") -> list[Any]:
    ids = []
    async with db.transaction():
        for i in range(n):
            ids.append(
                await service.enqueue(
                    "confirmed",
                    to=f"{prefix}{i}@example.se",
                    name=f"Åsa Öberg {i}",
                    language="en" if i % 3 == 0 else "sv",
                    event_id=event["id"],
                    data={"sequence_offset": 0},
                    secrets={"manage_url": f"http://testserver/r/t{i}", "ticket_code": TICKET},
                )
            )
    return ids


async def statuses(ids: list[Any]) -> Counter[str]:
    return Counter([(await service.message_status(i)).status for i in ids])


def render_pids(sender: Sender) -> list[int]:
    pool = sender._pool
    return [p.pid for p in pool._processes.values()] if pool is not None else []  # type: ignore[attr-defined]


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    # A zombie until reaped: multiprocessing joins its children on shutdown.
    with open(f"/proc/{pid}/stat") as f:
        return f.read().split(") ", 1)[1].startswith("Z")


async def test_render_processes_send_the_same_mail(
    event: dict[str, Any], mail_settings: Settings, smtp: Recorder
) -> None:
    ids = await enqueue_many(event, 7)
    sender = Sender(mail_settings, render_processes=2)
    try:
        assert await sender.run_once() == 7
        pids = render_pids(sender)
        assert len(pids) == 2 and os.getpid() not in pids
    finally:
        sender.close()
    assert all(gone(pid) for pid in pids)
    assert await statuses(ids) == Counter(sent=7)
    assert smtp.connections == 1 and len(smtp.messages) == 7
    assert [m["Message-ID"] for m in smtp.messages] == [f"<{i}@traffpunkt.local>" for i in ids]
    for i, msg in enumerate(smtp.messages):
        kinds = [p.get_content_type() for p in msg.walk()]
        assert {"text/plain", "text/html", "image/png", "text/calendar", "application/ics"} <= set(
            kinds
        )
        assert msg["To"].addresses[0].display_name == f"Åsa Öberg {i}"
        assert msg["Content-Language"] == ("en" if i % 3 == 0 else "sv")
        png = next(p for p in msg.walk() if p.get_content_type() == "image/png")
        (code,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(png.get_content())))
        assert code.text == TICKET


async def test_prepare_is_what_aiosmtplib_sends(
    event: dict[str, Any], mail_settings: Settings
) -> None:
    (mid,) = await enqueue_many(event, 1)
    (message,) = await service.claim("w", 1)
    assert message.id == mid
    row = await events_service.event_for_mail(event["id"])
    msg = render.build(message, row, mail_settings, utc_now())
    random.seed(1)  # MIME boundaries are random (and set on the parts by flattening)
    mail = prepare(copy.deepcopy(msg))
    random.seed(1)
    assert mail.data == aiosmtplib.email.flatten_message(msg)  # send_message's bytes
    assert mail.sender == aiosmtplib.email.extract_sender(msg) == "noreply@traffpunkt.local"
    assert list(mail.recipients) == aiosmtplib.email.extract_recipients(msg) == ["p0@example.se"]
    assert mail.message_id == f"<{mid}@traffpunkt.local>" and not mail.smtputf8
    assert mail.data.isascii() and b"\r\n" in mail.data and b"\n\n" not in mail.data


async def test_a_render_error_in_a_render_process_fails_that_message_only(
    event: dict[str, Any], mail_settings: Settings, smtp: Recorder
) -> None:
    ids = await enqueue_many(event, 4)
    async with db.transaction():
        await OutboxMessage.update({OutboxMessage.data: "{not json"}).where(
            OutboxMessage.id == ids[1]
        )
    sender = Sender(mail_settings, render_processes=1)
    try:
        assert await sender.run_once() == 4
        bad = await service.message_status(ids[1])
        assert bad.status == "failed" and bad.last_error.startswith("cannot render: ")
        assert "Expecting property name" in bad.last_error  # the child's JSONDecodeError
        assert bad.secrets is None
        assert await statuses(ids) == Counter(sent=3, failed=1)
        with frozen_at(utc_now() + timedelta(days=2)):
            assert await sender.run_once() == 0  # no crash loop, no retry
        assert sender.render_processes == 1  # a render error does not break the pool
    finally:
        sender.close()


async def test_a_dead_render_process_means_a_retry_not_a_loss(
    event: dict[str, Any], mail_settings: Settings, smtp: Recorder
) -> None:
    ids = await enqueue_many(event, 3)
    sender = Sender(mail_settings, render_processes=1)

    def killing_transport() -> Any:  # entered after the batch went to the render process
        for pid in render_pids(sender):
            os.kill(pid, signal.SIGKILL)
        return transport_for(mail_settings.smtp_url, mail_settings.mail_dir)

    sender.transport_factory = killing_transport
    try:
        assert await sender.run_once() == 3
        for mid in ids:
            s = await service.message_status(mid)
            assert s.status == "pending" and s.attempts == 1
            assert "render process stopped" in s.last_error
        assert smtp.messages == []
        sender.transport_factory = lambda: transport_for(
            mail_settings.smtp_url, mail_settings.mail_dir
        )
        with frozen_at(utc_now() + timedelta(hours=1)):
            assert await sender.run_once() == 3  # a new pool
        assert await statuses(ids) == Counter(sent=3)
        assert len(smtp.messages) == 3
    finally:
        sender.close()


async def test_render_processes_that_keep_dying_give_way_to_rendering_here(
    event: dict[str, Any], mail_settings: Settings, smtp: Recorder
) -> None:
    sender = Sender(mail_settings, render_processes=1)
    for _ in range(worker.MAX_POOL_BREAKS):
        pool = sender._render_pool()
        assert pool is not None
        sender._forget_pool(pool)
    assert sender.render_processes == 0 and sender._render_pool() is None
    ids = await enqueue_many(event, 2)
    assert await sender.run_once() == 2
    assert await statuses(ids) == Counter(sent=2)


async def test_run_and_stop_leave_no_render_process(
    event: dict[str, Any], mail_settings: Settings, smtp: Recorder
) -> None:
    ids = await enqueue_many(event, 5)
    sender = Sender(mail_settings, render_processes=2, poll_seconds=0.05)
    task = asyncio.create_task(sender.run())
    pids: list[int] = []
    for _ in range(600):
        pids = pids or render_pids(sender)
        if len(smtp.messages) == 5:
            break
        await asyncio.sleep(0.05)
    assert len(smtp.messages) == 5 and pids
    sender.stop()
    await asyncio.wait_for(task, timeout=15)
    assert sender._pool is None
    assert all(gone(pid) for pid in pids)
    assert await statuses(ids) == Counter(sent=5)


async def test_folder_transport_with_render_processes(
    event: dict[str, Any], engine: Any, tmp_path: Path
) -> None:
    from traffpunkt.settings import get_settings

    settings = dataclasses.replace(get_settings(), smtp_url=None, mail_dir=tmp_path / "outbox")
    (mid,) = await enqueue_many(event, 1)
    sender = Sender(settings, render_processes=1)
    try:
        await sender.run_once()
    finally:
        sender.close()
    (path,) = (tmp_path / "outbox").glob("*.eml")
    raw = path.read_bytes()
    assert b"\r\n" not in raw  # as message.as_bytes() wrote it
    msg = message_from_bytes(raw, policy=policy.default)
    assert msg["Message-ID"] == f"<{mid}@traffpunkt.local>"
    assert msg["To"].addresses[0].addr_spec == "p0@example.se"
    assert (await service.message_status(mid)).status == "sent"


@pytest.mark.parametrize("render_processes", [0, 1])
async def test_a_crash_before_a_chunk_is_marked_resends_that_chunk_only(
    event: dict[str, Any],
    mail_settings: Settings,
    smtp: Recorder,
    monkeypatch: pytest.MonkeyPatch,
    render_processes: int,
) -> None:
    n = MARK_EVERY + 10
    ids = await enqueue_many(event, n)
    stock = service.mark_sent_many

    async def database_gone(message_ids: list[Any], worker_id: str) -> None:
        raise ConnectionError("the database went away before the chunk was marked")

    monkeypatch.setattr(service, "mark_sent_many", database_gone)
    crashing = Sender(mail_settings, worker_id="crashing", render_processes=render_processes)
    try:
        with pytest.raises(ConnectionError):
            await crashing.run_once()
    finally:
        crashing.close()
    monkeypatch.setattr(service, "mark_sent_many", stock)
    # The first chunk went out and stays `sending` under the lease; the rest was given back.
    assert len(smtp.messages) == MARK_EVERY
    assert await statuses(ids) == Counter(sending=MARK_EVERY, pending=n - MARK_EVERY)
    survivor = Sender(mail_settings, worker_id="survivor")
    assert await survivor.run_once() == n - MARK_EVERY
    assert await survivor.run_once() == 0  # the lease still holds
    with frozen_at(utc_now() + service.LEASE + timedelta(seconds=1)):
        assert await survivor.run_once() == MARK_EVERY
    assert await statuses(ids) == Counter(sent=n)
    copies = Counter(m["Message-ID"] for m in smtp.messages)
    assert set(copies) == {f"<{i}@traffpunkt.local>" for i in ids}  # nothing lost
    assert sorted(copies.values()) == [1] * (n - MARK_EVERY) + [2] * MARK_EVERY  # one chunk again


async def test_two_workers_with_render_processes_never_send_the_same_message_twice(
    event: dict[str, Any], mail_settings: Settings, smtp: Recorder
) -> None:
    ids = await enqueue_many(event, 90)
    workers = [
        Sender(mail_settings, batch_size=25, worker_id=f"w{i}", render_processes=1)
        for i in range(2)
    ]

    async def drain(sender: Sender) -> int:
        total = 0
        while handled := await sender.run_once():
            total += handled
        return total

    try:
        counts = await asyncio.gather(*(drain(w) for w in workers))
    finally:
        for w in workers:
            w.close()
    assert sum(counts) == 90
    received = [m["Message-ID"] for m in smtp.messages]
    assert len(received) == 90 and len(set(received)) == 90
    assert await statuses(ids) == Counter(sent=90)


def test_the_number_of_render_processes_is_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TRAFFPUNKT_MAIL_RENDER_PROCESSES", raising=False)
    assert load_settings().mail_render_processes is None
    assert Sender(load_settings()).render_processes == 0  # inside `serve`: none by default
    monkeypatch.setenv("TRAFFPUNKT_MAIL_RENDER_PROCESSES", "3")
    assert load_settings().mail_render_processes == 3
    assert Sender(load_settings()).render_processes == 3
    assert Sender(load_settings(), render_processes=0).render_processes == 0
    for bad in ("-1", "two"):
        monkeypatch.setenv("TRAFFPUNKT_MAIL_RENDER_PROCESSES", bad)
        with pytest.raises(SystemExit):
            load_settings()
    assert worker.default_render_processes() == (
        len(os.sched_getaffinity(0)) if len(os.sched_getaffinity(0)) > 1 else 0
    )


# --- the MIME written directly is the MIME the email package builds ------------------------------


def reference_mime(content: Any, message: dict[str, Any], settings: Settings, now: Any) -> Any:
    """How notifications.render built mail with EmailMessage before it wrote MIME directly."""
    from email.message import EmailMessage
    from email.utils import format_datetime

    msg = EmailMessage()
    msg["Subject"] = content.subject
    msg["From"] = settings.mail_from
    # The address as the sender writes it (the domain as IDNA), from the one place that does.
    msg["To"] = render.recipient_address(message.recipient_name, message.recipient)
    msg["Message-ID"] = render.message_id(message.id, settings)
    msg["Date"] = format_datetime(now)
    msg["Auto-Submitted"] = "auto-generated"
    msg["X-Traffpunkt-Kind"] = content.kind.name
    msg.set_content(content.text, subtype="plain", cte="quoted-printable")
    msg.add_alternative(content.html, subtype="html", cte="quoted-printable")
    if content.ticket_png is not None:
        msg.get_payload()[1].add_related(
            content.ticket_png,
            maintype="image",
            subtype="png",
            cid=f"<{render.TICKET_CID}>",
            filename="ticket.png",
            disposition="inline",
        )
    if content.calendar is not None:
        msg.add_alternative(
            content.calendar.decode(),
            subtype="calendar",
            charset="utf-8",
            cte="quoted-printable",
            params={"method": content.kind.method},
        )
        msg.add_attachment(
            content.calendar, maintype="application", subtype="ics", filename="invite.ics"
        )
    msg["Content-Language"] = content.language
    return msg


def shape(raw: bytes) -> tuple[dict[str, str], list[list[Any]]]:
    """Headers and every part (type, parameters, encoding, disposition, id, decoded content) as
    a mail program reads them; boundaries and header folding aside."""
    msg = message_from_bytes(raw, policy=policy.default)
    names = ("Subject", "From", "To", "Message-ID", "Date", "Auto-Submitted")
    names += ("X-Traffpunkt-Kind", "Content-Language", "MIME-Version")
    headers = {n: str(msg[n]) for n in names}
    headers["To-addresses"] = repr(msg["To"].addresses)
    parts = []
    for part in msg.walk():
        params = [p for p in part.get_params() or [] if p[0] != "boundary"]
        item = [
            part.get_content_type(),
            params,
            part["Content-Transfer-Encoding"],
            part.get_content_disposition(),
            part.get_filename(),
            part["Content-ID"],
            part.defects,
        ]
        if not part.is_multipart():
            item.append(part.get_content())
        parts.append(item)
    return headers, parts


@pytest.mark.parametrize(
    ("name", "to"),
    [
        ("Anna Berg", "anna@example.se"),
        ('Åsa "Q" Öberg, AB', "asa@example.se"),
        ("O'Brien (test) <x@y> ; Ärla\r\nBcc: victim@example.se", "ob@example.se"),
        ("Märta-Lovisa von Långhalsen-Östergötland af Kråkslottet " * 3, "long@example.se"),
        ("Jörgen Åkesson", "jorgen@exämpel.se"),  # a non-ASCII domain: IDNA, no SMTPUTF8
        ("Jörgen Åkesson", "jörgen@exämpel.se"),  # non-ASCII before the @: SMTPUTF8
    ],
)
async def test_direct_mime_reads_as_the_email_packages(
    event: dict[str, Any], mail_settings: Settings, name: str, to: str
) -> None:
    from tests.notifications.test_mail_content import FIXTURES

    row = await events_service.event_for_mail(event["id"])
    now = utc_now()
    for kind, fixture in sorted(FIXTURES.items()):
        for lang in ("sv", "en"):
            message = SimpleNamespace(
                id=uuid4(),
                kind=kind,
                recipient=to,
                recipient_name=name,
                language=lang,
                data=json.dumps({"sequence_offset": 0, **fixture.get("data", {})}),
                secrets=json.dumps(fixture.get("secrets", {})),
            )
            content = render._content(message, row, mail_settings, now)
            mail = render._mime(content, message, mail_settings, now)
            expected = prepare(reference_mime(content, message, mail_settings, now))
            assert shape(mail.data) == shape(expected.data), (kind, lang)
            assert (mail.sender, mail.recipients) == (expected.sender, expected.recipients)
            utf8 = not to.rpartition("@")[0].isascii()
            assert mail.smtputf8 == expected.smtputf8 == utf8
            assert mail.message_id == f"<{message.id}@traffpunkt.local>"
            # 78 characters (RFC 5322); with SMTPUTF8 a character may take several octets.
            lines = mail.data.decode("utf-8").split("\r\n")
            assert max(len(line) for line in lines) <= 78
            assert b"\n" not in mail.data.replace(b"\r\n", b"")  # CRLF only
            if not utf8:
                assert mail.data.isascii()
            head = mail.data.split(b"\r\n\r\n", 1)[0]
            assert b"Bcc" not in head and head.count(b"\r\nTo: ") == 1


async def test_cached_invitations_are_what_icalendar_writes(
    event: dict[str, Any], mail_settings: Settings
) -> None:
    from events.schemas import EventPatch
    from notifications import itip

    names = ["Anna Berg", 'Åsa "Q" Öberg, AB; x:y', "", "Back\\slash ^caret^ " + "Ö" * 80]
    addresses = ["anna@example.se", "x" * 60 + "@kommun.example.se", "a+b@c.se"]

    def both(row: dict[str, Any], method: str, offset: int, name: str, to: str) -> None:
        common = {
            "method": method,
            "organiser_mailbox": mail_settings.organiser_mailbox,
            "organiser_name": row.municipality_name,
            "event_url": f"http://testserver/events/{row.slug}",
            "sequence_offset": offset,
            "now": utc_now() + timedelta(seconds=len(name) + len(to)),
        }
        cached = itip.invitation(row, attendee_email=to, attendee_name=name, **common)
        fresh = itip.build_invitation(row, attendee=itip._attendee(to, name), **common)
        assert cached == fresh, (method, offset, name, to)

    row = await events_service.event_for_mail(event["id"])
    for method in ("REQUEST", "CANCEL"):
        for offset in (0, 1):
            for name in names:
                for to in addresses:
                    both(row, method, offset, name, to)
    assert itip._templates and None not in itip._templates.values()  # spliced, not rewritten
    await events_service.update_event(
        event["admin"], str(event["id"]), EventPatch(title="Nytt namn; med, tecken")
    )
    changed = await events_service.event_for_mail(event["id"])
    both(changed, "REQUEST", 0, "Anna", "anna@example.se")
    new = itip.invitation(
        changed,
        method="REQUEST",
        organiser_mailbox="o@example.se",
        organiser_name="Åsele",
        attendee_email="anna@example.se",
        attendee_name="Anna",
        event_url="http://testserver/e",
        sequence_offset=0,
        now=utc_now(),
    )
    assert b"SUMMARY:Nytt namn\\; med\\, tecken" in new  # not the old event's template
