"""Test harness: every database test runs on SQLite (a file) and on PostgreSQL (the server).

- Each engine's schema is migrated once per run by the real `traffpunkt migrate` command in a
  subprocess; SQLite tests then get a fresh copy of that file, PostgreSQL tests a truncated
  database of their own run.
- The app is served to tests through httpx's ASGI transport on the test's own event loop (an
  asyncpg pool belongs to one loop); the `engine` fixture starts and stops the pool.
- PostgreSQL tests are skipped when no server answers, unless TRAFFPUNKT_REQUIRE_PG=1 (CI), in
  which case they fail.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

_SESSION_DIR = Path(tempfile.mkdtemp(prefix="traffpunkt-tests-"))
# Settings are read once per process: point them at the test's world before anything reads them.
# Nothing of a service's configuration may leak in (a shell that exported the README's
# TRAFFPUNKT_DATABASE_URL or SMTP URL, or a .env file): the tests would then write to that
# database or send real mail. Only the tests' own knobs are kept; the rest is set here, and set
# (not removed) so that a .env file read later cannot fill it in.
_TEST_KNOBS = {
    "TRAFFPUNKT_TEST_PG_URL",
    "TRAFFPUNKT_REQUIRE_PG",
    "TRAFFPUNKT_REQUIRE_BROWSER",
    "TRAFFPUNKT_REQUIRE_NGINX",  # tests/test_deployment.py fails instead of skipping
    "TRAFFPUNKT_CHROMIUM",
    "TRAFFPUNKT_SCREENSHOTS",  # where tests/browser/test_screenshots.py saves its pictures
}
for _name in [n for n in os.environ if n.startswith("TRAFFPUNKT_") and n not in _TEST_KNOBS]:
    del os.environ[_name]
os.environ["TRAFFPUNKT_DATA_DIR"] = str(_SESSION_DIR)
os.environ["TRAFFPUNKT_BASE_URL"] = "http://testserver"
os.environ["TRAFFPUNKT_SECRET_KEY"] = "test-secret-key-not-for-production"
os.environ["TRAFFPUNKT_SMTP_URL"] = ""  # empty: mail goes to .eml files in the session folder
os.environ["TRAFFPUNKT_MAIL_DIR"] = str(_SESSION_DIR / "mail-outbox")
os.environ["TRAFFPUNKT_DATABASE_URL"] = f"sqlite:///{_SESSION_DIR}/default.db"
os.environ["PICCOLO_CONF"] = "piccolo_conf"
# Tests sign up hundreds of people from one client address (property tests, concurrency): the
# abuse limits stay on, a hundred times the defaults; tests/test_limits.py sets its own.
os.environ.setdefault("TRAFFPUNKT_RATE_LIMITS", "100")

import logging  # noqa: E402

import httpx  # noqa: E402

logging.getLogger("httpx").setLevel(logging.WARNING)

from traffpunkt import logs  # noqa: E402

logs.install()  # test logs (printed on failures, kept by CI) are redacted as production's are

from traffpunkt import db  # noqa: E402
from traffpunkt.settings import get_settings  # noqa: E402

PG_ADMIN_URL = os.environ.get("TRAFFPUNKT_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
REQUIRE_PG = os.environ.get("TRAFFPUNKT_REQUIRE_PG") == "1"
ENGINES = ["sqlite", "postgres"]


def migrate_subprocess(url: str) -> None:
    env = {**os.environ, "TRAFFPUNKT_DATABASE_URL": url}
    result = subprocess.run(
        [sys.executable, "-m", "traffpunkt", "migrate"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if result.returncode != 0:
        raise RuntimeError(f"migrate failed for {url}:\n{result.stdout}\n{result.stderr}")


def _pg_url(dbname: str) -> str:
    base, _, _ = PG_ADMIN_URL.rpartition("/")
    return f"{base}/{dbname}"


async def _pg_admin(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_ADMIN_URL, timeout=5)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def _pg_available() -> str | None:
    """None when PostgreSQL answers, else the reason."""
    try:
        asyncio.run(_pg_admin("SELECT 1"))
    except Exception as exc:
        return f"PostgreSQL at {PG_ADMIN_URL} is not reachable: {exc}"
    return None


@pytest.fixture(scope="session")
def sqlite_template() -> Path:
    path = _SESSION_DIR / "template.db"
    migrate_subprocess(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    reason = _pg_available()
    if reason is not None:
        if REQUIRE_PG:
            pytest.fail(reason)
        pytest.skip(reason)
    name = f"traffpunkt_test_{secrets.token_hex(4)}"
    asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
    url = _pg_url(name)
    try:
        migrate_subprocess(url)
        yield url
    finally:
        asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=ENGINES)
def engine_name(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def database_url(engine_name: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if engine_name == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "test.db"
        shutil.copyfile(template, path)
        return f"sqlite:///{path}"
    return request.getfixturevalue("pg_database")


async def _truncate_pg() -> None:
    names = ", ".join(f'"{t._meta.tablename}"' for t in db.bound_tables())
    await db.engine().run_ddl(f"TRUNCATE {names} RESTART IDENTITY CASCADE")


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[Any]:
    """A bound engine with an empty, migrated schema (pool started on this test's loop)."""
    from traffpunkt.app import app_tables, wire

    wire()  # services used without an app still reach each other's listeners
    eng = db.make_engine(database_url)
    db.bind(eng, app_tables())
    await db.start(eng, 10)
    if not database_url.startswith("sqlite"):
        await _truncate_pg()
    try:
        yield eng
    finally:
        await db.stop(eng)


@pytest.fixture
async def app(engine: Any) -> AsyncIterator[Any]:
    from traffpunkt.app import create_app

    # The app's lifespan only starts and stops the engine's pool, which the `engine` fixture does
    # on this loop; entering it here would cross tasks (pytest-asyncio runs setup and teardown in
    # different tasks, and Litestar's lifespan holds an anyio cancel scope).
    yield create_app(get_settings(), engine)


@pytest.fixture
async def client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


# --- people and places ---------------------------------------------------------------------


class World:
    """Municipalities, organisers and their tokens that most tests start from."""

    admin: str
    asele: str  # organiser token for Åsele
    arvidsjaur: str  # organiser token for Arvidsjaur

    @staticmethod
    def auth(token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}


@pytest.fixture
async def world(engine: Any) -> World:
    from accounts import service as accounts
    from events import organisers, service
    from events.schemas import MunicipalityIn
    from traffpunkt.auth import Principal

    admin_id = await organisers.ensure_organiser("admin@example.se", "admin")
    admin = Principal(admin_id, "admin@example.se", "admin")
    await service.create_municipality(
        admin, MunicipalityIn(name="Åsele", slug="asele", code="2463", region="Västerbotten")
    )
    await service.create_municipality(
        admin,
        MunicipalityIn(name="Arvidsjaur", slug="arvidsjaur", code="2505", region="Norrbotten"),
    )
    w = World()
    w.admin = (await accounts.create_token(admin_id))[1]
    w.asele = (
        await accounts.create_token(
            await organisers.ensure_organiser("anna@asele.se", "organiser", "asele")
        )
    )[1]
    w.arvidsjaur = (
        await accounts.create_token(
            await organisers.ensure_organiser("olle@arvidsjaur.se", "organiser", "arvidsjaur")
        )
    )[1]
    return w


# --- a real server ---------------------------------------------------------------------------


@pytest.fixture
def live(engine_name: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    """`traffpunkt serve` in a subprocess on a fresh database of the engine under test."""
    from tests.live import drop_database, fresh_database, live_server

    template: Path = request.getfixturevalue("sqlite_template")
    if engine_name == "postgres":
        request.getfixturevalue("pg_database")  # skips (or fails in CI) without PostgreSQL
    url = fresh_database(engine_name, template, tmp_path, PG_ADMIN_URL)
    try:
        with live_server(url, tmp_path) as server:
            yield server
    finally:
        drop_database(url, PG_ADMIN_URL)
