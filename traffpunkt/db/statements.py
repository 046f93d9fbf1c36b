"""The fast statement paths of sign-up and check-in: queries built and compiled once
(`prepared`, `insert_row`, `insert_select`), short statements written as SQL (`hot`), and how
they run (`_run_hot`: on SQLite inline on the event loop's thread, on PostgreSQL straight on
asyncpg with the numbered SQL made once).

Building and compiling a Piccolo query costs 0.1-0.8 ms a call, a large share of a sign-up or
check-in, so these build once and rerun with new values. They use Piccolo's public query API
(`querystrings`, `QueryString.compile_string`, `QueryString(template, *values)`,
`convert_to_sql_value`, `Table._meta`); how compiled SQL becomes a template again
(`as_template`) is pinned by tests/db/test_statements.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from piccolo.columns import JSON, JSONB, Column
from piccolo.columns.defaults.base import Default
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.querystring import QueryString
from piccolo.table import Table
from piccolo.utils.sql_values import convert_to_sql_value

from traffpunkt.db.engines import engine
from traffpunkt.db.sqlite_connections import InlineWriter
from traffpunkt.db.sqlite_engine import TraffpunktSQLiteEngine


def default_value(column: Column) -> Any:
    """The value `Table(**values)` gives a missing column: its default, with a Piccolo `Default`
    (e.g. `UUID4()`, `TimestamptzNow()`) evaluated as Python."""
    value = column.get_default_value()
    return value.python() if isinstance(value, Default) else value


# Values that Piccolo's `convert_to_sql_value` passes through unchanged (for a non-JSON column):
# checked by type first, which saves its per-call imports and isinstance chain (a registration
# has 30 columns, so this was a tenth of a sign-up's Python time).
_PLAIN = frozenset({str, int, float, bool, type(None), UUID, datetime, date, Decimal, bytes})


def as_template(sql: str, engine_type: str, n_args: int) -> str | None:
    """Compiled SQL back to a QueryString template (its placeholders become `{}` again, in
    order), so it can be rerun with new values without building the query again; None if that
    is not safe (literal braces, or placeholders that do not match the arguments)."""
    if "{" in sql or "}" in sql:
        return None
    template = sql.replace("?", "{}") if engine_type == "sqlite" else re.sub(r"\$\d+", "{}", sql)
    return template if template.count("{}") == n_args else None


class _Slot:
    """Stands in for parameter `i` while a `prepared` query is built."""

    __slots__ = ("i",)

    def __init__(self, i: int) -> None:
        self.i = i


def prepared(build: Any, first: bool = False) -> Any:
    """`build(*params)` makes a Piccolo select; it is built and compiled once per engine type
    and then rerun with new parameter values. Building and compiling a Piccolo query costs
    0.1-0.8 ms a call, a large share of a sign-up or check-in.

    Only for plain selects, and single-statement UPDATEs with RETURNING: rows come back as
    Piccolo's `select` returns them (dicts, no JSON loading, no nesting, no M2M), `first=True`
    gives the first row or None like `.first()`.
    Each parameter must be used as a plain value (e.g. `Table.col == p`), not in a list.
    For lookups by a key and one-row writes only: on SQLite they run on the event loop's thread
    (`_run_hot`), which is cheaper only if they are quick.
    """
    n = build.__code__.co_argcount
    cache: dict[str, tuple[str, list[Any], str]] = {}

    async def run(*params: Any) -> Any:
        eng = engine()
        entry = cache.get(eng.engine_type)
        if entry is None:
            query = build(*[_Slot(i) for i in range(n)])
            (qs,) = query.querystrings
            sql, args = qs.compile_string(engine_type=eng.engine_type)
            template = as_template(sql, eng.engine_type, len(args))
            if template is None:
                raise ValueError(f"cannot prepare {sql!r}")
            entry = cache[eng.engine_type] = (template, args, sql)
        template, args, sql = entry
        values = [params[a.i] if isinstance(a, _Slot) else a for a in args]
        rows = await _run_hot(eng, template, sql, values)
        if first:
            return rows[0] if rows else None
        return rows

    return run


def _constant(value: Any) -> Callable[[], Any]:
    return lambda: value


class _ColumnPlan:
    """How an insert makes one column's value: its default when missing (made per row where
    Piccolo makes it per row), and converted for the driver when given."""

    __slots__ = ("column", "default", "name", "plain")

    def __init__(self, column: Column) -> None:
        self.column = column
        self.name: str = column._meta.name
        self.plain = not isinstance(column, (JSON, JSONB))
        raw = getattr(column, "default", None)
        # A constant is looked up once; a Piccolo `Default` (a new UUID, the time now) or any
        # other callable default is evaluated per row, as `default_value` does.
        self.default: Callable[[], Any] = (
            (lambda: default_value(column))
            if isinstance(raw, Default) or callable(raw)
            else _constant(default_value(column))
        )

    def value(self, values: dict[str, Any]) -> Any:
        return self.convert(values[self.name] if self.name in values else self.default())

    def convert(self, value: Any) -> Any:
        """`convert_to_sql_value`, with the common case first."""
        if self.plain and type(value) in _PLAIN:
            return value
        return convert_to_sql_value(value, self.column)


_PLANS: dict[type[Table], tuple[str, frozenset[str], list[_ColumnPlan]]] = {}
# (table, conflict target) -> the `{}` template and SQLite's `?` form
_INSERTS: dict[tuple[type[Table], str], tuple[str, str]] = {}


def _plans(table: type[Table]) -> tuple[str, frozenset[str], list[_ColumnPlan]]:
    """A table's columns as inserts need them, made once: the quoted column list, the names a
    caller may give, and each column's plan."""
    entry = _PLANS.get(table)
    if entry is None:
        plans = [_ColumnPlan(c) for c in table._meta.columns]
        names = ", ".join(f'"{p.column._meta.db_column_name}"' for p in plans)
        entry = _PLANS[table] = (names, frozenset(p.name for p in plans), plans)
    return entry


