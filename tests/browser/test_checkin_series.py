"""The door app for a course series: the officer picks session 2 and checks a person in for it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.browser.pages import wcag_violations
from tests.browser.test_checkin_app import PHONE, enter_code, make_door, wait_queued, wait_ready
from tests.conftest import World

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]


async def test_check_in_for_session_two(live: Any, new_page: Any) -> None:
    async with httpx.AsyncClient(base_url=live.url, timeout=30) as api:
        door = await make_door(live, api, "Bokföring för nyföretagare")
        first = datetime.now(ZoneInfo("Europe/Stockholm")).replace(
            hour=9, minute=0, second=0, microsecond=0
        ) + timedelta(days=20)
        sessions = [
            {
                "starts_at": (first + timedelta(days=7 * i)).strftime("%Y-%m-%dT%H:%M"),
                "ends_at": (first + timedelta(days=7 * i, hours=3)).strftime("%Y-%m-%dT%H:%M"),
                "online": i == 1,
            }
            for i in range(4)
        ]
        r = await api.put(
            f"/api/v1/events/{door.id}/sessions",
            json={"sessions": sessions},
            headers=World.auth(door.organiser),
        )
        assert r.status_code == 200, r.text
        ids = [s["id"] for s in r.json()["items"]]
        astrid = await door.sign_up("Astrid Öberg")
        reg_id = (await api.get(f"/api/v1/registrations/{astrid['token']}")).json()["id"]
        link = await door.door_link()

        page = await new_page(viewport=PHONE)
        await page.goto(link["url"])
        await wait_ready(page)
        picker = page.get_by_label("Tillfälle", exact=True)
        await picker.wait_for()
        assert await picker.input_value() == ids[0]  # none today: the next one
        await picker.select_option(ids[1])
        result, text = await enter_code(page, astrid["code"])
        assert result == "ok" and "Astrid Öberg" in text, text
        await wait_queued(page, 0)
        result, _ = await enter_code(page, astrid["code"])
        assert result == "already_checked_in"
        # No sideways scrolling at 390 px, and the picker passes axe.
        assert await page.evaluate("document.documentElement.scrollWidth <= 390")
        assert await wcag_violations(page) == []
        await wait_queued(page, 0)
        data = (
            await api.get(
                f"/api/v1/events/{door.id}/checkin-data", headers=World.auth(door.organiser)
            )
        ).json()
        assert data["attendance"] == {reg_id: [ids[1]]}
        # The choice survives a reload (kept on the phone), and session 3 is a new attendance.
        await page.reload()
        await wait_ready(page)
        assert await page.get_by_label("Tillfälle", exact=True).input_value() == ids[1]
        await page.get_by_label("Tillfälle", exact=True).select_option(ids[2])
        result, _ = await enter_code(page, astrid["code"])
        assert result == "ok"
