"""The kinds of mail Träffpunkt sends, as data: one layout renders them all.

Every kind is a subject and paragraphs (English message ids, translated per recipient with
`{placeholders}` filled from the event and the message's data), an optional button, whether the
event's details and the QR ticket are shown, and the iTIP method of the calendar part. Because
HTML and plain text are rendered from the same structure, the text part says everything the
HTML part says.
"""

from __future__ import annotations

from dataclasses import dataclass, field


def N_(message: str) -> str:
    """Marks a message id for the catalog; translated when a mail is rendered."""
    return message


@dataclass(frozen=True, slots=True)
class Kind:
    name: str
    subject: str
    paragraphs: tuple[str, ...]
    # (button label, key of the link in the message's secrets or data)
    action: tuple[str, str] | None = None
    show_event: bool = True
    show_ticket: bool = False
    # iTIP method of the calendar part (RFC 5546), or None for no invitation.
    method: str | None = None
    # Keys the enqueuing domain must give (in data or secrets); checked at enqueue time.
    requires: tuple[str, ...] = field(default=())
    # Sent because someone signed up this address, maybe not its owner: greet without the name
    # they typed (no stranger's text first), and offer "this wasn't me" (erase and block).
    signup: bool = False
    # The organiser named the person (an invitation): "Hello," becomes "Hello {name}," when a
    # name was given.
    greet_by_name: bool = False


MANAGE = (N_("Manage your registration"), "manage_url")

KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind(
            "confirmed",
            N_("You have a seat: {title}"),
            (
                N_("Hello,"),
                N_(
                    "You are registered for {title}. Your ticket is below; show it at the door "
                    "(on your phone or printed)."
                ),
                N_(
                    "The calendar invitation in this mail puts the event in your calendar and "
                    "follows any change."
                ),
            ),
            action=MANAGE,
            show_ticket=True,
            method="REQUEST",
            requires=("name", "manage_url", "ticket_code"),
            signup=True,
        ),
        Kind(
            "waitlisted",
            N_("You are on the waiting list: {title}"),
            (
                N_("Hello,"),
                N_("{title} is full right now, so you are number {position} on the waiting list."),
                N_("If a seat becomes free you get it automatically, and we send you your ticket."),
            ),
            action=MANAGE,
            requires=("name", "manage_url", "position"),
            signup=True,
        ),
        Kind(
            "promoted",
            N_("A seat became free – you are in: {title}"),
            (
                N_("Hello {name},"),
                N_("Good news: a seat became free and it is yours. Your ticket is below."),
                N_(
                    "If you can no longer come, please cancel so that the next person gets "
                    "the seat."
                ),
            ),
            action=MANAGE,
            show_ticket=True,
            method="REQUEST",
            requires=("name", "manage_url", "ticket_code"),
        ),
        Kind(
            "manage_link",
            N_("Your registration: {title}"),
            (
                N_("Hello,"),
                N_(
                    "Someone (hopefully you) registered this address for {title} again. You are "
                    "already registered; here is the link to your registration."
                ),
                N_("If this was not you, you can ignore this mail."),
            ),
            action=MANAGE,
            requires=("name", "manage_url"),
            signup=True,
        ),
        Kind(
            "invitation",
            N_("Invitation: {title}"),
            (
                N_("Hello,"),
                N_(
                    "You are invited to {title}. The link below opens the sign-up page with your "
                    "address filled in; registering takes a minute."
                ),
            ),
            action=(N_("Sign up"), "signup_url"),
            requires=("signup_url",),
            greet_by_name=True,
        ),
        Kind(
            "event_changed",
            N_("Changed: {title}"),
            (
                N_("Hello {name},"),
                N_(
                    "{title} has changed. Here are the current details; your calendar entry is "
                    "updated by the invitation in this mail."
                ),
            ),
            action=MANAGE,
            method="REQUEST",
            requires=("name", "manage_url"),
        ),
        Kind(
            "event_cancelled",
            N_("Cancelled: {title}"),
            (
                N_("Hello {name},"),
                N_(
                    "We are sorry: {title} is cancelled. The calendar entry is removed by this "
                    "mail."
                ),
            ),
            method="CANCEL",
            requires=("name",),
        ),
        # People on the waiting list never got a calendar invitation: nothing to remove.
        Kind(
            "event_cancelled_waitlisted",
            N_("Cancelled: {title}"),
            (
                N_("Hello {name},"),
                N_("We are sorry: {title} is cancelled, so the waiting list is closed too."),
            ),
            requires=("name",),
        ),
        Kind(
            "waitlist_left",
            N_("You have left the waiting list: {title}"),
            (
                N_("Hello {name},"),
                N_("You are no longer on the waiting list for {title}, as you asked."),
                N_("Welcome back another time."),
            ),
            requires=("name",),
        ),
        Kind(
            "registration_cancelled",
            N_("Your registration is cancelled: {title}"),
            (
                N_("Hello {name},"),
                N_(
                    "Your registration for {title} is cancelled, as you asked. The calendar "
                    "entry is "
                    "removed by this mail."
                ),
                N_("Welcome back another time."),
            ),
            method="CANCEL",
            requires=("name",),
        ),
        Kind(
            "reminder",
            N_("Reminder: {title}"),
            (
                N_("Hello {name},"),
                N_("A reminder that {title} is coming up. Your ticket is below."),
                N_("If you cannot come, please cancel so that someone else can have the seat."),
            ),
            action=MANAGE,
            show_ticket=True,
            requires=("name", "manage_url", "ticket_code"),
        ),
        Kind(
            "introduction",
            N_("Meet {peer_name} at {title}"),
            (
                N_("Hello {name},"),
                N_("You and {peer_name} both said you would like to meet at {title}."),
                N_(
                    "{peer_name} ({peer_organisation}) can be reached at {peer_email}. Why we "
                    "suggested you two:"
                ),
            ),
            action=MANAGE,
            requires=("name", "manage_url", "peer_name", "peer_organisation", "peer_email"),
        ),
        Kind(
            "meeting_plan",
            N_("Your 1:1 meetings at {title}"),
            (
                N_("Hello {name},"),
                N_(
                    "Here are your short meetings at {title}. Each lasts a few minutes; the "
                    "table numbers are on the tables."
                ),
            ),
            action=MANAGE,
            requires=("name", "manage_url", "items"),
        ),
        Kind(
            "sign_in",
            N_("Sign in to Träffpunkt"),
            (
                N_("Hello,"),
                N_(
                    "Use the button below to sign in to Träffpunkt as an organiser. The link "
                    "works once, for 20 minutes."
                ),
                N_("If you did not ask to sign in, you can ignore this mail."),
            ),
            action=(N_("Sign in"), "sign_in_url"),
            show_event=False,
            requires=("sign_in_url",),
        ),
        Kind(
            "expert_invitation",
            N_("Hold seminars in northern Sweden's localities?"),
            (
                N_("Hello,"),
                N_(
                    "An organiser of Träffpunkt asks whether you would hold seminars for small "
                    "companies in the inland of Norrbotten and Västerbotten. Through the link "
                    "below you tell us which topics you can take, in which languages, from "
                    "where you travel and which days; you can change or erase it later "
                    "through the same link."
                ),
            ),
            action=(N_("Tell us what you offer"), "expert_url"),
            show_event=False,
            requires=("expert_url",),
        ),
    )
}
