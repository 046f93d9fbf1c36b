"""The SQLite connections behind the engine: the loop's persistent writer and a small read pool.

Only public sqlite3 and aiosqlite API here (`aiosqlite.connect`, `Connection.execute_fetchall`,
`close`, `row_factory`); Piccolo's `dict_factory` makes rows look like Piccolo's own.
`tests/db/test_aiosqlite_contract.py` pins the aiosqlite behaviour relied on.
"""

from __future__ import annotations

import asyncio
import sqlite3
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, cast

import aiosqlite
from piccolo.engine.sqlite import dict_factory

from traffpunkt.db.errors import is_busy

SQLITE_BUSY_TIMEOUT_S = 30.0


def open_sqlite(connection_kwargs: dict[str, Any], **overrides: Any) -> sqlite3.Connection:
    """A plain sqlite3 connection as Piccolo opens its own (rows as dicts, foreign keys on).
    With `timeout=0` it never waits for a lock: a busy file raises at once."""
    conn: sqlite3.Connection = sqlite3.connect(**{**connection_kwargs, **overrides})
    conn.row_factory = dict_factory
    conn.execute("PRAGMA foreign_keys = 1")
    return conn


class InlineWriter:
    """This event loop's persistent connection for writing transactions, used only by the
    holder of the write lock.

    Hot statements (`prepared`, `insert_row`, `hot`: a point lookup or a one-row write) run
    right here on the loop's thread: under the lock they take microseconds (nothing is fsynced
    before COMMIT, and in WAL mode nothing else makes them wait), whereas a hop to a thread per
    statement waits behind every other request on the loop while the lock is held, and all
    writers queue behind that (measured: half of a check-in's time on SQLite at 32 clients).
    Everything else (Piccolo's queries, which may read thousands of rows), COMMIT (its fsync)
    and a BEGIN that has to wait for another process's write (a `traffpunkt worker` on the
    same file) run on one thread of the writer's own, with the busy timeout. SAVEPOINT,
    RELEASE and ROLLBACK only touch memory in WAL mode and stay inline.

    Rare stalls that remain on the loop: SQLite rebuilding the WAL index after another process
    crashed, and its own short retries when a read starts under heavy contention.
    """

    YIELD_EVERY = 64  # inline statements: a long transaction still lets other requests run
    _INLINE_VERBS = ("SAVEPO", "RELEAS", "ROLLBA")

    def __init__(self, connection_kwargs: dict[str, Any]) -> None:
        self.conn = open_sqlite(connection_kwargs, timeout=0, check_same_thread=False)
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite-writer")
        self._job: Future[Any] | None = None
        self._since_yield = 0

    async def execute(self, sql: str, args: Any = (), hot: bool = False) -> list[dict[str, Any]]:
        await self._settle()
        verb = sql.lstrip()[:6].upper()
        if verb.startswith("BEGIN"):
            try:
                return self._run(sql, args)
            except sqlite3.OperationalError as exc:
                if not is_busy(exc):
                    raise
                return await self._in_thread(sql, args)
        if not hot and verb not in self._INLINE_VERBS:
            return await self._in_thread(sql, args)
        self._since_yield += 1
        if self._since_yield >= self.YIELD_EVERY:
            self._since_yield = 0
            await asyncio.sleep(0)
        return self._run(sql, args)

    def _run(self, sql: str, args: Any) -> list[dict[str, Any]]:
        return self.conn.execute(sql, args).fetchall()

    def _run_waiting(self, sql: str, args: Any) -> list[dict[str, Any]]:
        """On the writer's thread, where waiting for a lock blocks nobody else."""
        self.conn.execute(f"PRAGMA busy_timeout = {int(SQLITE_BUSY_TIMEOUT_S * 1000)}")
        try:
            return self._run(sql, args)
        finally:
            self.conn.execute("PRAGMA busy_timeout = 0")

    async def _in_thread(self, sql: str, args: Any) -> list[dict[str, Any]]:
        self._job = self._thread.submit(self._run_waiting, sql, args)
        return await asyncio.wrap_future(self._job)

    async def _settle(self) -> None:
        """If a caller was cancelled while its statement ran on the thread, that statement
        still runs: nothing may use the connection until it has finished."""
        job = self._job
        if job is not None and not job.done():
            await asyncio.wait([asyncio.wrap_future(job)])

    async def close(self) -> None:
        await self._settle()
        self.conn.close()
        self._thread.shutdown(wait=False)


class ReadPool:
    """A few open connections for SELECTs outside transactions (one event loop's).

    Piccolo opens a connection, and a thread, per query on SQLite (~1-3 ms); reads dominate
    public traffic, so they reuse open connections instead. In WAL mode every statement sees
    the latest commit. Writes and transactions keep their own connections.
    """

    def __init__(self, connection_kwargs: dict[str, Any], size: int) -> None:
        self.connection_kwargs = connection_kwargs
        self.size = size
        self.idle: list[aiosqlite.Connection] = []
        self.all: list[aiosqlite.Connection] = []
        self.available = asyncio.Semaphore(size)

    async def run(self, sql: str, args: list[Any]) -> list[dict[str, Any]]:
        async with self.available:
            conn = self.idle.pop() if self.idle else await self._open()
            try:
                # One hop to the connection's thread (execute + fetchall + close were three).
                # The connections' row factory makes dicts (aiosqlite types rows as sqlite3.Row).
                rows = cast("list[dict[str, Any]]", list(await conn.execute_fetchall(sql, args)))
            except BaseException:
                await conn.close()
                self.all.remove(conn)
                raise
            self.idle.append(conn)
            return rows

    async def _open(self) -> aiosqlite.Connection:
        conn = await aiosqlite.connect(**self.connection_kwargs)
        conn.row_factory = dict_factory  # type: ignore[assignment]
        await conn.execute("PRAGMA foreign_keys = 1")
        self.all.append(conn)
        return conn

    async def close(self) -> None:
        for conn in self.all:
            await conn.close()
        self.all.clear()
        self.idle.clear()
