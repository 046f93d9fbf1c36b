"""A mail that cannot be rendered is logged (with the reason) without its address."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from notifications import service
from notifications.tables import OutboxMessage
from notifications.worker import Sender
from tests.notifications.conftest import Recorder
from traffpunkt import db, logs
from traffpunkt.settings import Settings


@pytest.fixture
def log_text() -> Iterator[io.StringIO]:
    """Everything logged during the test, through a plain handler without any filter: the
    records themselves are redacted (logs.install, as serve and worker do)."""
    logs.install()
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield out
    finally:
        root.removeHandler(handler)


async def test_a_mail_render_error_logs_no_address(
    event: dict[str, Any], mail_settings: Settings, smtp: Recorder, log_text: io.StringIO
) -> None:
    async with db.transaction():
        message_id = await service.enqueue(
            "confirmed",
            to="anna.berg@asele.se",
            name="Anna Berg",
            event_id=event["id"],
            data={"sequence_offset": 0},
            secrets={"manage_url": "http://testserver/r/abc", "ticket_code": "TP1.test-ticket"},
        )
        # What an address pasted from Outlook did before addresses were checked at sign-up.
        await OutboxMessage.update({OutboxMessage.recipient: "anna.berg@asele.se;"}).where(
            OutboxMessage.id == message_id
        )
    assert await Sender(mail_settings).run_once() == 1
    assert (await service.message_status(message_id)).status == "failed"
    text = log_text.getvalue()
    assert f"cannot render message {message_id}" in text, text
    assert "***@asele.se" in text  # the exception's text, with the domain kept
    assert "anna.berg" not in text
