"""The public pages in a real browser (Debian's chromium), on SQLite and on PostgreSQL.

- WCAG 2.1 A/AA: axe finds no violations on any public page, in Swedish and English, on a desktop
  and on a phone; nothing scrolls sideways at 320 CSS px (reflow); the skip link works.
- The calendar groups the demo events under month headings that match their local start times.
- The topic filter works with JavaScript switched off.
- Event pages carry schema.org `Event` JSON-LD that parses and describes the event.
- The embeddable calendar renders in an iframe of another origin; the full page refuses to.
- Swedish is the default language, `?lang=en` (then a cookie) or `Accept-Language` gives English.
- A cancelled event says so in words, on the calendar and on its page.

The expected events come from the demo data itself (`traffpunkt.demo`), not from the API.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest

from tests.browser.pages import describe, horizontal_overflow, open_page, wcag_violations
from traffpunkt.demo import EVENTS, VENUES, DemoEvent

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 812}
REFLOW = {"width": 320, "height": 640}  # WCAG 1.4.10: no sideways scrolling at 320 CSS px
STOCKHOLM = ZoneInfo("Europe/Stockholm")

SV_MONTHS = (
    "januari februari mars april maj juni juli augusti september oktober november december"
).split()
EN_MONTHS = (
    "January February March April May June July August September October November December"
).split()
SV_DAYS = "måndag tisdag onsdag torsdag fredag lördag söndag".split()
EN_DAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()

IN_PERSON = "Digital marknadsföring för småföretag"  # Åsele, kommunhuset
ONLINE = "Webbinarium: kom igång med e-handel"  # Åsele, online only
BREAKFAST = "Frukostmöte: nätverka med andra företagare"  # Åsele, Folkets hus


# --- the demo data as the oracle ------------------------------------------------------------


def demo_titles(municipality: str | None = None, topic: str | None = None) -> set[str]:
    """The demo's upcoming events (its past meeting is in no calendar)."""
    return {
        e.title
        for e in EVENTS
        if e.working_day > 0
        and (municipality is None or e.municipality == municipality)
        and (topic is None or topic in e.topics)
    }


def demo_event(title: str) -> DemoEvent:
    return next(e for e in EVENTS if e.title == title)


def demo_venue(title: str) -> tuple[Any, ...]:
    event = demo_event(title)
    assert event.venue is not None
    return VENUES[event.municipality][event.venue]


# --- helpers ----------------------------------------------------------------------------------


def with_lang(url: str, lang: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}lang={lang}"


async def event_slugs(page: Any, base_url: str) -> dict[str, str]:
    """Title -> slug of every published event (the slugs are generated, so ask the API)."""
    response = await page.request.get(f"{base_url}/api/v1/events", params={"limit": 200})
    assert response.ok, await response.text()
    return {e["title"]: e["slug"] for e in (await response.json())["items"]}


async def open_details(page: Any) -> None:
    """Expand <details> (the embed help) so that its content is checked too."""
    summaries = page.locator("details:not([open]) > summary")
    for i in range(await summaries.count()):
        await summaries.nth(i).click()


async def month_sections(page: Any) -> list[dict[str, Any]]:
    return await page.evaluate(
        """() => [...document.querySelectorAll('main section.month')].map(s => ({
            heading: s.querySelector('h2').textContent.trim(),
            headingId: s.querySelector('h2').id,
            labelledBy: s.getAttribute('aria-labelledby'),
            events: [...s.querySelectorAll('li.event-card')].map(li => ({
                title: li.querySelector('h3').textContent.trim(),
                datetime: li.querySelector('time').getAttribute('datetime'),
                when: li.querySelector('time').textContent.replace(/\\s+/g, ' ').trim(),
            })),
        }))"""
    )


async def json_ld(page: Any) -> dict[str, Any]:
    scripts = page.locator('script[type="application/ld+json"]')
    assert await scripts.count() == 1
    return json.loads(await scripts.text_content())


# --- accessibility --------------------------------------------------------------------------


async def test_axe_reports_violations_it_should(new_page: Any) -> None:
    """The harness is not vacuous: a broken page does fail these checks."""
    page = await new_page()
    await page.set_content(
        "<!doctype html><html><head><title>broken</title></head><body><main>"
        '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'
        '<p style="color:#bbb;background:#fff">hard to read</p></main></body></html>'
    )
    found = {v["id"] for v in await wcag_violations(page)}
    assert {"html-has-lang", "image-alt", "color-contrast"} <= found, found


