"""`/metrics` (traffpunkt/metrics.py): off without a token, 401 without the right one; request
figures by route template and status, latency per route, the outbox, send failures and
check-ins read from the database, parsed with prometheus_client's own parser."""

from __future__ import annotations

import dataclasses
import re
import secrets
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families

from notifications import service as notifications
from tests.conftest import World
from tests.registrations.conftest import make_event
from tests.registrations.test_checkin import attendee, door
from traffpunkt.app import create_app
from traffpunkt.settings import get_settings

TOKEN = secrets.token_urlsafe(32)


def _client(app: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    out = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


async def test_metrics_are_off_without_a_token(client: httpx.AsyncClient) -> None:
    r = await client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 404


async def test_metrics_need_the_token(engine: Any) -> None:
    app = create_app(dataclasses.replace(get_settings(), metrics_token=TOKEN), engine)
    async with _client(app) as c:
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}):
            r = await c.get("/metrics", headers=headers)
            assert r.status_code == 401, headers
            assert r.headers["www-authenticate"].startswith("Bearer")
            assert "set-cookie" not in r.headers
        r = await c.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"


async def test_scrape(engine: Any, world: World) -> None:
    app = create_app(dataclasses.replace(get_settings(), metrics_token=TOKEN), engine)
    auth = {"Authorization": f"Bearer {TOKEN}"}
    async with _client(app) as c:
        event = await make_event(c, world)
        anna = await attendee(c, event["id"], "anna@example.se")
        await attendee(c, event["id"], "bo@example.se")
        h = await door(c, world, event["id"])
        for secret in (anna["code"], anna["code"], "TP1NOTATICKET"):
            r = await c.post(
                f"/api/v1/events/{event['id']}/checkins", json={"secret": secret}, headers=h
            )
            assert r.status_code == 200
        token = secrets.token_urlsafe(32)
        assert (await c.get(f"/r/{token}")).status_code == 404
        # One message given up for good.
        (claimed, *_) = await notifications.claim("metrics-test", 1)
        await notifications.mark_failed(claimed.id, "metrics-test", "550 no such user")
        r = await c.get("/metrics", headers=auth)
    assert r.status_code == 200
    assert token not in r.text
    got = samples(r.text)
    checkins = "/api/v1/events/{event_id}/checkins"
    assert (
        got[("traffpunkt_http_requests_total", _l(method="POST", route=checkins, status="200"))]
        >= 3
    )
    assert (
        got[("traffpunkt_http_requests_total", _l(method="GET", route="/r/{token}", status="404"))]
        >= 1
    )
    assert got[("traffpunkt_http_request_duration_seconds_count", _l(route=checkins))] >= 3
    assert (
        got[("traffpunkt_http_request_duration_seconds_bucket", _l(le="+Inf", route=checkins))] >= 3
    )
    assert got[("traffpunkt_checkin_scans_total", _l(result="ok"))] == 1
    assert got[("traffpunkt_checkin_scans_total", _l(result="already_checked_in"))] == 1
    assert got[("traffpunkt_checkin_scans_total", _l(result="not_found"))] == 1
    # Two sign-ups mailed: one waits still, one failed.
    assert got[("traffpunkt_outbox_messages", _l(state="waiting"))] >= 1
    assert got[("traffpunkt_outbox_messages", _l(state="failed"))] == 1
    assert got[("traffpunkt_mail_failures_total", ())] == 1
    assert 0 <= got[("traffpunkt_outbox_oldest_waiting_seconds", ())] < 600
    # The sample Grafana dashboard asks only for figures that exist.
    from pathlib import Path

    dashboard = (Path(__file__).parent.parent / "docs" / "grafana-dashboard.json").read_text()
    asked = set(re.findall(r"traffpunkt_[a-z_]+", dashboard))
    known = {name for name, _ in got} | {"traffpunkt_db_pool_connections"}
    assert asked and asked <= known, asked - known
    pool = {k[1][0][1]: v for k, v in got.items() if k[0] == "traffpunkt_db_pool_connections"}
    if engine.engine_type == "postgres":
        assert pool["max"] == 10 and 0 <= pool["in_use"] <= pool["open"] <= pool["max"]
    else:
        assert pool == {}


def _l(**labels: str) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(labels.items()))


def test_multiprocess_mode_sums_the_processes(tmp_path: Any) -> None:
    """With PROMETHEUS_MULTIPROC_DIR (serve --workers N), a scrape answered by any one process
    counts the requests of all of them."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    count = "from traffpunkt import metrics; metrics.observe('GET', '/x', 200, 0.01)"
    for _ in range(2):
        subprocess.run([sys.executable, "-c", count], env=env, check=True, timeout=60)
    scrape = (
        "import asyncio, sys; from traffpunkt import metrics; "
        "sys.stdout.write(asyncio.run(metrics.exposition()).decode())"
    )
    out = subprocess.run(
        [sys.executable, "-c", scrape], env=env, check=True, timeout=60, capture_output=True
    ).stdout.decode()
    got = samples(out)
    assert got[("traffpunkt_http_requests_total", _l(method="GET", route="/x", status="200"))] == 2
