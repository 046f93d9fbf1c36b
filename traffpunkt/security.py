"""Security headers and Secure cookies on every response, in one `before_send` hook.

Litestar calls the hook for every message the app sends, also for answers no route handler
made (404s, errors, the mounted back office), so nothing can be left out by forgetting it in a
handler. Each response gets:

- `Content-Security-Policy`: by default our pages' own (only this origin's scripts, styles,
  images and forms; no plugins; not framed). A route chooses another one with
  `opt={"csp": ...}` (the calendar embed, made for iframes on municipal sites, is
  `frame-ancestors *`); a handler that sets the header itself keeps its own (the door app).
  The back office (piccolo-admin) has its own (`BACK_OFFICE_CSP`, on its mount); the API
  documentation gets its own here, by path, because Litestar makes those routes;
- `X-Frame-Options` matching the policy's `frame-ancestors`, for browsers without CSP 2;
- `X-Content-Type-Options: nosniff` and a `Referrer-Policy` (a handler's own wins, e.g.
  `no-referrer` on pages whose URL holds a token);
- `Secure` on every cookie (ours, Litestar's CSRF cookie, piccolo-admin's) when the request
  came over https, also behind a TLS-terminating proxy that uvicorn trusts
  (TRAFFPUNKT_FORWARDED_ALLOW_IPS), or when the public base URL is https.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from litestar.types import Message, Scope

from traffpunkt.settings import current_settings


def page_csp(frame_ancestors: str = "'none'") -> str:
    """Our pages: no inline script or style (JSON-LD and JSON data blocks are not scripts)."""
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
        f"form-action 'self'; frame-ancestors {frame_ancestors}"
    )


DEFAULT_CSP = page_csp()
EMBED_CSP = page_csp("*")  # /calendar/<m>/embed: meant for iframes on any municipal site

# piccolo-admin (a Vue app served from this origin) sets element styles and injects <style>
# elements at run time, and shows uploaded images as blob:/data: URLs.
BACK_OFFICE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)

REFERRER_POLICY = "strict-origin-when-cross-origin"


def docs_csp(asset_urls: Iterable[str]) -> str:
    """The API documentation (Scalar, Swagger UI): Litestar writes its start-up script and
    style inline, and the renderers add styles at run time, so those two need
    'unsafe-inline' (the page shows nothing a visitor sent). Scripts, styles, fonts and
    images may also come from the origins the render plugins load their assets from: none
    when the assets are served from this origin, the CDN when they are not."""
    origins = sorted(
        {f"{p.scheme}://{p.netloc}" for p in map(urlsplit, asset_urls) if p.scheme and p.netloc}
    )
    extra = "".join(f" {o}" for o in origins)
    return (
        f"default-src 'self'; script-src 'self' 'unsafe-inline'{extra}; "
        f"style-src 'self' 'unsafe-inline'{extra}; img-src 'self' data:{extra}; "
        f"font-src 'self' data:{extra}; connect-src 'self'; object-src 'none'; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )


def _plugin_asset_urls(app: Any) -> list[str]:
    config = getattr(app, "openapi_config", None)
    urls: list[str] = []
    for plugin in getattr(config, "render_plugins", None) or []:
        for name in ("js_url", "css_url", "standalone_preset_js_url"):
            if url := getattr(plugin, name, None):
                urls.append(url)
        favicon = getattr(plugin, "favicon", "") or ""
        if "href='" in favicon:
            urls.append(favicon.split("href='", 1)[1].split("'", 1)[0])
    return urls


def _frame_options(csp: str) -> str | None:
    ancestors = next(
        (d.split(None, 1)[1:] for d in csp.split(";") if d.strip().startswith("frame-ancestors")),
        None,
    )
    if ancestors is None:
        return None
    value = (ancestors[0] if ancestors else "").strip()
    return {"'none'": "DENY", "'self'": "SAMEORIGIN"}.get(value)


def _policy_for(scope: Scope) -> str:
    handler = scope.get("route_handler")
    opt = getattr(handler, "opt", None) or {}
    if csp := opt.get("csp"):
        return str(csp)
    path: str = scope.get("path", "")
    app = scope.get("app")
    docs_path = getattr(getattr(app, "openapi_config", None), "path", None)
    if app is not None and docs_path and (path + "/").startswith(docs_path.rstrip("/") + "/"):
        if (cached := app.state.get("_docs_csp")) is None:  # the plugins are fixed at start
            cached = app.state["_docs_csp"] = docs_csp(_plugin_asset_urls(app))
        return str(cached)
    return DEFAULT_CSP


def is_https(scope: Scope) -> bool:
    """The request came over https (uvicorn sets the scheme from a trusted proxy's
    X-Forwarded-Proto), or the service is published under an https base URL."""
    if scope.get("scheme") == "https":
        return True
    app = scope.get("app")
    settings = app.state.get("settings") if app is not None else None
    return (settings or current_settings()).base_url.startswith("https://")


async def before_send(message: Message, scope: Scope) -> None:
    if message["type"] != "http.response.start":
        return
    headers: list[tuple[bytes, bytes]] = list(message.get("headers") or [])
    present = {name.lower() for name, _ in headers}
    csp: str | None = None
    if b"content-security-policy" not in present:
        csp = _policy_for(scope)
        headers.append((b"content-security-policy", csp.encode()))
    else:
        csp = next(v.decode() for n, v in headers if n.lower() == b"content-security-policy")
    if b"x-frame-options" not in present and (frame := _frame_options(csp)):
        headers.append((b"x-frame-options", frame.encode()))
    if b"x-content-type-options" not in present:
        headers.append((b"x-content-type-options", b"nosniff"))
    if b"referrer-policy" not in present:
        headers.append((b"referrer-policy", REFERRER_POLICY.encode()))
    if b"set-cookie" in present and is_https(scope):
        headers = [(n, _secure(v) if n.lower() == b"set-cookie" else v) for n, v in headers]
    message["headers"] = headers


def _secure(cookie: bytes) -> bytes:
    attributes = {part.strip().lower() for part in cookie.split(b";")[1:]}
    return cookie if b"secure" in attributes else cookie + b"; Secure"
