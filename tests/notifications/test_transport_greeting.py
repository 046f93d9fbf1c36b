"""The SMTP greeting before MAIL FROM, through aiosmtplib's public API: EHLO once per session,
HELO when the server refuses EHLO, and its failures classified like any SMTP error."""

from __future__ import annotations

from typing import Any

import aiosmtplib
import pytest

from notifications.transport import SmtpConfig, SmtpTransport, TemporaryFailure


class _Client:
    """Stands in for aiosmtplib.SMTP: only the members the greeting uses."""

    def __init__(self, ehlo_error: Exception | None = None, connected: bool = True) -> None:
        self.calls: list[str] = []
        self.ehlo_error = ehlo_error
        self.is_connected = connected
        self.is_ehlo_or_helo_needed = True

    async def ehlo(self) -> Any:
        self.calls.append("EHLO")
        if self.ehlo_error is not None:
            raise self.ehlo_error
        self.is_ehlo_or_helo_needed = False

    async def helo(self) -> Any:
        self.calls.append("HELO")
        self.is_ehlo_or_helo_needed = False


def _transport(client: _Client) -> SmtpTransport:
    transport = SmtpTransport(SmtpConfig.from_url("smtp://127.0.0.1:2525"))
    transport.client = client  # type: ignore[assignment]
    return transport


def test_the_public_members_used_exist() -> None:
    client = aiosmtplib.SMTP()
    assert client.is_ehlo_or_helo_needed is True
    assert callable(client.ehlo) and callable(client.helo)
    assert issubclass(aiosmtplib.SMTPHeloError, aiosmtplib.SMTPResponseException)


async def test_ehlo_once() -> None:
    client = _Client()
    transport = _transport(client)
    await transport._greet()
    await transport._greet()
    assert client.calls == ["EHLO"]


async def test_helo_when_ehlo_is_refused() -> None:
    client = _Client(ehlo_error=aiosmtplib.SMTPHeloError(502, "no EHLO here"))
    await _transport(client)._greet()
    assert client.calls == ["EHLO", "HELO"]


async def test_a_failed_greeting_is_a_temporary_failure_when_sending() -> None:
    client = _Client(ehlo_error=aiosmtplib.SMTPServerDisconnected("gone"), connected=False)
    with pytest.raises(TemporaryFailure):
        await _transport(client).send_outgoing(_Outgoing())  # type: ignore[arg-type]


class _Outgoing:
    smtputf8 = False
    sender = "a@example.org"
    recipients = ("b@example.org",)
    data = b""
