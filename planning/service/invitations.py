"""Invitations on publish: when an event is published, each company whose survey answer named
one of its topics as a need in that municipality, and that agreed to be contacted, gets one
personal invitation to it (registrations' invitation: the link that pre-fills the sign-up,
mailed through the outbox). Never twice for a company and an event: the `SurveyInvitation`
row's unique "<event>:<organisation number>" key is claimed in the same transaction as the
invitation and its mail, so a second publish, a retry or two processes at once send nothing."""

from __future__ import annotations

from uuid import UUID, uuid4

from events import service as events_service
from events.service import EventChange
from events.statuses import EventStatus
from planning import queries
from planning.service.demand import NEEDS_PERIOD
from registrations import service as registrations_service
from surveys import service as surveys_service
from traffpunkt.auth import OrganiserRole, Principal
from traffpunkt.clock import utc_now

# Who the audit log names for the invitations: the service, on the organiser's publish.
PLANNING_ACTOR = Principal(UUID(int=0), "Träffpunkt (kartläggningen)", OrganiserRole.ADMIN)


async def on_event_changed(change: EventChange) -> None:
    """Inside the events transaction (traffpunkt.hooks): a publish invites the companies."""
    event = change.event
    if event.status != EventStatus.PUBLISHED or "status" not in change.changed_fields:
        return
    if not event.topics:
        return
    municipality = await events_service.get_municipality(event.municipality)
    now = utc_now()
    contacts = await surveys_service.contacts_for_topics(
        municipality.id, event.topics, since=now - NEEDS_PERIOD
    )
    event_id = UUID(event.id)
    invited = 0
    for contact in contacts:
        claimed = await queries.claim_survey_invitation(
            {
                "id": uuid4(),
                "event_company": f"{event_id}:{contact.org_number}",
                "event": event_id,
                "org_number": contact.org_number,
                "created_at": now,
            }
        )
        if claimed:
            await registrations_service.invite_person(
                event_id, event.slug, contact.email, contact.name, contact.language
            )
            invited += 1
    if invited:
        await events_service.record_action(
            PLANNING_ACTOR, "planning.survey_invitations", event_id, str(invited)
        )
