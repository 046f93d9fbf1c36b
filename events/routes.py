"""HTTP API of the events domain: parse, authorise, call one service function, answer."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, patch, post, put
from litestar.di import NamedDependency, Provide
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_201_CREATED

from events import feeds, service, topics
from events.schemas import (
    EventIn,
    EventList,
    EventOut,
    EventPatch,
    MunicipalityIn,
    MunicipalityList,
    MunicipalityOut,
    MunicipalityPatch,
    SessionList,
    SessionsIn,
    TopicList,
    TopicOut,
    VenueIn,
    VenueOut,
)
from traffpunkt.auth import Principal, optional_organiser, require_organiser
from traffpunkt.errors import NotFound
from traffpunkt.http import not_modified, not_modified_response, validator_headers
from traffpunkt.problems import problem_responses

ORGANISER = {"actor": Provide(require_organiser)}
ICS_MEDIA_TYPE = "text/calendar"  # Litestar adds "; charset=utf-8"
NOT_MODIFIED = {
    304: ResponseSpec(None, description="Unchanged since If-None-Match/-Modified-Since")
}


class PlacesController(Controller):
    path = "/api/v1"
    tags = ["places"]

    @get("/municipalities", summary="Municipalities (public)")
    async def list_municipalities(self) -> MunicipalityList:
        return MunicipalityList(items=await service.list_municipalities())

    @post(
        "/municipalities",
        dependencies=ORGANISER,
        status_code=HTTP_201_CREATED,
        summary="Create a municipality (admin)",
        responses=problem_responses(401, 403, 409, 422),
        security=[{"BearerToken": []}],
    )
    async def create_municipality(
        self, actor: NamedDependency[Principal], data: JSONBody[MunicipalityIn]
    ) -> MunicipalityOut:
        return await service.create_municipality(actor, data)

    @patch(
        "/municipalities/{slug:str}",
        dependencies=ORGANISER,
        summary="Change a municipality's contact details (its organisers, admin)",
        responses=problem_responses(401, 403, 404, 422),
        security=[{"BearerToken": []}],
    )
    async def update_municipality(
        self,
        actor: NamedDependency[Principal],
        slug: FromPath[str],
        data: JSONBody[MunicipalityPatch],
    ) -> MunicipalityOut:
        return await service.update_municipality(actor, slug, data)

    @post(
        "/venues",
        dependencies=ORGANISER,
        status_code=HTTP_201_CREATED,
        summary="Create a venue (organiser of that municipality)",
        responses=problem_responses(401, 403, 422),
        security=[{"BearerToken": []}],
    )
    async def create_venue(
        self, actor: NamedDependency[Principal], data: JSONBody[VenueIn]
    ) -> VenueOut:
        return await service.create_venue(actor, data)

    @get("/topics", summary="The topic taxonomy (slug, Swedish and English label)")
    async def list_topics(self) -> TopicList:
        return TopicList(items=[TopicOut(slug=t.slug, sv=t.sv, en=t.en) for t in topics.TOPICS])


class EventsController(Controller):
    path = "/api/v1/events"
    tags = ["events"]

    @get(
        "/",
        summary="Published events, soonest first",
        description=(
            "Without `from`, events that have not ended. `from`/`to` are dates or date-times; "
            "without an offset they are local time in the municipality's zone. An event is "
            "listed when it overlaps [from, to). Days from 1900-01-01 to 2999-12-31."
        ),
        responses=problem_responses(422),
    )
    async def list_events(
        self,
        municipality: Annotated[str | None, QueryParameter(max_length=64)] = None,
        topic: Annotated[str | None, QueryParameter(max_length=64)] = None,
        start: Annotated[str | None, QueryParameter(name="from", max_length=40)] = None,
        end: Annotated[str | None, QueryParameter(name="to", max_length=40)] = None,
        cursor: Annotated[str | None, QueryParameter(max_length=200)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=service.PAGE_SIZE_MAX)] = (
            service.PAGE_SIZE_DEFAULT
        ),
    ) -> EventList:
        return await service.list_events(
            service.EventQuery(municipality, topic, start, end, cursor, limit)
        )

    @post(
        "/",
        dependencies=ORGANISER,
        status_code=HTTP_201_CREATED,
        summary="Create an event (draft)",
        responses=problem_responses(401, 403, 409, 422),
        security=[{"BearerToken": []}],
    )
    async def create_event(
        self, actor: NamedDependency[Principal], data: JSONBody[EventIn]
    ) -> EventOut:
        return await service.create_event(actor, data)

    @get(
        "/{event_id:str}",
        dependencies={"actor": Provide(optional_organiser)},
        summary="One published event (drafts too, for its organisers)",
        responses=problem_responses(401, 404),
    )
    async def get_event(
        self, event_id: FromPath[str], actor: NamedDependency[Principal | None]
    ) -> EventOut:
        return await service.get_event(event_id, actor)

    @patch(
        "/{event_id:str}",
        dependencies=ORGANISER,
        summary="Change an event (any subset of the create fields)",
        responses=problem_responses(401, 403, 404, 409, 422),
        security=[{"BearerToken": []}],
    )
    async def update_event(
        self, actor: NamedDependency[Principal], event_id: FromPath[str], data: JSONBody[EventPatch]
    ) -> EventOut:
        return (await service.update_event(actor, event_id, data)).event

    @post(
        "/{event_id:str}/publish",
        dependencies=ORGANISER,
        status_code=200,
        summary="Publish an event",
        responses=problem_responses(401, 403, 404, 409),
        security=[{"BearerToken": []}],
    )
    async def publish_event(
        self, actor: NamedDependency[Principal], event_id: FromPath[str]
    ) -> EventOut:
        return await service.publish_event(actor, event_id)

    @post(
        "/{event_id:str}/cancel",
        dependencies=ORGANISER,
        status_code=200,
        summary="Cancel an event",
        responses=problem_responses(401, 403, 404),
        security=[{"BearerToken": []}],
    )
    async def cancel_event(
        self, actor: NamedDependency[Principal], event_id: FromPath[str]
    ) -> EventOut:
        return (await service.cancel_event(actor, event_id)).event

    @get(
        "/{event_id:str}/sessions",
        dependencies={"actor": Provide(optional_organiser)},
        summary="The sessions of a course series (empty for a single event)",
        responses=problem_responses(401, 404),
    )
    async def list_sessions(
        self, event_id: FromPath[str], actor: NamedDependency[Principal | None]
    ) -> SessionList:
        return await service.list_sessions(event_id, actor)

    @put(
        "/{event_id:str}/sessions",
        dependencies=ORGANISER,
        summary="Set a course series' sessions (all at once; ids keep existing sessions)",
        responses=problem_responses(401, 403, 404, 409, 422),
        security=[{"BearerToken": []}],
    )
    async def set_sessions(
        self, actor: NamedDependency[Principal], event_id: FromPath[str], data: JSONBody[SessionsIn]
    ) -> SessionList:
        return await service.set_sessions(actor, event_id, data)

    @post(
        "/{event_id:str}/sessions/{session_id:str}/cancel",
        dependencies=ORGANISER,
        status_code=200,
        summary="Cancel one session of a course series (attendees' calendars are told)",
        responses=problem_responses(401, 403, 404, 409),
        security=[{"BearerToken": []}],
    )
    async def cancel_session(
        self,
        actor: NamedDependency[Principal],
        event_id: FromPath[str],
        session_id: FromPath[str],
    ) -> SessionList:
        return await service.cancel_session(actor, event_id, session_id)

    @get(
        "/{event_id:str}/event.ics",
        summary="One event as iCalendar",
        responses={**problem_responses(404), **NOT_MODIFIED},
        media_type=ICS_MEDIA_TYPE,
        include_in_schema=True,
    )
    async def event_ics(
        self, request: Request[Any, Any, Any], event_id: FromPath[str]
    ) -> Response[bytes]:
        body, etag, last = await feeds.event_ics(event_id)
        headers = validator_headers(etag, last)
        if not_modified(request, etag, last):
            return not_modified_response(headers)  # type: ignore[return-value]
        headers["Content-Disposition"] = 'attachment; filename="event.ics"'
        return Response(body, media_type=ICS_MEDIA_TYPE, headers=headers)


@get(
    ["/calendars/{feed_name:str}"],
    summary="A municipality's calendar feed (`all.ics` for every municipality); ?topic= filters",
    media_type=ICS_MEDIA_TYPE,
    responses={**problem_responses(404, 422), **NOT_MODIFIED},
    tags=["calendars"],
)
async def calendar_feed(
    request: Request[Any, Any, Any],
    feed_name: FromPath[str],
    topic: Annotated[str | None, QueryParameter(max_length=64)] = None,
) -> Response[bytes]:
    if not feed_name.endswith(".ics"):
        raise NotFound("Calendar feeds end in .ics")
    info = await feeds.feed_info(feed_name.removesuffix(".ics"), topic)
    headers = validator_headers(info.etag, info.last_modified, max_age=900)
    if not_modified(request, info.etag, info.last_modified):
        return not_modified_response(headers)  # type: ignore[return-value]
    body = await feeds.feed_body(info)
    headers["Content-Disposition"] = f'inline; filename="{feed_name}"'
    return Response(body, media_type=ICS_MEDIA_TYPE, headers=headers)


ROUTES = [PlacesController, EventsController, calendar_feed]
