"""The attendee's pages: sign-up (from the event page or an invitation) and the manage page.

Plain HTML forms that work on a phone without JavaScript, protected by Litestar's CSRF
middleware (double-submit cookie). Manage pages carry the secret token in their path, so they
are never cached, never indexed, and send no Referer to the links on them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec
from litestar import Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER

from events import service as events_service
from events import topics
from events.rows import EventRow
from registrations import service
from registrations.schemas import RegistrationIn, RegistrationPatch
from traffpunkt import addresses, i18n
from traffpunkt.companies import SIZE_BANDS, SNI_SECTIONS
from traffpunkt.errors import Conflict, Invalid, NotFound, convert_form, form_errors
from traffpunkt.templating import page

PRIVATE = {
    "Cache-Control": "private, no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
}
FIELDS = (
    "name",
    "email",
    "organisation",
    "municipality",
    "language",
    "org_number",
    "sni_section",
    "size_band",
    "gender",
)


def _topic_choices(lang: str) -> list[tuple[str, str]]:
    return [(t.slug, t.label(lang)) for t in topics.TOPICS]


def _topic_label(lang: str) -> Callable[[str], str]:
    return lambda s: topics.BY_SLUG[s].label(lang) if s in topics.BY_SLUG else s


async def _form(request: Request[Any, Any, Any]) -> dict[str, Any]:
    form = await request.form()
    values: dict[str, Any] = {k: (form.get(k) or "").strip() for k in FIELDS}
    values["needs"] = [v for v in form.getall("needs", []) if isinstance(v, str)]
    values["offers"] = [v for v in form.getall("offers", []) if isinstance(v, str)]
    values["networking_consent"] = form.get("networking_consent") == "yes"
    values["invitation"] = (form.get("invitation") or "").strip() or None
    return values


def _signup_page(
    request: Request[Any, Any, Any],
    row: EventRow,
    values: dict[str, Any],
    errors: dict[str, str],
    status_code: int = 200,
    closed: str | None = None,
) -> Template:
    lang = i18n.request_language(request)
    return page(
        request,
        "registrations/signup.html",
        {
            "event": events_service.event_out(row),
            "row": row,
            "values": values,
            "errors": errors,
            "closed": closed,
            "topic_choices": _topic_choices(lang),
            # Only the report questions the organiser enabled are shown (and accepted).
            "asked": {f.value for f in events_service.report_fields_asked(row)},
            "sni_choices": [(s.code, s.label(lang)) for s in SNI_SECTIONS],
            "size_choices": [(s.code, s.label(lang)) for s in SIZE_BANDS],
        },
        status_code=status_code,
        headers={"Cache-Control": "private, no-store", "Referrer-Policy": "no-referrer"},
    )


FORM_ORDER = (
    "name",
    "email",
    "organisation",
    "municipality",
    "language",
    "org_number",
    "sni_section",
    "size_band",
    "gender",
    "needs",
    "offers",
)


def _signup_errors(values: dict[str, Any], lang: str) -> dict[str, str]:
    """The name and the address, checked before the rest so that both are reported at once,
    the address by the one address rule with its plain reasons (traffpunkt.addresses)."""
    errors: dict[str, str] = {}
    if not " ".join(values["name"].split()):
        errors["name"] = i18n.gettext(lang, "Write your name")
    try:
        addresses.normalise(values["email"])
    except addresses.AddressError as exc:
        errors["email"] = i18n.gettext(lang, exc.message)
    return errors


@get("/events/{key:str}/register", include_in_schema=False)
async def signup_form(request: Request[Any, Any, Any], key: FromPath[str]) -> Template:
    row = await events_service.event_row(key)
    lang = i18n.request_language(request)
    invite = request.query_params.get("invite")
    person = await service.invitation_person(row.id, invite) if invite else None
    email, name = person or ("", "")
    values: dict[str, Any] = {
        "language": lang,
        "email": email,
        "name": name,
        "invitation": invite if person else None,
        "needs": [],
        "offers": [],
    }
    closed = None
    try:
        await events_service.event_for_registration(key)
    except Conflict as exc:
        closed = exc.translated_detail(lang)
    return _signup_page(request, row, values, {}, closed=closed, status_code=409 if closed else 200)


@post("/events/{key:str}/register", include_in_schema=False)
async def signup_submit(request: Request[Any, Any, Any], key: FromPath[str]) -> Response[Any]:
    row = await events_service.event_row(key)
    lang = i18n.request_language(request)
    values = await _form(request)
    errors = _signup_errors(values, lang)
    data, more = convert_form(
        {k: v for k, v in values.items() if v not in ("", None)}, RegistrationIn, lang, errors
    )
    errors.update(more)
    if errors or data is None:
        # In the form's order, so the summary reads top to bottom like the page.
        ordered = {k: errors[k] for k in FORM_ORDER if k in errors}
        return _signup_page(request, row, values, {**ordered, **errors}, status_code=422)
    try:
        result = await service.register(key, data)
    except (msgspec.ValidationError, Invalid) as exc:
        return _signup_page(request, row, values, form_errors(exc, lang), status_code=422)
    except Conflict as exc:
        return _signup_page(
            request, row, values, {}, status_code=409, closed=exc.translated_detail(lang)
        )
    if not result.created:
        return page(
            request,
            "registrations/already.html",
            {"event": events_service.event_out(row), "email": values["email"]},
            headers=PRIVATE,
        )
    assert result.token is not None
    return Redirect(f"/r/{result.token}?welcome=1", status_code=HTTP_303_SEE_OTHER)


async def _manage_context(token: str) -> dict[str, Any]:
    reg = await service.by_token(token)
    own = await service.registration_out(reg, token)
    row = await events_service.event_for_mail(reg.event)
    failure = await service.delivery_failure(reg)
    certificate = await service.own_certificate(reg)
    return {
        "own": own,
        "reg": reg,
        "row": row,
        "token": token,
        "mail_failure": failure,
        "certificate": certificate,
    }


def _manage_texts(context: dict[str, Any], lang: str) -> dict[str, Any]:
    """What the attendee's own page says in the page's language."""
    return {
        "topic_choices": _topic_choices(lang),
        "topic_label": _topic_label(lang),
        "report_answers": service.own_report_answers(context["reg"], lang),
    }


@get("/r/{token:str}", include_in_schema=False)
async def manage_page(request: Request[Any, Any, Any], token: FromPath[str]) -> Template:
    try:
        context = await _manage_context(token)
    except NotFound:
        return page(request, "registrations/gone.html", {}, status_code=404, headers=PRIVATE)
    # The attendee's own page speaks the language they chose, unless they switch here.
    own_language = context["own"].language
    lang = i18n.request_language(request, own_language)
    return page(
        request,
        "registrations/manage.html",
        {
            **context,
            "welcome": request.query_params.get("welcome") == "1",
            "done": request.query_params.get("done"),
            **_manage_texts(context, lang),
        },
        headers=PRIVATE,
        default_language=own_language,
    )


async def _confirm(request: Request[Any, Any, Any], token: str, action: str) -> Template:
    try:
        context = await _manage_context(token)
    except NotFound:
        return page(request, "registrations/gone.html", {}, status_code=404, headers=PRIVATE)
    return page(
        request,
        "registrations/confirm.html",
        {**context, "action": action},
        headers=PRIVATE,
        default_language=context["own"].language,
    )


@get("/r/{token:str}/cancel", include_in_schema=False)
async def cancel_confirm(request: Request[Any, Any, Any], token: FromPath[str]) -> Template:
    return await _confirm(request, token, "cancel")


@get("/r/{token:str}/erase", include_in_schema=False)
async def erase_confirm(request: Request[Any, Any, Any], token: FromPath[str]) -> Template:
    return await _confirm(request, token, "erase")


@post("/r/{token:str}/cancel", include_in_schema=False)
async def cancel_submit(token: FromPath[str]) -> Redirect:
    await service.cancel_own(token)
    return Redirect(f"/r/{token}?done=cancelled", status_code=HTTP_303_SEE_OTHER)


@post("/r/{token:str}/erase", include_in_schema=False)
async def erase_submit(request: Request[Any, Any, Any], token: FromPath[str]) -> Template:
    await service.erase_own(token)
    return page(request, "registrations/erased.html", {}, headers=PRIVATE)


@get("/r/{token:str}/not-me", include_in_schema=False)
async def not_me_confirm(request: Request[Any, Any, Any], token: FromPath[str]) -> Template:
    """From the sign-up mail: someone else used this address. A page with a button, because
    mail scanners open links (a GET must change nothing)."""
    return await _confirm(request, token, "not-me")


@post("/r/{token:str}/not-me", include_in_schema=False)
async def not_me_submit(request: Request[Any, Any, Any], token: FromPath[str]) -> Template:
    await service.not_me(token)
    return page(request, "registrations/erased.html", {"blocked": True}, headers=PRIVATE)


@post("/r/{token:str}/profile", include_in_schema=False)
async def profile_submit(request: Request[Any, Any, Any], token: FromPath[str]) -> Response[Any]:
    values = await _form(request)
    lang = i18n.request_language(request)
    fields = {
        "organisation": values["organisation"],
        "needs": values["needs"],
        "offers": values["offers"],
        "networking_consent": values["networking_consent"],
    }
    if values["language"] in i18n.LANGUAGES:
        fields["language"] = values["language"]
    # Every wrong field at once (e.g. a name of a company longer than the field takes).
    patch, errors = convert_form(fields, RegistrationPatch, lang)
    try:
        if patch is None:
            raise Invalid("Validation failed")
        own = await service.update_own(token, patch)
    except Invalid as exc:
        context = await _manage_context(token)
        return page(
            request,
            "registrations/manage.html",
            {
                **context,
                "errors": errors or form_errors(exc, lang),
                "organisation_value": values["organisation"],  # what was typed stays
                "welcome": False,
                "done": None,
                **_manage_texts(context, lang),
            },
            status_code=422,
            headers=PRIVATE,
        )
    # Show the page in the language the person just chose.
    return Redirect(f"/r/{token}?done=saved&lang={own.language}", status_code=HTTP_303_SEE_OTHER)


@post("/r/{token:str}/email", include_in_schema=False)
async def email_submit(request: Request[Any, Any, Any], token: FromPath[str]) -> Response[Any]:
    """A corrected address (offered when mail to the old one failed for good)."""
    form = await request.form()
    lang = i18n.request_language(request)
    try:
        await service.correct_own_address(token, str(form.get("email") or ""))
    except (Invalid, Conflict) as exc:
        context = await _manage_context(token)
        own_language = context["own"].language
        return page(
            request,
            "registrations/manage.html",
            {
                **context,
                "email_error": form_errors(exc, lang).get("email")
                if isinstance(exc, Invalid)
                else exc.translated_detail(lang),
                "email_value": str(form.get("email") or ""),
                "welcome": False,
                "done": None,
                **_manage_texts(context, lang),
            },
            status_code=409 if isinstance(exc, Conflict) else 422,
            headers=PRIVATE,
            default_language=own_language,
        )
    return Redirect(f"/r/{token}?done=address", status_code=HTTP_303_SEE_OTHER)


# --- course certificates ------------------------------------------------------------------


def _pdf(body: bytes) -> Response[bytes]:
    return Response(
        body,
        media_type="application/pdf",
        headers={**PRIVATE, "Content-Disposition": 'inline; filename="certificate.pdf"'},
    )


@get("/certificates/{token:str}", include_in_schema=False)
async def certificate_page(request: Request[Any, Any, Any], token: FromPath[str]) -> Template:
    """The public check of a certificate: valid, the course, the name, the date; nothing else
    about the person (no address, no attendance)."""
    try:
        check = await service.check_certificate(token)
    except NotFound:
        return page(
            request,
            "registrations/certificate.html",
            {"check": None},
            status_code=404,
            headers=PRIVATE,
        )
    return page(
        request,
        "registrations/certificate.html",
        {"check": check, "pdf_url": f"/certificates/{token}/certificate.pdf"},
        headers=PRIVATE,
    )


@get("/certificates/{token:str}/certificate.pdf", include_in_schema=False)
async def certificate_pdf(token: FromPath[str]) -> Response[bytes]:
    return _pdf(await service.certificate_pdf(token))


@get("/r/{token:str}/certificate.pdf", include_in_schema=False)
async def own_certificate_pdf(token: FromPath[str]) -> Response[bytes]:
    """The attendee's certificate from their own (manage) link."""
    reg = await service.by_token(token)
    return _pdf(await service.own_certificate_pdf(reg))


ROUTES = [
    certificate_page,
    certificate_pdf,
    own_certificate_pdf,
    signup_form,
    signup_submit,
    manage_page,
    cancel_confirm,
    erase_confirm,
    cancel_submit,
    erase_submit,
    not_me_confirm,
    not_me_submit,
    profile_submit,
    email_submit,
]
