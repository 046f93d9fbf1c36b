"""Unmet demand per municipality and topic: a pure function of needs and coverage.

The formula, for one (municipality, topic):

    weight(company) = the highest urgency (1 some time, 2 within the year, 3 now) with which
                      the company named the topic as a NEED (offers do not count)
    demand          = Σ weight over the distinct companies (a company is its organisation
                      number in survey answers, its normalised organisation name, or else the
                      registration, in registrations; the two sources' keys differ, so a
                      company that both answered and ticked counts once per source)
    covered         = an event (not cancelled) on the topic in the municipality starts inside
                      the window [window_start, window_end) the organiser chose (held or
                      planned: a draft counts, so a tour's drafts take their localities off
                      the list)
    unmet           = 0 if covered else demand

Ranking: unmet, then companies, then the topic's slug (stable). The reasons are data
(`Reason`), rendered to text in the reader's language by `planning.reasons`.

`count_signals` folds signals into `NeedCount`s (distinct companies per municipality, topic,
source and highest urgency); the SQL fast path (`planning.queries.need_counts`) returns the
same shape, so `unmet_demand` takes either.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum
from uuid import UUID

import msgspec

from traffpunkt.needs import NeedKind, NeedSignal, NeedSource

URGENCIES = (1, 2, 3)


class NeedCount(msgspec.Struct, frozen=True, kw_only=True):
    """How many distinct companies named a topic as a need at this (highest) urgency."""

    municipality: UUID
    topic: str
    source: NeedSource
    urgency: int
    companies: int


class Coverage(msgspec.Struct, frozen=True, kw_only=True):
    """Events on a topic in a municipality: the last one held (before now) and the next one
    planned (from now on), whether or not inside the window (the reasons name them)."""

    municipality: UUID
    topic: str
    last_held: datetime | None = None
    next_planned: datetime | None = None


class ReasonKind(StrEnum):
    COMPANIES = "companies"  # n companies in the municipality need the topic
    URGENT = "urgent"  # n of them need it now
    LAST_HELD = "last_held"  # the last event on it was held this long ago
    NEVER_HELD = "never_held"  # no event on it there yet
    PLANNED = "planned"  # the next one is planned (covers it when inside the window)


class Reason(msgspec.Struct, frozen=True, kw_only=True):
    kind: ReasonKind
    count: int = 0
    at: datetime | None = None
    months: int = 0  # whole months between `at` and now


class Demand(msgspec.Struct, frozen=True, kw_only=True):
    municipality: UUID
    topic: str
    companies: int  # distinct companies (per source, summed)
    by_urgency: tuple[int, int, int]  # companies at urgency 1, 2, 3
    by_source: dict[str, int]
    demand: int  # Σ highest urgency per company
    covered: bool
    unmet: int
    last_held: datetime | None
    next_planned: datetime | None
    reasons: tuple[Reason, ...]


def count_signals(signals: Iterable[NeedSignal]) -> list[NeedCount]:
    """Distinct companies per (municipality, topic, source) at their highest urgency."""
    highest: dict[tuple[UUID, str, NeedSource, str], int] = {}
    for s in signals:
        if s.kind != NeedKind.NEED or s.municipality is None:
            continue
        key = (s.municipality, s.topic, s.source, s.company)
        urgency = min(3, max(1, s.urgency))
        if highest.get(key, 0) < urgency:
            highest[key] = urgency
    counts: dict[tuple[UUID, str, NeedSource, int], int] = defaultdict(int)
    for (municipality, topic, source, _company), urgency in highest.items():
        counts[(municipality, topic, source, urgency)] += 1
    return [
        NeedCount(municipality=m, topic=t, source=src, urgency=u, companies=n)
        for (m, t, src, u), n in sorted(counts.items(), key=lambda kv: str(kv[0]))
    ]


def months_between(earlier: datetime, later: datetime) -> int:
    """Whole calendar months from `earlier` to `later` (0 when less than a month)."""
    months = (later.year - earlier.year) * 12 + later.month - earlier.month
    if later.day < earlier.day:
        months -= 1
    return max(0, months)


def unmet_demand(
    counts: Iterable[NeedCount],
    coverage: Iterable[Coverage],
    *,
    now: datetime,
    window_start: datetime,
    window_end: datetime,
) -> list[Demand]:
    """Every (municipality, topic) with a need, ranked by unmet demand (see the module)."""
    per_pair: dict[tuple[UUID, str], list[NeedCount]] = defaultdict(list)
    for c in counts:
        per_pair[(c.municipality, c.topic)].append(c)
    covering = {(c.municipality, c.topic): c for c in coverage}
    out: list[Demand] = []
    for (municipality, topic), rows in per_pair.items():
        by_urgency = [0, 0, 0]
        by_source: dict[str, int] = defaultdict(int)
        for r in rows:
            by_urgency[r.urgency - 1] += r.companies
            by_source[str(r.source)] += r.companies
        companies = sum(by_urgency)
        demand = sum(u * n for u, n in zip(URGENCIES, by_urgency, strict=True))
        cov = covering.get((municipality, topic))
        last = cov.last_held if cov else None
        nxt = cov.next_planned if cov else None
        covered = (last is not None and window_start <= last < window_end) or (
            nxt is not None and window_start <= nxt < window_end
        )
        reasons = [Reason(kind=ReasonKind.COMPANIES, count=companies)]
        if by_urgency[2]:
            reasons.append(Reason(kind=ReasonKind.URGENT, count=by_urgency[2]))
        if last is not None:
            reasons.append(
                Reason(kind=ReasonKind.LAST_HELD, at=last, months=months_between(last, now))
            )
        else:
            reasons.append(Reason(kind=ReasonKind.NEVER_HELD))
        if nxt is not None:
            reasons.append(Reason(kind=ReasonKind.PLANNED, at=nxt))
        out.append(
            Demand(
                municipality=municipality,
                topic=topic,
                companies=companies,
                by_urgency=(by_urgency[0], by_urgency[1], by_urgency[2]),
                by_source=dict(by_source),
                demand=demand,
                covered=covered,
                unmet=0 if covered else demand,
                last_held=last,
                next_planned=nxt,
                reasons=tuple(reasons),
            )
        )
    out.sort(key=lambda d: (-d.unmet, -d.companies, d.topic, str(d.municipality)))
    return out
