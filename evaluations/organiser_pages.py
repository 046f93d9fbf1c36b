"""The organiser's web, evaluation part (under `organiser_router`: signed in, the organiser as
`actor`): the results with their filters and downloads, and each event's evaluation settings
(own questions, the follow-up)."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Template

from evaluations import service
from evaluations.charts import distribution_svg
from evaluations.schemas import MAX_QUESTIONS, ResultList, SettingsIn
from evaluations.statuses import GroupBy, QuestionKind
from events import service as events_service
from events import topics
from traffpunkt import i18n
from traffpunkt.auth import Principal
from traffpunkt.errors import Invalid, NotFound, form_errors
from traffpunkt.organiser_web import PRIVATE, Actor, organiser_page, organiser_router, see_other


def _chart(lang: str) -> Any:
    """The template's chart maker: `chart(id, title, distribution)` with the words of `lang`."""

    def chart(chart_id: str, title: str, counts: list[int]) -> Any:
        answers = i18n.gettext(lang, "answers")
        desc = ", ".join(f"{n}: {c} {answers}" for n, c in enumerate(counts, 1))
        return distribution_svg(chart_id, title, desc, counts, [str(n) for n in range(1, 6)])

    return chart


async def _results_page(
    request: Request[Any, Any, Any], actor: Principal, status_code: int = 200
) -> Template:
    lang = i18n.request_language(request)
    params = request.query_params
    errors: dict[str, str] = {}
    result: ResultList | None = None
    try:
        q = service.parse_query(params.get)
        result = await service.results(actor, q, lang)
    except Invalid as exc:
        errors = form_errors(exc, lang)
        status_code = 422
    except NotFound as exc:  # a municipality or event that does not exist: a filter's error
        errors = {
            "municipality" if params.get("municipality") else "event": exc.translated_detail(lang)
        }
        status_code = 422
    events = await events_service.organiser_events(actor)
    return organiser_page(
        request,
        "evaluations/organiser/results.html",
        {
            "result": result,
            "errors": errors,
            "filters": {
                k: params.get(k, "") for k in ("by", "event", "topic", "municipality", "from", "to")
            },
            "query_string": str(request.url.query or ""),
            "events": [e for e in events if e.status != "draft"],
            "municipalities": await events_service.organiser_municipalities(actor),
            "topic_choices": [(t.slug, t.label(lang)) for t in topics.TOPICS],
            "topic_label": lambda s: topics.BY_SLUG[s].label(lang) if s in topics.BY_SLUG else s,
            "group_by": [
                (GroupBy.EVENT, i18n.gettext(lang, "Event")),
                (GroupBy.TOPIC, i18n.gettext(lang, "Topic")),
                (GroupBy.MUNICIPALITY, i18n.gettext(lang, "Municipality")),
                (GroupBy.MONTH, i18n.gettext(lang, "Month")),
            ],
            "chart": _chart(lang),
        },
        status_code=status_code,
    )


@get("/evaluations")
async def results_page(request: Request[Any, Any, Any], actor: Actor) -> Template:
    return await _results_page(request, actor)


async def _download(
    request: Request[Any, Any, Any], actor: Principal, fmt: str
) -> Response[bytes] | Template:
    lang = i18n.request_language(request)
    try:
        q = service.parse_query(request.query_params.get)
        name, media, body = service.export(await service.results(actor, q, lang), lang, fmt)
    except (Invalid, NotFound):
        return await _results_page(request, actor)  # the filters' errors, under each field
    return Response(
        body,
        media_type=media,
        headers={**PRIVATE, "Content-Disposition": f'attachment; filename="{name}"'},
    )


@get("/evaluations.csv")
async def results_csv(request: Request[Any, Any, Any], actor: Actor) -> Response[bytes] | Template:
    return await _download(request, actor, "csv")


@get("/evaluations.xlsx")
async def results_xlsx(request: Request[Any, Any, Any], actor: Actor) -> Response[bytes] | Template:
    return await _download(request, actor, "xlsx")


async def _settings_page(
    request: Request[Any, Any, Any],
    actor: Principal,
    event_id: str,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    row = await events_service.event_for_organiser(actor, event_id)
    settings = await service.get_settings(actor, event_id)
    if values is None:
        values = {"follow_up": settings.follow_up, "questions": []}
        for q in settings.questions:
            values["questions"].append(
                {"kind": q.kind, "text": q.text, "options": "\n".join(q.options)}
            )
    while len(values["questions"]) < MAX_QUESTIONS:
        values["questions"].append({"kind": "", "text": "", "options": ""})
    return organiser_page(
        request,
        "evaluations/organiser/settings.html",
        {
            "event": events_service.event_out(row),
            "settings": settings,
            "values": values,
            "errors": errors or {},
            "done": request.query_params.get("done"),
        },
        status_code=status_code,
    )


@get("/events/{event_id:str}/evaluation")
async def settings_page(
    request: Request[Any, Any, Any], actor: Actor, event_id: FromPath[str]
) -> Template:
    return await _settings_page(request, actor, event_id)


@post("/events/{event_id:str}/evaluation")
async def settings_submit(
    request: Request[Any, Any, Any], actor: Actor, event_id: FromPath[str]
) -> Response[Any]:
    form = await request.form()

    def text(name: str) -> str:
        value = form.get(name)
        return value.strip() if isinstance(value, str) else ""

    values: dict[str, Any] = {"follow_up": text("follow_up") == "yes", "questions": []}
    questions: list[dict[str, Any]] = []
    # Blank slots are skipped; the ones filled keep their order (q1, q2, … in that order).
    for i in range(1, MAX_QUESTIONS + 1):
        kind, wording, options = text(f"q{i}_kind"), text(f"q{i}_text"), text(f"q{i}_options")
        values["questions"].append({"kind": kind, "text": wording, "options": options})
        if not kind and not wording:
            continue
        questions.append(
            {
                "kind": kind or QuestionKind.TEXT,
                "text": wording,
                "options": [o.strip() for o in options.splitlines() if o.strip()],
            }
        )
    lang = i18n.request_language(request)
    try:
        data = msgspec.convert(
            {"follow_up": values["follow_up"], "questions": questions}, SettingsIn
        )
        await service.save_settings(actor, event_id, data)
    except (Invalid, msgspec.ValidationError) as exc:
        errors = _slot_errors(form_errors(exc, lang), questions, values["questions"])
        return await _settings_page(request, actor, event_id, values, errors, status_code=422)
    return see_other(f"/organiser/events/{event_id}/evaluation?done=saved")


def _slot_errors(
    errors: dict[str, str], given: list[dict[str, Any]], slots: list[dict[str, Any]]
) -> dict[str, str]:
    """`questions[i].text` names the i-th question given; the form names its slot (q1-q5)."""
    filled = [n for n, s in enumerate(slots, 1) if s["kind"] or s["text"]]
    out: dict[str, str] = {}
    for field, message in errors.items():
        if field.startswith("questions[") or field.startswith("questions."):
            index = int("".join(c for c in field.split("]")[0] if c.isdigit()) or 0)
            part = field.rsplit(".", 1)[-1] if "." in field else "text"
            if index < len(filled) and part in ("text", "options", "kind"):
                out[f"q{filled[index]}_{part}"] = message
                continue
        out[field] = message
    return out


ROUTER = organiser_router(results_page, results_csv, results_xlsx, settings_page, settings_submit)
ROUTES = [ROUTER]
