"""The app factory: Litestar with the domains' routes, templates, errors and the lifespan."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import replace
from os import PathLike
from pathlib import Path
from typing import Any

from litestar import Litestar, get
from litestar.config.compression import CompressionConfig
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import CacheControlHeader, State
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin, SwaggerRenderPlugin
from litestar.openapi.spec import Components, OpenAPIType, Schema, SecurityScheme
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import File
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig
from litestar.types import ASGIApp, Receive, Scope, Send
from piccolo.apps.user.tables import BaseUser
from piccolo.engine.base import Engine
from piccolo.table import Table
from piccolo_api.session_auth.tables import SessionsBase

from accounts.pages import ROUTES as ACCOUNT_PAGES
from accounts.routes import ROUTES as ACCOUNT_ROUTES
from evaluations import service as evaluations_service
from evaluations.organiser_pages import ROUTES as EVALUATION_ORGANISER_PAGES
from evaluations.pages import ROUTES as EVALUATION_PAGES
from evaluations.piccolo_app import APP_CONFIG as EVALUATIONS_APP
from evaluations.routes import ROUTES as EVALUATION_ROUTES
from events import organisers
from events.organiser_pages import ROUTES as EVENT_ORGANISER_PAGES
from events.pages import ROUTES as EVENT_PAGES
from events.piccolo_app import APP_CONFIG as EVENTS_APP
from events.routes import ROUTES as EVENT_ROUTES
from networking.organiser_pages import ROUTES as NETWORKING_ORGANISER_PAGES
from networking.pages import ROUTES as NETWORKING_PAGES
from networking.piccolo_app import APP_CONFIG as NETWORKING_APP
from networking.routes import ROUTES as NETWORKING_ROUTES
from notifications import service as notifications_service
from notifications.piccolo_app import APP_CONFIG as NOTIFICATIONS_APP
from notifications.routes import ROUTES as NOTIFICATION_ROUTES
from notifications.worker import Sender
from planning import service as planning_service
from planning.organiser_pages import ROUTES as PLANNING_ORGANISER_PAGES
from planning.pages import ROUTES as PLANNING_PAGES
from planning.piccolo_app import APP_CONFIG as PLANNING_APP
from planning.routes import ROUTES as PLANNING_ROUTES
from registrations import service as registrations_service
from registrations.attendee_pages import ROUTES as ATTENDEE_PAGES
from registrations.organiser_pages import ROUTES as REGISTRATION_ORGANISER_PAGES
from registrations.pages import ROUTES as REGISTRATION_PAGES
from registrations.piccolo_app import APP_CONFIG as REGISTRATIONS_APP
from registrations.routes import ROUTES as REGISTRATION_ROUTES
from reports.organiser_pages import ROUTES as REPORT_ORGANISER_PAGES
from reports.routes import ROUTES as REPORT_ROUTES
from surveys import service as surveys_service
from surveys.organiser_pages import ROUTES as SURVEY_ORGANISER_PAGES
from surveys.pages import ROUTES as SURVEY_PAGES
from surveys.piccolo_app import APP_CONFIG as SURVEYS_APP
from surveys.routes import ROUTES as SURVEY_ROUTES
from traffpunkt import (
    auth,
    cpu,
    db,
    health,
    hooks,
    limits,
    logs,
    metrics,
    request_log,
    security,
    static_assets,
)
from traffpunkt.back_office import ROUTES as BACK_OFFICE
from traffpunkt.http import JsonRequest, fix_options_allow, json_api_middleware
from traffpunkt.limits import client_middleware
from traffpunkt.limits.piccolo_app import APP_CONFIG as LIMITS_APP
from traffpunkt.problems import EXCEPTION_HANDLERS
from traffpunkt.settings import Settings, get_settings, using
from traffpunkt.templating import configure_environment, template_dirs

log = logging.getLogger("traffpunkt")

STATIC_DIR = Path(__file__).parent / "static"

# Background services started with the app (the mail sender, from notifications).
BackgroundFactory = Callable[[Settings], Any]


@get("/favicon.ico", include_in_schema=False, cache_control=CacheControlHeader(max_age=86400))
async def favicon() -> File:
    """Browsers and feed readers ask for /favicon.ico whatever the page links; answer it."""
    return File(
        STATIC_DIR / "icons" / "favicon.ico",
        media_type="image/x-icon",
        content_disposition_type="inline",
    )


def app_tables() -> list[type[Table]]:
    """Every table of the domains (in dependency order; the accounts tables are registered in
    the events app), the abuse limits' counters and the back office's two: what `db.bind`
    points at an engine. Here, in the composition root, because the database layer may not
    import the domains."""
    tables: list[type[Table]] = []
    for app in (
        EVENTS_APP,
        NOTIFICATIONS_APP,
        REGISTRATIONS_APP,
        SURVEYS_APP,
        EVALUATIONS_APP,
        NETWORKING_APP,
        PLANNING_APP,
        LIMITS_APP,
    ):
        tables.extend(app.table_classes)
    return [*tables, BaseUser, SessionsBase]


def wire() -> None:
    """Connect the domains through the shell's ports (idempotent): who is behind a token or a
    session (`traffpunkt.auth`), and the listeners of `traffpunkt.hooks`. `create_app` calls
    it; so do the CLI's worker and the tests that use services without an app."""
    auth.provide_resolvers(
        organiser_token=organisers.authenticate,
        door_token=registrations_service.door_principal,
        session=organisers.session_principal,
    )
    hooks.on_event_changed(registrations_service.on_event_changed)
    hooks.on_event_changed(planning_service.on_event_changed)
    hooks.on_sign_in_requested(notifications_service.mail_sign_in)
    hooks.provide_attendance_counts(registrations_service.counts_for_events)
    hooks.on_registration_erased(evaluations_service.on_registration_erased)
    metrics.provide_figures(deployment_figures)


