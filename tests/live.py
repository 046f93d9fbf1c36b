"""A real `traffpunkt serve` in a subprocess, for browser tests, schemathesis and load tests.

Each live server gets its own database: a copy of the migrated SQLite template, or a new
PostgreSQL database (migrated by the server itself, as `serve` does). On exit it is stopped with
SIGTERM and must be gone within 15 s (a hang there is the Piccolo/aiosqlite thread bug).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass(frozen=True)
class LiveServer:
    url: str
    database_url: str
    data_dir: Path
    process: subprocess.Popen[bytes]

    def cli(self, *args: str) -> str:
        """Run another `traffpunkt` command against the same database; its stdout."""
        result = subprocess.run(
            [sys.executable, "-m", "traffpunkt", *args],
            env=server_env(self.database_url, self.data_dir, self.url),
            cwd=self.data_dir,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if result.returncode != 0:
            raise RuntimeError(f"traffpunkt {' '.join(args)} failed:\n{result.stderr}")
        return result.stdout


def server_env(database_url: str, data_dir: Path, base_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRAFFPUNKT_")}
    # The tests' abuse limits (conftest: 100x), so that load tests of one client are not
    # refused; a test of the limits themselves gives its own in `extra_env`.
    if "TRAFFPUNKT_RATE_LIMITS" in os.environ:
        env["TRAFFPUNKT_RATE_LIMITS"] = os.environ["TRAFFPUNKT_RATE_LIMITS"]
    env.update(
        TRAFFPUNKT_DATABASE_URL=database_url,
        TRAFFPUNKT_DATA_DIR=str(data_dir),
        TRAFFPUNKT_BASE_URL=base_url,
        TRAFFPUNKT_SECRET_KEY="live-test-secret-not-for-production-use",
        PICCOLO_CONF="piccolo_conf",
    )
    return env


@contextlib.contextmanager
def live_server(
    database_url: str,
    data_dir: Path,
    extra_env: dict[str, str] | None = None,
    worker: bool = False,
    set_base_url: bool = True,
    extra_args: tuple[str, ...] = (),
) -> Iterator[LiveServer]:
    """`traffpunkt serve` on a free port; with `worker=True` its mail sender runs too. With
    `set_base_url=False` the server derives its public address itself (no TRAFFPUNKT_BASE_URL).
    """
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**server_env(database_url, data_dir, url), **(extra_env or {})}
    if not set_base_url:
        del env["TRAFFPUNKT_BASE_URL"]
    log = open(data_dir / f"serve-{port}.log", "wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "traffpunkt",
            "serve",
            "--port",
            str(port),
            *([] if worker else ["--no-worker"]),
            *extra_args,
        ],
        env=env,
        cwd=data_dir,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"server exited: {(data_dir / log.name).read_text()}")
            try:
                if httpx.get(f"{url}/api/v1/municipalities", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("server did not start within 60 s")
            time.sleep(0.1)
        yield LiveServer(url, database_url, data_dir, process)
    finally:
        try:
            stop(process, "traffpunkt serve")
        finally:
            log.close()


def stop(process: subprocess.Popen[Any], what: str) -> None:
    """SIGTERM, as a service manager stops it; it must be gone within 15 s (else killed, and
    the test fails)."""
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        raise AssertionError(f"{what} did not stop within 15 s of SIGTERM") from None


def fresh_database(
    engine_name: str, sqlite_template: Path, work_dir: Path, pg_admin_url: str
) -> str:
    """A new, empty database URL for a live server (migrated by `serve` on start)."""
    if engine_name == "sqlite":
        path = work_dir / f"live-{secrets.token_hex(3)}.db"
        shutil.copyfile(sqlite_template, path)
        return f"sqlite:///{path}"
    import asyncio

    import asyncpg

    name = f"traffpunkt_live_{secrets.token_hex(4)}"

    async def create() -> None:
        conn = await asyncpg.connect(pg_admin_url)
        try:
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()

    asyncio.run(create())
    base, _, _ = pg_admin_url.rpartition("/")
    return f"{base}/{name}"


def drop_database(database_url: str, pg_admin_url: str) -> None:
    if database_url.startswith("sqlite"):
        return
    import asyncio

    import asyncpg

    name = database_url.rsplit("/", 1)[1]

    async def drop() -> None:
        conn = await asyncpg.connect(pg_admin_url)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()

    asyncio.run(drop())
