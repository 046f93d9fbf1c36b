"""Planning in a real browser on `traffpunkt serve` with the demo (SQLite and PostgreSQL): an
administrator opens the planning page (at a phone's and a laptop's width), makes a seminar tour
for a topic companies asked for, creates its draft events, publishes one, and the company that
needed the topic (and agreed to be contacted) is invited: its mail is in the outbox, and its
personal link opens the sign-up form with its address. axe (WCAG 2.1 A/AA) finds nothing on the
planning, tour form and tour pages; screenshots at 390×844 and 1280×900 are kept (the folder in
TRAFFPUNKT_SCREENSHOTS, or pytest's tmp dir)."""

from __future__ import annotations

import json
import os
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.browser.pages import describe, horizontal_overflow, open_page, wcag_violations
from tests.browser.test_security_policy import admin_cookies

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]

SIZES = [(390, 844), (1280, 900)]


@pytest.fixture
def shots_dir(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("TRAFFPUNKT_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


async def _in_database(url: str, work: Any) -> Any:
    """Run `work()` with the test process bound to the live server's database."""
    from traffpunkt import db
    from traffpunkt.app import app_tables

    engine = db.make_engine(url)
    db.bind(engine, app_tables())
    await db.start(engine, 2)
    try:
        return await work()
    finally:
        await db.stop(engine)


async def _answers() -> None:
    from tests.planning.helpers import answer, municipality_id, survey_round

    round_id = await survey_round()
    asele, lycksele = await municipality_id("asele"), await municipality_id("lycksele")
    await answer(
        round_id, asele, "556036-0793", [("export", 3)], contact_consent=True,
        email="kund@fjallbutik.example", name="Karin Kund",
    )  # fmt: skip
    await answer(round_id, asele, "556677-8899", [("export", 2)])  # no consent: not invited
    await answer(round_id, lycksele, "559000-0001", [("export", 2)])


async def _invitations(event_title: str) -> list[dict[str, Any]]:
    from events.tables import Event
    from notifications.tables import OutboxMessage

    event = await Event.select(Event.id).where(Event.title == event_title).first()
    assert event is not None
    return await OutboxMessage.select(OutboxMessage.recipient, OutboxMessage.secrets).where(
        (OutboxMessage.kind == "invitation") & (OutboxMessage.event == event["id"])
    )


async def _expert_link() -> str:
    from events import organisers
    from notifications.tables import OutboxMessage
    from planning import service
    from traffpunkt.auth import OrganiserRole, Principal

    admin_id = await organisers.ensure_organiser("admin@example.se", OrganiserRole.ADMIN)
    await service.invite_expert(
        Principal(admin_id, "admin@example.se", OrganiserRole.ADMIN), "eva@ltu.example"
    )
    row = (
        await OutboxMessage.select(OutboxMessage.secrets)
        .where(OutboxMessage.kind == "expert_invitation")
        .first()
    )
    assert row is not None
    return str(json.loads(row["secrets"])["expert_url"])


async def look(page: Any, name: str, folder: Path, problems: list[str]) -> None:
    for width, height in SIZES:
        await page.set_viewport_size({"width": width, "height": height})
        await page.screenshot(path=folder / f"{name}-{width}x{height}.png", full_page=True)
        if (overflow := await horizontal_overflow(page)) > 0:
            problems.append(f"{name}: scrolls sideways by {overflow}px at {width}px")
    if violations := await wcag_violations(page):
        problems.append(describe(name, violations))


async def test_planning_tour_publish_invites(site: Any, new_page: Any, shots_dir: Path) -> None:
    await _in_database(site.database_url, _answers)
    page = await new_page(viewport={"width": 390, "height": 844})
    await page.context.add_cookies(await admin_cookies(site))
    problems: list[str] = []

    await open_page(page, f"{site.url}/organiser/planning?region=Västerbotten")
    assert await page.locator("h1").inner_text() == "Var och vad vi ska hålla härnäst"
    asele = page.locator("section.planning-place", has=page.locator("#p-asele"))
    text = await asele.inner_text()
    # Two survey answers here, one of the demo's survey round, and the demo's registrations.
    assert "4 företag i Åsele behöver export och nya marknader" in text
    await look(page, "planning", shots_dir, problems)

    await asele.get_by_role("link", name="Gör en turné om Export och nya marknader").click()
    await page.wait_for_load_state()
    assert "/organiser/planning/tour?topic=export" in page.url
    monday = date.today() + timedelta(days=21 - date.today().weekday())
    await page.locator("#t-start").fill(monday.isoformat())
    await page.locator("#t-end").fill((monday + timedelta(days=11)).isoformat())
    await look(page, "tour-form", shots_dir, problems)
    await page.get_by_role("button", name="Föreslå en turné").click()
    await page.wait_for_load_state()
    assert "/organiser/planning/tours/" in page.url
    order = await page.locator("ol.tour-order").inner_text()
    assert "Åsele" in order and "Lycksele" in order
    await look(page, "tour", shots_dir, problems)

    await page.get_by_role("button", name="Skapa utkasten till aktiviteter").click()
    await page.wait_for_load_state()
    assert page.url.endswith("/organiser?done=tour")
    await page.get_by_role("link", name="Export och nya marknader: seminarium i Åsele").click()
    await page.wait_for_load_state()
    await page.get_by_role("button", name="Publicera", exact=True).click()
    await page.wait_for_load_state()

    mails = await _in_database(
        site.database_url, lambda: _invitations("Export och nya marknader: seminarium i Åsele")
    )
    # The company that asked and agreed to be contacted, and one of the demo's round that did;
    # not the one without consent.
    by_address = {m["recipient"]: m for m in mails}
    assert sorted(by_address) == ["anna.10@example.com", "kund@fjallbutik.example"]
    link = json.loads(by_address["kund@fjallbutik.example"]["secrets"])["signup_url"]
    company = await new_page()
    await open_page(company, link.replace("http://testserver", site.url))
    assert await company.locator("input[type=email]").first.input_value() == (
        "kund@fjallbutik.example"
    )

    # The other new pages: travel times, and an expert's own page from the mailed link.
    await open_page(page, f"{site.url}/organiser/planning/travel")
    await look(page, "travel", shots_dir, problems)
    expert = await new_page(viewport={"width": 390, "height": 844})
    # Made in this process, whose base URL is the tests' (http://testserver).
    link = await _in_database(site.database_url, _expert_link)
    await open_page(expert, link.replace("http://testserver", site.url))
    await expert.locator("#x-name").fill("Eva Forskare")
    await expert.get_by_label("Export och nya marknader").check()
    await expert.get_by_label("Svenska").check()
    await expert.locator("#x-home_municipality").select_option("arvidsjaur")
    await expert.locator("#x-travel_dates").fill(f"{monday.isoformat()}..{monday.isoformat()}")
    await look(expert, "expert", shots_dir, problems)
    await expert.get_by_role("button", name="Spara", exact=True).click()
    await expert.wait_for_load_state()
    assert "Sparat." in await expert.locator(".notice").inner_text()
    await open_page(page, f"{site.url}/organiser/planning/tour?topic=export")
    assert "Eva Forskare" in await page.locator("#experts-h + ul").inner_text()
    taken = sorted(p.name for p in shots_dir.glob("*.png"))  # noqa: ASYNC240 (a listing, once)
    assert len(taken) == 10, taken
    assert not problems, "\n".join(problems)
