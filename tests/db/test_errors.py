"""Database errors recognised by type and result code, on both engines."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.db.scratch import scratch_table
from traffpunkt import db
from traffpunkt.db.errors import is_busy


async def test_a_duplicate_is_a_unique_violation_through_piccolo_and_insert_row(
    engine: Any,
) -> None:
    table = await scratch_table(engine)
    now = datetime.now(UTC)
    await table.insert(table(name="a", at=now, ats=[]))
    with pytest.raises(Exception) as caught:
        await table.insert(table(name="a", at=now, ats=[]))
    assert db.is_unique_violation(caught.value)
    with pytest.raises(Exception) as caught:
        async with db.transaction():
            await db.insert_row(table, {"name": "a", "at": now, "ats": []})
    assert db.is_unique_violation(caught.value)


async def test_other_errors_are_not_unique_violations(engine: Any) -> None:
    table = await scratch_table(engine)
    with pytest.raises(Exception) as caught:
        await table.raw("SELECT nothing FROM db_scratch")
    assert not db.is_unique_violation(caught.value)
    assert not db.is_unique_violation(ValueError("unique"))  # words do not count
    assert not db.is_unique_violation(sqlite3.IntegrityError("UNIQUE constraint failed"))


@pytest.mark.parametrize("engine_name", ["sqlite"])
async def test_not_null_is_an_integrity_error_but_not_a_unique_violation(engine: Any) -> None:
    await scratch_table(engine)
    with pytest.raises(sqlite3.IntegrityError) as caught:
        await db.hot("INSERT INTO db_scratch (id, name) VALUES ({}, NULL)", "x")
    assert not db.is_unique_violation(caught.value)


def test_busy_is_recognised_by_result_code(tmp_path: Any) -> None:
    path = tmp_path / "busy.db"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (n INTEGER)")
    holder.execute("BEGIN IMMEDIATE")
    other = sqlite3.connect(path, isolation_level=None, timeout=0)
    try:
        with pytest.raises(sqlite3.OperationalError) as caught:
            other.execute("BEGIN IMMEDIATE")
        assert is_busy(caught.value)
        with pytest.raises(sqlite3.OperationalError) as caught:
            other.execute("SELECT nothing FROM t")
        assert not is_busy(caught.value)
    finally:
        other.close()
        holder.rollback()
        holder.close()
