"""The evaluation in a browser: an attendee answers on a phone (390×844) through the personal
link, in Swedish and in English; the organiser sees the results (the demo's past meeting has ten
answers). axe finds no WCAG 2.1 A/AA violation on any of these pages; nothing scrolls sideways
on the phone. Screenshots at 390×844 and 1280×900 go to TRAFFPUNKT_SCREENSHOTS (or tmp).

The server runs no mail sender here, so the evaluation job is run from the test process against
the server's database, at a moment after the event (the clock's `frozen_at`); the links it
creates are in the job's result, as they would be in the mails.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import httpx
import pytest

from evaluations import service as evaluations
from events import service as events_service
from tests.browser.pages import describe, horizontal_overflow, open_page, wcag_violations
from tests.browser.test_security_policy import admin_cookies
from traffpunkt import db
from traffpunkt.app import app_tables
from traffpunkt.clock import frozen_at

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
}
SIZES = [(390, 844), (1280, 900)]


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("TRAFFPUNKT_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


async def _links(site: Any, people: int) -> tuple[str, list[str]]:
    """A new event in Åsele with `people` checked in, over; their evaluation links."""
    token = site.cli("token", "create", "--email", "eva@example.se", "--role", "admin").split()[-1]
    h = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=site.url, timeout=30) as api:
        r = await api.post(
            "/api/v1/events",
            headers=h,
            json={
                "title": "Kvällskurs: AI i vardagen",
                "kind": "course",
                "municipality": "asele",
                "starts_at": "2031-03-04T17:00",
                "ends_at": "2031-03-04T20:00",
                "topics": ["ai-tools"],
            },
        )
        assert r.status_code == 201, r.text
        event = r.json()
        assert (await api.post(f"/api/v1/events/{event['id']}/publish", headers=h)).is_success
        for i in range(people):
            signed = await api.post(
                f"/api/v1/events/{event['id']}/registrations",
                json={"name": f"Deltagare {i}", "email": f"deltagare{i}@example.se"},
            )
            manage = signed.json()["manage_url"].rsplit("/", 1)[1]
            code = (await api.get(f"/api/v1/registrations/{manage}")).json()["ticket"]["code"]
            scan = await api.post(
                f"/api/v1/events/{event['id']}/checkins", json={"secret": code}, headers=h
            )
            assert scan.json()["result"] == "ok", scan.text
    engine = db.make_engine(site.database_url, site.data_dir)
    db.bind(engine, app_tables())
    await db.start(engine, 2)
    try:
        row = await events_service.event_for_mail(event["id"])
        assert row is not None
        with frozen_at(row.ends_at.replace(hour=21)):
            created = await evaluations.send_for_event(row)
    finally:
        await db.stop(engine)
    return event["id"], list(created.values())


async def _look(page: Any, name: str, folder: Path, problems: list[str]) -> None:
    for width, height in SIZES:
        await page.set_viewport_size({"width": width, "height": height})
        await page.screenshot(path=folder / f"{name}-{width}x{height}.png", full_page=True)
    await page.set_viewport_size({"width": 390, "height": 844})
    if (overflow := await horizontal_overflow(page)) > 0:
        problems.append(f"{name}: scrolls sideways by {overflow}px at 390px")
    if violations := await wcag_violations(page):
        problems.append(describe(name, violations))


async def test_attendee_answers_on_a_phone_and_organiser_sees_results(
    site: Any, new_page: Any, shots: Path
) -> None:
    event_id, (sv_link, en_link) = await _links(site, 2)
    problems: list[str] = []

    # Swedish, on a phone: the form, an error under a field, the answer, the thanks.
    phone = await new_page(**PHONE)
    await open_page(phone, f"{site.url}/evaluation/{sv_link}")
    assert await phone.get_by_role("heading", name="Hur var det?").count() == 1
    await _look(phone, "evaluation", shots, problems)
    await (
        phone.get_by_role("group", name="Vad tyckte du överlag?")
        .get_by_role("radio", name="4", exact=True)
        .check()
    )
    await phone.get_by_role("button", name="Skicka mitt svar").click()
    await phone.wait_for_load_state()
    assert "Välj 1 till 5" in await phone.locator("#relevance-error").inner_text()
    await _look(phone, "evaluation-errors", shots, problems)
    await (
        phone.get_by_role("group", name="Hur relevant var det för ditt företag?")
        .get_by_role("radio", name="5", exact=True)
        .check()
    )
    await phone.get_by_label("Vad ska du göra härnäst?").fill("Testa AI för offerter.")
    await phone.get_by_label("E-handel").check()
    await phone.get_by_label("Jag vill att projektet kontaktar mig").check()
    await phone.get_by_role("button", name="Skicka mitt svar").click()
    await phone.wait_for_load_state()
    assert "Tack! Ditt svar är sparat" in await phone.locator("main").inner_text()
    assert await phone.locator("#next_step").input_value() == "Testa AI för offerter."
    await _look(phone, "evaluation-saved", shots, problems)

    # English, on another phone.
    other = await new_page(**PHONE, locale="en-GB")
    await open_page(other, f"{site.url}/evaluation/{en_link}?lang=en")
    assert await other.get_by_role("heading", name="How was it?").count() == 1
    await (
        other.get_by_role("group", name="Overall, how was it?")
        .get_by_role("radio", name="3", exact=True)
        .check()
    )
    await (
        other.get_by_role("group", name="How relevant was it to your business?")
        .get_by_role("radio", name="2", exact=True)
        .check()
    )
    await other.get_by_role("button", name="Send my answer").click()
    await other.wait_for_load_state()
    assert "Thank you! Your answer is saved" in await other.locator("main").inner_text()
    await _look(other, "evaluation-en", shots, problems)

    # The organiser: the results of the demo's past meeting (ten answers) and of this course
    # (two answers: "fewer than 3"), in both languages.
    organiser = await new_page(viewport={"width": 1280, "height": 900})
    await organiser.context.add_cookies(await admin_cookies(site))
    await open_page(organiser, f"{site.url}/organiser/evaluations")
    main = await organiser.locator("main").inner_text()
    assert "Nätverksträff: digitala verktyg som sparar tid" in main
    assert "färre än 3 svar" in main and "Testa AI för offerter." not in main
    assert await organiser.locator('svg[role="img"]').count() >= 2
    await _look(organiser, "evaluation-results", shots, problems)
    await open_page(organiser, f"{site.url}/organiser/evaluations?lang=en&by=topic")
    assert "Evaluation results" in await organiser.locator("h1").inner_text()
    await _look(organiser, "evaluation-results-en", shots, problems)
    # The event's evaluation settings: own questions, the follow-up; a choice without options.
    await open_page(organiser, f"{site.url}/organiser/events/{event_id}/evaluation")
    await _look(organiser, "evaluation-settings", shots, problems)
    await organiser.locator("#q1_kind").select_option("choice")
    await organiser.locator("#q1_text").fill("Hur hittade du hit?")
    await organiser.get_by_role("button", name="Save").click()
    await organiser.wait_for_load_state()
    assert await organiser.locator("#q1_options-error").count() == 1
    await _look(organiser, "evaluation-settings-errors", shots, problems)
    assert problems == [], "\n".join(problems)
