"""HTTP API of networking."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post, put
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_201_CREATED

from networking import service
from networking.schemas import DecisionIn, DecisionOut, MatchList, NeedsMap, PlanIn, PlanOut
from traffpunkt import i18n
from traffpunkt.auth import Principal, require_organiser
from traffpunkt.problems import problem_responses

ORGANISER = {"actor": Provide(require_organiser)}
BEARER: list[dict[str, list[str]]] = [{"BearerToken": []}]


class MatchesController(Controller):
    path = "/api/v1/registrations"
    tags = ["networking"]

    @get(
        "/{token:str}/matches",
        summary="People to meet, with reasons (consenting attendees only)",
        responses=problem_responses(404, 429),
    )
    async def matches(self, token: FromPath[str]) -> MatchList:
        return await service.matches(token)

    @put(
        "/{token:str}/matches/{other_id:str}",
        summary='"I\'d like to meet" (yes) or "Not now" (no); both yes: an introduction by mail',
        responses=problem_responses(404, 409, 422, 429),
    )
    async def decide(
        self, token: FromPath[str], other_id: FromPath[str], data: JSONBody[DecisionIn]
    ) -> DecisionOut:
        return await service.decide(token, other_id, data.decision)


class PlanController(Controller):
    path = "/api/v1/events"
    tags = ["networking"]
    dependencies = ORGANISER

    @post(
        "/{event_id:str}/meeting-plan",
        status_code=HTTP_201_CREATED,
        security=BEARER,
        summary="Generate a draft 1:1 meeting plan (replaces an earlier draft)",
        responses=problem_responses(401, 403, 404, 422),
    )
    async def create(
        self, actor: NamedDependency[Principal], event_id: FromPath[str], data: JSONBody[PlanIn]
    ) -> PlanOut:
        return await service.create_plan(actor, event_id, data)

    @get(
        "/{event_id:str}/meeting-plan",
        security=BEARER,
        summary="The latest meeting plan",
        responses=problem_responses(401, 403, 404),
    )
    async def get_plan(self, actor: NamedDependency[Principal], event_id: FromPath[str]) -> PlanOut:
        return await service.get_plan(actor, event_id)

    @post(
        "/{event_id:str}/meeting-plan/publish",
        status_code=200,
        security=BEARER,
        summary="Publish the plan: every participant gets their meetings by mail",
        responses=problem_responses(401, 403, 404, 409),
    )
    async def publish(self, actor: NamedDependency[Principal], event_id: FromPath[str]) -> PlanOut:
        return await service.publish_plan(actor, event_id)

    @get(
        "/{event_id:str}/meeting-plan.csv",
        security=BEARER,
        media_type="text/csv",
        summary="The meeting plan as CSV",
        responses=problem_responses(401, 403, 404),
    )
    async def csv(
        self, actor: NamedDependency[Principal], event_id: FromPath[str]
    ) -> Response[bytes]:
        name, body = await service.plan_csv(actor, event_id)
        return Response(
            body,
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )


# The needs map's filters, shared by its JSON and CSV forms.
_DAY = r"^\d{4}-\d{2}-\d{2}$"
MunicipalitySlug = Annotated[str | None, QueryParameter(max_length=64)]
_RANGE = "A day from 1900-01-01 to 2999-12-31"
FromDay = Annotated[
    str | None, QueryParameter(name="from", max_length=10, pattern=_DAY, description=_RANGE)
]
ToDay = Annotated[
    str | None, QueryParameter(name="to", max_length=10, pattern=_DAY, description=_RANGE)
]
Source = Annotated[
    str | None,
    QueryParameter(
        max_length=20, description="Count one source only: registration or survey (default: all)"
    ),
]
Sector = Annotated[
    str | None,
    QueryParameter(max_length=1, description="SNI 2007 section, e.g. I (survey answers)"),
]
Size = Annotated[
    str | None,
    QueryParameter(
        max_length=8, description="Size band: 0, 1-4, 5-9, 10-49 or 50+ (survey answers)"
    ),
]


@get(
    "/api/v1/needs-map",
    tags=["networking"],
    responses=problem_responses(404, 422),
    summary=(
        "How many companies need and offer each topic, from registrations and survey answers "
        '(counts below 3 shown as "<3")'
    ),
)
async def needs_map(
    request: Request[Any, Any, Any],
    municipality: MunicipalitySlug = None,
    start: FromDay = None,
    end: ToDay = None,
    source: Source = None,
    sector: Sector = None,
    size: Size = None,
) -> NeedsMap:
    return await service.needs_map(
        municipality, start, end, i18n.request_language(request),
        source=source, sector=sector, size_band=size,
    )  # fmt: skip


@get(
    "/api/v1/needs-map.csv",
    tags=["networking"],
    media_type="text/csv",
    responses=problem_responses(404, 422),
    summary="The needs map as CSV",
)
async def needs_map_csv(
    request: Request[Any, Any, Any],
    municipality: MunicipalitySlug = None,
    start: FromDay = None,
    end: ToDay = None,
    source: Source = None,
    sector: Sector = None,
    size: Size = None,
) -> Response[bytes]:
    data = await service.needs_map(
        municipality, start, end, i18n.request_language(request),
        source=source, sector=sector, size_band=size,
    )  # fmt: skip
    return Response(
        service.needs_csv(data),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="needs-map.csv"'},
    )


ROUTES = [MatchesController, PlanController, needs_map, needs_map_csv]
