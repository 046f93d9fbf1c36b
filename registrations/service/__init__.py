"""Rules of registrations: sign-up, waiting list, secret links, tickets, invitations, check-in.

Other modules use `from registrations import service` and the names below; the rules live in
one module per concern:

- `sign_up`: signing up (a seat or the waiting list, in commit order), the block list's check.
- `waiting_list`: freed seats go to the first on the waiting list.
- `self_service`: the attendee's own registration by its manage link: see, change, cancel,
  erase, "this wasn't me", the ticket, an address corrected by the attendee.
- `address_correction`: what a corrected address does to unsent and failed mail.
- `organiser_changes`: an organiser cancels a registration or corrects its address.
- `invitations`: organisers invite people; an invitation admits a sign-up.
- `door`: door tokens, and who may check in to which event (`CheckinActor`).
- `scans`: check-in by scan or by name, its replays and undo.
- `attendee_lists`: lists, counts, offline check-in data, CSV and spreadsheet exports.
- `certificates`: course completion, "send certificates", a certificate's check and PDF.
- `session_attendance`: the organiser's attendance list of one session of a series.
- `event_changes`: what a changed or cancelled event does to its registrations.
- `reminders`: reminders before an event.
- `retention`: personal data of events long over anonymised on schedule (storage limitation).
- `for_networking`: what the networking domain reads of registrations.
- `for_evaluations`: who attended (checked in, not erased), for the evaluation mails.
- `for_reports`: what the reports domain reads: check-ins, the list signed on paper.
- `needs`: registrations' ticked needs as `NeedSignal`s (for planning).
- `keys`: each event's signing keys and the ticket codes they sign.
- `links`: manage links, and the mail to a registration that carries one.
- `_common`: small private helpers several concerns share.

Inside the package modules import each other directly, in that order of dependence
(`_common` ← `keys` ← `links` ← the rest), never through this file.

Rows come from `registrations.queries` typed (`RegistrationRow` and the others: msgspec
Structs with UUIDs, datetimes and the StrEnums of `registrations.statuses`); other domains
name `RegistrationRow` through this package.
"""

from registrations.queries import CheckedInRow, RegistrationRow
from registrations.service.address_correction import delivery_failure
from registrations.service.attendee_lists import (
    attendee_table,
    attendees,
    attendees_csv,
    checkin_data,
    counts_for_events,
    stats,
)
from registrations.service.certificates import (
    CourseOverview,
    Progress,
    certificate_pdf,
    check_certificate,
    course_overview,
    own_certificate,
    own_certificate_pdf,
    progress_of,
    send_certificates,
    set_exam_passed,
)
from registrations.service.door import (
    DOOR_TOKEN_GRACE,
    CheckinActor,
    DoorTokenLine,
    create_door_token,
    door_principal,
    door_tokens,
    revoke_door_token,
)
from registrations.service.event_changes import on_event_changed
from registrations.service.for_evaluations import checked_in_attendee, checked_in_attendees
from registrations.service.for_networking import (
    networking_profiles,
    new_manage_link,
    registration,
    topic_demand,
)
from registrations.service.for_reports import (
    SignatureLine,
    checked_in_for_report,
    sessions_attended_for_report,
    signature_list,
)
from registrations.service.invitations import invitation_person, invite, invite_person
from registrations.service.keys import event_keys, ticket_code
from registrations.service.links import manage_url
from registrations.service.needs import need_signals
from registrations.service.organiser_changes import organiser_cancel, organiser_correct_address
from registrations.service.reminders import schedule_reminders
from registrations.service.retention import apply_retention, person_key, retention_job
from registrations.service.scans import check_in, check_in_batch, scan_counts, undo_check_in
from registrations.service.self_service import (
    by_token,
    cancel_own,
    correct_own_address,
    erase_own,
    gender_label,
    get_own,
    not_me,
    own_report_answers,
    own_ticket_code,
    registration_out,
    update_own,
)
from registrations.service.session_attendance import (
    SessionSheet,
    mark_attendance,
    mark_many,
    session_sheet,
)
from registrations.service.sign_up import MANAGE_LINK_RESEND_KEY, SignUp, address_hash, register

__all__ = [
    "DOOR_TOKEN_GRACE",
    "MANAGE_LINK_RESEND_KEY",
    "CheckedInRow",
    "CheckinActor",
    "CourseOverview",
    "DoorTokenLine",
    "Progress",
    "RegistrationRow",
    "SessionSheet",
    "SignUp",
    "SignatureLine",
    "address_hash",
    "apply_retention",
    "attendee_table",
    "attendees",
    "attendees_csv",
    "by_token",
    "cancel_own",
    "certificate_pdf",
    "check_certificate",
    "check_in",
    "check_in_batch",
    "checked_in_attendee",
    "checked_in_attendees",
    "checked_in_for_report",
    "checkin_data",
    "correct_own_address",
    "counts_for_events",
    "course_overview",
    "create_door_token",
    "delivery_failure",
    "door_principal",
    "door_tokens",
    "erase_own",
    "event_keys",
    "gender_label",
    "get_own",
    "invitation_person",
    "invite",
    "invite_person",
    "manage_url",
    "mark_attendance",
    "mark_many",
    "need_signals",
    "networking_profiles",
    "new_manage_link",
    "not_me",
    "on_event_changed",
    "organiser_cancel",
    "organiser_correct_address",
    "own_certificate",
    "own_certificate_pdf",
    "own_report_answers",
    "own_ticket_code",
    "person_key",
    "progress_of",
    "register",
    "registration",
    "registration_out",
    "retention_job",
    "revoke_door_token",
    "scan_counts",
    "schedule_reminders",
    "send_certificates",
    "session_sheet",
    "sessions_attended_for_report",
    "set_exam_passed",
    "signature_list",
    "stats",
    "ticket_code",
    "topic_demand",
    "undo_check_in",
    "update_own",
]
