"""What every domain's organiser pages share: the Router with its sign-in guard and the
signed-in organiser as a dependency, forms read into Structs, private headers, the page frame
with the organiser's navigation, redirects after a POST, and safe `next` paths.

Each domain puts its organiser pages under `organiser_router(...)`: a Litestar `Router` at
`/organiser` whose guard (`signed_in`) sends a browser without a valid session to the sign-in
page (`SignInRequired`, answered by `traffpunkt.problems`) and keeps the organiser it found,
and whose dependency `actor` hands that organiser (a `Principal`) to every handler that names
it (`actor: Actor`). Rights over a municipality or an event stay in the services; a page that
needs an administrator adds the `administrator` guard, which refuses with the reason (a 403
page that says "This needs an administrator").

Forms: `read_form` rather than Litestar's `Body(media_type=RequestEncodingType.URL_ENCODED)`
with a Struct, because Litestar hands a field sent once as a string and sent twice as a list
(the event's topics), and a value it cannot decode becomes a problem+json answer, where a page
must show its form again with an error under each field. The CSRF check of every form is the
app's (`CSRFConfig` in `traffpunkt.app`, a double-submit cookie), before any router.
"""

from __future__ import annotations

from typing import Any, TypeVar, get_origin
from urllib.parse import urlsplit

import msgspec
import msgspec.structs
from litestar import Request, Router
from litestar.connection import ASGIConnection
from litestar.di import NamedDependency, Provide
from litestar.handlers.base import BaseRouteHandler
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER
from litestar.types import ControllerRouterHandler

from traffpunkt.auth import Principal, web_organiser
from traffpunkt.errors import Forbidden
from traffpunkt.templating import page

PRIVATE = {"Cache-Control": "private, no-store", "X-Robots-Tag": "noindex, nofollow"}
PREFIX = "/organiser"
FormT = TypeVar("FormT", bound=msgspec.Struct)
# A handler's `actor: Actor` is the signed-in organiser (the router's dependency "actor").
Actor = NamedDependency[Principal]


async def signed_in(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Guard: an organiser is signed in with this browser (else SignInRequired: to sign-in)."""
    connection.state["actor"] = await web_organiser(connection)


async def administrator(
    connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
) -> None:
    """Guard (after `signed_in`): the organiser is an administrator."""
    actor = connection.state.get("actor")
    if not isinstance(actor, Principal):
        actor = await web_organiser(connection)
    if not actor.is_admin:
        raise Forbidden("This needs an administrator")


async def provide_actor(request: Request[Any, Any, Any]) -> Principal:
    """The dependency `actor`: the organiser the guard found (looked up once per request)."""
    actor = request.state.get("actor")
    return actor if isinstance(actor, Principal) else await web_organiser(request)


def organiser_router(*handlers: ControllerRouterHandler) -> Router:
    """A domain's organiser pages: under /organiser, signed in, not in the API document."""
    return Router(
        path=PREFIX,
        route_handlers=list(handlers),
        guards=[signed_in],
        dependencies={"actor": Provide(provide_actor)},
        include_in_schema=False,
    )


async def read_form(request: Request[Any, Any, Any], form_type: type[FormT]) -> FormT:
    """The posted form (URL-encoded or multipart) as `form_type`, a Struct of what the form
    sends: text fields stripped ("" when absent), `list[str]` fields with every value given.
    It cannot fail on input: the page converts these strings into the API's schema (e.g.
    `EventIn`), whose errors it shows under each field (`traffpunkt.errors.form_errors`), the
    same words as the API's."""
    form = await request.form()
    values: dict[str, Any] = {}
    for field in msgspec.structs.fields(form_type):
        name = field.encode_name
        if get_origin(field.type) is list:
            values[name] = [v for v in form.getall(name, []) if isinstance(v, str)]
        elif isinstance(raw := form.get(name), str):
            values[name] = raw.strip()
    return msgspec.convert(values, form_type)


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
