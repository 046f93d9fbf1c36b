"""Jinja templates for pages (and later mail): the shell's layout plus each domain's templates.

Autoescaping is on for every template. The language of a page comes from the request (i18n) and
is put into the render context (`_`, `gettext`, `ngettext`, `lang`), so one environment serves
both languages and `{% trans %}` blocks use the same catalogs as the Python code.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from babel.dates import format_date, format_datetime, format_time, get_timezone_name
from jinja2 import Environment
from litestar import Request
from litestar.datastructures import Cookie
from litestar.response import Template
from markupsafe import Markup

from traffpunkt import i18n, static_assets
from traffpunkt.localtime import to_local
from traffpunkt.settings import current_settings

ROOT = Path(__file__).resolve().parent.parent
DOMAINS = (
    "accounts",
    "events",
    "registrations",
    "networking",
    "notifications",
    "surveys",
    "evaluations",
    "reports",
    "planning",
)
BABEL_LOCALE = {"sv": "sv_SE", "en": "en_GB"}


def template_dirs() -> list[Path]:
    """The shell's templates, then each domain's. The domains are the shell's sibling packages
    (in the repository and when installed), so they are found without importing them."""
    dirs = [Path(__file__).parent / "templates"]
    for domain in DOMAINS:
        path = ROOT / domain / "templates"
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


class Scheduled(Protocol):
    """What `event_when` reads of an event row (events.rows.EventRow; the shell names no domain)."""

    @property
    def starts_at(self) -> datetime: ...
    @property
    def ends_at(self) -> datetime: ...
    @property
    def timezone(self) -> str: ...


def event_when(row: Scheduled, lang: str) -> str:
    """When an event is, as a municipal page writes it: "torsdag 3 december 2026, 09:00–12:00".

    Everyone here lives in one time zone, so its name ("centraleuropeisk normaltid") is noise;
    it is said only for an event whose zone is not the service's default."""
    start, end, tz = row.starts_at, row.ends_at, row.timezone
    day, first, last = (
        local_date(start, tz, lang),
        local_time(start, tz, lang),
        local_time(end, tz, lang),
    )
    text = f"{day}, {first}–{last}"
    if to_local(start, tz).date() != to_local(end, tz).date():  # a course over several days
        text = f"{day} {first} – {local_date(end, tz, lang)} {last}"
    if tz != _default_timezone():
        text += f" ({zone_name(start, tz, lang)})"
    return text


def _default_timezone() -> str:
    return current_settings().default_timezone


def event_place(event: Any) -> str:
    """Venue, street address and town once: "Folkets hus, Storgatan 18, 919 31 Åsele" (the
    town is added only when the address does not already end with it)."""
    town: str = event.municipality_name
    if event.venue is None:
        return town
    parts = [event.venue.name]
    address = (event.venue.address or "").strip()
    if address:
        parts.append(address)
    if town.casefold() not in ", ".join(parts).casefold():
        parts.append(town)
    return ", ".join(parts)


def map_url(venue: Any) -> str | None:
    """OpenStreetMap at the venue (a plain link: no map script or tiles on our pages)."""
    if venue is None or venue.latitude is None or venue.longitude is None:
        return None
    lat, lon = f"{venue.latitude:.5f}", f"{venue.longitude:.5f}"
    return f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=17/{lat}/{lon}"


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
        event_when=event_when,
        event_place=event_place,
        map_url=map_url,
        month_heading=month_heading,
        json_script=json_script,
        static_url=static_assets.static_url,
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
