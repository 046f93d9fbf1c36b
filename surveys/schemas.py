"""Request and response bodies of the needs survey (API and pages)."""

from __future__ import annotations

from typing import Annotated

import msgspec
from msgspec import UNSET, Meta, UnsetType

from events.schemas import Language, LongText, Name, Slug, Strict
from traffpunkt.addresses import Email

# A local date (Europe/Stockholm): a round opens at the start of `opens` and closes at the end
# of `closes`.
LocalDate = Annotated[
    str, Meta(pattern=r"^\d{4}-\d{2}-\d{2}$", examples=["2026-10-01"], max_length=10)
]
Places = Annotated[list[Slug], Meta(min_length=1, max_length=50)]
ShortText = Annotated[str, Meta(max_length=200)]
Urgency = Annotated[int, Meta(ge=1, le=3)]
TopicSlug = Annotated[str, Meta(max_length=64)]


class RoundIn(Strict, kw_only=True):
    title: Name
    intro: LongText = ""
    municipalities: Places  # slugs of municipalities the organiser manages
    opens: LocalDate
    closes: LocalDate


class RoundPatch(Strict, kw_only=True):
    title: Name | UnsetType = UNSET
    intro: LongText | UnsetType = UNSET
    municipalities: Places | UnsetType = UNSET
    opens: LocalDate | UnsetType = UNSET
    closes: LocalDate | UnsetType = UNSET


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
    opens: str  # local date
    closes: str  # local date, the last day answers are taken
    state: str  # "upcoming", "open" or "closed"
    open_url: str  # the open link for the municipality's web site
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
    language: Language = "sv"


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
