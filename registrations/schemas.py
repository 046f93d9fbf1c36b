"""Request and response bodies of registrations and check-in."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import msgspec
from msgspec import UNSET, Meta, UnsetType

from events.schemas import EventOut, Language, LocalDateTime, Strict, Topics
from registrations.statuses import AttendeeRole, CheckinResult, Gender, RegistrationStatus
from traffpunkt.addresses import Email

PersonName = Annotated[str, Meta(min_length=1, max_length=200)]
ShortText = Annotated[str, Meta(max_length=200)]
About = Annotated[str, Meta(max_length=1000)]


class RegistrationIn(Strict, kw_only=True):
    name: PersonName
    email: Email
    organisation: ShortText | None = None
    municipality: ShortText | None = None
    language: Language = "sv"
    needs: Topics = msgspec.field(default_factory=list)
    offers: Topics = msgspec.field(default_factory=list)
    networking_consent: bool = False
    role: AttendeeRole = AttendeeRole.COMPANY
    sector: ShortText | None = None
    about: About | None = None
    # The personal link of an invitation, if the person came from one.
    invitation: Annotated[str, Meta(max_length=100)] | None = None
    # For the funder's report, accepted only when the event asks them (its
    # `report_fields_asked`), else 422 naming the field. `sni_section`: an SNI 2007 section
    # letter; `size_band`: 0, 1-4, 5-9, 10-49 or 50+; `gender` voluntary.
    org_number: Annotated[str, Meta(max_length=20)] | None = None
    sni_section: Annotated[str, Meta(max_length=2)] | None = None
    size_band: Annotated[str, Meta(max_length=8)] | None = None
    gender: Gender | None = None


class RegistrationCreated(msgspec.Struct, kw_only=True):
    id: str
    # Never "cancelled" here; one enum for every status (a Literal cannot hold enum members).
    status: RegistrationStatus
    manage_url: str


class RegistrationExisting(msgspec.Struct, kw_only=True):
    """The same address again: no token in the answer (the link is mailed again instead)."""

    id: str
    status: RegistrationStatus  # never "cancelled" here
    detail: str


class RegistrationPatch(Strict, kw_only=True):
    name: PersonName | UnsetType = UNSET
    # A corrected address: mail that could not be delivered is sent again to it.
    email: Email | UnsetType = UNSET
    organisation: ShortText | UnsetType = UNSET
    municipality: ShortText | UnsetType = UNSET
    language: Language | UnsetType = UNSET
    needs: Topics | UnsetType = UNSET
    offers: Topics | UnsetType = UNSET
    networking_consent: bool | UnsetType = UNSET
    role: AttendeeRole | UnsetType = UNSET
    sector: ShortText | UnsetType = UNSET
    about: About | UnsetType = UNSET


class TicketOut(msgspec.Struct, kw_only=True):
    code: str
    svg_url: str
    png_url: str


class RegistrationOut(msgspec.Struct, kw_only=True):
    id: str
    status: RegistrationStatus
    name: str
    email: str
    organisation: str
    municipality: str
    language: str
    needs: list[str]
    offers: list[str]
    networking_consent: bool
    role: AttendeeRole
    sector: str
    about: str
    waitlist_position: int | None
    checked_in_at: datetime | None
    event: EventOut
    ticket: TicketOut | None
    ics_url: str
    manage_url: str


class AddressIn(Strict, kw_only=True):
    email: Email


class AddressCorrected(msgspec.Struct, kw_only=True):
    email: str  # as stored (trimmed, lower case)
    resent: int  # mails that had failed and are queued again to this address


class Invitee(Strict, kw_only=True):
    email: Email
    # Greets the person by name in the mail and fills in the sign-up form's name.
    name: ShortText = ""


class InvitationsIn(Strict, kw_only=True):
    # At least one address in `emails` or `people` (both may be given; 1000 in all).
    emails: Annotated[list[Email], Meta(max_length=1000)] = msgspec.field(default_factory=list)
    people: Annotated[list[Invitee], Meta(max_length=1000)] = msgspec.field(default_factory=list)
    language: Language = "sv"


class InvitationsOut(msgspec.Struct, kw_only=True):
    invited: int
    already_registered: list[str]
    # Not mailed now: invited too often lately (abuse limit `invite_per_address`).
    invited_too_often: list[str] = []


class DoorTokenIn(Strict, kw_only=True):
    label: ShortText = ""


class DoorTokenOut(msgspec.Struct, kw_only=True):
    id: str
    token: str
    url: str
    expires_at: datetime


ScanId = Annotated[str, Meta(min_length=1, max_length=100)]


class ScanIn(Strict, kw_only=True):
    secret: Annotated[str, Meta(min_length=1, max_length=300)]
    scan_id: ScanId | None = None
    scanned_at: LocalDateTime | None = None
    device: Annotated[str, Meta(max_length=100)] | None = None
    # What the phone showed when it scanned offline; a refused-online scan it admitted is flagged.
    offline_result: CheckinResult | None = None
    # A course series: the session this scan is for (an id from checkin-data's `sessions`).
    # The same person scanned again for the same session is already_checked_in; for another
    # session it is a new attendance (ok).
    session_id: Annotated[str, Meta(max_length=64)] | None = None


class ScanOut(msgspec.Struct, kw_only=True, omit_defaults=True):
    result: CheckinResult
    name: str | None = None
    checked_in_at: datetime | None = None
    registration_id: str | None = None
    flagged: bool = False


class BatchScanIn(ScanIn, kw_only=True):
    """A scan sent in a batch: its scan_id is what makes sending the batch again harmless, so
    it is required here (and the OpenAPI document says so), unlike a single scan's."""

    scan_id: ScanId


