"""The demo's past meeting has evaluation answers enough for its results page."""

from __future__ import annotations

from typing import Any

import httpx

from accounts import service as accounts
from events import organisers
from tests.conftest import World
from traffpunkt.demo import DEMO_ADMIN, EVALUATION_ANSWERS, load_demo


async def test_demo_has_evaluation_results(client: httpx.AsyncClient) -> None:
    summary = await load_demo()
    assert f"{len(EVALUATION_ANSWERS)} evaluations" in summary
    _, token = await accounts.create_token(await organisers.ensure_organiser(DEMO_ADMIN, "admin"))
    r = await client.get(
        "/api/v1/evaluation-results", params={"by": "event"}, headers=World.auth(token)
    )
    body: dict[str, Any] = r.json()
    [meeting] = body["items"]
    assert meeting["answers"] == len(EVALUATION_ANSWERS) and not meeting["suppressed"]
    assert meeting["overall"]["average"] == 4.1
    assert "Lägga upp webbshopen före julhandeln." in meeting["next_steps"]
