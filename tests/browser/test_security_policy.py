"""The Content-Security-Policy breaks nothing: chromium loads the public pages, the organiser
pages, the back office (piccolo-admin) and the API documentation without a single CSP
violation, and the back office still renders its table list."""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
from typing import Any

import httpx
import pytest

from tests.browser.pages import open_page

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]

ADMIN = "admin@example.se"


async def sign_in_link(database_url: str) -> str:
    """The newest sign-in link for ADMIN from the outbox (the server runs no sender here)."""
    sql = (
        "SELECT secrets FROM outbox_message WHERE kind = 'sign_in' AND recipient = '"
        + ADMIN
        + "' ORDER BY created_at DESC LIMIT 1"
    )
    if database_url.startswith("sqlite"):
        conn = sqlite3.connect(database_url.removeprefix("sqlite:///"))
        try:
            (secrets,) = conn.execute(sql).fetchone()
        finally:
            conn.close()
    else:
        import asyncpg

        conn = await asyncpg.connect(database_url)
        try:
            secrets = await conn.fetchval(sql)
        finally:
            await conn.close()
    return str(json.loads(secrets)["sign_in_url"])


def csrf(html: str) -> str:
    match = re.search(r'name="_csrf_token" value="([^"]+)"', html)
    assert match
    return match.group(1)


async def admin_cookies(site: Any) -> list[dict[str, Any]]:
    """Sign in as an administrator over HTTP and enter the back office: the cookies."""
    site.cli("token", "create", "--email", ADMIN, "--role", "admin")
    async with httpx.AsyncClient(base_url=site.url, timeout=30) as client:
        form = await client.get("/organiser/sign-in")
        r = await client.post(
            "/organiser/sign-in", data={"_csrf_token": csrf(form.text), "email": ADMIN}
        )
        assert r.status_code == 200
        link = await sign_in_link(site.database_url)
        confirm = await client.get(link)
        r = await client.post(link, data={"_csrf_token": csrf(confirm.text), "next": "/organiser"})
        assert r.status_code == 303
        assert (await client.get("/organiser/back-office")).status_code == 303
        return [
            {"name": c.name, "value": c.value, "domain": "127.0.0.1", "path": c.path or "/"}
            for c in client.cookies.jar
        ]


async def test_no_page_violates_its_content_security_policy(site: Any, new_page: Any) -> None:
    async with httpx.AsyncClient(base_url=site.url) as client:
        r = await client.get("/api/v1/events", params={"limit": 200})
    events = r.json()["items"]
    event = next(e for e in events if e["registration_open"])
    page = await new_page()
    await page.context.add_cookies(await admin_cookies(site))
    violations: list[str] = []
    page.on(
        "console",
        lambda m: (
            violations.append(f"{page.url}: {m.text}")
            if "Content Security Policy" in m.text
            else None
        ),
    )
    for path in (
        "/",
        "/calendar/asele",
        "/calendar/asele/embed",
        f"/events/{event['slug']}",
        f"/events/{event['slug']}/register",
        "/needs-map/asele",
        "/organiser",
        f"/organiser/events/{event['id']}",
        "/organiser/admin",
        "/organiser/events/new",
        "/no/such/page",
    ):
        response = await page.goto(site.url + path)
        assert response is not None
        assert response.headers.get("content-security-policy"), path
        await page.wait_for_load_state("networkidle")
    for path in ("/api/docs", "/api/docs/swagger"):  # their CDN may be unreachable here
        await page.goto(site.url + path)
        await asyncio.sleep(1)
    await open_page(page, f"{site.url}/back-office/")
    # piccolo-admin renders its list of tables (its scripts and styles ran).
    await page.get_by_text("municipality", exact=False).first.wait_for(timeout=15_000)
    assert violations == [], "\n".join(violations)
