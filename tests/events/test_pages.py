"""Public pages over HTTP: JSON-LD, escaping, languages, conditional requests, embedding."""

from __future__ import annotations

import json
from html.parser import HTMLParser

import httpx

from tests.conftest import World
from tests.events.test_feeds import published


class _Scripts(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.json_ld: list[str] = []
        self._in = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in = tag == "script" and ("type", "application/ld+json") in attrs

    def handle_endtag(self, tag: str) -> None:
        self._in = False

    def handle_data(self, data: str) -> None:
        if self._in:
            self.json_ld.append(data)


def json_ld(html: str) -> dict:
    p = _Scripts()
    p.feed(html)
    (data,) = p.json_ld
    return json.loads(data)


async def test_event_page_json_ld(client: httpx.AsyncClient, world: World) -> None:
    venue = (
        await client.post(
            "/api/v1/venues",
            json={
                "municipality": "asele",
                "name": "Folkets hus",
                "address": "Storgatan 18, 919 31 Åsele",
                "latitude": 64.16,
                "longitude": 17.35,
            },
            headers=World.auth(world.asele),
        )
    ).json()
    ev = await published(
        client,
        world.asele,
        venue_id=venue["id"],
        online_url="https://example.org/live",
        starts_at="2027-07-01T09:00",
        ends_at="2027-07-01T11:00",
    )
    r = await client.get(f"/events/{ev['slug']}")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    data = json_ld(r.text)
    assert data["@context"] == "https://schema.org" and data["@type"] == "Event"
    assert data["startDate"] == "2027-07-01T09:00:00+02:00"
    assert data["eventStatus"] == "https://schema.org/EventScheduled"
    assert data["eventAttendanceMode"] == "https://schema.org/MixedEventAttendanceMode"
    place, virtual = data["location"]
    assert place["address"]["streetAddress"] == "Storgatan 18, 919 31 Åsele"
    assert place["address"]["addressLocality"] == "Åsele"
    assert virtual["@type"] == "VirtualLocation"
    assert data["organizer"]["name"] == "Åsele"
    assert data["url"] == f"http://testserver/events/{ev['slug']}"
    await client.post(f"/api/v1/events/{ev['id']}/cancel", headers=World.auth(world.asele))
    data = json_ld((await client.get(f"/events/{ev['slug']}")).text)
    assert data["eventStatus"] == "https://schema.org/EventCancelled"


async def test_organiser_text_is_escaped(client: httpx.AsyncClient, world: World) -> None:
    evil = '</script><script>alert("x")</script><b>'
    ev = await published(client, world.asele, title=evil, description=evil)
    html = (await client.get(f"/events/{ev['slug']}")).text
    assert "<script>alert" not in html and "<b>" not in html
    assert json_ld(html)["name"] == evil  # survives intact inside JSON-LD, without closing it
    cal = (await client.get("/calendar/asele")).text
    assert "<script>alert" not in cal and "&lt;/script&gt;" in cal


async def test_languages(client: httpx.AsyncClient, world: World) -> None:
    await published(client, world.asele)
    sv = await client.get("/calendar/asele")
    assert '<html lang="sv">' in sv.text and "Evenemang i Åsele" in sv.text
    en = await client.get("/calendar/asele?lang=en")
    assert '<html lang="en">' in en.text and "Events in Åsele" in en.text
    assert "lang=en" in en.headers["set-cookie"]
    remembered = await client.get("/calendar/asele")  # httpx keeps the cookie
    assert '<html lang="en">' in remembered.text


async def test_pages_answer_conditional_requests(client: httpx.AsyncClient, world: World) -> None:
    ev = await published(client, world.asele)
    for path in ("/calendar/asele", f"/events/{ev['slug']}", "/", "/calendar/asele/embed"):
        first = await client.get(path)
        assert first.status_code == 200, path
        again = await client.get(path, headers={"If-None-Match": first.headers["etag"]})
        assert again.status_code == 304, path
    first = await client.get("/calendar/asele")
    await client.patch(
        f"/api/v1/events/{ev['id']}", json={"title": "Ändrad"}, headers=World.auth(world.asele)
    )
    changed = await client.get("/calendar/asele", headers={"If-None-Match": first.headers["etag"]})
    assert changed.status_code == 200 and "Ändrad" in changed.text


async def test_embed_may_be_framed_and_pages_may_not(
    client: httpx.AsyncClient, world: World
) -> None:
    await published(client, world.asele)
    embed = await client.get("/calendar/asele/embed")
    assert "frame-ancestors *" in embed.headers["content-security-policy"]
    assert "x-frame-options" not in embed.headers
    assert 'target="_top"' in embed.text
    page = await client.get("/calendar/asele")
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY"


async def test_calendar_groups_by_month_and_filters_by_topic(
    client: httpx.AsyncClient, world: World
) -> None:
    await published(
        client,
        world.asele,
        title="Marsmöte",
        starts_at="2027-03-04T09:00",
        ends_at="2027-03-04T10:00",
        topics=["e-commerce"],
    )
    await published(
        client,
        world.asele,
        title="Aprilmöte",
        starts_at="2027-04-04T09:00",
        ends_at="2027-04-04T10:00",
        topics=["bookkeeping"],
    )
    html = (await client.get("/calendar/asele")).text
    assert "Mars 2027" in html and "April 2027" in html
    assert html.index("Marsmöte") < html.index("Aprilmöte")
    only = (await client.get("/calendar/asele?topic=bookkeeping")).text
    assert "Aprilmöte" in only and "Marsmöte" not in only


async def test_calendar_card_label_follows_the_registration_deadline(
    client: httpx.AsyncClient, world: World
) -> None:
    """A full event's card invites to the waiting list only while sign-up is open. The deadline
    passing changes no row, so the ETag itself must change then, or a cached page keeps
    inviting people to a list they can no longer join."""
    from datetime import datetime, timedelta

    from traffpunkt.clock import frozen_at

    ev = await published(
        client,
        world.asele,
        capacity=1,
        starts_at="2027-07-01T09:00",
        ends_at="2027-07-01T11:00",
        registration_closes_at="2027-06-30T12:00",
    )
    r = await client.post(
        f"/api/v1/events/{ev['id']}/registrations",
        json={"name": "Anna Andersson", "email": "anna@example.se"},
    )
    assert r.status_code == 201, r.text
    closes = datetime.fromisoformat(ev["registration_closes_at"])
    with frozen_at(closes - timedelta(hours=1)):
        before = await client.get("/calendar/asele")
        assert "anmäl dig till väntelistan" in before.text
        same = await client.get(
            "/calendar/asele", headers={"If-None-Match": before.headers["etag"]}
        )
        assert same.status_code == 304
    with frozen_at(closes + timedelta(minutes=1)):
        after = await client.get(
            "/calendar/asele", headers={"If-None-Match": before.headers["etag"]}
        )
        assert after.status_code == 200
        assert "Fullbokat" in after.text and "anmäl dig till väntelistan" not in after.text
