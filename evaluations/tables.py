"""Tables of the evaluation domain. All times are `Timestamptz` (UTC on both engines).

Answers name no person: an answer belongs to a request, a request to a registration id (so that
one attendee gets one link and one answer), and results never read the registration."""

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

from events.tables import Event


class EvaluationSettings(Table, tablename="evaluation_settings"):
    """The organiser's choices for one event (an event without a row: the defaults)."""

    id = UUID(primary_key=True)
    event = ForeignKey(Event, on_delete=OnDelete.cascade, unique=True, null=False)
    follow_up = Boolean(default=True)
    # JSON list of up to five {"id", "kind" (statuses.QuestionKind), "text", "options"}.
    questions = Text(default="[]")
    updated_at = Timestamptz()


class EvaluationRequest(Table, tablename="evaluation_request"):
    """One checked-in attendee's personal link. The unique registration id is what makes the
    mail go once, whatever runs the job twice at the same time."""

    id = UUID(primary_key=True)
    registration_id = UUID(unique=True)
    event = ForeignKey(Event, on_delete=OnDelete.cascade, index=True, null=False)
    token_hash = Varchar(length=64, unique=True)
    sent_at = Timestamptz()
    answered_at = Timestamptz(null=True, default=None)
    # When the follow-up mail goes (queued with the evaluation mail, sent by the outbox then);
    # None when the event has no follow-up.
    follow_up_sent_at = Timestamptz(null=True, default=None, index=True)
    follow_up_answered_at = Timestamptz(null=True, default=None)


class EvaluationAnswer(Table, tablename="evaluation_answer"):
    id = UUID(primary_key=True)
    # Not `request`: the back office (piccolo-admin) makes a query parameter of every column,
    # and its handlers already take one named `request`. Short, because PostgreSQL cuts the
    # aliases of joins (table$column$table$…) at 63 characters.
    req = ForeignKey(EvaluationRequest, on_delete=OnDelete.cascade, unique=True, null=False)
    overall = Integer()  # 1-5
    relevance = Integer()  # 1-5
    next_step = Text(default="")
    topics = Text(default="")  # topic slugs, " a b " as in events
    wants_follow_up_contact = Boolean(default=False)
    custom = Text(default="{}")  # JSON {question id: answer}
    answered_at = Timestamptz(index=True)
    updated_at = Timestamptz()


class FollowUpAnswer(Table, tablename="evaluation_follow_up_answer"):
    id = UUID(primary_key=True)
    # Not `request`: the back office (piccolo-admin) makes a query parameter of every column,
    # and its handlers already take one named `request`. Short, because PostgreSQL cuts the
    # aliases of joins (table$column$table$…) at 63 characters.
    req = ForeignKey(EvaluationRequest, on_delete=OnDelete.cascade, unique=True, null=False)
    used = Varchar(length=8)  # statuses.FollowUpUse
    text = Text(default="")
    answered_at = Timestamptz(index=True)
