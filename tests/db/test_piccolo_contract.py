"""Contract tests: every Piccolo behaviour and private attribute `traffpunkt.db` relies on.

Piccolo is pinned to one minor version (pyproject.toml). Before raising the pin, run these: a
failure names what changed, and the module to adapt (almost always `traffpunkt/db/
sqlite_engine.py`, the one module that touches Piccolo's private parts). When upstream fixes the
SQLite transaction leak (docs/upstream/piccolo-sqlite-transaction-leak.md),
`test_piccolo_still_leaks_the_connection_when_begin_fails` fails: then the BEGIN guard can go.
"""

from __future__ import annotations

import asyncio
import inspect
import sqlite3
import threading
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import piccolo
import pytest
from piccolo.columns.defaults.base import Default
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import CONVERTERS, SQLiteEngine, SQLiteTransaction, TransactionType
from piccolo.querystring import QueryString
from piccolo.utils.sql_values import convert_to_sql_value

from tests.db.scratch import DbScratch, scratch_table
from traffpunkt import db
from traffpunkt.db import conversion
from traffpunkt.db.sqlite_connections import InlineWriter
from traffpunkt.db.sqlite_engine import TraffpunktSQLiteEngine


def _aiosqlite_threads() -> set[threading.Thread]:
    """aiosqlite's connection threads that are alive (non-daemon: they keep a process alive)."""
    return {
        t
        for t in threading.enumerate()
        if "_connection_worker_thread" in t.name and t.is_alive() and not t.daemon
    }


async def _leaked(before: set[threading.Thread]) -> set[threading.Thread]:
    """aiosqlite threads started since `before` still alive after 1 s (a closed connection's
    thread ends just after `close()` returns)."""
    for _ in range(50):
        extra = _aiosqlite_threads() - before
        if not extra:
            break
        await asyncio.sleep(0.02)
    return extra


class _Recording(SQLiteEngine):
    """Piccolo's engine, keeping every connection it opens and every call into a transaction's
    connection."""

    def __init__(self, path: str, **kwargs: Any) -> None:
        super().__init__(path=path, **kwargs)
        self.opened: list[Any] = []
        self.calls: list[dict[str, Any]] = []

    async def get_connection(self) -> Any:
        conn = await super().get_connection()
        self.opened.append(conn)
        return conn

    async def _run_in_existing_connection(
        self,
        connection: Any,
        query: str,
        args: list[Any] | None = None,
        query_type: str = "generic",
        table: Any = None,
    ) -> Any:
        self.calls.append({"connection": connection, "query": query, "args": args})
        return await super()._run_in_existing_connection(
            connection, query, args, query_type=query_type, table=table
        )


@pytest.fixture
async def piccolo_engine(tmp_path: Path) -> AsyncIterator[_Recording]:
    eng = _Recording(str(tmp_path / "plain.db"), timeout=0)
    yield eng
    for conn in eng.opened:
        await conn.close()


def test_the_tested_minor_version() -> None:
    """pyproject pins this minor version; raising the pin means running this file."""
    assert piccolo.__VERSION__.startswith("1.38."), piccolo.__VERSION__


# --- SQLiteTransaction: what the BEGIN guard and the persistent writer use ----------------------


def test_sqlite_transaction_attributes_the_guard_uses() -> None:
    for name in ("engine", "context", "connection", "transaction_type", "_parent"):
        assert name in SQLiteTransaction.__slots__, name
    for name in ("_committed", "_rolled_back"):
        assert name in SQLiteTransaction.__slots__, name
    for name in ("begin", "commit", "rollback", "get_connection", "savepoint"):
        assert inspect.iscoroutinefunction(getattr(SQLiteTransaction, name)), name
    assert list(inspect.signature(SQLiteTransaction.__init__).parameters) == [
        "self",
        "engine",
        "transaction_type",
        "allow_nested",
    ]
    assert TransactionType.immediate.value == "IMMEDIATE"
    assert TransactionType.deferred.value == "DEFERRED"


async def test_sqlite_transaction_state_flags_and_nesting(piccolo_engine: _Recording) -> None:
    """`_parent` is the outer transaction of a nested one; `commit`/`rollback` set
    `_committed`/`_rolled_back`; the engine's `current_transaction` holds the open one."""
    async with piccolo_engine.transaction() as outer:
        assert outer._parent is None
        assert piccolo_engine.current_transaction.get() is outer
        inner = piccolo_engine.transaction()
        assert inner._parent is outer
        async with inner as joined:
            assert joined is outer
        assert not outer._committed and not outer._rolled_back
        await outer.commit()
        assert outer._committed
    assert piccolo_engine.current_transaction.get() is None
    async with piccolo_engine.transaction() as tx:
        await tx.rollback()
        assert tx._rolled_back


