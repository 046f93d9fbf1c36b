"""Contract tests: the aiosqlite behaviour `traffpunkt.db` relies on (public API only; pinned to
its minor version in pyproject.toml). The read pool (`ReadPool`) and Piccolo's deferred
transactions use these connections."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path

import aiosqlite
import pytest
from piccolo.engine.sqlite import dict_factory

from traffpunkt.db import is_unique_violation
from traffpunkt.db.sqlite_connections import ReadPool


def _threads() -> set[threading.Thread]:
    return {t for t in threading.enumerate() if "_connection_worker_thread" in t.name}


def test_the_tested_minor_version() -> None:
    assert aiosqlite.__version__.startswith("0.22."), aiosqlite.__version__


async def test_connect_row_factory_execute_fetchall_and_errors(tmp_path: Path) -> None:
    """`connect` takes sqlite3.connect's keywords (Piccolo's `connection_kwargs`), the
    `row_factory` setter reaches the sqlite3 connection, `execute_fetchall` is one hop, and
    SQLite's errors arrive as the sqlite3 exception itself (with its result code)."""
    conn = await aiosqlite.connect(
        database=str(tmp_path / "a.db"),
        detect_types=sqlite3.PARSE_DECLTYPES,
        isolation_level=None,
        timeout=0,
    )
    try:
        conn.row_factory = dict_factory  # type: ignore[assignment]
        await conn.execute("CREATE TABLE t (n INTEGER UNIQUE)")
        await conn.execute("INSERT INTO t VALUES (1)")
        rows = await conn.execute_fetchall("SELECT n FROM t WHERE n = ?", [1])
        assert list(rows) == [{"n": 1}]
        with pytest.raises(sqlite3.IntegrityError) as caught:
            await conn.execute("INSERT INTO t VALUES (1)")
        assert caught.value.sqlite_errorcode == sqlite3.SQLITE_CONSTRAINT_UNIQUE
        assert is_unique_violation(caught.value)
    finally:
        await conn.close()


async def test_an_open_connection_keeps_a_non_daemon_thread_until_closed(tmp_path: Path) -> None:
    """Why every connection must be closed (the BEGIN guard, `ReadPool.close`, `db.stop`): its
    thread is not a daemon, so an unclosed one keeps the process from exiting."""
    before = _threads()
    conn = await aiosqlite.connect(str(tmp_path / "a.db"))
    (thread,) = _threads() - before
    assert not thread.daemon and thread.is_alive()
    await conn.close()
    for _ in range(50):
        if not thread.is_alive():
            break
        await asyncio.sleep(0.02)
    assert not thread.is_alive()


async def test_the_read_pool_reuses_and_closes_its_connections(tmp_path: Path) -> None:
    path = str(tmp_path / "a.db")
    sqlite3.connect(path).execute("CREATE TABLE t (n INTEGER)").connection.close()
    pool = ReadPool({"database": path, "isolation_level": None}, size=2)
    before = _threads()
    for _ in range(5):
        assert await pool.run("SELECT count(*) AS c FROM t", []) == [{"c": 0}]
    assert len(pool.all) == 1  # one at a time: one connection, reused
    with pytest.raises(sqlite3.OperationalError):
        await pool.run("SELECT nothing FROM t", [])
    assert len(pool.all) == 0  # a failed connection is closed, not reused
    await pool.run("SELECT 1 AS one", [])
    await pool.close()
    for _ in range(50):
        if not _threads() - before:
            break
        await asyncio.sleep(0.02)
    assert _threads() - before == set()
