"""The needs survey in a real browser (Debian's chromium), on SQLite and on PostgreSQL.

A company answers the demo's survey round on a phone (390×844) through the open link: a wrong
organisation number is shown under its field with everything typed kept; the answer is saved
and a receipt with the answer's own link is written to the outbox; through that link the
answer is changed. axe finds no WCAG 2.1 A/AA violation on the answer page (empty, with errors,
answered). Screenshots of the answer page (phone and laptop) and of the organiser's round page
go to TRAFFPUNKT_SCREENSHOTS (or pytest's tmp dir) to be looked at.
"""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.browser.pages import describe, horizontal_overflow, open_page, wcag_violations
from tests.browser.test_security_policy import admin_cookies
from tests.surveys.conftest import org_number
from traffpunkt.demo import SURVEY_TITLE

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 900}
SLUG = "kompetensbehov-hosten-2026"
EMAIL = "maja@kalixbarvagn.se"


@pytest.fixture
def shots_dir(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("TRAFFPUNKT_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


async def receipt_link(database_url: str) -> str:
    """The receipt's link from the outbox (the server runs no sender here)."""
    sql = (
        "SELECT secrets FROM outbox_message WHERE kind = 'survey_receipt' AND recipient = '"
        + EMAIL
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

        pg = await asyncpg.connect(database_url)
        try:
            secrets = await pg.fetchval(sql)
        finally:
            await pg.close()
    return str(json.loads(secrets)["answer_url"])


async def no_violations(page: Any, label: str) -> None:
    violations = await wcag_violations(page)
    assert not violations, describe(label, violations)
    assert await horizontal_overflow(page) == 0, f"{label} scrolls sideways"


async def test_a_company_answers_on_a_phone_and_changes_it_through_the_receipt(
    site: Any, new_page: Any, shots_dir: Path, engine_name: str
) -> None:
    page = await new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    await open_page(page, f"{site.url}/survey/{SLUG}")
    assert await page.locator("h1").inner_text() == SURVEY_TITLE
    # Both consents are unticked until the company ticks them.
    assert not await page.get_by_label("Projektet får kontakta oss", exact=False).is_checked()
    assert not await page.get_by_label("Vi får föreslås", exact=False).is_checked()
    await no_violations(page, "answer page")
    await page.screenshot(
        path=shots_dir / f"survey-answer-390x844-{engine_name}.png", full_page=True
    )

    await page.get_by_label("Företagets namn").fill("Kalix Bärvagn AB")
    await page.get_by_label("Organisationsnummer").fill("556036-0794")  # a wrong check digit
    await page.get_by_label("Kommun").select_option("overkalix")
    await page.get_by_label("Bransch").select_option("I")
    await page.get_by_label("Storlek").select_option("1-4")
    await page.get_by_label("Ditt namn").fill("Maja Lind")
    await page.get_by_label("E-post").fill(EMAIL)
    await page.locator("#need-e-commerce").select_option("3")
    await page.locator("#need-tourism").select_option("1")
    await page.locator("input[name=offers][value=social-media]").check()
    await page.get_by_label("Andra behov eller synpunkter").fill("Bokning på nätet")
    await page.get_by_label("Projektet får kontakta oss", exact=False).check()
    await page.get_by_role("button", name="Skicka svaret").click()
    await page.wait_for_load_state()
    error = page.locator("#org_number-error")
    assert "Organisationsnumret stämmer inte" in await error.inner_text()
    # Nothing typed is lost.
    assert await page.get_by_label("Företagets namn").input_value() == "Kalix Bärvagn AB"
    assert await page.locator("#need-e-commerce").input_value() == "3"
    assert await page.locator("input[name=offers][value=social-media]").is_checked()
    assert await page.get_by_label("Projektet får kontakta oss", exact=False).is_checked()
    await no_violations(page, "answer page with an error")

    await page.get_by_label("Organisationsnummer").fill(org_number("559123456"))
    await page.get_by_role("button", name="Skicka svaret").click()
    await page.wait_for_load_state()
    assert "/survey/a/" in page.url
    assert "Tack! Ert svar är sparat." in await page.locator(".notice-ok").inner_text()
    await no_violations(page, "answered")

    # The receipt's link, opened from the mail on the same phone.
    link = await receipt_link(site.database_url)
    assert link.startswith(site.url + "/survey/a/")
    mail_page = await new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    await open_page(mail_page, link)
    assert await mail_page.get_by_label("Företagets namn").input_value() == "Kalix Bärvagn AB"
    assert await mail_page.locator("#need-e-commerce").input_value() == "3"
    await mail_page.locator("#need-e-commerce").select_option("1")
    await mail_page.locator("#need-financing").select_option("2")
    await mail_page.get_by_label("Vi får föreslås", exact=False).check()
    await mail_page.get_by_role("button", name="Spara ändringarna").click()
    await mail_page.wait_for_load_state()
    assert "Tack! Ert svar är sparat." in await mail_page.locator(".notice-ok").inner_text()
    await open_page(mail_page, link)
    assert await mail_page.locator("#need-e-commerce").input_value() == "1"
    assert await mail_page.locator("#need-financing").input_value() == "2"
    assert await mail_page.get_by_label("Vi får föreslås", exact=False).is_checked()
    await mail_page.set_viewport_size(LAPTOP)
    await mail_page.screenshot(
        path=shots_dir / f"survey-answer-1280x900-{engine_name}.png", full_page=True
    )

    # The organiser's round page counts the answer (and is accessible too).
    async with httpx.AsyncClient(base_url=site.url, timeout=30) as api:
        cookies = await admin_cookies(site)
        api.cookies.update({c["name"]: c["value"] for c in cookies})
        rounds = await api.get("/organiser/surveys")
        assert rounds.status_code == 200
    organiser = await new_page(viewport=LAPTOP)
    await organiser.context.add_cookies(cookies)
    await open_page(organiser, f"{site.url}/organiser/surveys")
    await organiser.get_by_role("link", name=SURVEY_TITLE).click()
    await organiser.wait_for_load_state()
    overkalix = organiser.locator("table tr", has_text="Överkalix")
    assert await overkalix.locator("td").inner_text() == "14"  # 13 from the demo, and this one
    await no_violations(organiser, "organiser round page")
    await organiser.screenshot(
        path=shots_dir / f"survey-organiser-round-1280x900-{engine_name}.png", full_page=True
    )
    await organiser.set_viewport_size(PHONE)
    await organiser.screenshot(
        path=shots_dir / f"survey-organiser-round-390x844-{engine_name}.png", full_page=True
    )
