"""Calendar feeds: RFC 5545 read back by two parsers, Outlook-safe zones, escaping, caching."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import icalendar
import vobject

from tests.conftest import World
from tests.events.test_events_api import create
from traffpunkt import db


async def published(client: httpx.AsyncClient, token: str, **changes: Any) -> dict[str, Any]:
    ev = await create(client, token, **changes)
    r = await client.post(f"/api/v1/events/{ev['id']}/publish", headers=World.auth(token))
    assert r.status_code == 200
    return r.json()


@contextlib.contextmanager
def count_queries() -> Iterator[list[str]]:
    """Counts the statements the bound engine runs (instrumentation, not a stand-in)."""
    cls = type(db.engine())
    seen: list[str] = []
    original = cls.run_querystring

    async def counting(self: Any, querystring: Any, in_pool: bool = True) -> Any:
        seen.append(str(querystring))
        return await original(self, querystring, in_pool=in_pool)

    cls.run_querystring = counting  # type: ignore[method-assign]
    try:
        yield seen
    finally:
        cls.run_querystring = original  # type: ignore[method-assign]


async def test_feed_reads_back_correctly(client: httpx.AsyncClient, world: World) -> None:
    tricky = "Kaffe, bullar; och\nen ny rad \\ backslash"
    summer = await published(
        client,
        world.asele,
        title="Sommar; möte, i Åsele",
        description=tricky,
        starts_at="2027-07-01T09:00",
        ends_at="2027-07-01T11:00",
    )
    winter = await published(
        client, world.asele, starts_at="2027-01-15T18:00", ends_at="2027-01-15T20:00"
    )
    await create(client, world.asele, title="Utkast")  # drafts never appear
    r = await client.get("/calendars/asele.ics")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/calendar")
    text = r.text
    assert "ATTENDEE" not in text and "Utkast" not in text
    cal = icalendar.Calendar.from_ical(r.content)
    assert cal["METHOD"] == "PUBLISH"
    assert cal["X-WR-CALNAME"] == "Träffpunkt – Åsele"
    assert "REFRESH-INTERVAL" in cal and cal["X-PUBLISHED-TTL"] == "PT1H"
    # VTIMEZONE with yearly RRULEs (Outlook) and no dated RDATE lists.
    (tz,) = cal.walk("VTIMEZONE")
    assert tz["TZID"] == "Europe/Stockholm"
    assert "RDATE" not in tz.to_ical().decode()
    rules = {sub.name: sub["RRULE"] for sub in tz.subcomponents}
    assert rules["DAYLIGHT"]["BYMONTH"] == [3] and rules["STANDARD"]["BYMONTH"] == [10]
    events = {e["UID"]: e for e in cal.walk("VEVENT")}
    assert set(events) == {f"{summer['id']}@traffpunkt", f"{winter['id']}@traffpunkt"}
    s = events[f"{summer['id']}@traffpunkt"]
    assert s["SUMMARY"] == "Sommar; möte, i Åsele"
    assert str(s["DESCRIPTION"]).startswith(tricky)
    assert s.decoded("DTSTART").astimezone(UTC) == datetime(2027, 7, 1, 7, 0, tzinfo=UTC)
    w = events[f"{winter['id']}@traffpunkt"]
    assert w.decoded("DTSTART").astimezone(UTC) == datetime(2027, 1, 15, 17, 0, tzinfo=UTC)
    assert int(s["SEQUENCE"]) == summer["sequence"]
    # A second, independent parser reads the same times using our VTIMEZONE only.
    parsed = vobject.readOne(r.text)
    starts = sorted(v.dtstart.value.astimezone(UTC) for v in parsed.vevent_list)
    assert starts == [
        datetime(2027, 1, 15, 17, 0, tzinfo=UTC),
        datetime(2027, 7, 1, 7, 0, tzinfo=UTC),
    ]
    assert any(v.summary.value == "Sommar; möte, i Åsele" for v in parsed.vevent_list)


async def test_conditional_requests_and_change_detection(
    client: httpx.AsyncClient, world: World
) -> None:
    ev = await published(client, world.asele)
    first = await client.get("/calendars/asele.ics")
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    r = await client.get("/calendars/asele.ics", headers={"If-None-Match": etag})
    assert r.status_code == 304 and r.content == b""
    r = await client.get("/calendars/asele.ics", headers={"If-Modified-Since": modified})
    assert r.status_code == 304
    # A draft elsewhere in the municipality changes nothing.
    await create(client, world.asele, title="Hemligt utkast")
    r = await client.get("/calendars/asele.ics", headers={"If-None-Match": etag})
    assert r.status_code == 304
    # A change of a published event changes the ETag, and SEQUENCE grows with the time change.
    h = World.auth(world.asele)
    await client.patch(
        f"/api/v1/events/{ev['id']}", json={"starts_at": "2027-03-04T10:00"}, headers=h
    )
    r = await client.get("/calendars/asele.ics", headers={"If-None-Match": etag})
    assert r.status_code == 200 and r.headers["etag"] != etag
    (vevent,) = icalendar.Calendar.from_ical(r.content).walk("VEVENT")
    assert int(vevent["SEQUENCE"]) == ev["sequence"] + 1
    # Cancelling keeps the event in the feed, marked cancelled, with a higher SEQUENCE.
    etag2 = r.headers["etag"]
    await client.post(f"/api/v1/events/{ev['id']}/cancel", headers=h)
    r = await client.get("/calendars/asele.ics", headers={"If-None-Match": etag2})
    assert r.status_code == 200
    (vevent,) = icalendar.Calendar.from_ical(r.content).walk("VEVENT")
    assert vevent["STATUS"] == "CANCELLED" and int(vevent["SEQUENCE"]) == ev["sequence"] + 2


async def test_all_feed_topic_filter_and_single_event(
    client: httpx.AsyncClient, world: World
) -> None:
    a = await published(client, world.asele, topics=["e-commerce"])
    b = await published(client, world.arvidsjaur, municipality="arvidsjaur", topics=["bookkeeping"])
    uids = lambda r: {e["UID"] for e in icalendar.Calendar.from_ical(r.content).walk("VEVENT")}  # noqa: E731
    assert uids(await client.get("/calendars/all.ics")) == {
        f"{a['id']}@traffpunkt",
        f"{b['id']}@traffpunkt",
    }
    assert uids(await client.get("/calendars/all.ics?topic=bookkeeping")) == {
        f"{b['id']}@traffpunkt"
    }
    assert uids(await client.get("/calendars/arvidsjaur.ics")) == {f"{b['id']}@traffpunkt"}
    assert (await client.get("/calendars/all.ics?topic=knitting")).status_code == 422
    one = await client.get(f"/api/v1/events/{a['id']}/event.ics")
    assert one.status_code == 200 and uids(one) == {f"{a['id']}@traffpunkt"}
    assert (
        await client.get(
            f"/api/v1/events/{a['id']}/event.ics", headers={"If-None-Match": one.headers["etag"]}
        )
    ).status_code == 304


async def test_feed_costs_a_constant_number_of_queries(
    client: httpx.AsyncClient, world: World
) -> None:
    for i in range(30):
        await published(client, world.asele, title=f"Möte {i}")
    with count_queries() as seen:
        r = await client.get("/calendars/asele.ics")
    assert r.status_code == 200 and r.text.count("BEGIN:VEVENT") == 30
    assert len(seen) <= 4, seen  # the 4th: the sessions of course series, for all events at once
    with count_queries() as seen:
        r = await client.get("/calendars/asele.ics", headers={"If-None-Match": r.headers["etag"]})
    assert r.status_code == 304 and len(seen) <= 2
