"""The back office: piccolo-admin mounted at /back-office over every table, for administrators.

piccolo-admin has its own users and sessions. People never get a password for it: an
administrator signed in to the organiser web opens /organiser/back-office, which makes (or
reuses) a back-office user for their address with an unusable random password, starts a
piccolo-admin session for it, and sends them on. Everyone else gets a 403 there, and
piccolo-admin's own login form cannot be used without a password.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from litestar import Response, asgi, get
from litestar.datastructures import Cookie
from litestar.di import Provide
from litestar.types import Receive, Scope, Send
from piccolo.apps.user.tables import BaseUser
from piccolo_api.session_auth.tables import SessionsBase

from traffpunkt import security
from traffpunkt.db import bound_tables
from traffpunkt.organiser_web import Actor, administrator, provide_actor, signed_in
from traffpunkt.settings import current_settings

PATH = "/back-office"
SESSION_LENGTH = timedelta(hours=1)


def _admin_app() -> Any:
    from piccolo_admin.endpoints import create_admin  # heavy, and only for the back office

    tables = [t for t in bound_tables() if t not in (BaseUser, SessionsBase)]
    return create_admin(
        tables=tables,
        auth_table=BaseUser,
        session_table=SessionsBase,
        site_name="Träffpunkt – back office",
        production=current_settings().base_url.startswith("https://"),
        allowed_hosts=[],
        sidebar_links={"Träffpunkt": "/organiser"},
        session_expiry=SESSION_LENGTH,
    )


_app: Any = None


@asgi(
    PATH,
    is_mount=True,
    copy_scope=True,
    include_in_schema=False,
    opt={"csp": security.BACK_OFFICE_CSP},  # piccolo-admin's needs (traffpunkt.security)
)
async def back_office(scope: Scope, receive: Receive, send: Send) -> None:
    global _app
    if _app is None:
        _app = _admin_app()
    # piccolo-admin is mounted: it sees paths relative to /back-office.
    await _app(scope, receive, send)


@get(
    "/organiser/back-office",
    include_in_schema=False,
    guards=[signed_in, administrator],  # to sign-in; else a 403 page saying why
    dependencies={"actor": Provide(provide_actor)},
)
async def enter(actor: Actor) -> Response[None]:
    username = actor.email
    user = await BaseUser.objects().where(BaseUser.username == username).first()
    if user is None:
        user = BaseUser(  # type: ignore[no-untyped-call]  # Piccolo's __init__ is unannotated
            username=username,
            email=actor.email,
            active=True,
            admin=True,
            superuser=True,
            password=secrets.token_urlsafe(32),
        )
        await user.save()
    elif not (user.active and user.admin):
        await BaseUser.update({BaseUser.active: True, BaseUser.admin: True}).where(
            BaseUser.id == user.id
        )
    # piccolo_api compares session expiry with its own naive local clock.
    now = datetime.now()
    session = await SessionsBase.create_session(
        user_id=user.id, expiry_date=now + SESSION_LENGTH, max_expiry_date=now + SESSION_LENGTH
    )
    response: Response[None] = Response(None, status_code=303, headers={"Location": f"{PATH}/"})
    response.cookies.append(
        Cookie(
            key="id",
            value=session.token,
            path=PATH,
            httponly=True,
            samesite="lax",
            secure=current_settings().base_url.startswith("https://"),
            max_age=int(SESSION_LENGTH.total_seconds()),
        )
    )
    return response


ROUTES = [back_office, enter]
