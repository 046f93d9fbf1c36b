"""Small checks of input that several concerns of events share: one-line names, topics (ids from
clients: `traffpunkt.ids.parse_id`)."""

from __future__ import annotations

from events import topics
from traffpunkt.errors import Invalid


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
