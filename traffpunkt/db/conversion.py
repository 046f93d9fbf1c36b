"""SQLite values to Python: leaner stand-ins for three of Piccolo's sqlite3 converters.

`sqlite3.register_converter` is process-wide: a converter registered here is used by every
connection opened with `detect_types` (Piccolo's and piccolo-admin's too). Importing this module
replaces Piccolo's converters for the declared types TIMESTAMPTZ, INTEGER and UUID and nothing
else (Piccolo's ARRAY_* converters call its own functions and keep them). The results are the
same as Piccolo's for every value SQLite passes (bytes); only the cost differs: Piccolo wraps
each converter in a bytes/str dispatcher and parses every INTEGER through Decimal (~0.6 ms per
page of 50 events). `tests/db/test_piccolo_contract.py` compares them value by value with
Piccolo's own `CONVERTERS`, and checks that a Piccolo query (as piccolo-admin makes) still
returns datetime/UUID/int.

The module must be imported after `piccolo.engine.sqlite` (which registers Piccolo's), which it
does itself.
"""

from __future__ import annotations

import sqlite3
import uuid
from datetime import UTC, datetime
from decimal import Decimal

import piccolo.engine.sqlite  # noqa: F401  (registers Piccolo's converters first: ours win)


def timestamptz_out(value: bytes) -> datetime:
    return datetime.fromisoformat(value.decode()).replace(tzinfo=UTC)


def integer_out(value: bytes) -> int:
    try:
        return int(value)
    except ValueError:  # e.g. b"1.0": Piccolo's rule, without its Decimal on the common path
        return int(Decimal(value.decode()))


def uuid_out(value: bytes) -> uuid.UUID:
    return uuid.UUID(value.decode())


# Declared column type -> converter (sqlite3 matches the names case-insensitively).
CONVERTERS = {"TIMESTAMPTZ": timestamptz_out, "INTEGER": integer_out, "UUID": uuid_out}


def register() -> None:
    for name, converter in CONVERTERS.items():
        sqlite3.register_converter(name, converter)


register()
