"""Unmet demand for the planning page and the API: the organiser's municipalities, their needs
(survey answers and registrations) and what events already cover, through the pure
`planning.demand.unmet_demand`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from uuid import UUID

import msgspec

from events import service as events_service
from events.schemas import MunicipalityOut
from planning import demand as rules
from planning.reasons import reason_texts
from planning.schemas import DemandItem
from registrations import service as registrations_service
from surveys import service as surveys_service
from traffpunkt.auth import Principal
from traffpunkt.clock import utc_now
from traffpunkt.errors import Invalid
from traffpunkt.localtime import parse_date, to_local, to_utc
from traffpunkt.needs import NeedSource
from traffpunkt.settings import current_settings

# Needs told in the last two years count: a survey round a year ago still speaks, one from
# three years ago no longer does.
NEEDS_PERIOD = timedelta(days=730)
# The window of coverage when the organiser names none: a year back, half a year ahead.
WINDOW_BACK = timedelta(days=365)
WINDOW_AHEAD = timedelta(days=182)


class DemandReport(msgspec.Struct, kw_only=True):
    municipalities: list[MunicipalityOut]  # in scope, by name
    regions: list[str]  # every region the organiser has a municipality in
    items: list[tuple[rules.Demand, MunicipalityOut]]
    window_start: date
    window_end: date  # the last day inside the window


def _window(start: str | date | None, end: str | date | None, today: date) -> tuple[date, date]:
    first = parse_date(start, "from") if start else today - WINDOW_BACK
    last = parse_date(end, "to") if end else today + WINDOW_AHEAD
    if last < first:
        raise Invalid.field("to", "The end comes before the start")
    return first, last


async def scope(
    actor: Principal,
    region: str | None = None,
    municipality: str | None = None,
    slugs: Sequence[str] | None = None,
) -> list[MunicipalityOut]:
    """The municipalities the actor manages (an admin: all), narrowed to a region, to one, or
    to those named (each must be one the actor manages)."""
    places = await events_service.organiser_municipalities(actor)
    if slugs is not None:
        unknown = set(slugs) - {m.slug for m in places}
        if unknown:
            raise Invalid.field(
                "municipalities",
                "No municipality called {key} that you organise",
                key=sorted(unknown)[0],
            )
        places = [m for m in places if m.slug in set(slugs)]
    if municipality:
        places = [m for m in places if municipality in (m.slug, m.id)]
        if not places:
            raise Invalid.field(
                "municipality", "No municipality called {key} that you organise", key=municipality
            )
    if region:
        places = [m for m in places if m.region == region]
    return places


async def home_region(actor: Principal) -> str | None:
    """The region where the actor has the most municipalities (None: no region at all)."""
    counts: dict[str, int] = {}
    for m in await events_service.organiser_municipalities(actor):
        if m.region:
            counts[m.region] = counts.get(m.region, 0) + 1
    if not counts:
        return None
    return min(counts, key=lambda r: (-counts[r], r))


async def need_counts(
    municipality_ids: Sequence[UUID], since: datetime, now: datetime
) -> list[rules.NeedCount]:
    """Distinct companies per municipality, topic, source and highest urgency, from the survey
    answers (counted in the database: 50,000 answers stay there) and the registrations (few,
    and their company key is a folded name: counted here) told in [since, now)."""
    survey = [
        rules.NeedCount(
            municipality=c.municipality,
            topic=c.topic,
            source=NeedSource.SURVEY,
            urgency=min(3, max(1, c.urgency)),
            companies=c.companies,
        )
        for c in await surveys_service.need_counts(municipality_ids, since, now)
    ]
    signals = await registrations_service.need_signals(municipality_ids, since, now)
    return survey + rules.count_signals(signals)


async def demand_report(
    actor: Principal,
    *,
    region: str | None = None,
    municipality: str | None = None,
    slugs: Sequence[str] | None = None,
    start: str | date | None = None,
    end: str | date | None = None,
    now: datetime | None = None,
) -> DemandReport:
    now = now or utc_now()
    tz = current_settings().default_timezone
    first, last = _window(start, end, to_local(now, tz).date())
    everywhere = await events_service.organiser_municipalities(actor)
    places = await scope(actor, region, municipality, slugs)
    ids = [UUID(m.id) for m in places]
    counts = await need_counts(ids, now - NEEDS_PERIOD, now) if ids else []
    coverage = [
        rules.Coverage(
            municipality=c.municipality,
            topic=c.topic,
            last_held=c.last_held,
            next_planned=c.next_planned,
        )
        for c in (await events_service.topic_coverage(ids, now) if ids else [])
    ]
    found = rules.unmet_demand(
        counts,
        coverage,
        now=now,
        window_start=to_utc(datetime.combine(first, time()), tz, "from"),
        window_end=to_utc(datetime.combine(last + timedelta(days=1), time()), tz, "to"),
    )
    by_id = {UUID(m.id): m for m in places}
    return DemandReport(
        municipalities=places,
        regions=sorted({m.region for m in everywhere if m.region}),
        items=[(d, by_id[d.municipality]) for d in found if d.municipality in by_id],
        window_start=first,
        window_end=last,
    )


def demand_items(report: DemandReport, lang: str) -> list[DemandItem]:
    """The API's shape (docs/api.md: highest score first)."""
    return [
        DemandItem(
            municipality=m.slug,
            municipality_name=m.name,
            topic=d.topic,
            companies=d.companies,
            score=d.unmet,
            demand=d.demand,
            covered=d.covered,
            last_event_at=d.last_held,
            next_event_at=d.next_planned,
            reasons=reason_texts(d, m.name, lang, m.timezone),
        )
        for d, m in report.items
    ]