async def insert_row(
    table: type[Table], values: dict[str, Any], conflict_target: str | None = None
) -> bool:
    """INSERT one row (missing columns get their Piccolo defaults, as `Table(**values)` gives)
    and RETURN its primary key, with the SQL built once per table and engine (Piccolo builds
    a Table instance and the SQL on every insert). With `conflict_target` (a column name),
    ON CONFLICT DO NOTHING. True if a row was inserted."""
    eng = engine()
    names, known, plans = _plans(table)
    key = (table, conflict_target or "")
    entry = _INSERTS.get(key)
    if entry is None:
        marks = ", ".join("{}" for _ in plans)
        pk = table._meta.primary_key._meta.db_column_name
        template = f'INSERT INTO "{table._meta.tablename}" ({names}) VALUES ({marks})'
        if conflict_target:
            template += f' ON CONFLICT ("{conflict_target}") DO NOTHING'
        template += f' RETURNING "{pk}"'
        # Built by us, so no literal braces or question marks: `{}` -> `?` is SQLite's form.
        entry = _INSERTS[key] = (template, template.replace("{}", "?"))
    template, sql = entry
    if not values.keys() <= known:
        unknown = values.keys() - known
        raise ValueError(f"unknown columns for {table._meta.tablename}: {sorted(unknown)}")
    rows = await _run_hot(eng, template, sql, [p.value(values) for p in plans])
    return bool(rows)


class Sql:
    """An SQL expression (`{}` for each of `args`) in place of a value, for `insert_select`."""

    __slots__ = ("args", "template")

    def __init__(self, template: str, *args: Any) -> None:
        self.template = template
        self.args = args


class OneOf:
    """One of several values (each a value or an `Sql`), picked as the statement runs: `pick` is
    an SQL expression that gives the index, for `insert_select`."""

    __slots__ = ("options", "pick")

    def __init__(self, pick: str, options: list[Any]) -> None:
        self.pick = pick
        self.options = options


