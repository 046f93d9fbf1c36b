"""One log line per request with its route template, status, duration and request id; the id in
the `X-Request-ID` header and in problem+json; JSON lines with `--log-format json`; secrets in
paths never in a log line (traffpunkt/request_log.py, traffpunkt/logs.py)."""

from __future__ import annotations

import json
import logging
import re
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import World
from traffpunkt import logs

ACCESS = "traffpunkt.access"


def _access(caplog: Any) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == ACCESS]


async def test_every_answer_carries_a_request_id(client: httpx.AsyncClient) -> None:
    r = await client.get("/api/v1/municipalities")
    assert re.fullmatch(r"[0-9a-f]{16}", r.headers["x-request-id"])
    r = await client.get("/healthz", headers={"X-Request-ID": "lb-7.a:b"})
    assert r.headers["x-request-id"] == "lb-7.a:b"
    for unsafe in ("a b", "x" * 65, "<script>", "-starts-with-dash"):
        r = await client.get("/healthz", headers={"X-Request-ID": unsafe})
        assert r.headers["x-request-id"] != unsafe
        assert re.fullmatch(r"[0-9a-f]{16}", r.headers["x-request-id"])


async def test_problems_name_their_request(client: httpx.AsyncClient, world: World) -> None:
    r = await client.get("/api/v1/events/00000000-0000-0000-0000-000000000000")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["request_id"] == r.headers["x-request-id"]
    r = await client.post(
        "/api/v1/municipalities", json={"name": ""}, headers=World.auth(world.admin)
    )
    assert r.status_code == 422
    assert r.json()["request_id"] == r.headers["x-request-id"]


async def test_one_line_per_request_with_the_route_template(
    client: httpx.AsyncClient, caplog: Any
) -> None:
    caplog.set_level(logging.INFO, logger=ACCESS)
    token = secrets.token_urlsafe(32)
    r = await client.get(f"/r/{token}", headers={"X-Request-ID": "req-1"})
    assert r.status_code == 404
    r = await client.get(f"/no/such/place/{token}", headers={"X-Request-ID": "req-2"})
    assert r.status_code == 404
    await client.get("/api/v1/municipalities", headers={"X-Request-ID": "req-3"})
    lines = [r.getMessage() for r in _access(caplog)]
    assert len(lines) == 3, lines
    assert re.fullmatch(r"GET /r/\{token\} 404 \d+\.\dms request_id=req-1", lines[0])
    assert re.fullmatch(r"GET /no/such/place/\*\*\* 404 \d+\.\dms request_id=req-2", lines[1])
    assert lines[2].startswith("GET /api/v1/municipalities 200 ")
    assert all(token not in line for line in lines)
    fields = _access(caplog)[0].fields  # type: ignore[attr-defined]
    assert fields["route"] == "/r/{token}" and fields["status"] == 404
    assert fields["request_id"] == "req-1" and fields["duration_ms"] >= 0


async def test_json_lines_are_redacted(client: httpx.AsyncClient, caplog: Any) -> None:
    caplog.set_level(logging.INFO, logger=ACCESS)
    token = secrets.token_urlsafe(32)
    await client.get(f"/unknown/{token}?invite={token}")
    (record,) = _access(caplog)
    entry = json.loads(logs.JsonFormatter().format(record))
    assert entry["logger"] == ACCESS and entry["level"] == "INFO"
    assert entry["method"] == "GET" and entry["status"] == 404
    assert entry["route"] == "/unknown/***"
    assert token not in json.dumps(entry)
    other = logging.LogRecord("x", logging.ERROR, __file__, 1, "to %s", ("åsa@kommun.se",), None)
    logs.RedactFilter().filter(other)
    assert json.loads(logs.JsonFormatter().format(other))["message"] == "to ***@kommun.se"


@pytest.fixture
def live_json(engine_name: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    """`traffpunkt serve --log-format json` on a fresh database of the engine under test."""
    from tests.conftest import PG_ADMIN_URL
    from tests.live import drop_database, fresh_database, live_server

    template: Path = request.getfixturevalue("sqlite_template")
    if engine_name == "postgres":
        request.getfixturevalue("pg_database")
    url = fresh_database(engine_name, template, tmp_path, PG_ADMIN_URL)
    try:
        with live_server(url, tmp_path, extra_args=("--log-format", "json")) as server:
            yield server
    finally:
        drop_database(url, PG_ADMIN_URL)


def test_serve_logs_json_lines_without_secrets(live_json: Any) -> None:
    live = live_json
    live.cli("demo")
    event = next(
        e
        for e in httpx.get(f"{live.url}/api/v1/events", params={"limit": 200}).json()["items"]
        if e["registration_open"]
    )
    r = httpx.post(
        f"{live.url}/api/v1/events/{event['id']}/registrations",
        json={"name": "Rut Ek", "email": "rut.ek@asele.se"},
        headers={"X-Request-ID": "signup-1"},
    )
    assert r.status_code == 201, r.text
    token = r.json()["manage_url"].rsplit("/", 1)[1]
    assert httpx.get(f"{live.url}/r/{token}").status_code == 200
    assert httpx.get(f"{live.url}/api/v1/registrations/{token}").status_code == 200
    live.process.terminate()
    live.process.wait(timeout=15)
    text = (live.data_dir / f"serve-{live.url.rsplit(':', 1)[1]}.log").read_text()
    entries = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    access = [e for e in entries if e["logger"] == ACCESS]
    signup = next(e for e in access if e["request_id"] == "signup-1")
    assert signup["route"] == "/api/v1/events/{event_id}/registrations"
    assert signup["status"] == 201 and signup["method"] == "POST"
    assert {"/r/{token}", "/api/v1/registrations/{token}"} <= {e["route"] for e in access}
    assert token not in text and "rut.ek" not in text
