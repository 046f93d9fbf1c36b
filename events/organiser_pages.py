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
    confirm: str = ""  # "yes": moving a published event with attendees was confirmed

    def values(self) -> dict[str, Any]:
        """The event's fields (as the form shows them again), without the confirmation."""
        values = msgspec.structs.asdict(self)
        del values["confirm"]
        return values


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
        elif key == "topics":
            body[key] = value
        elif value != "" or (partial and key == "description"):
            body[key] = value
    return body


@get("/events/new")
async def new_event_form(request: Request[Any, Any, Any], actor: Actor) -> Template:
    return await _event_form(
        request,
        actor,
        {"language": "sv", "kind": "seminar", "reminder_hours": "24", "topics": []},
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
    admin_new_venue,
    admin_invite_organiser,
    admin_set_active,
    new_token,
    revoke_token,
)
ROUTES = [ROUTER]
