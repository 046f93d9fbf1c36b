"""The app factory: Litestar with the domains' routes, templates, errors and the lifespan."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from litestar import Litestar
from litestar.config.compression import CompressionConfig
from litestar.config.csrf import CSRFConfig
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin, SwaggerRenderPlugin
from litestar.openapi.spec import Components, OpenAPIType, Schema, SecurityScheme
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig
from piccolo.engine.base import Engine

from traffpunkt import db, hooks
from traffpunkt.errors import EXCEPTION_HANDLERS
from traffpunkt.settings import Settings, get_settings
from traffpunkt.templating import configure_environment, template_dirs

log = logging.getLogger("traffpunkt")

STATIC_DIR = Path(__file__).parent / "static"

# Background services started with the app (the mail sender, from notifications).
BackgroundFactory = Callable[[Settings], Any]


def create_app(
    settings: Settings | None = None,
    engine: Engine | None = None,
    *,
    run_worker: bool = False,
) -> Litestar:
    settings = settings or get_settings()
    engine = engine or db.make_engine(settings.database_url, settings.data_dir)
    db.bind(engine)

    from events.organiser_pages import ROUTES as EVENT_ORGANISER_PAGES
    from events.pages import ROUTES as EVENT_PAGES
    from events.routes import ROUTES as EVENT_ROUTES
    from networking.organiser_pages import ROUTES as NETWORKING_ORGANISER_PAGES
    from networking.pages import ROUTES as NETWORKING_PAGES
    from networking.routes import ROUTES as NETWORKING_ROUTES
    from notifications.routes import ROUTES as NOTIFICATION_ROUTES
    from registrations.attendee_pages import ROUTES as ATTENDEE_PAGES
    from registrations.organiser_pages import ROUTES as REGISTRATION_ORGANISER_PAGES
    from registrations.pages import ROUTES as REGISTRATION_PAGES
    from registrations.routes import ROUTES as REGISTRATION_ROUTES

    hooks.wire()

    from traffpunkt.back_office import ROUTES as BACK_OFFICE

    route_handlers: list[Any] = [
        *BACK_OFFICE,
        *EVENT_ROUTES,
        *EVENT_PAGES,
        *NOTIFICATION_ROUTES,
        *REGISTRATION_ROUTES,
        *ATTENDEE_PAGES,
        *NETWORKING_ROUTES,
        *NETWORKING_PAGES,
        *EVENT_ORGANISER_PAGES,
        *REGISTRATION_ORGANISER_PAGES,
        *NETWORKING_ORGANISER_PAGES,
        *REGISTRATION_PAGES,
        create_static_files_router(path="/static", directories=[STATIC_DIR], name="static"),
    ]
    if settings.bench_endpoints:
        from traffpunkt.bench_routes import ROUTES as BENCH_ROUTES

        route_handlers.extend(BENCH_ROUTES)

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        db.bind(engine)
        await db.start(engine, settings.pg_pool_max_size)
        sender = task = None
        if run_worker:
            from notifications.worker import Sender

            sender = Sender(settings, periodic=hooks.periodic_jobs())
            print(f"Mail: {sender.describe()}", flush=True)
            task = asyncio.create_task(sender.run(), name="mail-sender")
        try:
            yield
        finally:
            if sender is not None and task is not None:
                sender.stop()
                try:
                    await asyncio.wait_for(task, timeout=10)
                except TimeoutError:
                    log.warning("mail sender did not stop in time; its lease will expire")
            await db.stop(engine)

    template_config = TemplateConfig(
        directory=template_dirs(),
        engine=JinjaTemplateEngine,
        engine_callback=lambda e: configure_environment(e.engine),
    )
    from traffpunkt.auth import SignInRequired
    from traffpunkt.errors import sign_in_required_handler
    from traffpunkt.limits import client_middleware

    return Litestar(
        route_handlers=route_handlers,
        middleware=[client_middleware],  # the client address for the abuse limits
        exception_handlers={**EXCEPTION_HANDLERS, SignInRequired: sign_in_required_handler},
        lifespan=[lifespan],
        template_config=template_config,
        compression_config=CompressionConfig(backend="gzip", minimum_size=1024),
        # Forms are protected by a double-submit cookie. The API takes no cookies (bearer
        # tokens, or the secret in the path), so it is outside the check.
        csrf_config=CSRFConfig(
            secret=settings.secret_key,
            exclude=[r"^/api/", r"^/calendars/", r"^/checkin", r"^/bench/", r"^/back-office"],
            cookie_httponly=True,
            cookie_secure=settings.base_url.startswith("https://"),
            cookie_samesite="lax",
        ),
        openapi_config=OpenAPIConfig(
            title="Träffpunkt",
            version="1",
            description=(
                "Events, registrations, check-in, calendars and networking for municipalities "
                "in Norrbotten and Västerbotten. Organiser calls carry `Authorization: Bearer`."
            ),
            path="/api/docs",
            render_plugins=[ScalarRenderPlugin(), SwaggerRenderPlugin(path="/swagger")],
            components=Components(
                security_schemes={"BearerToken": SecurityScheme(type="http", scheme="bearer")}
            ),
        ),
        state={"settings": settings},
        on_startup=[amend_openapi],
        debug=False,
    )


def amend_openapi(app: Litestar) -> None:
    """Say in the OpenAPI document two things about msgspec structs that Litestar's msgspec
    schema plugin does not read, so that the document describes what the API does:

    - request bodies that refuse unknown fields (422) get `additionalProperties: false`;
    - `array_like` structs (e.g. check-in data's attendees, sent as compact arrays) are arrays
      with one item per field, in order, not objects.

    The document is built once, so this edits it in place at startup, before any request."""
    import msgspec

    structs: dict[str, type[msgspec.Struct]] = {}
    todo: list[type[msgspec.Struct]] = [msgspec.Struct]
    while todo:  # every struct the route modules (imported by now) define
        for sub in todo.pop().__subclasses__():
            structs.setdefault(sub.__name__, sub)
            todo.append(sub)
    schemas = app.openapi_schema.components.schemas or {}
    for name, schema in schemas.items():
        struct = structs.get(name)
        if struct is None or not isinstance(schema, Schema):
            continue
        if struct.__struct_config__.forbid_unknown_fields:
            schema.additional_properties = False
        if struct.__struct_config__.array_like and schema.properties:
            fields = struct.__struct_fields__
            schema.type = OpenAPIType.ARRAY
            schema.prefix_items = [schema.properties[f] for f in fields]
            schema.min_items = schema.max_items = len(fields)
            schema.properties = None
            schema.required = None
