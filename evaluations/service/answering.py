"""The attendee's side: the form behind the personal link, the answer (changeable for 14 days)
and the follow-up question once it was sent."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec

from evaluations import queries
from evaluations.rows import RequestRow
from evaluations.schemas import (
    AnswerIn,
    AnswerOut,
    EvaluationOut,
    FollowUpIn,
    FollowUpOut,
    Question,
    decode_questions,
)
from evaluations.service._common import ANSWER_WINDOW, EDIT_WINDOW, request_by_token
from evaluations.statuses import FollowUpUse, QuestionKind
from events import service as events_service
from events import topics
from traffpunkt import db
from traffpunkt.clock import utc_now
from traffpunkt.errors import Conflict, FieldError, Invalid, NotFound


async def _questions(event_id: UUID) -> list[Question]:
    settings = await queries.settings(event_id)
    return decode_questions(settings.questions) if settings else []


def _editable_until(req: RequestRow, first_answer: datetime | None) -> datetime:
    return (first_answer + EDIT_WINDOW) if first_answer else (req.sent_at + ANSWER_WINDOW)


def _follow_up_open(req: RequestRow, now: datetime) -> bool:
    return req.follow_up_sent_at is not None and req.follow_up_sent_at <= now


async def evaluation(token: str) -> EvaluationOut:
    req = await request_by_token(token)
    event = await events_service.event_for_mail(req.event)
    if event is None:
        raise NotFound("This evaluation link is not valid")
    now = utc_now()
    answer = await queries.answer(req.id)
    follow_up = await queries.follow_up(req.id)
    until = _editable_until(req, answer.answered_at if answer else None)
    return EvaluationOut(
        event=req.event,
        title=event.title,
        questions=await _questions(req.event),
        answer=(
            AnswerOut(
                overall=answer.overall,
                relevance=answer.relevance,
                next_step=answer.next_step,
                topics=topics.decode(answer.topics),
                wants_follow_up_contact=answer.wants_follow_up_contact,
                custom=msgspec.json.decode(answer.custom, type=dict[str, int | str]),
                answered_at=answer.answered_at,
                updated_at=answer.updated_at,
            )
            if answer
            else None
        ),
        editable_until=until,
        can_answer=now <= until,
        follow_up_open=_follow_up_open(req, now),
        follow_up_can_answer=_follow_up_open(req, now)
        and (follow_up is None or now <= follow_up.answered_at + EDIT_WINDOW),
        follow_up=(
            FollowUpOut(
                used=FollowUpUse(follow_up.used),
                text=follow_up.text,
                answered_at=follow_up.answered_at,
            )
            if follow_up
            else None
        ),
    )


def check_custom(questions: list[Question], given: dict[str, int | str]) -> dict[str, int | str]:
    """The answers to the organiser's questions, each checked against its kind; empty ones are
    left out (the organiser's questions are optional)."""
    by_id = {q.id: q for q in questions}
    errors: list[FieldError] = []
    kept: dict[str, int | str] = {}
    for qid, value in given.items():
        q = by_id.get(qid)
        field = f"custom.{qid}"
        if q is None:
            errors.append(FieldError(field, "No such question"))
            continue
        if value == "":
            continue
        if q.kind == QuestionKind.SCALE:
            if isinstance(value, str):
                value = int(value) if value.isdigit() else 0
            if not 1 <= value <= 5:
                errors.append(FieldError(field, "Choose 1 to 5"))
                continue
        elif q.kind == QuestionKind.CHOICE:
            if value not in q.options:
                errors.append(FieldError(field, "Choose one of the options"))
                continue
        else:
            value = str(value).strip()
            if len(value) > 2000:
                errors.append(FieldError(field, "At most 2000 characters"))
                continue
            if not value:
                continue
        kept[qid] = value
    if errors:
        raise Invalid(errors[0].message, errors=errors)
    return kept


async def answer(token: str, data: AnswerIn) -> EvaluationOut:
    """Give or change the answer (changeable for EDIT_WINDOW after it was first given)."""
    events_service.check_topics(data.topics, field="topics")
    async with db.transaction():
        req = await request_by_token(token)
        now = utc_now()
        existing = await queries.answer(req.id)
        if now > _editable_until(req, existing.answered_at if existing else None):
            raise Conflict("This evaluation is closed; thank you for your answer")
        values: dict[str, Any] = {
            "overall": data.overall,
            "relevance": data.relevance,
            "next_step": data.next_step.strip(),
            "topics": topics.encode(data.topics),
            "wants_follow_up_contact": data.wants_follow_up_contact,
            "custom": msgspec.json.encode(
                check_custom(await _questions(req.event), data.custom)
            ).decode(),
        }
        if existing is None:
            await queries.insert_answer(req.id, values, now)
        else:
            await queries.update_answer(req.id, values, now)
    return await evaluation(token)


async def answer_follow_up(token: str, data: FollowUpIn) -> EvaluationOut:
    """The follow-up's answer, once the follow-up was sent; changeable for EDIT_WINDOW."""
    async with db.transaction():
        req = await request_by_token(token)
        now = utc_now()
        if not _follow_up_open(req, now):
            raise Conflict("The follow-up question is not open")
        existing = await queries.follow_up(req.id)
        if existing is not None and now > existing.answered_at + EDIT_WINDOW:
            raise Conflict("This evaluation is closed; thank you for your answer")
        await queries.save_follow_up(req.id, data.used, data.text.strip(), now)
    return await evaluation(token)


async def on_registration_erased(registration_id: UUID) -> None:
    """An erasure on request takes the person out of every result: the evaluation link stops
    working and its answers go (`hooks.registration_erased`, inside the erasure's transaction;
    the mails were already withdrawn by the outbox)."""
    await queries.delete_request_of(registration_id)
