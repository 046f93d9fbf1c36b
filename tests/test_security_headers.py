"""Security headers on every response the app makes (pages, error pages, the API docs, the back
office, the embeddable calendar), found by walking the app's route list, and Secure cookies
whenever the request came over https."""

from __future__ import annotations

import re
import uuid

import httpx
from litestar import Litestar
from litestar.routes import HTTPRoute

from tests.conftest import World
from tests.organiser.conftest import sign_in
from tests.registrations.conftest import make_event, sign_up, token_of
from traffpunkt import security

FRAMEABLE = {"/calendar/{slug:str}/embed"}


def get_paths(app: Litestar) -> list[str]:
    """Every GET route's path template (the mounted back office is checked on its own)."""
    paths = []
    for route in app.routes:
        if isinstance(route, HTTPRoute) and "GET" in route.methods:
            paths.append(route.path)
    return sorted(set(paths))


def fill(template: str, values: dict[str, str]) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        return values.get(name, str(uuid.uuid4()))

    return re.sub(r"\{(\w+):[\w]+\}", value, template)


def assert_protected(response: httpx.Response, path: str) -> None:
    h = response.headers
    csp = h.get("content-security-policy", "")
    assert "frame-ancestors" in csp and "default-src" in csp, (path, csp)
    assert "object-src 'none'" in csp, (path, csp)
    assert h.get("x-content-type-options") == "nosniff", path
    assert h.get("referrer-policy"), path
    if path in FRAMEABLE:
        assert "frame-ancestors *" in csp and "x-frame-options" not in h, path
    else:
        assert re.search(r"frame-ancestors '(none|self)'", csp), (path, csp)
        assert h.get("x-frame-options") in ("DENY", "SAMEORIGIN"), path


async def test_every_get_route_answers_with_security_headers(
    app: Litestar, client: httpx.AsyncClient, world: World
) -> None:
    ev = await make_event(client, world)
    token = token_of(await sign_up(client, ev["id"], "rut@example.se", networking_consent=True))
    values = {
        "slug": "asele",
        "municipality": "asele",
        "key": ev["slug"],
        "event_id": ev["id"],
        "id": ev["id"],
        "token": token,
        "manage_token": token,
        "file_path": "site.css",
    }
    await sign_in(client, "admin@example.se")
    html_pages: dict[str, int] = {}
    for template in get_paths(app):
        path = fill(template, values)
        r = await client.get(path, headers={"accept": "text/html"})
        assert_protected(r, template)
        if r.headers.get("content-type", "").startswith("text/html"):
            html_pages[template] = r.status_code
            csp = r.headers["content-security-policy"]
            if not template.startswith("/api/docs"):  # pages run no inline code
                assert "'unsafe-inline'" not in csp and "script-src 'self';" in csp, template
    # The walk reached the real pages, not just their error answers.
    for must in (
        "/events/{key:str}",
        "/events/{key:str}/register",
        "/needs-map/{municipality:str}",
        "/calendar/{slug:str}",
        "/calendar/{slug:str}/embed",
        "/organiser",
        "/organiser/events/{event_id:str}",
        "/organiser/events/{event_id:str}/attendees",
        "/r/{token:str}",
        "/api/docs",
    ):
        assert html_pages.get(must) == 200, (must, html_pages.get(must))


async def test_error_pages_and_the_back_office_are_protected(
    client: httpx.AsyncClient, world: World
) -> None:
    missing = await client.get("/no/such/page", headers={"accept": "text/html"})
    assert missing.status_code == 404 and missing.headers["content-type"].startswith("text/html")
    assert_protected(missing, "/no/such/page")
    problem = await client.get("/api/v1/events/not-an-id")
    assert problem.status_code in (404, 422)
    assert_protected(problem, "/api/v1/events/not-an-id")

    await sign_in(client, "admin@example.se")
    enter = await client.get("/organiser/back-office")
    assert enter.status_code == 303
    office = await client.get("/back-office/")
    assert office.status_code == 200 and '<div id="app">' in office.text
    assert office.headers["content-security-policy"] == security.BACK_OFFICE_CSP
    assert office.headers["x-frame-options"] == "DENY"
    api = await client.get("/back-office/api/tables/")
    assert api.status_code == 200
    assert_protected(api, "/back-office/api/tables/")


async def test_the_docs_policy_allows_what_the_docs_page_loads(
    app: Litestar, client: httpx.AsyncClient
) -> None:
    """Every script, style sheet and icon the docs pages refer to is from an origin their
    policy allows (this origin when the assets are served from the package)."""
    for path in ("/api/docs", "/api/docs/swagger"):
        r = await client.get(path)
        assert r.status_code == 200
        policy = r.headers["content-security-policy"]
        csp = {d.split()[0]: d.strip() for d in policy.split(";")}
        for url in re.findall(r"""(?:src|href)=["']([^"']+)["']""", r.text):
            origin = re.match(r"https?://[^/]+", url)
            kind = "script-src" if url.endswith(".js") or "/npm/" in url else "style-src"
            allowed = csp[kind].split() + csp["img-src"].split()  # (the icon is an image)
            assert origin is None or origin.group(0) in allowed, (path, url, csp)


async def test_cookies_are_secure_over_https(app: Litestar) -> None:
    """The language and CSRF cookies (set by Litestar) and the session cookie get Secure when
    the request came over https, not over plain http (the base URL here is http)."""
    for scheme, secure in (("https", True), ("http", False)):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=f"{scheme}://testserver") as c:
            r = await c.get("/organiser/sign-in?lang=en")
            cookies = r.headers.get_list("set-cookie")
            names = {c.split("=", 1)[0] for c in cookies}
            assert {"lang", "csrftoken"} <= names, cookies
            for cookie in cookies:
                assert ("; Secure" in cookie) is secure, cookie
