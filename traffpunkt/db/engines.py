"""Which engine, bound to which tables, started and stopped how; and the one way business code
opens a writing transaction (`transaction()`), on either engine."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType
from piccolo.table import Table

from traffpunkt.db.sqlite_engine import TraffpunktSQLiteEngine


def make_engine(url: str, data_dir: Path | None = None) -> Engine[Any]:
    if url.startswith("sqlite:"):
        rest = url.removeprefix("sqlite://").removeprefix("/")
        path = Path(rest)
        if not path.is_absolute():
            path = (data_dir or Path.cwd()) / path
        return TraffpunktSQLiteEngine(path=str(path))
    if url.startswith(("postgresql:", "postgres:")):
        return PostgresEngine(config={"dsn": url})
    raise SystemExit(
        f"TRAFFPUNKT_DATABASE_URL must start with sqlite:/// or postgresql://, got {url!r}"
    )


_engine: Engine[Any] | None = None
_tables: tuple[type[Table], ...] = ()


def bind(engine: Engine[Any], tables: Sequence[type[Table]] | None = None) -> None:
    """Point every table at `engine`. The composition roots hand the tables in
    (`traffpunkt.app.app_tables`: the domains' Piccolo apps, which this layer may not import);
    without `tables`, the ones bound before (tests and the lifespan switch engines so)."""
    global _engine, _tables
    if tables is not None:
        _tables = tuple(tables)
    elif not _tables:
        raise RuntimeError("no tables to bind; pass traffpunkt.app.app_tables() the first time")
    _engine = engine
    for table in _tables:
        table._meta.db = engine


def bound_tables() -> tuple[type[Table], ...]:
    """The tables of the last `bind` (the back office shows them)."""
    return _tables


def engine() -> Engine[Any]:
    if _engine is None:
        raise RuntimeError("no database engine bound; call traffpunkt.db.bind() first")
    return _engine


def is_sqlite() -> bool:
    return isinstance(engine(), SQLiteEngine)


async def _keep_session(connection: Any) -> None:
    """asyncpg's pool `reset`: nothing to do (see `start`)."""


async def start(engine_: Engine[Any], pool_max_size: int) -> None:
    if isinstance(engine_, PostgresEngine):
        # No reset query when a connection goes back to the pool: asyncpg's default sends
        # `SELECT pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL`, a second round
        # trip per query (measured: door-token auth 0.22-0.35 -> 0.13 ms CPU). Nothing here
        # keeps session state on pooled connections (no SET, LISTEN, cursors or advisory
        # locks; the migration lock has a connection of its own), and asyncpg still rolls
        # back a transaction left open.
        await engine_.start_connection_pool(min_size=1, max_size=pool_max_size, reset=_keep_session)
    elif isinstance(engine_, TraffpunktSQLiteEngine):
        engine_.prepare_file()


def pool_usage(engine_: Engine[Any]) -> tuple[int, int, int] | None:
    """(connections in use, open, maximum) of a started PostgreSQL pool; None otherwise
    (SQLite has one writer and a read connection per thread, no pool to run out of)."""
    pool = getattr(engine_, "pool", None) if isinstance(engine_, PostgresEngine) else None
    if pool is None:
        return None
    size = int(pool.get_size())
    return size - int(pool.get_idle_size()), size, int(pool.get_max_size())


async def stop(engine_: Engine[Any]) -> None:
    if isinstance(engine_, PostgresEngine):
        await engine_.close_connection_pool()
    elif isinstance(engine_, TraffpunktSQLiteEngine):
        await engine_.close_readers()
        async with engine_.write_lock():  # never under a running transaction
            await engine_.drop_writer()


@asynccontextmanager
async def transaction() -> AsyncIterator[Any]:
    """A writing transaction: BEGIN IMMEDIATE under the write lock on SQLite, plain on PG.

    Nested calls join the outer transaction (Piccolo keeps it in a context variable).
    """
    eng = engine()
    if isinstance(eng, SQLiteEngine):
        async with eng.transaction(transaction_type=TransactionType.immediate) as tx:
            yield tx
    else:
        async with eng.transaction() as tx:
            yield tx
