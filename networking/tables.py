"""Decisions about suggested people, introductions made, and 1:1 meeting plans."""

from __future__ import annotations

from piccolo.columns import UUID, ForeignKey, Integer, OnDelete, Text, Timestamptz, Varchar
from piccolo.table import Table

from events.tables import Event
from networking.statuses import PlanStatus


class Decision(Table, tablename="match_decision"):
    """A said yes ("I'd like to meet") or no ("Not now") to B; the latest answer counts."""

    id = UUID(primary_key=True)
    event = ForeignKey(Event, on_delete=OnDelete.cascade, index=True, null=False)
    # "<from registration>:<to registration>": one decision per direction.
    pair = Varchar(length=80, unique=True)
    from_registration = UUID(index=True)
    to_registration = UUID(index=True)
    decision = Varchar(length=8)  # statuses.Answer
    decided_at = Timestamptz()


class Introduction(Table, tablename="introduction"):
    """Made once per pair, when both said yes; both got each other's contact details."""

    id = UUID(primary_key=True)
    event = ForeignKey(Event, on_delete=OnDelete.cascade, index=True, null=False)
    pair = Varchar(length=80, unique=True)  # the two registration ids, sorted
    created_at = Timestamptz()


class MeetingPlan(Table, tablename="meeting_plan"):
    id = UUID(primary_key=True)
    event = ForeignKey(Event, on_delete=OnDelete.cascade, index=True, null=False)
    slots = Integer()
    minutes = Integer()
    tables = Integer()
    starts_at = Timestamptz()
    status = Varchar(length=16, default=PlanStatus.DRAFT.value)  # statuses.PlanStatus
    # JSON: [{"slot", "table", "a", "b", "score", "mutual"}] with registration ids.
    meetings = Text(default="[]")
    total_score = Text(default="0")
    created_at = Timestamptz()
    published_at = Timestamptz(null=True, default=None)
