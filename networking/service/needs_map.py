"""The skills-needs map: what attendees need and offer, over events in a period.

Everyone counts, anonymously: counts below 3 are shown as "<3".
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time, timedelta

from events import service as events_service
from events import topics
from networking.schemas import NeedsMap, NeedsRow
from registrations import service as registrations
from traffpunkt.clock import utc_now
from traffpunkt.errors import Invalid
from traffpunkt.localtime import EARLIEST, parse_date, to_local, to_utc

SMALL_COUNT = 3  # below this a count is shown as "<3"


def _count(n: int) -> str:
    return str(n) if n >= SMALL_COUNT or n == 0 else f"<{SMALL_COUNT}"


def _period(start: str | None, end: str | None, tz: str) -> tuple[date, date]:
    # Each bound is read on its own, so an error names the parameter that is wrong.
    d_end = parse_date(end, "to") if end else to_local(utc_now(), tz).date() + timedelta(days=365)
    d_start = parse_date(start, "from") if start else max(d_end - timedelta(days=2 * 365), EARLIEST)
    if d_end <= d_start:
        raise Invalid.field("to", "The end must be after the start")
    return d_start, d_end


async def needs_map(
    municipality: str | None, start: str | None, end: str | None, lang: str = "sv"
) -> NeedsMap:
    tz = "Europe/Stockholm"
    m_id = None
    if municipality and municipality != "all":
        row = await events_service.get_municipality(municipality)
        m_id, tz = row.id, row.timezone
    d_start, d_end = _period(start, end, tz)
    needs, offers, people = await registrations.topic_demand(
        m_id,
        to_utc(datetime.combine(d_start, time()), tz, "from"),
        to_utc(datetime.combine(d_end, time()), tz, "to"),
    )
    rows = [
        NeedsRow(
            topic=t.slug,
            label=t.label(lang),
            need=_count(len(needs.get(t.slug, ()))),
            offer=_count(len(offers.get(t.slug, ()))),
        )
        for t in topics.TOPICS
    ]
    rows.sort(key=lambda r: -len(needs.get(r.topic, ())))
    return NeedsMap(
        municipality=municipality if m_id else None,
        start=d_start.isoformat(),
        end=d_end.isoformat(),
        people=_count(people),
        items=rows,
    )


def needs_csv(data: NeedsMap) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["topic", "label", "need", "offer"])
    for r in data.items:
        writer.writerow([r.topic, r.label, r.need, r.offer])
    return ("\ufeff" + out.getvalue()).encode()
