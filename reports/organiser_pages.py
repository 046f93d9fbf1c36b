"""The organiser's pages of reports: the participant report (page, XLSX, PDF) and an
activity's attendance list to sign on paper (printable page, PDF).

Under `organiser_router` (signed in; `actor` handed in); the same service as the API's, so
rights and figures are the same."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Request, Response, get
from litestar.params import FromPath, QueryParameter
from litestar.response import Stream, Template

from events import service as events_service
from reports import labels, service
from reports.pdf import attendance_pdf, participation_pdf
from reports.routes import XLSX, Municipalities, download_headers, slugs
from reports.sheets import participation_sheets
from traffpunkt import i18n
from traffpunkt.errors import Forbidden, Invalid, form_errors
from traffpunkt.localtime import to_local
from traffpunkt.organiser_web import Actor, organiser_page, organiser_router
from traffpunkt.spreadsheet import xlsx_stream


@get("/reports")
async def report_page(
    request: Request[Any, Any, Any],
    actor: Actor,
    start: Annotated[str | None, QueryParameter(name="from", max_length=40)] = None,
    end: Annotated[str | None, QueryParameter(name="to", max_length=40)] = None,
    municipality: Municipalities = None,
) -> Template:
    """The form (period, municipalities) and, below it, the report for what it says."""
    lang = i18n.request_language(request)
    managed = await events_service.organiser_municipalities(actor)
    chosen = slugs(municipality)
    errors: dict[str, str] = {}
    report = None
    try:
        report = await service.participation(actor, start, end, chosen)
    except (Invalid, Forbidden) as exc:
        errors = form_errors(exc, lang)
    period = None if errors else service.period_of(start, end)
    # The downloads get the same period and municipalities as the page shows.
    query = urlencode(
        {
            "from": period.start.isoformat() if period else "",
            "to": period.end.isoformat() if period else "",
            "municipality": chosen,
        },
        doseq=True,
    )
    return organiser_page(
        request,
        "reports/report.html",
        {
            "report": report,
            "errors": errors,
            "municipalities": managed,
            "chosen": chosen or [m.slug for m in managed],
            "start": start or (period.start.isoformat() if period else ""),
            "end": end or (period.end.isoformat() if period else ""),
            "download_query": query,
            "labels": labels,
            "lang": lang,
        },
        status_code=422 if errors else 200,
    )


@get("/reports/participation.xlsx")
async def report_xlsx(
    request: Request[Any, Any, Any],
    actor: Actor,
    start: Annotated[str | None, QueryParameter(name="from", max_length=40)] = None,
    end: Annotated[str | None, QueryParameter(name="to", max_length=40)] = None,
    municipality: Municipalities = None,
) -> Stream:
    report = await service.participation(actor, start, end, slugs(municipality))
    lang = i18n.request_language(request)
    return Stream(
        xlsx_stream(participation_sheets(report, lang)),
        media_type=XLSX,
        headers=download_headers(f"deltagande-{report.start}-{report.to}.xlsx"),
    )


@get("/reports/participation.pdf")
async def report_pdf(
    request: Request[Any, Any, Any],
    actor: Actor,
    start: Annotated[str | None, QueryParameter(name="from", max_length=40)] = None,
    end: Annotated[str | None, QueryParameter(name="to", max_length=40)] = None,
    municipality: Municipalities = None,
) -> Response[bytes]:
    report = await service.participation(actor, start, end, slugs(municipality))
    lang = i18n.request_language(request)
    return Response(
        participation_pdf(report, lang),
        media_type="application/pdf",
        headers=download_headers(f"deltagande-{report.start}-{report.to}.pdf"),
    )


@get("/events/{event_id:str}/attendance-list")
async def attendance_list_page(
    request: Request[Any, Any, Any], actor: Actor, event_id: FromPath[str]
) -> Template:
    """A page that prints as the list people sign (print CSS hides everything else)."""
    event, lines = await service.attendance_list(actor, event_id)
    return organiser_page(
        request,
        "reports/attendance_list.html",
        {
            "event": event,
            "lines": lines,
            "blank": range(8),
            "starts": to_local(event.starts_at, event.timezone),
            "ends": to_local(event.ends_at, event.timezone),
        },
    )


@get("/events/{event_id:str}/attendance-list.pdf")
async def attendance_list_pdf(
    request: Request[Any, Any, Any], actor: Actor, event_id: FromPath[str]
) -> Response[bytes]:
    event, lines = await service.attendance_list(actor, event_id)
    lang = i18n.request_language(request)
    return Response(
        attendance_pdf(event, lines, lang),
        media_type="application/pdf",
        headers=download_headers(f"narvarolista-{event.slug}.pdf"),
    )


ROUTER = organiser_router(
    report_page, report_xlsx, report_pdf, attendance_list_page, attendance_list_pdf
)
ROUTES = [ROUTER]
