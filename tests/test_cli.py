"""The installed command: serve migrates and serves, demo loads once, token prints a token,
and the server stops on SIGTERM (checked when the `live` fixture ends)."""

from __future__ import annotations

from typing import Any

import httpx


def test_demo_token_and_serve(live: Any) -> None:
    assert "Loaded 3 municipalities" in live.cli("demo")
    assert "already loaded" in live.cli("demo")
    slugs = [m["slug"] for m in httpx.get(f"{live.url}/api/v1/municipalities").json()["items"]]
    assert slugs == ["arvidsjaur", "asele", "overkalix"]
    events = httpx.get(f"{live.url}/api/v1/events", params={"limit": 200}).json()["items"]
    assert len(events) == 12
    assert all(e["status"] == "published" for e in events)
    token = live.cli("token", "create", "--email", "Boss@Example.se", "--role", "admin").split()[-1]
    r = httpx.post(
        f"{live.url}/api/v1/municipalities",
        json={"name": "Sorsele", "slug": "sorsele", "code": "2422"},
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
