"""HTTP API of planning: unmet demand, seminar tours (docs/api.md)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_201_CREATED

from planning import service
from planning.schemas import DemandList, TourIn, TourOut
from traffpunkt import i18n
from traffpunkt.auth import Principal, require_organiser
from traffpunkt.problems import problem_responses

ORGANISER = {"actor": Provide(require_organiser)}
BEARER: list[dict[str, list[str]]] = [{"BearerToken": []}]

Text = Annotated[str | None, QueryParameter(max_length=100)]
_DAY = r"^\d{4}-\d{2}-\d{2}$"
_RANGE = "A day from 1900-01-01 to 2999-12-31"
FromDay = Annotated[
    str | None, QueryParameter(name="from", max_length=10, pattern=_DAY, description=_RANGE)
]
ToDay = Annotated[
    str | None, QueryParameter(name="to", max_length=10, pattern=_DAY, description=_RANGE)
]


class DemandController(Controller):
    path = "/api/v1/demand"
    tags = ["planning"]
    dependencies = ORGANISER

    @get(
        "/",
        security=BEARER,
        summary="Unmet demand per municipality and topic, with reasons, highest score first",
        responses=problem_responses(401, 403, 422),
    )
    async def demand(
        self,
        request: Request[Any, Any, Any],
        actor: NamedDependency[Principal],
        municipality: Text = None,
        region: Text = None,
        start: FromDay = None,
        end: ToDay = None,
    ) -> DemandList:
        report = await service.demand_report(
            actor, region=region, municipality=municipality, start=start, end=end
        )
        return DemandList(items=service.demand_items(report, i18n.request_language(request)))


class ToursController(Controller):
    path = "/api/v1/tours"
    tags = ["planning"]
    dependencies = ORGANISER

    @post(
        "/",
        status_code=HTTP_201_CREATED,
        security=BEARER,
        summary="Propose a seminar tour for a topic (stored; nothing booked yet)",
        responses=problem_responses(401, 403, 422),
    )
    async def propose(
        self,
        request: Request[Any, Any, Any],
        actor: NamedDependency[Principal],
        data: JSONBody[TourIn],
    ) -> TourOut:
        return await service.propose_tour(actor, data, i18n.request_language(request))

    @get(
        "/{tour_id:str}",
        security=BEARER,
        summary="A proposed tour",
        responses=problem_responses(401, 403, 404),
    )
    async def get_tour(
        self,
        request: Request[Any, Any, Any],
        actor: NamedDependency[Principal],
        tour_id: FromPath[str],
    ) -> TourOut:
        return (await service.get_tour(actor, tour_id, i18n.request_language(request))).tour

    @post(
        "/{tour_id:str}/events",
        status_code=HTTP_201_CREATED,
        security=BEARER,
        summary="Create the tour's stops as draft events (all or none, once)",
        responses=problem_responses(401, 403, 404, 409),
    )
    async def create_events(
        self,
        request: Request[Any, Any, Any],
        actor: NamedDependency[Principal],
        tour_id: FromPath[str],
    ) -> TourOut:
        return await service.create_tour_events(actor, tour_id, i18n.request_language(request))


ROUTES = [DemandController, ToursController]
