"""Request and response bodies of the needs survey (API and pages)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec
from msgspec import UNSET, Meta, UnsetType

from events.schemas import Language, LongText, Name, Slug, Strict
from traffpunkt.addresses import Email

# A local date or date-time (the service's zone, Europe/Stockholm by default; an offset may be
# given): a round opens at the start of a date and closes at the end of one ("2026-11-30":
# answers are taken all that day).
LocalDateOrTime = Annotated[
    str,
    Meta(
        pattern=r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?)?$",
        examples=["2026-11-30", "2026-11-30T17:00"],
        max_length=40,
    ),
]
Places = Annotated[list[Slug], Meta(min_length=1, max_length=50)]
ShortText = Annotated[str, Meta(max_length=200)]
Urgency = Annotated[int, Meta(ge=1, le=3)]
TopicSlug = Annotated[str, Meta(max_length=64)]


class RoundIn(Strict, kw_only=True):
    title: Name
    municipalities: Places  # slugs of municipalities the organiser manages
    closes_at: LocalDateOrTime
    opens_at: LocalDateOrTime | None = None  # None: now
    language: Language = "sv"  # of the invitations, unless they say otherwise
    intro: LongText = ""


class RoundPatch(Strict, kw_only=True):
    title: Name | UnsetType = UNSET
    intro: LongText | UnsetType = UNSET
    municipalities: Places | UnsetType = UNSET
    opens_at: LocalDateOrTime | UnsetType = UNSET
    closes_at: LocalDateOrTime | UnsetType = UNSET
    language: Language | UnsetType = UNSET


class PlaceFigures(msgspec.Struct, kw_only=True):
    municipality: str  # slug
    name: str
    answers: int


class RoundFigures(msgspec.Struct, kw_only=True):
    invites: int
    answered_invites: int  # invites whose link has an answer
    answers: int  # all answers, through personal and open links
    answer_rate: float | None  # answered_invites / invites (None without invites)
    reminded: int
    per_municipality: list[PlaceFigures]


class RoundOut(msgspec.Struct, kw_only=True):
    id: str
    slug: str
    title: str
    intro: str
    municipalities: list[str]
    opens_at: datetime
    closes_at: datetime  # the first instant answers are no longer taken
    opens: str  # local date of opens_at
    closes: str  # local date of the last day answers are taken
    language: str
    state: str  # "upcoming", "open" or "closed"
    url: str  # the open answer page, for the municipality's web site and social media
    figures: RoundFigures | None = None


class RoundList(msgspec.Struct, kw_only=True):
    items: list[RoundOut]
    next: str | None = None


class Invitee(Strict, kw_only=True):
    email: Email
    name: ShortText = ""


class SurveyInvitationsIn(Strict, kw_only=True):
    # At least one address in `emails` or `people` (1000 in all).
    emails: Annotated[list[Email], Meta(max_length=1000)] = msgspec.field(default_factory=list)
    people: Annotated[list[Invitee], Meta(max_length=1000)] = msgspec.field(default_factory=list)
    language: Language | None = None  # None: the round's


class SurveyInvitationsOut(msgspec.Struct, kw_only=True):
    invited: int
    already_invited: list[str]
    # Not mailed now: invited too often lately (abuse limit `invite_per_address`).
    invited_too_often: list[str] = []


class RemindersOut(msgspec.Struct, kw_only=True):
    reminded: int  # reminders written to the outbox now (each invite is reminded once)


class AnswerIn(Strict, kw_only=True):
    """A company's answer (the answer page's form, converted). Only lengths are bounded here:
    the service checks the rest (the organisation number's check digit, the municipality among
    the round's, sector, size, topics, the address) and names every wrong field at once."""

    company_name: ShortText
    org_number: Annotated[str, Meta(max_length=20)]
    municipality: Annotated[str, Meta(max_length=64)]
    sector: Annotated[str, Meta(max_length=8)]
    size_band: Annotated[str, Meta(max_length=8)]
    contact_name: ShortText
    email: Annotated[str, Meta(max_length=400)]
    language: Language = "sv"
    # topic -> how urgent: 1 some time, 2 within the year, 3 now
    needs: Annotated[dict[TopicSlug, Urgency], Meta(max_length=50)] = msgspec.field(
        default_factory=dict
    )
    offers: Annotated[list[TopicSlug], Meta(max_length=50)] = msgspec.field(default_factory=list)
    free_text: Annotated[str, Meta(max_length=4000)] = ""
    contact_consent: bool = False
    networking_consent: bool = False


class NeedIn(Strict, kw_only=True):
    topic: TopicSlug
    urgency: Urgency = 2


class SurveyAnswerIn(Strict, kw_only=True):
    """An answer through the API (the contract's names; the page sends `AnswerIn`)."""

    company: ShortText
    organisation_number: Annotated[str, Meta(max_length=20)]
    municipality: Annotated[str, Meta(max_length=64)]
    email: Annotated[str, Meta(max_length=400)]
    needs: Annotated[list[NeedIn], Meta(max_length=50)] = msgspec.field(default_factory=list)
    offers: Annotated[list[TopicSlug], Meta(max_length=50)] = msgspec.field(default_factory=list)
    sector: Annotated[str, Meta(max_length=8)] = ""
    size_band: Annotated[str, Meta(max_length=8)] = ""
    contact_consent: bool = False
    networking_consent: bool = False
    contact_name: ShortText = ""
    free_text: Annotated[str, Meta(max_length=4000)] = ""
    language: Language = "sv"


class AnswerCreated(msgspec.Struct, kw_only=True):
    id: str
    manage_url: str  # the answer's own link: see, change or erase it until the round closes


class AnswerReplaced(msgspec.Struct, kw_only=True):
    """The company had answered: the newest answer is kept, its link is mailed (never shown)."""

    id: str
    detail: str
