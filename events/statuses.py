"""The states and kinds of an event, one name each, shared by tables, schemas, services and
templates (a `StrEnum` compares equal to its text, so rows read from the database match)."""

from __future__ import annotations

from enum import StrEnum


class EventStatus(StrEnum):
    DRAFT = "draft"  # only organisers see it
    PUBLISHED = "published"  # on the public pages and feeds, takes sign-ups in its window
    CANCELLED = "cancelled"  # called off: attendees are told, feeds say CANCELLED


class EventKind(StrEnum):
    SEMINAR = "seminar"
    NETWORK = "network"
    COURSE = "course"
    WEBINAR = "webinar"
