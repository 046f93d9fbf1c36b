"""The skills-needs map: what companies need and offer, per topic, from every source of needs
(`traffpunkt.needs.NeedSource`): attendees' registrations for events in the period and survey
answers given in it. Sources are counted alike and told apart (a column each), and can be
filtered to one; sector (SNI section) and size band filter the signals that carry them (survey
answers: a registration carries neither, so with those filters only answers count).

Everyone counts, anonymously: counts below 3 are shown as "<3". A company is counted once per
topic and source, by `NeedSignal.company` (the organisation number for an answer, the address
for a registration); the total counts distinct keys over the sources shown.

Each source is one entry in `READERS`: registrations, survey answers, and the evaluations'
"topics I want next" (an evaluation counts once per registration that answered it).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import date, datetime, time, timedelta
from uuid import UUID

from evaluations import service as evaluations
from events import service as events_service
from events import topics
from networking.schemas import NeedsMap, NeedsRow, SourceCounts
from registrations import service as registrations
from surveys import service as surveys
from traffpunkt.clock import utc_now
from traffpunkt.companies import SIZE_BY_CODE, SNI_BY_CODE
from traffpunkt.errors import Invalid
from traffpunkt.localtime import EARLIEST, parse_date, to_local, to_utc
from traffpunkt.needs import NeedKind, NeedSignal, NeedSource
from traffpunkt.settings import current_settings

SMALL_COUNT = 3  # below this a count is shown as "<3"

Reader = Callable[[UUID | None, datetime, datetime], Awaitable[list[NeedSignal]]]


async def _registration_signals(
    m_id: UUID | None, start: datetime, end: datetime
) -> list[NeedSignal]:
    needs, offers, _ = await registrations.topic_demand(m_id, start, end)
    out: list[NeedSignal] = []
    for kind, by_topic in ((NeedKind.NEED, needs), (NeedKind.OFFER, offers)):
        for topic, people in by_topic.items():
            out += [
                NeedSignal(
                    source=NeedSource.REGISTRATION,
                    municipality=m_id,
                    topic=topic,
                    kind=kind,
                    company=email,
                    at=start,
                )
                for email in people
            ]
    return out


async def _survey_signals(m_id: UUID | None, start: datetime, end: datetime) -> list[NeedSignal]:
    return await surveys.need_signals(None if m_id is None else [m_id], start, end)


async def _evaluation_signals(
    m_id: UUID | None, start: datetime, end: datetime
) -> list[NeedSignal]:
    return await evaluations.need_signals(None if m_id is None else [m_id], start, end)


# Each source and how its signals are read, in the order the columns are shown.
READERS: dict[NeedSource, Reader] = {
    NeedSource.REGISTRATION: _registration_signals,
    NeedSource.SURVEY: _survey_signals,
    NeedSource.EVALUATION: _evaluation_signals,
}


def _count(n: int) -> str:
    return str(n) if n >= SMALL_COUNT or n == 0 else f"<{SMALL_COUNT}"


def _period(start: str | None, end: str | None, tz: str) -> tuple[date, date]:
    # Each bound is read on its own, so an error names the parameter that is wrong.
    d_end = parse_date(end, "to") if end else to_local(utc_now(), tz).date() + timedelta(days=365)
    d_start = parse_date(start, "from") if start else max(d_end - timedelta(days=2 * 365), EARLIEST)
    if d_end <= d_start:
        raise Invalid.field("to", "The end must be after the start")
    return d_start, d_end


def tally(
    signals: Iterable[NeedSignal],
    sources: Sequence[NeedSource],
    lang: str,
    sector: str | None = None,
    size_band: str | None = None,
) -> tuple[list[NeedsRow], str]:
    """The map's rows (most needed first) and the number of companies counted (pure)."""
    kept = [
        s
        for s in signals
        if s.source in sources
        and (sector is None or s.sector == sector)
        and (size_band is None or s.size_band == size_band)
    ]
    who: dict[tuple[str, NeedKind, NeedSource | None], set[str]] = {}
    for s in kept:
        key = f"{s.source}:{s.company}"
        who.setdefault((s.topic, s.kind, s.source), set()).add(key)
        who.setdefault((s.topic, s.kind, None), set()).add(key)

    def n(topic: str, kind: NeedKind, source: NeedSource | None = None) -> int:
        return len(who.get((topic, kind, source), ()))

    rows = [
        NeedsRow(
            topic=t.slug,
            label=t.label(lang),
            need=_count(n(t.slug, NeedKind.NEED)),
            offer=_count(n(t.slug, NeedKind.OFFER)),
            sources={
                src.value: SourceCounts(
                    need=_count(n(t.slug, NeedKind.NEED, src)),
                    offer=_count(n(t.slug, NeedKind.OFFER, src)),
                )
                for src in sources
            },
        )
        for t in topics.TOPICS
    ]
    rows.sort(key=lambda r: -n(r.topic, NeedKind.NEED))
    return rows, _count(len({f"{s.source}:{s.company}" for s in kept}))


async def needs_map(
    municipality: str | None,
    start: str | None,
    end: str | None,
    lang: str = "sv",
    *,
    source: str | None = None,
    sector: str | None = None,
    size_band: str | None = None,
) -> NeedsMap:
    tz = current_settings().default_timezone
    m_id = None
    if municipality and municipality != "all":
        row = await events_service.get_municipality(municipality)
        m_id, tz = row.id, row.timezone
    source, sector, size_band = source or None, sector or None, size_band or None
    if source is not None and source not in {s.value for s in READERS}:
        raise Invalid.field("source", "Unknown source: {source}", source=source)
    if sector is not None and sector not in SNI_BY_CODE:
        raise Invalid.field("sector", "Choose a sector")
    if size_band is not None and size_band not in SIZE_BY_CODE:
        raise Invalid.field("size", "Choose a size")
    d_start, d_end = _period(start, end, tz)
    sources = [s for s in READERS if source is None or s.value == source]
    utc_start = to_utc(datetime.combine(d_start, time()), tz, "from")
    utc_end = to_utc(datetime.combine(d_end, time()), tz, "to")
    signals: list[NeedSignal] = []
    for src in sources:
        signals += await READERS[src](m_id, utc_start, utc_end)
    rows, companies = tally(signals, sources, lang, sector, size_band)
    return NeedsMap(
        municipality=municipality if m_id else None,
        start=d_start.isoformat(),
        end=d_end.isoformat(),
        people=companies,
        items=rows,
        sources=[s.value for s in sources],
        sector=sector,
        size_band=size_band,
    )


def needs_csv(data: NeedsMap) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    per_source = [f"{kind}_{src}" for src in data.sources for kind in ("need", "offer")]
    writer.writerow(["topic", "label", "need", "offer", *per_source])
    for r in data.items:
        cells = [c for src in data.sources for c in (r.sources[src].need, r.sources[src].offer)]
        writer.writerow([r.topic, r.label, r.need, r.offer, *cells])
    return ("\ufeff" + out.getvalue()).encode()
