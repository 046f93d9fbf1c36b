"""All database queries of the survey domain."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from surveys.tables import SurveyNeed
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
