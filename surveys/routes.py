"""HTTP API of the needs survey (organisers; the contract: docs/api.md)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from litestar import Controller, Request, Response, get, patch, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_201_CREATED, HTTP_202_ACCEPTED

from surveys import service
from surveys.schemas import (
    RemindersOut,
    RoundIn,
    RoundList,
    RoundOut,
    RoundPatch,
    SurveyInvitationsIn,
    SurveyInvitationsOut,
)
from traffpunkt import i18n, spreadsheet
from traffpunkt.auth import Principal, require_organiser
from traffpunkt.problems import problem_responses

ORGANISER = {"actor": Provide(require_organiser)}
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


ROUTES = [SurveyController]