async def test_piccolo_still_leaks_the_connection_when_begin_fails(
    piccolo_engine: _Recording, tmp_path: Path
) -> None:
    """The bug the BEGIN guard exists for: a failed BEGIN leaves Piccolo's aiosqlite connection
    open, its non-daemon thread alive (a process hangs at exit). When this test fails, Piccolo
    has fixed it: drop the guard in traffpunkt/db/sqlite_engine.py."""
    await piccolo_engine.run_ddl("CREATE TABLE t (n INTEGER)")
    holder = sqlite3.connect(tmp_path / "plain.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another writer: BEGIN IMMEDIATE fails (timeout=0)
    before = _aiosqlite_threads()
    try:
        with pytest.raises(sqlite3.OperationalError):
            async with piccolo_engine.transaction(TransactionType.immediate):
                pass
        assert len(await _leaked(before)) == 1
        assert piccolo_engine.current_transaction.get() is None
    finally:
        holder.rollback()
        holder.close()


@pytest.mark.parametrize("engine_name", ["sqlite"])
@pytest.mark.parametrize("kind", [TransactionType.deferred, TransactionType.immediate])
@pytest.mark.parametrize("failing", ["begin", "commit"])
async def test_our_transaction_closes_its_connection_when_begin_or_commit_fails(
    engine: TraffpunktSQLiteEngine,
    kind: TransactionType,
    failing: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Piccolo leaves the connection open in both cases (docs/upstream/); ours does not,
    and the write lock is free again."""

    async def fail(self: SQLiteTransaction) -> None:
        raise sqlite3.OperationalError("database is locked")

    before = _aiosqlite_threads()
    monkeypatch.setattr(type(engine.transaction()), failing, fail)
    with pytest.raises(sqlite3.OperationalError):
        async with engine.transaction(kind):
            await engine.run_querystring(QueryString("SELECT 1"))
    assert await _leaked(before) == set()
    assert engine.current_transaction.get() is None
    assert not engine.write_lock().locked()
    monkeypatch.undo()
    async with db.transaction():  # the writer is reopened
        await engine.run_querystring(QueryString("SELECT 1"))


@pytest.mark.parametrize("engine_name", ["sqlite"])
async def test_piccolo_savepoints_run_on_our_writer(engine: TraffpunktSQLiteEngine) -> None:
    """Piccolo's Savepoint calls `transaction.connection.execute(sql)`: our writer's signature."""
    table = await scratch_table(engine)
    async with db.transaction() as tx:
        assert isinstance(tx.connection, InlineWriter)
        await table.insert(table(name="kept", at=datetime.now(UTC), ats=[]))
        point = await tx.savepoint()
        await table.insert(table(name="undone", at=datetime.now(UTC), ats=[]))
        await point.rollback_to()
    assert [r["name"] for r in await table.select(table.name)] == ["kept"]


# --- SQLiteEngine: the hooks overridden ----------------------------------------------------------


def test_run_in_existing_connection_signature() -> None:
    assert list(inspect.signature(SQLiteEngine._run_in_existing_connection).parameters) == [
        "self",
        "connection",
        "query",
        "args",
        "query_type",
        "table",
    ]
    assert list(inspect.signature(SQLiteEngine.run_querystring).parameters) == [
        "self",
        "querystring",
        "in_pool",
    ]


async def test_statements_in_a_transaction_go_through_run_in_existing_connection(
    piccolo_engine: _Recording,
) -> None:
    """`run_querystring` and `run_ddl` hand every statement inside a transaction, compiled, with
    the transaction's `connection`, to `_run_in_existing_connection` (our writer's way in)."""
    async with piccolo_engine.transaction() as tx:
        await piccolo_engine.run_ddl("CREATE TABLE t (n INTEGER)")
        await piccolo_engine.run_querystring(QueryString("INSERT INTO t VALUES ({})", 7))
    assert [c["connection"] for c in piccolo_engine.calls] == [tx.connection, tx.connection]
    assert piccolo_engine.calls[1]["query"] == "INSERT INTO t VALUES (?)"
    assert piccolo_engine.calls[1]["args"] == [7]


async def test_engine_members_the_layer_uses(piccolo_engine: _Recording) -> None:
    kwargs = piccolo_engine.connection_kwargs
    assert kwargs["database"] == piccolo_engine.path
    assert kwargs["isolation_level"] is None  # autocommit: BEGIN/COMMIT are ours to send
    assert kwargs["detect_types"] == sqlite3.PARSE_DECLTYPES | sqlite3.PARSE_COLNAMES
    assert kwargs["timeout"] == 0  # extra keyword arguments reach sqlite3.connect
    assert piccolo_engine.engine_type == "sqlite"
    assert piccolo_engine.log_queries is False
    assert isinstance(piccolo_engine.get_query_id(), int)
    assert "query_id" in inspect.signature(Engine.print_query).parameters
    assert "query" in inspect.signature(Engine.print_query).parameters
    assert piccolo_engine.transform_response_to_dicts([{"a": 1}]) == [{"a": 1}]
    assert piccolo_engine.current_transaction.get() is None


def test_postgres_pool_options_reach_asyncpg() -> None:
    """`db.start` passes asyncpg's `reset` through `start_connection_pool(**kwargs)`."""
    params = inspect.signature(PostgresEngine.start_connection_pool).parameters
    assert any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())
    assert "reset" in inspect.signature(asyncpg.create_pool).parameters


