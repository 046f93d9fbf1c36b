"""Static files: content-hashed URLs for templates, and caching that matches them.

A URL made by `static_url` carries the file's content hash (`?v=`), so a browser may keep it for
a year without asking again (`immutable`): a changed file gets a new URL. Files linked without a
hash (the API docs' viewers, the door app's service worker fetching its own list) are kept for a
day and then revalidated with the ETag the static router sends, so an upgrade shows within a day.
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
    """ASGI middleware for the /static router: long-lived only when the URL is versioned."""

    async def middleware(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        versioned = "v" in parse_qs(scope.get("query_string", b"").decode("latin-1"))

        async def send_with_cache(message: Any) -> None:
            if message["type"] == "http.response.start" and message["status"] == 200:
                headers = [
                    (k, v) for k, v in message.get("headers", []) if k.lower() != b"cache-control"
                ]
                headers.append((b"cache-control", IMMUTABLE if versioned else REVALIDATE))
                message = {**message, "headers": headers}
            await send(message)

        await app(scope, receive, send_with_cache)

    return middleware
