"""Retention of the needs survey: answers of rounds closed long ago say what was needed, not
who answered; the needs map counts the same afterwards (both engines)."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import Any

import httpx

from events.tables import AuditEntry
from notifications.tables import OutboxMessage
from surveys import service
from surveys.schemas import RoundOut
from surveys.service import retention
from surveys.tables import SurveyAnswer, SurveyInvite, SurveyRound
from tests.conftest import World
from tests.surveys.conftest import ORG, admin, answer
from traffpunkt.clock import utc_now
from traffpunkt.companies import org_pseudonym
from traffpunkt.settings import get_settings, using

SOLE_TRADER = "811218-9876"  # an identity number: the owner's, personal data


async def _map(client: httpx.AsyncClient) -> Any:
    params = {"municipality": "asele", "source": "survey", "from": "2020-01-01"}
    return (await client.get("/api/v1/needs-map", params=params)).json()


async def test_old_rounds_lose_who_answered_and_keep_the_figures(
    client: httpx.AsyncClient, world: World, open_round: RoundOut
) -> None:
    done = [
        await service.submit_open(open_round.slug, answer(ORG[0])),
        await service.submit_open(open_round.slug, answer(ORG[1], email="b@example.se")),
        await service.submit_open(
            open_round.slug, answer(SOLE_TRADER, email="c@example.se", company_name="Karins")
        ),
    ]
    await service.invite(await admin(), str(open_round.id), _invitations(["d@example.se"]))
    before = await _map(client)
    assert before["people"] == "3"
    with using(dataclasses.replace(get_settings(), retention_months=0)):
        assert await retention.apply_retention() == 0  # retention off
    assert await retention.apply_retention() == 0  # the round is open: nothing is due
    # The round closed 25 months ago (and its mail went out before that).
    await SurveyRound.update({SurveyRound.closes_at: utc_now() - timedelta(days=760)}).where(
        SurveyRound.id == open_round.id
    )
    await OutboxMessage.update({OutboxMessage.created_at: utc_now() - timedelta(days=800)}).where(
        OutboxMessage.kind.like("survey_%")
    )
    assert await retention.apply_retention() == 3
    assert await retention.apply_retention() == 0  # done once
    rows = await SurveyAnswer.select().order_by(SurveyAnswer.answered_at)
    assert {r["email"] for r in rows} == {""}
    assert {r["contact_name"] for r in rows} | {r["company_name"] for r in rows} == {""}
    assert {r["free_text"] for r in rows} == {""} and not any(r["contact_consent"] for r in rows)
    numbers = {r["org_number"] for r in rows}
    pseudonym = org_pseudonym(SOLE_TRADER, get_settings().secret_key)
    assert numbers == {ORG[0], ORG[1], pseudonym} and pseudonym.startswith("P")
    assert {r["sector"] for r in rows} == {"I"} and {r["size_band"] for r in rows} == {"1-4"}
    invites = await SurveyInvite.select(SurveyInvite.email, SurveyInvite.name)
    assert invites == [{"email": "", "name": ""}]
    # The answer's own link no longer opens it.
    r = await client.get(f"/survey/a/{done[0].token}")
    assert r.status_code == 404
    # No mail about the round names anyone.
    mails = await OutboxMessage.select(OutboxMessage.recipient, OutboxMessage.data).where(
        OutboxMessage.kind.like("survey_%")
    )
    assert mails and all("example.se" not in m["recipient"] + m["data"] for m in mails)
    assert await AuditEntry.count().where(AuditEntry.action == "surveys.retained") == 1
    after = await _map(client)
    assert after == before  # the same needs, the same number of companies


def _invitations(emails: list[str]) -> Any:
    from surveys.schemas import SurveyInvitationsIn

    return SurveyInvitationsIn(emails=emails)