async def deployment_figures() -> list[metrics.Figure]:
    """What `/metrics` reads from the database at each scrape: the outbox and check-ins."""
    outbox = await notifications_service.outbox_figures()
    scans = {"ok": 0, **await registrations_service.scan_counts()}  # ok: always a series
    figure = metrics.Figure
    return [
        figure(
            "traffpunkt_outbox_messages",
            "Mail in the outbox: waiting (pending or being sent) and failed for good",
            "gauge",
            outbox.waiting,
            (("state", "waiting"),),
        ),
        figure("traffpunkt_outbox_messages", "", "gauge", outbox.failed, (("state", "failed"),)),
        figure(
            "traffpunkt_outbox_oldest_waiting_seconds",
            "Age of the oldest mail not yet sent (0 when none waits)",
            "gauge",
            outbox.oldest_waiting_seconds,
        ),
        figure(
            "traffpunkt_mail_failures",
            "Mail given up for good (refused, or out of attempts)",
            "counter",
            outbox.failed,
        ),
        *(
            figure(
                "traffpunkt_checkin_scans",
                "Check-in scans received, by answer (ok: checked in)",
                "counter",
                n,
                (("result", result),),
            )
            for result, n in sorted(scans.items())
        ),
    ]


def app_settings(app: ASGIApp) -> ASGIApp:
    """Middleware: the serving app's settings (`app.state.settings`, given to `create_app`)
    govern the request (`traffpunkt.settings.current_settings`), whatever the environment says."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        with using(scope["litestar_app"].state["settings"]):
            await app(scope, receive, send)

    return middleware


def periodic_jobs(
    heartbeat: health.Heartbeat | None = None,
) -> list[tuple[float, Callable[[], Awaitable[Any]]]]:
    """(every seconds, job) pairs that the mail sender runs between batches; with a
    heartbeat, the sender also beats it (`/readyz` tells when the sender has stalled)."""
    jobs: list[tuple[float, Callable[[], Awaitable[Any]]]] = [
        (60.0, registrations_service.schedule_reminders),
        (300.0, evaluations_service.send_evaluations),
        (300.0, limits.sweep),
        # Anonymises what the retention period has passed: at start, then once a day.
        (600.0, registrations_service.retention_job),
        (600.0, surveys_service.retention_job),
    ]
    if heartbeat is not None:
        jobs.append((health.SENDER_BEAT_EVERY, heartbeat.beat))
    return jobs


def create_app(
    settings: Settings | None = None,
    engine: Engine[Any] | None = None,
    *,
    run_worker: bool = False,
    extra_routes: Sequence[Any] = (),
) -> Litestar:
    """The app. `extra_routes` are mounted as well (the bench's own endpoints: `bench/app.py`)."""
    settings = settings or get_settings()
    engine = engine or db.make_engine(settings.database_url, settings.data_dir)
    db.bind(engine, app_tables())
    logs.install()  # every process that serves the app redacts its log lines
    metrics.install()  # and counts its requests
    wire()

    route_handlers: list[Any] = [
        *BACK_OFFICE,
        *ACCOUNT_ROUTES,
        *ACCOUNT_PAGES,
        *EVENT_ROUTES,
        *EVENT_PAGES,
        *NOTIFICATION_ROUTES,
        *REGISTRATION_ROUTES,
        *ATTENDEE_PAGES,
        *NETWORKING_ROUTES,
        *NETWORKING_PAGES,
        *SURVEY_ROUTES,
        *SURVEY_PAGES,
        *EVENT_ORGANISER_PAGES,
        *REGISTRATION_ORGANISER_PAGES,
        *NETWORKING_ORGANISER_PAGES,
        *EVALUATION_ROUTES,
        *EVALUATION_PAGES,
        *EVALUATION_ORGANISER_PAGES,
        *REPORT_ROUTES,
        *REPORT_ORGANISER_PAGES,
        *SURVEY_ORGANISER_PAGES,
        *PLANNING_ROUTES,
        *PLANNING_ORGANISER_PAGES,
        *PLANNING_PAGES,
        *REGISTRATION_PAGES,
        create_static_files_router(
            path="/static",
            directories=[STATIC_DIR],
            name="static",
            middleware=[static_assets.cache_headers],
        ),
        favicon,
        *health.ROUTES,
        *metrics.ROUTES,
        *extra_routes,
    ]

    heartbeat = health.Heartbeat() if run_worker else None

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        db.bind(engine)
        await db.start(engine, settings.pg_pool_max_size)
        cpu.configure(settings.cpu_processes)  # suggestions, plans: off the loop
        sender = task = None
        if run_worker:
            sender = Sender(settings, periodic=periodic_jobs(heartbeat))
            print(f"Mail: {sender.describe()}", flush=True)
            with using(settings):  # the task keeps the app's settings (a copy of the context)
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
            await cpu.stop()
            await db.stop(engine)

    directories: list[Path | PathLike[Any] | str] = [*template_dirs()]
    template_config = TemplateConfig(
        directory=directories,
        engine=JinjaTemplateEngine,
        engine_callback=lambda e: configure_environment(e.engine),
    )
    app = Litestar(
        route_handlers=route_handlers,
        request_class=JsonRequest,
        # The app's settings first (everything after reads them); the client address for the
        # abuse limits; then the API's JSON-only rule.
        middleware=[app_settings, client_middleware, json_api_middleware],
        exception_handlers=EXCEPTION_HANDLERS,
        lifespan=[lifespan],
        template_config=template_config,
        compression_config=CompressionConfig(backend="gzip", minimum_size=1024),
        # Forms are protected by a double-submit cookie. The API takes no cookies (bearer
        # tokens, or the secret in the path), so it is outside the check.
        csrf_config=CSRFConfig(
            secret=settings.secret_key,
            # Probes (health, readiness, metrics) get no cookie either.
            exclude=[
                r"^/api/",
                r"^/calendars/",
                r"^/checkin",
                r"^/back-office",
                r"^/healthz$",
                r"^/readyz$",
                r"^/metrics$",
            ],
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
            render_plugins=api_docs_plugins(),
            components=Components(
                security_schemes={"BearerToken": SecurityScheme(type="http", scheme="bearer")}
            ),
        ),
        state=State({"settings": settings, "readiness": health.Readiness(heartbeat)}),
        on_startup=[amend_openapi],
        before_send=[security.before_send],  # CSP & co. and Secure cookies on every response
        debug=False,
        # Logging is configured by the process (`traffpunkt.logs.config`: format, redaction),
        # not by Litestar, whose default would replace the root logger's handler with its own
        # text format at start-up (and so undo `--log-format json`).
        logging_config=None,
    )
    fix_options_allow(app)
    # Outermost, around Litestar's own exception handling and routing: every request gets an
    # id and one log line, also those no route matches.
    app.asgi_handler = request_log.wrap(app.asgi_handler)
    return app


# The API documentation's viewers come from the package (traffpunkt/static/api-docs, versions
# and licences in its README), not from a CDN: they work offline, and what runs in a visitor's
# browser is what was reviewed, not whatever a CDN serves today.
API_DOCS_ASSETS = "/static/api-docs"
ICON_LINK = '<link rel="icon" href="/static/icons/favicon.svg" type="image/svg+xml">'


def api_docs_plugins() -> list[Any]:
    return [
        ScalarRenderPlugin(
            js_url=f"{API_DOCS_ASSETS}/scalar-api-reference.js",
            css_url=f"{API_DOCS_ASSETS}/scalar.css",
            favicon=ICON_LINK,
            # Scalar would otherwise load its fonts from fonts.scalar.com, report usage, and
            # (its AI agent, on by default on localhost) query api.scalar.com through its proxy.
            options={"withDefaultFonts": False, "telemetry": False, "agent": {"disabled": True}},
        ),
        SwaggerRenderPlugin(
            path="/swagger",
            js_url=f"{API_DOCS_ASSETS}/swagger-ui-bundle.js",
            css_url=f"{API_DOCS_ASSETS}/swagger-ui.css",
            standalone_preset_js_url=f"{API_DOCS_ASSETS}/swagger-ui-standalone-preset.js",
            favicon=ICON_LINK,
        ),
    ]


def amend_openapi(app: Litestar) -> None:
    """Say in the OpenAPI document two things about msgspec structs that Litestar's msgspec
    schema plugin does not read, so that the document describes what the API does:

    - request bodies that refuse unknown fields (422) get `additionalProperties: false`;
    - `array_like` structs (e.g. check-in data's attendees, sent as compact arrays) are arrays
      with one item per field, in order, not objects;
    - operations with a request body answer 415 to a body that is not JSON (`json_api_middleware`).

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
    for path, item in (app.openapi_schema.paths or {}).items():
        for operation in (item.post, item.put, item.patch, item.delete):
            if operation is None or operation.request_body is None or not path.startswith("/api/"):
                continue
            responses = operation.responses or {}
            if "400" in responses and "415" not in responses:  # the same problem body as a 400
                responses["415"] = replace(
                    responses["400"], description="The body is not JSON (`application/json`)"
                )
