"""The organiser's web, events part: my events, create/edit/publish/cancel, and the admin page
(municipalities and venues from here; tokens and organisers from `accounts`).

The attendance counts on these pages come from registrations through
`traffpunkt.hooks.attendance_counts` (events may not import registrations).

The pages sit under `organiser_router` (traffpunkt.organiser_web): its guard requires a
signed-in organiser and hands it to each handler as `actor`. A form is read into the Struct of
what it sends (`read_form`), then converted into the API's schema, and the same service
functions as the API's are called, so rights, validation and the audit log are the same.
"""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

import msgspec
import msgspec.structs
from litestar import Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from accounts import service as accounts
from events import audit, organisers, service, topics
from events.pages import json_ld
from events.schemas import (
    EventIn,
    EventOut,
    EventPatch,
    MunicipalityIn,
    MunicipalityPatch,
    SessionIn,
    SessionsIn,
    VenueIn,
)
from events.statuses import EventStatus
from traffpunkt import hooks, i18n
from traffpunkt.auth import Principal
from traffpunkt.clock import utc_now
from traffpunkt.errors import Conflict, DomainError, Forbidden, Invalid, NotFound, form_errors
from traffpunkt.localtime import to_local
from traffpunkt.organiser_web import (
    PRIVATE,
    Actor,
    organiser_page,
    organiser_router,
    read_form,
    see_other,
)
from traffpunkt.templating import page


class EventForm(msgspec.Struct, kw_only=True):
    """What the event form sends (text as typed); `_as_body` makes an `EventIn` of it."""

    title: str = ""
    description: str = ""
    kind: str = ""
    municipality: str = ""
    venue_id: str = ""
    starts_at: str = ""
    ends_at: str = ""
    capacity: str = ""
    registration_opens_at: str = ""
    registration_closes_at: str = ""
    language: str = ""
    online_url: str = ""
    reminder_hours: str = ""
    topics: list[str] = msgspec.field(default_factory=list)
    report_fields: list[str] = msgspec.field(default_factory=list)
    confirm: str = ""  # "yes": moving a published event with attendees was confirmed

    def values(self) -> dict[str, Any]:
        """The event's fields (as the form shows them again), without the confirmation."""
        values = msgspec.structs.asdict(self)
        del values["confirm"]
        return values


class SessionsForm(msgspec.Struct, kw_only=True):
    """The sessions form: one value per row of each list (rows with no date are left out, or
    removed when they were sessions), and the completion rule."""

    session_id: list[str] = msgspec.field(default_factory=list)
    date: list[str] = msgspec.field(default_factory=list)
    start: list[str] = msgspec.field(default_factory=list)
    end: list[str] = msgspec.field(default_factory=list)
    place: list[str] = msgspec.field(default_factory=list)
    completion_min_sessions: str = ""
    completion_requires_exam: str = ""


EMPTY_SESSION_ROWS = 3  # blank rows under the sessions, to add new ones


class CancelForm(msgspec.Struct):
    note: str = ""


class MunicipalityForm(msgspec.Struct):
    name: str = ""
    slug: str = ""
    code: str = ""
    region: str = ""
    latitude: str = ""
    longitude: str = ""
    coordinates_source: str = ""


class VenueForm(msgspec.Struct):
    municipality: str = ""
    name: str = ""
    address: str = ""
    capacity: str = ""
    accessibility: str = ""


class ContactForm(msgspec.Struct):
    contact_email: str = ""
    contact_phone: str = ""
    latitude: str = ""
    longitude: str = ""
    coordinates_source: str = ""


def _place(values: dict[str, str]) -> dict[str, float | str | None]:
    """The coordinates as typed (a decimal comma is fine, as Swedish keyboards write it) and
    their source; empty fields are None."""
    place: dict[str, float | str | None] = {}
    for name in ("latitude", "longitude"):
        text = values[name].strip().replace(",", ".")
        try:
            place[name] = float(text) if text else None
        except ValueError:
            raise Invalid.field(name, "Give a number in decimal degrees, e.g. 64.16") from None
    place["coordinates_source"] = values["coordinates_source"].strip() or None
    return place


class ReportFieldsForm(msgspec.Struct):
    report_fields: list[str] = msgspec.field(default_factory=list)


