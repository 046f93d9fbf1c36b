"""The expert's own page, through the mailed link: tell what you offer (topics, languages,
where you travel from, which days), change it later, or erase it. No account; the link's
secret is the key (stored hashed), so the page is never cached nor sent as a referrer."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Template

from events import service as events_service
from events import topics
from planning import service
from planning.service.experts import LANGUAGES
from traffpunkt import i18n
from traffpunkt.errors import Invalid, NotFound, form_errors
from traffpunkt.organiser_web import read_form
from traffpunkt.templating import page

PRIVATE = {"Cache-Control": "private, no-store", "Referrer-Policy": "no-referrer"}


class ExpertForm(msgspec.Struct):
    name: str = ""
    organisation: str = ""
    languages: list[str] = msgspec.field(default_factory=list)
    topics: list[str] = msgspec.field(default_factory=list)
    home_municipality: str = ""
    home_latitude: str = ""
    home_longitude: str = ""
    travel_dates: str = ""


async def _page(
    request: Request[Any, Any, Any],
    token: str,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    done: str | None = None,
) -> Template:
    lang = i18n.request_language(request)
    return page(
        request,
        "planning/expert.html",
        {
            "token": token,
            "values": values,
            "errors": errors or {},
            "done": done,
            "topics": [(t.slug, t.label(lang)) for t in topics.TOPICS],
            "languages": LANGUAGES,
            "municipalities": await events_service.list_municipalities(),
        },
        status_code=422 if errors else 200,
        headers=PRIVATE,
    )


def _gone(request: Request[Any, Any, Any]) -> Template:
    return page(request, "planning/expert_gone.html", {}, status_code=404, headers=PRIVATE)


@get("/expert/{token:str}", include_in_schema=False)
async def expert_page(request: Request[Any, Any, Any], token: FromPath[str]) -> Template:
    try:
        view = await service.expert_by_token(token)
    except NotFound:
        return _gone(request)
    values = {
        **msgspec.structs.asdict(view),
        "home_municipality": view.home_municipality or "",
        "home_latitude": "" if view.home_latitude is None else str(view.home_latitude),
        "home_longitude": "" if view.home_longitude is None else str(view.home_longitude),
        "travel_dates": ", ".join(d.isoformat() for d in view.travel_dates),
    }
    return await _page(request, token, values, done=request.query_params.get("done"))


@post("/expert/{token:str}", include_in_schema=False)
async def expert_save(request: Request[Any, Any, Any], token: FromPath[str]) -> Response[Any]:
    form = await read_form(request, ExpertForm)
    data = service.ExpertIn(
        name=form.name[:200],
        organisation=form.organisation[:200],
        languages=[x[:8] for x in form.languages][:10],
        topics=[x[:64] for x in form.topics][:40],
        home_municipality=form.home_municipality[:64],
        home_latitude=form.home_latitude[:32],
        home_longitude=form.home_longitude[:32],
        travel_dates=form.travel_dates[:4000],
    )
    try:
        await service.save_expert(token, data)
    except NotFound:
        return _gone(request)
    except Invalid as exc:
        values = msgspec.structs.asdict(data)
        return await _page(request, token, values, form_errors(exc, i18n.request_language(request)))
    return Response(
        content=b"",
        status_code=303,
        headers={"Location": f"/expert/{token}?done=saved", **PRIVATE},
    )


@post("/expert/{token:str}/erase", include_in_schema=False)
async def expert_erase(request: Request[Any, Any, Any], token: FromPath[str]) -> Template:
    try:
        await service.erase_expert(token)
    except NotFound:
        return _gone(request)
    return page(request, "planning/expert_erased.html", {}, headers=PRIVATE)


ROUTES = [expert_page, expert_save, expert_erase]
