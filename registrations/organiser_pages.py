"""The organiser's web, registrations part: attendees, invitations, the door.

Under `organiser_router` (traffpunkt.organiser_web): signed in, the organiser as `actor`, forms
read into Structs; rights over the event are the services' (`event_for_organiser`)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

import msgspec
from litestar import Request, Response, get, post
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Template
from markupsafe import Markup

from events import service as events_service
from events.schemas import Language
from notifications import service as mail
from registrations import service
from registrations.schemas import InvitationsIn
from registrations.schemas import Invitee as InviteeIn
from registrations.statuses import RegistrationStatus
from traffpunkt import address_lists, i18n, qr, spreadsheet
from traffpunkt.auth import Principal
from traffpunkt.errors import Conflict, Invalid, NotFound
from traffpunkt.organiser_web import Actor, organiser_page, organiser_router, read_form, see_other


class InvitationForm(msgspec.Struct):
    """The invitation form's text fields (the uploaded file is read as it comes)."""

    emails: str = ""
    language: str = ""


class AddressForm(msgspec.Struct):
    email: str = ""


class DoorTokenForm(msgspec.Struct):
    label: str = ""


class AttendanceForm(msgspec.Struct):
    attended: list[str] = msgspec.field(default_factory=list)


class ExamForm(msgspec.Struct):
    passed: str = ""


async def _attendees_page(
    request: Request[Any, Any, Any],
    actor: Principal,
    event_id: str,
    *,
    invite_text: str = "",
    invalid: list[str] | None = None,
    invited: Any = None,
    skipped: list[str] | None = None,
    address_error: str | None = None,
    status_code: int = 200,
) -> Template:
    row = await events_service.event_for_organiser(actor, event_id)
    q = request.query_params.get("q") or None
    wanted = request.query_params.get("status")
    status = next((s for s in RegistrationStatus if s == wanted), None)
    people = await service.attendees(actor, event_id, q, status)
    mail_status = await mail.latest_status_by_registration(row.id)
    counts = (await service.counts_for_events([row.id])).get(str(row.id), {})
    return organiser_page(
        request,
        "registrations/organiser/attendees.html",
        {
            "event": events_service.event_out(row),
            "people": people.items,
            "q": q or "",
            "status": status or "",
            "mail_status": mail_status,
            "counts": counts,
            "invite_text": invite_text,
            "invalid": invalid or [],
            "invited": invited,
            "skipped": skipped or [],
            "address_error": address_error,
            "done": request.query_params.get("done"),
        },
        status_code=status_code,
    )


@get("/events/{event_id:str}/attendees")
async def attendees(
    request: Request[Any, Any, Any],
    actor: Actor,
    event_id: FromPath[str],
    q: Annotated[str | None, QueryParameter(max_length=100)] = None,
) -> Template:
    return await _attendees_page(request, actor, event_id)


EXPORTS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


@get([f"/events/{{event_id:str}}/attendees.{fmt}" for fmt in EXPORTS])
async def attendees_export(
    request: Request[Any, Any, Any], actor: Actor, event_id: FromPath[str]
) -> Response[bytes]:
    """The attendee list in the organiser's language: a workbook, or a CSV for Swedish Excel."""
    fmt = request.url.path.rsplit(".", 1)[1]
    lang = i18n.request_language(request)
    name, headers, rows = await service.attendee_table(actor, event_id, lang)
    if fmt == "xlsx":
        body = spreadsheet.xlsx(name, headers, rows)
    else:
        body = spreadsheet.csv_excel(headers, rows)
    filename = f"{name}.{fmt}"
    return Response(
        body,
        media_type=EXPORTS[fmt],
        headers={
            # RFC 6266: an ASCII fallback and the real (UTF-8) name for "deltagare-åsele…".
            "Content-Disposition": (
                f'attachment; filename="{filename.encode("ascii", "replace").decode()}"; '
                f"filename*=UTF-8''{quote(filename)}"
            ),
            "Cache-Control": "private, no-store",
        },
    )


@post("/events/{event_id:str}/invitations")
async def invite(
    request: Request[Any, Any, Any], actor: Actor, event_id: FromPath[str]
) -> Response[Any]:
    fields = await read_form(request, InvitationForm)
    text = fields.emails
    upload = (await request.form()).get("file")  # the file itself: read as it comes
    uploaded = ""
    if upload is not None and hasattr(upload, "read"):
        raw = await upload.read()
        uploaded = raw.decode("utf-8-sig", errors="replace")[:1_000_000]
    people, skipped = address_lists.read(text, uploaded)
    lang = i18n.request_language(request)
    report = [_skipped_line(lang, s) for s in skipped]
    # What was pasted and skipped stays in the box, to be corrected and sent again.
    retry = "\n".join(s.text for s in skipped if s.source == "text")
    if not people:
        return await _attendees_page(
            request, actor, event_id, invite_text=text, invalid=report or [""], status_code=422
        )
    language: Language = "en" if fields.language == "en" else "sv"
    result = await service.invite(
        actor,
        event_id,
        InvitationsIn(
            people=[InviteeIn(email=p.email, name=p.name) for p in people[:1000]],
            language=language,
        ),
    )
    return await _attendees_page(
        request, actor, event_id, invited=result, skipped=report, invite_text=retry
    )


def _skipped_line(lang: str, skipped: address_lists.Skipped) -> str:
    where = "Row %(n)s of the box" if skipped.source == "text" else "Row %(n)s of the file"
    where = i18n.gettext(lang, where) % {"n": skipped.line}
    return f"{where}: ‘{skipped.text}’ – {i18n.gettext(lang, skipped.reason)}"


