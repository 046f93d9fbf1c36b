"""The seminar tour planner: a pure function (no database, no clock).

Given a topic's localities ranked by unmet demand, an expert (where they start, the dates they
can travel), a date range, travel times, the venues (capacity, the dates they are taken) and a
minimum capacity, choose and order localities into **consecutive working days**.

Rules (each checked by `check_tour`, which the organiser's adjusted tour goes through too):

- Working days: Monday–Friday that are not Swedish public holidays (`holidays`, with the
  de facto days off: Midsummer Eve, Christmas Eve and New Year's Eve); the tour's days follow each
  other without a gap of working days, inside the range and on dates the expert can travel.
- The day's work: the travel to the locality (from the expert's home on the first day, from
  the previous locality on the others; the expert sleeps where the last seminar was) plus the
  seminar (`SEMINAR_MINUTES`, 3 h with setting up and talking afterwards) must fit a working
  day (`WORKDAY_MINUTES`, 10 h). The way home after the last seminar is the expert's own
  evening and not planned.
- Each stop is at a venue of the locality with at least the minimum capacity (a venue without
  a known capacity does not qualify) that is free that day; the smallest such venue is taken
  (a big hall stays free for others). One event per locality per day: a locality that already
  has an event that day is not visited that day, and a tour visits a locality once.
- Objective: maximise the unmet demand covered (Σ of the visited localities' unmet demand),
  then minimise the total travel minutes.

The search: a dynamic programme over (localities visited, the last one), one layer per working
day, where each day a tour may also start. It is exact while a layer holds at most `BEAM`
states (always so for the small cases the tests compare with brute force); on a large region
each layer keeps the `BEAM` best states by (demand covered, −travel). The greedy tour
(`greedy_tour`: each day the feasible locality with most unmet demand, the nearest on a tie)
is computed too and the better of the two returned, so the planner is never worse than the
greedy baseline.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import date, timedelta
from functools import cache
from uuid import UUID

import holidays
import msgspec

SEMINAR_MINUTES = 180
WORKDAY_MINUTES = 600
BEAM = 250
MAX_CANDIDATES = 30  # localities considered: the most unmet demand first

Minutes = Callable[[UUID | None, UUID], int | None]  # None origin: the expert's home


class VenueSlot(msgspec.Struct, frozen=True):
    id: UUID
    capacity: int | None
    busy: frozenset[date] = frozenset()  # days the venue is already taken


class Locality(msgspec.Struct, frozen=True):
    municipality: UUID
    unmet: int
    venues: tuple[VenueSlot, ...] = ()
    busy: frozenset[date] = frozenset()  # days with an event there already


class Stop(msgspec.Struct, frozen=True):
    day: date
    municipality: UUID
    venue: UUID
    travel_minutes: int  # from home (first stop) or the previous stop
    unmet: int


class Tour(msgspec.Struct, frozen=True):
    stops: tuple[Stop, ...]

    @property
    def covered(self) -> int:
        return sum(s.unmet for s in self.stops)

    @property
    def travel(self) -> int:
        return sum(s.travel_minutes for s in self.stops)

    def score(self) -> tuple[int, int]:
        """Bigger is better: demand covered, then less travel."""
        return (self.covered, -self.travel)


EMPTY = Tour(stops=())


@cache
def _swedish_holidays(year: int) -> frozenset[date]:
    # de_facto: Midsummer Eve, Christmas Eve and New Year's Eve, days off in practice.
    return frozenset(holidays.country_holidays("SE", years=year, categories=("public", "de_facto")))


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _swedish_holidays(day.year)


def working_days(start: date, end: date) -> list[date]:
    """Working days in [start, end] (both included)."""
    out: list[date] = []
    day = start
    while day <= end:
        if is_working_day(day):
            out.append(day)
        day += timedelta(days=1)
    return out


def next_working_day(day: date) -> date:
    day += timedelta(days=1)
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def fits_day(travel_minutes: int | None) -> bool:
    return travel_minutes is not None and travel_minutes + SEMINAR_MINUTES <= WORKDAY_MINUTES


def venue_for(locality: Locality, day: date, min_capacity: int) -> VenueSlot | None:
    """The smallest venue with enough seats that is free that day (None: none)."""
    if day in locality.busy:
        return None
    fitting = [
        v
        for v in locality.venues
        if v.capacity is not None and v.capacity >= min_capacity and day not in v.busy
    ]
    if not fitting:
        return None
    return min(fitting, key=lambda v: (v.capacity or 0, str(v.id)))


def _day_runs(days: Sequence[date], available: Collection[date] | None) -> list[list[date]]:
    """For each possible first day: the consecutive working days from it on which the expert
    can travel (a run stops at the first day they cannot)."""
    runs: list[list[date]] = []
    for i, first in enumerate(days):
        if available is not None and first not in available:
            continue
        run = [first]
        for d in days[i + 1 :]:
            if available is not None and d not in available:
                break
            run.append(d)
        runs.append(run)
    return runs


def plan_tour(
    localities: Sequence[Locality],
    *,
    start: date,
    end: date,
    minutes: Minutes,
    min_capacity: int,
    max_stops: int = 10,
    available: Collection[date] | None = None,
) -> Tour:
    """The best tour (see the module for the rules and the search); EMPTY when none fits."""
    candidates = _candidates(localities)
    days = working_days(start, end)
    best = _search(candidates, days, available, minutes, min_capacity, max_stops)
    greedy = greedy_tour(
        localities,
        start=start,
        end=end,
        minutes=minutes,
        min_capacity=min_capacity,
        max_stops=max_stops,
        available=available,
    )
    return greedy if greedy.score() > best.score() else best


def _candidates(localities: Sequence[Locality]) -> list[Locality]:
    useful = [loc for loc in localities if loc.unmet > 0]
    useful.sort(key=lambda loc: (-loc.unmet, str(loc.municipality)))
    return useful[:MAX_CANDIDATES]


# A state (keyed by visited mask and last index): covered, travel, its stops (newest first,
# as a linked list: (stop, rest)).
_Stops = tuple[Stop, "_Stops"] | None
_State = tuple[int, int, int, _Stops]  # covered, travel, length, stops


def _search(
    candidates: Sequence[Locality],
    days: Sequence[date],
    available: Collection[date] | None,
    minutes: Minutes,
    min_capacity: int,
    max_stops: int,
) -> Tour:
    """One pass over the working days: each day a tour may start (from home) or go on from
    yesterday's states; a day the expert cannot travel ends every tour. A layer's states are
    keyed by (visited, last): two tours that reach the same localities and end in the same one
    on the same day have the same future, so the better one is kept (exact dynamic
    programming) — until a layer holds more than BEAM states, when the BEAM best are kept."""
    n = len(candidates)
    ids = [c.municipality for c in candidates]
    home = [minutes(None, m) for m in ids]
    travel = [[minutes(a, b) for b in ids] for a in ids]
    fits_home = [j for j in range(n) if fits_day(home[j])]
    fits_from = [[j for j in range(n) if i != j and fits_day(travel[i][j])] for i in range(n)]
    best: tuple[int, int] = (0, 0)
    best_stops: _Stops = None
    layer: dict[tuple[int, int], _State] = {}
    for day in days:
        if available is not None and day not in available:
            layer = {}
            continue
        hosts: dict[int, VenueSlot] = {}
        for j, loc in enumerate(candidates):
            venue = venue_for(loc, day, min_capacity)
            if venue is not None:
                hosts[j] = venue
        nxt: dict[tuple[int, int], _State] = {}
        for j in fits_home:
            venue_j = hosts.get(j)
            if venue_j is None:
                continue
            t = home[j]
            assert t is not None
            stop = Stop(day, ids[j], venue_j.id, t, candidates[j].unmet)
            state: _State = (candidates[j].unmet, t, 1, (stop, None))
            key = (1 << j, j)
            old = nxt.get(key)
            if old is None or (state[0], -state[1]) > (old[0], -old[1]):
                nxt[key] = state
        for (mask, last), (covered, spent, length, stops) in layer.items():
            if length >= max_stops:
                continue
            row = travel[last]
            for j in fits_from[last]:
                if mask & (1 << j):
                    continue
                venue_j = hosts.get(j)
                if venue_j is None:
                    continue
                t = row[j]
                assert t is not None
                unmet = candidates[j].unmet
                key = (mask | (1 << j), j)
                old = nxt.get(key)
                c2, s2 = covered + unmet, spent + t
                if old is not None and (old[0], -old[1]) >= (c2, -s2):
                    continue
                stop = Stop(day, ids[j], venue_j.id, t, unmet)
                nxt[key] = (c2, s2, length + 1, (stop, stops))
        if len(nxt) > BEAM:
            kept = sorted(nxt.items(), key=lambda kv: (kv[1][0], -kv[1][1]), reverse=True)
            nxt = dict(kept[:BEAM])
        layer = nxt
        for covered, spent, _length, stops in layer.values():
            if (covered, -spent) > best:
                best, best_stops = (covered, -spent), stops
    out: list[Stop] = []
    while best_stops is not None:
        stop, best_stops = best_stops
        out.append(stop)
    return Tour(stops=tuple(reversed(out)))


def greedy_tour(
    localities: Sequence[Locality],
    *,
    start: date,
    end: date,
    minutes: Minutes,
    min_capacity: int,
    max_stops: int = 10,
    available: Collection[date] | None = None,
) -> Tour:
    """The baseline: from the first day the expert can travel, each day the feasible
    locality with most unmet demand (the nearest on a tie); stops when none fits."""
    runs = _day_runs(working_days(start, end), available)
    if not runs:
        return EMPTY
    stops: list[Stop] = []
    visited: set[UUID] = set()
    origin: UUID | None = None
    for day in runs[0][:max_stops]:
        options: list[tuple[int, int, str, Locality, VenueSlot]] = []
        for loc in _candidates(localities):
            if loc.municipality in visited:
                continue
            venue = venue_for(loc, day, min_capacity)
            t = minutes(origin, loc.municipality)
            if venue is None or not fits_day(t):
                continue
            assert t is not None
            options.append((-loc.unmet, t, str(loc.municipality), loc, venue))
        if not options:
            break
        _, t, _, loc, venue = min(options, key=lambda o: (o[0], o[1], o[2]))
        stops.append(Stop(day, loc.municipality, venue.id, t, loc.unmet))
        visited.add(loc.municipality)
        origin = loc.municipality
    return Tour(stops=tuple(stops))


class Problem(msgspec.Struct, frozen=True):
    """What is wrong with a (adjusted) tour: `code` names the rule, `stop` the stop's index."""

    code: str
    stop: int


