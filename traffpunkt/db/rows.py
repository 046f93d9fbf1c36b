"""Piccolo's dict rows as typed rows: the one conversion every domain's `queries.py` uses.

The engines already give typed values (`UUID`, aware `datetime`, `int`; SQLite through
`traffpunkt.db.conversion`), so this only checks them and builds the Struct; text that names
a `StrEnum` member (a status, a kind, a role) becomes that member. Columns the row type does
not name are ignored. `msgspec.convert` (~1.4 µs per 36-field event row) was measured against
constructing the Struct by keyword (~1.2 µs): the difference is within the noise of a page of
50 events, and convert also checks every value and turns statuses into their enums.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar
from uuid import UUID

import msgspec

R = TypeVar("R", bound=msgspec.Struct)


def rows_of(rows: Iterable[Mapping[str, Any]], row_type: type[R]) -> list[R]:
    """Every row as `row_type`."""
    # mypy cannot check a `list[...]` of a type variable passed at run time: it is list[R].
    converted: list[R] = msgspec.convert(rows, list[row_type], strict=False)  # type: ignore[valid-type]
    return converted


def row_of(row: Mapping[str, Any] | None, row_type: type[R]) -> R | None:
    """One row as `row_type`, None stays None (`.first()` found nothing)."""
    return None if row is None else msgspec.convert(row, row_type, strict=False)


def returned_uuid(value: Any) -> UUID:
    """An id from a raw statement's RETURNING: typed on PostgreSQL, text on SQLite (the column
    carries no declared type there, so no converter runs)."""
    return value if isinstance(value, UUID) else UUID(str(value))
