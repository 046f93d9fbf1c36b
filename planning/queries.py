"""All database queries of the planning domain."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec

from planning.tables import Expert, SurveyInvitation, Tour, TravelOverride
from traffpunkt.db import insert_row, row_of, rows_of

# --- travel overrides ------------------------------------------------------------------------


class OverrideRow(msgspec.Struct, frozen=True):
    id: UUID
    municipality_a: UUID
    municipality_b: UUID
    minutes: int


async def overrides() -> list[OverrideRow]:
    return rows_of(
        await TravelOverride.select(
            TravelOverride.id,
            TravelOverride.municipality_a,
            TravelOverride.municipality_b,
            TravelOverride.minutes,
        ),
        OverrideRow,
    )


async def upsert_override(values: dict[str, Any]) -> None:
    existing = await TravelOverride.select(TravelOverride.id).where(
        TravelOverride.pair == values["pair"]
    )
    if existing:
        await TravelOverride.update(
            {
                TravelOverride.minutes: values["minutes"],
                TravelOverride.updated_by: values["updated_by"],
                TravelOverride.updated_at: values["updated_at"],
            }
        ).where(TravelOverride.pair == values["pair"])
    else:
        await TravelOverride.insert(TravelOverride(**values))


async def delete_override(override_id: UUID) -> OverrideRow | None:
    row = row_of(
        await TravelOverride.select(
            TravelOverride.id,
            TravelOverride.municipality_a,
            TravelOverride.municipality_b,
            TravelOverride.minutes,
        )
        .where(TravelOverride.id == override_id)
        .first(),
        OverrideRow,
    )
    if row is not None:
        await TravelOverride.delete().where(TravelOverride.id == override_id)
    return row


# --- tours -----------------------------------------------------------------------------------


class TourRow(msgspec.Struct, frozen=True):
    id: UUID
    topic: str
    stops: str
    min_capacity: int
    created_at: datetime
    expert: UUID | None = None
    created_by: UUID | None = None
    events_created_at: datetime | None = None


async def insert_tour(values: dict[str, Any]) -> None:
    await Tour.insert(Tour(**values))


async def tour(tour_id: UUID) -> TourRow | None:
    return row_of(await Tour.select().where(Tour.id == tour_id).first(), TourRow)


async def update_tour(tour_id: UUID, values: dict[str, Any]) -> None:
    await Tour.update({getattr(Tour, k): v for k, v in values.items()}).where(Tour.id == tour_id)


async def claim_tour_events(tour_id: UUID, now: datetime) -> bool:
    """Mark the tour's events as created, once: False when another request did it first."""
    rows = (
        await Tour.update({Tour.events_created_at: now})
        .where((Tour.id == tour_id) & Tour.events_created_at.is_null())
        .returning(Tour.id)
    )
    return bool(rows)


# --- experts ---------------------------------------------------------------------------------


class ExpertRow(msgspec.Struct, frozen=True):
    id: UUID
    email: str
    name: str
    organisation: str
    languages: str
    topics: str
    travel_dates: str
    created_at: datetime
    home_municipality: UUID | None = None
    home_latitude: float | None = None
    home_longitude: float | None = None
    answered_at: datetime | None = None


_EXPERT_COLUMNS = [
    Expert.id,
    Expert.email,
    Expert.name,
    Expert.organisation,
    Expert.languages,
    Expert.topics,
    Expert.travel_dates,
    Expert.created_at,
    Expert.home_municipality,
    Expert.home_latitude,
    Expert.home_longitude,
    Expert.answered_at,
]


async def expert_by_email(email: str) -> ExpertRow | None:
    return row_of(
        await Expert.select(*_EXPERT_COLUMNS).where(Expert.email == email).first(), ExpertRow
    )


async def expert_by_hash(token_hash: str) -> ExpertRow | None:
    return row_of(
        await Expert.select(*_EXPERT_COLUMNS).where(Expert.token_hash == token_hash).first(),
        ExpertRow,
    )


async def expert(expert_id: UUID) -> ExpertRow | None:
    return row_of(
        await Expert.select(*_EXPERT_COLUMNS).where(Expert.id == expert_id).first(), ExpertRow
    )


async def experts(topic: str | None = None) -> list[ExpertRow]:
    """Experts who filled in their offer (those with the topic, when one is named)."""
    query = Expert.select(*_EXPERT_COLUMNS).where(Expert.answered_at.is_not_null())
    if topic:
        query = query.where(Expert.topics.like(f"% {topic} %"))
    return rows_of(await query.order_by(Expert.name), ExpertRow)


async def insert_expert(values: dict[str, Any]) -> None:
    await Expert.insert(Expert(**values))


async def update_expert(expert_id: UUID, values: dict[str, Any]) -> None:
    await Expert.update({getattr(Expert, k): v for k, v in values.items()}).where(
        Expert.id == expert_id
    )


async def delete_expert(expert_id: UUID) -> None:
    await Expert.delete().where(Expert.id == expert_id)


# --- invitations on publish ------------------------------------------------------------------


async def claim_survey_invitation(values: dict[str, Any]) -> bool:
    """Record one company's invitation to one event; False when it already had one (the
    unique key decides, so two publishers at once cannot both send it)."""
    return await insert_row(SurveyInvitation, values, conflict_target="event_company")
