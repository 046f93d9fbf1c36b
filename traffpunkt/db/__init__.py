"""The database layer: SQLite (embedded default) and PostgreSQL (production) behind one small
interface. Domains use only the names below; what is behind them, and why, is in
docs/architecture.md ("The database layer").

Modules, each named for what it holds:
- `engines`: which engine (`make_engine`), bound to the tables the app hands in (`bind`,
  `bound_tables`, `engine`, `is_sqlite`), started and stopped (`start`, `stop`);
  `transaction()` for writing transactions;
- `statements`: the fast statement paths (`prepared`, `insert_row`, `insert_select` with `Sql`
  and `OneOf`, `hot`, `as_template`);
- `errors`: database errors recognised by type (`is_unique_violation`);
- `sqlite_engine`: Piccolo's SQLite engine and transaction adapted (BEGIN guard, write lock,
  persistent writer, read pool): the only module that relies on Piccolo's private behaviour,
  pinned by tests/db/test_piccolo_contract.py;
- `sqlite_connections`: the writer and read connections (sqlite3 and aiosqlite, public API);
- `rows`: Piccolo's dict rows as typed rows (`rows_of`, `row_of`), for every `queries.py`;
- `conversion`: the process-wide sqlite3 converters that replace three of Piccolo's.

Business code opens writing transactions with `transaction()` and never names an engine.
"""

from __future__ import annotations

from traffpunkt.db import conversion as conversion  # registers the converters (see there)
from traffpunkt.db.engines import (
    bind,
    bound_tables,
    engine,
    is_sqlite,
    make_engine,
    pool_usage,
    start,
    stop,
    transaction,
)
from traffpunkt.db.errors import is_unique_violation
from traffpunkt.db.rows import returned_uuid, row_of, rows_of
from traffpunkt.db.sqlite_engine import TraffpunktSQLiteEngine
from traffpunkt.db.statements import (
    OneOf,
    Sql,
    as_template,
    hot,
    insert_row,
    insert_select,
    prepared,
)

__all__ = [
    "OneOf",
    "Sql",
    "TraffpunktSQLiteEngine",
    "as_template",
    "bind",
    "bound_tables",
    "engine",
    "hot",
    "insert_row",
    "insert_select",
    "is_sqlite",
    "is_unique_violation",
    "make_engine",
    "pool_usage",
    "prepared",
    "returned_uuid",
    "row_of",
    "rows_of",
    "start",
    "stop",
    "transaction",
]
