"""Small checks of input that several concerns of events share: ids, one-line names, topics."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from events import topics
from traffpunkt.errors import Invalid, NotFound


def _uuid(value: Any, field: str | None = None, what: str = "item") -> UUID:
    if isinstance(value, UUID):
        return value
    try:
        return UUID(str(value))
    except ValueError:
        if field is not None:
            raise Invalid.field(field, "Not a valid id") from None
        raise NotFound("Nothing with this id") from None


def one_line(text: str, field: str = "title") -> str:
    """Titles and names are one line: no CR/LF reaches a mail header or a page title."""
    line = " ".join(text.split())
    if not line:
        raise Invalid.field(field, "This cannot be empty")
    return line


def check_topics(slugs: list[str], field: str = "topics") -> None:
    if bad := topics.unknown(slugs):
        raise Invalid.field(
            field,
            "Unknown topics: {topics}. See /api/v1/topics for the list",
            topics=", ".join(bad),
        )
