"""Which migrations the code ships and which the database has applied (`/readyz`,
`traffpunkt migrate --check`), and the lock that lets one process migrate at a time.

The code's migrations are the files of every Piccolo app in `piccolo_conf.APP_REGISTRY`, read
once per process (they cannot change under a running process). The database's are the rows of
Piccolo's `migration` table, read through the bound engine (`traffpunkt.db`), so an app serving
another database than the environment's (tests) asks its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import functools
import os
from collections.abc import AsyncIterator
from pathlib import Path

from traffpunkt import db

MIGRATION_LOCK_KEY = 7_272_727  # pg_advisory_lock key: one migrator at a time

Migration = tuple[str, str]  # (Piccolo app name, migration ID)


@functools.cache
def shipped() -> tuple[Migration, ...]:
    """Every migration of every app the code ships, in the order Piccolo applies them."""
    # Piccolo finds its configuration by module name; ours ships with the package.
    os.environ.setdefault("PICCOLO_CONF", "piccolo_conf")
    from piccolo.apps.migrations.commands.base import BaseMigrationManager

    finder = BaseMigrationManager()
    found: list[Migration] = []
    for module in finder.get_app_modules():
        config = module.APP_CONFIG
        modules = finder.get_migration_modules(config.resolved_migrations_folder_path)
        found.extend((config.app_name, i) for i in finder.get_migration_ids(modules))
    return tuple(found)


async def applied() -> set[Migration]:
    """The migrations recorded in the bound database (an error if it has no migration table:
    a database `traffpunkt migrate` never ran on)."""
    # A small table (one row per migration): read whole, on the loop's thread on SQLite.
    rows = await db.hot('SELECT "app_name", "name" FROM "migration"')
    return {(str(r["app_name"]), str(r["name"])) for r in rows}


async def pending() -> list[Migration]:
    """Shipped migrations the bound database has not applied, in order."""
    done = await applied()
    return [m for m in shipped() if m not in done]


# --- one migrator at a time ------------------------------------------------------------------


@contextlib.asynccontextmanager
async def migration_lock(database_url: str, sqlite_path: Path | None) -> AsyncIterator[None]:
    """Held while migrations run, so that processes starting together (several `serve` on
    several machines, `serve` and `worker`) do not both apply them: the second waits, then
    finds nothing to do.

    PostgreSQL: a session advisory lock on a connection of its own. SQLite: an exclusive
    `flock` on a lock file beside the database (Piccolo commits each migration on its own
    connection, so a `BEGIN IMMEDIATE` around them would block Piccolo itself)."""
    if sqlite_path is None:
        import asyncpg

        conn = await asyncpg.connect(database_url)
        try:
            await conn.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK_KEY)
            try:
                yield
            finally:
                await conn.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK_KEY)
        finally:
            await conn.close()
        return
    sqlite_path.parent.mkdir(parents=True, exist_ok=True)
    lock_path = sqlite_path.with_name(sqlite_path.name + ".migrate-lock")
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        # flock blocks: wait in a thread so the loop (and its signals) stays alive.
        await asyncio.to_thread(fcntl.flock, fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
