"""What every domain's organiser pages share: private headers, the page frame with the
organiser's navigation, redirects after a POST, and safe `next` paths. (Who is signed in:
`traffpunkt.auth.web_organiser`.)"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from litestar import Request
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER

from traffpunkt.templating import page

PRIVATE = {"Cache-Control": "private, no-store", "X-Robots-Tag": "noindex, nofollow"}


def see_other(path: str) -> Redirect:
    return Redirect(path, status_code=HTTP_303_SEE_OTHER)


def safe_next(value: str | None) -> str:
    """Only local paths: a sign-in link must not bounce people to another site."""
    if not value or not value.startswith("/") or value.startswith("//") or urlsplit(value).netloc:
        return "/organiser"
    return value


def organiser_page(
    request: Request[Any, Any, Any], template: str, context: dict[str, Any], **kw: Any
) -> Template:
    headers = {**PRIVATE, **kw.pop("headers", {})}
    return page(request, template, {"organiser_nav": True, **context}, headers=headers, **kw)
