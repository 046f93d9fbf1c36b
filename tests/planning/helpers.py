"""Survey answers made directly through the tables (the survey's own pages are another
domain's), for the planning tests and the bench."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from uuid import UUID

from events.tables import Municipality
from surveys.tables import SurveyAnswer, SurveyNeed, SurveyRound
from traffpunkt.needs import NeedKind


async def municipality_id(slug: str) -> UUID:
    row = await Municipality.select(Municipality.id).where(Municipality.slug == slug).first()
    assert row is not None
    return UUID(str(row["id"]))


async def survey_round(slug: str = "host-2026") -> UUID:
    now = datetime.now(UTC)
    round_id = uuid.uuid4()
    await SurveyRound.insert(
        SurveyRound(
            id=round_id,
            slug=slug,
            title="Kompetensbehov hösten 2026",
            opens_at=now - timedelta(days=30),
            closes_at=now + timedelta(days=30),
            created_at=now,
            updated_at=now,
        )
    )
    return round_id


async def answer(
    round_id: UUID,
    municipality: UUID,
    org_number: str,
    needs: list[tuple[str, int]],
    *,
    contact_consent: bool = False,
    email: str = "",
    name: str = "",
    language: str = "sv",
    offers: list[str] = (),  # type: ignore[assignment]
    days_ago: int = 1,
) -> UUID:
    now = datetime.now(UTC)
    answer_id = uuid.uuid4()
    await SurveyAnswer.insert(
        SurveyAnswer(
            id=answer_id,
            round=round_id,
            round_company=f"{round_id}:{org_number}",
            org_number=org_number,
            municipality=municipality,
            contact_name=name,
            email=email,
            language=language,
            contact_consent=contact_consent,
            token_hash=uuid.uuid4().hex + uuid.uuid4().hex,
            answered_at=now - timedelta(days=days_ago),
            updated_at=now,
        )
    )
    rows = [SurveyNeed(answer=answer_id, topic=t, kind=NeedKind.NEED, urgency=u) for t, u in needs]
    rows += [SurveyNeed(answer=answer_id, topic=t, kind=NeedKind.OFFER, urgency=2) for t in offers]
    if rows:
        await SurveyNeed.insert(*rows)
    return answer_id
