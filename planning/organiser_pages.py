"""The organiser's web, planning part: where and what to hold next (unmet demand per
municipality and topic, with reasons), seminar tours, travel times, experts. Under
`organiser_router`: signed in, the organiser as `actor`, forms read into Structs."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Request, get
from litestar.response import Template

from events import topics
from planning import service
from planning.reasons import reason_texts
from traffpunkt import i18n
from traffpunkt.errors import Invalid, form_errors
from traffpunkt.organiser_web import Actor, organiser_page, organiser_router


def _query(request: Request[Any, Any, Any], name: str) -> str | None:
    value = request.query_params.get(name)
    return value[:100] if value else None


@get("/planning")
async def planning_page(request: Request[Any, Any, Any], actor: Actor) -> Template:
    lang = i18n.request_language(request)
    region, start, end = _query(request, "region"), _query(request, "from"), _query(request, "to")
    errors: dict[str, str] = {}
    try:
        report = await service.demand_report(actor, region=region, start=start, end=end)
    except Invalid as exc:
        errors = form_errors(exc, lang)
        report = await service.demand_report(actor, region=region)
    by_place: dict[UUID, list[dict[str, Any]]] = {}
    for d, m in report.items:
        if d.unmet <= 0:
            continue
        by_place.setdefault(UUID(m.id), []).append(
            {
                "demand": d,
                "topic": topics.BY_SLUG[d.topic].label(lang)
                if d.topic in topics.BY_SLUG
                else d.topic,
                "reasons": reason_texts(d, m.name, lang, m.timezone),
            }
        )
    places = [(m, by_place.get(UUID(m.id), [])) for m in report.municipalities]
    # The municipalities with most unmet demand first; those with none at the end, by name.
    places.sort(key=lambda p: (-sum(r["demand"].unmet for r in p[1]), p[0].name))
    return organiser_page(
        request,
        "planning/organiser/planning.html",
        {
            "actor": actor,
            "places": places,
            "regions": report.regions,
            "region": region or "",
            "window_start": start if errors else report.window_start.isoformat(),
            "window_end": end if errors else report.window_end.isoformat(),
            "errors": errors,
        },
        status_code=422 if errors else 200,
    )


ROUTER = organiser_router(planning_page)
ROUTES = [ROUTER]
