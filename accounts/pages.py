"""The organiser's web, accounts part: asking for a sign-in link, using it, signing out.

These pages are for people not yet signed in, so they are not under `organiser_router`; their
forms are read into Structs the same way (`read_form`)."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.params import FromPath
from litestar.response import Template

from accounts import service
from traffpunkt import i18n
from traffpunkt.auth import SESSION_COOKIE
from traffpunkt.errors import Invalid, NotFound, form_errors
from traffpunkt.organiser_web import PRIVATE, read_form, safe_next, see_other
from traffpunkt.settings import current_settings
from traffpunkt.templating import page


class SignInForm(msgspec.Struct):
    email: str = ""


class NextForm(msgspec.Struct):
    next: str = ""  # where to go once signed in (only a local path: `safe_next`)


@get("/organiser/sign-in", include_in_schema=False)
async def sign_in_form(request: Request[Any, Any, Any]) -> Template:
    return page(
        request,
        "accounts/sign_in.html",
        {"next": safe_next(request.query_params.get("next")), "sent": False},
        headers=PRIVATE,
    )


@post("/organiser/sign-in", include_in_schema=False)
async def sign_in_request(request: Request[Any, Any, Any]) -> Template:
    email = (await read_form(request, SignInForm)).email
    try:
        await service.request_sign_in(email)
    except Invalid as exc:
        lang = i18n.request_language(request)
        return page(
            request,
            "accounts/sign_in.html",
            {
                "next": "/organiser",
                "sent": False,
                "email": email,
                "error": form_errors(exc, lang).get("email"),
            },
            status_code=422,
            headers=PRIVATE,
        )
    return page(request, "accounts/sign_in.html", {"sent": True, "email": email}, headers=PRIVATE)


@get("/organiser/sign-in/{token:str}", include_in_schema=False)
async def sign_in_confirm(request: Request[Any, Any, Any], token: FromPath[str]) -> Template:
    valid = await service.sign_in_link_valid(token)
    return page(
        request,
        "accounts/sign_in_confirm.html",
        {"token": token, "valid": valid, "next": safe_next(request.query_params.get("next"))},
        status_code=200 if valid else 404,
        headers={**PRIVATE, "Referrer-Policy": "no-referrer"},
    )


@post("/organiser/sign-in/{token:str}", include_in_schema=False)
async def sign_in_use(request: Request[Any, Any, Any], token: FromPath[str]) -> Response[Any]:
    try:
        session = await service.sign_in(token)
    except NotFound:
        return page(
            request,
            "accounts/sign_in_confirm.html",
            {"token": token, "valid": False, "next": "/organiser"},
            status_code=404,
            headers=PRIVATE,
        )
    response = see_other(safe_next((await read_form(request, NextForm)).next))
    response.cookies.append(
        Cookie(
            key=SESSION_COOKIE,
            value=session,
            httponly=True,
            samesite="lax",
            path="/",
            secure=current_settings().base_url.startswith("https://"),
            max_age=int(service.SESSION_VALID.total_seconds()),
        )
    )
    return response


@post("/organiser/sign-out", include_in_schema=False)
async def sign_out(request: Request[Any, Any, Any]) -> Response[Any]:
    if session := request.cookies.get(SESSION_COOKIE):
        await service.sign_out(session)
    response = see_other("/organiser/sign-in")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


ROUTES = [sign_in_form, sign_in_request, sign_in_confirm, sign_in_use, sign_out]
