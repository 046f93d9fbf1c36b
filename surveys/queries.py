"""All database queries of the survey domain."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

import msgspec

from surveys.tables import SurveyNeed
from traffpunkt.db import rows_of
from traffpunkt.needs import NeedKind, NeedSignal, NeedSource


async def need_signals(
    municipalities: Sequence[UUID] | None, start: datetime, end: datetime
) -> list[NeedSignal]:
    """Every need and offer of the answers given in [start, end), in the municipalities named
    (all when None)."""
    query = SurveyNeed.select(
        SurveyNeed.answer.municipality.as_alias("municipality"),
        SurveyNeed.topic,
        SurveyNeed.kind,
        SurveyNeed.urgency,
        SurveyNeed.answer.org_number.as_alias("company"),
        SurveyNeed.answer.answered_at.as_alias("at"),
        SurveyNeed.answer.sector.as_alias("sector"),
        SurveyNeed.answer.size_band.as_alias("size_band"),
    ).where((SurveyNeed.answer.answered_at >= start) & (SurveyNeed.answer.answered_at < end))
    if municipalities is not None:
        query = query.where(SurveyNeed.answer.municipality.is_in(list(municipalities)))
    rows = await query
    return rows_of([{**r, "source": NeedSource.SURVEY} for r in rows], NeedSignal)


# --- contacts for planning (who asked for a topic and may be contacted) -------------------------


class ContactRow(msgspec.Struct, frozen=True):
    org_number: str
    email: str
    name: str
    language: str
    answered_at: datetime


async def contacts_for_topic(
    municipality: UUID, topics: Sequence[str], since: datetime | None = None
) -> list[ContactRow]:
    """Answers in the municipality that named one of the topics as a need and agreed to be
    contacted, with an address; the newest answer per company first. Erased answers are gone
    from the table, so they never show."""
    query = SurveyNeed.select(
        SurveyNeed.answer.org_number.as_alias("org_number"),
        SurveyNeed.answer.email.as_alias("email"),
        SurveyNeed.answer.contact_name.as_alias("name"),
        SurveyNeed.answer.language.as_alias("language"),
        SurveyNeed.answer.answered_at.as_alias("answered_at"),
    ).where(
        (SurveyNeed.answer.municipality == municipality)
        & SurveyNeed.topic.is_in(list(topics))
        & (SurveyNeed.kind == NeedKind.NEED)
        & (SurveyNeed.answer.contact_consent == True)  # noqa: E712 (a column, not a bool)
        & (SurveyNeed.answer.email != "")
    )
    if since is not None:
        query = query.where(SurveyNeed.answer.answered_at >= since)
    rows = await query.order_by(SurveyNeed.answer.answered_at, ascending=False)
    return rows_of(rows, ContactRow)


# --- need counts for planning (the planning page at Sweden's scale) -----------------------------


class NeedCountRow(msgspec.Struct, frozen=True):
    municipality: str
    topic: str
    urgency: int
    companies: int


async def need_counts(
    municipalities: Sequence[UUID] | None, start: datetime, end: datetime
) -> list[NeedCountRow]:
    """Distinct companies per (municipality, topic) at their highest urgency, for the needs
    of answers given in [start, end): counted in the database, so tens of thousands of
    answers never travel to Python."""
    where = "n.kind = {} AND a.answered_at >= {} AND a.answered_at < {}"
    args: list[object] = [NeedKind.NEED.value, start, end]
    if municipalities is not None:
        if not municipalities:
            return []
        where += f" AND a.municipality IN ({', '.join('{}' for _ in municipalities)})"
        args += list(municipalities)
    sql = (
        "SELECT CAST(municipality AS VARCHAR) AS municipality, topic, urgency, "
        "COUNT(*) AS companies FROM ("
        " SELECT a.municipality AS municipality, n.topic AS topic, MAX(n.urgency) AS urgency"
        " FROM survey_need n JOIN survey_answer a ON a.id = n.answer"
        f" WHERE {where}"
        " GROUP BY a.municipality, n.topic, a.org_number"
        ") per_company GROUP BY municipality, topic, urgency"
    )
    return rows_of(await SurveyNeed.raw(sql, *args), NeedCountRow)