class OrganiserForm(msgspec.Struct):
    email: str = ""
    name: str = ""
    role: str = ""
    municipality: str = ""


class ActiveForm(msgspec.Struct):
    active: str = ""  # "yes" or not


class TokenForm(msgspec.Struct):
    label: str = ""


MOVING = ("starts_at", "ends_at", "venue_id", "municipality", "online_url")


# --- my events --------------------------------------------------------------------------------


@get("/")
async def dashboard(request: Request[Any, Any, Any], actor: Actor) -> Template:
    rows = await service.organiser_events(actor)
    counts = await hooks.attendance_counts([r.id for r in rows])
    events = [(service.event_out(r), counts.get(str(r.id), {})) for r in rows]
    upcoming = [e for e in events if e[0].status != EventStatus.CANCELLED and not _ended(e[0])]
    past = [e for e in events if e not in upcoming]
    upcoming.reverse()  # soonest first
    return organiser_page(
        request,
        "events/organiser/dashboard.html",
        {"actor": actor, "upcoming": upcoming, "past": past},
    )


async def _counts_of(event_id: UUID) -> dict[str, int]:
    """One event's attendance counts (kept by registrations, asked through the hook)."""
    return (await hooks.attendance_counts([event_id])).get(str(event_id), {})


def _ended(event: EventOut) -> bool:
    return event.ends_at < utc_now()


def _local_input(value: Any) -> str:
    return value.strftime("%Y-%m-%dT%H:%M") if value else ""


async def _event_form(
    request: Request[Any, Any, Any],
    actor: Principal,
    values: dict[str, Any],
    errors: dict[str, str],
    *,
    event: Any = None,
    status_code: int = 200,
) -> Template:
    municipalities = await service.organiser_municipalities(actor)
    venues = {m.slug: await service.list_venues(m.slug) for m in municipalities}
    lang = i18n.request_language(request)
    return organiser_page(
        request,
        "events/organiser/event_form.html",
        {
            "values": values,
            "errors": errors,
            "event": event,
            "municipalities": municipalities,
            "venues": venues,
            "topic_choices": [(t.slug, t.label(lang)) for t in topics.TOPICS],
        },
        status_code=status_code,
    )


def _as_body(values: dict[str, Any], *, partial: bool) -> dict[str, Any]:
    body: dict[str, Any] = {}
    for key, value in values.items():
        if key in ("capacity", "reminder_hours"):
            if value == "":
                if key == "capacity":
                    body[key] = None
                continue
            try:
                body[key] = int(value)
            except ValueError:
                raise Invalid.field(key, "Give a whole number") from None
        elif key in ("venue_id", "online_url", "registration_opens_at", "registration_closes_at"):
            body[key] = value or None
        elif key in ("topics", "report_fields"):
            body[key] = value
        elif value != "" or (partial and key == "description"):
            body[key] = value
    return body


@get("/events/new")
async def new_event_form(request: Request[Any, Any, Any], actor: Actor) -> Template:
    return await _event_form(
        request,
        actor,
        {
            "language": "sv",
            "kind": "seminar",
            "reminder_hours": "24",
            "topics": [],
            "report_fields": [],
        },
        {},
    )


@post("/events/new")
async def new_event_submit(request: Request[Any, Any, Any], actor: Actor) -> Response[Any]:
    values = (await read_form(request, EventForm)).values()
    lang = i18n.request_language(request)
    try:
        data = msgspec.convert(_as_body(values, partial=False), EventIn)
        created = await service.create_event(actor, data)
    except (Invalid, Forbidden, msgspec.ValidationError) as exc:
        return await _event_form(request, actor, values, form_errors(exc, lang), status_code=422)
    return see_other(f"/organiser/events/{created.id}?done=created")


