"""Turn an outbox row into a MIME message in the recipient's language.

Structure (RFC 6047 and what mail clients expect):

    multipart/mixed
      multipart/alternative
        text/plain
        multipart/related
          text/html
          image/png            (the QR ticket, inline by Content-ID)
        text/calendar; method=REQUEST|CANCEL; charset=UTF-8
      application/ics          (invite.ics, the same calendar as an attachment)

Without a ticket the HTML part stands alone; without an invitation (kinds without an iTIP
method, mail about no event) the multipart/alternative is the whole message.

`render_outgoing()` is what the sender calls (in its own process or in a render process): the
bytes that go on the wire, with the envelope. Headers with names or text are made by the
`email` package's header classes, which refuse CR/LF injection (see `_mime`).
"""

from __future__ import annotations

import base64
import binascii
import email
import email.policy
import functools
import json
import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address, BaseHeader, HeaderRegistry
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any, Protocol
from uuid import UUID

import jinja2

from events import service as events_service
from events.rows import EventRow
from notifications import itip
from notifications.kinds import KINDS, Kind
from notifications.transport import Outgoing
from traffpunkt import addresses, i18n, qr
from traffpunkt.settings import Settings
from traffpunkt.templating import configure_environment, i18n_context, template_dirs

TICKET_CID = "ticket@traffpunkt"


class Message(Protocol):
    """What rendering reads of an outbox message (`notifications.rows.OutboxRow` has it; tests
    and the mail bench pass lighter objects with the same attributes)."""

    @property
    def id(self) -> UUID: ...
    @property
    def kind(self) -> str: ...
    @property
    def recipient(self) -> str: ...
    @property
    def recipient_name(self) -> str: ...
    @property
    def language(self) -> str: ...
    @property
    def data(self) -> str: ...
    @property
    def secrets(self) -> str | None: ...


class _CachingHeaderRegistry(HeaderRegistry):
    """CPython's HeaderRegistry builds a new class with type() for every header it makes (~65
    per mail); the class depends on the lower-cased name only, so keep one per name."""

    def __init__(self) -> None:
        super().__init__()
        self._classes: dict[str, type[BaseHeader]] = {}

    def __getitem__(self, name: str) -> type[BaseHeader]:
        key = name.lower()
        cls = self._classes.get(key)
        if cls is None:
            cls = self._classes[key] = super().__getitem__(name)
        return cls


# email.policy.default with cached header classes (the same headers, the same bytes).
POLICY = email.policy.default.clone(header_factory=_CachingHeaderRegistry())


@functools.cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(p) for p in template_dirs()]),
        undefined=jinja2.StrictUndefined,
    )
    configure_environment(env)
    # HTML is escaped; the plain-text part must not be (an "&" stays "&").
    env.autoescape = jinja2.select_autoescape(enabled_extensions=("html",), default=False)
    return env


def message_id(message_uuid: Any, settings: Settings) -> str:
    """Stable per outbox row: a re-send after a crash carries the same Message-ID."""
    domain = settings.mail_from.rsplit("@", 1)[-1].strip(" >") or "traffpunkt.local"
    return f"<{message_uuid}@{domain}>"


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


# Text that people typed (names, organisations) is shown in mail as plain text that no mail
# client turns into a link: mail clients link `scheme://…`, `www.…` and bare domains (also in
# HTML, where Jinja already escapes markup), so a name must not deliver one. The usual
# "defanged" notation: http[:]//evil[.]test. A dot followed by one letter stays ("A.B. Berg").
_SCHEME = re.compile(r"(?i)([a-z][a-z0-9+.-]*):(?=[/\\]{2})")
_DOT = re.compile(r"(?<=\w)[.\u3002\uff0e\uff61](?=\d|[^\W_]{2}|[^\W_]$)")
_WWW = re.compile(r"(?i)\bwww[.\u3002\uff0e\uff61]")
_ANGLE = str.maketrans({"<": "‹", ">": "›"})


def plain(text: str) -> str:
    """Typed text as inert plain text for a mail (see above)."""
    text = _SCHEME.sub(r"\1[:]", str(text))
    text = _WWW.sub(lambda m: m.group(0)[:-1] + "[.]", text)
    return _DOT.sub("[.]", text).translate(_ANGLE)


# Parameters of a mail that people typed (the others come from organisers or are generated).
TYPED = ("name", "peer_name", "peer_organisation", "company")


