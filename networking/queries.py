"""Queries of the networking domain; rows come back typed (UUIDs, datetimes, StrEnums)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec

from networking.statuses import Answer, PlanStatus
from networking.tables import Decision, Introduction, MeetingPlan


class DecisionRow(msgspec.Struct, frozen=True):
    """One answer: `from_registration` said `decision` of `to_registration`."""

    from_registration: UUID
    to_registration: UUID
    decision: Answer


class PlanRow(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    event: UUID
    slots: int
    minutes: int
    tables: int
    starts_at: datetime
    status: PlanStatus
    # JSON: [{"slot", "table", "a", "b", "weight", "mutual"}] with registration ids.
    meetings: str
    total_score: str
    created_at: datetime
    published_at: datetime | None


async def decisions_of_event(event_id: UUID) -> list[DecisionRow]:
    rows = await Decision.select(
        Decision.from_registration, Decision.to_registration, Decision.decision
    ).where(Decision.event == event_id)
    return [
        DecisionRow(r["from_registration"], r["to_registration"], Answer(r["decision"]))
        for r in rows
    ]


async def upsert_decision(values: dict[str, Any]) -> None:
    await Decision.insert(Decision(**values)).on_conflict(
        target=Decision.pair,
        action="DO UPDATE",
        values=[Decision.decision, Decision.decided_at],
    )


async def decision(pair: str) -> Answer | None:
    """The latest answer of the pair "<from registration>:<to registration>"."""
    row = await Decision.select(Decision.decision).where(Decision.pair == pair).first()
    return None if row is None else Answer(row["decision"])


async def insert_introduction(values: dict[str, Any]) -> bool:
    """True only for the first insert of a pair: introductions happen exactly once."""
    rows = (
        await Introduction.insert(Introduction(**values))
        .on_conflict(target=Introduction.pair, action="DO NOTHING")
        .returning(Introduction.id)
    )
    return bool(rows)


async def introductions_of_event(event_id: UUID) -> list[str]:
    rows = await Introduction.select(Introduction.pair).where(Introduction.event == event_id)
    return [r["pair"] for r in rows]


async def replace_draft_plan(event_id: UUID, values: dict[str, Any]) -> None:
    await MeetingPlan.delete().where(
        (MeetingPlan.event == event_id) & (MeetingPlan.status == PlanStatus.DRAFT)
    )
    await MeetingPlan.insert(MeetingPlan(**values))


async def latest_plan(event_id: UUID, published_only: bool = False) -> PlanRow | None:
    where: Any = MeetingPlan.event == event_id
    if published_only:
        where &= MeetingPlan.status == PlanStatus.PUBLISHED
    row = await (
        MeetingPlan.select().where(where).order_by(MeetingPlan.created_at, ascending=False).first()
    )
    if row is None:
        return None
    row["status"] = PlanStatus(row["status"])
    return PlanRow(**row)


async def publish_plan(plan_id: UUID, event_id: UUID, at: datetime) -> None:
    # One published plan per event: an older published one is withdrawn.
    await MeetingPlan.delete().where(
        (MeetingPlan.event == event_id)
        & (MeetingPlan.status == PlanStatus.PUBLISHED)
        & (MeetingPlan.id != plan_id)
    )
    await MeetingPlan.update(
        {MeetingPlan.status: PlanStatus.PUBLISHED, MeetingPlan.published_at: at}
    ).where(MeetingPlan.id == plan_id)
