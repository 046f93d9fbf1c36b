"""Small private helpers that several concerns of registrations share (no rules of their own)."""

from __future__ import annotations

from events import topics
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