def render_parts(
    kind: Kind,
    row: EventRow | None,
    *,
    language: str,
    name: str,
    data: dict[str, Any],
    secrets: dict[str, Any],
    settings: Settings,
    now: datetime | None = None,
) -> tuple[str, str, str]:
    """(subject, text, html) of a mail; exposed for tests and the render benchmark."""
    lang = i18n.normalise(language)
    ctx = i18n_context(lang)
    event = events_service.event_out(row, now) if row is not None else None
    params = {
        "title": event.title if event is not None else "Träffpunkt",
        "name": name or "",
        **{k: v for k, v in data.items() if isinstance(v, str | int)},
    }
    for key in TYPED:
        if key in params:
            params[key] = plain(str(params[key]))
    tr = ctx["gettext"]
    subject = _one_line(tr(kind.subject).format(**params))
    texts = kind.paragraphs
    if kind.greet_by_name and params["name"]:
        texts = tuple("Hello {name}," if p == "Hello," else p for p in texts)
    paragraphs = [tr(p).format(**params) for p in texts]
    action = None
    if kind.action is not None:
        label, key = kind.action
        url = secrets.get(key) or data.get(key)
        if url:
            action = (tr(label), url)
    context = {
        **ctx,
        "subject": subject,
        "paragraphs": paragraphs,
        "items": [plain(i) for i in data.get("items", [])],  # may name people
        "note": data.get("note"),
        "action": action,
        "event": event if kind.show_event and event is not None else None,
        "row": row,
        "ticket": kind.show_ticket and bool(secrets.get("ticket_code")),
        "ticket_code": secrets.get("ticket_code"),
        "ticket_cid": TICKET_CID,
        "manage_url": secrets.get("manage_url"),
        "not_me_url": (
            f"{secrets['manage_url']}/not-me" if kind.signup and secrets.get("manage_url") else None
        ),
        "base_url": settings.base_url,
        "calendar": kind.method is not None,
    }
    env = _environment()
    text = env.get_template("notifications/mail.txt").render(context)
    html = env.get_template("notifications/mail.html").render(context)
    return subject, text, html


@dataclass(frozen=True, slots=True)
class _Content:
    """What a mail says, before it is written as MIME."""

    kind: Kind
    language: str
    subject: str
    text: str
    html: str
    ticket_png: bytes | None
    calendar: bytes | None


def _content(message: Message, row: EventRow | None, settings: Settings, now: datetime) -> _Content:
    kind = KINDS[message.kind]
    data = json.loads(message.data or "{}")
    secrets = json.loads(message.secrets or "{}")
    name = message.recipient_name
    subject, text, html = render_parts(
        kind,
        row,
        language=message.language,
        name=name,
        data=data,
        secrets=secrets,
        settings=settings,
        now=now,
    )
    ticket = None
    if kind.show_ticket and secrets.get("ticket_code"):
        ticket = qr.png(secrets["ticket_code"])
    calendar = None
    if kind.method is not None and row is not None:
        calendar = itip.invitation(
            row,
            method=kind.method,
            organiser_mailbox=settings.organiser_mailbox,
            organiser_name=row.municipality_name,
            attendee_email=message.recipient,
            attendee_name=name,
            event_url=f"{settings.base_url}/events/{row.slug}",
            sequence_offset=int(data.get("sequence_offset", 0)),
            now=now,
            session_id=data.get("session_id"),
        )
    return _Content(kind, i18n.normalise(message.language), subject, text, html, ticket, calendar)


# --- MIME, written directly ------------------------------------------------------------------
#
# The layout is fixed (see the module docstring), so the bytes are written here instead of
# building an EmailMessage and flattening it (~2 ms less per mail). Headers that carry names or
# text (Subject, From, To) still go through the `email` package's header classes and its SMTP
# policy's folding: the same RFC 2047 encoding, and CR/LF refused. Bodies are quoted-printable
# (text, HTML, calendar) or base64 (PNG, .ics), so the message is 7-bit; multipart boundaries
# start with "=_", which neither encoding can produce (and are random: nested ones differ).
# tests/notifications/test_sender_throughput.py compares the result, part by part, with what
# the email package builds from the same content.

_SMTP = email.policy.SMTP.clone(header_factory=POLICY.header_factory)
_SMTPUTF8 = email.policy.SMTPUTF8.clone(header_factory=POLICY.header_factory)


@functools.lru_cache(maxsize=1024)
def _folded(name: str, value: str, smtputf8: bool) -> bytes:
    """A text header (the sender, a subject: the same for many mails), folded for SMTP."""
    _, header = POLICY.header_store_parse(name, value)  # refuses CR/LF
    return (_SMTPUTF8 if smtputf8 else _SMTP).fold_binary(name, header)


@functools.lru_cache(maxsize=64)
def _address_of(mail_from: str) -> str:
    """The envelope sender: the first address of the From header."""
    _, header = POLICY.header_store_parse("From", mail_from)
    return str(header.addresses[0].addr_spec)


def _plain_header(name: str, value: str) -> bytes:
    """A header whose value we made (ASCII tokens, a date, an id): written as it is."""
    line = f"{name}: {value}"
    if not (value.isascii() and value.isprintable()) or len(line) > 78:
        raise ValueError(f"{name} header cannot be written plainly: {value!r}")
    return line.encode("ascii") + b"\r\n"


