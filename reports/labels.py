"""The words of the report in the reader's language: kinds, attendance modes, sectors, size
bands and gender answers (one place for the page, the spreadsheet and the PDF)."""

from __future__ import annotations

from registrations import service as registrations_service
from traffpunkt import i18n
from traffpunkt.companies import SIZE_BY_CODE, SNI_BY_CODE


def kind(lang: str, code: str) -> str:
    words = {
        "seminar": i18n.gettext(lang, "Seminar"),
        "network": i18n.gettext(lang, "Network meeting"),
        "course": i18n.gettext(lang, "Course"),
        "webinar": i18n.gettext(lang, "Webinar"),
    }
    return words.get(code, code)


def mode(lang: str, code: str) -> str:
    words = {
        "offline": i18n.gettext(lang, "On site"),
        "online": i18n.gettext(lang, "Online"),
        "mixed": i18n.gettext(lang, "On site and online"),
    }
    return words.get(code, code)


def sector(lang: str, code: str) -> str:
    if code in SNI_BY_CODE:
        return f"{code} – {SNI_BY_CODE[code].label(lang)}"
    return i18n.gettext(lang, "Not told")


def size_band(lang: str, code: str) -> str:
    return (
        SIZE_BY_CODE[code].label(lang) if code in SIZE_BY_CODE else i18n.gettext(lang, "Not told")
    )


def gender(lang: str, code: str) -> str:
    return registrations_service.gender_label(lang, code)
