"""Errors as HTTP answers: RFC 9457 problems for the API, the HTML error page for people.

The domain exceptions (`traffpunkt.errors`) carry a status and an English message id; the
handlers here (`EXCEPTION_HANDLERS`, installed by the app factory) turn them, Litestar's own
exceptions and every unexpected one into an answer in the request's language.

A 403 page says why (issue 11): the domains' and the guards' refusals are `Forbidden` with
their reason; the one 403 Litestar raises itself in this app is the CSRF check of a form
(guards here raise `Forbidden`, never Litestar's `PermissionDeniedException`), so a 403
`HTTPException` on a page is "the form had expired".
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Annotated, Any, get_args, get_origin
from urllib.parse import quote

import msgspec
import msgspec.inspect as mi
import msgspec.structs
from asyncpg.exceptions import (  # asyncpg ships no types
    CharacterNotInRepertoireError,
    UntranslatableCharacterError,
)
from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.openapi.datastructures import ResponseSpec
from litestar.response import Template
from litestar.status_codes import HTTP_422_UNPROCESSABLE_ENTITY, HTTP_500_INTERNAL_SERVER_ERROR
from litestar.utils.scope.state import ScopeState
from markupsafe import escape

from traffpunkt import i18n, request_log
from traffpunkt.auth import SignInRequired
from traffpunkt.errors import (
    PATTERN_MESSAGE,
    DomainError,
    FieldError,
    TooManyRequests,
    field_from_msgspec,
    plain_message,
    struct_errors,
    top_field,
)
from traffpunkt.templating import i18n_context, page

log = logging.getLogger("traffpunkt")

PROBLEM_JSON = "application/problem+json"


class Problem(msgspec.Struct, kw_only=True):
    """The body of every error answer (RFC 9457), as the OpenAPI document describes it."""

    type: str
    status: int
    title: str
    detail: str
    errors: list[FieldError] | None = None  # validation errors only
    code: str | None = None  # a machine-readable reason, where one exists
    # The request's id (also the X-Request-ID header), as in the server's log line about it.
    request_id: str | None = None


_PROBLEM_DESCRIPTIONS = {
    400: "Malformed request (e.g. a body that is not JSON)",
    401: "Missing, unknown or revoked API token",
    403: "The token lacks the right for this",
    404: "Not found",
    409: "Conflicts with the current state",
    422: "Validation failed; `errors` names the fields",
    429: "Too many requests (an abuse limit); `Retry-After` says when to try again",
}


def problem_responses(*statuses: int) -> dict[int, ResponseSpec]:
    """OpenAPI `responses=` for a route's error answers: `application/problem+json` bodies.

    400 (malformed request) and 422 (invalid parameters or body) are always included; the 400
    also replaces the one that Litestar generates
    for routes with parameters, whose body shape this app never sends. Routes that take a
    bearer token (401) may also answer 429 after too many unknown tokens (traffpunkt.limits).
    """
    if 401 in statuses:
        statuses = (*statuses, 429)
    return {
        status: ResponseSpec(
            data_container=Problem,
            media_type=PROBLEM_JSON,
            description=_PROBLEM_DESCRIPTIONS.get(status, "Error"),
            generate_examples=False,
        )
        for status in sorted({400, 422, *statuses})
    }


def problem(
    status: int,
    title: str,
    detail: str,
    errors: list[FieldError] | None = None,
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> Response[dict[str, Any]]:
    body: dict[str, Any] = {"type": "about:blank", "status": status, "title": title}
    body["detail"] = detail
    if errors is not None:
        body["errors"] = [{"field": e.field, "message": e.message} for e in errors]
    body.update({k: v for k, v in extra.items() if v is not None})
    # Every problem names its request, so a client's report leads to the server's log line.
    if "request_id" not in body and (rid := request_log.current_id()) is not None:
        body["request_id"] = rid
    return Response(body, status_code=status, media_type=PROBLEM_JSON, headers=dict(headers or {}))


def _unwrap(info: Any) -> tuple[Any, dict[str, Any]]:
    """A field's type without Optional and Annotated, and its schema extras (examples...)."""
    meta: dict[str, Any] = {}
    while True:
        if isinstance(info, mi.Metadata):
            meta = {**meta, **(info.extra_json_schema or {})}
            info = info.type
        elif isinstance(info, mi.UnionType):
            types = [t for t in info.types if not isinstance(t, mi.NoneType)]
            info = types[0] if len(types) == 1 else None
        else:
            return info, meta