class BatchIn(Strict, kw_only=True):
    scans: Annotated[list[BatchScanIn], Meta(min_length=1, max_length=500)]


class BatchOut(msgspec.Struct, kw_only=True):
    results: list[ScanOut]


class AttendeeOut(msgspec.Struct, kw_only=True):
    id: str
    name: str
    organisation: str
    email: str
    status: RegistrationStatus
    checked_in_at: datetime | None
    registered_at: datetime


class AttendeeList(msgspec.Struct, kw_only=True):
    items: list[AttendeeOut]
    next: str | None = None


class CheckinStats(msgspec.Struct, kw_only=True):
    registered: int
    checked_in: int
    waiting: int
    capacity: int | None


class OfflineAttendee(msgspec.Struct, kw_only=True, array_like=True):
    """[ticket_no, name, status, checked_in, registration_id] – compact: thousands fit in one
    response; the id lets a phone undo a check-in another phone made."""

    ticket_no: str
    name: str
    status: RegistrationStatus
    checked_in: bool
    registration_id: str


class CheckinSession(msgspec.Struct, kw_only=True):
    """A session of a course series, for the door's session picker."""

    id: str
    position: int
    starts_at: datetime
    ends_at: datetime
    online: bool
    cancelled: bool


class CheckinData(msgspec.Struct, kw_only=True):
    event_id: str
    title: str
    starts_at: datetime
    ends_at: datetime
    public_key: str
    attendees: list[OfflineAttendee]
    revoked: list[str]
    stats: CheckinStats
    generated_at: datetime
    # A course series' sessions (empty for a single event): scans name one of them.
    sessions: list[CheckinSession] = msgspec.field(default_factory=list)
    # ... and who attended which: registration id -> ids of the sessions they attended.
    attendance: dict[str, list[str]] = msgspec.field(default_factory=dict)


class CertificateRun(msgspec.Struct, kw_only=True):
    """What "send certificates" did: issued (and mailed) now, issued before, not completed."""

    issued: int
    already: int
    not_completed: int


class CertificateCheck(msgspec.Struct, kw_only=True):
    """The public check of a certificate: nothing about the person beyond the name."""

    valid: bool
    course: str
    name: str
    organiser: str
    issued_on: date


class ExamIn(Strict, kw_only=True):
    passed: bool


class AttendanceMarkIn(Strict, kw_only=True):
    """The organiser ticks (or unticks) that a person attended a session (online ones)."""

    session_id: Annotated[str, Meta(max_length=64)]
    attended: bool