@get("/events/{event_id:str}/edit")
async def edit_event_form(
    request: Request[Any, Any, Any], actor: Actor, event_id: FromPath[str]
) -> Template:
    row = await service.event_for_organiser(actor, event_id)
    event = service.event_out(row)
    values = {
        "title": event.title,
        "description": event.description,
        "kind": event.kind,
        "municipality": event.municipality,
        "venue_id": event.venue.id if event.venue else "",
        "starts_at": _local_input(event.starts_at),
        "ends_at": _local_input(event.ends_at),
        "capacity": "" if event.capacity is None else str(event.capacity),
        "registration_opens_at": _local_input(event.registration_opens_at),
        "registration_closes_at": _local_input(event.registration_closes_at),
        "language": event.language,
        "online_url": event.online_url or "",
        "reminder_hours": str(event.reminder_hours),
        "topics": event.topics,
        "report_fields": [f.value for f in event.report_fields],
    }
    return await _event_form(request, actor, values, {}, event=event)


@post("/events/{event_id:str}/edit")
async def edit_event_submit(
    request: Request[Any, Any, Any], actor: Actor, event_id: FromPath[str]
) -> Response[Any]:
    row = await service.event_for_organiser(actor, event_id)
    event = service.event_out(row)
    form = await read_form(request, EventForm)
    values = form.values()
    lang = i18n.request_language(request)
    try:
        body = _as_body(values, partial=True)
        patch = msgspec.convert(body, EventPatch)
        moving = [k for k in MOVING if k in body and str(body[k] or "") != _current(event, k)]
        if event.status == EventStatus.PUBLISHED and moving and form.confirm != "yes":
            await service.check_event_patch(actor, event_id, patch)  # errors before the question
            counts = await _counts_of(row.id)
            if counts.get("confirmed", 0):
                return organiser_page(
                    request,
                    "events/organiser/confirm_change.html",
                    {
                        "event": event,
                        "values": values,
                        "confirmed": counts.get("confirmed", 0),
                        "moving": moving,
                    },
                )
        await service.update_event(actor, event_id, patch)
    except (Invalid, Conflict, Forbidden, msgspec.ValidationError) as exc:
        return await _event_form(
            request, actor, values, form_errors(exc, lang), event=event, status_code=422
        )
    return see_other(f"/organiser/events/{event_id}?done=saved")


def _current(event: Any, key: str) -> str:
    if key == "venue_id":
        return event.venue.id if event.venue else ""
    if key in ("starts_at", "ends_at"):
        return _local_input(getattr(event, key))
    return str(getattr(event, key) or "")


# --- a course series' sessions and completion rule ---------------------------------------------


def _session_rows(row: Any) -> list[dict[str, str]]:
    rows = []
    for x in row.sessions:
        start, end = to_local(x.starts_at, row.timezone), to_local(x.ends_at, row.timezone)
        rows.append(
            {
                "session_id": str(x.id),
                "date": start.strftime("%Y-%m-%d"),
                "start": start.strftime("%H:%M"),
                "end": end.strftime("%H:%M"),
                "place": "online" if x.online else str(x.venue_id or ""),
                "position": str(x.position),
                "cancelled": "1" if x.cancelled_at else "",
            }
        )
    return rows


async def _sessions_page(
    request: Request[Any, Any, Any],
    actor: Principal,
    row: Any,
    rows: list[dict[str, str]],
    rule: dict[str, str],
    errors: dict[int | str, str],
    status_code: int = 200,
) -> Template:
    blank = {"session_id": "", "date": "", "start": "", "end": "", "place": ""}
    return organiser_page(
        request,
        "events/organiser/sessions.html",
        {
            "event": service.event_out(row),
            "row": row,
            "rows": rows + [dict(blank) for _ in range(EMPTY_SESSION_ROWS)],
            "rule": rule,
            "errors": errors,
            "venues": await service.list_venues(row.municipality_slug),
            "done": request.query_params.get("done"),
        },
        status_code=status_code,
    )


def _rule_values(row: Any) -> dict[str, str]:
    return {
        "completion_min_sessions": str(row.completion_min_sessions or ""),
        "completion_requires_exam": "1" if row.completion_requires_exam else "",
    }


@get("/events/{event_id:str}/sessions")
async def sessions_form(
    request: Request[Any, Any, Any], actor: Actor, event_id: FromPath[str]
) -> Template:
    row = await service.with_sessions(await service.event_for_organiser(actor, event_id))
    return await _sessions_page(request, actor, row, _session_rows(row), _rule_values(row), {})


