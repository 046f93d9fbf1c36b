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


class ReportField(StrEnum):
    """Questions for the funder's participant report that the sign-up form asks only where the
    organiser enabled them (for an event, or for all events of a municipality)."""

    ORG_NUMBER = "org_number"
    SNI_SECTION = "sni_section"
    SIZE_BAND = "size_band"
    GENDER = "gender"
