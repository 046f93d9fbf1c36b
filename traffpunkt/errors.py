"""Expected errors are typed exceptions with their status; they become RFC 9457 problems here.

Domain code raises `NotFound`, `Conflict`, `Invalid`, `Unauthorized`, `Forbidden` with an English
message id; the response translates it into the request's language (i18n), so an API client and a
person reading a page get the same reason.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Collection, Mapping
from typing import Annotated, Any, TypeVar, get_args, get_origin

import msgspec
import msgspec.inspect as mi
import msgspec.structs
from asyncpg.exceptions import CharacterNotInRepertoireError, UntranslatableCharacterError
from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.openapi.datastructures import ResponseSpec
from litestar.status_codes import HTTP_422_UNPROCESSABLE_ENTITY, HTTP_500_INTERNAL_SERVER_ERROR
from litestar.utils.scope.state import ScopeState

from traffpunkt import i18n

log = logging.getLogger("traffpunkt")

PROBLEM_JSON = "application/problem+json"
T = TypeVar("T")


class FieldError(msgspec.Struct, frozen=True):
    field: str
    message: str


class Problem(msgspec.Struct, kw_only=True):
    """The body of every error answer (RFC 9457), as the OpenAPI document describes it."""

    type: str
    status: int
    title: str
    detail: str
    errors: list[FieldError] | None = None  # validation errors only
    code: str | None = None  # a machine-readable reason, where one exists
    request_id: str | None = None  # 500s only: the id of the log line that tells what failed


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


class DomainError(Exception):
    status: int = 400
    title: str = "Bad request"

    def __init__(
        self,
        detail: str,
        *,
        errors: list[FieldError] | None = None,
        params: Mapping[str, Any] | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors
        self.params = dict(params or {})
        self.code = code

    def translated_detail(self, lang: str) -> str:
        text = i18n.gettext(lang, self.detail)
        return text.format(**self.params) if self.params else text


class NotFound(DomainError):
    status = 404
    title = "Not found"


class Conflict(DomainError):
    status = 409
    title = "Conflict"


class Invalid(DomainError):
    status = 422
    title = "Validation failed"

    @classmethod
    def field(cls, field: str, message: str, **params: Any) -> Invalid:
        return cls(message, errors=[FieldError(field, message)], params=params)


class Unauthorized(DomainError):
    status = 401
    title = "Unauthorized"


class Forbidden(DomainError):
    status = 403
    title = "Forbidden"


class TooManyRequests(DomainError):
    """An abuse limit (traffpunkt.limits) was exceeded: 429 with Retry-After."""

    status = 429
    title = "Too many requests"

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail, params={"minutes": max(1, -(-retry_after // 60))})
        self.retry_after = retry_after


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
    return Response(body, status_code=status, media_type=PROBLEM_JSON, headers=dict(headers or {}))


# msgspec says e.g. "Expected `str`, got `int` - at `$.title`" or "Object missing required
# field `title`"; Litestar wraps it as ValidationException(extra=[{message, key, source}]).
_AT_PATH = re.compile(r"^(?P<msg>.*?)\s+-\s+at\s+`\$(?P<path>[^`]*)`$")
_MISSING = re.compile(r"Object missing required field `(?P<name>[^`]+)`")
_UNKNOWN = re.compile(r"Object contains unknown field `(?P<name>[^`]+)`")
_NUL = re.compile(r"NUL characters are not allowed in field `(?P<name>[^`]+)`")


def _field_from_msgspec(message: str, fallback: str) -> tuple[str, str]:
    prefix = ""
    msg = message
    if m := _AT_PATH.match(message):
        msg, path = m.group("msg"), m.group("path")
        prefix = path.lstrip(".").replace("].", "].").replace("[", ".").replace("]", "")
    if m := _MISSING.search(msg) or _UNKNOWN.search(msg) or _NUL.search(msg):
        name = m.group("name")
        # Litestar moves a nested struct's path into the key (e.g. "scans[0]").
        prefix = prefix or (fallback if fallback not in ("data", "body", "form") else "")
        return (f"{prefix}.{name}" if prefix else name), msg
    return (prefix or fallback), msg


# msgspec's own wording ("Expected `int` >= 1") is for developers: each kind of its messages
# gets a plain message id (translated through the catalogs) with its number where one belongs.
_LENGTH = re.compile(r"^Expected `(?P<type>[a-z]+)[^`]*` of length (?P<op>[<>]=?) (?P<n>\d+)$")
_BOUND = re.compile(r"^Expected `(?P<type>[a-z]+)[^`]*` (?P<op>[<>]=?) (?P<n>-?[\d.]+)$")
_PATTERN = re.compile(r"^Expected `str[^`]*` matching regex")
_WRONG_TYPE = re.compile(r"^Expected `(?P<type>[a-z]+)[^`]*`, got `[^`]*`$")
_TYPE_MESSAGES = {
    "str": "Must be text",
    "int": "Must be a whole number",
    "float": "Must be a number",
    "bool": "Must be true or false",
    "array": "Must be a list",
    "object": "Must be an object with fields",
    "null": "Must be empty (null)",
}
_LENGTH_MESSAGES = {
    ("str", "<="): "At most {n} characters",
    ("str", "<"): "Fewer than {n} characters",
    ("str", ">="): "At least {n} characters",
    ("str", ">"): "More than {n} characters",
    ("array", "<="): "At most {n} items",
    ("array", "<"): "Fewer than {n} items",
    ("array", ">="): "At least {n} items",
    ("array", ">"): "More than {n} items",
}
_BOUND_MESSAGES = {
    "<=": "At most {n}",
    "<": "Less than {n}",
    ">=": "At least {n}",
    ">": "More than {n}",
}
_FIXED_MESSAGES = (
    ("Object missing required field", "Must be given"),
    ("Object contains unknown field", "Unknown field"),
    ("Invalid enum value", "Not one of the allowed values"),
    ("Invalid RFC3339 encoded datetime", "Not a date and time (as in 2027-03-04T09:00)"),
    ("Invalid RFC3339 encoded date", "Not a date (as in 2027-03-04)"),
    ("Invalid RFC3339 encoded time", "Not a time (as in 09:00)"),
    ("Invalid UUID", "Not a valid id"),
    ("NUL characters are not allowed", "Must not contain a NUL character"),
    ("Expected `", "Not a valid value"),  # any other kind msgspec may add
)


def plain_message(message: str, lang: str, hint: str | None = None) -> str:
    """A validator's message in words a person understands, in `lang`. `hint` (the field's
    own description or example, where the schema has one) follows a "wrong format"."""
    n: str | None = None
    text: str | None = None
    if m := _LENGTH.match(message):
        kind = "array" if m.group("type") == "array" else "str"
        op, n = m.group("op"), m.group("n")
        text = "Must not be empty" if (kind, op, n) == ("str", ">=", "1") else None
        text = text or _LENGTH_MESSAGES[(kind, op)]
    elif m := _BOUND.match(message):
        n = m.group("n").removesuffix(".0")
        text = _BOUND_MESSAGES[m.group("op")]
    elif _PATTERN.match(message):
        text = "Wrong format"
    elif m := _WRONG_TYPE.match(message):
        text = _TYPE_MESSAGES.get(m.group("type"), "Not a valid value")
    else:
        text = next((plain for raw, plain in _FIXED_MESSAGES if message.startswith(raw)), None)
    if text is None:  # one of our own message ids (e.g. from a __post_init__)
        return i18n.gettext(lang, message)
    out = i18n.gettext(lang, text).format(n=n)
    return f"{out}: {hint}" if text == "Wrong format" and hint else out


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


# msgspec's wording for these two, which `plain_message` turns into words for people.
_RAW_MISSING = "Object missing required field"
_RAW_UNKNOWN = "Object contains unknown field"


def struct_errors(data: Mapping[str, Any], type_: Any) -> list[FieldError]:
    """Every wrong field of `data` for the struct `type_` at once, with msgspec's own messages
    (msgspec stops at the first): each field is checked on its own. [] when every field is right
    (rules across fields, in `__post_init__`, then speak through the whole conversion)."""
    fields = msgspec.structs.fields(type_)
    errors: list[FieldError] = []
    for f in fields:
        if f.encode_name not in data:
            if f.required:
                errors.append(FieldError(f.encode_name, _RAW_MISSING))
            continue
        try:
            msgspec.convert(data[f.encode_name], f.type)
        except msgspec.ValidationError as exc:
            # The path as Litestar names it: "topics[1]", "venue.name".
            message, path = str(exc), ""
            if m := _AT_PATH.match(message):
                message, path = m.group("msg"), m.group("path")
            if m := _MISSING.search(message) or _UNKNOWN.search(message) or _NUL.search(message):
                path, message = f"{path}.{m.group('name')}", message[: m.start("name") - 2]
            errors.append(FieldError(f"{f.encode_name}{path}", message))
    if type_.__struct_config__.forbid_unknown_fields:
        known = {f.encode_name for f in fields}
        unknown = [k for k in data if k not in known]
        errors += [FieldError(str(k), _RAW_UNKNOWN) for k in unknown]
    return errors


def convert_form(
    data: dict[str, Any], type_: type[T], lang: str, skip: Collection[str] = ()
) -> tuple[T | None, dict[str, str]]:
    """`msgspec.convert` for a form, with every wrong field's message at once (the top-level
    field named, in `lang`). Fields in `skip` the caller has reported already (with its own
    words): they are left out of the report. Returns (the value, {}) or (None, errors)."""
    errors: dict[str, str] = {}
    for e in struct_errors(data, type_):
        top = _top(e.field)
        if top not in skip:
            errors.setdefault(top, plain_message(e.message, lang))
    if errors or skip:
        return None, errors
    try:
        return msgspec.convert(data, type_), {}
    except msgspec.ValidationError as exc:
        return None, form_errors(exc, lang)


def form_errors(exc: DomainError | msgspec.ValidationError, lang: str) -> dict[str, str]:
    """{field: message in the reader's language} for re-showing a form (pages, not the API)."""
    if isinstance(exc, msgspec.ValidationError):
        field, message = _field_from_msgspec(str(exc), "form")
        return {field.split(".")[0]: plain_message(message, lang)}
    errors = exc.errors or [FieldError("form", exc.detail)]
    return {e.field: i18n.gettext(lang, e.message).format(**exc.params) for e in errors}


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
        field, msg = _field_from_msgspec(message, key)
        errors.append(FieldError(field, msg))
    if not errors:
        field, msg = _field_from_msgspec(str(exc.detail), "body")
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
) -> Response[Any]:
    # Imported here because of a cycle: templating -> localtime -> errors (Invalid). Breaking
    # it means splitting the HTTP handlers out of this module (issue 11, not done yet).
    from traffpunkt.templating import page

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
        data = msgspec.json.decode(body) if struct is not None and isinstance(body, bytes) else None
    except Exception:  # not JSON, or no body: msgspec's first error is all there is
        return first
    if not isinstance(data, dict):
        return first
    errors = struct_errors(data, struct)
    if not errors:
        return first
    fields = {f.encode_name for f in msgspec.structs.fields(struct)} | {"body"} | set(data)
    reported = {e.field for e in errors}
    return errors + [e for e in first if e.field not in reported and _top(e.field) not in fields]