@post("/events/{event_id:str}/sessions")
async def sessions_submit(
    request: Request[Any, Any, Any], actor: Actor, event_id: FromPath[str]
) -> Response[Any]:
    """Sessions and the completion rule: the same service functions as the API's."""
    row = await service.with_sessions(await service.event_for_organiser(actor, event_id))
    form = await read_form(request, SessionsForm)
    lang = i18n.request_language(request)
    cancelled = {r["session_id"] for r in _session_rows(row) if r["cancelled"]}
    n = max(len(form.date), len(form.session_id))

    def at(values: list[str], i: int) -> str:
        return values[i].strip() if i < len(values) else ""

    rows = [
        {
            "session_id": at(form.session_id, i),
            "date": at(form.date, i),
            "start": at(form.start, i),
            "end": at(form.end, i),
            "place": at(form.place, i),
        }
        for i in range(n)
        if at(form.session_id, i) not in cancelled or not at(form.session_id, i)
    ]
    rule = {
        "completion_min_sessions": form.completion_min_sessions,
        "completion_requires_exam": form.completion_requires_exam,
    }
    # The rows that say something, and where each came from (for errors under its row).
    given = [(i, r) for i, r in enumerate(rows) if r["date"] or r["start"] or r["end"]]
    errors: dict[int | str, str] = {}
    try:
        sessions = [
            SessionIn(
                id=r["session_id"] or None,
                starts_at=f"{r['date']}T{r['start']}",
                ends_at=f"{r['date']}T{r['end']}",
                venue_id=None if r["place"] in ("", "online") else r["place"],
                online=r["place"] == "online",
            )
            for _, r in given
        ]
        await service.set_sessions(actor, event_id, SessionsIn(sessions=sessions))
        minimum = form.completion_min_sessions
        patch = msgspec.convert(
            {
                "completion_min_sessions": int(minimum) if minimum.isdigit() else None,
                "completion_requires_exam": form.completion_requires_exam == "1",
            },
            EventPatch,
        )
        if minimum and not minimum.isdigit():
            raise Invalid.field("completion_min_sessions", "Give a whole number")
        await service.update_event(actor, event_id, patch)
    except (Invalid, Conflict, msgspec.ValidationError) as exc:
        for field, message in form_errors(exc, lang).items():
            match = re.match(r"^sessions\[(\d+)\]", field)
            if match and int(match.group(1)) < len(given):
                errors.setdefault(given[int(match.group(1))][0], message)
            else:
                errors.setdefault(field, message)
        kept = [r for r in _session_rows(row) if r["cancelled"]]
        return await _sessions_page(request, actor, row, kept + rows, rule, errors, status_code=422)
    return see_other(f"/organiser/events/{event_id}/sessions?done=saved")


@post("/events/{event_id:str}/sessions/{session_id:str}/cancel")
async def cancel_session_submit(
    request: Request[Any, Any, Any],
    actor: Actor,
    event_id: FromPath[str],
    session_id: FromPath[str],
) -> Response[Any]:
    try:
        await service.cancel_session(actor, event_id, session_id)
    except Conflict as exc:
        row = await service.with_sessions(await service.event_for_organiser(actor, event_id))
        lang = i18n.request_language(request)
        return await _sessions_page(
            request,
            actor,
            row,
            _session_rows(row),
            _rule_values(row),
            {"form": exc.translated_detail(lang)},
            status_code=409,
        )
    return see_other(f"/organiser/events/{event_id}/sessions?done=cancelled")


@get("/events/{event_id:str}")
async def event_overview(
    request: Request[Any, Any, Any], actor: Actor, event_id: FromPath[str]
) -> Template:
    row = await service.event_for_organiser(actor, event_id)
    counts = await _counts_of(row.id)
    return organiser_page(
        request,
        "events/organiser/event.html",
        {
            "event": service.event_out(row),
            "row": row,
            "counts": counts,
            "audit": await organisers.event_audit(actor, event_id),
            "describe_action": audit.describe,
            "done": request.query_params.get("done"),
            "tz": row.timezone,
            "to_local": to_local,
        },
    )


