"""The sender: claims due outbox messages, renders them, sends them, marks the outcome.

Runs inside `traffpunkt serve` (default) or alone as `traffpunkt worker`. Several workers may
share one PostgreSQL database (claims use FOR UPDATE SKIP LOCKED and a lease); SQLite has one.

A batch is claimed (leased), sent over one SMTP connection, and marked:

- **sent, in chunks**: accepted messages are marked `sent` MARK_EVERY at a time in one UPDATE,
  and the rest at the end of the batch (also when it ends early), instead of one transaction
  per message (which cost 1–3 ms per mail). The trade-off: if the process dies, or the
  database is lost, between the SMTP server's "250" and the chunk's UPDATE, up to one chunk
  (MARK_EVERY messages, not one) stays `sending`; when its lease expires (seconds: the lease is
  short and renewed while the batch is worked on) they are sent again with the same
  Message-IDs, so nothing is lost and copies are recognisable. The UPDATE only
  touches rows this worker still holds (`claimed_by`), as before.
- **failures one by one, at once**: a refused address or message (`failed`, with the reason),
  a 4xx or lost connection (retried with backoff), a message that cannot be rendered (`failed`,
  "cannot render: ..."; never a crash loop).
- **released**: messages not yet tried when the sender stops go back to `pending` untouched.

Rendering (~3 ms of CPU per ticket mail: HTML, text, a new QR code, the iTIP invitation, the
MIME bytes) can run in other processes (`render_processes`; TRAFFPUNKT_MAIL_RENDER_PROCESSES,
by default one per core for `traffpunkt worker` and none inside `traffpunkt serve`): a
ProcessPoolExecutor (`traffpunkt.cpu.new_pool`: spawned, created at the first batch, shut down
when `run()` ends or by `close()`; its processes run at a lower priority, so the web and this
process's SMTP dialogue come first) renders the batch's messages to bytes while this process
sends and marks them in order. A render error in a child fails that message with the reason,
as in-process; a child that dies (killed, out of memory) makes the messages it held a temporary
failure (retried with backoff: bounded, no crash loop), and after MAX_POOL_BREAKS such losses
in a row the sender renders in its own process. bench/mail_bench.py measures all of this.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import os
import socket
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures.process import BrokenProcessPool
from typing import Any
from uuid import UUID, uuid4

from events import service as events_service
from events.rows import EventRow
from notifications import render, service
from notifications.rows import OutboxRow
from notifications.transport import (
    Outgoing,
    PermanentFailure,
    TemporaryFailure,
    Transport,
    transport_for,
)
from traffpunkt import cpu, qr
from traffpunkt.clock import utc_now
from traffpunkt.settings import Settings

log = logging.getLogger("traffpunkt.mail")

MARK_EVERY = 20  # sent messages marked per UPDATE (at most this many re-sent after a crash)
MAX_POOL_BREAKS = 3


def default_render_processes() -> int:
    """For `traffpunkt worker`: one render process per core it may use; none on one core (the
    processes would only add pickling to the same core)."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cpus = os.cpu_count() or 1
    return cpus if cpus > 1 else 0


def _warm_up_render_process() -> None:
    """In each render process (after traffpunkt.cpu's setup: signals ignored, lower priority):
    the templates and the QR code path, before the first batch."""
    env = render._environment()
    env.get_template("notifications/mail.txt")
    env.get_template("notifications/mail.html")
    qr.fast_path_active()


