"""The fast statement paths (`prepared`, `insert_row`, `hot`) and the rule that turns compiled
SQL back into a template (`as_template`): what they build, and that they give what Piccolo's
own queries give, on both engines."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

import pytest

from tests.db.scratch import scratch_table
from traffpunkt import db


@pytest.mark.parametrize(
    ("sql", "engine_type", "n", "template"),
    [
        ("SELECT a WHERE x = ? AND y = ?", "sqlite", 2, "SELECT a WHERE x = {} AND y = {}"),
        ("SELECT a WHERE x = $1 AND y = $2", "postgres", 2, "SELECT a WHERE x = {} AND y = {}"),
        ("SELECT a FROM t WHERE " + " OR ".join(f"x = ${i}" for i in range(1, 12)), "postgres", 11,
         "SELECT a FROM t WHERE " + " OR ".join("x = {}" for _ in range(11))),
        # Literal braces would become placeholders: refused.
        ("SELECT '{}' FROM t WHERE x = ?", "sqlite", 1, None),
        # A '?' in a string literal makes the count differ from the arguments: refused.
        ("SELECT 'why?' FROM t WHERE x = ?", "sqlite", 1, None),
        ("SELECT a FROM t WHERE x = $1", "postgres", 2, None),
    ],
)  # fmt: skip
def test_as_template(sql: str, engine_type: str, n: int, template: str | None) -> None:
    assert db.as_template(sql, engine_type, n) == template


async def test_prepared_gives_what_piccolo_gives(engine: Any) -> None:
    table = await scratch_table(engine)
    at = datetime(2026, 11, 29, 12, tzinfo=UTC)
    for i, name in enumerate(["a", "b", "c"]):
        await table.insert(table(name=name, n=i, at=at + timedelta(hours=i), ats=[]))
    by_name = db.prepared(
        lambda name, n: table.select(table.id, table.name, table.n, table.at).where(
            (table.name == name) & (table.n >= n)
        ),
        first=True,
    )
    for name, n in [("b", 0), ("c", 2), ("a", 1)]:
        expected = (
            await table.select(table.id, table.name, table.n, table.at)
            .where((table.name == name) & (table.n >= n))
            .first()
        )
        assert await by_name(name, n) == expected
    many = db.prepared(lambda n: table.select(table.name).where(table.n >= n).order_by(table.n))
    assert await many(1) == [{"name": "b"}, {"name": "c"}]
    async with db.transaction():  # on SQLite: inline on the writer
        assert (await by_name("a", 0))["n"] == 0


async def test_prepared_update_returning(engine: Any) -> None:
    table = await scratch_table(engine)
    await table.insert(table(name="a", n=1, at=datetime.now(UTC), ats=[]))
    bump = db.prepared(
        lambda name, n: table.update({table.n: n}).where(table.name == name).returning(table.n),
        first=True,
    )
    async with db.transaction():
        assert await bump("a", 5) == {"n": 5}
        assert await bump("nobody", 5) is None


async def test_insert_row_fills_defaults_as_piccolo_does(engine: Any) -> None:
    table = await scratch_table(engine)
    before = datetime.now(UTC)
    async with db.transaction():
        assert await db.insert_row(table, {"name": "a", "ats": []})
    row = await table.select().where(table.name == "a").first()
    assert row is not None
    assert isinstance(row["id"], uuid.UUID)  # UUID4() evaluated, as Table(**values) does
    assert row["n"] == 0
    assert row["at"] >= before - timedelta(seconds=1)
    with pytest.raises(ValueError, match="unknown columns"):
        await db.insert_row(table, {"nom": "a"})


async def test_insert_row_on_conflict_do_nothing(engine: Any) -> None:
    table = await scratch_table(engine)
    key = uuid.uuid4()
    async with db.transaction():
        assert await db.insert_row(table, {"id": key, "name": "a", "ats": []}, "id")
        assert not await db.insert_row(table, {"id": key, "name": "b", "ats": []}, "id")
    assert await table.count() == 1


async def test_hot_runs_sql_with_values(engine: Any) -> None:
    table = await scratch_table(engine)
    await table.insert(table(name="a", n=4, at=datetime.now(UTC), ats=[]))
    assert await db.hot("SELECT n FROM db_scratch WHERE name = {}", "a") == [{"n": 4}]
    async with db.transaction():
        rows = await db.hot("UPDATE db_scratch SET n = n + 1 WHERE name = {} RETURNING n", "a")
    assert rows == [{"n": 5}]


async def test_insert_row_evaluates_defaults_per_row_and_converts_values(engine: Any) -> None:
    """Constants are planned once, but a `Default` (a new id) is made for each row, and values
    that are not plain (an enum) are converted as Piccolo converts them; outside a
    transaction too (on PostgreSQL the pool's connection, on SQLite Piccolo's path)."""
    table = await scratch_table(engine)

    class Name(StrEnum):
        A = "a"

    assert await db.insert_row(table, {"name": Name.A, "ats": []})
    assert await db.insert_row(table, {"name": "b", "n": 7, "ats": []})
    rows = await table.select(table.id, table.name, table.n).order_by(table.name)
    assert [(r["name"], r["n"]) for r in rows] == [("a", 0), ("b", 7)]
    assert type(rows[0]["name"]) is str
    assert rows[0]["id"] != rows[1]["id"]


async def test_hot_numbers_values_in_order(engine: Any) -> None:
    table = await scratch_table(engine)
    for i, name in enumerate("abcd"):
        await table.insert(table(name=name, n=i, at=datetime.now(UTC), ats=[]))
    sql = "SELECT name FROM db_scratch WHERE n >= {} AND n < {} AND name <> {} ORDER BY n"
    assert await db.hot(sql, 1, 4, "c") == [{"name": "b"}, {"name": "d"}]
    async with db.transaction():
        assert await db.hot(sql, 0, 2, "z") == [{"name": "a"}, {"name": "b"}]
