"""`/healthz` and `/readyz` (traffpunkt/health.py) on both engines: ready on a migrated
database, unready on one that was never migrated and ready once `traffpunkt migrate` ran,
unready when this process's mail sender stalls; no cookies, no personal data."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import _pg_admin, _pg_url, migrate_subprocess
from traffpunkt import db
from traffpunkt.app import app_tables, create_app
from traffpunkt.settings import get_settings


async def test_healthz_answers_without_a_cookie(client: httpx.AsyncClient) -> None:
    r = await client.get("/healthz")
    assert r.status_code == 200
    assert r.json() == {"status": "ok"}
    assert "set-cookie" not in r.headers
    assert r.headers["cache-control"] == "no-store"


async def test_readyz_on_a_migrated_database(client: httpx.AsyncClient) -> None:
    for _ in range(2):  # the second answer comes from the migrations cache
        r = await client.get("/readyz")
        assert r.status_code == 200, r.text
        assert r.json() == {
            "status": "ready",
            "checks": {"migrations": "ok", "database": "ok", "sender": "not run in this process"},
        }
        assert "set-cookie" not in r.headers


async def test_readyz_unready_when_the_sender_stalls(engine: Any) -> None:
    app = create_app(get_settings(), engine, run_worker=True)  # lifespan not run: no sender
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as c:
        assert (await c.get("/readyz")).status_code == 200  # a fresh heartbeat
        app.state["readiness"].heartbeat.last -= 120
        r = await c.get("/readyz")
    assert r.status_code == 503
    assert r.json()["status"] == "unready"
    assert r.json()["checks"]["sender"].startswith("stalled")


@pytest.fixture
def fresh_url(engine_name: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database that `traffpunkt migrate` never ran on."""
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


@pytest.fixture
async def fresh_client(fresh_url: str) -> AsyncIterator[httpx.AsyncClient]:
    eng = db.make_engine(fresh_url)
    db.bind(eng, app_tables())
    await db.start(eng, 2)
    app = create_app(get_settings(), eng)
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        ) as c:
            yield c
    finally:
        await db.stop(eng)


async def test_readyz_turns_ready_after_migrate(
    fresh_url: str, fresh_client: httpx.AsyncClient
) -> None:
    assert (await fresh_client.get("/healthz")).status_code == 200  # alive all the same
    r = await fresh_client.get("/readyz")
    assert r.status_code == 503, r.text
    assert r.json()["checks"]["migrations"] == "not applied"
    await asyncio.to_thread(migrate_subprocess, fresh_url)
    r = await fresh_client.get("/readyz")
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "ready"


async def test_readyz_counts_a_missing_migration(engine: Any) -> None:
    """A database one migration behind the code (a new version started before `migrate`)."""
    from traffpunkt import migrations

    app_name, last = migrations.shipped()[-1]
    where = f"WHERE \"app_name\" = '{app_name}' AND \"name\" = '{last}'"
    (row,) = await db.hot(f'SELECT "ran_on" FROM "migration" {where}')
    await db.hot(f'DELETE FROM "migration" {where}')
    try:
        app = create_app(get_settings(), engine)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        ) as c:
            r = await c.get("/readyz")
        assert r.status_code == 503
        assert r.json()["checks"]["migrations"] == "1 pending"
    finally:
        await db.hot(
            'INSERT INTO "migration" ("app_name", "name", "ran_on") VALUES ({}, {}, {})',
            app_name,
            last,
            row["ran_on"],
        )


def test_readyz_of_a_real_serve_with_its_sender(
    engine_name: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """`traffpunkt serve` (with its mail sender): ready, the sender's heartbeat included."""
    from tests.conftest import PG_ADMIN_URL
    from tests.live import drop_database, fresh_database, live_server

    template: Path = request.getfixturevalue("sqlite_template")
    if engine_name == "postgres":
        request.getfixturevalue("pg_database")
    url = fresh_database(engine_name, template, tmp_path, PG_ADMIN_URL)
    try:
        with live_server(url, tmp_path, worker=True) as server:
            r = httpx.get(f"{server.url}/readyz")
            assert r.status_code == 200, r.text
            assert r.json()["checks"] == {"migrations": "ok", "database": "ok", "sender": "ok"}
            assert httpx.get(f"{server.url}/healthz").json() == {"status": "ok"}
    finally:
        drop_database(url, PG_ADMIN_URL)
