"""Bodies of the networking API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec
from msgspec import Meta

from events.schemas import LocalDateTime, Strict
from networking.statuses import Answer, PlanStatus
from registrations.statuses import AttendeeRole


class MatchOut(msgspec.Struct, kw_only=True):
    id: str
    name: str
    organisation: str
    score: float
    reasons: list[str]
    role: AttendeeRole
    decision: Answer | None = None
    mutual: bool = False
    # Only once both said yes.
    email: str | None = None


class MatchList(msgspec.Struct, kw_only=True):
    items: list[MatchOut]
    next: str | None = None
    consent: bool = True


class DecisionIn(Strict, kw_only=True):
    decision: Answer


class DecisionOut(msgspec.Struct, kw_only=True):
    decision: Answer
    mutual: bool
    introduced: bool


class PlanIn(Strict, kw_only=True):
    slots: Annotated[int, Meta(ge=1, le=20)] = 6
    minutes: Annotated[int, Meta(ge=5, le=120)] = 10
    tables: Annotated[int, Meta(ge=1, le=1000)]
    starts_at: LocalDateTime | None = None  # default: the event's start


class MeetingOut(msgspec.Struct, kw_only=True):
    slot: int
    table: int
    starts_at: datetime
    a: str
    a_name: str
    b: str
    b_name: str
    score: float
    mutual: bool


class PlanOut(msgspec.Struct, kw_only=True):
    id: str
    status: PlanStatus
    slots: int
    minutes: int
    tables: int
    starts_at: datetime
    total_score: float
    greedy_total_score: float
    participants: int
    meetings: list[MeetingOut]


class SourceCounts(msgspec.Struct, kw_only=True):
    need: str  # a number, or "<3"
    offer: str


class NeedsRow(msgspec.Struct, kw_only=True):
    topic: str
    label: str
    need: str  # a number, or "<3" so that no one is identifiable (all sources shown)
    offer: str
    # Per source ("registration", "survey"; "evaluation" later): the same counts.
    sources: dict[str, SourceCounts] = {}


class NeedsMap(msgspec.Struct, kw_only=True):
    municipality: str | None
    start: str
    end: str
    people: str  # companies and people counted (distinct per source), or "<3"
    items: list[NeedsRow]
    next: str | None = None
    sources: list[str] = []  # the sources counted, in column order
    sector: str | None = None  # SNI section filter
    size_band: str | None = None
