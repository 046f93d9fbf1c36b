"""A real SMTP server (aiosmtpd) inside the test process, and an event to write mail about."""

from __future__ import annotations

import asyncio
import dataclasses
import email
import email.policy
from collections import deque
from collections.abc import Iterator
from email.message import EmailMessage
from typing import Any

import msgspec
import pytest
from aiosmtpd.controller import Controller

from tests.live import free_port
from traffpunkt.settings import Settings, get_settings


class Recorder:
    """Records every accepted mail; can answer DATA with scripted codes or refuse addresses."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.data_responses: deque[str] = deque()
        self.refuse: dict[str, str] = {}
        self.connections = 0
        self.delay = 0.0  # seconds before answering DATA: a slow server, to act mid-batch

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.data_responses:
            answer = self.data_responses.popleft()
            if not answer.startswith("250"):
                return answer
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(message)  # type: ignore[arg-type]
        return "250 Message accepted"

    def by_id(self, message_id: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["Message-ID"] == message_id]


@pytest.fixture
def smtp() -> Iterator[Recorder]:
    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=free_port())
    controller.start()
    recorder.port = controller.port  # type: ignore[attr-defined]
    try:
        yield recorder
    finally:
        controller.stop()


@pytest.fixture
def mail_settings(smtp: Recorder) -> Settings:
    return dataclasses.replace(
        get_settings(),
        smtp_url=f"smtp://127.0.0.1:{smtp.port}?starttls=off",  # type: ignore[attr-defined]
    )


@pytest.fixture
async def event(world: Any) -> dict[str, Any]:
    """A published event with a venue in Åsele; returns its row (events.queries.event)."""
    from events import organisers, service
    from events.schemas import EventIn, VenueIn
    from traffpunkt.auth import Principal

    admin = Principal(
        await organisers.ensure_organiser("admin@example.se", "admin"), "admin@example.se", "admin"
    )
    venue = await service.create_venue(
        admin,
        VenueIn(
            municipality="asele",
            name="Folkets hus, stora salen",
            address="Storgatan 18, 919 31 Åsele",
        ),
    )
    ev = await service.create_event(
        admin,
        EventIn(
            title="Digital marknadsföring, steg 1; grunder",
            description="Rad ett\nRad två",
            kind="seminar",
            municipality="asele",
            venue_id=venue.id,
            starts_at="2027-03-04T09:00",
            ends_at="2027-03-04T12:00",
            capacity=30,
        ),
    )
    await service.publish_event(admin, ev.id)
    row = await service.event_for_mail(ev.id)
    assert row is not None
    # The tests read the event's fields and its admin by key; the row itself is frozen.
    return {**msgspec.structs.asdict(row), "admin": admin}
