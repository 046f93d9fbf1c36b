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

Headers are built with the `email` package's header registry, which refuses CR/LF injection.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

import jinja2

from events import service as events_service
from notifications import itip
from notifications.kinds import KINDS, Kind
from traffpunkt import i18n, qr
from traffpunkt.settings import Settings
from traffpunkt.templating import configure_environment, i18n_context, template_dirs

TICKET_CID = "ticket@traffpunkt"


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


@dataclass(frozen=True, slots=True)
class Rendered:
    subject: str
    text: str
    html: str
    calendar: bytes | None
    method: str | None


def render_parts(
    kind: Kind,
    row: dict[str, Any] | None,
    *,
    language: str,
    name: str,
    data: dict[str, Any],
    secrets: dict[str, Any],
    settings: Settings,
) -> tuple[str, str, str]:
    """(subject, text, html) of a mail; exposed for tests and the render benchmark."""
    lang = i18n.normalise(language)
    ctx = i18n_context(lang)
    event = events_service.event_out(row) if row is not None else None
    params = {
        "title": event.title if event is not None else "Träffpunkt",
        "name": name or "",
        **{k: v for k, v in data.items() if isinstance(v, str | int)},
    }
    tr = ctx["gettext"]
    subject = _one_line(tr(kind.subject).format(**params))
    paragraphs = [tr(p).format(**params) for p in kind.paragraphs]
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
        "items": [str(i) for i in data.get("items", [])],
        "note": data.get("note"),
        "action": action,
        "event": event if kind.show_event and event is not None else None,
        "row": row,
        "ticket": kind.show_ticket and bool(secrets.get("ticket_code")),
        "ticket_code": secrets.get("ticket_code"),
        "ticket_cid": TICKET_CID,
        "manage_url": secrets.get("manage_url"),
        "base_url": settings.base_url,
        "calendar": kind.method is not None,
    }
    env = _environment()
    text = env.get_template("notifications/mail.txt").render(context)
    html = env.get_template("notifications/mail.html").render(context)
    return subject, text, html


def build(
    message: dict[str, Any], row: dict[str, Any] | None, settings: Settings, now: datetime
) -> EmailMessage:
    kind = KINDS[message["kind"]]
    data = json.loads(message["data"] or "{}")
    secrets = json.loads(message["secrets"] or "{}")
    name = message["recipient_name"]
    subject, text, html = render_parts(
        kind,
        row,
        language=message["language"],
        name=name,
        data=data,
        secrets=secrets,
        settings=settings,
    )
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = settings.mail_from
    msg["To"] = Address(display_name=_one_line(name), addr_spec=message["recipient"].strip())
    msg["Message-ID"] = message_id(message["id"], settings)
    msg["Date"] = format_datetime(now)
    msg["Auto-Submitted"] = "auto-generated"
    msg["X-Traffpunkt-Kind"] = kind.name
    msg.set_content(text, subtype="plain", cte="quoted-printable")
    msg.add_alternative(html, subtype="html", cte="quoted-printable")
    if kind.show_ticket and secrets.get("ticket_code"):
        html_part = msg.get_payload()[1]
        html_part.add_related(
            qr.png(secrets["ticket_code"]),
            maintype="image",
            subtype="png",
            cid=f"<{TICKET_CID}>",
            filename="ticket.png",
            disposition="inline",
        )
    if kind.method is not None and row is not None:
        calendar = itip.invitation(
            row,
            method=kind.method,
            organiser_mailbox=settings.organiser_mailbox,
            organiser_name=row["municipality_name"],
            attendee_email=message["recipient"],
            attendee_name=name,
            event_url=f"{settings.base_url}/events/{row['slug']}",
            sequence_offset=int(data.get("sequence_offset", 0)),
            now=now,
        )
        msg.add_alternative(
            calendar.decode(),
            subtype="calendar",
            charset="utf-8",
            cte="quoted-printable",
            params={"method": kind.method},
        )
        msg.add_attachment(
            calendar,
            maintype="application",
            subtype="ics",
            filename="invite.ics",
        )
    # Last: set_content() and friends drop Content-* headers set before them.
    msg["Content-Language"] = i18n.normalise(message["language"])
    return msg
