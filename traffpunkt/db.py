"""Database engines for SQLite (embedded default) and PostgreSQL (production).

SQLite needs care to be correct under concurrent writers (docs/architecture.md):
- WAL journal, a busy timeout, and `BEGIN IMMEDIATE` for transactions that read then write;
- one in-process write lock, so writers queue in asyncio instead of spinning on "locked";
- Piccolo's `SQLiteTransaction.__aenter__` leaks its aiosqlite connection (whose non-daemon
  thread then hangs process exit) when `BEGIN` fails; our transaction closes it.

Hot paths (sign-up, check-in) also skip per-call costs that Piccolo has and we measured:
opening a connection and thread per SQLite transaction (a persistent writer connection whose
statements run on the loop's thread, `_InlineWriter`; point lookups likewise, `read_now`),
and building and compiling the same query on every call (`prepared`, `insert_row`).

Business code opens writing transactions with `transaction()` and never names an engine.
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
import uuid
import weakref
from collections.abc import AsyncIterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import aiosqlite
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType, dict_factory
from piccolo.querystring import QueryString
from piccolo.table import Table
from piccolo.utils.sql_values import convert_to_sql_value

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


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


class _InlineWriter:
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
        kwargs = {**connection_kwargs, "timeout": 0, "check_same_thread": False}
        self.conn = sqlite3.connect(**kwargs)
        self.conn.row_factory = dict_factory
        self.conn.execute("PRAGMA foreign_keys = 1")
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
                if not _is_busy(exc):
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
                    await self.begin()
                except BaseException:
                    await engine.drop_writer()
                    raise
            else:
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
            if self._parent is None and getattr(self, "_persistent", False):
                return await self._end_persistent(exception)
            return await super().__aexit__(exception_type, exception, traceback)
        finally:
            if self._parent is None:
                self._release()

    async def _end_persistent(self, exception: BaseException | None) -> bool:
        """Piccolo's __aexit__, except that the writer stays open (unless it failed)."""
        engine: TraffpunktSQLiteEngine = self.engine  # type: ignore[assignment]
        try:
            if exception:
                if not self._rolled_back:
                    await self.rollback()
            elif not self._committed and not self._rolled_back:
                await self.commit()
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
                # One hop to the connection's thread (execute + fetchall + close were three).
                rows = list(await conn.execute_fetchall(sql, args))
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
        self._readers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _ReadPool] = (
            weakref.WeakKeyDictionary()
        )
        self._writers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _InlineWriter] = (
            weakref.WeakKeyDictionary()
        )
        self._inline_readers: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, sqlite3.Connection
        ] = weakref.WeakKeyDictionary()

    async def _run_in_existing_connection(
        self,
        connection: aiosqlite.Connection,
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
        if isinstance(connection, _InlineWriter):
            return await connection.execute(query, args or [])
        return list(await connection.execute_fetchall(query, args or []))

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
        inline = self._inline_readers.pop(asyncio.get_running_loop(), None)
        if inline is not None:
            inline.close()

    async def writer_connection(self) -> _InlineWriter:
        """This loop's connection for writing transactions; only for holders of the write lock."""
        loop = asyncio.get_running_loop()
        conn = self._writers.get(loop)
        if conn is None:
            conn = self._writers[loop] = _InlineWriter(self.connection_kwargs)
        return conn

    def read_now(self, sql: str, args: list[Any]) -> list[dict[str, Any]] | None:
        """A point lookup (a `prepared` select) on this loop's own reader connection, right here
        on the loop's thread: an indexed lookup takes microseconds, less than the hand-off to a
        pooled connection's thread. None if the file is busy (then use the pool, which waits)."""
        loop = asyncio.get_running_loop()
        conn = self._inline_readers.get(loop)
        if conn is None:
            conn = sqlite3.connect(**{**self.connection_kwargs, "timeout": 0})
            conn.row_factory = dict_factory
            conn.execute("PRAGMA foreign_keys = 1")
            self._inline_readers[loop] = conn
        if self.log_queries:
            self.print_query(query_id=self.get_query_id(), query=sql)
        try:
            return conn.execute(sql, args).fetchall()
        except sqlite3.OperationalError as exc:
            if _is_busy(exc):
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
    """Every table of the four domains (in dependency order), the abuse limits' counters and
    the back office's two."""
    from piccolo.apps.user.tables import BaseUser
    from piccolo_api.session_auth.tables import SessionsBase

    from events.piccolo_app import APP_CONFIG as events_app
    from networking.piccolo_app import APP_CONFIG as networking_app
    from notifications.piccolo_app import APP_CONFIG as notifications_app
    from registrations.piccolo_app import APP_CONFIG as registrations_app
    from traffpunkt.limits.piccolo_app import APP_CONFIG as limits_app

    tables: list[type[Table]] = []
    for app in (events_app, notifications_app, registrations_app, networking_app, limits_app):
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


async def _keep_session(connection: Any) -> None:
    """asyncpg's pool `reset`: nothing to do (see `start`)."""


async def start(engine_: Engine, pool_max_size: int) -> None:
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


async def stop(engine_: Engine) -> None:
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


# --- queries built once ------------------------------------------------------------------------


def as_template(sql: str, engine_type: str, n_args: int) -> str | None:
    """Compiled SQL back to a QueryString template (its placeholders become `{}` again, in
    order), so it can be rerun with new values without building the query again; None if that
    is not safe (literal braces, or placeholders that do not match the arguments)."""
    if "{" in sql or "}" in sql:
        return None
    template = sql.replace("?", "{}") if engine_type == "sqlite" else re.sub(r"\$\d+", "{}", sql)
    return template if template.count("{}") == n_args else None


class _Slot:
    """Stands in for parameter `i` while a `prepared` query is built."""

    __slots__ = ("i",)

    def __init__(self, i: int) -> None:
        self.i = i


def prepared(build: Any, first: bool = False) -> Any:
    """`build(*params)` makes a Piccolo select; it is built and compiled once per engine type
    and then rerun with new parameter values. Building and compiling a Piccolo query costs
    0.1-0.8 ms a call, a large share of a sign-up or check-in.

    Only for plain selects, and single-statement UPDATEs with RETURNING: rows come back as
    Piccolo's `select` returns them (dicts, no JSON loading, no nesting, no M2M), `first=True`
    gives the first row or None like `.first()`.
    Each parameter must be used as a plain value (e.g. `Table.col == p`), not in a list.
    For lookups by a key and one-row writes only: on SQLite they run on the event loop's thread
    (`_run_hot`), which is cheaper only if they are quick.
    """
    n = build.__code__.co_argcount
    cache: dict[str, tuple[str, list[Any], str]] = {}

    async def run(*params: Any) -> Any:
        eng = engine()
        entry = cache.get(eng.engine_type)
        if entry is None:
            query = build(*[_Slot(i) for i in range(n)])
            (qs,) = query.querystrings
            sql, args = qs.compile_string(engine_type=eng.engine_type)
            template = as_template(sql, eng.engine_type, len(args))
            if template is None:
                raise ValueError(f"cannot prepare {sql!r}")
            entry = cache[eng.engine_type] = (template, args, sql)
        template, args, sql = entry
        values = [params[a.i] if isinstance(a, _Slot) else a for a in args]
        rows = await _run_hot(eng, template, sql, values)
        if first:
            return rows[0] if rows else None
        return rows

    return run


_INSERTS: dict[tuple[type[Table], str, str], tuple[str, list[Any]]] = {}


async def insert_row(
    table: type[Table], values: dict[str, Any], conflict_target: str | None = None
) -> bool:
    """INSERT one row (missing columns get their Piccolo defaults, as `Table(**values)` gives)
    and RETURN its primary key, with the SQL built once per table and engine (Piccolo builds
    a Table instance and the SQL on every insert). With `conflict_target` (a column name),
    ON CONFLICT DO NOTHING. True if a row was inserted."""
    eng = engine()
    key = (table, eng.engine_type, conflict_target or "")
    entry = _INSERTS.get(key)
    if entry is None:
        columns = list(table._meta.columns)
        names = ", ".join(f'"{c._meta.db_column_name}"' for c in columns)
        marks = ", ".join("{}" for _ in columns)
        pk = table._meta.primary_key._meta.db_column_name
        sql = f'INSERT INTO "{table._meta.tablename}" ({names}) VALUES ({marks})'
        if conflict_target:
            sql += f' ON CONFLICT ("{conflict_target}") DO NOTHING'
        sql += f' RETURNING "{pk}"'
        entry = _INSERTS[key] = (sql, columns)
    template, columns = entry
    unknown = values.keys() - {c._meta.name for c in columns}
    if unknown:
        raise ValueError(f"unknown columns for {table._meta.tablename}: {sorted(unknown)}")
    args = [
        convert_to_sql_value(
            values[c._meta.name] if c._meta.name in values else c.get_default_value(), c
        )
        for c in columns
    ]
    # Built by us, so no literal braces or question marks: `{}` -> `?` is SQLite's form.
    rows = await _run_hot(eng, template, template.replace("{}", "?"), args)
    return bool(rows)


class Sql:
    """An SQL expression (`{}` for each of `args`) in place of a value, for `insert_select`."""

    __slots__ = ("args", "template")

    def __init__(self, template: str, *args: Any) -> None:
        self.template = template
        self.args = args


class OneOf:
    """One of several values (each a value or an `Sql`), picked as the statement runs: `pick` is
    an SQL expression that gives the index, for `insert_select`."""

    __slots__ = ("options", "pick")

    def __init__(self, pick: str, options: list[Any]) -> None:
        self.pick = pick
        self.options = options


def insert_select(table: type[Table], values: dict[str, Any], source: str) -> tuple[str, list[Any]]:
    """`INSERT INTO table (…) SELECT … FROM source`: one part of a PostgreSQL statement that
    writes several rows with values decided inside it (a data-modifying WITH). A value is a
    parameter (converted as `insert_row` does; missing columns get their Piccolo defaults; the
    column fixes its type), an `Sql` expression over `source`, or `OneOf` them. Returns
    (`{}` template, args)."""
    columns = list(table._meta.columns)
    unknown = values.keys() - {c._meta.name for c in columns}
    if unknown:
        raise ValueError(f"unknown columns for {table._meta.tablename}: {sorted(unknown)}")
    names: list[str] = []
    parts: list[str] = []
    args: list[Any] = []
    for c in columns:
        value = values[c._meta.name] if c._meta.name in values else c.get_default_value()
        names.append(f'"{c._meta.db_column_name}"')
        if isinstance(value, OneOf):
            first = value.options[0]
            if all(not isinstance(o, Sql) and o == first for o in value.options):
                value = first
            else:
                # Parameters inside CASE get no type from the column: cast them to it.
                sql = f"CASE {value.pick}"
                for i, option in enumerate(value.options):
                    if isinstance(option, Sql):
                        sql += f" WHEN {i} THEN {option.template}"
                        args.extend(option.args)
                    else:
                        sql += f" WHEN {i} THEN CAST({{}} AS {c.column_type})"
                        args.append(convert_to_sql_value(option, c))
                parts.append(sql + " END")
                continue
        if isinstance(value, Sql):
            parts.append(value.template)
            args.extend(value.args)
        else:
            parts.append("{}")
            args.append(convert_to_sql_value(value, c))
    sql = (
        f'INSERT INTO "{table._meta.tablename}" ({", ".join(names)}) '
        f"SELECT {', '.join(parts)} FROM {source}"
    )
    return sql, args


async def hot(template: str, *args: Any) -> list[dict[str, Any]]:
    """A short statement written as SQL (a point lookup or a one-row write, `{}` for each
    value, no literal braces or `?`): on SQLite it runs on the event loop's thread."""
    eng = engine()
    sql = template.replace("{}", "?") if eng.engine_type == "sqlite" else ""
    return await _run_hot(eng, template, sql, list(args))


async def _run_hot(eng: Engine, template: str, sql: str, values: list[Any]) -> list[Any]:
    """Run a short statement: on SQLite inline on the loop's thread (on the transaction's
    writer, or a SELECT on the loop's own reader), elsewhere through Piccolo. `sql` is the
    statement compiled for `eng` (used on SQLite only)."""
    if isinstance(eng, TraffpunktSQLiteEngine):
        tx = eng.current_transaction.get()
        if tx is not None and isinstance(tx.connection, _InlineWriter):
            if eng.log_queries:
                eng.print_query(query_id=eng.get_query_id(), query=sql)
            return await tx.connection.execute(sql, values, hot=True)
        if tx is None and sql.lstrip()[:6].upper() == "SELECT":
            rows = eng.read_now(sql, values)
            if rows is not None:
                return rows
    rows = await eng.run_querystring(QueryString(template, *values))
    return eng.transform_response_to_dicts(rows)
