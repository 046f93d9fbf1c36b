"""Expected errors are typed exceptions with their status, and the words people read about
wrong input.

Domain code raises `NotFound`, `Conflict`, `Invalid`, `Unauthorized`, `Forbidden` with an English
message id; the answer translates it into the request's language (i18n), so an API client and a
person reading a page get the same reason. This module knows nothing of HTTP: the handlers that
turn these into RFC 9457 problems or the HTML error page are in `traffpunkt.problems`.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from typing import Any, TypeVar

import msgspec
import msgspec.structs

from traffpunkt import i18n

T = TypeVar("T")


class FieldError(msgspec.Struct, frozen=True):
    field: str
    message: str


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


# msgspec says e.g. "Expected `str`, got `int` - at `$.title`" or "Object missing required
# field `title`"; Litestar wraps it as ValidationException(extra=[{message, key, source}]).
_AT_PATH = re.compile(r"^(?P<msg>.*?)\s+-\s+at\s+`\$(?P<path>[^`]*)`$")
_MISSING = re.compile(r"Object missing required field `(?P<name>[^`]+)`")
_UNKNOWN = re.compile(r"Object contains unknown field `(?P<name>[^`]+)`")
_NUL = re.compile(r"NUL characters are not allowed in field `(?P<name>[^`]+)`")


def field_from_msgspec(message: str, fallback: str) -> tuple[str, str]:
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
PATTERN_MESSAGE = re.compile(r"^Expected `str[^`]*` matching regex")
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
    elif PATTERN_MESSAGE.match(message):
        text = "Wrong format"
    elif m := _WRONG_TYPE.match(message):
        text = _TYPE_MESSAGES.get(m.group("type"), "Not a valid value")
    else:
        text = next((plain for raw, plain in _FIXED_MESSAGES if message.startswith(raw)), None)
    if text is None:  # one of our own message ids (e.g. from a __post_init__)
        return i18n.gettext(lang, message)
    out = i18n.gettext(lang, text).format(n=n)
    return f"{out}: {hint}" if text == "Wrong format" and hint else out


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
        top = top_field(e.field)
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
        field, message = field_from_msgspec(str(exc), "form")
        return {field.split(".")[0]: plain_message(message, lang)}
    errors = exc.errors or [FieldError("form", exc.detail)]
    return {e.field: i18n.gettext(lang, e.message).format(**exc.params) for e in errors}


def top_field(field: str) -> str:
    return re.split(r"[.\[]", field, maxsplit=1)[0]


__all__ = [
    "Conflict",
    "DomainError",
    "FieldError",
    "Forbidden",
    "Invalid",
    "NotFound",
    "TooManyRequests",
    "Unauthorized",
    "convert_form",
    "form_errors",
    "plain_message",
    "struct_errors",
]
