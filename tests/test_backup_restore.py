"""`traffpunkt backup` taken while sign-ups are being written, restored with `traffpunkt restore`
into a fresh database, on both engines: every table is there, tables nobody wrote to meanwhile
have the same rows, and the ones being written hold a consistent snapshot (each sign-up whole:
its registration, manage token and mail, or none of them)."""

from __future__ import annotations

import asyncio
import os
import secrets
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import World, _pg_admin, _pg_url
from tests.registrations.conftest import make_event, sign_up

WRITTEN = {"event", "registration", "manage_token", "outbox_message", "rate_counter"}


def _read(url: str, sql: str) -> list[tuple[Any, ...]]:
    if url.startswith("sqlite"):
        conn = sqlite3.connect(url.removeprefix("sqlite:///"))
        try:
            return [tuple(r) for r in conn.execute(sql)]
        finally:
            conn.close()
    import asyncpg

    async def fetch() -> list[tuple[Any, ...]]:
        conn = await asyncpg.connect(url)
        try:
            return [tuple(r.values()) for r in await conn.fetch(sql)]
        finally:
            await conn.close()

    return asyncio.run(fetch())


def tables(url: str) -> list[str]:
    sql = (
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        if url.startswith("sqlite")
        else "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
    )
    return sorted(r[0] for r in _read(url, sql))


def rows(url: str, table: str) -> list[tuple[Any, ...]]:
    return sorted(_read(url, f'SELECT * FROM "{table}"'), key=repr)


def counts(url: str) -> dict[str, int]:
    return {t: _read(url, f'SELECT count(*) FROM "{t}"')[0][0] for t in tables(url)}


@pytest.fixture
def restore_url(engine_name: str, tmp_path: Path) -> Iterator[str]:
    if engine_name == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.db'}"
        return
    name = f"traffpunkt_test_{secrets.token_hex(4)}"
    asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
    try:
        yield _pg_url(name)
    finally:
        asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _cli(url: str, *args: str) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "traffpunkt",
        *args,
        env={**os.environ, "TRAFFPUNKT_DATABASE_URL": url},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_backup_during_writes_restores_a_consistent_copy(
    client: httpx.AsyncClient, world: World, database_url: str, restore_url: str, tmp_path: Path
) -> None:
    event = await make_event(client, world, capacity=100_000)
    for i in range(5):
        assert (await sign_up(client, event["id"], f"before{i}@example.se")).status_code == 201
    signed_up = 5
    stop = asyncio.Event()

    async def keep_signing_up() -> None:
        nonlocal signed_up
        while not stop.is_set():
            r = await sign_up(client, event["id"], f"during{signed_up}@example.se")
            assert r.status_code == 201, r.text
            signed_up += 1
            await asyncio.sleep(0)

    writer = asyncio.create_task(keep_signing_up())
    try:
        await asyncio.sleep(0.2)
        started_at = signed_up
        code, out, err = await _cli(database_url, "backup", str(tmp_path / "traffpunkt.backup"))
        ended_at = signed_up
    finally:
        stop.set()
        await writer
    assert code == 0, err
    assert "Backup written to" in out
    assert ended_at > started_at, "no sign-up was written while the backup ran"

    code, out, err = await _cli(restore_url, "restore", str(tmp_path / "traffpunkt.backup"))
    assert code == 0, err

    source = await asyncio.to_thread(counts, database_url)
    restored = await asyncio.to_thread(counts, restore_url)
    assert set(restored) == set(source)
    for table in sorted(set(source) - WRITTEN):
        assert restored[table] == source[table], table
        want = await asyncio.to_thread(rows, database_url, table)
        assert await asyncio.to_thread(rows, restore_url, table) == want, table
    # The sign-ups: a snapshot between the backup's start and end, each one whole.
    assert started_at <= restored["registration"] <= ended_at
    assert restored["manage_token"] == restored["registration"]
    assert restored["outbox_message"] == restored["registration"]  # one confirmation each
    ((seats,),) = await asyncio.to_thread(
        _read, restore_url, f"SELECT seats_taken FROM event WHERE id = '{event['id']}'"
    )
    assert seats == restored["registration"]  # the event's seat count in the same snapshot
    # A sample of the written rows: exactly as in the source.
    for table in ("registration", "outbox_message"):
        got = await asyncio.to_thread(rows, restore_url, table)
        want = set(await asyncio.to_thread(rows, database_url, table))
        assert got and all(row in want for row in got[:: max(1, len(got) // 20)]), table


async def test_restore_refuses_what_is_not_a_backup(
    engine_name: str, restore_url: str, tmp_path: Path
) -> None:
    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"not a database at all" * 100)
    code, _, err = await _cli(restore_url, "restore", str(junk))
    assert code != 0
    assert err.strip().startswith("traffpunkt restore:"), err
    assert "Traceback" not in err
    code, _, err = await _cli(restore_url, "restore", str(tmp_path / "missing.backup"))
    assert code != 0 and "no such backup file" in err


async def test_without_pg_dump_the_message_says_what_to_install(
    engine_name: str, restore_url: str, tmp_path: Path
) -> None:
    if engine_name == "sqlite":
        pytest.skip("SQLite needs no tool")
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "traffpunkt",
        "backup",
        str(tmp_path / "x.backup"),
        env={**os.environ, "TRAFFPUNKT_DATABASE_URL": restore_url, "PATH": str(tmp_path)},
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await process.communicate()
    assert process.returncode == 1
    assert "pg_dump not found on PATH" in err.decode() and "postgresql-client" in err.decode()
