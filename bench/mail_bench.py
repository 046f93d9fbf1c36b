"""Mail benchmark: messages per second that ONE sender delivers to a local SMTP server.

For each engine (a scratch SQLite file; a scratch PostgreSQL database at 127.0.0.1:5432) this
seeds a few events, then per round:

1. enqueues N `confirmed` mails (default 2,000) through `notifications.service.enqueue`, one
   transaction per mail as a sign-up does, each with a manage link and a signed ticket code,
   so every mail renders a QR PNG and an iTIP invitation (plus the .ics attachment);
2. drains the outbox with one `notifications.worker.Sender` (`run_once` in a loop until it
   returns 0) against aiosmtpd on 127.0.0.1 (a separate process by default, so that the
   server's parsing does not share the sender's GIL; `--smtp thread` runs it in-process);
3. verifies: every enqueued Message-ID arrived exactly once (no others), the outbox says
   `sent` for all of them with secrets dropped, and the number of SMTP connections equals the
   number of batches (one connection per batch, reused for all its messages).

It prints the median messages/s over the rounds (goal >= 200/s), the enqueue rate, the time to
render one confirmation (`notifications.render.build`: warm QR cache, cold QR cache, and its
pieces), and where one drain spends its time (claim, event lookup, render, SMTP send, marking
sent). `--prototype` also times bench-only prototypes of three fixes (A: a faster identical
QR PNG, B: cached email header classes, C: one UPDATE per batch to mark it sent).

    .venv/bin/python bench/mail_bench.py [--engine sqlite|postgres|both] [--n 2000]
        [--rounds 3] [--batch-size 100] [--prototype] [--profile]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import email.parser
import email.policy
import functools
import multiprocessing
import random
import socket
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common
from bench.common import Deadline, line

GOAL_PER_SECOND = 200
N_EVENTS = 4  # the mails are spread over a few events (the sender caches event rows per batch)
RENDER_SAMPLES = 200
FIRST = ("Anna", "Erik", "Maja", "Lars", "Åsa", "Jörgen", "Märta", "Nils", "Sofia", "Björn")
LAST = ("Lindström", "Öberg", "Nilsson", "Åkesson", "Johansson", "Grönlund", "Berg", "Sjöberg")


# --- the SMTP server (aiosmtpd), in a child process or a thread --------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Recorder:
    """aiosmtpd handler: counts connections, keeps each message's Message-ID (headers only are
    parsed), and fully parses every 100th message to check its structure."""

    def __init__(self) -> None:
        self.reset()
        self._headers = email.parser.BytesHeaderParser(policy=email.policy.compat32)

    def reset(self) -> None:
        self.connections = 0
        self.message_ids: list[str] = []
        self.octets = 0
        self.structures: list[list[str]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        content: bytes = envelope.content
        self.octets += len(content)
        headers = self._headers.parsebytes(content, headersonly=True)
        self.message_ids.append(str(headers["Message-ID"]))
        if len(self.message_ids) % 100 == 1:
            msg = email.message_from_bytes(content, policy=email.policy.default)
            parts = [part.get_content_type() for part in msg.walk()]
            png = [p for p in msg.walk() if p.get_content_type() == "image/png"]
            if png and not png[0].get_payload(decode=True).startswith(b"\x89PNG"):
                parts.append("BROKEN-PNG")
            self.structures.append(parts)
        return "250 Message accepted"

    def stats(self) -> dict[str, Any]:
        return {
            "connections": self.connections,
            "message_ids": list(self.message_ids),
            "octets": self.octets,
            "structures": list(self.structures),
            "cpu": time.process_time(),  # the server process's CPU (meaningful in process mode)
        }


def _controller(recorder: Recorder) -> Any:
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import SMTP

    class CountingSMTP(SMTP):
        def connection_made(self, transport: Any) -> None:
            recorder.connections += 1
            super().connection_made(transport)

    class CountingController(Controller):
        def factory(self) -> SMTP:
            return CountingSMTP(self.handler, **self.SMTP_kwargs)

    for _ in range(5):  # Controller(port=0) cannot work (it connects to itself to check)
        controller = CountingController(recorder, hostname="127.0.0.1", port=_free_port())
        try:
            controller.start()
        except Exception:
            continue
        return controller
    raise RuntimeError("could not start aiosmtpd on a free port")


def _server_process(conn: Any) -> None:
    """Child process: run aiosmtpd, answer 'stats' / 'reset' / 'stop' on the pipe."""
    recorder = Recorder()
    controller = _controller(recorder)
    conn.send(controller.port)
    try:
        while True:
            if not conn.poll(600):  # the parent vanished
                break
            command = conn.recv()
            if command == "stats":
                conn.send(recorder.stats())
            elif command == "reset":
                recorder.reset()
                conn.send(True)
            else:
                break
    finally:
        controller.stop()


class SmtpSink:
    """aiosmtpd on 127.0.0.1 in a child process (default) or a thread of this process."""

    def __init__(self, mode: str) -> None:
        self.mode = mode
        if mode == "process":
            ctx = multiprocessing.get_context("spawn")
            self._conn, child = ctx.Pipe()
            self._proc = ctx.Process(target=_server_process, args=(child,), daemon=True)
            self._proc.start()
            if not self._conn.poll(60):
                raise RuntimeError("the SMTP server process did not start")
            self.port: int = self._conn.recv()
        else:
            self._recorder = Recorder()
            self._ctl = _controller(self._recorder)
            self.port = self._ctl.port
        self.reset()  # forget the controller's own start-up check connection

    def _ask(self, command: str) -> Any:
        self._conn.send(command)
        if not self._conn.poll(60):
            raise RuntimeError(f"the SMTP server process did not answer {command!r}")
        return self._conn.recv()

    def reset(self) -> None:
        if self.mode == "process":
            self._ask("reset")
        else:
            self._recorder.reset()

    def stats(self) -> dict[str, Any]:
        return self._ask("stats") if self.mode == "process" else self._recorder.stats()

    def stop(self) -> None:
        if self.mode == "process":
            try:
                self._conn.send("stop")
            except OSError:
                pass
            self._proc.join(10)
            if self._proc.is_alive():
                self._proc.kill()
                self._proc.join()
        else:
            self._ctl.stop()


# --- messages ----------------------------------------------------------------------------------


class Secrets:
    """Realistic secrets: a manage link with a fresh token, a ticket code signed with the event's
    Ed25519 key (120 characters: a version 6 QR code, as in production)."""

    def __init__(self, event_ids: list[UUID]) -> None:
        from registrations import tickets

        self.keys = {e: tickets.new_keypair().private for e in event_ids}

    def make(self, event_id: UUID) -> dict[str, str]:
        from registrations import tickets
        from registrations.service import manage_url
        from traffpunkt.auth import new_secret

        code = tickets.sign(event_id, tickets.new_ticket_no(), self.keys[event_id])
        return {"manage_url": manage_url(new_secret()), "ticket_code": code}


async def enqueue_confirmations(
    n: int, event_ids: list[UUID], secrets: Secrets, rng: random.Random
) -> tuple[list[UUID], float]:
    """n `confirmed` mails, one transaction each (as sign-ups write them); (ids, seconds)."""
    from notifications import service
    from traffpunkt import db

    ids: list[UUID] = []
    t0 = time.perf_counter()
    for i in range(n):
        event_id = event_ids[i % len(event_ids)]
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        async with db.transaction():
            message_id = await service.enqueue(
                "confirmed",
                to=f"deltagare{i}.{uuid4().hex[:6]}@example.se",
                name=name,
                language="en" if i % 5 == 0 else "sv",
                event_id=event_id,
                registration_id=uuid4(),
                data={"sequence_offset": 0},
                secrets=secrets.make(event_id),
            )
        assert message_id is not None
        ids.append(message_id)
    return ids, time.perf_counter() - t0


async def drain(sender: Any, deadline: Deadline) -> tuple[int, int, float, float]:
    """run_once until the outbox is empty; (messages handled, batches, seconds, CPU seconds of
    this process: the sender, its SQLite threads and, with --smtp thread, the server)."""
    handled = batches = 0
    t0, c0 = time.perf_counter(), time.process_time()
    while not deadline.expired():
        n = await sender.run_once()
        if n == 0:
            break
        handled += n
        batches += 1
    return handled, batches, time.perf_counter() - t0, time.process_time() - c0


async def verify(
    ids: list[UUID], batches: int, sink: SmtpSink, settings: Any
) -> tuple[bool, str, dict[str, Any]]:
    """Every enqueued Message-ID arrived exactly once; the outbox agrees; one connection/batch."""
    from notifications import render
    from notifications.tables import OutboxMessage as M

    stats = sink.stats()
    received = stats["message_ids"]
    expected = {render.message_id(i, settings) for i in ids}
    problems = []
    if len(received) != len(ids):
        problems.append(f"{len(received)} messages arrived for {len(ids)} enqueued")
    if len(set(received)) != len(received):
        problems.append(f"{len(received) - len(set(received))} duplicate Message-IDs")
    if set(received) != expected:
        problems.append(
            f"{len(expected - set(received))} missing, {len(set(received) - expected)} unexpected"
        )
    rows = await M.select(M.status, M.secrets).where(M.id.is_in(ids))
    not_sent = sum(1 for r in rows if r["status"] != "sent")
    kept = sum(1 for r in rows if r["secrets"] is not None)
    if not_sent or kept or len(rows) != len(ids):
        problems.append(f"outbox: {not_sent} not sent, {kept} still hold secrets")
    if stats["connections"] != batches:
        problems.append(f"{stats['connections']} SMTP connections for {batches} batches")
    want = {"image/png", "text/calendar", "application/ics", "text/html", "text/plain"}
    for parts in stats["structures"]:
        if not want <= set(parts) or "BROKEN-PNG" in parts:
            problems.append(f"unexpected structure {parts}")
            break
    return not problems, "; ".join(problems) or "ok", stats


async def clear_outbox() -> None:
    from notifications.tables import OutboxMessage as M
    from traffpunkt import db

    async with db.transaction():
        await M.delete(force=True)


# --- render timing ----------------------------------------------------------------------------


async def render_timing(
    event_id: UUID, secrets: Secrets, settings: Any, n: int, prototype: bool
) -> None:
    import aiosmtplib.email

    from events import service as events_service
    from notifications import itip, render
    from notifications.kinds import KINDS
    from traffpunkt import qr
    from traffpunkt.clock import utc_now

    row = await events_service.event_for_mail(event_id)
    assert row is not None
    now = utc_now()

    def message(secret: dict[str, str], lang: str = "sv") -> dict[str, Any]:
        import json

        return {
            "id": uuid4(),
            "kind": "confirmed",
            "recipient": "anna.oberg@example.se",
            "recipient_name": "Anna Öberg",
            "language": lang,
            "data": json.dumps({"sequence_offset": 0}),
            "secrets": json.dumps(secret),
        }

    def timed(fn: Callable[[], Any], reps: int) -> list[float]:
        out = []
        for _ in range(reps):
            t0 = time.perf_counter()
            fn()
            out.append(time.perf_counter() - t0)
        return out

    warm_secret = secrets.make(event_id)
    warm_msg = message(warm_secret)
    for _ in range(5):  # templates compiled, QR of this code cached
        built = render.build(warm_msg, row, settings, now)
    warm = timed(lambda: render.build(warm_msg, row, settings, now), n)
    cold_msgs = iter([message(secrets.make(event_id)) for _ in range(n)])
    cold = timed(lambda: render.build(next(cold_msgs), row, settings, now), n)
    codes = iter([secrets.make(event_id)["ticket_code"] for _ in range(n)])
    qr_cold = timed(lambda: qr.png(next(codes)), n)
    kind = KINDS["confirmed"]
    parts = timed(
        lambda: render.render_parts(
            kind,
            row,
            language="sv",
            name="Anna Öberg",
            data={"sequence_offset": 0},
            secrets=warm_secret,
            settings=settings,
        ),
        n,
    )
    invite = timed(
        lambda: itip.invitation(
            row,
            method="REQUEST",
            organiser_mailbox=settings.organiser_mailbox,
            organiser_name=row["municipality_name"],
            attendee_email="anna.oberg@example.se",
            attendee_name="Anna Öberg",
            event_url=f"{settings.base_url}/events/{row['slug']}",
            sequence_offset=0,
            now=now,
        ),
        n,
    )
    flatten = timed(lambda: aiosmtplib.email.flatten_message(built), n)
    size = len(aiosmtplib.email.flatten_message(built))
    print(f"  render one `confirmed` mail (medians of {n}; the mail is {size / 1024:.1f} KiB):")
    print(line("render.build, warm QR cache", warm))
    print(line("render.build, cold QR cache (new codes)", cold))
    print(line("  of which qr.png, cold", qr_cold))
    print(line("  of which render_parts (subject, text, HTML)", parts))
    print(line("  of which itip.invitation", invite))
    print(line("flatten for SMTP (aiosmtplib, in send)", flatten))
    if not prototype:
        return
    samples = [secrets.make(event_id)["ticket_code"] for _ in range(50)]
    samples += [settings.base_url + "/r/" + uuid4().hex, "A" * 400]  # version 6+, version 13
    print(f"  prototypes A (NumPy mask choice; {check_fast_qr(samples)}) and B (header classes):")
    codes = iter([secrets.make(event_id)["ticket_code"] for _ in range(n)])
    fast_cold = timed(lambda: fast_qr_png(next(codes)), n)
    with prototypes_ab():
        render.build(warm_msg, row, settings, now)
        warm_ab = timed(lambda: render.build(warm_msg, row, settings, now), n)
        cold_msgs = iter([message(secrets.make(event_id)) for _ in range(n)])
        cold_ab = timed(lambda: render.build(next(cold_msgs), row, settings, now), n)
    print(line("render.build, warm QR cache, B", warm_ab))
    print(line("render.build, cold QR cache, A + B", cold_ab))
    print(line("  of which qr.png, cold, A", fast_cold))


# --- where a drain spends its time --------------------------------------------------------------


class Phases:
    """Wraps the functions the sender calls (module attributes, in this process only) and sums
    their wall time; one worker runs them one after another, so the sums add up to the drain."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self._undo: list[tuple[Any, str, Any]] = []

    def wrap_async(self, module: Any, name: str, label: str) -> None:
        original = getattr(module, name)

        async def wrapper(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return await original(*args, **kwargs)
            finally:
                self.seconds[label] += time.perf_counter() - t0
                self.calls[label] += 1

        self._undo.append((module, name, original))
        setattr(module, name, wrapper)

    def wrap_sync(self, module: Any, name: str, label: str) -> None:
        original = getattr(module, name)

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds[label] += time.perf_counter() - t0
                self.calls[label] += 1

        self._undo.append((module, name, original))
        setattr(module, name, wrapper)

    def undo(self) -> None:
        for module, name, original in reversed(self._undo):
            setattr(module, name, original)
        self._undo.clear()


async def phase_breakdown(
    variant: Variant, n: int, event_ids: list[UUID], secrets: Secrets, rng: Any
) -> None:
    import aiosmtplib

    from events import service as events_service
    from notifications import render, service

    ids, _ = await enqueue_confirmations(n, event_ids, secrets, rng)
    phases = Phases()
    phases.wrap_async(service, "claim", "claim (UPDATE … RETURNING + SELECT)")
    phases.wrap_async(events_service, "event_for_mail", "event row (once per event and batch)")
    phases.wrap_sync(render, "build", "render.build")
    phases.wrap_async(aiosmtplib.SMTP, "send_message", "SMTP send (flatten + DATA)")
    phases.wrap_async(aiosmtplib.SMTP, "connect", "SMTP connect (+EHLO)")
    phases.wrap_async(aiosmtplib.SMTP, "quit", "SMTP QUIT")
    phases.wrap_async(service, "mark_sent", "mark_sent (one transaction per message)")
    phases.wrap_async(sys.modules[__name__], "mark_batch_sent", "mark_batch_sent (C, per batch)")
    try:
        with variant.active():
            handled, batches, seconds, _ = await drain(variant.make(), Deadline(120))
    finally:
        phases.undo()
    assert handled == len(ids), (handled, len(ids))
    print(
        f"  where one drain of {n} spends its time, {variant.label}"
        f" ({n / seconds:,.0f} mails/s, {batches} batches):"
    )
    accounted = 0.0
    for label, sec in sorted(phases.seconds.items(), key=lambda kv: -kv[1]):
        accounted += sec
        per = sec / phases.calls[label] * 1000
        print(
            f"    {label:<44} {sec:6.2f} s  {sec / seconds:6.1%}"
            f"   {phases.calls[label]:>5} calls × {per:.2f} ms"
        )
    print(
        f"    {'rest (sender loop, json, awaits)':<44} {seconds - accounted:6.2f} s"
        f"  {(seconds - accounted) / seconds:6.1%}"
    )


async def profile_drain(
    variant: Variant,
    n: int,
    event_ids: list[UUID],
    secrets: Secrets,
    rng: Any,
    out: Path,
) -> None:
    from pyinstrument import Profiler

    await enqueue_confirmations(n, event_ids, secrets, rng)
    profiler = Profiler(interval=0.0005, async_mode="enabled")
    profiler.start()
    with variant.active():
        handled, _, seconds, _ = await drain(variant.make(), Deadline(120))
    profiler.stop()
    html = profiler.output_html()
    await asyncio.to_thread(out.write_text, html)
    print(f"  pyinstrument, one drain of {handled} ({handled / seconds:,.0f} mails/s): {out}")
    text = profiler.output_text(unicode=True, color=False, show_all=False)
    print("\n".join("    " + t for t in text.splitlines()[:60]))


# --- prototypes (bench only; nothing outside this file changes) ---------------------------------
#
# A. traffpunkt/qr.py: qrcode picks the mask by drawing the code 8 times and scoring each in pure
#    Python (~4 of the ~5.5 ms). The same choice with NumPy: draw once, XOR the 8 masks over the
#    data modules, score them vectorised (the same four ISO 18004 penalties as qrcode's
#    util.lost_point, including its ties: the first lowest wins), then draw the winner and
#    write the PNG from a NumPy bitmap. Byte-identical PNGs (checked at start-up).
# B. notifications/render.py: CPython's email.headerregistry.HeaderRegistry.__getitem__ builds
#    a new class with type() for every header set or parsed (~65 per mail); cache them.
# C. notifications/worker.py: mark the batch sent in one UPDATE after its SMTP session instead
#    of one transaction per message.

_QR_P1 = (1, 0, 1, 1, 1, 0, 1, 0, 0, 0, 0)


def _qr_runs(a: Any) -> int:
    import numpy as np

    b = np.ones((a.shape[0], a.shape[1] + 1), dtype=bool)
    b[:, 1:-1] = a[:, 1:] != a[:, :-1]
    lengths = np.diff(np.flatnonzero(b.ravel()))
    lengths = lengths[lengths >= 5]
    return int((lengths - 2).sum())


def qr_lost_point(m: Any) -> int:
    """qrcode.util.lost_point of a boolean module matrix, vectorised (same value)."""
    import numpy as np
    from numpy.lib.stride_tricks import sliding_window_view

    n = m.shape[0]
    points = _qr_runs(m) + _qr_runs(m.T)
    a = m[:-1, :-1]
    points += 3 * int(((a == m[:-1, 1:]) & (a == m[1:, :-1]) & (a == m[1:, 1:])).sum())
    p1 = np.array(_QR_P1, dtype=bool)
    for x in (m, m.T):
        w = sliding_window_view(x, 11, axis=1)
        points += 40 * int((w == p1).all(axis=2).sum() + (w == p1[::-1]).all(axis=2).sum())
    percent = float(int(m.sum())) / (n**2)
    return points + int(abs(percent * 100 - 50) / 5) * 10


_qr_layouts: dict[tuple[int, int], Any] = {}


def _qr_layout(version: int, ec: int) -> list[Any]:
    """The 8 mask patterns restricted to the data modules of a version (cached)."""
    import numpy as np
    import qrcode
    from qrcode.main import copy_2d_array, precomputed_qr_blanks

    key = (version, ec)
    if key not in _qr_layouts:
        n = version * 4 + 17
        probe = qrcode.QRCode(error_correction=ec)
        probe.version, probe.modules_count = version, n
        probe.modules = copy_2d_array(precomputed_qr_blanks[version])
        probe.setup_type_info(True, 0)
        if version >= 7:
            probe.setup_type_number(True)
        data = np.array([[c is None for c in row] for row in probe.modules])
        i, j = np.indices((n, n))
        masks = [
            (i + j) % 2 == 0,
            i % 2 == 0,
            j % 3 == 0,
            (i + j) % 3 == 0,
            (i // 2 + j // 3) % 2 == 0,
            (i * j) % 2 + (i * j) % 3 == 0,
            ((i * j) % 2 + (i * j) % 3) % 2 == 0,
            ((i * j) % 3 + (i + j) % 2) % 2 == 0,
        ]
        _qr_layouts[key] = [mask & data for mask in masks]
    return _qr_layouts[key]


def fast_qr_png(text: str, box_size: int = 8) -> bytes:
    """Prototype A: traffpunkt.qr.png with the same output, ~2.3x faster."""
    import io

    import numpy as np
    import qrcode
    from PIL import Image

    from traffpunkt import qr

    code = qrcode.QRCode(error_correction=qr._ERROR_CORRECTION, box_size=box_size, border=4)
    code.add_data(text)
    code.best_fit()
    code.makeImpl(True, 0)  # test mode: format bits blank, so masks differ only in data
    masks = _qr_layout(code.version, code.error_correction)
    unmasked = np.array(code.modules, dtype=bool) ^ masks[0]
    scores = [qr_lost_point(unmasked ^ mask) for mask in masks]
    code.makeImpl(False, scores.index(min(scores)))
    modules = np.pad(np.array(code.modules, dtype=bool), 4)
    pixels = np.repeat(np.repeat(~modules, box_size, axis=0), box_size, axis=1)
    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, format="PNG")  # mode "1", as qrcode's PilImage
    return buf.getvalue()


def check_fast_qr(samples: list[str]) -> str:
    from traffpunkt import qr

    same = sum(fast_qr_png(t) == qr.png.__wrapped__(t) for t in samples)
    return f"{same}/{len(samples)} byte-identical to traffpunkt.qr.png"


@contextlib.contextmanager
def prototypes_ab() -> Iterator[None]:
    """Prototypes A and B, in this process, while the block runs."""
    import email.headerregistry

    from traffpunkt import qr

    registry = email.headerregistry.HeaderRegistry
    stock_getitem = registry.__getitem__
    classes: dict[tuple[int, str], type] = {}

    def cached_getitem(self: Any, name: str) -> type:
        key = (id(self), name.lower())
        cls = classes.get(key)
        if cls is None:
            cls = classes[key] = stock_getitem(self, name)
        return cls

    stock_png = qr.png
    qr.png = functools.lru_cache(maxsize=4096)(fast_qr_png)  # type: ignore[assignment]
    registry.__getitem__ = cached_getitem  # type: ignore[method-assign]
    try:
        yield
    finally:
        registry.__getitem__ = stock_getitem  # type: ignore[method-assign]
        qr.png = stock_png  # type: ignore[assignment]


def batched_sender_class() -> type:
    """Prototype C: a Sender whose batch is marked sent in one UPDATE (chunks of 500 ids)
    after the SMTP session, instead of one transaction per message. Same outcome for the
    outbox; a crash between sending and marking re-sends at most one batch (same Message-IDs)
    instead of one message."""
    from notifications import service
    from notifications.worker import Sender

    class BatchedMarkSender(Sender):
        async def run_once(self) -> int:
            sent: list[UUID] = []
            stock = service.mark_sent

            async def collect(message_id: UUID, worker: str) -> None:
                sent.append(message_id)

            service.mark_sent = collect  # type: ignore[assignment]
            try:
                return await super().run_once()
            finally:
                service.mark_sent = stock  # type: ignore[assignment]
                if sent:
                    await mark_batch_sent(sent, self.worker_id)

    return BatchedMarkSender


async def mark_batch_sent(ids: list[UUID], worker: str) -> None:
    """Prototype C's one statement per batch (what notifications.queries could offer)."""
    from notifications.queries import M
    from traffpunkt import db
    from traffpunkt.clock import utc_now

    now = utc_now()
    async with db.transaction():
        for i in range(0, len(ids), 500):
            await M.update(
                {
                    M.status: "sent",
                    M.sent_at: now,
                    M.secrets: None,
                    M.claimed_until: None,
                    M.last_error: None,
                }
            ).where(M.id.is_in(ids[i : i + 500]) & (M.claimed_by == worker))


class Variant:
    """A way to drain: which Sender class, and whether prototypes A+B are active."""

    def __init__(self, label: str, make: Callable[[], Any], ab: bool) -> None:
        self.label, self.make, self.ab = label, make, ab

    @contextlib.contextmanager
    def active(self) -> Iterator[None]:
        if self.ab:
            with prototypes_ab():
                yield
        else:
            yield


# --- one engine ----------------------------------------------------------------------------------


async def bench(url: str, args: argparse.Namespace, sink: SmtpSink, deadline: Deadline) -> None:
    from notifications.worker import Sender
    from traffpunkt import db
    from traffpunkt.settings import get_settings

    engine = db.make_engine(url)
    db.bind(engine)
    await db.start(engine, 10)
    rng = random.Random(20270304)
    try:
        world = await common.seed(N_EVENTS, 0)
        event_ids = world["ids"][common.MAIN_SLUG][:N_EVENTS]
        settings = dataclasses.replace(
            get_settings(), smtp_url=f"smtp://127.0.0.1:{sink.port}?starttls=off"
        )
        secrets = Secrets(event_ids)
        await render_timing(event_ids[0], secrets, settings, args.render_samples, args.prototype)

        def sender_of(cls: type) -> Callable[[], Any]:
            return lambda: cls(settings, batch_size=args.batch_size, worker_id="bench-worker")

        variants = [Variant("Sender (as is)", sender_of(Sender), ab=False)]
        if args.prototype:
            variants.append(Variant("prototypes A+B+C", sender_of(batched_sender_class()), ab=True))

        # Warm-up drains (connections, templates, first QR codes), not measured.
        for variant in variants:
            await enqueue_confirmations(50, event_ids, secrets, rng)
            with variant.active():
                await drain(variant.make(), deadline)
        await clear_outbox()

        rates: dict[str, list[float]] = defaultdict(list)
        cpus: dict[str, list[float]] = defaultdict(list)
        server_cpus: dict[str, list[float]] = defaultdict(list)
        enqueue_rates: list[float] = []
        all_ok = True
        print(
            f"  drain {args.n} `confirmed` mails with one sender, batch size {args.batch_size}, "
            f"aiosmtpd in a {sink.mode}:"
        )
        for round_no in range(1, args.rounds + 1):
            order = variants if round_no % 2 else variants[::-1]  # interleaved
            for variant in order:
                label = variant.label
                if deadline.left() < 30:
                    print("  (budget spent; stopping)")
                    break
                sink.reset()
                server_cpu0 = sink.stats()["cpu"]
                ids, enqueue_seconds = await enqueue_confirmations(args.n, event_ids, secrets, rng)
                enqueue_rates.append(args.n / enqueue_seconds)
                with variant.active():
                    handled, batches, seconds, cpu = await drain(variant.make(), deadline)
                ok, verdict, stats = await verify(ids, batches, sink, settings)
                all_ok &= ok
                rate = handled / seconds
                rates[label].append(rate)
                cpus[label].append(cpu / handled)
                server = (stats["cpu"] - server_cpu0) / handled
                server_cpus[label].append(server)
                print(
                    f"    round {round_no} {label:<22} {rate:6.1f} mails/s ({seconds:4.1f} s); CPU"
                    f" per mail: sender {cpu / handled * 1000:.1f} ms"
                    + (f", SMTP server {server * 1000:.1f} ms" if sink.mode == "process" else "")
                    + f"; {stats['connections']} SMTP connections for {batches} batches;"
                    f" {stats['octets'] / handled / 1024:.1f} KiB/mail; check: {verdict}",
                    flush=True,
                )
                await clear_outbox()
        print(
            f"  enqueue (one transaction per mail): median {statistics.median(enqueue_rates):,.0f}"
            f" mails/s over {len(enqueue_rates)} rounds"
        )
        for label, values in rates.items():
            med = statistics.median(values)
            verdict = "ok" if med >= GOAL_PER_SECOND else "UNDER"
            cpu_ms = statistics.median(cpus[label]) * 1000
            print(
                f"  {label:<26} median {med:6.1f} mails/s (min {min(values):.1f}, max"
                f" {max(values):.1f}, n={len(values)})  goal >= {GOAL_PER_SECOND}/s: {verdict};"
                f" sender CPU {cpu_ms:.2f} ms/mail (ceiling {1000 / cpu_ms:,.0f}/s)"
                + (
                    f", server CPU {statistics.median(server_cpus[label]) * 1000:.2f} ms/mail"
                    if sink.mode == "process"
                    else ""
                )
            )
        print(f"  every round delivered each message exactly once: {'yes' if all_ok else 'NO'}")
        for variant in variants:
            if deadline.left() > 40:
                await phase_breakdown(variant, min(args.n, 1000), event_ids, secrets, rng)
                await clear_outbox()
        if args.profile and deadline.left() > 40:
            out = Path(tempfile.gettempdir()) / f"mail_bench_{common_engine_name(url)}.html"
            await profile_drain(variants[0], min(args.n, 1000), event_ids, secrets, rng, out)
            await clear_outbox()
    finally:
        await db.stop(engine)


def common_engine_name(url: str) -> str:
    return "sqlite" if url.startswith("sqlite") else "postgres"


def run(engine_name: str, args: argparse.Namespace) -> int:
    deadline = Deadline(args.budget)
    with tempfile.TemporaryDirectory(prefix="traffpunkt-bench-") as tmp:
        work_dir = Path(tmp)
        with common.scratch_database(engine_name, work_dir) as url:
            common.prepare_environment(work_dir, url)
            label = "SQLite file" if engine_name == "sqlite" else "PostgreSQL 127.0.0.1:5432"
            print(f"\n### mail — {engine_name} ({label}); {common.load_average()}", flush=True)
            sink = SmtpSink(args.smtp)
            try:
                asyncio.run(bench(url, args, sink, deadline))
            finally:
                sink.stop()
            print(f"  done; {common.load_average()}", flush=True)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--n", type=int, default=2000, help="mails per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=100, help="Sender(batch_size=…)")
    parser.add_argument("--smtp", choices=["process", "thread"], default="process")
    parser.add_argument("--render-samples", type=int, default=RENDER_SAMPLES)
    parser.add_argument(
        "--prototype", action="store_true", help="also time prototypes A+B+C (see the source)"
    )
    parser.add_argument("--profile", action="store_true", help="pyinstrument one drain")
    parser.add_argument("--budget", type=float, default=600, help="seconds per engine")
    args = parser.parse_args()
    if args.engine == "both":
        rest = [f"--n={args.n}", f"--rounds={args.rounds}", f"--batch-size={args.batch_size}"]
        rest += [f"--smtp={args.smtp}", f"--render-samples={args.render_samples}"]
        rest += [f"--budget={args.budget}"]
        rest += ["--prototype"] * args.prototype + ["--profile"] * args.profile
        return common.run_per_engine(
            Path(__file__).resolve(), list(common.ENGINES), rest, args.budget + 120
        )
    return run(args.engine, args)


if __name__ == "__main__":
    sys.exit(main())
