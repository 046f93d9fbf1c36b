"""The states, roles and check-in answers of registrations, one name each, shared by tables,
schemas, services and templates (a `StrEnum` compares equal to its text, so a template's
`reg.status == "confirmed"` and SQL's `status = 'confirmed'` still match)."""

from __future__ import annotations

from enum import StrEnum


class RegistrationStatus(StrEnum):
    CONFIRMED = "confirmed"  # has a seat (and a ticket)
    WAITLISTED = "waitlisted"  # on the waiting list, in queue_seq order
    CANCELLED = "cancelled"  # gave the seat back (or was erased); may sign up again


class AttendeeRole(StrEnum):
    """Who the attendee is, for networking (suggestions weigh it, lists show it)."""

    COMPANY = "company"
    RESEARCHER = "researcher"
    PUBLIC_SECTOR = "public_sector"
    ADVISOR = "advisor"


class CheckinResult(StrEnum):
    """What a scan answers (and what a phone that scanned offline says it showed)."""

    OK = "ok"
    ALREADY_CHECKED_IN = "already_checked_in"
    NOT_FOUND = "not_found"
    CANCELLED = "cancelled"
    WAITLISTED = "waitlisted"
    WRONG_EVENT = "wrong_event"


class ScanAction(StrEnum):
    CHECKIN = "checkin"
    UNDO = "undo"


class Gender(StrEnum):
    """The voluntary question of the funder's report; "prefer not to say" is an answer, and no
    answer at all is allowed too (stored as "")."""

    WOMAN = "woman"  # kvinna
    MAN = "man"
    OTHER = "other"  # annat
    PREFER_NOT_TO_SAY = "prefer_not_to_say"  # vill inte svara


class AttendanceSource(StrEnum):
    """How a person's attendance of a session of a course series was recorded."""

    SCAN = "scan"  # checked in at the door for that session
    MARK = "mark"  # ticked by the organiser (online sessions, or a forgotten scan)
