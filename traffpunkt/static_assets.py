"""Static files: content-hashed URLs for templates, and caching that matches them.

A URL made by `static_url` carries the file's content hash (`?v=`), so a browser may keep it for
a year without asking again (`immutable`): a changed file gets a new URL. Files linked without a
hash (the API docs' viewers, the door app's service worker fetching its own list) are kept for a
day and then revalidated with their ETag (304 when unchanged), so an upgrade shows within a day.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

STATIC_DIR = Path(__file__).parent / "static"
IMMUTABLE = b"public, max-age=31536000, immutable"
REVALIDATE = b"public, max-age=86400"


@functools.cache
def _version(name: str) -> str:
    return hashlib.sha256((STATIC_DIR / name).read_bytes()).hexdigest()[:12]


def static_url(name: str) -> str:
    """`/static/<name>?v=<hash of the file>` (cached per process: the package's files are fixed)."""
    return f"/static/{name}?v={_version(name)}"


def cache_headers(app: Any) -> Any:
    """ASGI middleware for the /static router: long-lived only when the URL is versioned, and a
    304 for an unchanged file (Litestar's file responses send an ETag but do not check it)."""

    async def middleware(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        versioned = "v" in parse_qs(scope.get("query_string", b"").decode("latin-1"))
        asked = dict(scope.get("headers", [])).get(b"if-none-match")
        not_modified = False

        async def send_with_cache(message: Any) -> None:
            nonlocal not_modified
            if message["type"] == "http.response.start" and message["status"] == 200:
                headers = [
                    (k, v) for k, v in message.get("headers", []) if k.lower() != b"cache-control"
                ]
                headers.append((b"cache-control", IMMUTABLE if versioned else REVALIDATE))
                etag = next((v for k, v in headers if k.lower() == b"etag"), None)
                if asked is not None and etag is not None and _matches(asked, etag):
                    not_modified = True
                    headers = [
                        (k, v)
                        for k, v in headers
                        if k.lower() not in (b"content-length", b"content-type")
                    ]
                    await send({**message, "status": 304, "headers": headers})
                    return
                message = {**message, "headers": headers}
            if not_modified and message["type"] == "http.response.body":
                if not message.get("more_body", False):
                    await send({"type": "http.response.body", "body": b""})
                return
            await send(message)

        await app(scope, receive, send_with_cache)

    return middleware


def _matches(if_none_match: bytes, etag: bytes) -> bool:
    """Whether If-None-Match names this ETag (or `*`); a GET compares weakly (RFC 9110 13.1.2)."""
    tags = {t.strip().removeprefix(b"W/") for t in if_none_match.split(b",")}
    return b"*" in tags or etag.removeprefix(b"W/") in tags
