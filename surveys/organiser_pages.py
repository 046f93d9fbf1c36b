"""The organiser's web, survey part: rounds (list, create, edit), a round's figures, personal
invitations (paste addresses or upload a CSV), reminders, the export.

Under `organiser_router` (traffpunkt.organiser_web): signed in, the organiser as `actor`; rights
over a round are the services' (the municipalities it is for)."""

from __future__ import annotations

from datetime import date
from typing import Any

import msgspec
from babel.dates import format_date
from litestar import Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Template

from events import service as events_service
from events.schemas import Language
from surveys import service
from surveys.routes import EXPORTS, export
from surveys.schemas import Invitee, RoundIn, RoundPatch, SurveyInvitationsIn, SurveyInvitationsOut
from traffpunkt import address_lists, i18n
from traffpunkt.auth import Principal
from traffpunkt.errors import Conflict, Invalid, convert_form, form_errors
from traffpunkt.organiser_web import Actor, organiser_page, organiser_router, read_form, see_other


class RoundForm(msgspec.Struct):
    title: str = ""
    intro: str = ""
    opens: str = ""
    closes: str = ""
    municipalities: list[str] = msgspec.field(default_factory=list)


class InvitationForm(msgspec.Struct):
    emails: str = ""
    language: str = ""


async def _form_page(
    request: Request[Any, Any, Any],
    actor: Principal,
    values: RoundForm,
    errors: dict[str, str],
    *,
    round_id: str | None = None,
    status_code: int = 200,
) -> Template:
    return organiser_page(
        request,
        "surveys/organiser/round_form.html",
        {
            "values": values,
            "errors": errors,
            "round_id": round_id,
            "municipalities": await events_service.organiser_municipalities(actor),
        },
        status_code=status_code,
    )


@get("/surveys")
async def rounds(request: Request[Any, Any, Any], actor: Actor) -> Template:
    listing = await service.list_rounds(actor)
    return organiser_page(request, "surveys/organiser/rounds.html", {"rounds": listing.items})


@get("/surveys/new")
async def new_round(request: Request[Any, Any, Any], actor: Actor) -> Template:
    mine = await events_service.organiser_municipalities(actor)
    values = RoundForm(municipalities=[m.slug for m in mine] if len(mine) == 1 else [])
    return await _form_page(request, actor, values, {})


def _as_body(form: RoundForm) -> dict[str, Any]:
    return {
        "title": form.title,
        "intro": form.intro,
        "opens_at": form.opens,
        "closes_at": form.closes,
        "municipalities": form.municipalities,
    }


def _form_fields(errors: dict[str, str]) -> dict[str, str]:
    """The API's field names as the form's (`opens_at` is the form's date `opens`)."""
    names = {"opens_at": "opens", "closes_at": "closes"}
    return {names.get(k, k): v for k, v in errors.items()}


@post("/surveys")
async def create_round(request: Request[Any, Any, Any], actor: Actor) -> Response[Any]:
    form = await read_form(request, RoundForm)
    lang = i18n.request_language(request)
    body, errors = convert_form(_as_body(form), RoundIn, lang)
    errors = _form_fields(errors)
    if body is not None:
        try:
            created = await service.create_round(actor, body)
        except Invalid as exc:
            errors = _form_fields(form_errors(exc, lang))
        else:
            return see_other(f"/organiser/surveys/{created.id}?done=created")
    return await _form_page(request, actor, form, errors, status_code=422)


@get("/surveys/{round_id:str}/edit")
async def edit_round(
    request: Request[Any, Any, Any], actor: Actor, round_id: FromPath[str]
) -> Template:
    r = await service.get_round(actor, round_id)
    values = RoundForm(
        title=r.title,
        intro=r.intro,
        opens=r.opens,
        closes=r.closes,
        municipalities=r.municipalities,
    )
    return await _form_page(request, actor, values, {}, round_id=r.id)


@post("/surveys/{round_id:str}/edit")
async def save_round(
    request: Request[Any, Any, Any], actor: Actor, round_id: FromPath[str]
) -> Response[Any]:
    form = await read_form(request, RoundForm)
    lang = i18n.request_language(request)
    body, errors = convert_form(_as_body(form), RoundPatch, lang)
    errors = _form_fields(errors)
    if body is not None:
        try:
            await service.update_round(actor, round_id, body)
        except Invalid as exc:
            errors = _form_fields(form_errors(exc, lang))
        else:
            return see_other(f"/organiser/surveys/{round_id}?done=saved")
    return await _form_page(request, actor, form, errors, round_id=round_id, status_code=422)


