"""The companies that answered a survey, for the funder's report (reports domain)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from surveys import queries
from surveys.queries import SurveyCompany


async def companies_answered(
    municipalities: Sequence[UUID] | None, start: datetime, end: datetime
) -> list[SurveyCompany]:
    """One row per answer given in [start, end) (UTC) in the municipalities named (all when
    None): organisation number, municipality, SNI section and size band; nothing personal."""
    return await queries.companies_answered(municipalities, start, end)
