"""Rows of the evaluation domain as they leave `evaluations/queries.py` (frozen Structs)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec


class RequestRow(msgspec.Struct, frozen=True):
    id: UUID
    registration_id: UUID
    event: UUID
    sent_at: datetime
    answered_at: datetime | None
    follow_up_sent_at: datetime | None
    follow_up_answered_at: datetime | None


class SettingsRow(msgspec.Struct, frozen=True):
    follow_up: bool
    questions: str  # JSON, schemas.decode_questions


class AnswerRow(msgspec.Struct, frozen=True):
    overall: int
    relevance: int
    next_step: str
    topics: str
    wants_follow_up_contact: bool
    custom: str
    answered_at: datetime
    updated_at: datetime


class FollowUpRow(msgspec.Struct, frozen=True):
    used: str
    text: str
    answered_at: datetime


class Where(msgspec.Struct, frozen=True):
    """The event an answer is about, as grouping needs it: no person in it."""

    event: UUID
    event_title: str
    event_topics: str  # " a b " (events.topics.decode)
    municipality: UUID
    municipality_name: str
    ends_at: datetime
    timezone: str


class ResultRow(Where, frozen=True):
    overall: int
    relevance: int
    next_step: str
    topics: str
    wants_follow_up_contact: bool
    custom: str


class FollowUpResultRow(Where, frozen=True):
    used: str
    text: str
