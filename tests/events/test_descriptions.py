"""Event descriptions keep paragraphs, line breaks, lists and links, safely: HTML on the page,
plain text with the address in feeds and JSON-LD (both engines)."""

from __future__ import annotations

from html.parser import HTMLParser

import httpx
import icalendar

from tests.conftest import World
from tests.events.test_feeds import published
from tests.events.test_pages import json_ld
from traffpunkt.richtext import LINK_REL, summary, to_html, to_plain

TEXT = """Välkommen till en förmiddag om e-handel.
Vi bjuder på kaffe.

- Plattformar och betalningar
- Frakt <script>alert(1)</script>

Läs [programmet](https://example.org/program) eller www.asele.se.
[Klicka](javascript:alert(1)) <a href="http://evil.test">här</a>"""


class _Description(HTMLParser):
    """Tags and links inside the page's `div.description`."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.tags: list[str] = []
        self.links: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.depth:
            self.depth += tag != "br"
            self.tags.append(tag)
            if tag == "a":
                self.links.append(dict(attrs))
        elif tag == "div" and ("class", "description") in attrs:
            self.depth = 1

    def handle_endtag(self, tag: str) -> None:
        if self.depth:
            self.depth -= 1


def test_subset_and_escaping() -> None:
    html = str(to_html(TEXT))
    assert html.count("<p>") == 2 and "<br>" in html
    assert "<ul>" in html and html.count("<li>") == 2
    assert "&lt;script&gt;" in html and "<script>" not in html
    assert 'href="javascript' not in html
    assert f'<a href="https://example.org/program" rel="{LINK_REL}">programmet</a>' in html
    assert f'<a href="http://www.asele.se" rel="{LINK_REL}">www.asele.se</a>' in html
    assert to_html("   ") == ""
    plain = to_plain(TEXT)
    assert "programmet (https://example.org/program)" in plain
    assert summary("ord " * 100, 20) == "ord ord ord ord ord…"


async def test_page_feed_and_json_ld(client: httpx.AsyncClient, world: World) -> None:
    ev = await published(client, world.asele, description=TEXT)
    page = await client.get(f"/events/{ev['slug']}")
    assert page.status_code == 200
    found = _Description()
    found.feed(page.text)
    assert found.tags.count("p") == 2 and found.tags.count("li") == 2 and "br" in found.tags
    assert "script" not in found.tags
    hrefs = [link["href"] for link in found.links]
    assert hrefs == ["https://example.org/program", "http://www.asele.se", "http://evil.test"]
    assert all(link["rel"] == LINK_REL for link in found.links)

    ld = json_ld(page.text)
    assert "programmet (https://example.org/program)" in ld["description"]
    # Text as typed (it is data here), and still exactly one script element on the page.
    assert "<script>alert(1)</script>" in ld["description"]

    feed = await client.get("/calendars/asele.ics")
    (vevent,) = icalendar.Calendar.from_ical(feed.content).walk("VEVENT")
    description = str(vevent["DESCRIPTION"])
    assert "programmet (https://example.org/program)" in description
    assert description.endswith(ev["url"]) or ev["slug"] in description
