"""HTTP API of the needs survey (organisers; the contract: docs/api.md)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from litestar import Controller, Request, Response, get, patch, post
from litestar.di import NamedDependency, Provide
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_201_CREATED, HTTP_202_ACCEPTED

from surveys import service
from surveys.schemas import (
    AnswerCreated,
    AnswerIn,
    AnswerReplaced,
    RemindersOut,
    RoundIn,
    RoundList,
    RoundOut,
    RoundPatch,
    SurveyAnswerIn,
    SurveyInvitationsIn,
    SurveyInvitationsOut,
)
from traffpunkt import i18n, spreadsheet
from traffpunkt.auth import Principal, require_organiser
from traffpunkt.errors import FieldError, Invalid
from traffpunkt.problems import problem_responses

ORGANISER = {"actor": Provide(require_organiser)}
API_NAMES = {"org_number": "organisation_number", "company_name": "company"}
BEARER: list[dict[str, list[str]]] = [{"BearerToken": []}]
EXPORTS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


async def export(actor: Principal, round_id: str, fmt: str, lang: str) -> Response[bytes]:
    """The round's answers as a workbook or a CSV for Swedish Excel (API and organiser page)."""
    name, headers, rows = await service.round_table(actor, round_id, lang)
    body = (
        spreadsheet.xlsx(name[:31], headers, rows)
        if fmt == "xlsx"
        else spreadsheet.csv_excel(headers, rows)
    )
    filename = f"{name}.{fmt}"
    return Response(
        body,
        media_type=EXPORTS[fmt],
        headers={
            "Content-Disposition": (
                f'attachment; filename="{filename.encode("ascii", "replace").decode()}"; '
                f"filename*=UTF-8''{quote(filename)}"
            ),
            "Cache-Control": "private, no-store",
        },
    )


class SurveyController(Controller):
    path = "/api/v1/surveys"
    tags = ["surveys"]
    dependencies = ORGANISER
    security = BEARER

    @get("", summary="Survey rounds in the organiser's municipalities (organiser)",
         responses=problem_responses(401, 403))  # fmt: skip
    async def list_rounds(self, actor: NamedDependency[Principal]) -> RoundList:
        return await service.list_rounds(actor)

    @post(
        "",
        status_code=HTTP_201_CREATED,
        summary="Create a survey round for municipalities the organiser manages",
        responses=problem_responses(401, 403, 422),
    )
    async def create_round(
        self, actor: NamedDependency[Principal], data: JSONBody[RoundIn]
    ) -> RoundOut:
        return await service.create_round(actor, data)

    @get(
        "/{round_id:str}",
        summary="A survey round with its figures (invites, answers, answer rate)",
        responses=problem_responses(401, 403, 404),
    )
    async def get_round(
        self, actor: NamedDependency[Principal], round_id: FromPath[str]
    ) -> RoundOut:
        return await service.get_round(actor, round_id)

    @patch(
        "/{round_id:str}",
        summary="Change a survey round (any subset of the create fields)",
        responses=problem_responses(401, 403, 404, 422),
    )
    async def update_round(
        self, actor: NamedDependency[Principal], round_id: FromPath[str], data: JSONBody[RoundPatch]
    ) -> RoundOut:
        return await service.update_round(actor, round_id, data)

    @post(
        "/{round_id:str}/invitations",
        status_code=HTTP_202_ACCEPTED,
        summary="Mail personal survey links (one per address and round)",
        responses=problem_responses(401, 403, 404, 409, 422, 429),
    )
    async def invite(
        self,
        actor: NamedDependency[Principal],
        round_id: FromPath[str],
        data: JSONBody[SurveyInvitationsIn],
    ) -> SurveyInvitationsOut:
        return await service.invite(actor, round_id, data)

    @post(
        "/{round_id:str}/reminders",
        status_code=HTTP_202_ACCEPTED,
        summary="Remind every invite without an answer, once",
        responses=problem_responses(401, 403, 404, 409),
    )
    async def remind(
        self, actor: NamedDependency[Principal], round_id: FromPath[str]
    ) -> RemindersOut:
        return await service.send_reminders(actor, round_id)

    @get(
        [f"/{{round_id:str}}/answers.{fmt}" for fmt in EXPORTS],
        summary="The round's answers as XLSX or CSV (organiser; answers in their municipalities)",
        media_type="application/octet-stream",
        responses=problem_responses(401, 403, 404),
    )
    async def answers_export(
        self,
        request: Request[Any, Any, Any],
        actor: NamedDependency[Principal],
        round_id: FromPath[str],
    ) -> Response[bytes]:
        fmt = request.url.path.rsplit(".", 1)[1]
        return await export(actor, round_id, fmt, i18n.request_language(request))


@post(
    "/api/v1/surveys/{round_id:str}/answers",
    tags=["surveys"],
    status_code=HTTP_201_CREATED,
    summary="Answer a survey (public, while it is open; one answer per organisation number)",
    responses={
        200: ResponseSpec(
            AnswerReplaced,
            description="The company had answered: the newest answer is kept, the link mailed",
        ),
        **problem_responses(404, 409, 422, 429),
    },
)
async def answer(
    request: Request[Any, Any, Any], round_id: FromPath[str], data: JSONBody[SurveyAnswerIn]
) -> Response[AnswerCreated | AnswerReplaced]:
    body = AnswerIn(
        company_name=data.company,
        org_number=data.organisation_number,
        municipality=data.municipality,
        sector=data.sector,
        size_band=data.size_band,
        contact_name=data.contact_name,
        email=data.email,
        language=data.language,
        needs={n.topic: n.urgency for n in data.needs},
        offers=data.offers,
        free_text=data.free_text,
        contact_consent=data.contact_consent,
        networking_consent=data.networking_consent,
    )
    try:
        done = await service.submit_open(round_id, body, complete=False)
    except Invalid as exc:  # the errors named as this body names its fields
        errors = [FieldError(API_NAMES.get(e.field, e.field), e.message) for e in exc.errors or []]
        raise Invalid(exc.detail, errors=errors, params=exc.params) from None
    if done.created:
        return Response(
            AnswerCreated(id=str(done.answer_id), manage_url=service.answer_url(done.token)),
            status_code=HTTP_201_CREATED,
        )
    detail = i18n.gettext(
        i18n.request_language(request),
        "Your company had answered already; the newest answer is kept and its link is mailed "
        "to the address given.",
    )
    return Response(AnswerReplaced(id=str(done.answer_id), detail=detail), status_code=200)


ROUTES = [SurveyController, answer]
