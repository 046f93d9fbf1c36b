"""A survey round in Åsele and Arvidsjaur, open now, made through the service."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from events import organisers
from surveys import service
from surveys.schemas import AnswerIn, RoundIn, RoundOut
from tests.conftest import World
from traffpunkt.auth import Principal
from traffpunkt.clock import utc_now
from traffpunkt.companies import luhn_ok


def org_number(nine: str) -> str:
    """A valid organisation number (Luhn check digit added) from nine digits."""
    digit = next(str(d) for d in range(10) if luhn_ok(nine + str(d)))
    return f"{nine[:6]}-{nine[6:]}{digit}"


ORG = [org_number(f"5560{n:05d}") for n in range(1, 11)]


async def admin() -> Principal:
    admin_id = await organisers.ensure_organiser("admin@example.se", "admin")
    return Principal(admin_id, "admin@example.se", "admin")


@pytest.fixture
async def open_round(engine: Any, world: World) -> RoundOut:
    today = utc_now().date()
    return await service.create_round(
        await admin(),
        RoundIn(
            title="Kompetensbehov hösten 2026",
            intro="Vad behöver ditt företag?",
            municipalities=["asele", "arvidsjaur"],
            opens_at=(today - timedelta(days=3)).isoformat(),
            closes_at=(today + timedelta(days=20)).isoformat(),
        ),
    )


def answer(org: str = ORG[0], **kw: Any) -> AnswerIn:
    values: dict[str, Any] = {
        "company_name": "Lappland Turism AB",
        "org_number": org,
        "municipality": "asele",
        "sector": "I",
        "size_band": "1-4",
        "contact_name": "Karin Nilsson",
        "email": "karin@lapplandturism.se",
        "needs": {"e-commerce": 3, "social-media": 1},
        "offers": ["tourism"],
        "free_text": "Bokningssystem",
        "contact_consent": True,
        "networking_consent": False,
    }
    values.update(kw)
    return AnswerIn(**values)