async def _round_page(
    request: Request[Any, Any, Any],
    actor: Principal,
    round_id: str,
    *,
    invite_text: str = "",
    invalid: list[str] | None = None,
    invited: SurveyInvitationsOut | None = None,
    skipped: list[str] | None = None,
    problem: str | None = None,
    status_code: int = 200,
) -> Template:
    r = await service.get_round(actor, round_id)
    locale = "en_GB" if i18n.request_language(request) == "en" else "sv_SE"
    return organiser_page(
        request,
        "surveys/organiser/round.html",
        {
            "r": r,
            "f": r.figures,
            "opens": format_date(date.fromisoformat(r.opens), "long", locale=locale),
            "closes": format_date(date.fromisoformat(r.closes), "long", locale=locale),
            "rate": None
            if r.figures is None or r.figures.answer_rate is None
            else round(r.figures.answer_rate * 100),
            "invite_text": invite_text,
            "invalid": invalid or [],
            "invited": invited,
            "skipped": skipped or [],
            "problem": problem,
            "done": request.query_params.get("done"),
            "n": request.query_params.get("n"),
            "exports": list(EXPORTS),
        },
        status_code=status_code,
    )


@get("/surveys/{round_id:str}")
async def round_page(
    request: Request[Any, Any, Any], actor: Actor, round_id: FromPath[str]
) -> Template:
    return await _round_page(request, actor, round_id)


def _skipped_line(lang: str, skipped: address_lists.Skipped) -> str:
    where = "Row %(n)s of the box" if skipped.source == "text" else "Row %(n)s of the file"
    where = i18n.gettext(lang, where) % {"n": skipped.line}
    return f"{where}: ‘{skipped.text}’ – {i18n.gettext(lang, skipped.reason)}"


@post("/surveys/{round_id:str}/invitations")
async def invite(
    request: Request[Any, Any, Any], actor: Actor, round_id: FromPath[str]
) -> Response[Any]:
    fields = await read_form(request, InvitationForm)
    upload = (await request.form()).get("file")  # the file itself: read as it comes
    uploaded = ""
    if upload is not None and hasattr(upload, "read"):
        raw = await upload.read()
        uploaded = raw.decode("utf-8-sig", errors="replace")[:1_000_000]
    people, skipped = address_lists.read(fields.emails, uploaded)
    lang = i18n.request_language(request)
    report = [_skipped_line(lang, s) for s in skipped]
    retry = "\n".join(s.text for s in skipped if s.source == "text")
    if not people:
        return await _round_page(
            request, actor, round_id, invite_text=fields.emails, invalid=report or [""],
            status_code=422,
        )  # fmt: skip
    language: Language = "en" if fields.language == "en" else "sv"
    try:
        result = await service.invite(
            actor,
            round_id,
            SurveyInvitationsIn(
                people=[Invitee(email=p.email, name=p.name) for p in people[:1000]],
                language=language,
            ),
        )
    except Conflict as exc:
        return await _round_page(
            request, actor, round_id, invite_text=fields.emails,
            problem=exc.translated_detail(lang), status_code=409,
        )  # fmt: skip
    return await _round_page(
        request, actor, round_id, invited=result, skipped=report, invite_text=retry
    )


@post("/surveys/{round_id:str}/reminders")
async def remind(
    request: Request[Any, Any, Any], actor: Actor, round_id: FromPath[str]
) -> Response[Any]:
    try:
        result = await service.send_reminders(actor, round_id)
    except Conflict as exc:
        lang = i18n.request_language(request)
        return await _round_page(
            request, actor, round_id, problem=exc.translated_detail(lang), status_code=409
        )
    return see_other(f"/organiser/surveys/{round_id}?done=reminded&n={result.reminded}")


@get([f"/surveys/{{round_id:str}}/answers.{fmt}" for fmt in EXPORTS])
async def answers_export(
    request: Request[Any, Any, Any], actor: Actor, round_id: FromPath[str]
) -> Response[bytes]:
    fmt = request.url.path.rsplit(".", 1)[1]
    return await export(actor, round_id, fmt, i18n.request_language(request))


ROUTER = organiser_router(
    rounds, new_round, create_round, edit_round, save_round, round_page, invite, remind,
    answers_export,
)  # fmt: skip
ROUTES = [ROUTER]
