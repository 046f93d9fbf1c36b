"""Piccolo's SQLite engine and transaction, adapted: the one module that relies on Piccolo's
private behaviour (everything else in `traffpunkt.db` uses its public API).

What is overridden, and why (each pinned by `tests/db/test_piccolo_contract.py`, so that a
Piccolo upgrade that changes it fails a test, not production; pyproject pins the minor version):

- `SQLiteTransaction.__aenter__/__aexit__`, through its attributes `_parent`, `_committed`,
  `_rolled_back`, `context`, `connection` and its `begin/commit/rollback/get_connection`:
  * the BEGIN guard: Piccolo's `__aenter__` leaves its aiosqlite connection open when `BEGIN`
    fails (e.g. "database is locked"), and its `__aexit__` when COMMIT or ROLLBACK fails; that
    connection's non-daemon thread then hangs process exit. Offered upstream:
    docs/upstream/piccolo-sqlite-transaction-leak.md;
  * the write lock: writing (IMMEDIATE) transactions queue in asyncio, one at a time;
  * the persistent writer: writing transactions share the loop's one open connection
    (`InlineWriter`) instead of opening one (and a thread) each.
- `SQLiteEngine._run_in_existing_connection` (private; called by `run_querystring` and
  `run_ddl` with keyword arguments inside a transaction): runs the statement on the
  `InlineWriter`, and skips Piccolo's `PRAGMA foreign_keys = 1` before every statement (set
  once per connection instead) and its pre-3.35 RETURNING fallback (`prepare_file` requires
  SQLite >= 3.35).
- `SQLiteEngine.run_querystring` (public, overridden): SELECTs outside transactions go to a
  small pool of open connections instead of a new connection per query.
"""

from __future__ import annotations

import asyncio
import sqlite3
import weakref
from pathlib import Path
from types import TracebackType
from typing import Any, cast

import aiosqlite
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType
from piccolo.table import Table

from traffpunkt.db.errors import is_busy
from traffpunkt.db.sqlite_connections import (
    SQLITE_BUSY_TIMEOUT_S,
    InlineWriter,
    ReadPool,
    open_sqlite,
)


class _GuardedSQLiteTransaction(SQLiteTransaction):
    """BEGIN guard, write lock and, for writing transactions, the loop's persistent writer.

    Writing transactions (IMMEDIATE) run one at a time under the write lock, so one open
    connection serves them all: opening one (and its thread) per transaction cost ~1-3 ms, a
    large share of a sign-up or check-in. The writer is only touched while holding the lock.
    If BEGIN, COMMIT or ROLLBACK fails its state is unknown, so it is closed and reopened on
    next use. Deferred (read-only) transactions keep Piccolo's connection per transaction.
    """

    __slots__ = ("_holds_lock", "_persistent")

    async def __aenter__(self) -> SQLiteTransaction:
        if self._parent is not None:
            return self._parent
        engine: TraffpunktSQLiteEngine = self.engine  # type: ignore[assignment]
        self._holds_lock = False
        self._persistent = False
        if self.transaction_type is not TransactionType.deferred:
            await engine.write_lock().acquire()
            self._holds_lock = True
        try:
            if self._holds_lock:
                self.connection = await engine.writer_connection()
                self._persistent = True
                try:
                    await self.begin()  # type: ignore[no-untyped-call]  # Piccolo's, unannotated
                except BaseException:
                    await engine.drop_writer()
                    raise
            else:
                self.connection = await self.get_connection()  # type: ignore[no-untyped-call]
                try:
                    await self.begin()  # type: ignore[no-untyped-call]  # Piccolo's, unannotated
                except BaseException:
                    await self.connection.close()
                    raise
        except BaseException:
            self._release()
            raise
        self.context = self.engine.current_transaction.set(self)
        return self

    async def __aexit__(
        self,
        exception_type: type[BaseException] | None,
        exception: BaseException | None,
        traceback: TracebackType | None,
    ) -> bool:
        try:
            if self._parent is None and getattr(self, "_persistent", False):
                return await self._end_persistent(exception)
            if self._parent is not None:
                return await super().__aexit__(exception_type, exception, traceback)
            try:
                return await super().__aexit__(exception_type, exception, traceback)
            except BaseException:
                # Piccolo skips closing the connection (and resetting the context) when
                # COMMIT or ROLLBACK fails: the same leak as a failed BEGIN.
                await self.connection.close()
                self.engine.current_transaction.reset(self.context)
                raise
        finally:
            if self._parent is None:
                self._release()

    async def _end_persistent(self, exception: BaseException | None) -> bool:
        """Piccolo's __aexit__, except that the writer stays open (unless it failed)."""
        engine: TraffpunktSQLiteEngine = self.engine  # type: ignore[assignment]
        try:
            if exception:
                if not self._rolled_back:
                    await self.rollback()  # type: ignore[no-untyped-call]  # Piccolo's
            elif not self._committed and not self._rolled_back:
                await self.commit()  # type: ignore[no-untyped-call]  # Piccolo's, unannotated
        except BaseException:
            await engine.drop_writer()
            raise
        finally:
            self.engine.current_transaction.reset(self.context)
        return exception is None

    def _release(self) -> None:
        if getattr(self, "_holds_lock", False):
            self._holds_lock = False
            self.engine.write_lock().release()  # type: ignore[attr-defined]


