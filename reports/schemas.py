"""The participant report as the API answers it (`GET /api/v1/reports/participation`)."""

from __future__ import annotations

from datetime import date

import msgspec

from reports.counting import ActivityLine, MunicipalityLine, Share


class ParticipationOut(msgspec.Struct, kw_only=True, rename={"start": "from"}):
    start: date  # `from`, the first day (local)
    to: date  # the last day, included
    municipalities: list[str]  # slugs
    activities: int  # activities held
    participants: int  # checked in: one per person and activity
    persons: int  # distinct people (by address)
    companies: int  # distinct organisation numbers, from check-ins and survey answers
    hours: float  # hours of participation
    by_municipality: list[MunicipalityLine]
    by_sector: list[Share]
    by_size_band: list[Share]
    by_gender: list[Share]
    activity_list: list[ActivityLine]
