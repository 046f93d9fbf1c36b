"""The answer page of the needs survey (public, no account, phone first).

`/survey/<slug>` is the open link for the municipality's web site; `/survey/a/<token>` is a
personal link (an invitation's, a reminder's, or the answer's own from the receipt). The form
works without JavaScript; a wrong field is shown under the field with everything typed kept."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER

from events import topics
from surveys import service
from surveys.schemas import AnswerIn
from traffpunkt import i18n, richtext
from traffpunkt.companies import SIZE_BANDS, SNI_SECTIONS
from traffpunkt.errors import Conflict, Invalid, NotFound, convert_form, form_errors
from traffpunkt.needs import NeedKind
from traffpunkt.templating import page

PRIVATE = {"Cache-Control": "private, no-store", "X-Robots-Tag": "noindex, nofollow",
           "Referrer-Policy": "no-referrer"}  # fmt: skip
# The open link is for the municipality's web site and social media: search engines may list it
# (a personal link's page never).
OPEN = {k: v for k, v in PRIVATE.items() if k != "X-Robots-Tag"}
# The form's fields in page order (the error summary reads like the page).
FORM_ORDER = (
    "company_name", "org_number", "municipality", "sector", "size_band", "contact_name",
    "email", "needs", "offers", "free_text", "contact_consent", "networking_consent",
)  # fmt: skip
TEXT_FIELDS = ("company_name", "org_number", "municipality", "sector", "size_band",
               "contact_name", "email", "free_text")  # fmt: skip


def _values_of(ctx: service.AnswerContext) -> dict[str, Any]:
    """The form's values from the stored answer (or the invitation's address and name)."""
    a = ctx.answer
    if a is None:
        values: dict[str, Any] = {"needs": {}, "offers": []}
        if ctx.invite is not None:
            values.update(email=ctx.invite.email, contact_name=ctx.invite.name)
        if len(ctx.places) == 1:
            values["municipality"] = ctx.places[0].slug
        return values
    slug = next((p.slug for p in ctx.places if p.municipality == a.municipality), "")
    return {
        "company_name": a.company_name,
        "org_number": a.org_number,
        "municipality": slug,
        "sector": a.sector,
        "size_band": a.size_band,
        "contact_name": a.contact_name,
        "email": a.email,
        "free_text": a.free_text,
        "contact_consent": a.contact_consent,
        "networking_consent": a.networking_consent,
        "needs": {n.topic: str(n.urgency) for n in ctx.needs if n.kind == NeedKind.NEED},
        "offers": [n.topic for n in ctx.needs if n.kind == NeedKind.OFFER],
    }


async def _posted(request: Request[Any, Any, Any]) -> dict[str, Any]:
    """What the form sent, as typed (strings), to convert and to show again."""
    form = await request.form()
    values: dict[str, Any] = {}
    for name in TEXT_FIELDS:
        raw = form.get(name)
        values[name] = raw.strip() if isinstance(raw, str) else ""
    values["needs"] = {
        t.slug: v
        for t in topics.TOPICS
        if isinstance(v := form.get(f"need-{t.slug}"), str) and v in ("1", "2", "3")
    }
    values["offers"] = [v for v in form.getall("offers", []) if isinstance(v, str)]
    values["contact_consent"] = form.get("contact_consent") == "yes"
    values["networking_consent"] = form.get("networking_consent") == "yes"
    return values


def _answer_in(values: dict[str, Any], lang: str) -> tuple[AnswerIn | None, dict[str, str]]:
    data = {
        **{k: values[k] for k in TEXT_FIELDS},
        "language": lang,
        "needs": {k: int(v) for k, v in values["needs"].items()},
        "offers": values["offers"],
        "contact_consent": values["contact_consent"],
        "networking_consent": values["networking_consent"],
    }
    return convert_form(data, AnswerIn, lang)


def _form_page(
    request: Request[Any, Any, Any],
    ctx: service.AnswerContext,
    values: dict[str, Any],
    errors: dict[str, str],
    *,
    action: str,
    token: str | None = None,
    status_code: int = 200,
) -> Template:
    lang = i18n.request_language(request, ctx.answer.language if ctx.answer else None)
    ordered = {k: errors[k] for k in FORM_ORDER if k in errors}
    return page(
        request,
        "surveys/answer.html",
        {
            "round": ctx.round,
            "intro_html": richtext.to_html(ctx.round.intro),
            "places": ctx.places,
            "state": ctx.state,
            "closes": service.closes_text(ctx.round, lang),
            "opens": service.opens_text(ctx.round, lang),
            "answered": ctx.answer is not None,
            "values": values,
            "errors": {**ordered, **errors},
            "action": action,
            "token": token,
            "done": request.query_params.get("done"),
            "topics": [(t.slug, t.label(lang)) for t in topics.TOPICS],
            "sectors": [(s.code, s.label(lang)) for s in SNI_SECTIONS],
            "sizes": [(s.code, s.label(lang)) for s in SIZE_BANDS],
        },
        status_code=status_code,
        headers=PRIVATE if token else OPEN,
    )


def _gone(request: Request[Any, Any, Any]) -> Template:
    return page(request, "surveys/gone.html", {}, status_code=404, headers=PRIVATE)


@get("/survey/{slug:str}", include_in_schema=False)
async def open_page(request: Request[Any, Any, Any], slug: FromPath[str]) -> Template:
    try:
        ctx = await service.open_form(slug)
    except NotFound:
        return _gone(request)
    return _form_page(request, ctx, _values_of(ctx), {}, action=f"/survey/{ctx.round.slug}")


async def _submit(
    request: Request[Any, Any, Any], ctx: service.AnswerContext, action: str, token: str | None
) -> Response[Any]:
    lang = i18n.request_language(request)
    values = await _posted(request)
    body, errors = _answer_in(values, lang)
    if body is None:
        return _form_page(request, ctx, values, errors, action=action, token=token, status_code=422)
    try:
        if token is None:
            done = await service.submit_open(ctx.round.slug, body)
        else:
            done = await service.submit_by_link(token, body)
    except (Invalid, msgspec.ValidationError) as exc:
        errors = form_errors(exc, lang)
        return _form_page(request, ctx, values, errors, action=action, token=token, status_code=422)
    except Conflict:  # closed (or not yet open) meanwhile: the page says so
        return _form_page(request, ctx, values, {}, action=action, token=token, status_code=409)
    if token is None and not done.created:
        # The company had answered: the new link goes by mail only, never to this screen.
        return page(
            request,
            "surveys/mailed.html",
            {"round": ctx.round, "mailed": done.receipt},
            headers=PRIVATE,
        )
    flag = "saved-mailed" if done.receipt else "saved"
    return Redirect(f"/survey/a/{done.token}?done={flag}", status_code=HTTP_303_SEE_OTHER)


@post("/survey/{slug:str}", include_in_schema=False)
async def open_submit(request: Request[Any, Any, Any], slug: FromPath[str]) -> Response[Any]:
    try:
        ctx = await service.open_form(slug)
    except NotFound:
        return _gone(request)
    return await _submit(request, ctx, f"/survey/{ctx.round.slug}", None)


@get("/survey/a/{token:str}", include_in_schema=False)
async def link_page(request: Request[Any, Any, Any], token: FromPath[str]) -> Template:
    try:
        ctx = await service.link_form(token)
    except NotFound:
        return _gone(request)
    return _form_page(request, ctx, _values_of(ctx), {}, action=f"/survey/a/{token}", token=token)


@post("/survey/a/{token:str}", include_in_schema=False)
async def link_submit(request: Request[Any, Any, Any], token: FromPath[str]) -> Response[Any]:
    try:
        ctx = await service.link_form(token)
    except NotFound:
        return _gone(request)
    return await _submit(request, ctx, f"/survey/a/{token}", token)


@get("/survey/a/{token:str}/erase", include_in_schema=False)
async def erase_confirm(request: Request[Any, Any, Any], token: FromPath[str]) -> Template:
    try:
        ctx = await service.link_form(token)
    except NotFound:
        return _gone(request)
    if ctx.answer is None:
        return _form_page(
            request, ctx, _values_of(ctx), {}, action=f"/survey/a/{token}", token=token
        )
    return page(
        request,
        "surveys/erase.html",
        {"round": ctx.round, "company": ctx.answer.company_name, "token": token},
        headers=PRIVATE,
    )


@post("/survey/a/{token:str}/erase", include_in_schema=False)
async def erase(request: Request[Any, Any, Any], token: FromPath[str]) -> Template:
    try:
        await service.erase_by_link(token)
    except NotFound:
        return _gone(request)
    return page(request, "surveys/erased.html", {}, headers=PRIVATE)


ROUTES = [open_page, open_submit, link_page, link_submit, erase_confirm, erase]
