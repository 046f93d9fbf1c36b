"""The organiser's choices per event: their own questions (up to five) and the follow-up."""

from __future__ import annotations

import msgspec

from evaluations import queries
from evaluations.schemas import SettingsIn, SettingsOut, decode_questions, question_ids
from evaluations.statuses import QuestionKind
from events import service as events_service
from notifications import service as mail
from traffpunkt import db
from traffpunkt.auth import Principal
from traffpunkt.clock import utc_now
from traffpunkt.errors import FieldError, Invalid


async def get_settings(actor: Principal, event_id: str) -> SettingsOut:
    row = await events_service.event_for_organiser(actor, event_id)
    settings = await queries.settings(row.id)
    requests, answers = await queries.counts(row.id)
    return SettingsOut(
        event=row.id,
        follow_up=settings.follow_up if settings else True,
        questions=decode_questions(settings.questions) if settings else [],
        requests=requests,
        answers=answers,
    )


def _check(data: SettingsIn) -> None:
    errors: list[FieldError] = []
    for i, q in enumerate(data.questions):
        text = " ".join(q.text.split())
        if not text:
            errors.append(FieldError(f"questions[{i}].text", "Write the question"))
        if q.kind == QuestionKind.CHOICE:
            options = [o.strip() for o in q.options if o.strip()]
            if len(options) < 2:
                errors.append(FieldError(f"questions[{i}].options", "Give at least two options"))
            elif len(set(options)) != len(options):
                errors.append(FieldError(f"questions[{i}].options", "Give each option once"))
        elif q.options:
            errors.append(FieldError(f"questions[{i}].options", "Only a choice has options"))
    if errors:
        raise Invalid(errors[0].message, errors=errors)


async def save_settings(actor: Principal, event_id: str, data: SettingsIn) -> SettingsOut:
    """Questions can change until the first answer (answers are kept by question); the
    follow-up can be turned off until it goes, and on only before the evaluation was sent
    (the follow-up carries the evaluation's link, which is not kept)."""
    _check(data)
    row = await events_service.event_for_organiser(actor, event_id)
    questions = [
        msgspec.structs.replace(
            q,
            text=" ".join(q.text.split()),
            options=[o.strip() for o in q.options if o.strip()],
        )
        for q in data.questions
    ]
    async with db.transaction():
        old = await queries.settings(row.id)
        old_questions = decode_questions(old.questions) if old else []
        old_follow_up = old.follow_up if old else True
        new_questions = question_ids(questions)
        requests, answers = await queries.counts(row.id)
        if answers and new_questions != old_questions:
            raise Invalid.field(
                "questions", "The questions cannot change once someone has answered"
            )
        if data.follow_up and not old_follow_up and requests:
            raise Invalid.field(
                "follow_up", "The evaluation is already sent; a follow-up can no longer be added"
            )
        now = utc_now()
        if old_follow_up and not data.follow_up:
            for registration_id in await queries.stop_follow_ups(row.id, now):
                await mail.cancel_pending(registration_id, ["evaluation_follow_up"])
        await queries.save_settings(
            row.id,
            {
                "follow_up": data.follow_up,
                "questions": msgspec.json.encode(new_questions).decode(),
                "updated_at": now,
            },
        )
    return await get_settings(actor, event_id)
