"""Database errors recognised by their type (and SQLite's result code), never by message text."""

from __future__ import annotations

import sqlite3

from asyncpg.exceptions import UniqueViolationError

# SQLite's extended result codes for a broken UNIQUE or PRIMARY KEY constraint
# (https://www.sqlite.org/rescode.html); Python >= 3.11 sets `sqlite_errorcode`.
_SQLITE_UNIQUE_CODES = frozenset(
    {sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY}
)
_SQLITE_BUSY_CODES = frozenset({sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED})


def is_unique_violation(exc: BaseException) -> bool:
    """True if `exc` is a broken UNIQUE (or primary key) constraint, on either engine."""
    if isinstance(exc, UniqueViolationError):
        return True
    return (
        isinstance(exc, sqlite3.IntegrityError)
        and getattr(exc, "sqlite_errorcode", None) in _SQLITE_UNIQUE_CODES
    )


def is_busy(exc: BaseException) -> bool:
    """True if SQLite gave up waiting for a lock (SQLITE_BUSY / SQLITE_LOCKED and their
    extended codes, whose low byte is the primary code)."""
    code = getattr(exc, "sqlite_errorcode", None)
    return (
        isinstance(exc, sqlite3.OperationalError)
        and code is not None
        and code & 0xFF in _SQLITE_BUSY_CODES
    )
