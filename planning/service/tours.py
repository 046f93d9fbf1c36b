"""Seminar tours: a proposal from the pure planner (`planning.tours`), stored so the organiser
can adjust it (drop a stop, change a day or a venue), then its draft events created in one
step, through the events domain's own create function (rights, validation, audit log)."""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from uuid import UUID, uuid4

import msgspec

from events import service as events_service
from events import topics
from events.schemas import EventIn, MunicipalityOut, VenueOut
from events.statuses import EventKind
from planning import queries
from planning import tours as planner
from planning.reasons import PROBLEM_TEXTS, reason_texts
from planning.schemas import TourIn, TourOut, TourStopOut
from planning.service.demand import demand_report
from planning.service.experts import expert_home, expert_travel_dates
from planning.service.travel import travel_times
from planning.travel import Place
from traffpunkt import db
from traffpunkt.auth import Principal
from traffpunkt.clock import utc_now
from traffpunkt.errors import Conflict, FieldError, Invalid, NotFound
from traffpunkt.ids import parse_id
from traffpunkt.localtime import to_local, to_utc
from traffpunkt.settings import current_settings

# The day (local time): the expert sets off at 08:00; the event starts after the travel and
# half an hour to set up (on the quarter hour, not before 10:00, not after 15:30) and lasts
# 2½ hours: travel + SEMINAR_MINUTES (setting up + the event) within 08:00–18:00.
DAY_STARTS = time(8, 0)
SETUP_MINUTES = 30
EVENT_MINUTES = planner.SEMINAR_MINUTES - SETUP_MINUTES
EARLIEST_START = time(10, 0)
LATEST_START = time(15, 30)
MAX_RANGE_DAYS = 92  # a tour is planned within a quarter


class StoredStop(msgspec.Struct, kw_only=True):
    municipality: UUID
    venue: UUID
    day: date
    travel_minutes: int
    unmet: int


def _today() -> date:
    return to_local(utc_now(), current_settings().default_timezone).date()


async def _slugs(stops: list[StoredStop]) -> list[str]:
    """The stops' municipalities (a tour's page reads only those, not all an admin has)."""
    return [(await events_service.get_municipality(str(s.municipality))).slug for s in stops]


def _planner_stops(stops: list[StoredStop]) -> list[planner.Stop]:
    return [planner.Stop(s.day, s.municipality, s.venue, s.travel_minutes, s.unmet) for s in stops]


def event_times(day: date, travel_minutes: int) -> tuple[datetime, datetime]:
    """Local start and end of the day's event (naive wall-clock times)."""
    earliest = datetime.combine(day, DAY_STARTS) + timedelta(minutes=travel_minutes + SETUP_MINUTES)
    quarter = math.ceil((earliest.hour * 60 + earliest.minute) / 15) * 15
    start_minutes = min(
        max(quarter, EARLIEST_START.hour * 60 + EARLIEST_START.minute),
        LATEST_START.hour * 60 + LATEST_START.minute,
    )
    start = datetime.combine(day, time()) + timedelta(minutes=start_minutes)
    return start, start + timedelta(minutes=EVENT_MINUTES)


class _Context(msgspec.Struct, kw_only=True):
    """What planning a tour needs from the database, read once."""

    places: dict[UUID, MunicipalityOut]
    venues: dict[UUID, list[VenueOut]]
    localities: dict[UUID, planner.Locality]
    minutes: planner.Minutes
    available: set[date] | None
    reasons: dict[UUID, list[str]]


async def _context(
    actor: Principal,
    topic: str,
    municipalities: list[str] | None,
    expert_id: UUID | None,
    start: date,
    end: date,
    lang: str,
) -> _Context:
    events_service.check_topics([topic], "topic")
    report = await demand_report(actor, slugs=municipalities)
    places = {UUID(m.id): m for m in report.municipalities}
    unmet: dict[UUID, int] = {}
    reasons: dict[UUID, list[str]] = {}
    for d, m in report.items:
        if d.topic == topic and UUID(m.id) in places:
            unmet[UUID(m.id)] = d.unmet
            reasons[UUID(m.id)] = reason_texts(d, m.name, lang, m.timezone)
    tz = current_settings().default_timezone
    busy = await events_service.bookings(
        list(places),
        to_utc(datetime.combine(start, time()), tz, "from"),
        to_utc(datetime.combine(end + timedelta(days=1), time()), tz, "to"),
        tz,
    )
    venue_busy: dict[UUID, set[date]] = defaultdict(set)
    place_busy: dict[UUID, set[date]] = defaultdict(set)
    for b in busy:
        place_busy[b.municipality].add(b.day)
        if b.venue is not None:
            venue_busy[b.venue].add(b.day)
    venues = {k: await events_service.list_venues(m.slug) for k, m in places.items()}
    localities = {
        k: planner.Locality(
            municipality=k,
            unmet=unmet.get(k, 0),
            venues=tuple(
                planner.VenueSlot(UUID(v.id), v.capacity, frozenset(venue_busy[UUID(v.id)]))
                for v in venues[k]
            ),
            busy=frozenset(place_busy[k]),
        )
        for k in places
    }
    # Every municipality with coordinates: the expert may live outside the tour's region.
    travel = await travel_times(await events_service.list_municipalities())
    home: Place | UUID | None = None
    available: set[date] | None = None
    if expert_id is not None:
        expert = await queries.expert(expert_id)
        if expert is None or expert.answered_at is None:
            raise Invalid.field("expert_id", "No such expert")
        home = expert_home(expert)
        available = expert_travel_dates(expert) or None

    def minutes(origin: UUID | None, to: UUID) -> int | None:
        if origin is not None:
            return travel.minutes(origin, to)
        if home is None:  # no expert named: the speaker is local, the first day has no travel
            return 0
        if isinstance(home, UUID):
            return travel.minutes(home, to)
        return travel.from_place(home, to)

    return _Context(
        places=places,
        venues=venues,
        localities=localities,
        minutes=minutes,
        available=available,
        reasons=reasons,
    )


