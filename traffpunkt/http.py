"""HTTP helpers shared by the domains' routes and the app: conditional requests (RFC 9110 §13),
the request class that reads JSON bodies, the API's media type rule and OPTIONS answers."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any

from litestar import Litestar, MediaType, Request, Response
from litestar.enums import ScopeType
from litestar.exceptions import SerializationException
from litestar.routes import HTTPRoute
from litestar.status_codes import HTTP_304_NOT_MODIFIED, HTTP_415_UNSUPPORTED_MEDIA_TYPE
from litestar.types import ASGIApp, Receive, Scope, Send

from traffpunkt.errors import DomainError


def not_modified(
    request: Request[Any, Any, Any], etag: str, last_modified: datetime | None
) -> bool:
    """True when the client's copy is current. If-None-Match wins over If-Modified-Since."""
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
        return "*" in tags or etag.removeprefix("W/") in tags
    since = request.headers.get("if-modified-since")
    if since and last_modified is not None:
        try:
            when = parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return last_modified <= when
    return False


def validator_headers(
    etag: str, last_modified: datetime | None, max_age: int = 300
) -> dict[str, str]:
    headers = {"ETag": etag, "Cache-Control": f"public, max-age={max_age}"}
    if last_modified is not None:
        headers["Last-Modified"] = format_datetime(last_modified.astimezone(UTC), usegmt=True)
    return headers


def not_modified_response(headers: dict[str, str]) -> Response[None]:
    return Response(None, status_code=HTTP_304_NOT_MODIFIED, headers=headers)


# --- request bodies ------------------------------------------------------------------------


class JsonRequest(Request[Any, Any, Any]):
    """Litestar's request, whose JSON body parser answers 400 for every body it cannot read.

    Litestar turns msgspec's `DecodeError` into a 400, but msgspec raises `UnicodeDecodeError`
    for invalid UTF-8 inside a string and `RecursionError` for nesting deeper than the
    interpreter's recursion limit (100,000 `[`, or 5,000 objects inside a field): both were 500s.
    All three become the same translated 400 problem."""

    async def json(self) -> Any:
        try:
            return await super().json()
        except SerializationException as exc:
            reason = {"reason": exc.detail}
            raise DomainError("The body is not JSON: {reason}", params=reason) from None
        except UnicodeDecodeError:
            raise DomainError("The body is not UTF-8 text") from None
        except RecursionError:
            raise DomainError("The body's JSON is nested too deeply") from None


# --- the API takes JSON ------------------------------------------------------------------


class UnsupportedMediaType(DomainError):
    status = HTTP_415_UNSUPPORTED_MEDIA_TYPE
    title = "Unsupported media type"


_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _is_json(content_type: str) -> bool:
    media_type = content_type.partition(";")[0].strip().lower()
    return media_type == "application/json" or (
        media_type.startswith("application/") and media_type.endswith("+json")
    )


def _has_body(headers: dict[bytes, bytes]) -> bool:
    length = headers.get(b"content-length", b"").strip()
    if length:
        return length != b"0"
    return b"transfer-encoding" in headers  # chunked: a body of unknown length


def json_api_middleware(app: ASGIApp) -> ASGIApp:
    """Request bodies under /api/ must be JSON (`application/json` or `…+json`): anything else,
    also a body without a content type, is a 415 before any parsing. The API used to read any
    body as JSON whatever it was labelled; the pages' forms post elsewhere and are unaffected."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == ScopeType.HTTP
            and scope["method"] in _BODY_METHODS
            and scope["path"].startswith("/api/")
        ):
            headers = dict(scope["headers"])
            content_type = headers.get(b"content-type", b"").decode("latin-1")
            if _has_body(headers) and not _is_json(content_type):
                raise UnsupportedMediaType(
                    "Send the request body as JSON (Content-Type: application/json)"
                )
        await app(scope, receive, send)

    return middleware


# --- OPTIONS -----------------------------------------------------------------------------


def fix_options_allow(app: Litestar) -> None:
    """Make the automatic OPTIONS answer list every method of its path.

    Litestar 2 makes the OPTIONS handler when a path's first handler is registered, and its
    `Allow` then reads that first route's methods for good: a path whose GET and PATCH (or
    GET, PATCH and DELETE) are registered one after another answered `Allow: GET, OPTIONS`
    (litestar-org/litestar#4169, fixed only in v3). Point each such handler at the final route."""
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or "OPTIONS" not in route.route_handler_map:
            continue
        handler = route.route_handler_map["OPTIONS"][0]
        fn = handler.fn
        if getattr(fn, "__module__", None) != "litestar.routes.http":
            continue  # an OPTIONS handler of our own: leave it alone
        allow = ", ".join(sorted(route.methods))

        def options_handler(scope: Scope, allow: str = allow) -> Response[None]:
            return Response(
                None, status_code=204, headers={"Allow": allow}, media_type=MediaType.TEXT
            )

        # Litestar runs a plain function as a handler too (it is how this one answered before).
        handler._fn = options_handler  # type: ignore[assignment]