@post("/events/{event_id:str}/registrations/{registration_id:str}/cancel")
async def cancel_registration(
    request: Request[Any, Any, Any],
    actor: Actor,
    event_id: FromPath[str],
    registration_id: FromPath[str],
) -> Redirect:
    await service.organiser_cancel(actor, event_id, registration_id)
    return see_other(f"/organiser/events/{event_id}/attendees?done=removed")


@post("/events/{event_id:str}/registrations/{registration_id:str}/email")
async def correct_address(
    request: Request[Any, Any, Any],
    actor: Actor,
    event_id: FromPath[str],
    registration_id: FromPath[str],
) -> Response[Any]:
    """The organiser corrects an address that mail could not be delivered to."""
    email = (await read_form(request, AddressForm)).email
    try:
        await service.organiser_correct_address(actor, event_id, registration_id, email)
    except (Invalid, Conflict) as exc:
        lang = i18n.request_language(request)
        message = exc.errors[0].message if exc.errors else exc.detail
        return await _attendees_page(
            request,
            actor,
            event_id,
            address_error=i18n.gettext(lang, message).format(**exc.params),
            status_code=exc.status,
        )
    return see_other(f"/organiser/events/{event_id}/attendees?done=address")


async def _door_page(
    request: Request[Any, Any, Any], actor: Principal, event_id: str, new: Any = None
) -> Template:
    row = await events_service.event_for_organiser(actor, event_id)
    stats = await service.stats(actor, event_id)
    tokens = await service.door_tokens(actor, event_id)
    qr_svg = None
    if new is not None:
        svg = qr.svg(new.url).decode()
        qr_svg = Markup(svg[svg.index("<svg") :])  # our own generated SVG, no user text in it
    return organiser_page(
        request,
        "registrations/organiser/door.html",
        {
            "event": events_service.event_out(row),
            "stats": stats,
            "tokens": tokens,
            "new": new,
            "qr_svg": qr_svg,
        },
    )


@get("/events/{event_id:str}/door")
async def door(request: Request[Any, Any, Any], actor: Actor, event_id: FromPath[str]) -> Template:
    return await _door_page(request, actor, event_id)


@post("/events/{event_id:str}/door")
async def new_door_token(
    request: Request[Any, Any, Any], actor: Actor, event_id: FromPath[str]
) -> Template:
    label = (await read_form(request, DoorTokenForm)).label
    created = await service.create_door_token(actor, event_id, label[:100])
    return await _door_page(request, actor, event_id, new=created)


@post("/events/{event_id:str}/door/{token_id:str}/revoke")
async def revoke_door_token(
    request: Request[Any, Any, Any],
    actor: Actor,
    event_id: FromPath[str],
    token_id: FromPath[str],
) -> Redirect:
    await service.revoke_door_token(actor, event_id, token_id)
    return see_other(f"/organiser/events/{event_id}/door")


# --- a course: attendance per session, exams, certificates -------------------------------------


@get("/events/{event_id:str}/course")
async def course(
    request: Request[Any, Any, Any], actor: Actor, event_id: FromPath[str]
) -> Template:
    overview = await service.course_overview(actor, event_id)
    return organiser_page(
        request,
        "registrations/organiser/course.html",
        {
            "event": events_service.event_out(overview.event),
            "row": overview.event,
            "overview": overview,
            "done": request.query_params.get("done"),
            "issued": request.query_params.get("issued"),
        },
    )


@get("/events/{event_id:str}/sessions/{session_id:str}/attendance")
async def session_attendance(
    request: Request[Any, Any, Any],
    actor: Actor,
    event_id: FromPath[str],
    session_id: FromPath[str],
) -> Template:
    try:
        sheet = await service.session_sheet(actor, event_id, session_id)
    except Invalid as exc:
        raise NotFound("No such session") from exc
    return organiser_page(
        request,
        "registrations/organiser/session_attendance.html",
        {"event": events_service.event_out(sheet.event), "row": sheet.event, "sheet": sheet},
    )


@post("/events/{event_id:str}/sessions/{session_id:str}/attendance")
async def save_session_attendance(
    request: Request[Any, Any, Any],
    actor: Actor,
    event_id: FromPath[str],
    session_id: FromPath[str],
) -> Redirect:
    """The attendance form: the ticked people attended this session, the others did not."""
    form = await read_form(request, AttendanceForm)
    try:
        await service.mark_many(actor, event_id, session_id, set(form.attended))
    except Invalid as exc:
        raise NotFound("No such session") from exc
    return see_other(f"/organiser/events/{event_id}/course?done=attendance")


@post("/events/{event_id:str}/registrations/{registration_id:str}/exam")
async def set_exam(
    request: Request[Any, Any, Any],
    actor: Actor,
    event_id: FromPath[str],
    registration_id: FromPath[str],
) -> Redirect:
    passed = (await read_form(request, ExamForm)).passed == "1"
    await service.set_exam_passed(actor, event_id, registration_id, passed)
    return see_other(f"/organiser/events/{event_id}/course?done=exam")


@post("/events/{event_id:str}/certificates")
async def send_certificates(
    request: Request[Any, Any, Any], actor: Actor, event_id: FromPath[str]
) -> Redirect:
    run = await service.send_certificates(actor, event_id)
    return see_other(f"/organiser/events/{event_id}/course?done=certificates&issued={run.issued}")


ROUTER = organiser_router(
    course,
    session_attendance,
    save_session_attendance,
    set_exam,
    send_certificates,
    attendees,
    attendees_export,
    invite,
    cancel_registration,
    correct_address,
    door,
    new_door_token,
    revoke_door_token,
)
ROUTES = [ROUTER]