def _check_range(start: date, end: date) -> None:
    if end < start:
        raise Invalid.field("to", "The end comes before the start")
    if (end - start).days > MAX_RANGE_DAYS:
        raise Invalid.field("to", "Plan a tour within {days} days", days=MAX_RANGE_DAYS)


async def propose_tour(actor: Principal, body: TourIn, lang: str = "sv") -> TourOut:
    """The planner's tour for the topic, stored as a proposal (nothing booked yet)."""
    _check_range(body.start, body.end)
    expert_id = parse_id(body.expert_id, field="expert_id") if body.expert_id else None
    ctx = await _context(
        actor, body.topic, body.municipalities, expert_id, body.start, body.end, lang
    )
    tour = planner.plan_tour(
        list(ctx.localities.values()),
        start=body.start,
        end=body.end,
        minutes=ctx.minutes,
        min_capacity=body.min_capacity,
        max_stops=body.max_stops,
        available=ctx.available,
    )
    stops = [
        StoredStop(
            municipality=s.municipality,
            venue=s.venue,
            day=s.day,
            travel_minutes=s.travel_minutes,
            unmet=s.unmet,
        )
        for s in tour.stops
    ]
    tour_id = uuid4()
    async with db.transaction():
        await queries.insert_tour(
            {
                "id": tour_id,
                "topic": body.topic,
                "expert": expert_id,
                "stops": msgspec.json.encode(stops).decode(),
                "min_capacity": body.min_capacity,
                "created_by": actor.organiser_id,
                "created_at": utc_now(),
            }
        )
    return _out(tour_id, body.topic, expert_id, stops, ctx, [])


def _out(
    tour_id: UUID,
    topic: str,
    expert_id: UUID | None,
    stops: list[StoredStop],
    ctx: _Context,
    events: list[str],
) -> TourOut:
    out: list[TourStopOut] = []
    for s in stops:
        place = ctx.places[s.municipality]
        venue = next((v for v in ctx.venues[s.municipality] if UUID(v.id) == s.venue), None)
        start, end = event_times(s.day, s.travel_minutes)
        out.append(
            TourStopOut(
                municipality=place.slug,
                municipality_name=place.name,
                venue_id=str(s.venue),
                venue_name=venue.name if venue else "",
                day=s.day,
                starts_at=to_utc(start, place.timezone, "starts_at"),
                ends_at=to_utc(end, place.timezone, "ends_at"),
                travel_minutes=s.travel_minutes,
                score=s.unmet,
                reasons=ctx.reasons.get(s.municipality, []),
            )
        )
    return TourOut(
        id=str(tour_id),
        topic=topic,
        expert_id=str(expert_id) if expert_id else None,
        stops=out,
        covered=sum(s.unmet for s in stops),
        travel_minutes=sum(s.travel_minutes for s in stops),
        events=events,
    )


async def _stored(actor: Principal, tour_id: str) -> tuple[queries.TourRow, list[StoredStop]]:
    row = await queries.tour(parse_id(tour_id))
    if row is None:
        raise NotFound("No such tour")
    stops = msgspec.json.decode(row.stops, type=list[StoredStop])
    # A tour is the business of whoever organises every locality on it (and of its maker).
    if not stops and row.created_by != actor.organiser_id and not actor.is_admin:
        raise NotFound("No such tour")
    for s in stops:
        actor.require_municipality(s.municipality)
    return row, stops


class TourPage(msgspec.Struct, kw_only=True):
    """A tour as its page shows it: the stops, each locality's venues to choose from, and
    what breaks a rule now (codes of `planning.tours.check_tour`)."""

    tour: TourOut
    venues: dict[str, list[VenueOut]]  # municipality slug -> venues
    problems: list[planner.Problem]
    events_created: bool


async def get_tour(actor: Principal, tour_id: str, lang: str = "sv") -> TourPage:
    row, stops = await _stored(actor, tour_id)
    first = min((s.day for s in stops), default=_today())
    last = max((s.day for s in stops), default=first)
    ctx = await _context(actor, row.topic, await _slugs(stops), row.expert, first, last, lang)
    problems = (
        planner.check_tour(
            _planner_stops(stops),
            ctx.localities,
            minutes=ctx.minutes,
            min_capacity=row.min_capacity,
            available=ctx.available,
        )
        if row.events_created_at is None
        else []
    )
    return TourPage(
        tour=_out(row.id, row.topic, row.expert, stops, ctx, []),
        venues={m.slug: ctx.venues[k] for k, m in ctx.places.items()},
        problems=problems,
        events_created=row.events_created_at is not None,
    )


