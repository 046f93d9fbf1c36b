"""All database queries of the survey domain."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

import msgspec

from surveys.tables import SurveyAnswer, SurveyNeed
from traffpunkt.db import rows_of
from traffpunkt.needs import NeedSignal, NeedSource


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


class SurveyCompany(msgspec.Struct, frozen=True):
    """A company as an answer describes it (no contact details)."""

    org_number: str
    municipality: UUID
    sector: str  # SNI 2007 section letter or ""
    size_band: str  # traffpunkt.companies.SIZE_BANDS code or ""


async def companies_answered(
    municipalities: Sequence[UUID] | None, start: datetime, end: datetime
) -> list[SurveyCompany]:
    query = SurveyAnswer.select(
        SurveyAnswer.org_number,
        SurveyAnswer.municipality,
        SurveyAnswer.sector,
        SurveyAnswer.size_band,
    ).where((SurveyAnswer.answered_at >= start) & (SurveyAnswer.answered_at < end))
    if municipalities is not None:
        query = query.where(SurveyAnswer.municipality.is_in(list(municipalities)))
    return rows_of(await query, SurveyCompany)
