"""`GET /healthz` and `GET /readyz`, for a load balancer, systemd and monitoring.

- `/healthz`: the process answers (no database): 200 `{"status": "ok"}`. Restart it when not.
- `/readyz`: this process can serve: the database answers, every migration the code ships is
  applied, and, when this process runs the mail sender, the sender's loop has turned within
  `SENDER_STALE_AFTER` seconds. 200 `{"status": "ready", "checks": {...}}`, else 503 with
  `"status": "unready"` and the failing checks. Send no traffic to it while unready.

Both are cheap: `/readyz` asks the database one small query (the `migration` table, which also
shows the database answers), and once every migration is applied it trusts that for
`MIGRATIONS_CACHE_SECONDS` (applied migrations do not disappear; only the database's answer is
asked again). Neither says anything about people: no names, addresses, tokens or error texts
(an exception's class name at most). They are outside the abuse limits, sessions and the CSRF
check (`traffpunkt.app`).
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from litestar import MediaType, Request, Response, get

from traffpunkt import db, migrations

log = logging.getLogger("traffpunkt.health")

SENDER_STALE_AFTER = 60.0  # seconds without a turn of the sender's loop: unready
SENDER_BEAT_EVERY = 5.0  # the sender beats between batches at most this often
MIGRATIONS_CACHE_SECONDS = 10.0
DATABASE_TIMEOUT = 3.0  # seconds: a database slower than this is not ready


class Heartbeat:
    """When the mail sender of this process last turned its loop (monotonic seconds). Starts
    beating at creation, so a process just started is not unready for lack of a first beat."""

    def __init__(self) -> None:
        self.last = time.monotonic()

    async def beat(self) -> None:
        self.last = time.monotonic()

    def age(self) -> float:
        return time.monotonic() - self.last


class Readiness:
    """One app's readiness state: its sender's heartbeat (None: no sender here) and when its
    database was last seen with every migration applied."""

    def __init__(self, heartbeat: Heartbeat | None = None) -> None:
        self.heartbeat = heartbeat
        self._migrations_current_at: float | None = None

    async def check(self) -> dict[str, str]:
        checks: dict[str, str] = {}
        try:
            async with asyncio.timeout(DATABASE_TIMEOUT):
                checks["migrations"] = await self._migrations()
            checks["database"] = "ok"
        except Exception as exc:  # unreachable, slow, or never migrated (no migration table)
            self._migrations_current_at = None
            if _no_migration_table(exc):
                checks["database"], checks["migrations"] = "ok", "not applied"
            else:
                log.warning("readiness: the database check failed (%s)", type(exc).__name__)
                checks["database"] = f"error: {type(exc).__name__}"
                checks["migrations"] = "unknown"
        if self.heartbeat is None:
            checks["sender"] = "not run in this process"
        else:
            age = self.heartbeat.age()
            checks["sender"] = (
                "ok" if age <= SENDER_STALE_AFTER else f"stalled ({int(age)} s without a turn)"
            )
        return checks

    async def _migrations(self) -> str:
        fresh = self._migrations_current_at
        if fresh is not None and time.monotonic() - fresh < MIGRATIONS_CACHE_SECONDS:
            await db.hot("SELECT 1")  # the database still answers
            return "ok"
        missing = await migrations.pending()
        if missing:
            return f"{len(missing)} pending"
        self._migrations_current_at = time.monotonic()
        return "ok"


def _no_migration_table(exc: Exception) -> bool:
    """The database answered, but has no `migration` table: never migrated."""
    text = str(exc).lower()
    return "migration" in text and ("no such table" in text or "does not exist" in text)


_HEADERS = {"Cache-Control": "no-store"}


@get("/healthz", include_in_schema=False, media_type=MediaType.JSON)
async def healthz() -> Response[dict[str, str]]:
    return Response({"status": "ok"}, headers=_HEADERS)


@get("/readyz", include_in_schema=False, media_type=MediaType.JSON)
async def readyz(request: Request[Any, Any, Any]) -> Response[dict[str, Any]]:
    readiness: Readiness = request.app.state["readiness"]
    checks = await readiness.check()
    ready = all(v == "ok" or v.startswith("not run") for v in checks.values())
    return Response(
        {"status": "ready" if ready else "unready", "checks": checks},
        status_code=200 if ready else 503,
        headers=_HEADERS,
    )


ROUTES = [healthz, readyz]
