"""The installed command: serve migrates and serves, demo loads once, token prints a token,
and the server stops on SIGTERM (checked when the `live` fixture ends)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest


def test_demo_token_and_serve(live: Any) -> None:
    assert "Loaded 13 municipalities" in live.cli("demo")
    assert "already loaded" in live.cli("demo")
    slugs = [m["slug"] for m in httpx.get(f"{live.url}/api/v1/municipalities").json()["items"]]
    # The demo's three, and the other inland localities a seminar tour can pass through.
    assert len(slugs) == 13
    assert {"asele", "arvidsjaur", "overkalix", "sorsele", "jokkmokk"} <= set(slugs)
    events = httpx.get(f"{live.url}/api/v1/events", params={"limit": 200}).json()["items"]
    assert len(events) == 13  # upcoming: 12 single events and a course series
    assert all(e["status"] == "published" for e in events)
    token = live.cli("token", "create", "--email", "Boss@Example.se", "--role", "admin").split()[-1]
    r = httpx.post(
        f"{live.url}/api/v1/municipalities",
        json={"name": "Kiruna", "slug": "kiruna", "code": "2584"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert r.status_code == 201, r.text


def test_worker_renders_in_processes_and_stops_on_sigterm(live: Any) -> None:
    """`traffpunkt worker` with render processes sends mail (here as .eml files, no SMTP URL)
    and, on SIGTERM, stops within 15 s and leaves no process behind."""
    import subprocess
    import sys
    import time

    from tests.live import server_env, stop

    live.cli("demo")
    events = httpx.get(f"{live.url}/api/v1/events", params={"limit": 200}).json()["items"]
    open_events = [e for e in events if e["registration_open"]]
    for i in range(5):
        r = httpx.post(
            f"{live.url}/api/v1/events/{open_events[0]['id']}/registrations",
            json={"name": f"Åsa Öberg {i}", "email": f"asa{i}@example.se"},
        )
        assert r.status_code == 201, r.text
    env = {
        **server_env(live.database_url, live.data_dir, live.url),
        "TRAFFPUNKT_MAIL_RENDER_PROCESSES": "2",
    }
    log = live.data_dir / "worker.log"
    with open(log, "wb") as out:
        worker = subprocess.Popen(
            [sys.executable, "-m", "traffpunkt", "worker"],
            env=env,
            cwd=live.data_dir,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    outbox = live.data_dir / "mail-outbox"
    try:
        deadline = time.monotonic() + 60
        while len(list(outbox.glob("*.eml"))) < 5:
            assert worker.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
        children = _children(worker.pid)
        assert len(children) >= 2, log.read_text()  # the render processes (and a tracker)
    finally:
        stop(worker, "traffpunkt worker")
    assert worker.returncode == 0, log.read_text()
    assert "rendered by 2 processes" in log.read_text()
    time.sleep(0.5)
    assert [pid for pid in children if _alive(pid)] == []
    assert "Traceback" not in log.read_text(), log.read_text()


def _children(pid: int) -> list[int]:
    from pathlib import Path

    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    from pathlib import Path

    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.fixture
def live_without_base_url(
    engine_name: str, request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[Any]:
    """`traffpunkt serve --port <free port>` with no TRAFFPUNKT_BASE_URL, as a newcomer runs it."""
    from tests.conftest import PG_ADMIN_URL
    from tests.live import drop_database, fresh_database, live_server

    template: Path = request.getfixturevalue("sqlite_template")
    if engine_name == "postgres":
        request.getfixturevalue("pg_database")
    url = fresh_database(engine_name, template, tmp_path, PG_ADMIN_URL)
    try:
        with live_server(url, tmp_path, set_base_url=False) as server:
            yield server
    finally:
        drop_database(url, PG_ADMIN_URL)


def test_serve_on_another_port_links_to_that_port(live_without_base_url: Any) -> None:
    """`serve --port P` without TRAFFPUNKT_BASE_URL: pages, feeds and the API link to :P."""
    live = live_without_base_url
    assert not live.url.endswith(":8000")
    live.cli("demo")
    log = (live.data_dir / f"serve-{live.url.rsplit(':', 1)[1]}.log").read_text()
    assert f"Links and feeds say {live.url}" in log
    event = httpx.get(f"{live.url}/api/v1/events").json()["items"][0]
    page = httpx.get(f"{live.url}/events/{event['slug']}").text
    feed = httpx.get(f"{live.url}/calendars/all.ics").text
    calendar = httpx.get(f"{live.url}/calendar/{event['municipality']}").text
    for text in (page, feed, calendar, str(event)):
        assert f"{live.url}/" in text
        assert "127.0.0.1:8000" not in text


def test_default_base_url_names_an_address_a_browser_can_open() -> None:
    from traffpunkt.settings import default_base_url

    assert default_base_url("127.0.0.1", 8001) == "http://127.0.0.1:8001"
    assert default_base_url("0.0.0.0", 80) == "http://127.0.0.1:80"
    assert default_base_url("::1", 8000) == "http://[::1]:8000"
    assert default_base_url("traffpunkt.local", 8000) == "http://traffpunkt.local:8000"


def test_dotenv_in_the_working_directory_is_read(sqlite_template: Path, tmp_path: Path) -> None:
    """A `.env` beside the data (the directory `serve` runs in) configures it, wherever the
    package is installed; its TRAFFPUNKT_BASE_URL wins over the address derived from --port.
    (Reading .env does not depend on the engine: SQLite only.)"""
    from tests.conftest import PG_ADMIN_URL
    from tests.live import fresh_database, live_server

    (tmp_path / ".env").write_text("TRAFFPUNKT_BASE_URL=https://kalender.example.se\n")
    url = fresh_database("sqlite", sqlite_template, tmp_path, PG_ADMIN_URL)
    with live_server(url, tmp_path, set_base_url=False) as server:
        server.cli("demo")
        event = httpx.get(f"{server.url}/api/v1/events").json()["items"][0]
        assert event["url"].startswith("https://kalender.example.se/events/")