def insert_select(table: type[Table], values: dict[str, Any], source: str) -> tuple[str, list[Any]]:
    """`INSERT INTO table (…) SELECT … FROM source`: one part of a PostgreSQL statement that
    writes several rows with values decided inside it (a data-modifying WITH). A value is a
    parameter (converted as `insert_row` does; missing columns get their Piccolo defaults; the
    column fixes its type), an `Sql` expression over `source`, or `OneOf` them. Returns
    (`{}` template, args)."""
    names, known, plans = _plans(table)
    if not values.keys() <= known:
        unknown = values.keys() - known
        raise ValueError(f"unknown columns for {table._meta.tablename}: {sorted(unknown)}")
    parts: list[str] = []
    args: list[Any] = []
    for plan in plans:
        value = values[plan.name] if plan.name in values else plan.default()
        if isinstance(value, OneOf):
            first = value.options[0]
            if all(not isinstance(o, Sql) and o == first for o in value.options):
                value = first
            else:
                # Parameters inside CASE get no type from the column: cast them to it.
                sql = f"CASE {value.pick}"
                for i, option in enumerate(value.options):
                    if isinstance(option, Sql):
                        sql += f" WHEN {i} THEN {option.template}"
                        args.extend(option.args)
                    else:
                        sql += f" WHEN {i} THEN CAST({{}} AS {plan.column.column_type})"
                        args.append(plan.convert(option))
                parts.append(sql + " END")
                continue
        if isinstance(value, Sql):
            parts.append(value.template)
            args.extend(value.args)
        else:
            parts.append("{}")
            args.append(plan.convert(value))
    sql = f'INSERT INTO "{table._meta.tablename}" ({names}) SELECT {", ".join(parts)} FROM {source}'
    return sql, args


async def hot(template: str, *args: Any) -> list[dict[str, Any]]:
    """A short statement written as SQL (a point lookup or a one-row write, `{}` for each
    value, no literal braces or `?`): on SQLite it runs on the event loop's thread."""
    eng = engine()
    sql = template.replace("{}", "?") if eng.engine_type == "sqlite" else ""
    return await _run_hot(eng, template, sql, list(args))


async def _run_hot(eng: Engine[Any], template: str, sql: str, values: list[Any]) -> list[Any]:
    """Run a short statement: on SQLite inline on the loop's thread (on the transaction's
    writer, or a SELECT on the loop's own reader); on PostgreSQL straight on the transaction's
    or the pool's asyncpg connection; elsewhere through Piccolo. `sql` is the statement compiled
    for `eng` (used on SQLite only); values are plain (no Piccolo columns or query strings)."""
    if isinstance(eng, TraffpunktSQLiteEngine):
        tx = eng.current_transaction.get()
        if tx is not None and isinstance(tx.connection, InlineWriter):
            if eng.log_queries:
                eng.print_query(query_id=eng.get_query_id(), query=sql)
            return await tx.connection.execute(sql, values, hot=True)
        if tx is None and sql.lstrip()[:6].upper() == "SELECT":
            rows = eng.read_now(sql, values)
            if rows is not None:
                return rows
    elif isinstance(eng, PostgresEngine) and not eng.log_queries:
        # Piccolo's QueryString parses the template again on every call (~5 % of a sign-up's
        # Python time for its 70-value statement); the numbered form is made once. Run as
        # Piccolo's `run_querystring` runs it: on the transaction's connection, else the pool's.
        pg_tx = eng.current_transaction.get()
        if pg_tx is not None:
            records = await pg_tx.connection.fetch(_numbered(template), *values)
            return [dict(r.items()) for r in records]
        if eng.pool is not None:
            async with eng.pool.acquire() as connection:
                records = await connection.fetch(_numbered(template), *values)
            return [dict(r.items()) for r in records]
    rows = await eng.run_querystring(QueryString(template, *values))
    return eng.transform_response_to_dicts(rows)


_NUMBERED: dict[str, str] = {}
_NUMBERED_MAX = 512  # hot statements are a few dozen shapes; never grow without bound


def _numbered(template: str) -> str:
    """A `{}` template (no literal braces) as PostgreSQL's `$1, $2, …` form, as Piccolo's
    `QueryString.compile_string` numbers it."""
    sql = _NUMBERED.get(template)
    if sql is None:
        head, *rest = template.split("{}")
        sql = head + "".join(f"${i}{part}" for i, part in enumerate(rest, 1))
        if len(_NUMBERED) < _NUMBERED_MAX:
            _NUMBERED[template] = sql
    return sql
