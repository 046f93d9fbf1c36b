"""Database engines for SQLite (embedded default) and PostgreSQL (production).

SQLite needs care to be correct under concurrent writers (../shared/DESIGN.md):
- WAL journal, a busy timeout, and `BEGIN IMMEDIATE` for transactions that read then write;
- one in-process write lock, so writers queue in asyncio instead of spinning on "locked";
- Piccolo's `SQLiteTransaction.__aenter__` leaks its aiosqlite connection (whose non-daemon
  thread then hangs process exit) when `BEGIN` fails; our transaction closes it.

Business code opens writing transactions with `transaction()` and never names an engine.
"""

from __future__ import annotations

import asyncio
import sqlite3
import uuid
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import aiosqlite
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType, dict_factory
from piccolo.table import Table

SQLITE_BUSY_TIMEOUT_S = 30.0


def _timestamptz_out(value: bytes) -> datetime:
    return datetime.fromisoformat(value.decode()).replace(tzinfo=UTC)


def _integer_out(value: bytes) -> int:
    try:
        return int(value)
    except ValueError:  # e.g. b"1.0": Piccolo's rule, without its Decimal on the common path
        return int(Decimal(value.decode()))


def _uuid_out(value: bytes) -> uuid.UUID:
    return uuid.UUID(value.decode())


# Leaner versions of Piccolo's SQLite converters, with the same results (Piccolo wraps each in
# a bytes/str dispatcher and parses every INTEGER through Decimal): ~0.6 ms less per page of
# 50 events. Registered after Piccolo's (imported above), so these are the ones in use.
sqlite3.register_converter("TIMESTAMPTZ", _timestamptz_out)
sqlite3.register_converter("INTEGER", _integer_out)
sqlite3.register_converter("UUID", _uuid_out)


class _GuardedSQLiteTransaction(SQLiteTransaction):
    __slots__ = ("_holds_lock",)

    async def __aenter__(self) -> SQLiteTransaction:
        if self._parent is not None:
            return self._parent
        engine: TraffpunktSQLiteEngine = self.engine  # type: ignore[assignment]
        self._holds_lock = False
        if self.transaction_type is not TransactionType.deferred:
            await engine.write_lock().acquire()
            self._holds_lock = True
        try:
            self.connection = await self.get_connection()
            try:
                await self.begin()
            except BaseException:
                await self.connection.close()
                raise
        except BaseException:
            self._release()
            raise
        self.context = self.engine.current_transaction.set(self)
        return self

    async def __aexit__(self, exception_type, exception, traceback) -> bool:
        try:
            return await super().__aexit__(exception_type, exception, traceback)
        finally:
            if self._parent is None:
                self._release()

    def _release(self) -> None:
        if getattr(self, "_holds_lock", False):
            self._holds_lock = False
            self.engine.write_lock().release()  # type: ignore[attr-defined]


class _ReadPool:
    """A few open connections for SELECTs outside transactions (one event loop's).

    Piccolo opens a connection, and a thread, per query on SQLite (~1-3 ms); reads dominate
    public traffic, so they reuse open connections instead. In WAL mode every statement sees
    the latest commit. Writes and transactions keep their own connections.
    """

    def __init__(self, engine: SQLiteEngine, size: int) -> None:
        self.engine = engine
        self.size = size
        self.idle: list[aiosqlite.Connection] = []
        self.all: list[aiosqlite.Connection] = []
        self.available = asyncio.Semaphore(size)

    async def run(self, sql: str, args: list[Any]) -> list[dict[str, Any]]:
        async with self.available:
            conn = self.idle.pop() if self.idle else await self._open()
            try:
                async with conn.execute(sql, args) as cursor:
                    rows = await cursor.fetchall()
            except BaseException:
                await conn.close()
                self.all.remove(conn)
                raise
            self.idle.append(conn)
            return rows

    async def _open(self) -> aiosqlite.Connection:
        conn = await aiosqlite.connect(**self.engine.connection_kwargs)
        conn.row_factory = dict_factory  # type: ignore[assignment]
        await conn.execute("PRAGMA foreign_keys = 1")
        self.all.append(conn)
        return conn

    async def close(self) -> None:
        for conn in self.all:
            await conn.close()
        self.all.clear()
        self.idle.clear()


