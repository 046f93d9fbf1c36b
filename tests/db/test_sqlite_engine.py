"""The SQLite engine's writer: statements on the loop's thread, waits off it.

SQLite-only by nature (PostgreSQL has no file lock or writer connection of ours): a writing
transaction must wait, without blocking the event loop, while another process writes the same
file (a `traffpunkt worker` next to `serve`), and a long transaction must let other requests run.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from typing import Any

import pytest
from piccolo.querystring import QueryString

from traffpunkt import db

pytestmark = pytest.mark.parametrize("engine_name", ["sqlite"])


async def _ticker(ticks: list[float], stop: asyncio.Event) -> None:
    while not stop.is_set():
        ticks.append(time.monotonic())
        await asyncio.sleep(0.01)


async def test_a_writer_waits_for_another_process_without_blocking_the_loop(engine: Any) -> None:
    await engine.run_ddl("CREATE TABLE scratch (who TEXT)")
    path = engine.connection_kwargs["database"]
    holding = threading.Event()

    def other_process() -> None:  # another connection to the file, as a worker process has
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO scratch VALUES ('other')")
        holding.set()
        time.sleep(0.5)
        conn.execute("COMMIT")
        conn.close()

    other = threading.Thread(target=other_process)
    other.start()
    assert await asyncio.to_thread(holding.wait, 5)
    ticks: list[float] = []
    stop = asyncio.Event()
    ticker = asyncio.create_task(_ticker(ticks, stop))
    started = time.monotonic()
    async with db.transaction():
        await engine.run_querystring(QueryString("INSERT INTO scratch VALUES ('us')"))
    waited = time.monotonic() - started
    stop.set()
    await ticker
    other.join(5)
    assert waited >= 0.3  # it did wait for the other writer's COMMIT ...
    assert len([t for t in ticks if t < started + waited]) >= 10  # ... and the loop ran meanwhile
    rows = await engine.run_querystring(QueryString("SELECT who FROM scratch ORDER BY rowid"))
    assert [r["who"] for r in rows] == ["other", "us"]


async def test_a_long_transaction_lets_other_requests_run(engine: Any) -> None:
    await engine.run_ddl("CREATE TABLE scratch (n INTEGER)")
    ran_between: list[int] = []
    inserted = 0

    async def other_request() -> None:
        while inserted < 300:
            ran_between.append(inserted)
            await asyncio.sleep(0)

    other = asyncio.create_task(other_request())
    await asyncio.sleep(0)
    async with db.transaction():
        for n in range(300):
            await db.hot("INSERT INTO scratch VALUES ({})", n)  # inline on the loop's thread
            inserted = n + 1
    await other
    assert any(0 < n < 300 for n in ran_between)  # it ran in the middle, not only around
    rows = await engine.run_querystring(QueryString("SELECT count(*) AS n FROM scratch"))
    assert rows[0]["n"] == 300


async def test_a_failed_statement_rolls_back_and_the_writer_goes_on(engine: Any) -> None:
    await engine.run_ddl("CREATE TABLE scratch (n INTEGER UNIQUE)")
    with pytest.raises(sqlite3.IntegrityError):
        async with db.transaction():
            await engine.run_querystring(QueryString("INSERT INTO scratch VALUES (1)"))
            await engine.run_querystring(QueryString("INSERT INTO scratch VALUES (1)"))
    async with db.transaction():
        await engine.run_querystring(QueryString("INSERT INTO scratch VALUES (2)"))
    rows = await engine.run_querystring(QueryString("SELECT n FROM scratch"))
    assert [r["n"] for r in rows] == [2]