@post("/events/{event_id:str}/publish")
async def publish(
    request: Request[Any, Any, Any], actor: Actor, event_id: FromPath[str]
) -> Redirect:
    await service.publish_event(actor, event_id)
    return see_other(f"/organiser/events/{event_id}?done=published")


@get("/events/{event_id:str}/cancel")
async def cancel_form(
    request: Request[Any, Any, Any], actor: Actor, event_id: FromPath[str]
) -> Template:
    row = await service.event_for_organiser(actor, event_id)
    counts = await _counts_of(row.id)
    return organiser_page(
        request, "events/organiser/cancel.html", {"event": service.event_out(row), "counts": counts}
    )


@post("/events/{event_id:str}/cancel")
async def cancel_submit(
    request: Request[Any, Any, Any], actor: Actor, event_id: FromPath[str]
) -> Redirect:
    note = (await read_form(request, CancelForm)).note[:2000] or None
    await service.cancel_event(actor, event_id, note)
    return see_other(f"/organiser/events/{event_id}?done=cancelled")


@get("/events/{event_id:str}/preview")
async def preview(
    request: Request[Any, Any, Any], actor: Actor, event_id: FromPath[str]
) -> Template:
    row = await service.event_for_organiser(actor, event_id)
    ev = service.event_out(row)
    lang = i18n.request_language(request)
    return page(
        request,
        "events/event.html",
        {
            "row": row,
            "event": ev,
            "json_ld": json_ld(row),
            "preview": True,
            "topic_label": lambda s: topics.BY_SLUG[s].label(lang) if s in topics.BY_SLUG else s,
            "paragraphs": [p.strip() for p in ev.description.split("\n\n") if p.strip()],
        },
        headers=PRIVATE,
    )


# --- admin ------------------------------------------------------------------------------------


@get("/admin")
async def admin_page(request: Request[Any, Any, Any], actor: Actor) -> Template:
    return await _settings(request, actor, done=request.query_params.get("done"))


