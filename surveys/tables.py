"""Tables of the needs survey. All times are `Timestamptz` (UTC on both engines)."""

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
from events.tables import Municipality


class SurveyRound(Table, tablename="survey_round"):
    """One survey (e.g. "Kompetensbehov hösten 2026") for one or more municipalities; answers
    are taken from `opens_at` until `closes_at` and can be changed until then."""

    id = UUID(primary_key=True)
    # The open link for the municipality's web site: /survey/<slug> (public, not a secret).
    slug = Varchar(length=120, unique=True)
    title = Varchar(length=200)
    intro = Text(default="")  # the organiser's words above the questions (richtext subset)
    language = Varchar(length=2, default="sv")  # of the invitations unless they say otherwise
    opens_at = Timestamptz()
    closes_at = Timestamptz()
    created_by = ForeignKey(Organiser, on_delete=OnDelete.set_null, null=True, default=None)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class SurveyRoundMunicipality(Table, tablename="survey_round_municipality"):
    round = ForeignKey(SurveyRound, on_delete=OnDelete.cascade, index=True, null=False)
    municipality = ForeignKey(Municipality, on_delete=OnDelete.cascade, index=True, null=False)


class SurveyInvite(Table, tablename="survey_invite"):
    """A personal link mailed to a company's address. The answer given through it is the one
    the link opens again; a reminder goes only to invites without an answer."""

    id = UUID(primary_key=True)
    round = ForeignKey(SurveyRound, on_delete=OnDelete.cascade, index=True, null=False)
    # "<round id>:<lower-case email>": one invite per address and round.
    round_email = Varchar(length=400, unique=True)
    email = Varchar(length=320)
    name = Varchar(length=200, default="")
    language = Varchar(length=2, default="sv")  # of the invitation and the reminder
    token_hash = Varchar(length=64, unique=True)
    answer_id = UUID(null=True, default=None, index=True)
    invited_by = ForeignKey(Organiser, on_delete=OnDelete.set_null, null=True, default=None)
    created_at = Timestamptz()
    # Set once, by the conditional UPDATE that also writes the reminder to the outbox. The
    # reminder carries a second link (only its hash is kept, as for the first one), so both
    # mails open the same answer.
    reminded_at = Timestamptz(null=True, default=None)
    reminder_token_hash = Varchar(length=64, unique=True, null=True, default=None)


class SurveyAnswer(Table, tablename="survey_answer"):
    """One company's answer in a round: one per organisation number, the latest kept."""

    id = UUID(primary_key=True)
    round = ForeignKey(SurveyRound, on_delete=OnDelete.cascade, index=True, null=False)
    # "<round id>:<organisation number NNNNNN-NNNN>": two answers for one company keep one.
    round_company = Varchar(length=200, unique=True)
    org_number = Varchar(length=11)
    company_name = Varchar(length=200, default="")
    municipality = ForeignKey(Municipality, on_delete=OnDelete.restrict, index=True, null=False)
    sector = Varchar(length=1, default="")  # SNI 2007 section, traffpunkt.companies
    size_band = Varchar(length=8, default="")  # traffpunkt.companies.SIZE_BANDS
    contact_name = Varchar(length=200, default="")
    email = Varchar(length=320, default="")
    language = Varchar(length=2, default="sv")
    free_text = Text(default="")
    # Separate, explicit consents: to be contacted by the project (invitations to activities
    # on the topics named), and to be suggested to other companies for networking.
    contact_consent = Boolean(default=False)
    networking_consent = Boolean(default=False)
    # The answer's own secret link (stored hashed), mailed after an answer through the open link.
    token_hash = Varchar(length=64, unique=True)
    answered_at = Timestamptz(index=True)
    updated_at = Timestamptz()


class SurveyNeed(Table, tablename="survey_need"):
    """A topic an answer names, as a need (with urgency 1-3) or an offer."""

    answer = ForeignKey(SurveyAnswer, on_delete=OnDelete.cascade, index=True, null=False)
    topic = Varchar(length=64, index=True)  # events.topics slug
    kind = Varchar(length=8)  # traffpunkt.needs.NeedKind
    urgency = Integer(default=2)  # 1 some time, 2 this year, 3 now (needs only)
