"""Ids given by people and clients (paths, forms, JSON): one parser, one error for each case.

Rows read from the database carry `UUID`s already (typed rows): this is for input only.
"""

from __future__ import annotations

from uuid import UUID

from traffpunkt.errors import Invalid, NotFound


def parse_id(value: object, *, field: str | None = None) -> UUID:
    """A `UUID` from what a client sent. Not an id at all: 422 naming `field` when the id came
    in a body or form field, else 404 (an id in a path that cannot exist is not found)."""
    if isinstance(value, UUID):
        return value
    try:
        return UUID(str(value))
    except ValueError:
        if field is not None:
            raise Invalid.field(field, "Not a valid id") from None
        raise NotFound("Nothing with this id") from None