async def _settings(
    request: Request[Any, Any, Any],
    actor: Principal,
    *,
    done: str | None = None,
    new_token: str | None = None,
    failed: str | None = None,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> Template:
    """The Settings page; after a failed form, that form again with what was typed and an
    error under each field that was wrong (`failed` names the form, as the template does)."""
    context: dict[str, Any] = {
        "actor": actor,
        "tokens": await accounts.my_tokens(actor),
        "municipalities": await service.organiser_municipalities(actor),
        "new_token": new_token,
        "done": done,
        "failed": failed,
        "values": values or {},
        "errors": errors or {},
    }
    if actor.is_admin:
        context["organisers"] = await organisers.organisers(actor)
    status = 422 if errors else 200
    return organiser_page(request, "events/organiser/admin.html", context, status_code=status)


async def _settings_failed(
    request: Request[Any, Any, Any],
    actor: Principal,
    failed: str,
    values: dict[str, str],
    exc: DomainError | msgspec.ValidationError,
    whole_form: str = "form",
) -> Template:
    """Each error under its field; one about the whole form goes to `whole_form`."""
    errors = form_errors(exc, i18n.request_language(request))
    if "form" in errors and whole_form != "form":
        errors[whole_form] = errors.pop("form")
    return await _settings(request, actor, failed=failed, values=values, errors=errors)


@post("/admin/municipalities")
async def admin_new_municipality(request: Request[Any, Any, Any], actor: Actor) -> Response[Any]:
    values = msgspec.structs.asdict(await read_form(request, MunicipalityForm))
    try:
        data = msgspec.convert(
            {
                **values,
                "code": values["code"] or None,
                "region": values["region"] or None,
                **_place(values),
            },
            MunicipalityIn,
        )
        await service.create_municipality(actor, data)
    except (Invalid, Conflict, msgspec.ValidationError) as exc:
        # The one conflict is a short name already taken.
        return await _settings_failed(request, actor, "municipality", values, exc, "slug")
    return see_other("/organiser/admin?done=municipality")


@post("/admin/venues")
async def admin_new_venue(request: Request[Any, Any, Any], actor: Actor) -> Response[Any]:
    values = msgspec.structs.asdict(await read_form(request, VenueForm))
    try:
        if values["capacity"] and not values["capacity"].isdigit():
            raise Invalid.field("capacity", "Give a whole number")
        data = msgspec.convert(
            {
                "municipality": values["municipality"],
                "name": values["name"],
                "address": values["address"] or None,
                "capacity": int(values["capacity"]) if values["capacity"] else None,
                "accessibility": values["accessibility"] or None,
            },
            VenueIn,
        )
        await service.create_venue(actor, data)
    except (Invalid, msgspec.ValidationError) as exc:
        return await _settings_failed(request, actor, "venue", values, exc)
    return see_other("/organiser/admin?done=venue")


@post("/admin/municipalities/{slug:str}/contact")
async def admin_municipality_contact(
    request: Request[Any, Any, Any], actor: Actor, slug: FromPath[str]
) -> Response[Any]:
    values = msgspec.structs.asdict(await read_form(request, ContactForm))
    try:
        data = msgspec.convert(
            {
                "contact_email": values["contact_email"] or None,
                "contact_phone": values["contact_phone"] or None,
                **_place(values),
            },
            MunicipalityPatch,
        )
        await service.update_municipality(actor, slug, data)
    except (Invalid, NotFound, msgspec.ValidationError) as exc:
        return await _settings_failed(request, actor, f"contact-{slug}", values, exc)
    return see_other("/organiser/admin?done=contact")


@post("/admin/municipalities/{slug:str}/report-fields")
async def admin_municipality_report_fields(
    request: Request[Any, Any, Any], actor: Actor, slug: FromPath[str]
) -> Response[Any]:
    """The report questions every event of the municipality asks at sign-up."""
    form = await read_form(request, ReportFieldsForm)
    try:
        data = msgspec.convert({"report_fields": form.report_fields}, MunicipalityPatch)
        await service.update_municipality(actor, slug, data)
    except (Invalid, NotFound, msgspec.ValidationError) as exc:
        return await _settings_failed(request, actor, f"report-{slug}", {}, exc)
    return see_other("/organiser/admin?done=report_fields")


@post("/admin/organisers")
async def admin_invite_organiser(request: Request[Any, Any, Any], actor: Actor) -> Response[Any]:
    values = msgspec.structs.asdict(await read_form(request, OrganiserForm))
    try:
        await organisers.invite_organiser(
            actor,
            values["email"],
            values["name"],
            values["role"] or "organiser",
            values["municipality"] or None,
        )
    except Invalid as exc:
        return await _settings_failed(request, actor, "organiser", values, exc)
    return see_other("/organiser/admin?done=organiser")


@post("/admin/organisers/{organiser_id:str}/active")
async def admin_set_active(
    request: Request[Any, Any, Any], actor: Actor, organiser_id: FromPath[str]
) -> Response[Any]:
    form = await read_form(request, ActiveForm)
    try:
        await organisers.set_active(actor, organiser_id, form.active == "yes")
    except Invalid as exc:
        return await _settings_failed(request, actor, "active", {}, exc)
    except ValueError:  # not an organiser id at all
        return await _settings_failed(request, actor, "active", {}, NotFound("No such organiser"))
    return see_other("/organiser/admin?done=saved")


@post("/tokens")
async def new_token(request: Request[Any, Any, Any], actor: Actor) -> Template:
    form = await read_form(request, TokenForm)
    _, token = await accounts.create_token(actor.organiser_id, (form.label or "web")[:200])
    return await _settings(request, actor, new_token=token)


@post("/tokens/{token_id:str}/revoke")
async def revoke_token(
    request: Request[Any, Any, Any], actor: Actor, token_id: FromPath[str]
) -> Redirect:
    await accounts.revoke_token(actor, token_id)
    return see_other("/organiser/admin?done=revoked")


ROUTER = organiser_router(
    dashboard,
    sessions_form,
    sessions_submit,
    cancel_session_submit,
    new_event_form,
    new_event_submit,
    edit_event_form,
    edit_event_submit,
    event_overview,
    publish,
    cancel_form,
    cancel_submit,
    preview,
    admin_page,
    admin_new_municipality,
    admin_municipality_contact,
    admin_municipality_report_fields,
    admin_new_venue,
    admin_invite_organiser,
    admin_set_active,
    new_token,
    revoke_token,
)
ROUTES = [ROUTER]
