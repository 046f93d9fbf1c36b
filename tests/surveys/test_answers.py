"""Answers, invitations, reminders and the export, through the service, on both engines."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from typing import Any

import pytest

from notifications.tables import OutboxMessage
from surveys import service
from surveys.schemas import RoundOut, RoundPatch, SurveyInvitationsIn
from surveys.tables import SurveyAnswer, SurveyInvite, SurveyNeed
from tests.surveys.conftest import ORG, admin, answer
from traffpunkt.clock import utc_now
from traffpunkt.errors import Conflict, Invalid, NotFound


async def _mails(kind: str) -> list[dict[str, Any]]:
    return await OutboxMessage.select().where(OutboxMessage.kind == kind)


def _token(mail: dict[str, Any]) -> str:
    return str(json.loads(mail["secrets"])["answer_url"]).rsplit("/", 1)[1]


async def _needs(answer_id: Any) -> list[tuple[str, str, int]]:
    rows = await SurveyNeed.select().where(SurveyNeed.answer == answer_id)
    return sorted((r["topic"], r["kind"], r["urgency"]) for r in rows)


async def test_one_answer_per_company_the_latest_kept(open_round: RoundOut) -> None:
    first = await service.submit_open(open_round.slug, answer())
    assert first.receipt
    (receipt,) = await _mails("survey_receipt")
    assert receipt["recipient"] == "karin@lapplandturism.se"
    assert _token(receipt) == first.token
    # Another person answers for the same company (the number written differently).
    second = await service.submit_open(
        open_round.slug,
        answer(
            ORG[0].replace("-", ""),
            contact_name="Per Olsson",
            email="per@lapplandturism.se",
            needs={"bookkeeping": 2},
            offers=[],
            sector="G",
        ),
    )
    assert second.answer_id == first.answer_id
    assert first.created and not second.created  # the page then shows no link, only mails it
    rows = await SurveyAnswer.select()
    assert len(rows) == 1 and rows[0]["contact_name"] == "Per Olsson" and rows[0]["sector"] == "G"
    assert await _needs(first.answer_id) == [("bookkeeping", "need", 2)]
    # The latest answer's link opens it; the first one's link was replaced.
    ctx = await service.link_form(second.token)
    assert ctx.answer is not None and ctx.answer.email == "per@lapplandturism.se"
    with pytest.raises(NotFound):
        await service.link_form(first.token)


async def test_two_answers_at_once_keep_one(open_round: RoundOut) -> None:
    results = await asyncio.gather(
        *(
            service.submit_open(
                open_round.slug, answer(contact_name=f"Person {i}", needs={"export": 1 + i % 3})
            )
            for i in range(6)
        )
    )
    assert len({r.answer_id for r in results}) == 1
    assert await SurveyAnswer.count() == 1
    # The needs of exactly one of the answers (replaced together, never mixed).
    assert len(await SurveyNeed.select().where(SurveyNeed.kind == "need")) == 1


async def test_wrong_answers_name_every_field(open_round: RoundOut) -> None:
    with pytest.raises(Invalid) as caught:
        await service.submit_open(
            open_round.slug,
            answer("556036-0794", municipality="kiruna", sector="Z", size_band="", email="karin@"),
        )
    fields = {e.field for e in caught.value.errors or []}
    assert fields == {"org_number", "municipality", "sector", "size_band", "email"}
    assert await SurveyAnswer.count() == 0


async def test_changed_through_the_link_until_the_round_closes(open_round: RoundOut) -> None:
    done = await service.submit_open(open_round.slug, answer())
    changed = await service.submit_by_link(
        done.token, answer(needs={"ai-tools": 3}, networking_consent=True)
    )
    assert changed.answer_id == done.answer_id and not changed.receipt
    assert await _needs(done.answer_id) == [
        ("ai-tools", "need", 3),
        ("tourism", "offer", 2),
    ]
    yesterday = (utc_now() - timedelta(days=1)).date().isoformat()
    await service.update_round(
        await admin(),
        open_round.id,
        RoundPatch(
            opens_at=(utc_now() - timedelta(days=5)).date().isoformat(), closes_at=yesterday
        ),
    )
    ctx = await service.link_form(done.token)
    assert ctx.state == "closed" and ctx.answer is not None
    with pytest.raises(Conflict):
        await service.submit_by_link(done.token, answer(needs={}))
    with pytest.raises(Conflict):
        await service.submit_open(open_round.slug, answer(ORG[1]))
    assert await _needs(done.answer_id) == [("ai-tools", "need", 3), ("tourism", "offer", 2)]


async def test_a_changed_org_number_moves_the_answer(open_round: RoundOut) -> None:
    done = await service.submit_open(open_round.slug, answer())
    moved = await service.submit_by_link(done.token, answer(ORG[1]))
    rows = await SurveyAnswer.select(SurveyAnswer.org_number)
    assert [r["org_number"] for r in rows] == [ORG[1]]
    ctx = await service.link_form(done.token)
    assert ctx.answer is not None and ctx.answer.id == moved.answer_id


async def test_erase_from_the_link(open_round: RoundOut) -> None:
    out = await service.invite(
        await admin(), open_round.id, SurveyInvitationsIn(emails=["karin@lapplandturism.se"])
    )
    assert out.invited == 1
    (invitation,) = await _mails("survey_invitation")
    token = _token(invitation)
    done = await service.submit_by_link(token, answer())
    assert done.receipt  # the first answer through an invitation is confirmed by mail
    invite = await SurveyInvite.select().first()
    assert invite is not None and invite["answer_id"] == done.answer_id
    assert await service.erase_by_link(token)
    assert await SurveyAnswer.count() == 0 and await SurveyNeed.count() == 0
    (receipt,) = await _mails("survey_receipt")  # kept as a fact, without whom or the link
    assert receipt["status"] == "cancelled" and receipt["secrets"] is None
    assert receipt["recipient"] != "karin@lapplandturism.se"
    invite = await SurveyInvite.select().first()
    assert invite is not None and invite["answer_id"] is None
    # The invitation's link still opens an empty form (the round is open).
    ctx = await service.link_form(token)
    assert ctx.answer is None and ctx.invite is not None
    assert not await service.erase_by_link(token)


async def test_reminders_go_once(open_round: RoundOut) -> None:
    actor = await admin()
    emails = ["a@foretag.se", "b@foretag.se", "c@foretag.se"]
    out = await service.invite(actor, open_round.id, SurveyInvitationsIn(emails=emails))
    assert out.invited == 3
    again = await service.invite(actor, open_round.id, SurveyInvitationsIn(emails=emails[:1]))
    assert again.invited == 0 and again.already_invited == emails[:1]
    invitations = {m["recipient"]: _token(m) for m in await _mails("survey_invitation")}
    await service.submit_by_link(invitations["a@foretag.se"], answer(email="a@foretag.se"))
    first, second = await asyncio.gather(
        service.send_reminders(actor, open_round.id), service.send_reminders(actor, open_round.id)
    )
    assert first.reminded + second.reminded == 2
    assert (await service.send_reminders(actor, open_round.id)).reminded == 0
    reminders = await _mails("survey_reminder")
    assert sorted(m["recipient"] for m in reminders) == ["b@foretag.se", "c@foretag.se"]
    # The reminder's own link opens the same invite.
    reminder_link = _token(next(m for m in reminders if m["recipient"] == "b@foretag.se"))
    ctx = await service.link_form(reminder_link)
    assert ctx.invite is not None and ctx.invite.email == "b@foretag.se"
    figures = (await service.get_round(actor, open_round.id)).figures
    assert figures is not None
    assert (figures.invites, figures.answered_invites, figures.reminded) == (3, 1, 2)
    assert figures.answer_rate == pytest.approx(0.333)


async def test_export_has_one_row_per_answer(open_round: RoundOut) -> None:
    await service.submit_open(open_round.slug, answer())
    await service.submit_open(
        open_round.slug,
        answer(
            ORG[1],
            company_name="Arvidsjaur Bygg AB",
            municipality="arvidsjaur",
            sector="F",
            size_band="5-9",
            needs={"recruitment": 2},
            offers=[],
            contact_consent=False,
            networking_consent=True,
        ),
    )
    name, headers, rows = await service.round_table(await admin(), open_round.id, "sv")
    assert name.startswith(open_round.slug)
    assert headers[:3] == ["Företag", "Organisationsnummer", "Kommun"]
    by_company = {r[0]: r for r in rows}
    bygg = by_company["Arvidsjaur Bygg AB"]
    assert bygg[1:5] == [ORG[1], "Arvidsjaur", "F Byggverksamhet", "5–9 anställda"]
    assert bygg[7:11] == ["Nej", "Ja", "Rekrytering och kompetensförsörjning (2)", ""]
    turism = by_company["Lappland Turism AB"]
    assert turism[9] == "E-handel (3), Sociala medier (1)"
    assert turism[10] == "Besöksnäring" and turism[11] == "Bokningssystem"
