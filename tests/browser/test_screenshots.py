"""Every public and organiser page, photographed at a phone's and a laptop's width, so a person
can look at them; on each, no sideways scrolling at 320 px and no axe (WCAG 2.1 A/AA) violation.

The pictures go to the folder in TRAFFPUNKT_SCREENSHOTS (kept), or to pytest's tmp dir:
`<page>-390x844.png` and `<page>-1280x900.png`, full page.

SQLite only: this is a look at the rendered pages, and the engines render the same HTML from the
same demo data; the DB behaviour of every page is tested on both engines elsewhere
(test_public_pages, test_organiser_journey, test_checkin_app). Running it twice would double
its time for nothing it could catch.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.browser.pages import describe, horizontal_overflow, open_page, wcag_violations
from tests.browser.test_security_policy import admin_cookies

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]

SIZES = [(390, 844), (1280, 900)]
NARROWEST = 320  # WCAG 1.4.10 reflow: 320 CSS px without scrolling in two directions


@pytest.fixture
def shots_dir(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("TRAFFPUNKT_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


async def demo_urls(site: Any) -> dict[str, str]:
    """Path of each page to look at, on the demo's data (plus one fresh sign-up)."""
    async with httpx.AsyncClient(base_url=site.url, timeout=30) as api:
        events = (await api.get("/api/v1/events", params={"limit": 200})).json()["items"]
        event = next(e for e in events if e["registration_open"] and e["municipality"] == "asele")
        r = await api.post(
            f"/api/v1/events/{event['id']}/registrations",
            json={
                "name": "Sara Skärmbild",
                "email": "sara.skarmbild@example.se",
                "organisation": "Skärmbild AB",
                "networking_consent": True,
            },
        )
        assert r.status_code in (200, 201), r.text
        manage = httpx.URL(r.json()["manage_url"]).path
        # The demo's course series, its sessions and its attendance pages.
        series = next(e for e in events if e["completion_min_sessions"] is not None)
        sessions = (await api.get(f"/api/v1/events/{series['id']}/sessions")).json()["items"]
    eid, slug = event["id"], event["slug"]
    cid = series["id"]
    return {
        "home": "/",
        "calendar": "/calendar/asele",
        "embed": "/calendar/asele/embed",
        "event": f"/events/{slug}",
        "signup": f"/events/{slug}/register",
        "manage": manage,
        "cancel-confirm": f"{manage}/cancel",
        "people": f"{manage}/people",
        "needs-map": "/needs-map/asele",
        "survey": "/survey/kompetensbehov-hosten-2026",
        "organiser-sign-in": "/organiser/sign-in",
        "dashboard": "/organiser",
        "organiser-event": f"/organiser/events/{eid}",
        "event-form": f"/organiser/events/{eid}/edit",
        "attendees": f"/organiser/events/{eid}/attendees",
        "door-pairing": f"/organiser/events/{eid}/door",
        "meetings": f"/organiser/events/{eid}/meetings",
        "settings": "/organiser/admin",
        "surveys": "/organiser/surveys",
        "survey-new": "/organiser/surveys/new",
        "checkin": f"/checkin/{eid}",
        "course-event": f"/events/{series['slug']}",
        "course-sessions": f"/organiser/events/{cid}/sessions",
        "course-attendance": f"/organiser/events/{cid}/course",
        "session-attendance": f"/organiser/events/{cid}/sessions/{sessions[1]['id']}/attendance",
    }


async def look(page: Any, name: str, folder: Path, problems: list[str]) -> None:
    """Photograph the open page at each size; note sideways scrolling at 320 px and axe issues."""
    for width, height in SIZES:
        await page.set_viewport_size({"width": width, "height": height})
        await page.screenshot(path=folder / f"{name}-{width}x{height}.png", full_page=True)
    await page.set_viewport_size({"width": NARROWEST, "height": 700})
    if (overflow := await horizontal_overflow(page)) > 0:
        problems.append(f"{name}: scrolls sideways by {overflow}px at {NARROWEST}px")
    if violations := await wcag_violations(page):
        problems.append(describe(name, violations))


@pytest.mark.parametrize("engine_name", ["sqlite"])
async def test_every_page_looks_right_at_phone_and_laptop_width(
    site: Any, new_page: Any, shots_dir: Path
) -> None:
    urls = await demo_urls(site)
    page = await new_page(viewport={"width": SIZES[0][0], "height": SIZES[0][1]})
    await page.context.add_cookies(await admin_cookies(site))
    problems: list[str] = []
    for name, path in urls.items():
        await open_page(page, site.url + path)
        await look(page, name, shots_dir, problems)
        if name == "signup":
            # The same form sent empty: every field's error at once, and the summary.
            await page.locator("form.signup button[type=submit]").click()
            await page.wait_for_load_state()
            assert await page.locator("form.signup").count() == 1
            await look(page, "signup-errors", shots_dir, problems)
        if name == "settings":
            # A venue whose seats are not a number: the form comes back, the error under the
            # field and in the summary, which names the form and the field.
            await page.locator("#v-name").fill("Folkets hus")
            await page.locator("#v-capacity").evaluate(
                "e => { e.type = 'text'; e.value = 'många'; }"
            )
            await page.locator("#venues button[type=submit]").click()
            await page.wait_for_load_state()
            summary = await page.locator(".error-summary").inner_text()
            assert "Lägg till en lokal" in summary and "Platser: Ange ett heltal" in summary
            assert await page.locator("#v-name").input_value() == "Folkets hus"
            await look(page, "settings-errors", shots_dir, problems)
    taken = sorted(p.name for p in shots_dir.glob("*.png"))  # noqa: ASYNC240 (a listing, once)
    assert len(taken) >= 2 * (len(urls) + 2), taken
    assert not problems, "\n".join(problems)