async def test_public_pages_meet_wcag_21_aa(site: Any, new_page: Any) -> None:
    """axe on every kind of public page, both languages, desktop and phone; reflow; keyboard."""
    desktop = await new_page(viewport=DESKTOP)
    # A phone: the meta viewport counts (without it the layout would be 980px wide).
    phone = await new_page(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    slugs = await event_slugs(desktop, site.url)
    paths = [
        "/",
        "/calendar/asele",
        "/calendar/asele?topic=export",  # no such events: the empty state
        "/calendar/asele/embed",
        f"/events/{slugs[IN_PERSON]}",
        f"/events/{slugs[ONLINE]}",
    ]
    failures: list[str] = []
    too_wide: list[str] = []
    for page, device in ((desktop, "desktop"), (phone, "phone")):
        width = page.viewport_size["width"]
        for lang in ("sv", "en"):
            for path in paths:
                url = with_lang(site.url + path, lang)
                await open_page(page, url)
                assert await page.locator("html").get_attribute("lang") == lang, url
                assert await page.evaluate("window.innerWidth") == width, f"{url}: layout width"
                await open_details(page)
                label = f"{path} (lang={lang}, {device} {width}px)"
                if violations := await wcag_violations(page):
                    failures.append(describe(label, violations))
                if (excess := await horizontal_overflow(page)) > 0:
                    too_wide.append(f"{label}: {excess}px wider than the screen")
    assert not failures, "\n\n".join(failures)

    # Reflow (WCAG 1.4.10) at 320 CSS px: also every event page, for long Swedish compounds.
    await phone.set_viewport_size(REFLOW)
    for path in ["/", "/calendar/asele", *(f"/events/{slug}" for slug in slugs.values())]:
        await open_page(phone, site.url + path)
        await open_details(phone)
        if (excess := await horizontal_overflow(phone)) > 0:
            too_wide.append(f"{path}: {excess}px wider than 320px")
    assert not too_wide, "\n".join(too_wide)

    # Keyboard: the first Tab reaches the skip link, visible on screen; it moves focus to <main>.
    page = desktop
    await open_page(page, f"{site.url}/calendar/asele?lang=sv")
    await page.keyboard.press("Tab")
    skip = page.locator("a.skip")
    assert await skip.evaluate("el => el === document.activeElement")
    box = await skip.bounding_box()
    assert box is not None and box["x"] >= 0 and box["y"] >= 0 and box["width"] > 0, box
    await page.keyboard.press("Enter")
    # Focus moves when the browser has followed the fragment link: wait for it, do not race it.
    await page.wait_for_function(
        "document.activeElement && document.activeElement.id === 'main'", timeout=5000
    )
    assert urlsplit(page.url).fragment == "main"


# --- content ----------------------------------------------------------------------------------


async def test_calendar_months_and_languages(site: Any, new_page: Any) -> None:
    """Demo events under month headings in local time; Swedish by default, English on request."""
    page = await new_page()
    for path, municipality in (("/calendar/asele", "asele"), ("/", None)):
        for lang, months, days in (("sv", SV_MONTHS, SV_DAYS), ("en", EN_MONTHS, EN_DAYS)):
            url = with_lang(site.url + path, lang)
            await open_page(page, url)
            sections = await month_sections(page)
            assert sections, f"{url}: no month sections"
            headings = [s["heading"] for s in sections]
            assert len(headings) == len(set(headings)), f"{url}: a month twice: {headings}"
            seen: list[str] = []
            previous: datetime | None = None
            for section in sections:
                assert section["labelledBy"] == section["headingId"], section
                assert section["events"], f"{url}: empty month {section['heading']}"
                for event in section["events"]:
                    starts = datetime.fromisoformat(event["datetime"]).astimezone(STOCKHOLM)
                    expected = f"{months[starts.month - 1].capitalize()} {starts.year}"
                    assert section["heading"] == expected, (url, event)
                    assert previous is None or starts >= previous, f"{url}: out of order"
                    previous = starts
                    # shown in local time, in the page's language, at the demo's hour
                    assert event["when"].split()[0].strip(",") in days, event
                    assert f"{starts:%H:%M}" in event["when"], event
                    assert (starts.hour, starts.minute) == (
                        demo_event(event["title"]).start.hour,
                        demo_event(event["title"]).start.minute,
                    ), event
                    seen.append(event["title"])
            assert len(seen) == len(set(seen)), f"{url}: an event twice"
            assert set(seen) == demo_titles(municipality), url

    # A browser asking for a language Träffpunkt does not have gets Swedish.
    page = await new_page(locale="de-DE")
    await open_page(page, f"{site.url}/calendar/asele")
    assert await page.locator("html").get_attribute("lang") == "sv"
    h1 = (await page.locator("h1").inner_text()).strip()
    assert "Åsele" in h1 and "Events" not in h1, h1
    assert (await page.locator("option[value=e-commerce]").inner_text()).strip() == "E-handel"
    switch = page.get_by_role("link", name="English")
    assert await switch.get_attribute("hreflang") == "en"

    # The language link gives English ...
    await switch.click()
    await page.wait_for_url("**?lang=en")
    assert await page.locator("html").get_attribute("lang") == "en"
    assert (await page.locator("h1").inner_text()).strip() == "Events in Åsele"
    assert (await page.locator("label[for=topic]").inner_text()).strip() == "Topic"
    assert (await page.locator("option[value='']").inner_text()).strip() == "All topics"
    assert (await page.locator("form.filter button").inner_text()).strip() == "Show"
    assert (await page.locator("option[value=e-commerce]").inner_text()).strip() == "E-commerce"
    assert await page.get_by_role("link", name="Svenska").get_attribute("hreflang") == "sv"

    # ... remembered (cookie) on the next page, which has no ?lang=.
    slugs = await event_slugs(page, site.url)
    await open_page(page, f"{site.url}/events/{slugs[IN_PERSON]}")
    assert await page.locator("html").get_attribute("lang") == "en"
    terms = [t.strip() for t in await page.locator("dl.facts dt").all_inner_texts()]
    assert terms[:2] == ["When", "Where"], terms
    # the event's own text stays marked as Swedish inside the English page
    assert await page.locator("article.event").get_attribute("lang") == "sv"

    await page.get_by_role("link", name="Svenska").click()
    await page.wait_for_url("**?lang=sv")
    assert await page.locator("html").get_attribute("lang") == "sv"
    terms = [t.strip() for t in await page.locator("dl.facts dt").all_inner_texts()]
    assert "When" not in terms and "Where" not in terms, terms

    # Swedish first: an English-language phone still gets Swedish, with English one tap away.
    page = await new_page(locale="en-GB")
    await open_page(page, f"{site.url}/")
    assert await page.locator("html").get_attribute("lang") == "sv"


async def test_topic_filter_works_without_javascript(site: Any, new_page: Any) -> None:
    page = await new_page(java_script_enabled=False)
    cases = (("/", None, "e-commerce"), ("/calendar/arvidsjaur", "arvidsjaur", "digital-marketing"))
    for path, municipality, topic in cases:
        await open_page(page, site.url + path)
        form = page.locator("form.filter")
        await form.get_by_role("combobox").select_option(topic)
        await form.get_by_role("button").click()
        await page.wait_for_url(f"**{path}?topic={topic}")
        assert parse_qs(urlsplit(page.url).query) == {"topic": [topic]}
        titles = {t.strip() for t in await page.locator("li.event-card h3").all_inner_texts()}
        expected = demo_titles(municipality, topic)
        assert expected, "the case should match some demo events"
        assert titles == expected, (path, topic)
        assert await form.locator("select").input_value() == topic  # the choice is kept
        feeds = await page.locator(".subscribe a").evaluate_all("as => as.map(a => a.href)")
        assert feeds and all(f.endswith(f".ics?topic={topic}") for f in feeds), feeds

        # and back to every topic
        await form.get_by_role("combobox").select_option("")
        await form.get_by_role("button").click()
        await page.wait_for_url(f"**{path}?topic=")
        titles = {t.strip() for t in await page.locator("li.event-card h3").all_inner_texts()}
        assert titles == demo_titles(municipality), path


async def test_event_page_json_ld_follows_the_event(
    site: Any, admin_token: str, new_page: Any
) -> None:
    """schema.org Event JSON-LD (in person, online, cancelled); a cancellation said in words."""
    page = await new_page()
    await open_page(page, f"{site.url}/calendar/asele")
    await page.get_by_role("link", name=IN_PERSON).click()
    await page.wait_for_url(f"{site.url}/events/**")

    data = await json_ld(page)
    assert data["@context"] in ("https://schema.org", "http://schema.org")
    assert data["@type"] == "Event"
    assert data["name"] == IN_PERSON == (await page.locator("h1").inner_text()).strip()
    assert data["url"] == page.url
    starts = datetime.fromisoformat(data["startDate"])
    ends = datetime.fromisoformat(data["endDate"])
    assert starts.tzinfo is not None and ends.tzinfo is not None
    assert ends > starts
    shown = await page.locator("main time").first.get_attribute("datetime")
    assert datetime.fromisoformat(shown) == starts
    assert data["eventStatus"] == "https://schema.org/EventScheduled"
    assert data["eventAttendanceMode"] == "https://schema.org/OfflineEventAttendanceMode"

    venue_name, street, *_ = demo_venue(IN_PERSON)
    location = data["location"]
    assert location["@type"] == "Place"
    assert location["name"] == venue_name
    address = location["address"]
    assert address["@type"] == "PostalAddress"
    assert address["streetAddress"] == street
    assert address["addressLocality"] == "Åsele"
    assert address["addressCountry"] == "SE"

    organizer = data["organizer"]
    assert organizer["@type"] in ("Organization", "Person")
    assert organizer["name"] == "Åsele"
    assert (await page.request.get(organizer["url"])).ok

    # An online-only event: a virtual location, online attendance.
    slugs = await event_slugs(page, site.url)
    await open_page(page, f"{site.url}/events/{slugs[ONLINE]}")
    data = await json_ld(page)
    assert data["@type"] == "Event"
    assert data["name"] == ONLINE
    assert data["eventAttendanceMode"] == "https://schema.org/OnlineEventAttendanceMode"
    assert data["location"]["@type"] == "VirtualLocation"
    assert data["location"]["url"] == demo_event(ONLINE).online_url
    assert data["organizer"]["name"] == "Åsele"
    assert data["eventStatus"] == "https://schema.org/EventScheduled"

    # Cancel one: calendar and event page say so in words, JSON-LD too, still no violations.
    events = await page.request.get(
        f"{site.url}/api/v1/events", params={"municipality": "asele", "limit": 200}
    )
    event = next(e for e in (await events.json())["items"] if e["title"] == BREAKFAST)
    response = await page.request.post(
        f"{site.url}/api/v1/events/{event['id']}/cancel",
        headers={"Authorization": f"Bearer {admin_token}"},
    )
    assert response.status == 200, await response.text()
    page = await new_page()  # a fresh browser cache: pages may be cached for 60 s
    failures: list[str] = []
    for lang, word in (("sv", None), ("en", "Cancelled")):
        url = with_lang(f"{site.url}/calendar/asele", lang)
        await open_page(page, url)
        card = page.locator("li.event-card", has_text=BREAKFAST)
        assert await card.count() == 1
        badge = (await card.locator(".badge").inner_text()).strip()
        assert badge and (word is None or badge == word), badge  # in words, not only by style
        others = page.locator("li.event-card", has_not_text=BREAKFAST).locator(".badge")
        assert await others.count() == 0
        if violations := await wcag_violations(page):
            failures.append(describe(url, violations))

        url = with_lang(f"{site.url}/events/{event['slug']}", lang)
        await open_page(page, url)
        assert await page.get_by_role("status").count() == 1
        assert (await json_ld(page))["eventStatus"] == "https://schema.org/EventCancelled"
        assert await page.locator("a[href$='/register']").count() == 0
        if violations := await wcag_violations(page):
            failures.append(describe(url, violations))
    assert not failures, "\n\n".join(failures)


async def test_embed_renders_in_an_iframe_of_another_origin(
    site: Any, new_page: Any, other_origin: Any
) -> None:
    embed_url = f"{site.url}/calendar/asele/embed"
    full_url = f"{site.url}/calendar/asele"
    host_url = other_origin(
        "/kommun.html",
        f"""<!doctype html><html lang="sv"><head><meta charset="utf-8">
        <title>Åsele kommun</title></head><body><h1>Åsele kommun</h1>
        <iframe id="embed" src="{embed_url}" title="Evenemang" style="width:100%;height:600px">
        </iframe>
        <iframe id="full" src="{full_url}" title="Kalender"></iframe></body></html>""",
    )
    assert urlsplit(host_url).netloc != urlsplit(site.url).netloc  # another origin

    page = await new_page()
    served: dict[str, Any] = {}
    page.on("response", lambda r: served.setdefault(r.url, r))
    await open_page(page, host_url)  # waits for the frames' load too
    assert served[embed_url].status == 200
    embed_csp = await served[embed_url].header_value("content-security-policy")
    assert "frame-ancestors *" in embed_csp
    embed = page.frame_locator("#embed")
    titles = {t.strip() for t in await embed.locator("li.event-card h3").all_inner_texts()}
    assert titles == demo_titles("asele")
    assert "Åsele" in await embed.locator("h1").inner_text()

    # The ordinary calendar page is served too, but says frame-ancestors 'none': not shown.
    assert served[full_url].status == 200
    csp = await served[full_url].header_value("content-security-policy")
    assert "frame-ancestors 'none'" in csp
    assert await page.frame_locator("#full").locator("li.event-card").count() == 0

    # A link in the embed leaves the frame: the municipality's page navigates to the event.
    link = embed.get_by_role("link", name=IN_PERSON)
    assert await link.get_attribute("target") == "_top"
    await link.click()
    await page.wait_for_url(f"{site.url}/events/**")
    assert (await page.locator("h1").inner_text()).strip() == IN_PERSON
