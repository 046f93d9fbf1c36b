"""Small private helpers that several concerns of registrations share (no rules of their own)."""

from __future__ import annotations

from events import service as events_service
from events import topics
from events.rows import EventRow
from registrations.schemas import RegistrationIn
from traffpunkt.companies import SIZE_BY_CODE, SNI_BY_CODE, parse_org_number
from traffpunkt.errors import FieldError, Invalid


def _check_profile(needs: list[str], offers: list[str]) -> None:
    errors = [
        FieldError(f, "Unknown topics: {topics}. See /api/v1/topics for the list")
        for f, v in (("needs", needs), ("offers", offers))
        if topics.unknown(v)
    ]
    if errors:
        bad = ", ".join(topics.unknown(needs) + topics.unknown(offers))
        raise Invalid(errors[0].message, errors=errors, params={"topics": bad})


REPORT_FIELDS = ("org_number", "sni_section", "size_band", "gender")


def report_answers(event: EventRow, data: RegistrationIn) -> dict[str, str]:
    """The answers to the report questions as stored, checked: a question the event does not
    ask is refused (never stored without the purpose stated on the form), "" = no answer."""
    asked = {f.value for f in events_service.report_fields_asked(event)}
    given = {f: getattr(data, f) for f in REPORT_FIELDS if getattr(data, f) not in (None, "")}
    for name in given:
        if name not in asked:
            raise Invalid.field(name, "This question is not asked for this event")
    answers = dict.fromkeys(REPORT_FIELDS, "")
    if "org_number" in given:
        number = parse_org_number(given["org_number"])
        if number is None:
            raise Invalid.field("org_number", "Not a valid organisation number (NNNNNN-NNNN)")
        answers["org_number"] = number
    if "sni_section" in given:
        section = given["sni_section"].strip().upper()
        if section not in SNI_BY_CODE:
            raise Invalid.field("sni_section", "Choose a sector from the list")
        answers["sni_section"] = section
    if "size_band" in given:
        if given["size_band"] not in SIZE_BY_CODE:
            raise Invalid.field("size_band", "Choose a size from the list")
        answers["size_band"] = given["size_band"]
    if "gender" in given:
        answers["gender"] = str(given["gender"])
    return answers
