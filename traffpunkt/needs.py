"""A need or an offer of a topic, as every source tells it: a company's survey answer, a
registration's ticked needs, an evaluation's "topics I want next". The needs map (networking)
and the planning page (planning) read these from each source's service, so they count the
sources alike and tell them apart.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from uuid import UUID

import msgspec


class NeedKind(StrEnum):
    NEED = "need"  # the company wants to learn or get help with the topic
    OFFER = "offer"  # the company can share its knowledge of it


class NeedSource(StrEnum):
    SURVEY = "survey"
    REGISTRATION = "registration"
    EVALUATION = "evaluation"


class NeedSignal(msgspec.Struct, frozen=True, kw_only=True):
    """One company's need (or offer) of one topic in one municipality."""

    source: NeedSource
    municipality: UUID | None  # None: a registration whose event's municipality is unknown
    topic: str  # events.topics slug
    kind: NeedKind
    # Who: the organisation number where known, else a stable key of the person (registration
    # id): distinct companies are counted by it, never shown.
    company: str
    at: datetime  # when it was told (UTC)
    urgency: int = 2  # 1 some time, 2 within the year, 3 now
    sector: str = ""  # SNI 2007 section, traffpunkt.companies
    size_band: str = ""
