"""The one translation mechanism: gettext catalogs (`locale/<lang>/LC_MESSAGES/messages.po`).

Message ids are English; Swedish is the default language people see. The `.po` files are read
with Babel at first use, so no compile step is needed when installing from source. Jinja templates
get the same catalogs through the `jinja2.ext.i18n` extension (`{% trans %}` / `_()`).
"""

from __future__ import annotations

import functools
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LANGUAGES = ("sv", "en")
DEFAULT_LANGUAGE = "sv"
LOCALE_DIR = Path(__file__).parent / "locale"


@functools.cache
def translations(lang: str) -> Translations:
    """Catalog for `lang`; English needs none (ids are English), unknown languages fall back."""
    path = LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"
    if not path.exists():
        return Translations()
    with path.open("rb") as f:
        catalog = read_po(f, locale=lang)
    # Babel's Translations reads compiled catalogs: compile the parsed .po in memory (public
    # API: write_mo leaves out fuzzy and untranslated messages, as msgfmt does).
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(fp=compiled)


def normalise(lang: str | None) -> str:
    if not lang:
        return DEFAULT_LANGUAGE
    lang = lang.strip().lower()[:2]
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def gettext(lang: str, message: str) -> str:
    return translations(normalise(lang)).gettext(message)


def ngettext(lang: str, singular: str, plural: str, n: int) -> str:
    return translations(normalise(lang)).ngettext(singular, plural, n)


def translator(lang: str) -> Callable[[str], str]:
    trans = translations(normalise(lang))
    return trans.gettext


def request_language(request: Any, default: str | None = None) -> str:
    """The language to answer in. Swedish first: pages are Swedish unless the person chose
    English (?lang=en, remembered in the `lang` cookie) or the page belongs to someone who did
    (`default`, e.g. the registration's language). Many people here use an English-language
    phone, so Accept-Language does not decide pages; it does decide the API's error texts."""
    lang: str | None = request.query_params.get("lang") or request.cookies.get("lang")
    if lang and lang[:2].lower() in LANGUAGES:
        return lang[:2].lower()
    if default in LANGUAGES:
        return default
    if request.url.path.startswith("/api/"):
        header: str = request.headers.get("accept-language", "")
        for part in header.split(","):
            code = part.split(";")[0].strip().lower()[:2]
            if code in LANGUAGES:
                return code
    return DEFAULT_LANGUAGE
