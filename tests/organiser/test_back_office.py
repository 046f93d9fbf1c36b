"""The back office (piccolo-admin) is reachable for administrators only, without a password."""

from __future__ import annotations

from typing import Any

import httpx

from tests.conftest import World
from tests.organiser.conftest import sign_in


async def test_admins_enter_the_back_office(
    app: Any, world: World, client: httpx.AsyncClient
) -> None:
    assert (await client.get("/back-office/api/tables/")).status_code in (401, 403)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as admin:
        await sign_in(admin, "admin@example.se")
        r = await admin.get("/organiser/back-office")
        assert r.status_code == 303 and r.headers["location"] == "/back-office/"
        tables = await admin.get("/back-office/api/tables/")
        assert tables.status_code == 200, tables.text
        assert "event" in tables.json() and "registration" in tables.json()
        rows = await admin.get("/back-office/api/tables/municipality/")
        assert rows.status_code == 200 and {"asele", "arvidsjaur"} <= {
            r["slug"] for r in rows.json()["rows"]
        }
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as anna:
        await sign_in(anna, "anna@asele.se")
        r = await anna.get("/organiser/back-office", headers={"accept": "text/html"})
        assert r.status_code == 403
        assert (await anna.get("/back-office/api/tables/")).status_code in (401, 403)