def _top(field: str) -> str:
    return re.split(r"[.\[]", field, maxsplit=1)[0]


def validation_handler(request: Request[Any, Any, Any], exc: ValidationException) -> Response[Any]:
    lang = i18n.request_language(request)
    errors = [
        FieldError(
            e.field,
            plain_message(
                e.message,
                lang,
                _field_hint(request, e.field, lang) if _PATTERN.match(e.message) else None,
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


# A request id a proxy in front may send (X-Request-ID), so its log and ours share the id.
# Only its shape is checked: it is a label to find a log line, not a credential, and the
# pattern keeps anything but these characters out of log lines and pages.
_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")
SERVER_ERROR_DETAIL = "Something went wrong on our side; nothing you sent was the cause."


def request_id(request: Request[Any, Any, Any]) -> str:
    """The proxy's well-formed `X-Request-ID`, else a new random one."""
    incoming = request.headers.get("x-request-id", "")
    return incoming if _REQUEST_ID.fullmatch(incoming) else secrets.token_hex(8)


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
    from markupsafe import escape

    from traffpunkt.templating import i18n_context  # the same cycle as in html_error

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


def sign_in_required_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    from urllib.parse import quote

    next_path = getattr(exc, "next_path", "/organiser")
    return Response(
        None, status_code=303, headers={"Location": f"/organiser/sign-in?next={quote(next_path)}"}
    )


EXCEPTION_HANDLERS: dict[Any, Any] = {
    CharacterNotInRepertoireError: unstorable_text_handler,
    UntranslatableCharacterError: unstorable_text_handler,
    DomainError: domain_error_handler,
    ValidationException: validation_handler,
    HTTPException: http_error_handler,
    Exception: internal_error_handler,
}

__all__ = [
    "EXCEPTION_HANDLERS",
    "PROBLEM_JSON",
    "Conflict",
    "DomainError",
    "FieldError",
    "Forbidden",
    "Invalid",
    "MediaType",
    "NotFound",
    "Problem",
    "TooManyRequests",
    "Unauthorized",
    "problem",
    "problem_responses",
]
