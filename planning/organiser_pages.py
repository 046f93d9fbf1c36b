"""The organiser's web, planning part: where and what to hold next (unmet demand per
municipality and topic, with reasons), seminar tours, travel times, experts. Under
`organiser_router`: signed in, the organiser as `actor`, forms read into Structs."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import msgspec
from litestar import Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Template

from events import topics
from planning import service
from planning.reasons import PROBLEM_TEXTS, reason_texts
from planning.schemas import TourIn
from traffpunkt import i18n
from traffpunkt.auth import Principal
from traffpunkt.errors import Conflict, Forbidden, Invalid, NotFound, form_errors
from traffpunkt.localtime import to_local
from traffpunkt.organiser_web import Actor, organiser_page, organiser_router, read_form, see_other
from traffpunkt.settings import current_settings


def _query(request: Request[Any, Any, Any], name: str) -> str | None:
    value = request.query_params.get(name)
    return value[:100] if value else None


@get("/planning")
async def planning_page(request: Request[Any, Any, Any], actor: Actor) -> Template:
    lang = i18n.request_language(request)
    region, start, end = _query(request, "region"), _query(request, "from"), _query(request, "to")
    if "region" not in request.query_params:
        # The page is per region: without one, the region where the organiser has the most
        # municipalities (all 290 at once is the API's, and a few seconds' work).
        region = await service.home_region(actor)
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
    # Who can take each topic (the experts who filled in their offer).
    experts: dict[str, list[str]] = {}
    for e in await service.experts_for_topic(actor):
        for t in e.topics:
            experts.setdefault(t, []).append(e.name)
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
            "experts": experts,
            "window_start": start if errors else report.window_start.isoformat(),
            "window_end": end if errors else report.window_end.isoformat(),
            "errors": errors,
        },
        status_code=422 if errors else 200,
    )


# --- the tour form ---------------------------------------------------------------------------


class TourForm(msgspec.Struct):
    topic: str = ""
    region: str = ""
    expert_id: str = ""
    start: str = ""
    end: str = ""
    min_capacity: str = ""
    max_stops: str = ""


async def _tour_form(
    request: Request[Any, Any, Any],
    actor: Principal,
    values: dict[str, str],
    errors: dict[str, str] | None = None,
    done: str | None = None,
) -> Template:
    topic = values.get("topic") or ""
    experts = await service.experts_for_topic(actor, topic if topic in topics.BY_SLUG else None)
    report = await service.demand_report(actor)
    lang = i18n.request_language(request)
    return organiser_page(
        request,
        "planning/organiser/tour_form.html",
        {
            "topics": [(t.slug, t.label(lang)) for t in topics.TOPICS],
            "topic_label": topics.BY_SLUG[topic].label(lang) if topic in topics.BY_SLUG else "",
            "regions": report.regions,
            "experts": experts,
            "values": values,
            "errors": errors or {},
            "done": done,
        },
        status_code=422 if errors else 200,
    )


@get("/planning/tour")
async def tour_form(request: Request[Any, Any, Any], actor: Actor) -> Template:
    values = {
        "topic": (request.query_params.get("topic") or "")[:64],
        "region": (request.query_params.get("region") or "")[:100],
        "min_capacity": "15",
        "max_stops": "10",
    }
    return await _tour_form(request, actor, values, done=request.query_params.get("done"))


@post("/planning/tour")
async def tour_submit(request: Request[Any, Any, Any], actor: Actor) -> Response[Any]:
    form = await read_form(request, TourForm)
    values = msgspec.structs.asdict(form)
    lang = i18n.request_language(request)
    try:
        places = await service.scope(actor, form.region or None)
        body = msgspec.convert(
            {
                "topic": form.topic,
                "from": form.start,
                "to": form.end,
                "municipalities": [m.slug for m in places],
                "expert_id": form.expert_id or None,
                "min_capacity": int(form.min_capacity) if form.min_capacity.isdigit() else 15,
                "max_stops": int(form.max_stops) if form.max_stops.isdigit() else 10,
            },
            TourIn,
        )
        tour = await service.propose_tour(actor, body, lang)
    except (Invalid, msgspec.ValidationError) as exc:
        errors = form_errors(exc, lang)
        # The API's names of the two dates are "from" and "to"; the form's "start" and "end".
        for api, field in (("from", "start"), ("to", "end")):
            if api in errors:
                errors[field] = errors.pop(api)
        return await _tour_form(request, actor, values, errors)
    return see_other(f"/organiser/planning/tours/{tour.id}")


@post("/planning/experts")
async def invite_expert(request: Request[Any, Any, Any], actor: Actor) -> Response[Any]:
    form = await read_form(request, ExpertInviteForm)
    try:
        await service.invite_expert(actor, form.email, i18n.request_language(request))
    except Invalid as exc:
        return await _tour_form(
            request,
            actor,
            {"topic": form.topic, "email": form.email},
            form_errors(exc, i18n.request_language(request)),
        )
    return see_other(f"/organiser/planning/tour?topic={form.topic}&done=expert")


class ExpertInviteForm(msgspec.Struct):
    email: str = ""
    topic: str = ""


# --- a tour: the proposal, adjusting it, creating its drafts ---------------------------------


async def _tour_page(
    request: Request[Any, Any, Any],
    actor: Principal,
    tour_id: str,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    lang = i18n.request_language(request)
    tour = await service.get_tour(actor, tour_id, lang)
    warnings: dict[str, list[str]] = {}
    for p in tour.problems:
        slug = tour.tour.stops[p.stop].municipality
        warnings.setdefault(slug, []).append(i18n.gettext(lang, PROBLEM_TEXTS[p.code]))
    expert = None
    if tour.tour.expert_id:
        expert = next(
            (e for e in await service.experts_for_topic(actor) if e.id == tour.tour.expert_id),
            None,
        )
    return organiser_page(
        request,
        "planning/organiser/tour.html",
        {
            "tour": tour.tour,
            "venues": tour.venues,
            "warnings": warnings,
            "events_created": tour.events_created,
            "topic_label": topics.BY_SLUG[tour.tour.topic].label(lang),
            "expert": expert,
            "local": lambda at: to_local(at, current_settings().default_timezone),
            "errors": errors or {},
            "done": request.query_params.get("done"),
        },
        status_code=status_code,
    )


@get("/planning/tours/{tour_id:str}")
async def tour_page(
    request: Request[Any, Any, Any], actor: Actor, tour_id: FromPath[str]
) -> Template:
    return await _tour_page(request, actor, tour_id)


@post("/planning/tours/{tour_id:str}")
async def tour_adjust(
    request: Request[Any, Any, Any], actor: Actor, tour_id: FromPath[str]
) -> Response[Any]:
    lang = i18n.request_language(request)
    # One set of fields per stop (named after its municipality), so not a fixed Struct.
    form = await request.form()
    changes: list[service.StopChange] = []
    try:
        for slug in form.getall("stop", []):
            slug = str(slug)[:64]
            day = str(form.get(f"day-{slug}", ""))
            try:
                parsed = date.fromisoformat(day)
            except ValueError:
                raise Invalid.field(f"stop-{slug}", "Give dates as 2027-03-04") from None
            changes.append(
                service.StopChange(
                    municipality=slug,
                    day=parsed,
                    venue_id=str(form.get(f"venue-{slug}", ""))[:64],
                    keep=form.get(f"drop-{slug}") != "yes",
                )
            )
        await service.adjust_tour(actor, tour_id, changes, lang)
    except (Invalid, Conflict) as exc:
        return await _tour_page(request, actor, tour_id, form_errors(exc, lang), 422)
    return see_other(f"/organiser/planning/tours/{tour_id}?done=saved")


@post("/planning/tours/{tour_id:str}/events")
async def tour_create_events(
    request: Request[Any, Any, Any], actor: Actor, tour_id: FromPath[str]
) -> Response[Any]:
    lang = i18n.request_language(request)
    try:
        await service.create_tour_events(actor, tour_id, lang)
    except (Conflict, Invalid) as exc:
        return await _tour_page(request, actor, tour_id, form_errors(exc, lang), 409)
    return see_other("/organiser?done=tour")


# --- travel times ----------------------------------------------------------------------------


class OverrideForm(msgspec.Struct):
    a: str = ""
    b: str = ""
    minutes: str = ""


async def _travel_page(
    request: Request[Any, Any, Any],
    actor: Principal,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> Template:
    return organiser_page(
        request,
        "planning/organiser/travel.html",
        {
            "pairs": await service.travel_pairs(actor),
            "values": values or {},
            "errors": errors or {},
            "done": request.query_params.get("done"),
        },
        status_code=422 if errors else 200,
    )


@get("/planning/travel")
async def travel_page(request: Request[Any, Any, Any], actor: Actor) -> Template:
    return await _travel_page(request, actor)


@post("/planning/travel")
async def travel_set(request: Request[Any, Any, Any], actor: Actor) -> Response[Any]:
    form = await read_form(request, OverrideForm)
    values = msgspec.structs.asdict(form)
    try:
        if not form.minutes.strip().isdigit():
            raise Invalid.field("minutes", "Give the minutes by road, from 1 to 1440")
        await service.set_override(actor, form.a, form.b, int(form.minutes))
    except (Invalid, NotFound, Forbidden) as exc:
        return await _travel_page(
            request, actor, values, form_errors(exc, i18n.request_language(request))
        )
    return see_other("/organiser/planning/travel?done=saved")


@post("/planning/travel/{override_id:str}/remove")
async def travel_remove(
    request: Request[Any, Any, Any], actor: Actor, override_id: FromPath[str]
) -> Response[Any]:
    await service.remove_override(actor, override_id)
    return see_other("/organiser/planning/travel?done=removed")


ROUTER = organiser_router(
    planning_page,
    tour_form,
    tour_submit,
    invite_expert,
    tour_page,
    tour_adjust,
    tour_create_events,
    travel_page,
    travel_set,
    travel_remove,
)
ROUTES = [ROUTER]
