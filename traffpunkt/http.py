"""HTTP helpers shared by the domains' routes: conditional requests (RFC 9110 §13)."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any

from litestar import Request, Response
from litestar.status_codes import HTTP_304_NOT_MODIFIED


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