class StopChange(msgspec.Struct, kw_only=True):
    """One stop as the organiser leaves it: kept or dropped, its day and venue."""

    municipality: str  # slug
    day: date
    venue_id: str
    keep: bool = True


async def adjust_tour(
    actor: Principal, tour_id: str, changes: list[StopChange], lang: str = "sv"
) -> tuple[TourOut, list[planner.Problem]]:
    """Apply the organiser's changes; refuse (422) what breaks a hard rule (a day that is not
    a working day, a venue too small or taken, a locality twice a day or one already busy);
    return the soft ones (days not consecutive, a day too long, the expert not free) as
    warnings."""
    row, stops = await _stored(actor, tour_id)
    if row.events_created_at is not None:
        raise Conflict("The tour's events are already created")
    by_slug_stop = {s.municipality: s for s in stops}
    days = [c.day for c in changes] or [s.day for s in stops]
    today = _today()
    ctx = await _context(
        actor,
        row.topic,
        await _slugs(stops),
        row.expert,
        min(days, default=today),
        max(days, default=today),
        lang,
    )
    slug_to_id = {m.slug: k for k, m in ctx.places.items()}
    new: list[StoredStop] = []
    for c in changes:
        if not c.keep:
            continue
        place = slug_to_id.get(c.municipality)
        if place is None or place not in by_slug_stop:
            raise Invalid.field("municipality", "Not a stop of this tour")
        new.append(
            StoredStop(
                municipality=place,
                venue=parse_id(c.venue_id, field="venue_id"),
                day=c.day,
                travel_minutes=0,
                unmet=ctx.localities[place].unmet,
            )
        )
    new.sort(key=lambda s: s.day)
    for i, s in enumerate(new):
        origin = new[i - 1].municipality if i else None
        s.travel_minutes = ctx.minutes(origin, s.municipality) or 0
    problems = planner.check_tour(
        _planner_stops(new),
        ctx.localities,
        minutes=ctx.minutes,
        min_capacity=row.min_capacity,
        available=ctx.available,
    )
    hard = [p for p in problems if p.code in HARD_RULES]
    if hard:
        # Each error under its stop (the stops in the order of their days).
        raise Invalid(
            "The tour breaks a rule",
            errors=[
                FieldError(f"stop-{new[p.stop].municipality}", PROBLEM_TEXTS[p.code]) for p in hard
            ],
        )
    async with db.transaction():
        await queries.update_tour(row.id, {"stops": msgspec.json.encode(new).decode()})
    return _out(row.id, row.topic, row.expert, new, ctx, []), problems


HARD_RULES = {
    "not_working_day",
    "locality_twice",
    "locality_busy",
    "unknown_venue",
    "too_small",
    "venue_busy",
}


async def create_tour_events(actor: Principal, tour_id: str, lang: str = "sv") -> TourOut:
    """The stops as draft events, all or none (one transaction), each through
    `events.service.create_event` (the organiser's rights over each municipality checked)."""
    row, stops = await _stored(actor, tour_id)
    if not stops:
        raise Conflict("The tour has no stops")
    topic = topics.BY_SLUG[row.topic]
    ids: list[str] = []
    async with db.transaction():
        if not await queries.claim_tour_events(row.id, utc_now()):
            raise Conflict("The tour's events are already created")
        ctx = await _context(
            actor, row.topic, await _slugs(stops), row.expert, stops[0].day, stops[-1].day, lang
        )
        problems = planner.check_tour(
            _planner_stops(stops),
            ctx.localities,
            minutes=ctx.minutes,
            min_capacity=row.min_capacity,
        )
        hard = [p for p in problems if p.code in HARD_RULES]
        if hard:
            # Booked meanwhile (another event took the venue or the day): adjust the tour.
            raise Conflict(
                "Stop {n} cannot be held so any more (its venue or day was taken meanwhile): "
                "adjust the tour",
                params={"n": hard[0].stop + 1},
            )
        for s in stops:
            place = ctx.places[s.municipality]
            venue = next(v for v in ctx.venues[s.municipality] if UUID(v.id) == s.venue)
            start, end = event_times(s.day, s.travel_minutes)
            created = await events_service.create_event(
                actor,
                EventIn(
                    title=f"{topic.sv}: seminarium i {place.name}",
                    kind=EventKind.SEMINAR,
                    municipality=place.slug,
                    venue_id=venue.id,
                    starts_at=start.isoformat(timespec="minutes"),
                    ends_at=end.isoformat(timespec="minutes"),
                    capacity=venue.capacity,
                    topics=[row.topic],
                    language="sv",
                ),
            )
            ids.append(created.id)
    return _out(row.id, row.topic, row.expert, stops, ctx, ids)
