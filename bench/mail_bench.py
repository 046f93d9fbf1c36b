"""Mail benchmark: messages per second that ONE sender delivers to a local SMTP server.

For each engine (a scratch SQLite file; a scratch PostgreSQL database at 127.0.0.1:5432) this
seeds a few events, then per round:

1. enqueues N `confirmed` mails (default 2,000) through `notifications.service.enqueue`, one
   transaction per mail as a sign-up does, each with a manage link and a signed ticket code,
   so every mail renders a QR PNG and an iTIP invitation (plus the .ics attachment);
2. drains the outbox with each `notifications.worker.Sender` measured (`run_once` in a loop
   until it returns 0; by default three: rendering in its own process as `traffpunkt serve`
   does, and with 1 and 2 render processes, `traffpunkt worker`'s default on two cores; each
   Sender is kept across rounds, as a running worker keeps its render processes) against
   aiosmtpd on 127.0.0.1 (a separate process by default, so that the server's parsing does not
   share the sender's GIL; `--smtp thread` runs it in-process);
3. verifies: every enqueued Message-ID arrived exactly once (no others), the outbox says
   `sent` for all of them with secrets dropped, and the number of SMTP connections equals the
   number of batches (one connection per batch, reused for all its messages).

It prints the median messages/s over the rounds (goal >= 200/s) with the CPU per mail of the
sender, its render processes and the SMTP server, the enqueue rate, the time to render one
confirmation (`notifications.render.build`: warm QR cache, cold QR cache, and its pieces, plain
qrcode for comparison, and `render_outgoing`: what a render process does per mail), and where
one drain spends its time (claim, event lookup, render or waiting for it, SMTP send, marking
sent).

    .venv/bin/python bench/mail_bench.py [--engine sqlite|postgres|both] [--n 2000]
        [--rounds 3] [--batch-size 100] [--render-processes 0,1,2] [--profile]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import email.parser
import email.policy
import json
import multiprocessing
import os
import random
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from uuid import UUID, uuid4

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common
from bench.common import Deadline, line
from tests.live import free_port

GOAL_PER_SECOND = 200
N_EVENTS = 4  # the mails are spread over a few events (the sender caches event rows per batch)
RENDER_SAMPLES = 200
FIRST = ("Anna", "Erik", "Maja", "Lars", "Åsa", "Jörgen", "Märta", "Nils", "Sofia", "Björn")
LAST = ("Lindström", "Öberg", "Nilsson", "Åkesson", "Johansson", "Grönlund", "Berg", "Sjöberg")


# --- the SMTP server (aiosmtpd), in a child process or a thread --------------------------------


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
        controller = CountingController(recorder, hostname="127.0.0.1", port=free_port())
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


async def render_timing(event_id: UUID, secrets: Secrets, settings: Any, n: int) -> None:
    from events import service as events_service
    from notifications import itip, render
    from notifications.kinds import KINDS
    from notifications.transport import prepare
    from traffpunkt import qr
    from traffpunkt.clock import utc_now

    row = await events_service.event_for_mail(event_id)
    assert row is not None
    now = utc_now()

    def message(secret: dict[str, str], lang: str = "sv") -> SimpleNamespace:
        return SimpleNamespace(  # what render reads of an outbox row (render.Message)
            id=uuid4(),
            kind="confirmed",
            recipient="anna.oberg@example.se",
            recipient_name="Anna Öberg",
            language=lang,
            data=json.dumps({"sequence_offset": 0}),
            secrets=json.dumps(secret),
        )

    def timed(fn: Callable[[], Any], reps: int) -> list[float]:
        out = []
        for _ in range(reps):
            t0 = time.perf_counter()
            fn()
            out.append(time.perf_counter() - t0)
        return out

    def new_messages() -> Iterator[SimpleNamespace]:
        return iter([message(secrets.make(event_id)) for _ in range(n)])

    def new_codes() -> Iterator[str]:
        return iter([secrets.make(event_id)["ticket_code"] for _ in range(n)])

    warm_msg = message(secrets.make(event_id))
    for _ in range(5):  # templates compiled, QR of this code cached, calendar template made
        render.render_outgoing(warm_msg, row, settings, now)
    warm = timed(lambda: render.render_outgoing(warm_msg, row, settings, now), n)
    cold_msgs = new_messages()
    cold = timed(lambda: render.render_outgoing(next(cold_msgs), row, settings, now), n)
    codes = new_codes()
    qr_cold = timed(lambda: qr.png(next(codes)), n)
    codes = new_codes()
    qr_plain = timed(lambda: qr._plain_png(next(codes)), n)
    kind = KINDS["confirmed"]
    parts = timed(
        lambda: render.render_parts(
            kind,
            row,
            language="sv",
            name="Anna Öberg",
            data={"sequence_offset": 0},
            secrets=json.loads(warm_msg.secrets),
            settings=settings,
            now=now,
        ),
        n,
    )
    invitation_args = {
        "method": "REQUEST",
        "organiser_mailbox": settings.organiser_mailbox,
        "organiser_name": row.municipality_name,
        "event_url": f"{settings.base_url}/events/{row.slug}",
        "sequence_offset": 0,
        "now": now,
    }
    names = iter([f"Anna Öberg {i}" for i in range(n)])
    invite = timed(
        lambda: itip.invitation(
            row,
            attendee_email="anna.oberg@example.se",
            attendee_name=next(names),
            **invitation_args,
        ),
        n,
    )
    whole = timed(
        lambda: itip.build_invitation(
            row, attendee=itip._attendee("anna.oberg@example.se", "Anna Öberg"), **invitation_args
        ),
        n,
    )
    content = render._content(warm_msg, row, settings, now)
    mime = timed(lambda: render._mime(content, warm_msg, settings, now), n)
    built = render.build(warm_msg, row, settings, now)
    flatten = timed(lambda: prepare(built), n)
    size = len(render.render_outgoing(warm_msg, row, settings, now).data)
    fast = "NumPy mask choice" if qr.fast_path_active() else "FALLBACK: plain qrcode"
    print(f"  render one `confirmed` mail (medians of {n}; the mail is {size / 1024:.1f} KiB):")
    print(line("render.render_outgoing, warm QR cache", warm))
    print(line("render.render_outgoing, cold QR cache (new codes)", cold))
    print(line(f"  of which qr.png, cold ({fast})", qr_cold))
    print(line("    (plain qrcode, for comparison)", qr_plain))
    print(line("  of which render_parts (subject, text, HTML)", parts))
    print(line("  of which itip.invitation (cached per event)", invite))
    print(line("    (itip.build_invitation, the whole calendar)", whole))
    print(line("  of which MIME written directly (render._mime)", mime))
    print(line("(EmailMessage flattened: transport.prepare)", flatten))


# --- where a drain spends its time --------------------------------------------------------------


class Phases:
    """Wraps the functions the sender calls (module or class attributes, in this process only)
    and sums their wall time."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self._undo: list[tuple[Any, str, Any]] = []

    def wrap_async(self, owner: Any, name: str, label: str) -> None:
        original = getattr(owner, name)

        async def wrapper(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return await original(*args, **kwargs)
            finally:
                self.seconds[label] += time.perf_counter() - t0
                self.calls[label] += 1

        self._undo.append((owner, name, original))
        setattr(owner, name, wrapper)

    def wrap_sync(self, owner: Any, name: str, label: str) -> None:
        original = getattr(owner, name)

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds[label] += time.perf_counter() - t0
                self.calls[label] += 1

        self._undo.append((owner, name, original))
        setattr(owner, name, wrapper)

    def undo(self) -> None:
        for owner, name, original in reversed(self._undo):
            setattr(owner, name, original)
        self._undo.clear()


RENDER_HERE = "render.render_outgoing (in this process)"
SEND = "SMTP send (transport.send_outgoing)"
PER_MESSAGE = "Sender._send_one"


async def phase_breakdown(
    variant: Variant, n: int, event_ids: list[UUID], secrets: Secrets, rng: Any
) -> None:
    import aiosmtplib

    from events import service as events_service
    from notifications import render, service, transport
    from notifications.worker import Sender

    ids, _ = await enqueue_confirmations(n, event_ids, secrets, rng)
    phases = Phases()
    phases.wrap_async(service, "claim", "claim (UPDATE … RETURNING + SELECT)")
    phases.wrap_async(events_service, "event_for_mail", "event rows (once per event and batch)")
    if variant.processes == 0:  # (a wrapper could not be pickled to a render process)
        phases.wrap_sync(render, "render_outgoing", RENDER_HERE)
    phases.wrap_async(transport.SmtpTransport, "send_outgoing", SEND)
    phases.wrap_async(aiosmtplib.SMTP, "connect", "SMTP connect (+EHLO)")
    phases.wrap_async(aiosmtplib.SMTP, "quit", "SMTP QUIT")
    phases.wrap_async(service, "mark_sent_many", "mark_sent_many (one UPDATE per chunk)")
    phases.wrap_async(Sender, "_send_one", PER_MESSAGE)
    try:
        handled, batches, seconds, _ = await drain(variant.sender, Deadline(120))
    finally:
        phases.undo()
    assert handled == len(ids), (handled, len(ids))
    per_message = phases.seconds.pop(PER_MESSAGE, 0.0)
    phases.calls.pop(PER_MESSAGE, None)
    waiting = per_message - phases.seconds[RENDER_HERE] - phases.seconds[SEND]
    if variant.processes:
        phases.seconds["waiting for the render processes"] = waiting
        phases.calls["waiting for the render processes"] = handled
    print(
        f"  where one drain of {n} spends its time, {variant.label}"
        f" ({n / seconds:,.0f} mails/s, {batches} batches):"
    )
    accounted = 0.0
    for label, sec in sorted(phases.seconds.items(), key=lambda kv: -kv[1]):
        if not phases.calls[label]:
            continue
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
    handled, _, seconds, _ = await drain(variant.sender, Deadline(120))
    profiler.stop()
    html = profiler.output_html()
    await asyncio.to_thread(out.write_text, html)
    print(
        f"  pyinstrument, one drain of {handled}, {variant.label}"
        f" ({handled / seconds:,.0f} mails/s): {out}"
    )
    text = profiler.output_text(unicode=True, color=False, show_all=False)
    print("\n".join("    " + t for t in text.splitlines()[:60]))


# --- the senders measured -------------------------------------------------------------------------


class Variant:
    """One `notifications.worker.Sender`, kept for all rounds (as a running worker keeps its
    render processes), with `render_processes` = processes."""

    def __init__(self, processes: int, settings: Any, batch_size: int) -> None:
        from notifications.worker import Sender

        self.processes = processes
        self.label = (
            "Sender, rendering here"
            if processes == 0
            else f"Sender, {processes} render process{'es' if processes > 1 else ''}"
        )
        self.sender = Sender(
            settings,
            batch_size=batch_size,
            worker_id=f"bench-{processes}",
            render_processes=processes,
        )

    def render_cpu(self) -> float:
        """CPU seconds used so far by the sender's render processes (Linux /proc)."""
        pool = self.sender._pool
        if pool is None:
            return 0.0
        total = 0
        for process in list(pool._processes.values()):
            with contextlib.suppress(OSError):
                with open(f"/proc/{process.pid}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])  # utime, stime
        return total / os.sysconf("SC_CLK_TCK")


# --- one engine ----------------------------------------------------------------------------------


async def bench(url: str, args: argparse.Namespace, sink: SmtpSink, deadline: Deadline) -> None:
    from traffpunkt import db
    from traffpunkt.settings import get_settings

    engine = db.make_engine(url)
    from traffpunkt.app import app_tables

    db.bind(engine, app_tables())
    await db.start(engine, 10)
    rng = random.Random(20270304)
    variants: list[Variant] = []
    try:
        world = await common.seed(N_EVENTS, 0)
        event_ids = world["ids"][common.MAIN_SLUG][:N_EVENTS]
        settings = dataclasses.replace(
            get_settings(), smtp_url=f"smtp://127.0.0.1:{sink.port}?starttls=off"
        )
        secrets = Secrets(event_ids)
        await render_timing(event_ids[0], secrets, settings, args.render_samples)

        variants = [Variant(p, settings, args.batch_size) for p in args.render_processes]
        # Warm-up drains (render processes started, connections, templates), not measured.
        for variant in variants:
            await enqueue_confirmations(50, event_ids, secrets, rng)
            await drain(variant.sender, deadline)
        await clear_outbox()

        rates: dict[str, list[float]] = defaultdict(list)
        cpus: dict[str, list[float]] = defaultdict(list)
        render_cpus: dict[str, list[float]] = defaultdict(list)
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
                render_cpu0 = variant.render_cpu()
                handled, batches, seconds, cpu = await drain(variant.sender, deadline)
                render_cpu = (variant.render_cpu() - render_cpu0) / handled
                ok, verdict, stats = await verify(ids, batches, sink, settings)
                all_ok &= ok
                rate = handled / seconds
                rates[label].append(rate)
                cpus[label].append(cpu / handled)
                render_cpus[label].append(render_cpu)
                server = (stats["cpu"] - server_cpu0) / handled
                server_cpus[label].append(server)
                print(
                    f"    round {round_no} {label:<30} {rate:6.1f} mails/s ({seconds:4.1f} s); CPU"
                    f" per mail: sender {cpu / handled * 1000:.1f} ms"
                    + (
                        f", render processes {render_cpu * 1000:.1f} ms"
                        if variant.processes
                        else ""
                    )
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
        for variant in variants:
            label = variant.label
            values = rates[label]
            if not values:
                continue
            med = statistics.median(values)
            verdict = "ok" if med >= GOAL_PER_SECOND else "UNDER"
            cpu_ms = statistics.median(cpus[label]) * 1000
            print(
                f"  {label:<30} median {med:6.1f} mails/s (min {min(values):.1f}, max"
                f" {max(values):.1f}, n={len(values)})  goal >= {GOAL_PER_SECOND}/s: {verdict};"
                f" CPU/mail: sender {cpu_ms:.2f} ms (ceiling {1000 / cpu_ms:,.0f}/s)"
                + (
                    f", render processes {statistics.median(render_cpus[label]) * 1000:.2f} ms"
                    if variant.processes
                    else ""
                )
                + (
                    f", server {statistics.median(server_cpus[label]) * 1000:.2f} ms"
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
        for variant in variants:
            await asyncio.to_thread(variant.sender.close)
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


def process_counts(text: str) -> list[int]:
    counts = [int(part) for part in text.split(",") if part.strip()]
    if not counts or any(c < 0 for c in counts):
        raise argparse.ArgumentTypeError("a comma-separated list of counts, e.g. 0,1,2")
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--n", type=int, default=2000, help="mails per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=100, help="Sender(batch_size=…)")
    parser.add_argument(
        "--render-processes",
        type=process_counts,
        default=[0, 1, 2],
        help="the Senders to measure: Sender(render_processes=…) for each count (default 0,1,2)",
    )
    parser.add_argument("--smtp", choices=["process", "thread"], default="process")
    parser.add_argument("--render-samples", type=int, default=RENDER_SAMPLES)
    parser.add_argument("--profile", action="store_true", help="pyinstrument one drain")
    parser.add_argument("--budget", type=float, default=600, help="seconds per engine")
    args = parser.parse_args()
    if args.engine == "both":
        rest = [f"--n={args.n}", f"--rounds={args.rounds}", f"--batch-size={args.batch_size}"]
        rest += [f"--render-processes={','.join(map(str, args.render_processes))}"]
        rest += [f"--smtp={args.smtp}", f"--render-samples={args.render_samples}"]
        rest += [f"--budget={args.budget}"]
        rest += ["--profile"] * args.profile
        return common.run_per_engine(
            Path(__file__).resolve(), list(common.ENGINES), rest, args.budget + 120
        )
    return run(args.engine, args)


if __name__ == "__main__":
    sys.exit(main())