def _field_hint(request: Request[Any, Any, Any], field: str, lang: str) -> str | None:
    """The schema's example (or description) of the body field `field` ("venue.name",
    "scans.0.code"), in `lang`, to tell what format a pattern wants; None if it has none."""
    try:
        data = request.route_handler.parsed_fn_signature.parameters.get("data")
        info: Any = mi.type_info(data.annotation) if data is not None else None
    except Exception:  # a hint is a courtesy: never a reason for a 500
        return None
    meta: dict[str, Any] = {}
    for step in field.split("."):
        info, meta = _unwrap(info)
        if isinstance(info, mi.ListType) and step.isdigit():
            info = info.item_type
            continue
        fields = getattr(info, "fields", None) or ()
        info = next((f.type for f in fields if f.encode_name == step), None)
    info, meta = _unwrap(info)
    if examples := meta.get("examples"):
        return i18n.gettext(lang, "for example {example}").format(example=examples[0])
    description = meta.get("description")
    return i18n.gettext(lang, description) if isinstance(description, str) else None


def validation_errors(exc: ValidationException) -> list[FieldError]:
    errors: list[FieldError] = []
    extra = exc.extra if isinstance(exc.extra, list) else ([exc.extra] if exc.extra else [])
    for item in extra:
        if not isinstance(item, Mapping):
            errors.append(FieldError("body", str(item)))
            continue
        message = str(item.get("message", exc.detail))
        key = str(item.get("key") or item.get("source") or "body")
        if key == "data" and message.strip("'\"") == "data":  # no body at all
            errors.append(FieldError("body", "A JSON object is required"))
            continue
        field, msg = field_from_msgspec(message, key)
        errors.append(FieldError(field, msg))
    if not errors:
        field, msg = field_from_msgspec(str(exc.detail), "body")
        errors.append(FieldError(field, msg))
    return errors


def wants_html(request: Request[Any, Any, Any]) -> bool:
    """Pages get an HTML error page; the API, feeds and scripts get problem+json."""
    path = request.url.path
    if path.startswith(("/api/", "/calendars/", "/bench/")):
        return False
    return "text/html" in request.headers.get("accept", "")


def html_error(
    request: Request[Any, Any, Any],
    status: int,
    title: str,
    detail: str,
    headers: Mapping[str, str] | None = None,
) -> Template:
    return page(
        request,
        "error.html",
        {"status": status, "title": title, "detail": detail},
        status_code=status,
        headers={"Cache-Control": "no-store", **(headers or {})},
    )