class TraffpunktSQLiteEngine(SQLiteEngine):
    """SQLiteEngine with a busy timeout, a per-event-loop write lock, the BEGIN guard and a
    small pool of open connections for reads."""

    __slots__ = ("_locks", "_readers")

    # Two: measured best for the event list at 1 and 32 clients (4 threads contend for the GIL).
    READ_CONNECTIONS = 2

    def __init__(self, path: str) -> None:
        super().__init__(path=path, timeout=SQLITE_BUSY_TIMEOUT_S)
        self._locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
            weakref.WeakKeyDictionary()
        )
        self._readers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _ReadPool] = (
            weakref.WeakKeyDictionary()
        )

    async def run_querystring(self, querystring: Any, in_pool: bool = False) -> Any:
        if self.current_transaction.get() is None:
            sql, args = querystring.compile_string(engine_type=self.engine_type)
            if not sql.lstrip()[:6].upper() == "SELECT":
                return await super().run_querystring(querystring, in_pool)
            if self.log_queries:
                self.print_query(query_id=self.get_query_id(), query=str(querystring))
            loop = asyncio.get_running_loop()
            pool = self._readers.get(loop)
            if pool is None:
                pool = self._readers[loop] = _ReadPool(self, self.READ_CONNECTIONS)
            return await pool.run(sql, args)
        return await super().run_querystring(querystring, in_pool)

    async def close_readers(self) -> None:
        """Close this loop's read connections (their threads would otherwise keep the
        process alive at exit)."""
        pool = self._readers.pop(asyncio.get_running_loop(), None)
        if pool is not None:
            await pool.close()

    def write_lock(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        lock = self._locks.get(loop)
        if lock is None:
            lock = self._locks[loop] = asyncio.Lock()
        return lock

    def transaction(
        self,
        transaction_type: TransactionType = TransactionType.deferred,
        allow_nested: bool = True,
    ) -> SQLiteTransaction:
        return _GuardedSQLiteTransaction(
            engine=self, transaction_type=transaction_type, allow_nested=allow_nested
        )

    def prepare_file(self) -> None:
        """Create the folder and switch the file to WAL (persistent, so once is enough)."""
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        with sqlite3.connect(self.path, timeout=SQLITE_BUSY_TIMEOUT_S) as conn:
            conn.execute("PRAGMA journal_mode=WAL")
        conn.close()


def make_engine(url: str, data_dir: Path | None = None) -> Engine:
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


def app_tables() -> list[type[Table]]:
    """Every table of the four domains (in dependency order) and the back office's two."""
    from piccolo.apps.user.tables import BaseUser
    from piccolo_api.session_auth.tables import SessionsBase

    from events.piccolo_app import APP_CONFIG as events_app
    from networking.piccolo_app import APP_CONFIG as networking_app
    from notifications.piccolo_app import APP_CONFIG as notifications_app
    from registrations.piccolo_app import APP_CONFIG as registrations_app

    tables: list[type[Table]] = []
    for app in (events_app, notifications_app, registrations_app, networking_app):
        tables.extend(app.table_classes)
    return [*tables, BaseUser, SessionsBase]


_engine: Engine | None = None


def bind(engine: Engine) -> None:
    """Point every table at `engine` (the app does this once; tests switch engines with it)."""
    global _engine
    _engine = engine
    for table in app_tables():
        table._meta.db = engine


def engine() -> Engine:
    if _engine is None:
        raise RuntimeError("no database engine bound; call traffpunkt.db.bind() first")
    return _engine


def is_sqlite() -> bool:
    return isinstance(engine(), SQLiteEngine)


async def start(engine_: Engine, pool_max_size: int) -> None:
    if isinstance(engine_, PostgresEngine):
        await engine_.start_connection_pool(min_size=1, max_size=pool_max_size)
    elif isinstance(engine_, TraffpunktSQLiteEngine):
        engine_.prepare_file()


async def stop(engine_: Engine) -> None:
    if isinstance(engine_, PostgresEngine):
        await engine_.close_connection_pool()
    elif isinstance(engine_, TraffpunktSQLiteEngine):
        await engine_.close_readers()


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
