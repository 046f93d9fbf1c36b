"""Email addresses: the one rule for every address a person gives us, and its form on the wire.

Every address input (sign-up through the API and the HTML form, invitations, organiser sign-in,
creating organisers on the web and with `traffpunkt token create`, a corrected address) goes
through `normalise()`, so nothing is stored that the sender cannot send to (before this, an
address like `anna@example..se` got a seat and then failed for ever with "Invalid addr_spec").

- Obvious paste debris is trimmed: surrounding spaces and quotes, trailing `;` or `,` (Outlook
  puts them between addresses), `<...>` with or without a name in front, a `mailto:` prefix.
- The rest is checked by email-validator (syntax per RFC 5321/5322, IDNA 2008 domains, no
  special-use names such as `.local`), without DNS: no network at request time.
- Letters such as å before the @ need SMTPUTF8 from the mail server; they are accepted only when
  TRAFFPUNKT_SMTP_UTF8=1 says the relay offers it (off by default, where they are refused with
  a message saying so). Letters after the @ are fine: the sender writes the domain as IDNA
  (`företag.se` -> `xn--fretag-wxa.se`), which every server takes.
- What is stored is lower case (one registration per address and event) with the domain in
  Unicode, as people read it; `for_mail()` gives the form for the envelope and the To header.

email-validator's messages are English and technical; `_reason()` maps its cases to our own
message ids, translated through the catalogs like every other error.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Annotated

import email_validator
from email_validator import EmailNotValidError
from litestar.openapi.spec import OpenAPIFormat
from litestar.params import KwargDefinition
from msgspec import Meta

from traffpunkt.errors import FieldError, Invalid
from traffpunkt.settings import current_settings

MAX_INPUT = 400  # what a field takes before trimming; the address itself is at most 254

_DESCRIPTION = (
    "An email address. Surrounding spaces, `<...>`, `mailto:` and a trailing `;` or `,` are "
    "removed; the address is stored in lower case."
)
# The type of every email field in a request body. It only bounds the length: the rule itself
# runs in the service (`checked`), which trims debris and answers in the reader's language.
# msgspec validates with the Meta; Litestar's OpenAPI takes `format: email` from the Meta for a
# struct's field and from the KwargDefinition where the type is a list's items (there Litestar
# does not read msgspec's Meta).
Email = Annotated[
    str,
    Meta(
        min_length=1,
        max_length=MAX_INPUT,
        description=_DESCRIPTION,
        # Litestar takes `extra` into a struct field's schema; msgspec's own schema ignores it.
        extra_json_schema={"description": _DESCRIPTION, "extra": {"format": "email"}},
    ),
    KwargDefinition(
        format=OpenAPIFormat.EMAIL,
        min_length=1,
        max_length=MAX_INPUT,
        description=_DESCRIPTION,
    ),
]


def N_(message: str) -> str:
    """Marks a message id for the catalogs (translated where it is shown)."""
    return message


# Messages (English ids; Swedish in the catalog). Kept free of parameters so that several
# addresses' errors can be translated together (errors of one problem share its params).
EMPTY = N_("Write your email address")
NO_AT = N_("The address needs an @, as in name@example.se")
MANY_AT = N_("The address has more than one @")
NOTHING_BEFORE = N_("Something is missing before the @")
NOTHING_AFTER = N_("Something is missing after the @")
TWO_DOTS = N_("The address has two dots in a row")
DOT_PLACE = N_("The address cannot begin or end with a dot, or have a dot next to the @")
SPACE = N_("The address contains a space")
SEVERAL = N_("Write one address only (this one contains a comma or a semicolon)")
BRACKETS = N_("After the @, write a domain name such as example.se, not an address in brackets")
NO_DOT = N_("The part after the @ needs a dot, as in example.se")
DOMAIN_CHARS = N_("The part after the @ may only contain letters, digits, hyphens and dots")
LOCAL_CHARS = N_("The part before the @ contains a character that cannot be in an email address")
NON_ASCII_LOCAL = N_(
    "Our mail server cannot send to addresses with letters such as å, ä or ö before the @. "
    "Please use another address"
)
INVISIBLE = N_("The address contains an invisible or special character; please type it again")
RESERVED = N_("The part after the @ is a name that cannot receive email")
TLD = N_("The address does not end in a real domain ending, such as .se or .com")
TOO_LONG = N_("The address is too long")
OTHER = N_("This is not an email address we can send mail to; please check it")

_DEBRIS_END = ";,"
_QUOTES = "\"'“”‘’«»"  # typographic quotes too: word processors paste them
_MAILTO = re.compile(r"^mailto:", re.IGNORECASE)
# "Anna Andersson <anna@example.se>" (Outlook, Thunderbird): the address is inside the brackets.
_NAMED = re.compile(r"^[^<>]*<([^<>]*)>$")


class AddressError(ValueError):
    """Not an address we can send to; `message` is a message id (English, translated later)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def trim(text: str) -> str:
    """The address without paste debris around it (nothing inside is changed)."""
    previous = None
    while text != previous:
        previous = text
        text = text.strip().rstrip(_DEBRIS_END).strip()
        if len(text) > 1 and text[0] in _QUOTES and text[-1] in _QUOTES:
            text = text[1:-1]
        if match := _NAMED.match(text):
            text = match.group(1)
        text = _MAILTO.sub("", text)
    return text