def domain_error_handler(request: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    lang = i18n.request_language(request)
    headers = {"WWW-Authenticate": 'Bearer realm="traffpunkt"'} if exc.status == 401 else None
    if isinstance(exc, TooManyRequests):
        headers = {"Retry-After": str(exc.retry_after)}
    if wants_html(request):
        return html_error(
            request,
            exc.status,
            i18n.gettext(lang, exc.title),
            exc.translated_detail(lang),
            headers=headers if exc.status == 429 else None,
        )
    errors = (
        [
            FieldError(e.field, i18n.gettext(lang, e.message).format(**exc.params))
            for e in exc.errors
        ]
        if exc.errors is not None
        else None
    )
    return problem(
        exc.status,
        exc.title,
        exc.translated_detail(lang),
        errors=errors,
        headers=headers,
        code=exc.code,
    )


def _body_struct(request: Request[Any, Any, Any]) -> Any:
    """The msgspec struct the route's JSON body is decoded into, if it is one."""
    data = request.route_handler.parsed_fn_signature.parameters.get("data")
    annotation = getattr(data, "annotation", None)
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    is_struct = isinstance(annotation, type) and issubclass(annotation, msgspec.Struct)
    return annotation if is_struct else None


def _all_validation_errors(
    request: Request[Any, Any, Any], exc: ValidationException
) -> list[FieldError]:
    """msgspec reports the first wrong field of a body; a person fixing a request wants every
    one at once. The body (already read, kept in the connection's state) is checked field by
    field; errors not about the body's fields (e.g. a query parameter) are kept too."""
    first = validation_errors(exc)
    try:
        struct = _body_struct(request)
        body = ScopeState.from_scope(request.scope).body
        readable = struct is not None and isinstance(body, bytes) and body
        data = msgspec.json.decode(body) if readable and isinstance(body, bytes) else None
    except Exception:  # not JSON, or no body: msgspec's first error is all there is
        return first
    if not isinstance(data, dict):
        return first
    errors = struct_errors(data, struct)
    if not errors:
        return first
    fields = {f.encode_name for f in msgspec.structs.fields(struct)} | {"body"} | set(data)
    reported = {e.field for e in errors}
    return errors + [
        e for e in first if e.field not in reported and top_field(e.field) not in fields
    ]


def validation_handler(request: Request[Any, Any, Any], exc: ValidationException) -> Response[Any]:
    lang = i18n.request_language(request)
    errors = [
        FieldError(
            e.field,
            plain_message(
                e.message,
                lang,
                _field_hint(request, e.field, lang) if PATTERN_MESSAGE.match(e.message) else None,
            ),
        )
        for e in _all_validation_errors(request, exc)
    ]
    detail = "; ".join(f"{e.field}: {e.message}" for e in errors)
    return problem(422, "Validation failed", detail, errors=errors)


def http_error_handler(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    if wants_html(request) and exc.status_code in (403, 404, 405):
        lang = i18n.request_language(request)
        if exc.status_code == 403:
            # Litestar's own 403 here is the CSRF check of a form: every other refusal is a
            # `Forbidden` with its reason (domain_error_handler), guards' included.
            return html_error(
                request,
                403,
                i18n.gettext(lang, "Forbidden"),
                i18n.gettext(lang, "The form had expired. Go back, reload the page and try again."),
            )
        return html_error(
            request,
            exc.status_code,
            i18n.gettext(lang, "Not found"),
            i18n.gettext(lang, "There is no page at this address."),
        )
    if exc.status_code >= 500:
        # Litestar's own 500s (e.g. a template that cannot be found) are our fault like any
        # other: logged with a request id, never a bare message in nobody's log.
        return internal_error_handler(request, exc)
    title = {
        400: "Bad request",
        401: "Unauthorized",
        403: "Forbidden",
        404: "Not found",
        405: "Method not allowed",
        413: "Payload too large",
        415: "Unsupported media type",
        429: "Too many requests",
    }.get(exc.status_code, "Error")
    return problem(exc.status_code, title, str(exc.detail), headers=exc.headers)


def unstorable_text_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """PostgreSQL refused a character (NUL) in a value that bodies do not check, e.g. a query
    parameter: the request's fault, not ours."""
    return problem(
        HTTP_422_UNPROCESSABLE_ENTITY,
        "Validation failed",
        "The request contains a NUL character, which text cannot hold.",
    )


SERVER_ERROR_DETAIL = "Something went wrong on our side; nothing you sent was the cause."


def request_id(request: Request[Any, Any, Any]) -> str:
    """The id of this request (`traffpunkt.request_log`: a proxy's well-formed `X-Request-ID`,
    else a new one); also for an app served without that wrapper."""
    return (
        request_log.current_id()
        or request_log.safe_id(request.headers.get("x-request-id"))
        or request_log.new_id()
    )


def internal_error_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """Every 500: one log line with the traceback and a request id, and the same id in the
    answer (page or problem+json), so a person's report leads to the log line."""
    rid = request_id(request)
    log.error(
        "unhandled error, request_id=%s, on %s %s",
        rid,
        request.method,
        request.url.path,
        exc_info=exc,
    )
    lang = i18n.request_language(request)
    headers = {"X-Request-ID": rid, "Cache-Control": "no-store"}
    if wants_html(request):
        return _server_error_page(request, lang, rid, headers)
    return problem(
        HTTP_500_INTERNAL_SERVER_ERROR,
        "Internal server error",
        i18n.gettext(lang, SERVER_ERROR_DETAIL),
        headers=headers,
        request_id=rid,
    )


def _server_error_page(
    request: Request[Any, Any, Any], lang: str, rid: str, headers: dict[str, str]
) -> Response[Any]:
    """The error page, rendered here and now rather than as a lazy Template response: the
    templates themselves may be what failed, and then a plain page still carries the id."""
    title = i18n.gettext(lang, "Something went wrong")
    detail = i18n.gettext(lang, SERVER_ERROR_DETAIL)
    reference = i18n.gettext(lang, "Error reference: %(id)s. Give it if you contact us.")
    context = {"status": 500, "title": title, "detail": detail, "request_id": rid}
    try:
        template = request.app.template_engine.get_template("error.html")  # type: ignore[union-attr]
        html = template.render(
            **context, **i18n_context(lang), request_path=request.url.path, query={}
        )
    except Exception:
        log.exception("the error page could not be rendered either, request_id=%s", rid)
        html = (
            f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
            f"<title>{escape(title)}</title></head><body><h1>{escape(title)}</h1>"
            f"<p>{escape(detail)}</p><p>{escape(reference % {'id': rid})}</p></body></html>"
        )
    return Response(html, status_code=500, media_type=MediaType.HTML, headers=headers)


def sign_in_required_handler(request: Request[Any, Any, Any], exc: SignInRequired) -> Response[Any]:
    """An organiser page without a valid session: to the sign-in page, and back after it."""
    next_path = exc.next_path
    return Response(
        None, status_code=303, headers={"Location": f"/organiser/sign-in?next={quote(next_path)}"}
    )


EXCEPTION_HANDLERS: dict[Any, Any] = {
    CharacterNotInRepertoireError: unstorable_text_handler,
    UntranslatableCharacterError: unstorable_text_handler,
    DomainError: domain_error_handler,
    ValidationException: validation_handler,
    HTTPException: http_error_handler,
    SignInRequired: sign_in_required_handler,
    Exception: internal_error_handler,
}


__all__ = [
    "EXCEPTION_HANDLERS",
    "PROBLEM_JSON",
    "Problem",
    "problem",
    "problem_responses",
]
