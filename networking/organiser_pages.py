"""The organiser's web, networking part: the 1:1 meeting plan (under `organiser_router`:
signed in, the organiser as `actor`, the form read into a Struct)."""

from __future__ import annotations

from typing import Any

import msgspec
import msgspec.structs
from litestar import Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from events import service as events_service
from networking import service
from networking.schemas import PlanIn
from traffpunkt import i18n
from traffpunkt.auth import Principal
from traffpunkt.errors import Conflict, Invalid, NotFound, form_errors
from traffpunkt.organiser_web import Actor, organiser_page, organiser_router, read_form, see_other


class PlanForm(msgspec.Struct):
    """What the plan form sends; `PlanIn` (the API's) holds the rules."""

    slots: str = ""
    minutes: str = ""
    tables: str = ""
    starts_at: str = ""


async def _page(
    request: Request[Any, Any, Any],
    actor: Principal,
    event_id: str,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
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


@get("/events/{event_id:str}/meetings")
async def meetings(
    request: Request[Any, Any, Any], actor: Actor, event_id: FromPath[str]
) -> Template:
    return await _page(request, actor, event_id)


@post("/events/{event_id:str}/meetings")
async def generate(
    request: Request[Any, Any, Any], actor: Actor, event_id: FromPath[str]
) -> Response[Any]:
    form = await read_form(request, PlanForm)
    lang = i18n.request_language(request)
    try:
        # Numbers as numbers; a field left empty (or not a number) is left to PlanIn's default.
        body: dict[str, int | str] = {
            k: int(v)
            for k, v in msgspec.structs.asdict(form).items()
            if k != "starts_at" and v.isdigit()
        }
        if form.starts_at:
            body["starts_at"] = form.starts_at
        await service.create_plan(actor, event_id, msgspec.convert(body, PlanIn))
    except (Invalid, msgspec.ValidationError) as exc:
        return await _page(request, actor, event_id, form_errors(exc, lang), status_code=422)
    return see_other(f"/organiser/events/{event_id}/meetings?done=generated")


@post("/events/{event_id:str}/meetings/publish")
async def publish(
    request: Request[Any, Any, Any], actor: Actor, event_id: FromPath[str]
) -> Redirect:
    try:
        await service.publish_plan(actor, event_id)
    except Conflict:
        pass  # already published: the page says so
    return see_other(f"/organiser/events/{event_id}/meetings?done=published")


@get("/events/{event_id:str}/meetings.csv")
async def plan_csv(
    request: Request[Any, Any, Any], actor: Actor, event_id: FromPath[str]
) -> Response[bytes]:
    name, body = await service.plan_csv(actor, event_id)
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


ROUTER = organiser_router(meetings, generate, publish, plan_csv)
ROUTES = [ROUTER]
