"""Shapes of the planning API (docs/api.md: "Needs survey, demand, tours")."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import msgspec
from msgspec import Meta

from events.schemas import Strict


class DemandItem(msgspec.Struct, kw_only=True):
    municipality: str  # slug
    municipality_name: str
    topic: str
    companies: int  # distinct companies that need it
    score: int  # unmet demand: Σ urgency over companies, 0 when an event covers it
    demand: int  # the same before coverage
    covered: bool  # an event on it in the window
    last_event_at: datetime | None
    next_event_at: datetime | None
    reasons: list[str]


class DemandList(msgspec.Struct, kw_only=True):
    items: list[DemandItem]
    next: str | None = None


Slug = Annotated[str, Meta(min_length=1, max_length=64)]


class TourIn(Strict, kw_only=True):
    topic: Slug
    start: date = msgspec.field(name="from")
    end: date = msgspec.field(name="to")
    municipalities: list[Slug] | None = None  # default: every one the organiser manages
    expert_id: str | None = None
    min_capacity: Annotated[int, Meta(ge=1, le=10000)] = 15
    max_stops: Annotated[int, Meta(ge=1, le=15)] = 10


class TourStopOut(msgspec.Struct, kw_only=True):
    municipality: str  # slug
    municipality_name: str
    venue_id: str
    venue_name: str
    day: date
    starts_at: datetime
    ends_at: datetime
    travel_minutes: int
    score: int
    reasons: list[str]


class TourOut(msgspec.Struct, kw_only=True):
    id: str
    topic: str
    expert_id: str | None
    stops: list[TourStopOut]
    covered: int
    travel_minutes: int
    events: list[str] = msgspec.field(default_factory=list)  # draft event ids, once created