def check_tour(
    stops: Sequence[Stop],
    localities: Mapping[UUID, Locality],
    *,
    minutes: Minutes,
    min_capacity: int,
    available: Collection[date] | None = None,
) -> list[Problem]:
    """Every rule the module names, for a tour as the organiser adjusted it (stops in order)."""
    problems: list[Problem] = []
    seen_localities: set[UUID] = set()
    seen_venue_days: set[tuple[UUID, date]] = set()
    seen_locality_days: set[tuple[UUID, date]] = set()
    for i, stop in enumerate(stops):
        loc = localities.get(stop.municipality)
        if not is_working_day(stop.day):
            problems.append(Problem("not_working_day", i))
        if available is not None and stop.day not in available:
            problems.append(Problem("expert_unavailable", i))
        if i > 0 and stop.day != next_working_day(stops[i - 1].day):
            problems.append(Problem("not_consecutive", i))
        if stop.municipality in seen_localities:
            problems.append(Problem("locality_twice", i))
        if (stop.municipality, stop.day) in seen_locality_days or (
            loc is not None and stop.day in loc.busy
        ):
            problems.append(Problem("locality_busy", i))
        venue = next((v for v in loc.venues if v.id == stop.venue), None) if loc else None
        if venue is None:
            problems.append(Problem("unknown_venue", i))
        else:
            if venue.capacity is None or venue.capacity < min_capacity:
                problems.append(Problem("too_small", i))
            if stop.day in venue.busy or (venue.id, stop.day) in seen_venue_days:
                problems.append(Problem("venue_busy", i))
        origin = stops[i - 1].municipality if i > 0 else None
        if not fits_day(minutes(origin, stop.municipality)):
            problems.append(Problem("too_far", i))
        seen_localities.add(stop.municipality)
        seen_locality_days.add((stop.municipality, stop.day))
        seen_venue_days.add((stop.venue, stop.day))
    return problems
