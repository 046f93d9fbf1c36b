"""One log line per request, and the request id that ties it to the answer.

`wrap` goes around the whole app (the Litestar app's `asgi_handler`, in `traffpunkt.app`), so it
sees every request, also those no route matches (404, 405) and those an exception handler
answers. For each HTTP request it

- takes the request id from `X-Request-ID` when a proxy sent a safe short token (letters,
  digits, `._:-`, up to 64 characters), else makes one (16 hex digits), keeps it in a context
  variable (`current_id`: problem+json bodies and the 500 page show it) and sends it back in
  the `X-Request-ID` response header;
- logs, when the answer is complete, `GET /r/{token:str} 200 3.1ms request_id=…` on the
  `traffpunkt.access` logger at INFO: the method, the route template rather than the path
  (a path may hold a manage, door, sign-in or certificate token; the template names the
  parameter), the status and the duration. Requests that match no route log their path, which
  the one redaction filter (`traffpunkt.logs`) cleans like every other line;
- hands the same figures to `observers` (the metrics, `traffpunkt.metrics`).

The JSON log format (`--log-format json`) puts them in fields of their own: `method`, `route`,
`status`, `duration_ms`, `request_id`.
"""

from __future__ import annotations

import logging
import re
import secrets
import time
from collections.abc import Callable
from contextvars import ContextVar

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("traffpunkt.access")

# A label to find a log line, not a credential: only its shape is checked, and the pattern keeps
# anything but these characters out of log lines, headers and pages.
_SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")
UNMATCHED = "(unmatched)"  # the route of a request that matched none (metrics label)

_current: ContextVar[str | None] = ContextVar("traffpunkt_request_id", default=None)

# (method, route template or UNMATCHED, status, seconds) after every request.
Observer = Callable[[str, str, int, float], None]
observers: list[Observer] = []


def safe_id(candidate: str | None) -> str | None:
    """`candidate` if it is a well-formed request id, else None."""
    return candidate if candidate and _SAFE_ID.fullmatch(candidate) else None


def new_id() -> str:
    return secrets.token_hex(8)


def current_id() -> str | None:
    """The id of the request being answered (None outside a request)."""
    return _current.get()


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return value.decode("latin-1")
    return None


def wrap(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        rid = safe_id(_header(scope, b"x-request-id")) or new_id()
        token = _current.set(rid)
        started = time.perf_counter()
        status = 500  # if the app fails before it answers, that is what the client sees
        encoded = rid.encode()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", ()))
                if not any(k.lower() == b"x-request-id" for k, _ in headers):
                    headers.append((b"x-request-id", encoded))
                message["headers"] = headers
            await send(message)

        try:
            await app(scope, receive, send_with_id)
        finally:
            _current.reset(token)
            _finish(scope, rid, status, time.perf_counter() - started)

    return middleware


def _finish(scope: Scope, rid: str, status: int, seconds: float) -> None:
    method = str(scope.get("method", ""))
    template = str(scope.get("path_template") or "")
    route = template or UNMATCHED
    for observe in observers:
        observe(method, route, status, seconds)
    if log.isEnabledFor(logging.INFO):
        where = template or str(scope.get("path", ""))  # redacted by traffpunkt.logs
        duration_ms = round(seconds * 1000, 1)
        log.info(
            "%s %s %d %.1fms request_id=%s",
            method,
            where,
            status,
            duration_ms,
            rid,
            extra={
                "fields": {
                    "method": method,
                    "route": where,
                    "status": status,
                    "duration_ms": duration_ms,
                    "request_id": rid,
                }
            },
        )
