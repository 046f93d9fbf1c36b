"""The door check-in phone app (a PWA): its HTML shell, service worker and web app manifest.

The page needs no server-side authorisation and shows nothing of the event by itself: the door
token arrives in the URL fragment (`/checkin/{id}#door=…`, never sent to a server), the page's
JavaScript keeps it in IndexedDB and calls the check-in API with it. Everything the app needs to
start without a network (HTML, JS, CSS, the QR decoder) is cached by the service worker, whose
scope `/checkin/` covers every event's page. Asset URLs carry a content hash (`?v=`), which is
also in the service worker's text, so a new release replaces the cached app as a whole.
"""

from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path
from typing import Any

from litestar import Request, Response, get
from litestar.params import FromPath
from litestar.response import Template

from traffpunkt.ids import parse_id
from traffpunkt.templating import page

STATIC = Path(__file__).resolve().parent.parent / "traffpunkt" / "static"
APP_DIR = STATIC / "checkin"
# Files the app needs offline, as served by the /static router.
APP_FILES = {
    "app_js": "checkin/app.js",
    "app_css": "checkin/app.css",
    "jsqr": "checkin/vendor/jsQR.js",
    # The site's icons (scripts/make_icons.py): an installed door app on a phone's home screen
    # wants PNGs of 192 and 512 px, and a full-bleed one that Android may cut to its shape.
    "icon": "icons/favicon.svg",
    "icon_192": "icons/icon-192.png",
    "icon_512": "icons/icon-512.png",
    "icon_maskable": "icons/icon-maskable-512.png",
}

# The page runs only its own scripts; it may use the camera (media from the stream) and call
# this origin's API. No framing: a door token lives in this page's storage.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "media-src 'self' blob: mediastream:; connect-src 'self'; worker-src 'self'; "
    "manifest-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)


@functools.cache
def asset_version() -> str:
    """Hash of the app's files: changes whenever one of them does."""
    digest = hashlib.sha256()
    for name in (*APP_FILES.values(), "checkin/sw.js", "site.css"):
        digest.update(name.encode())
        digest.update((STATIC / name).read_bytes())
    return digest.hexdigest()[:12]


def asset_urls() -> dict[str, str]:
    v = asset_version()
    return {key: f"/static/{name}?v={v}" for key, name in APP_FILES.items()}


@get("/checkin/sw.js", include_in_schema=False)
async def service_worker() -> Response[bytes]:
    """The service worker; its scope is /checkin/, so every event's check-in page works offline."""
    text = (APP_DIR / "sw.js").read_text()
    shell = ["/static/site.css", *asset_urls().values()]
    text = text.replace('"__VERSION__"', json.dumps(asset_version())).replace(
        '["__SHELL__"]', json.dumps(shell)
    )
    return Response(
        text.encode(),
        media_type="text/javascript; charset=utf-8",
        headers={
            "Cache-Control": "no-cache",
            "Service-Worker-Allowed": "/checkin/",
            "X-Content-Type-Options": "nosniff",
        },
    )


@get("/checkin/{event_id:str}/manifest.webmanifest", include_in_schema=False)
async def manifest(request: Request[Any, Any, Any], event_id: FromPath[str]) -> Response[bytes]:
    ev = parse_id(event_id)
    lang = request.query_params.get("lang")
    start = f"/checkin/{ev}" + (f"?lang={lang}" if lang in ("sv", "en") else "")
    assets = asset_urls()
    body = {
        "name": "Träffpunkt – check-in",
        "short_name": "Check-in",
        "id": f"/checkin/{ev}",
        "start_url": start,
        "scope": "/checkin/",
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#ffffff",
        "theme_color": "#0b5394",
        "icons": [
            {"src": assets["icon_192"], "sizes": "192x192", "type": "image/png"},
            {"src": assets["icon_512"], "sizes": "512x512", "type": "image/png"},
            {
                "src": assets["icon_maskable"],
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
            {"src": assets["icon"], "sizes": "any", "type": "image/svg+xml"},
        ],
    }
    return Response(
        json.dumps(body, ensure_ascii=False).encode(),
        media_type="application/manifest+json",
        headers={"Cache-Control": "no-cache"},
    )


@get("/checkin/{event_id:str}", include_in_schema=False)
async def checkin_page(request: Request[Any, Any, Any], event_id: FromPath[str]) -> Template:
    ev = parse_id(event_id)
    lang = request.query_params.get("lang")
    query = f"?lang={lang}" if lang in ("sv", "en") else ""
    return page(
        request,
        "registrations/checkin.html",
        {
            "event_id": str(ev),
            "assets": asset_urls(),
            "manifest_url": f"/checkin/{ev}/manifest.webmanifest{query}",
        },
        headers={
            "Cache-Control": "no-cache",
            "Content-Security-Policy": CSP,
            "Referrer-Policy": "no-referrer",
            "X-Content-Type-Options": "nosniff",
            "Permissions-Policy": "camera=(self)",
        },
    )


ROUTES = [service_worker, manifest, checkin_page]