# --- Queries: what `prepared`, `insert_row` and `hot` build on ------------------------------------


def test_querystring_compiles_placeholders_in_order() -> None:
    qs = QueryString("a = {} AND b = {}", 1, "x")
    assert qs.compile_string(engine_type="sqlite") == ("a = ? AND b = ?", [1, "x"])
    assert qs.compile_string(engine_type="postgres") == ("a = $1 AND b = $2", [1, "x"])
    query = DbScratch.select(DbScratch.id).where(DbScratch.n == 3)
    (one,) = query.querystrings
    sql, args = one.compile_string(engine_type="sqlite")
    assert args == [3] and sql.count("?") == 1


def test_table_meta_and_value_conversion_the_layer_uses() -> None:
    meta = DbScratch._meta
    assert meta.tablename == "db_scratch"
    assert meta.primary_key._meta.db_column_name == "id"
    assert [c._meta.name for c in meta.columns] == ["id", "name", "n", "at", "ats"]
    default = DbScratch.id.get_default_value()  # a Default, as Table.__init__ resolves it
    assert isinstance(default, Default) and isinstance(default.python(), uuid.UUID)
    assert DbScratch.n.get_default_value() == 0
    assert DbScratch.at.column_type == "TIMESTAMPTZ"
    key = uuid.uuid4()
    assert convert_to_sql_value(key, DbScratch.id) == key  # the driver adapts it
    assert convert_to_sql_value(5, DbScratch.n) == 5


# --- Converters: ours replace three of Piccolo's, with the same results ---------------------------


@pytest.mark.parametrize(
    ("declared", "raw"),
    [
        ("TIMESTAMPTZ", b"2026-11-29 12:00:00.123456"),
        ("TIMESTAMPTZ", b"2026-11-29T12:00:00"),
        ("TIMESTAMPTZ", b"2026-11-29 12:00:00+00:00"),
        ("INTEGER", b"42"),
        ("INTEGER", b"-7"),
        ("INTEGER", b"1.0"),
        ("INTEGER", b"12345678901234567890"),
        ("UUID", b"0b6c1c7e-3a6f-4c55-9a43-1b3b1f2a7f11"),
    ],
)
def test_our_converters_give_what_piccolos_give(declared: str, raw: bytes) -> None:
    ours = conversion.CONVERTERS[declared](raw)
    theirs = CONVERTERS[declared](raw)
    assert ours == theirs and type(ours) is type(theirs)


def test_our_converters_are_the_registered_ones_and_only_these() -> None:
    """Process-wide: registering replaces Piccolo's for every connection (piccolo-admin's too)."""
    for name, converter in conversion.CONVERTERS.items():
        assert sqlite3.converters[name] is converter
    replaced = set(conversion.CONVERTERS)
    for name, converter in CONVERTERS.items():
        if name not in replaced:
            assert sqlite3.converters[name] is converter, name


@pytest.mark.parametrize("engine_name", ["sqlite"])
async def test_piccolo_queries_return_the_types_piccolo_expects(engine: Any) -> None:
    """What piccolo-admin (Piccolo's select/objects on our engine) reads back: aware datetimes,
    UUIDs and ints, also inside arrays of timestamps (still Piccolo's converter)."""
    table = await scratch_table(engine)
    at = datetime(2026, 11, 29, 12, 0, 0, 123456, tzinfo=UTC)
    await table.insert(table(name="a", n=3, at=at, ats=[at]))
    for row in [await table.select().first(), (await table.objects().first()).to_dict()]:
        assert row is not None
        assert isinstance(row["id"], uuid.UUID)
        assert row["n"] == 3 and type(row["n"]) is int
        assert row["at"] == at and row["at"].tzinfo is not None
        assert row["ats"] == [at]
