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
        # One session of a course series is called off: the CANCEL names that session only.
        Kind(
            "session_cancelled",
            N_("A session is cancelled: {title}"),
            (
                N_("Hello {name},"),
                N_(
                    "We are sorry: the session on {session_when} of {title} is cancelled. The "
                    "other sessions take place as planned. This mail removes the cancelled "
                    "session from your calendar."
                ),
            ),
            action=MANAGE,
            method="CANCEL",
            requires=("name", "manage_url", "session_id", "session_when"),
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
        # After the event: one personal link to the evaluation (evaluations domain).
        Kind(
            "evaluation",
            N_("How was it? {title}"),
            (
                N_("Hello {name},"),
                N_(
                    "Thank you for coming to {title}. Five short questions tell us what worked "
                    "and which topics you want next; it takes two minutes."
                ),
                N_(
                    "Your answer is anonymous: organisers see only results of at least three "
                    "answers, never who said what. You can change it for 14 days."
                ),
            ),
            action=(N_("Answer the evaluation"), "evaluation_url"),
            show_event=False,
            requires=("name", "evaluation_url"),
        ),
        # Three months later, the same link: did they start using it (the project's effect).
        Kind(
            "evaluation_follow_up",
            N_("Three months later: {title}"),
            (
                N_("Hello {name},"),
                N_(
                    "Three months ago you took part in {title}. Have you started using what you "
                    "learnt? One question, and a line if you like."
                ),
            ),
            action=(N_("Answer the follow-up"), "evaluation_url"),
            show_event=False,
            requires=("name", "evaluation_url"),
        ),
        # The needs survey (surveys): no event; the round's title and last day come in data.
        Kind(
            "survey_invitation",
            N_("Survey: {survey_title}"),
            (
                N_("Hello,"),
                N_(
                    "Which skills does your company need, and what could it share with others? "
                    "Answering {survey_title} takes about five minutes, and the answers decide "
                    "which seminars, network meetings and courses are held near you."
                ),
                N_("You can change your answer through the same link until {closes}."),
            ),
            action=(N_("Answer the survey"), "answer_url"),
            show_event=False,
            requires=("answer_url", "survey_title", "closes"),
            greet_by_name=True,
        ),
        Kind(
            "survey_reminder",
            N_("Reminder: {survey_title}"),
            (
                N_("Hello,"),
                N_(
                    "We have not yet had your company's answer to {survey_title}. It takes "
                    "about five minutes; the survey closes on {closes}."
                ),
                N_("If someone else at your company has already answered, you can ignore this."),
            ),
            action=(N_("Answer the survey"), "answer_url"),
            show_event=False,
            requires=("answer_url", "survey_title", "closes"),
            greet_by_name=True,
        ),
        Kind(
            "survey_receipt",
            N_("Thank you for your answer: {survey_title}"),
            (
                N_("Hello,"),
                N_("Thank you for answering {survey_title} for {company}."),
                N_(
                    "You can change or erase your answer through the link below until {closes}. "
                    "Keep this mail: the link is yours alone."
                ),
            ),
            action=(N_("See or change your answer"), "answer_url"),
            show_event=False,
            requires=("answer_url", "survey_title", "company", "closes"),
            greet_by_name=True,
        ),
        Kind(
            "certificate",
            N_("Your course certificate: {title}"),
            (
                N_("Hello {name},"),
                N_(
                    "You have completed {title} ({hours} hours). Your certificate is ready; the "
                    "link below opens it as a PDF to save or print."
                ),
                N_(
                    "The certificate has its own address and QR code, so anyone can check that "
                    "it is genuine."
                ),
            ),
            action=(N_("Open your certificate (PDF)"), "certificate_url"),
            requires=("name", "hours", "certificate_url"),
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
