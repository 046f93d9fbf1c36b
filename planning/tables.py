"""Tables of the planning domain. All times are `Timestamptz` (UTC on both engines)."""

from __future__ import annotations

from piccolo.columns import (
    UUID,
    DoublePrecision,
    ForeignKey,
    Integer,
    OnDelete,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from accounts.tables import Organiser
from events.tables import Event, Municipality


class TravelOverride(Table, tablename="travel_override"):
    """Minutes by road between two municipalities where the estimate from the coordinates is
    wrong (a lake in the way, a pass closed in winter); holds for both directions."""

    id = UUID(primary_key=True)
    # "<smaller id>:<larger id>" (as text): one override per pair, whichever way it was typed.
    pair = Varchar(length=80, unique=True)
    municipality_a = ForeignKey(Municipality, on_delete=OnDelete.cascade, null=False)
    municipality_b = ForeignKey(Municipality, on_delete=OnDelete.cascade, null=False)
    minutes = Integer()
    updated_by = ForeignKey(Organiser, on_delete=OnDelete.set_null, null=True, default=None)
    updated_at = Timestamptz()


class Expert(Table, tablename="expert"):
    """A researcher or other speaker who can hold seminars; fills in their own offer through a
    mailed link (the secret is stored hashed), which also changes or erases it."""

    id = UUID(primary_key=True)
    email = Varchar(length=320, unique=True)
    name = Varchar(length=200, default="")
    organisation = Varchar(length=200, default="")
    languages = Varchar(length=40, default="")  # " sv en " as topics are stored
    topics = Text(default="")  # topic slugs, " a b "
    # Where they travel from: a municipality, or coordinates (WGS 84).
    home_municipality = ForeignKey(
        Municipality, on_delete=OnDelete.set_null, null=True, default=None
    )
    home_latitude = DoublePrecision(null=True, default=None)
    home_longitude = DoublePrecision(null=True, default=None)
    travel_dates = Text(default="")  # ISO dates " 2027-03-01 2027-03-02 " they can travel
    token_hash = Varchar(length=64, unique=True)
    invited_by = ForeignKey(Organiser, on_delete=OnDelete.set_null, null=True, default=None)
    created_at = Timestamptz()
    answered_at = Timestamptz(null=True, default=None)  # None: not filled in yet


class SurveyInvitation(Table, tablename="survey_invitation"):
    """One personal invitation to a published event for a company whose survey answer named
    one of its topics there: at most one per company and event."""

    id = UUID(primary_key=True)
    # "<event id>:<organisation number>": never twice for a company and an event.
    event_company = Varchar(length=80, unique=True)
    event = ForeignKey(Event, on_delete=OnDelete.cascade, index=True, null=False)
    org_number = Varchar(length=11)
    created_at = Timestamptz()


class Tour(Table, tablename="tour"):
    """A proposed seminar tour (the planner's stops, as the organiser adjusts them), until its
    draft events are created (`events_created_at`)."""

    id = UUID(primary_key=True)
    topic = Varchar(length=64)
    expert = ForeignKey(Expert, on_delete=OnDelete.set_null, null=True, default=None)
    # The stops as JSON: [{municipality, venue_id, day, starts_at, ends_at, travel_minutes,
    # unmet}] in order (msgspec-encoded `planning.schemas.TourStop`s).
    stops = Text(default="[]")
    min_capacity = Integer(default=1)
    created_by = ForeignKey(Organiser, on_delete=OnDelete.set_null, null=True, default=None)
    created_at = Timestamptz()
    events_created_at = Timestamptz(null=True, default=None)
