"""The organiser's web, networking part: the 1:1 meeting plan."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from events import service as events_service
from networking import service
from networking.schemas import PlanIn
from traffpunkt import i18n
from traffpunkt.auth import web_organiser
from traffpunkt.errors import Conflict, Invalid, NotFound, form_errors
from traffpunkt.organiser_web import organiser_page, see_other


async def _page(
    request: Request[Any, Any, Any],
    event_id: str,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    actor = await web_organiser(request)
    row = await events_service.event_for_organiser(actor, event_id)
    try:
        plan = await service.get_plan(actor, event_id)
    except NotFound:
        plan = None
    return organiser_page(
        request,
        "networking/organiser/meetings.html",
        {
            "event": events_service.event_out(row),
            "plan": plan,
            "errors": errors or {},
            "done": request.query_params.get("done"),
        },
        status_code=status_code,
    )


@get("/organiser/events/{event_id:str}/meetings", include_in_schema=False)
async def meetings(request: Request[Any, Any, Any], event_id: FromPath[str]) -> Template:
    return await _page(request, event_id)


@post("/organiser/events/{event_id:str}/meetings", include_in_schema=False)
async def generate(request: Request[Any, Any, Any], event_id: FromPath[str]) -> Response[Any]:
    actor = await web_organiser(request)
    form = await request.form()
    lang = i18n.request_language(request)
    try:
        body: dict[str, int | str] = {
            k: int(str(form.get(k)))
            for k in ("slots", "minutes", "tables")
            if str(form.get(k) or "").isdigit()
        }
        if form.get("starts_at"):
            body["starts_at"] = str(form.get("starts_at"))
        await service.create_plan(actor, event_id, msgspec.convert(body, PlanIn))
    except (Invalid, msgspec.ValidationError) as exc:
        return await _page(request, event_id, form_errors(exc, lang), status_code=422)
    return see_other(f"/organiser/events/{event_id}/meetings?done=generated")


@post("/organiser/events/{event_id:str}/meetings/publish", include_in_schema=False)
async def publish(request: Request[Any, Any, Any], event_id: FromPath[str]) -> Redirect:
    actor = await web_organiser(request)
    try:
        await service.publish_plan(actor, event_id)
    except Conflict:
        pass  # already published: the page says so
    return see_other(f"/organiser/events/{event_id}/meetings?done=published")


@get("/organiser/events/{event_id:str}/meetings.csv", include_in_schema=False)
async def plan_csv(request: Request[Any, Any, Any], event_id: FromPath[str]) -> Response[bytes]:
    actor = await web_organiser(request)
    name, body = await service.plan_csv(actor, event_id)
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


ROUTES = [meetings, generate, publish, plan_csv]
