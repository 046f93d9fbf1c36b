"""Jinja templates for pages (and later mail): the shell's layout plus each domain's templates.

Autoescaping is on for every template. The language of a page comes from the request (i18n) and
is put into the render context (`_`, `gettext`, `ngettext`, `lang`), so one environment serves
both languages and `{% trans %}` blocks use the same catalogs as the Python code.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from babel.dates import format_date, format_datetime, format_time, get_timezone_name
from jinja2 import Environment
from litestar import Request
from litestar.response import Template
from markupsafe import Markup

from traffpunkt import i18n
from traffpunkt.localtime import to_local

ROOT = Path(__file__).resolve().parent.parent
DOMAINS = ("events", "registrations", "networking", "notifications")
BABEL_LOCALE = {"sv": "sv_SE", "en": "en_GB"}


def template_dirs() -> list[Path]:
    dirs = [Path(__file__).parent / "templates"]
    for domain in DOMAINS:
        module = __import__(domain)
        path = Path(module.__file__).parent / "templates"
        if path.is_dir():
            dirs.append(path)
    return dirs


def _locale(lang: str) -> str:
    return BABEL_LOCALE.get(lang, "sv_SE")


def local_date(value: datetime, tz: str, lang: str, fmt: str = "full") -> str:
    return format_date(to_local(value, tz).date(), format=fmt, locale=_locale(lang))


def local_time(value: datetime, tz: str, lang: str) -> str:
    return format_time(to_local(value, tz), format="HH:mm", locale=_locale(lang))


def local_datetime(value: datetime, tz: str, lang: str) -> str:
    return format_datetime(to_local(value, tz), format="medium", locale=_locale(lang))


def zone_name(value: datetime, tz: str, lang: str) -> str:
    """ "Sverige (svensk tid)"-style name of the zone at that moment (DST-aware)."""
    return get_timezone_name(to_local(value, tz), width="long", locale=_locale(lang))


def month_heading(value: datetime, tz: str, lang: str) -> str:
    return format_date(
        to_local(value, tz).date(), format="LLLL yyyy", locale=_locale(lang)
    ).capitalize()


def json_script(value: Any) -> Markup:
    """JSON for a <script> element: `<`, `>` and `&` escaped so text cannot close the tag."""
    text = json.dumps(value, ensure_ascii=False, indent=2)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)


def configure_environment(env: Environment) -> None:
    env.autoescape = True
    env.add_extension("jinja2.ext.i18n")
    env.policies["ext.i18n.trimmed"] = True
    env.globals.update(
        local_date=local_date,
        local_time=local_time,
        local_datetime=local_datetime,
        zone_name=zone_name,
        month_heading=month_heading,
        json_script=json_script,
        LANGUAGES=i18n.LANGUAGES,
    )
    # Defaults for templates rendered outside a request (mail); pages override per request.
    env.install_gettext_callables(  # type: ignore[attr-defined]
        i18n.translations("sv").gettext, i18n.translations("sv").ngettext, newstyle=True
    )


def i18n_context(lang: str) -> dict[str, Any]:
    """`_`, `gettext`, `ngettext` and `lang` for rendering in one language (pages and mail)."""
    trans = i18n.translations(lang)

    def gettext(message: str, **params: Any) -> str:
        text = trans.gettext(message)
        return text % params if params else text

    def ngettext(singular: str, plural: str, n: int, **params: Any) -> str:
        text = trans.ngettext(singular, plural, n)
        return text % {"num": n, **params}

    return {"lang": lang, "_": gettext, "gettext": gettext, "ngettext": ngettext}


def page(
    request: Request[Any, Any, Any],
    template_name: str,
    context: dict[str, Any],
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    default_language: str | None = None,
) -> Template:
    lang = i18n.request_language(request, default_language)
    cookies = []
    if request.query_params.get("lang") in i18n.LANGUAGES:
        from litestar.datastructures import Cookie

        cookies.append(Cookie(key="lang", value=lang, max_age=365 * 24 * 3600, samesite="lax"))
    return Template(
        template_name=template_name,
        context={
            **context,
            **i18n_context(lang),
            "request_path": request.url.path,
            "query": dict(request.query_params),
        },
        status_code=status_code,
        headers=headers or {},
        cookies=cookies,
    )
