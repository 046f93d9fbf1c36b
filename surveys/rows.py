"""Rows of the survey domain as they leave `surveys/queries.py` (frozen Structs, UUIDs and
aware UTC datetimes), read by attribute in services and templates."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec


class RoundRow(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    slug: str
    title: str
    intro: str
    language: str
    opens_at: datetime
    closes_at: datetime
    created_by: UUID | None
    created_at: datetime
    updated_at: datetime


class RoundPlace(msgspec.Struct, frozen=True, kw_only=True):
    """A municipality of a round, with what the pages show of it."""

    round: UUID
    municipality: UUID
    slug: str
    name: str


class InviteRow(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    round: UUID
    email: str
    name: str
    language: str
    answer_id: UUID | None
    created_at: datetime
    reminded_at: datetime | None


class AnswerRow(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    round: UUID
    org_number: str
    company_name: str
    municipality: UUID
    sector: str
    size_band: str
    contact_name: str
    email: str
    language: str
    free_text: str
    contact_consent: bool
    networking_consent: bool
    answered_at: datetime
    updated_at: datetime


class NeedRow(msgspec.Struct, frozen=True, kw_only=True):
    answer: UUID
    topic: str
    kind: str  # traffpunkt.needs.NeedKind
    urgency: int
