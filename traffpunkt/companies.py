"""What the service knows of a company: its organisation number, its sector (SNI 2007 section)
and its size band. Shared by the domains that ask companies about themselves (the needs survey,
sign-up fields for the funder's report).

An organisation number is ten digits, the last a Luhn check digit (Skatteverket, SKV 709). A
sole trader's (enskild firma) number is the owner's personal identity number, so it is personal
data: it is erased with the answer or registration that holds it and never shown on public
pages. A twelve-digit form with the century ("19"/"20"/"16") is accepted and shortened.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from typing import NamedTuple

_DEBRIS = re.compile(r"[\s\-+]")


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def parse_org_number(text: str) -> str | None:
    """The number as "NNNNNN-NNNN", or None when it is not a valid organisation number."""
    digits = _DEBRIS.sub("", text or "")
    if len(digits) == 12 and digits[:2] in {"16", "19", "20"}:
        digits = digits[2:]
    if len(digits) != 10 or not digits.isdigit() or not luhn_ok(digits):
        return None
    return f"{digits[:6]}-{digits[6:]}"


def is_sole_trader(org_number: str) -> bool:
    """A personal identity number (month 01-12 in digits 3-4) rather than a legal entity's
    number (whose third digit is 2 or more): the owner's own number, personal data."""
    return org_number[2] in "01"


def org_pseudonym(org_number: str, secret_key: str) -> str:
    """What retention keeps of a sole trader's number (a personal identity number): "P" and
    ten hex digits of an HMAC keyed with the secret key. The same number gives the same
    pseudonym in every table, so distinct companies are still counted once; it cannot be
    mistaken for a real number (a letter), and fits the 11 characters of one."""
    if not org_number or org_number.startswith("P") or not is_sole_trader(org_number):
        return org_number
    digest = hmac.new(secret_key.encode(), org_number.encode(), hashlib.sha256).hexdigest()
    return f"P{digest[:10]}"


class Label(NamedTuple):
    code: str
    sv: str
    en: str

    def label(self, lang: str) -> str:
        return self.en if lang == "en" else self.sv


# SNI 2007 sections (Statistics Sweden), the level a company can tell about itself.
SNI_SECTIONS: tuple[Label, ...] = (
    Label("A", "Jordbruk, skogsbruk och fiske", "Agriculture, forestry and fishing"),
    Label("B", "Utvinning av mineral", "Mining and quarrying"),
    Label("C", "Tillverkning", "Manufacturing"),
    Label(
        "D",
        "Försörjning av el, gas, värme och kyla",
        "Electricity, gas, steam and air conditioning",
    ),
    Label(
        "E", "Vattenförsörjning, avlopp, avfall och sanering", "Water supply, sewerage and waste"
    ),
    Label("F", "Byggverksamhet", "Construction"),
    Label(
        "G", "Handel; reparation av motorfordon", "Wholesale and retail trade; motor vehicle repair"
    ),
    Label("H", "Transport och magasinering", "Transportation and storage"),
    Label("I", "Hotell- och restaurangverksamhet", "Accommodation and food service"),
    Label("J", "Informations- och kommunikationsverksamhet", "Information and communication"),
    Label("K", "Finans- och försäkringsverksamhet", "Financial and insurance activities"),
    Label("L", "Fastighetsverksamhet", "Real estate activities"),
    Label(
        "M",
        "Juridik, ekonomi, vetenskap och teknik",
        "Professional, scientific and technical activities",
    ),
    Label(
        "N",
        "Uthyrning, fastighetsservice, resetjänster och andra stödtjänster",
        "Administrative and support services",
    ),
    Label("O", "Offentlig förvaltning och försvar", "Public administration and defence"),
    Label("P", "Utbildning", "Education"),
    Label("Q", "Vård och omsorg; sociala tjänster", "Human health and social work"),
    Label("R", "Kultur, nöje och fritid", "Arts, entertainment and recreation"),
    Label("S", "Annan serviceverksamhet", "Other service activities"),
    Label("T", "Hushålls produktion för eget bruk", "Activities of households as employers"),
    Label("U", "Internationella organisationer", "Extraterritorial organisations"),
)
SNI_BY_CODE: dict[str, Label] = {s.code: s for s in SNI_SECTIONS}

# Size by employees besides the owners, in Statistics Sweden's classes (the smallest kept apart:
# the project's companies are mostly one to five people).
SIZE_BANDS: tuple[Label, ...] = (
    Label("0", "Inga anställda utöver ägarna", "No employees besides the owners"),
    Label("1-4", "1–4 anställda", "1–4 employees"),
    Label("5-9", "5–9 anställda", "5–9 employees"),
    Label("10-49", "10–49 anställda", "10–49 employees"),
    Label("50+", "50 anställda eller fler", "50 employees or more"),
)
SIZE_BY_CODE: dict[str, Label] = {s.code: s for s in SIZE_BANDS}
