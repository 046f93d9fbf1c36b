"""The participant report and the attendance list in a real browser: an organiser opens the
report at a phone's and a laptop's width (axe: no WCAG 2.1 A/AA violation, no sideways
scrolling at 320 px), downloads the spreadsheet and opens it; the attendance list to sign,
likewise. Screenshots of both go to TRAFFPUNKT_SCREENSHOTS (or pytest's tmp dir).

SQLite only, like test_screenshots: the figures are tested on both engines in tests/reports.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import httpx
import openpyxl
import pytest

from tests.browser.pages import describe, horizontal_overflow, open_page, wcag_violations
from tests.browser.test_security_policy import admin_cookies

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]

SIZES = [(390, 844), (1280, 900)]


async def look(page: Any, name: str, folder: Path) -> None:
    for width, height in SIZES:
        await page.set_viewport_size({"width": width, "height": height})
        await page.screenshot(path=folder / f"{name}-{width}x{height}.png", full_page=True)
        assert not (v := await wcag_violations(page)), describe(f"{name} at {width}", v)
    await page.set_viewport_size({"width": 320, "height": 700})
    assert await horizontal_overflow(page) == 0, f"{name} scrolls sideways at 320 px"


@pytest.mark.parametrize("engine_name", ["sqlite"])
async def test_an_organiser_reads_and_downloads_the_report(
    site: Any, new_page: Any, tmp_path: Path
) -> None:
    folder = Path(os.environ.get("TRAFFPUNKT_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 (once, before the browser)
    async with httpx.AsyncClient(base_url=site.url, timeout=30) as api:
        events = (await api.get("/api/v1/events", params={"limit": 200})).json()["items"]
        event = next(e for e in events if e["registration_open"] and e["municipality"] == "asele")
        for name, org in (("Saga Nilsson", "Sagas Bageri"), ("Åsa Kuoljok", "Kuoljoks Renskötsel")):
            r = await api.post(
                f"/api/v1/events/{event['id']}/registrations",
                json={
                    "name": name,
                    "email": f"person{len(org)}@example.se",
                    "organisation": org,
                },
            )
            assert r.status_code == 201, r.text
    page = await new_page(viewport={"width": 390, "height": 844}, accept_downloads=True)
    await page.context.add_cookies(await admin_cookies(site))

    await open_page(page, f"{site.url}/organiser/reports?from=2026-01-01&to=2028-12-31")
    assert await page.get_by_role("heading", level=1, name="Deltagarrapport").count() == 1
    assert await page.get_by_role("heading", name="Per kommun").count() == 1
    await look(page, "reports", folder)
    await page.set_viewport_size({"width": 1280, "height": 900})
    async with page.expect_download() as info:
        await page.get_by_role("link", name="Ladda ner som kalkylblad (XLSX)").click()
    download = await info.value
    saved = Path(await download.path())
    book = openpyxl.load_workbook(io.BytesIO(saved.read_bytes()))  # noqa: ASYNC240
    assert book.sheetnames[0] == "Sammanfattning"
    summary = {r[0]: r[1] for r in book["Sammanfattning"].iter_rows(min_row=2, values_only=True)}
    shown = (
        await page.locator(".report-totals div")
        .filter(has_text="Genomförda aktiviteter")
        .locator("dd")
        .inner_text()
    )
    assert summary["Genomförda aktiviteter"] == int(shown)

    await open_page(page, f"{site.url}/organiser/events/{event['id']}")
    await page.get_by_role("link", name="Närvarolista att skriva under").click()
    await page.wait_for_load_state()
    assert await page.get_by_role("cell", name="Åsa Kuoljok").count() == 1
    assert await page.get_by_role("columnheader", name="Underskrift").count() == 1
    await look(page, "attendance-list", folder)
    # Printed, only the list: no header, navigation or buttons.
    await page.emulate_media(media="print")
    assert not await page.locator(".site-header").is_visible()
    hidden = page.locator(".no-print")
    for i in range(await hidden.count()):
        assert not await hidden.nth(i).is_visible()
