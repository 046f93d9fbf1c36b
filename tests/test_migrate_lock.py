"""Migrations run one process at a time: two `traffpunkt migrate` started together on a fresh
database both succeed and apply each migration once (PostgreSQL advisory lock, SQLite lock
file); `traffpunkt migrate --check` tells a deploy pipeline whether any are pending."""

from __future__ import annotations

import asyncio
import os
import secrets
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import _pg_admin, _pg_url
from traffpunkt import migrations


@pytest.fixture
def fresh_url(engine_name: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if engine_name == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    request.getfixturevalue("pg_database")  # skips (or fails in CI) without PostgreSQL
    name = f"traffpunkt_test_{secrets.token_hex(4)}"
    asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
    try:
        yield _pg_url(name)
    finally:
        asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _command(url: str, *args: str) -> list[str]:
    return [sys.executable, "-m", "traffpunkt", *args]


def _env(url: str) -> dict[str, str]:
    return {**os.environ, "TRAFFPUNKT_DATABASE_URL": url}


def _applied_rows(url: str) -> list[tuple[str, str]]:
    sql = 'SELECT "app_name", "name" FROM "migration"'
    if url.startswith("sqlite"):
        conn = sqlite3.connect(url.removeprefix("sqlite:///"))
        try:
            return [tuple(r) for r in conn.execute(sql)]
        finally:
            conn.close()
    import asyncpg

    async def read() -> list[tuple[str, str]]:
        conn = await asyncpg.connect(url)
        try:
            return [(r[0], r[1]) for r in await conn.fetch(sql)]
        finally:
            await conn.close()

    return asyncio.run(read())


def test_two_migrations_started_together_apply_the_schema_once(fresh_url: str) -> None:
    processes = [
        subprocess.Popen(
            _command(fresh_url, "migrate"),
            env=_env(fresh_url),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    results = [(p.wait(timeout=300), *p.communicate()) for p in processes]
    for code, out, err in results:
        assert code == 0, err
        assert "Migrations applied." in out
    rows = _applied_rows(fresh_url)
    assert sorted(rows) == sorted(migrations.shipped())  # every one, none twice


def test_migrate_check(fresh_url: str) -> None:
    def check() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            _command(fresh_url, "migrate", "--check"),
            env=_env(fresh_url),
            capture_output=True,
            text=True,
            timeout=120,
        )

    before = check()
    assert before.returncode == 1, before.stderr
    assert f"{len(migrations.shipped())} migrations pending:" in before.stdout
    app_name, first = migrations.shipped()[0]
    assert f"  {app_name} {first}" in before.stdout
    done = subprocess.run(
        _command(fresh_url, "migrate"), env=_env(fresh_url), capture_output=True, timeout=300
    )
    assert done.returncode == 0
    after = check()
    assert after.returncode == 0, after.stdout + after.stderr
    assert "Migrations are current." in after.stdout
