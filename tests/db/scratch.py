"""A table of the column types the database layer converts, for the db tests only."""

from __future__ import annotations

from typing import Any

from piccolo.columns import UUID, Array, Integer, Timestamptz, Varchar
from piccolo.table import Table


class DbScratch(Table, tablename="db_scratch"):
    id = UUID(primary_key=True)
    name = Varchar(length=50, unique=True)
    n = Integer(default=0)
    at = Timestamptz()
    ats = Array(Timestamptz())


async def scratch_table(engine: Any) -> type[DbScratch]:
    """DbScratch on `engine`, created once per database and emptied."""
    DbScratch._meta.db = engine
    await DbScratch.create_table(if_not_exists=True)
    await DbScratch.delete(force=True)
    return DbScratch
