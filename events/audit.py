"""The audit log: who changed what, when. Written inside the transaction of the change."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from events.tables import AuditEntry
from traffpunkt import i18n
from traffpunkt.auth import Principal
from traffpunkt.clock import utc_now


def N_(message: str) -> str:
    """Marks a message id for the catalog; translated when the log is shown."""
    return message


# What each recorded action means to a person reading the log ({detail} is what was recorded).
ACTIONS = {
    "event.created": N_("Created the event: {detail}"),
    "event.changed": N_("Changed {detail}"),
    "event.published": N_("Published the event"),
    "event.cancelled": N_("Cancelled the event"),
    "event.sessions_changed": N_("Changed the sessions ({detail} sessions)"),
    "event.session_cancelled": N_("Cancelled session {detail}"),
    "certificates.sent": N_("Sent {detail} course certificates"),
    "exam.passed": N_("Marked the exam passed: {detail}"),
    "exam.unmarked": N_("Took back a passed exam: {detail}"),
    "invitations.sent": N_("Sent {sent} invitations ({already} were already registered)"),
    "registration.cancelled": N_("Took {detail} off the list"),
    "registration.address_corrected": N_(
        "Corrected the address {detail} and sent the mail that had failed again"
    ),
    "door_token.revoked": N_("Revoked a door link"),
    "meeting_plan.created": N_("Made a meeting plan ({detail} meetings)"),
    "meeting_plan.published": N_("Published the meeting plan"),
    "municipality.created": N_("Added the municipality {detail}"),
    "municipality.updated": N_("Changed the municipality's contact details"),
    "venue.created": N_("Added the venue {detail}"),
    "organiser.activated": N_("Activated an organiser"),
    "organiser.deactivated": N_("Deactivated an organiser"),
    "registrations.retained": N_(
        "Anonymised {people} registrations and {invitations} invitations after the retention period"
    ),
    "planning.survey_invitations": N_(
        "Invited {detail} companies that asked for the topic in the skills-needs survey"
    ),
    "surveys.retained": N_(
        "Anonymised {people} survey answers and {invitations} invitations after the retention "
        "period"
    ),
}

# Field names in "event.changed", as words in a sentence ("Changed the start time, the title").
FIELDS = {
    "title": N_("the title"),
    "description": N_("the description"),
    "kind": N_("the kind of event"),
    "municipality": N_("the municipality"),
    "venue": N_("the venue"),
    "starts_at": N_("the start time"),
    "ends_at": N_("the end time"),
    "capacity": N_("the number of seats"),
    "registration_opens_at": N_("when registration opens"),
    "registration_closes_at": N_("when registration closes"),
    "topics": N_("the topics"),
    "language": N_("the language"),
    "online_url": N_("the online link"),
    "reminder_hours": N_("the reminder"),
}


def describe(action: str, detail: str, lang: str) -> str:
    """One log line in the reader's language; an action recorded before it had words here is
    shown as recorded."""
    _ = i18n.translator(lang)
    template = ACTIONS.get(action)
    if template is None:
        return f"{action}: {detail}" if detail else action
    if action == "event.changed":
        names = [_(FIELDS[f]) if f in FIELDS else f for f in detail.split(", ") if f]
        return _(template).format(detail=", ".join(names))
    if action == "invitations.sent":
        sent, _sep, already = detail.partition("/")
        if not (sent.isdigit() and already.isdigit()):
            return f"{action}: {detail}"
        return _(template).format(sent=sent, already=already)
    if action in ("registrations.retained", "surveys.retained"):
        people, _sep, invitations = detail.partition("/")
        if not (people.isdigit() and invitations.isdigit()):
            return f"{action}: {detail}"
        return _(template).format(people=people, invitations=invitations)
    return _(template).format(detail=detail)


async def record(actor: Principal, action: str, event_id: Any = None, detail: str = "") -> None:
    await AuditEntry.insert(
        AuditEntry(
            id=uuid4(),
            organiser=actor.organiser_id if actor.organiser_id.int else None,
            organiser_email=actor.email,
            event=event_id if event_id else None,
            action=action,
            detail=detail[:2000],
            at=utc_now(),
        )
    )


@dataclass(frozen=True, slots=True)
class AuditLine:
    at: datetime
    who: str
    action: str
    detail: str


async def of_event(event_id: UUID) -> list[AuditLine]:
    rows = (
        await AuditEntry.select()
        .where(AuditEntry.event == event_id)
        .order_by(AuditEntry.at, ascending=False)
        .limit(200)
    )
    return [AuditLine(r["at"], r["organiser_email"], r["action"], r["detail"]) for r in rows]
