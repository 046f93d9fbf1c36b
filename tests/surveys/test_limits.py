"""Abuse limits of the survey: answers through the open link per client address, receipts per
address (beyond: saved, not mailed), unknown links per client."""

from __future__ import annotations

from typing import Any

import httpx

from notifications.tables import OutboxMessage
from surveys.tables import SurveyAnswer
from tests.conftest import World
from tests.surveys.conftest import ORG
from tests.surveys.test_api import _round_body
from tests.test_limits import assert_429, attacker, set_limits  # noqa: F401 (fixtures)


def _body(i: int, email: str) -> dict[str, Any]:
    return {
        "company": f"Företag {i} AB",
        "organisation_number": ORG[i],
        "municipality": "asele",
        "email": email,
        "needs": [{"topic": "export", "urgency": 2}],
    }


async def test_open_link_answers_and_receipts_are_limited(
    client: httpx.AsyncClient,
    attacker: httpx.AsyncClient,  # noqa: F811
    world: World,
    set_limits: Any,  # noqa: F811
) -> None:
    set_limits(survey_answer_per_client="4/10m", survey_receipt_per_address="2/1h")
    created = (
        await client.post("/api/v1/surveys", json=_round_body(), headers=world.auth(world.asele))
    ).json()
    url = f"/api/v1/surveys/{created['id']}/answers"
    answers = [await attacker.post(url, json=_body(i, "victim@example.se")) for i in range(6)]
    assert [r.status_code for r in answers] == [201] * 4 + [429] * 2
    assert_429(answers[4])
    assert await SurveyAnswer.count() == 4
    # The address got two receipts; the other answers were saved without mail.
    receipts = await OutboxMessage.select().where(OutboxMessage.kind == "survey_receipt")
    assert len(receipts) == 2
    # Another client answers as usual.
    assert (await client.post(url, json=_body(7, "own@example.se"))).status_code == 201
    # Guessed links count as token misses (404 page, then 429 beyond the rule).
    r = await attacker.get("/survey/a/not-a-real-token", headers={"accept": "text/html"})
    assert r.status_code == 404
