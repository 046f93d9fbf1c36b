"""Where rendered mail goes: an SMTP server (aiosmtplib) or, without one, a folder of .eml files.

`TRAFFPUNKT_SMTP_URL`: `smtp://host:port` (STARTTLS when the server offers it), `smtps://host:465`
(implicit TLS), with optional `user:password@`. Add `?starttls=require` to refuse plain text or
`?starttls=off` for a local relay without TLS.

The sender hands transports `Outgoing` mail: the bytes as they go on the wire plus the envelope,
made by `prepare()` wherever the message was rendered (possibly in a render process).
"""

from __future__ import annotations

import os
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol
from urllib.parse import parse_qs, unquote, urlsplit

import aiosmtplib
import aiosmtplib.email


class TemporaryFailure(Exception):
    """Try again later (4xx, connection trouble)."""


class PermanentFailure(Exception):
    """Do not try again (5xx: refused address, message rejected)."""


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A rendered mail, ready for any transport (picklable: render processes return these)."""

    message_id: str
    sender: str
    recipients: tuple[str, ...]
    data: bytes  # CRLF line endings, as sent in DATA
    smtputf8: bool  # an address is not ASCII: MAIL FROM needs SMTPUTF8


def prepare(message: EmailMessage) -> Outgoing:
    """What aiosmtplib's `send_message` does before `sendmail`: the envelope from the headers
    (Bcc dropped from the bytes), flattened with the SMTP policy (CRLF). Our parts are
    quoted-printable or base64, so the bytes are 7-bit whatever the server's 8BITMIME."""
    sender = aiosmtplib.email.extract_sender(message)
    recipients = aiosmtplib.email.extract_recipients(message)
    if sender is None or not recipients:
        raise ValueError("a mail needs From and To")
    smtputf8 = not (sender + "".join(recipients)).isascii()
    data = aiosmtplib.email.flatten_message(
        message, utf8=smtputf8, cte_type="8bit" if smtputf8 else "7bit"
    )
    return Outgoing(str(message["Message-ID"]), sender, tuple(recipients), data, smtputf8)


class Transport(Protocol):
    async def __aenter__(self) -> Transport: ...
    async def __aexit__(self, *exc: object) -> None: ...
    async def send(self, message: EmailMessage) -> None: ...
    async def send_outgoing(self, mail: Outgoing) -> None: ...


@dataclass(frozen=True, slots=True)
class SmtpConfig:
    host: str
    port: int
    implicit_tls: bool
    starttls: bool | None  # None: when offered
    username: str | None
    password: str | None
    timeout: float = 30.0

    @classmethod
    def from_url(cls, url: str) -> SmtpConfig:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps"):
            raise SystemExit(f"TRAFFPUNKT_SMTP_URL must be smtp:// or smtps://, got {url!r}")
        query = parse_qs(parts.query)
        starttls = {"require": True, "off": False}.get(query.get("starttls", [""])[0])
        implicit = parts.scheme == "smtps"
        return cls(
            host=parts.hostname or "localhost",
            port=parts.port or (465 if implicit else 25),
            implicit_tls=implicit,
            starttls=False if implicit else starttls,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
        )


class SmtpTransport:
    """One connection for a batch; errors classified as temporary or permanent."""

    def __init__(self, config: SmtpConfig, tls_context: ssl.SSLContext | None = None) -> None:
        self.config = config
        self.client = aiosmtplib.SMTP(
            hostname=config.host,
            port=config.port,
            use_tls=config.implicit_tls,
            start_tls=config.starttls,
            username=config.username,
            password=config.password,
            timeout=config.timeout,
            tls_context=tls_context,
        )

    async def __aenter__(self) -> SmtpTransport:
        try:
            await self.client.connect()
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise TemporaryFailure(
                f"cannot connect to {self.config.host}:{self.config.port}: {exc}"
            ) from exc
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self.client.is_connected:
            try:
                await self.client.quit()
            except (aiosmtplib.SMTPException, OSError):
                self.client.close()

    async def send(self, message: EmailMessage) -> None:
        await self.send_outgoing(prepare(message))

    async def _greet(self) -> None:
        """EHLO (HELO if the server refuses it) unless this session has greeted already, so
        that `supports_extension` knows the server's extensions before MAIL FROM: what
        aiosmtplib's `sendmail` does first, through public API (`is_ehlo_or_helo_needed`,
        `ehlo`, `helo`). Its errors are SMTP errors, handled by the caller."""
        if not self.client.is_ehlo_or_helo_needed:
            return
        try:
            await self.client.ehlo()
        except aiosmtplib.SMTPHeloError:
            if not self.client.is_connected:
                raise
            await self.client.helo()

    async def send_outgoing(self, mail: Outgoing) -> None:
        try:
            options = []
            if mail.smtputf8:
                options.append("SMTPUTF8")
            await self._greet()
            if mail.smtputf8 and not self.client.supports_extension("SMTPUTF8"):
                # Permanent: retrying cannot help; the address is shown for correction (and
                # TRAFFPUNKT_SMTP_UTF8 should be off for this relay).
                raise PermanentFailure(
                    "the mail server does not offer SMTPUTF8, which an address with letters "
                    f"such as å before the @ needs: {', '.join(mail.recipients)}"
                )
            if self.client.supports_extension("8BITMIME"):
                options.append("BODY=8BITMIME")  # as aiosmtplib's send_message does
            await self.client.sendmail(
                mail.sender, list(mail.recipients), mail.data, mail_options=options
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            codes = [e.code for e in exc.recipients]
            text = "; ".join(f"{e.code} {e.message}" for e in exc.recipients)
            if all(500 <= c < 600 for c in codes):
                raise PermanentFailure(text) from exc
            raise TemporaryFailure(text) from exc
        except aiosmtplib.SMTPResponseException as exc:
            text = f"{exc.code} {exc.message}"
            if 500 <= exc.code < 600:
                raise PermanentFailure(text) from exc
            raise TemporaryFailure(text) from exc
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise TemporaryFailure(str(exc) or exc.__class__.__name__) from exc
        except ValueError as exc:  # aiosmtplib refuses an address it cannot send safely
            raise PermanentFailure(f"cannot send to {list(mail.recipients)}: {exc}") from exc


class FolderTransport:
    """Writes each message to `<folder>/<Message-ID>.eml` (atomic rename; a re-send overwrites)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    async def __aenter__(self) -> FolderTransport:
        self.folder.mkdir(parents=True, exist_ok=True)
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None

    async def send(self, message: EmailMessage) -> None:
        await self.send_outgoing(prepare(message))

    async def send_outgoing(self, mail: Outgoing) -> None:
        name = mail.message_id.strip("<>").replace("/", "_")
        path = self.folder / f"{name}.eml"
        tmp = path.with_suffix(".tmp")
        try:
            tmp.write_bytes(mail.data.replace(b"\r\n", b"\n"))  # as message.as_bytes() writes
            os.replace(tmp, path)
        except OSError as exc:
            raise TemporaryFailure(f"cannot write {path}: {exc}") from exc


def transport_for(smtp_url: str | None, mail_dir: Path) -> Transport:
    if smtp_url:
        return SmtpTransport(SmtpConfig.from_url(smtp_url))
    return FolderTransport(mail_dir)
