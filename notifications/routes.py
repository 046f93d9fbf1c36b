"""Organisers see an event's mail and its status."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, QueryParameter

from notifications import service
from notifications.schemas import MessageList
from traffpunkt.auth import Principal, require_organiser
from traffpunkt.problems import problem_responses


class MessagesController(Controller):
    path = "/api/v1/events"
    tags = ["notifications"]

    @get(
        "/{event_id:str}/messages",
        dependencies={"actor": Provide(require_organiser)},
        summary="Mail about an event and its delivery status (organiser)",
        security=[{"BearerToken": []}],
        responses=problem_responses(401, 403, 404, 422),
    )
    async def list_messages(
        self,
        actor: NamedDependency[Principal],
        event_id: FromPath[str],
        cursor: Annotated[str | None, QueryParameter(max_length=200)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 100,
    ) -> MessageList:
        return await service.messages_for_event(actor, event_id, service.Page(cursor, limit))


ROUTES = [MessagesController]
