"""HTTP API of evaluations: the attendee's personal link (the secret in the path), the
organiser's settings per event and the anonymous results (Bearer)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, put
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from evaluations import service
from evaluations.schemas import (
    AnswerIn,
    EvaluationOut,
    EventEvaluation,
    FollowUpIn,
    ResultList,
    SettingsIn,
    SettingsOut,
)
from evaluations.statuses import GroupBy
from traffpunkt import i18n
from traffpunkt.auth import Principal, require_organiser
from traffpunkt.errors import NotFound
from traffpunkt.problems import problem_responses

ORGANISER = {"actor": Provide(require_organiser)}
BEARER: list[dict[str, list[str]]] = [{"BearerToken": []}]


class EvaluationController(Controller):
    """The attendee's evaluation, by the secret of the mailed link (no account)."""

    path = "/api/v1/evaluations"
    tags = ["evaluations"]

    @get(
        "/{token:str}",
        summary="Your evaluation: the questions and your answer so far",
        responses=problem_responses(404),
    )
    async def get_own(self, token: FromPath[str]) -> EvaluationOut:
        return await service.evaluation(token)

    @put(
        "/{token:str}/answer",
        summary="Answer the evaluation, or change your answer (for 14 days)",
        responses=problem_responses(404, 409, 422),
    )
    async def answer(self, token: FromPath[str], data: JSONBody[AnswerIn]) -> EvaluationOut:
        return await service.answer(token, data)

    @put(
        "/{token:str}/follow-up",
        summary="Answer the follow-up (once it was sent, three months after the event)",
        responses=problem_responses(404, 409, 422),
    )
    async def follow_up(self, token: FromPath[str], data: JSONBody[FollowUpIn]) -> EvaluationOut:
        return await service.answer_follow_up(token, data)


class SettingsController(Controller):
    path = "/api/v1/events"
    tags = ["evaluations"]
    dependencies = ORGANISER

    @get(
        "/{event_id:str}/evaluation-settings",
        security=BEARER,
        summary="The event's own evaluation questions and whether a follow-up is sent",
        responses=problem_responses(401, 403, 404),
    )
    async def get_settings(
        self, actor: NamedDependency[Principal], event_id: FromPath[str]
    ) -> SettingsOut:
        return await service.get_settings(actor, event_id)

    @put(
        "/{event_id:str}/evaluation-settings",
        security=BEARER,
        summary="Set up to five own questions (scale, choice, text) and the follow-up",
        responses=problem_responses(401, 403, 404, 422),
    )
    async def put_settings(
        self,
        actor: NamedDependency[Principal],
        event_id: FromPath[str],
        data: JSONBody[SettingsIn],
    ) -> SettingsOut:
        return await service.save_settings(actor, event_id, data)

    @get(
        "/{event_id:str}/evaluation",
        security=BEARER,
        summary="The event's evaluation: numbers of answers, and each question's figures "
        "where 3 or more answered it",
        responses=problem_responses(401, 403, 404),
    )
    async def event_evaluation(
        self, actor: NamedDependency[Principal], event_id: FromPath[str]
    ) -> EventEvaluation:
        return await service.event_evaluation(actor, event_id)


_DAY = r"^\d{4}-\d{2}-\d{2}$"
_RANGE = "A day from 1900-01-01 to 2999-12-31 (the day the event ended)"
FromDay = Annotated[
    str | None, QueryParameter(name="from", max_length=10, pattern=_DAY, description=_RANGE)
]
ToDay = Annotated[
    str | None, QueryParameter(name="to", max_length=10, pattern=_DAY, description=_RANGE)
]
Key = Annotated[str | None, QueryParameter(max_length=64)]


def _query(
    by: GroupBy,
    event: str | None,
    topic: str | None,
    municipality: str | None,
    start: str | None,
    end: str | None,
) -> service.ResultQuery:
    return service.ResultQuery(
        by=by, event=event, topic=topic, municipality=municipality, start=start, end=end
    )


class ResultsController(Controller):
    path = "/api/v1/evaluation-results"
    tags = ["evaluations"]
    dependencies = ORGANISER

    @get(
        "/",
        security=BEARER,
        summary="Anonymous results grouped by event, topic, municipality or month "
        "(a group with fewer than 3 answers is only marked suppressed)",
        responses=problem_responses(401, 403, 404, 422),
    )
    async def results(
        self,
        request: Request[Any, Any, Any],
        actor: NamedDependency[Principal],
        by: FromQuery[GroupBy] = GroupBy.EVENT,
        event: Key = None,
        topic: Key = None,
        municipality: Key = None,
        start: FromDay = None,
        end: ToDay = None,
    ) -> ResultList:
        q = _query(by, event, topic, municipality, start, end)
        return await service.results(actor, q, i18n.request_language(request))

    @get(
        "/{fmt:str}",
        security=BEARER,
        media_type="text/csv",
        summary="The same results as a spreadsheet: `csv` or `xlsx`",
        responses=problem_responses(401, 403, 404, 422),
    )
    async def export(
        self,
        request: Request[Any, Any, Any],
        actor: NamedDependency[Principal],
        fmt: FromPath[str],
        by: FromQuery[GroupBy] = GroupBy.EVENT,
        event: Key = None,
        topic: Key = None,
        municipality: Key = None,
        start: FromDay = None,
        end: ToDay = None,
    ) -> Response[bytes]:
        if fmt not in ("csv", "xlsx"):
            raise NotFound("No such format: csv or xlsx")
        lang = i18n.request_language(request)
        q = _query(by, event, topic, municipality, start, end)
        name, media, body = service.export(await service.results(actor, q, lang), lang, fmt)
        return Response(
            body,
            media_type=media,
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )


ROUTES = [EvaluationController, SettingsController, ResultsController]
