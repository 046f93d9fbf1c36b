"""Who may be told about an activity on a topic they asked for: the answers that named it as a
need in the municipality and agreed to be contacted (planning invites them when an event on
the topic is published)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

import msgspec

from surveys import queries


class SurveyContact(msgspec.Struct, frozen=True, kw_only=True):
    org_number: str
    email: str
    name: str
    language: str


async def contacts_for_topics(
    municipality: UUID, topics: Sequence[str], since: datetime | None = None
) -> list[SurveyContact]:
    """One contact per company (its newest answer's address), for the answers in the
    municipality that named one of the topics as a need and agreed to be contacted (given
    since `since`, when named). Erased answers never."""
    if not topics:
        return []
    seen: set[str] = set()
    out: list[SurveyContact] = []
    for row in await queries.contacts_for_topic(municipality, topics, since):
        if row.org_number in seen:
            continue
        seen.add(row.org_number)
        out.append(
            SurveyContact(
                org_number=row.org_number, email=row.email, name=row.name, language=row.language
            )
        )
    return out
