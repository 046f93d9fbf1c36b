"""HTTP API of reports (the contract: docs/api.md, "Evaluation and reports")."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.di import NamedDependency, Provide
from litestar.params import QueryParameter
from litestar.response import Stream

from reports import service
from reports.schemas import ParticipationOut
from reports.sheets import participation_sheets
from traffpunkt import i18n
from traffpunkt.auth import Principal, require_organiser
from traffpunkt.problems import problem_responses
from traffpunkt.spreadsheet import xlsx_stream

ORGANISER = {"actor": Provide(require_organiser)}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

From = Annotated[str | None, QueryParameter(name="from", max_length=40)]
To = Annotated[str | None, QueryParameter(name="to", max_length=40)]
Municipalities = Annotated[list[str] | None, QueryParameter(max_items=200)]


def slugs(municipality: list[str] | None) -> list[str]:
    """`municipality=a&municipality=b` or `municipality=a,b`."""
    return [s.strip() for m in municipality or [] for s in m.split(",") if s.strip()]


def download_headers(filename: str) -> dict[str, str]:
    return {
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "private, no-store",
    }


class ReportsController(Controller):
    path = "/api/v1/reports"
    tags = ["reports"]

    @get(
        "/participation",
        dependencies=ORGANISER,
        summary="The funder's participant report for a period and municipalities",
        responses=problem_responses(401, 403, 422),
        security=[{"BearerToken": []}],
    )
    async def participation(
        self,
        actor: NamedDependency[Principal],
        start: From = None,
        end: To = None,
        municipality: Municipalities = None,
    ) -> ParticipationOut:
        return await service.participation(actor, start, end, slugs(municipality))

    @get(
        "/participation.xlsx",
        dependencies=ORGANISER,
        summary="The same report as a spreadsheet (streamed)",
        responses=problem_responses(401, 403, 422),
        security=[{"BearerToken": []}],
        media_type=XLSX,
    )
    async def participation_xlsx(
        self,
        request: Request[Any, Any, Any],
        actor: NamedDependency[Principal],
        start: From = None,
        end: To = None,
        municipality: Municipalities = None,
    ) -> Stream:
        report = await service.participation(actor, start, end, slugs(municipality))
        lang = i18n.request_language(request)
        return Stream(
            xlsx_stream(participation_sheets(report, lang)),
            media_type=XLSX,
            headers=download_headers(f"participation-{report.start}-{report.to}.xlsx"),
        )


ROUTES = [ReportsController]
