"""The sender: claims due outbox messages, renders them, sends them, marks the outcome.

Runs inside `traffpunkt serve` (default) or alone as `traffpunkt worker`. Several workers may
share one PostgreSQL database (claims use FOR UPDATE SKIP LOCKED and a lease); SQLite has one.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Awaitable, Callable
from typing import Any
from uuid import UUID, uuid4

from events import service as events_service
from notifications import render, service
from notifications.transport import (
    PermanentFailure,
    TemporaryFailure,
    Transport,
    transport_for,
)
from traffpunkt.clock import utc_now
from traffpunkt.settings import Settings

log = logging.getLogger("traffpunkt.mail")


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

    def describe(self) -> str:
        if self.settings.smtp_url:
            cfg = self.settings.smtp_url.split("@")[-1]
            return f"mail is sent through {cfg}"
        return f"no TRAFFPUNKT_SMTP_URL: mail is written as .eml files to {self.settings.mail_dir}"

    async def run_once(self) -> int:
        """Send one batch; returns how many messages were handled."""
        messages = await service.claim(self.worker_id, self.batch_size)
        if not messages:
            return 0
        rows: dict[str, dict[str, Any] | None] = {}
        pending = list(messages)
        try:
            async with self.transport_factory() as transport:
                while pending:
                    if self._stop.is_set():
                        break
                    message = pending.pop(0)
                    await self._send_one(transport, message, rows)
        except TemporaryFailure as exc:  # could not connect: the whole batch waits
            log.warning("mail transport unavailable: %s", exc)
            for message in pending:
                await service.mark_temporary_failure(message, self.worker_id, str(exc))
            pending = []
        finally:
            if pending:
                await service.release([m["id"] for m in pending], self.worker_id)
        return len(messages)

    async def _send_one(
        self, transport: Transport, message: dict[str, Any], rows: dict[str, dict[str, Any] | None]
    ) -> None:
        row = None
        if message["event"] is not None:
            key = str(message["event"])
            if key not in rows:
                rows[key] = await events_service.event_for_mail(key)
            row = rows[key]
        try:
            if row is None and message["event"] is not None:
                raise LookupError("the event no longer exists")
            mime = render.build(message, row, self.settings, utc_now())
        except Exception as exc:  # a rendering bug must not become a crash loop
            log.exception("cannot render message %s", message["id"])
            await service.mark_failed(message["id"], self.worker_id, f"cannot render: {exc}")
            return
        try:
            await transport.send(mime)
        except PermanentFailure as exc:
            log.warning("mail %s refused permanently: %s", message["id"], exc)
            await service.mark_failed(message["id"], self.worker_id, str(exc))
        except TemporaryFailure as exc:
            log.info("mail %s will be retried: %s", message["id"], exc)
            await service.mark_temporary_failure(message, self.worker_id, str(exc))
        else:
            await service.mark_sent(UUID(str(message["id"])), self.worker_id)

    async def run(self) -> None:
        """Until stop(): send batches, sleep when there is nothing to do."""
        log.info("mail sender %s started; %s", self.worker_id, self.describe())
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
        self._stop.set()
