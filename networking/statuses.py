"""The states of meeting plans and the answers about suggested people, one name each, shared
by tables, schemas, services and templates (a `StrEnum` compares equal to its text)."""

from __future__ import annotations

from enum import StrEnum


class PlanStatus(StrEnum):
    DRAFT = "draft"  # only the organiser sees it; making a new plan replaces it
    PUBLISHED = "published"  # attendees see their meetings; one per event


class Answer(StrEnum):
    """What an attendee said of a suggested person: "I'd like to meet" (yes) or "Not now" (no);
    the latest answer counts."""

    YES = "yes"
    NO = "no"