class Sender:
    def __init__(
        self,
        settings: Settings,
        *,
        batch_size: int = 100,
        poll_seconds: float = 1.0,
        transport_factory: Callable[[], Transport] | None = None,
        worker_id: str | None = None,
        periodic: list[tuple[float, Callable[[], Awaitable[Any]]]] | None = None,
        render_processes: int | None = None,
    ) -> None:
        self.settings = settings
        self.batch_size = batch_size
        self.poll_seconds = poll_seconds
        self.transport_factory = transport_factory or (
            lambda: transport_for(settings.smtp_url, settings.mail_dir)
        )
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}:{uuid4().hex[:8]}"
        self._stop = asyncio.Event()
        # Jobs run between batches (reminder scheduling); wired by the composition (hooks).
        self.periodic = [(every, job, 0.0) for every, job in (periodic or [])]
        if render_processes is None:
            render_processes = settings.mail_render_processes or 0
        self.render_processes = max(0, render_processes)
        self._pool: concurrent.futures.ProcessPoolExecutor | None = None
        self._retiring: list[threading.Thread] = []  # pools shutting down, not yet joined
        self._pool_breaks = 0
        self._busy = False

    def describe(self) -> str:
        if self.settings.smtp_url:
            cfg = self.settings.smtp_url.split("@")[-1]
            where = f"mail is sent through {cfg}"
        else:
            where = (
                f"no TRAFFPUNKT_SMTP_URL: mail is written as .eml files to {self.settings.mail_dir}"
            )
        if self.render_processes:
            where += f"; rendered by {self.render_processes} processes"
        return where

    # --- one batch -------------------------------------------------------------------------

    async def run_once(self) -> int:
        """Send one batch; returns how many messages were handled."""
        messages = await service.claim(self.worker_id, self.batch_size)
        if not messages:
            return 0
        self._busy = True
        renders: dict[Any, concurrent.futures.Future[Outgoing]] = {}
        pending = list(messages)
        sent: list[UUID] = []
        batch_done = asyncio.Event()
        renewing = asyncio.create_task(
            self._renew_leases([m.id for m in messages], batch_done), name="mail-lease"
        )
        try:
            rows = await self._event_rows(messages)
            pool = None if self._stop.is_set() else self._render_pool()
            if pool is not None:  # rendering starts before the connection is made
                renders = self._submit(pool, messages, rows)
            async with self.transport_factory() as transport:
                while pending:
                    if self._stop.is_set():
                        break
                    message = pending.pop(0)
                    future = renders.pop(message.id, None)
                    if await self._send_one(transport, message, rows, pool, future):
                        sent.append(message.id)
                        if len(sent) >= MARK_EVERY:
                            await service.mark_sent_many(sent, self.worker_id)
                            sent.clear()
        except TemporaryFailure as exc:  # could not connect: the whole batch waits
            log.warning("mail transport unavailable: %s", exc)
            for message in pending:
                await service.mark_temporary_failure(message, self.worker_id, str(exc))
            pending = []
        finally:
            self._busy = False
            batch_done.set()  # the renewal ends between two UPDATEs, not inside a transaction
            await renewing
            for future in renders.values():  # not needed any more (stopping, no connection)
                future.cancel()
            try:
                await service.mark_sent_many(sent, self.worker_id)
            finally:
                if pending:
                    await service.release([m.id for m in pending], self.worker_id)
        return len(messages)

    async def _renew_leases(self, ids: list[Any], done: asyncio.Event) -> None:
        """While the batch is in hand, keep its claims from expiring (service.LEASE is short,
        so that the batch of a sender that died is taken over within seconds)."""
        every = service.RENEW_EVERY.total_seconds()
        while True:
            try:
                await asyncio.wait_for(done.wait(), timeout=every)
                return
            except TimeoutError:
                pass
            try:
                await service.renew(ids, self.worker_id)
            except Exception:  # the database is away: the claims may expire, nothing is lost
                log.warning("could not renew the lease of a mail batch", exc_info=True)

    async def _event_rows(self, messages: list[OutboxRow]) -> dict[str, EventRow | None]:
        rows: dict[str, EventRow | None] = {}
        for message in messages:
            if message.event is not None and (key := str(message.event)) not in rows:
                rows[key] = await events_service.event_for_mail(key)
        return rows

    def _submit(
        self,
        pool: concurrent.futures.ProcessPoolExecutor,
        messages: list[OutboxRow],
        rows: dict[str, EventRow | None],
    ) -> dict[Any, concurrent.futures.Future[Outgoing]]:
        """Start rendering the whole batch in the render processes (in claim order)."""
        renders: dict[Any, concurrent.futures.Future[Outgoing]] = {}
        for message in messages:
            row, gone = _event_row(message, rows)
            if gone:
                continue  # fails in _send_one, without a render
            try:
                renders[message.id] = pool.submit(
                    render.render_outgoing, message, row, self.settings, utc_now()
                )
            except (BrokenProcessPool, RuntimeError) as exc:  # broke while idle: render here
                log.warning("mail render processes unavailable (%s); rendering here", exc)
                self._forget_pool(pool)
                break
        return renders

    async def _send_one(
        self,
        transport: Transport,
        message: OutboxRow,
        rows: dict[str, EventRow | None],
        pool: concurrent.futures.ProcessPoolExecutor | None,
        future: concurrent.futures.Future[Outgoing] | None,
    ) -> bool:
        """Render (or collect the render of) one message and send it; True when the server
        accepted it (the caller marks it sent, in chunks); failures are marked here."""
        row, gone = _event_row(message, rows)
        try:
            if gone:
                raise LookupError("the event no longer exists")
            if future is not None:
                mail = await asyncio.wrap_future(future)
                self._pool_breaks = 0
            else:
                mail = render.render_outgoing(message, row, self.settings, utc_now())
        except BrokenProcessPool as exc:
            log.error("a mail render process died; message %s will be retried", message.id)
            self._forget_pool(pool)
            await service.mark_temporary_failure(
                message, self.worker_id, f"the render process stopped: {exc}"
            )
            return False
        except Exception as exc:  # a rendering bug must not become a crash loop
            log.exception("cannot render message %s", message.id)
            await service.mark_failed(message.id, self.worker_id, f"cannot render: {exc}")
            return False
        try:
            await transport.send_outgoing(mail)
        except PermanentFailure as exc:
            log.warning("mail %s refused permanently: %s", message.id, exc)
            await service.mark_failed(message.id, self.worker_id, str(exc))
        except TemporaryFailure as exc:
            log.info("mail %s will be retried: %s", message.id, exc)
            await service.mark_temporary_failure(message, self.worker_id, str(exc))
        else:
            return True
        return False

    # --- render processes -------------------------------------------------------------------

    def _render_pool(self) -> concurrent.futures.ProcessPoolExecutor | None:
        if self.render_processes <= 0:
            return None
        if self._pool is None:
            self._pool = cpu.new_pool(self.render_processes, _warm_up_render_process)
        return self._pool

    def _forget_pool(self, pool: concurrent.futures.ProcessPoolExecutor | None) -> None:
        """A broken pool is dropped (once); the next batch starts a new one."""
        if pool is None or pool is not self._pool:
            return
        self._retire_pool()
        self._pool_breaks += 1
        if self._pool_breaks >= MAX_POOL_BREAKS:
            log.error(
                "mail render processes died %d times in a row; rendering in this process",
                self._pool_breaks,
            )
            self.render_processes = 0

    def _retire_pool(self) -> None:
        """Stop the render processes without blocking the event loop (`close()` waits for
        them): pending renders are cancelled, running ones finish (a few ms)."""
        pool, self._pool = self._pool, None
        if pool is not None:
            self._retiring.append(cpu.retire(pool, "mail-render"))

    def close(self) -> None:
        """Stop the render processes and wait until they are gone."""
        self._retire_pool()
        while self._retiring:
            self._retiring.pop().join()

    # --- the loop ---------------------------------------------------------------------------

    async def run(self) -> None:
        """Until stop(): send batches, sleep when there is nothing to do."""
        log.info("mail sender %s started; %s", self.worker_id, self.describe())
        try:
            while not self._stop.is_set():
                await self._run_periodic()
                try:
                    handled = await self.run_once()
                except Exception:
                    log.exception("mail sender step failed; trying again shortly")
                    handled = 0
                if handled == 0:
                    try:
                        await asyncio.wait_for(self._stop.wait(), timeout=self.poll_seconds)
                    except TimeoutError:
                        pass
        finally:
            await asyncio.shield(asyncio.to_thread(self.close))

    async def _run_periodic(self) -> None:
        now = asyncio.get_running_loop().time()
        for i, (every, job, last) in enumerate(self.periodic):
            if now - last >= every:
                self.periodic[i] = (every, job, now)
                try:
                    await job()
                except Exception:
                    log.exception("periodic job %s failed", getattr(job, "__name__", job))

    def stop(self) -> None:
        """Finish the message in hand, release the rest of the batch; `run()` then returns and
        stops the render processes (at once here when no batch is running)."""
        self._stop.set()
        if not self._busy:
            self._retire_pool()


def _event_row(
    message: OutboxRow, rows: dict[str, EventRow | None]
) -> tuple[EventRow | None, bool]:
    """(the event row a message is about, or None; whether that event no longer exists)."""
    if message.event is None:
        return None, False
    row = rows.get(str(message.event))
    return row, row is None
