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
