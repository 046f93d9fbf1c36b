"""The attendee's evaluation page, behind the personal link in the mail (no account).

A plain HTML form that works on a phone without JavaScript. The secret is in the path, so the
page is never cached, never indexed and sends no Referer. Wrong input shows the form again
with an error under each field; a closed evaluation says so on a page of its own."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER

from evaluations import service
from evaluations.schemas import AnswerIn, EvaluationOut, FollowUpIn
from evaluations.statuses import FollowUpUse
from events import topics
from traffpunkt import i18n
from traffpunkt.errors import Conflict, FieldError, Invalid, form_errors
from traffpunkt.templating import page

PRIVATE = {
    "Cache-Control": "private, no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
}


def _values(evaluation: EvaluationOut) -> dict[str, Any]:
    a = evaluation.answer
    if a is None:
        return {"topics": [], "custom": {}}
    return {
        "overall": str(a.overall),
        "relevance": str(a.relevance),
        "next_step": a.next_step,
        "topics": a.topics,
        "wants_follow_up_contact": a.wants_follow_up_contact,
        "custom": {k: str(v) for k, v in a.custom.items()},
    }


def _render(
    request: Request[Any, Any, Any],
    token: str,
    evaluation: EvaluationOut,
    *,
    values: dict[str, Any] | None = None,
    follow_values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    closed: str | None = None,
    status_code: int = 200,
) -> Template:
    lang = i18n.request_language(request)
    f = evaluation.follow_up
    return page(
        request,
        "evaluations/answer.html",
        {
            "token": token,
            "evaluation": evaluation,
            "values": values if values is not None else _values(evaluation),
            "follow_values": follow_values or ({"used": f.used, "text": f.text} if f else {}),
            "errors": errors or {},
            "closed": closed,
            "done": request.query_params.get("done"),
            "topic_choices": [(t.slug, t.label(lang)) for t in topics.TOPICS],
            "uses": [
                (FollowUpUse.YES, i18n.gettext(lang, "Yes")),
                (FollowUpUse.PARTLY, i18n.gettext(lang, "Partly")),
                (FollowUpUse.NO, i18n.gettext(lang, "No")),
            ],
        },
        status_code=status_code,
        headers=PRIVATE,
    )


@get("/evaluation/{token:str}", include_in_schema=False)
async def evaluation_page(request: Request[Any, Any, Any], token: FromPath[str]) -> Template:
    return _render(request, token, await service.evaluation(token))


async def _answer_form(request: Request[Any, Any, Any]) -> dict[str, Any]:
    form = await request.form()

    def text(name: str) -> str:
        value = form.get(name)
        return value.strip() if isinstance(value, str) else ""

    return {
        "overall": text("overall"),
        "relevance": text("relevance"),
        "next_step": text("next_step"),
        "topics": [v for v in form.getall("topics", []) if isinstance(v, str)],
        "wants_follow_up_contact": text("wants_follow_up_contact") == "yes",
        "custom": {f"q{i}": text(f"custom_q{i}") for i in range(1, 6) if text(f"custom_q{i}")},
    }


def _scale(values: dict[str, Any], name: str, errors: list[FieldError]) -> int:
    raw = values[name]
    if raw not in ("1", "2", "3", "4", "5"):
        errors.append(FieldError(name, "Choose 1 to 5"))
        return 0
    return int(raw)


@post("/evaluation/{token:str}", include_in_schema=False)
async def answer_submit(
    request: Request[Any, Any, Any], token: FromPath[str]
) -> Template | Redirect:
    lang = i18n.request_language(request)
    values = await _answer_form(request)
    evaluation = await service.evaluation(token)
    try:
        errors: list[FieldError] = []  # both scales at once, before the rest
        overall, relevance = _scale(values, "overall", errors), _scale(values, "relevance", errors)
        if errors:
            raise Invalid(errors[0].message, errors=errors)
        data = msgspec.convert({**values, "overall": overall, "relevance": relevance}, AnswerIn)
        await service.answer(token, data)
    except (Invalid, msgspec.ValidationError) as exc:
        found = {k.replace("custom.", "custom_"): v for k, v in form_errors(exc, lang).items()}
        return _render(request, token, evaluation, values=values, errors=found, status_code=422)
    except Conflict as exc:
        return _render(
            request, token, evaluation, closed=exc.translated_detail(lang), status_code=409
        )
    return Redirect(f"/evaluation/{token}?done=saved", status_code=HTTP_303_SEE_OTHER)


@post("/evaluation/{token:str}/follow-up", include_in_schema=False)
async def follow_up_submit(
    request: Request[Any, Any, Any], token: FromPath[str]
) -> Template | Redirect:
    lang = i18n.request_language(request)
    form = await request.form()
    used, text = form.get("used"), form.get("text")
    values = {
        "used": used.strip() if isinstance(used, str) else "",
        "text": text.strip() if isinstance(text, str) else "",
    }
    evaluation = await service.evaluation(token)
    try:
        if values["used"] not in FollowUpUse.__members__.values():
            raise Invalid.field("used", "Choose yes, partly or no")
        await service.answer_follow_up(token, msgspec.convert(values, FollowUpIn))
    except (Invalid, msgspec.ValidationError) as exc:
        errors = {f"follow_{k}": v for k, v in form_errors(exc, lang).items()}
        return _render(
            request, token, evaluation, follow_values=values, errors=errors, status_code=422
        )
    except Conflict as exc:
        return _render(
            request, token, evaluation, closed=exc.translated_detail(lang), status_code=409
        )
    return Redirect(f"/evaluation/{token}?done=follow-up", status_code=HTTP_303_SEE_OTHER)


ROUTES = [evaluation_page, answer_submit, follow_up_submit]
