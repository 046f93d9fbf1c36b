"""Queries of the networking domain."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from networking.tables import Decision, Introduction, MeetingPlan


async def decisions_of_event(event_id: UUID) -> list[dict[str, Any]]:
    return await Decision.select(
        Decision.from_registration, Decision.to_registration, Decision.decision
    ).where(Decision.event == event_id)


async def upsert_decision(values: dict[str, Any]) -> None:
    await Decision.insert(Decision(**values)).on_conflict(
        target=Decision.pair,
        action="DO UPDATE",
        values=[Decision.decision, Decision.decided_at],
    )


async def decision(pair: str) -> dict[str, Any] | None:
    return await Decision.select().where(Decision.pair == pair).first()


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
        (MeetingPlan.event == event_id) & (MeetingPlan.status == "draft")
    )
    await MeetingPlan.insert(MeetingPlan(**values))


async def latest_plan(event_id: UUID, published_only: bool = False) -> dict[str, Any] | None:
    where: Any = MeetingPlan.event == event_id
    if published_only:
        where &= MeetingPlan.status == "published"
    return await (
        MeetingPlan.select().where(where).order_by(MeetingPlan.created_at, ascending=False).first()
    )


async def publish_plan(plan_id: UUID, event_id: UUID, at: datetime) -> None:
    # One published plan per event: an older published one is withdrawn.
    await MeetingPlan.delete().where(
        (MeetingPlan.event == event_id)
        & (MeetingPlan.status == "published")
        & (MeetingPlan.id != plan_id)
    )
    await MeetingPlan.update({MeetingPlan.status: "published", MeetingPlan.published_at: at}).where(
        MeetingPlan.id == plan_id
    )
