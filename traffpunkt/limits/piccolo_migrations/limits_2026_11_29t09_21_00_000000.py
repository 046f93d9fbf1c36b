"""Written by hand: on PostgreSQL the counters need no WAL, so a check costs no fsync. After a
crash PostgreSQL starts an unlogged table empty, which only forgets some recent attempts; it
is not copied to standbys either (after a failover the counts start again)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-29T09:21:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "rate_counter unlogged on PostgreSQL"


async def _set(logged: bool) -> None:
    engine = engine_finder()
    if engine is not None and engine.engine_type == "postgres":
        mode = "LOGGED" if logged else "UNLOGGED"
        await engine.run_ddl(f'ALTER TABLE "rate_counter" SET {mode}')


async def _unlogged() -> None:
    await _set(logged=False)


async def _logged() -> None:
    await _set(logged=True)


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="limits", description=DESCRIPTION)
    manager.add_raw(_unlogged)
    manager.add_raw_backwards(_logged)
    return manager