def smtputf8_allowed() -> bool:
    return current_settings().smtp_utf8


def normalise(text: str, *, smtputf8: bool | None = None) -> str:
    """The address to store, or AddressError saying what is wrong with it.

    `smtputf8`: whether letters such as å may stand before the @ (default: the setting)."""
    address = trim(text).lower()
    if not address:
        raise AddressError(EMPTY)
    if len(address) > MAX_INPUT:
        raise AddressError(TOO_LONG)
    allow_utf8 = smtputf8_allowed() if smtputf8 is None else smtputf8
    try:
        result = email_validator.validate_email(
            address,
            allow_smtputf8=allow_utf8,
            allow_quoted_local=False,
            allow_domain_literal=False,
            allow_display_name=False,
            check_deliverability=False,
            strict=True,  # also the RFC's limits on parts (64 characters before the @)
        )
    except EmailNotValidError as exc:
        raise AddressError(_reason(address, str(exc))) from None
    return result.normalized


def _reason(address: str, detail: str) -> str:
    """Our message for email-validator's reason (its wording is matched, falling back to a
    general message, so a change of its wording costs precision, never a 500)."""
    _, at, domain = address.rpartition("@")
    text = detail.lower()
    checks = (
        (not at, NO_AT),
        ("," in address or ";" in address, SEVERAL),
        (any(c.isspace() for c in address), SPACE),
        (address.count("@") > 1, MANY_AT),
        ("[" in domain or "]" in domain, BRACKETS),
        (any(unicodedata.category(c)[0] in "CZ" for c in address), INVISIBLE),
        ("too long" in text or "too many" in text, TOO_LONG),
        ("two periods in a row" in text, TWO_DOTS),
        ("period" in text and "should have a period" not in text, DOT_PLACE),
        ("something before the @" in text, NOTHING_BEFORE),
        ("something after the @" in text, NOTHING_AFTER),
        ("internationalized characters before the @" in text, NON_ASCII_LOCAL),
        ("unsafe character" in text, INVISIBLE),
        ("should have a period" in text, NO_DOT),
        ("special-use or reserved" in text, RESERVED),
        ("top-level domain" in text, TLD),
        ("after the @-sign" in text and "invalid character" in text, DOMAIN_CHARS),
        ("hyphen" in text, DOMAIN_CHARS),
        ("before the @-sign" in text and "invalid character" in text, LOCAL_CHARS),
    )
    return next((message for hit, message in checks if hit), OTHER)


def checked(text: str, field: str = "email") -> str:
    """`normalise()` for one field of a request: a 422 naming the field when it is wrong."""
    try:
        return normalise(text)
    except AddressError as exc:
        raise Invalid.field(field, exc.message) from None


def checked_all(texts: list[str], field: str = "emails") -> list[str]:
    """Several addresses (invitations): all of them normalised, or one 422 naming every wrong
    one (`emails[3]`), so nothing is sent until the list is right."""
    out: list[str] = []
    errors: list[FieldError] = []
    for i, text in enumerate(texts):
        try:
            out.append(normalise(text))
        except AddressError as exc:
            errors.append(FieldError(f"{field}[{i}]", exc.message))
    if errors:
        raise Invalid("Some addresses are not valid; nothing was sent", errors=errors)
    return out


@functools.lru_cache(maxsize=4096)
def for_mail(address: str) -> str:
    """The address as the sender writes it in the envelope and the To header: the domain as
    IDNA (ASCII), the part before the @ as stored (non-ASCII there needs SMTPUTF8).

    Raises AddressError for an address the rule does not accept (e.g. one stored before it)."""
    if address.isascii():
        return address
    try:
        result = email_validator.validate_email(
            address, allow_smtputf8=True, check_deliverability=False
        )
    except EmailNotValidError as exc:
        raise AddressError(f"not an address mail can be sent to: {exc}") from None
    return f"{result.local_part}@{result.ascii_domain}"
