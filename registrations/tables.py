"""Registrations, their secret links, invitations, tickets' keys, door tokens and scans."""

from __future__ import annotations

from piccolo.columns import (
    UUID,
    Boolean,
    ForeignKey,
    Integer,
    OnDelete,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from accounts.tables import Organiser
from events.tables import Event
from registrations.statuses import AttendeeRole, ScanAction


class Registration(Table, tablename="registration"):
    id = UUID(primary_key=True)
    event = ForeignKey(Event, on_delete=OnDelete.cascade, index=True, null=False)
    # "<event id>:<lower-case email>": one registration per address and event, on both engines.
    event_email = Varchar(length=400, unique=True)
    email = Varchar(length=320)
    name = Varchar(length=200)
    organisation = Varchar(length=200, default="")
    municipality = Varchar(length=100, default="")
    language = Varchar(length=2, default="sv")
    needs = Text(default="")  # topic slugs, " a b " as in events
    offers = Text(default="")
    networking_consent = Boolean(default=False)
    # The rest of the networking profile (filled at sign-up or later on the manage page).
    role = Varchar(length=20, default=AttendeeRole.COMPANY.value)  # statuses.AttendeeRole
    sector = Varchar(length=100, default="")
    about = Text(default="")
    # The funder's report (asked only where the organiser enabled it, events.ReportField;
    # "" = not asked or not answered). Not the free-text `sector` above, which is networking's.
    org_number = Varchar(length=11, default="")  # "NNNNNN-NNNN" (traffpunkt.companies)
    sni_section = Varchar(length=1, default="")  # SNI 2007 section letter
    size_band = Varchar(length=8, default="")  # companies.SIZE_BANDS code
    gender = Varchar(length=20, default="")  # statuses.Gender; counted, shown only to the person
    status = Varchar(length=16, index=True)  # statuses.RegistrationStatus
    # Random 9 bytes (base64url, 12 chars), signed into the QR ticket; unique across events.
    ticket_no = Varchar(length=16, unique=True)
    # Added to the event's SEQUENCE in this person's invitations: a cancel must outrank the
    # invitation it cancels, and a later re-registration must outrank that cancel.
    itip_offset = Integer(default=0)
    checked_in_at = Timestamptz(null=True, default=None)
    # A course with an exam: when the organiser marked it passed (certificates need it then).
    exam_passed_at = Timestamptz(null=True, default=None)
    confirmed_at = Timestamptz(null=True, default=None)
    cancelled_at = Timestamptz(null=True, default=None)
    erased_at = Timestamptz(null=True, default=None)
    # Order of sign-up and of the waiting list: the event's `signup_seq` taken when the seat
    # or the waiting list was decided (re-joining takes a new one), i.e. commit order.
    queue_seq = Integer(default=0)
    # When that was decided (informational; ordered like queue_seq).
    queued_at = Timestamptz(index=True)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class ManageToken(Table, tablename="manage_token"):
    """Secret links to a registration's manage page: random, stored as SHA-256, one per mail."""

    id = UUID(primary_key=True)
    registration = ForeignKey(Registration, on_delete=OnDelete.cascade, index=True, null=False)
    token_hash = Varchar(length=64, unique=True)
    created_at = Timestamptz()


class Invitation(Table, tablename="invitation"):
    id = UUID(primary_key=True)
    event = ForeignKey(Event, on_delete=OnDelete.cascade, index=True, null=False)
    email = Varchar(length=320)
    # As the organiser gave it (pasted "Name <addr>", a CSV's name column, the API's `people`):
    # the mail greets by it and the sign-up form starts with it.
    name = Varchar(length=200, default="")
    token_hash = Varchar(length=64, unique=True)
    invited_by = ForeignKey(Organiser, on_delete=OnDelete.set_null, null=True, default=None)
    created_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)


class EventKey(Table, tablename="event_key"):
    """Ed25519 key pair per event: tickets are signed, phones verify offline."""

    event = ForeignKey(Event, on_delete=OnDelete.cascade, unique=True, null=False)
    private_key = Varchar(length=64)  # raw 32 bytes, base64url
    public_key = Varchar(length=64)
    created_at = Timestamptz()


class DoorToken(Table, tablename="door_token"):
    id = UUID(primary_key=True)
    event = ForeignKey(Event, on_delete=OnDelete.cascade, index=True, null=False)
    token_hash = Varchar(length=64, unique=True)
    label = Varchar(length=100, default="")
    created_by = ForeignKey(Organiser, on_delete=OnDelete.set_null, null=True, default=None)
    created_at = Timestamptz()
    expires_at = Timestamptz()
    revoked_at = Timestamptz(null=True, default=None)


class Scan(Table, tablename="scan"):
    """Every scan is kept: device, time, result, and a flag for offline admissions that the
    server would have refused."""

    id = UUID(primary_key=True)
    event = ForeignKey(Event, on_delete=OnDelete.cascade, index=True, null=False)
    # "<event id>:<scan id>": a phone re-sending a scan changes nothing.
    event_scan = Varchar(length=200, unique=True)
    registration_id = UUID(null=True, default=None, index=True)
    secret = Varchar(length=300, default="")
    device = Varchar(length=100, default="")
    action = Varchar(length=16, default=ScanAction.CHECKIN.value)  # statuses.ScanAction
    result = Varchar(length=24)  # statuses.CheckinResult
    offline_result = Varchar(length=24, null=True, default=None)  # statuses.CheckinResult
    flagged = Boolean(default=False)
    scanned_at = Timestamptz()
    received_at = Timestamptz()
    # The session of a course series this scan was for (events.tables.EventSession's id; no
    # foreign key across domains' tables beyond the event's).
    session_id = UUID(null=True, default=None)


class SessionAttendance(Table, tablename="session_attendance"):
    """Who attended which session of a course series: scanned at the door or ticked by the
    organiser (online sessions). One row per person and session, whatever the number of scans."""

    id = UUID(primary_key=True)
    registration = ForeignKey(Registration, on_delete=OnDelete.cascade, index=True, null=False)
    session_id = UUID(index=True)
    # "<registration id>:<session id>": a second scan or tick adds nothing, on both engines.
    registration_session = Varchar(length=80, unique=True)
    source = Varchar(length=8)  # statuses.AttendanceSource
    at = Timestamptz()


class Certificate(Table, tablename="certificate"):
    """A course certificate: one per registration (the unique key makes "send certificates"
    safe to press twice, or on two screens at once). Its public check is a secret link
    (`/certificates/{token}`), stored as SHA-256 like every secret link."""

    id = UUID(primary_key=True)
    registration = ForeignKey(
        Registration, on_delete=OnDelete.cascade, unique=True, index=True, null=False
    )
    token_hash = Varchar(length=64, unique=True)
    issued_at = Timestamptz()
    minutes = Integer(default=0)  # the course time attended, in minutes (hours = minutes / 60)


class AddressBlock(Table, tablename="address_block"):
    """Addresses whose owner answered "this wasn't me" to a sign-up mail: nobody can sign them
    up again (no more mail from others' sign-ups). Only a SHA-256 of the lower-cased address
    is kept (unkeyed, so the list survives a change of the secret key)."""

    email_hash = Varchar(length=64, primary_key=True)
    created_at = Timestamptz()