def _qp(text: str) -> bytes:
    """UTF-8 text as quoted-printable with CRLF line ends (line ends normalised, as the email
    package's set_content does; lines of at most 76 characters)."""
    body = b"\n".join(text.encode("utf-8").splitlines()) + b"\n"
    return binascii.b2a_qp(body, istext=True).replace(b"\n", b"\r\n")


def _base64(data: bytes) -> bytes:
    return base64.encodebytes(data).replace(b"\n", b"\r\n")


def _leaf(content_type: str, encoding: str, body: bytes, *extra: str) -> bytes:
    head = [f"Content-Type: {content_type}", f"Content-Transfer-Encoding: {encoding}", *extra]
    return "".join(h + "\r\n" for h in head).encode("ascii") + b"\r\n" + body


def _multipart(subtype: str, parts: list[bytes]) -> tuple[bytes, bytes]:
    """(Content-Type header, body) of a multipart."""
    boundary = f"=_{uuid.uuid4().hex}".encode("ascii")
    head = b"Content-Type: multipart/" + subtype.encode("ascii") + b';\r\n boundary="'
    body = b"".join(b"--" + boundary + b"\r\n" + part + b"\r\n" for part in parts)
    return head + boundary + b'"\r\n', body + b"--" + boundary + b"--\r\n"


def recipient_address(name: str, recipient: str) -> Address:
    """The To address as it goes on the wire: the domain as IDNA, so only letters before the @
    need SMTPUTF8 from the server. An address that is not one (stored before the address rule)
    raises ValueError, and the message fails with the reason, to be corrected."""
    wire = addresses.for_mail(recipient.strip())
    local, _, domain = wire.rpartition("@")
    if local.isascii():
        return Address(display_name=_one_line(name), addr_spec=wire)  # parsed: refuses junk
    # The email package parses only ASCII local parts; this one passed the address rule.
    return Address(display_name=_one_line(name), username=local, domain=domain)


def _mime(content: _Content, message: Message, settings: Settings, now: datetime) -> Outgoing:
    _, to = POLICY.header_store_parse(
        "To", recipient_address(message.recipient_name, message.recipient)
    )
    envelope_from = _address_of(settings.mail_from)
    envelope_to = to.addresses[0].addr_spec
    smtputf8 = not (envelope_from + envelope_to).isascii()
    policy = _SMTPUTF8 if smtputf8 else _SMTP
    mid = message_id(message.id, settings)

    html = _leaf('text/html; charset="utf-8"', "quoted-printable", _qp(content.html))
    if content.ticket_png is not None:
        png = _leaf(
            "image/png",
            "base64",
            _base64(content.ticket_png),
            'Content-Disposition: inline; filename="ticket.png"',
            f"Content-ID: <{TICKET_CID}>",
        )
        head, body = _multipart("related", [html, png])
        html = head + b"\r\n" + body
    alternatives = [
        _leaf('text/plain; charset="utf-8"', "quoted-printable", _qp(content.text)),
        html,
    ]
    if content.calendar is not None:
        method = content.kind.method
        alternatives.append(
            _leaf(
                f'text/calendar; charset="utf-8"; method="{method}"',
                "quoted-printable",
                _qp(content.calendar.decode("utf-8")),
            )
        )
    head, body = _multipart("alternative", alternatives)
    if content.calendar is not None:
        ics = _leaf(
            "application/ics",
            "base64",
            _base64(content.calendar),
            'Content-Disposition: attachment; filename="invite.ics"',
        )
        head, body = _multipart("mixed", [head + b"\r\n" + body, ics])
    data = b"".join(
        [
            _folded("Subject", content.subject, smtputf8),
            _folded("From", settings.mail_from, smtputf8),
            policy.fold_binary("To", to),
            _plain_header("Message-ID", mid)
            if mid.isascii()
            else policy.fold_binary("Message-ID", mid),
            _plain_header("Date", format_datetime(now)),
            _plain_header("Auto-Submitted", "auto-generated"),
            _plain_header("X-Traffpunkt-Kind", content.kind.name),
            b"MIME-Version: 1.0\r\n",
            head,
            _plain_header("Content-Language", content.language),
            b"\r\n",
            body,
        ]
    )
    return Outgoing(mid, envelope_from, (envelope_to,), data, smtputf8)


def render_outgoing(
    message: Message, row: EventRow | None, settings: Settings, now: datetime
) -> Outgoing:
    """The mail of an outbox row, as it goes on the wire, with its envelope. Runs in render
    processes too, so everything in and out is picklable (rows, the settings, bytes)."""
    return _mime(_content(message, row, settings, now), message, settings, now)


def build(
    message: Message, row: EventRow | None, settings: Settings, now: datetime
) -> EmailMessage:
    """The same mail as an EmailMessage (parsed back from `render_outgoing`), for tests and
    tools; the sender sends `render_outgoing` bytes."""
    parsed = email.message_from_bytes(
        render_outgoing(message, row, settings, now).data, policy=POLICY
    )
    assert isinstance(parsed, EmailMessage)
    return parsed