class TraffpunktSQLiteEngine(SQLiteEngine):
    """SQLiteEngine with a busy timeout, a per-event-loop write lock, the BEGIN guard, a
    small pool of open connections for reads and one persistent writer connection."""

    __slots__ = ("_inline_readers", "_locks", "_readers", "_writers")

    # Two: measured best for the event list at 1 and 32 clients (4 threads contend for the GIL).
    READ_CONNECTIONS = 2

    def __init__(self, path: str) -> None:
        super().__init__(path=path, timeout=SQLITE_BUSY_TIMEOUT_S)
        self._locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
            weakref.WeakKeyDictionary()
        )
        self._readers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, ReadPool] = (
            weakref.WeakKeyDictionary()
        )
        self._writers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, InlineWriter] = (
            weakref.WeakKeyDictionary()
        )
        self._inline_readers: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, sqlite3.Connection
        ] = weakref.WeakKeyDictionary()

    async def _run_in_existing_connection(
        self,
        connection: aiosqlite.Connection | InlineWriter,
        query: str,
        args: list[Any] | None = None,
        query_type: str = "generic",
        table: type[Table] | None = None,
    ) -> list[dict[str, Any]]:
        """A Piccolo statement inside a transaction: on the loop's writer, on its thread (hot
        statements take `_run_hot` instead); on a deferred transaction's own connection, in
        one hop to its thread.

        Piccolo's version runs `PRAGMA foreign_keys = 1` before every statement and then
        execute + fetchall + close: four hops, which queue behind the event loop while the
        write lock is held (measured: half of a check-in's cost on SQLite). Every connection
        we hand to a transaction comes from `get_connection`, which set the PRAGMA once, and
        SQLite >= 3.35 (checked at start) has RETURNING, so Piccolo's pre-3.35 branch is moot.
        """
        if isinstance(connection, InlineWriter):
            return await connection.execute(query, args or [])
        rows = await connection.execute_fetchall(query, args or [])
        return cast("list[dict[str, Any]]", list(rows))  # the row factory makes dicts

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
                pool = self._readers[loop] = ReadPool(self.connection_kwargs, self.READ_CONNECTIONS)
            return await pool.run(sql, args)
        return await super().run_querystring(querystring, in_pool)

    async def close_readers(self) -> None:
        """Close this loop's read connections (their threads would otherwise keep the
        process alive at exit)."""
        pool = self._readers.pop(asyncio.get_running_loop(), None)
        if pool is not None:
            await pool.close()
        inline = self._inline_readers.pop(asyncio.get_running_loop(), None)
        if inline is not None:
            inline.close()

    async def writer_connection(self) -> InlineWriter:
        """This loop's connection for writing transactions; only for holders of the write lock."""
        loop = asyncio.get_running_loop()
        conn = self._writers.get(loop)
        if conn is None:
            conn = self._writers[loop] = InlineWriter(self.connection_kwargs)
        return conn

    def read_now(self, sql: str, args: list[Any]) -> list[dict[str, Any]] | None:
        """A point lookup (a `prepared` select) on this loop's own reader connection, right here
        on the loop's thread: an indexed lookup takes microseconds, less than the hand-off to a
        pooled connection's thread. None if the file is busy (then use the pool, which waits)."""
        loop = asyncio.get_running_loop()
        conn = self._inline_readers.get(loop)
        if conn is None:
            conn = self._inline_readers[loop] = open_sqlite(self.connection_kwargs, timeout=0)
        if self.log_queries:
            self.print_query(query_id=self.get_query_id(), query=sql)
        try:
            return conn.execute(sql, args).fetchall()
        except sqlite3.OperationalError as exc:
            if is_busy(exc):
                return None
            raise

    async def drop_writer(self) -> None:
        """Close this loop's writer (after a failed BEGIN/COMMIT/ROLLBACK, or at stop)."""
        conn = self._writers.pop(asyncio.get_running_loop(), None)
        if conn is not None:
            try:
                await conn.close()
            except Exception:  # already broken; a new one is opened on next use
                pass

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
        """Check the SQLite version, create the folder and switch the file to WAL (persistent,
        so once is enough)."""
        if sqlite3.sqlite_version_info < (3, 35):
            raise SystemExit(
                f"SQLite {sqlite3.sqlite_version} is too old: Träffpunkt needs 3.35 or newer "
                "(RETURNING)."
            )
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        with sqlite3.connect(self.path, timeout=SQLITE_BUSY_TIMEOUT_S) as conn:
            (mode,) = conn.execute("PRAGMA journal_mode=WAL").fetchone()
        conn.close()
        if str(mode).lower() != "wal":
            # Without WAL readers block writers and the writer's COMMIT could fail at once.
            raise SystemExit(
                f"SQLite cannot use WAL mode for {self.path} (it stays in {mode!r} mode; a "
                "network file system?). Put the database on a local disk."
            )
