"""The survey's needs as `NeedSignal`s, on both engines."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from events.tables import Municipality
from surveys import service
from surveys.tables import SurveyAnswer, SurveyNeed, SurveyRound
from tests.conftest import World
from traffpunkt.needs import NeedKind, NeedSource


async def test_needs_of_answers_in_the_period(engine: Any, world: World) -> None:
    now = datetime.now(UTC)
    asele = await Municipality.select(Municipality.id).where(Municipality.slug == "asele").first()
    assert asele is not None
    round_id = uuid.uuid4()
    await SurveyRound.insert(
        SurveyRound(
            id=round_id,
            slug="host-2026",
            title="Kompetensbehov hösten 2026",
            opens_at=now - timedelta(days=10),
            closes_at=now + timedelta(days=10),
            created_at=now,
            updated_at=now,
        )
    )
    answer_id = uuid.uuid4()
    await SurveyAnswer.insert(
        SurveyAnswer(
            id=answer_id,
            round=round_id,
            round_company=f"{round_id}:556036-0793",
            org_number="556036-0793",
            municipality=asele["id"],
            sector="I",
            size_band="1-4",
            token_hash="x" * 64,
            answered_at=now - timedelta(days=1),
            updated_at=now,
        )
    )
    await SurveyNeed.insert(
        SurveyNeed(answer=answer_id, topic="e-commerce", kind=NeedKind.NEED, urgency=3),
        SurveyNeed(answer=answer_id, topic="tourism", kind=NeedKind.OFFER, urgency=2),
    )
    signals = await service.need_signals([asele["id"]], now - timedelta(days=5), now)
    assert sorted((s.topic, s.kind, s.urgency) for s in signals) == [
        ("e-commerce", NeedKind.NEED, 3),
        ("tourism", NeedKind.OFFER, 2),
    ]
    first = signals[0]
    assert first.source is NeedSource.SURVEY
    assert first.company == "556036-0793" and first.municipality == asele["id"]
    assert first.sector == "I" and first.size_band == "1-4"
    assert await service.need_signals(None, now - timedelta(days=5), now - timedelta(days=2)) == []
    assert await service.need_signals([uuid.uuid4()], now - timedelta(days=5), now) == []
