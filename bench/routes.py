"""Bench-only endpoints, mounted by the bench's own app (`bench/app.py`), never by the product.

`GET /bench/raw-events?municipality=<slug>&limit=50` answers exactly what
`GET /api/v1/events?municipality=<slug>&limit=50` answers (the same EventList JSON, built by the
same `event_out` and encoded by the same Litestar/msgspec path), but runs the same two queries
(municipality, then the event page) through the raw driver instead of Piccolo:

- PostgreSQL: Piccolo's own asyncpg pool (`PostgresEngine.pool`), `fetch` with the same SQL;
- SQLite: one persistent connection per process and event loop, `driver=aiosqlite` (default,
  the driver Piccolo uses, so the difference is Piccolo itself plus its connection per query) or
  `driver=sqlite3` (plain sqlite3 on the event loop thread: no thread hop at all).

`GET /bench/cached-events` returns an EventList built once per (municipality, limit) and kept:
no database and no row conversion, i.e. the ceiling of uvicorn + Litestar + msgspec encoding.

The difference between the Piccolo path and these is what bench/list_bench.py measures.
"""

from __future__ import annotations

import asyncio
import sqlite3
import weakref
from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID

from litestar import get
from litestar.params import QueryParameter
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine

from events import service
from events.rows import EventRow
from events.schemas import EventList
from traffpunkt import db
from traffpunkt.clock import utc_now
from traffpunkt.errors import Invalid

_EVENT_COLUMNS = """
 e.id AS id, e.slug AS slug, e.title AS title, e.description AS description, e.kind AS kind,
 e.status AS status, e.starts_at AS starts_at, e.ends_at AS ends_at, e.capacity AS capacity,
 e.seats_taken AS seats_taken, e.waiting AS waiting,
 e.registration_opens_at AS registration_opens_at,
 e.registration_closes_at AS registration_closes_at, e.topics AS topics,
 e.language AS language, e.online_url AS online_url, e.reminder_hours AS reminder_hours,
 e.sequence AS sequence, e.published_at AS published_at, e.cancelled_at AS cancelled_at,
 e.created_at AS created_at, e.updated_at AS updated_at,
 e.municipality AS municipality_id, m.slug AS municipality_slug, m.name AS municipality_name,
 m.region AS municipality_region, m.timezone AS timezone,
 m.contact_email AS contact_email, m.contact_phone AS contact_phone,
 e.venue AS venue_id, v.name AS venue_name, v.address AS venue_address,
 v.capacity AS venue_capacity, v.latitude AS venue_latitude, v.longitude AS venue_longitude,
 v.accessibility AS venue_accessibility
"""
# The same statement Piccolo builds in events.queries.public_events (placeholders aside).
_EVENTS_SQL = (
    f"SELECT {_EVENT_COLUMNS} FROM event e"
    " LEFT JOIN municipality m ON e.municipality = m.id"
    " LEFT JOIN venue v ON e.venue = v.id"
    " WHERE e.status IN ({p1}) AND e.municipality = {p2} AND e.ends_at >= {p3}"
    " ORDER BY e.starts_at ASC, e.id ASC LIMIT {p4}"
)
_MUNICIPALITY_COLUMNS = "id, slug, name, code, region, timezone, created_at"
_PG_EVENTS = _EVENTS_SQL.format(p1="$1", p2="$2", p3="$3", p4="$4")
_PG_MUNICIPALITY_BY_SLUG = f"SELECT {_MUNICIPALITY_COLUMNS} FROM municipality WHERE slug = $1"
_PG_MUNICIPALITY_BY_SLUG_OR_ID = (
    f"SELECT {_MUNICIPALITY_COLUMNS} FROM municipality WHERE slug = $1 OR id = $2 LIMIT 1"
)
_LITE_EVENTS = _EVENTS_SQL.format(p1="?", p2="?", p3="?", p4="?")
_LITE_MUNICIPALITY_BY_SLUG = f"SELECT {_MUNICIPALITY_COLUMNS} FROM municipality WHERE slug = ?"
_LITE_MUNICIPALITY_BY_SLUG_OR_ID = (
    f"SELECT {_MUNICIPALITY_COLUMNS} FROM municipality WHERE slug = ? OR id = ? LIMIT 1"
)
# SQLite keeps Timestamptz as text ("2027-03-04 07:00:00+00:00"): these come back as datetimes.
_LITE_TIMES = (
    "starts_at",
    "ends_at",
    "registration_opens_at",
    "registration_closes_at",
    "published_at",
    "cancelled_at",
    "created_at",
    "updated_at",
)


def _as_uuid(key: str) -> UUID | None:
    try:
        return UUID(key)
    except ValueError:
        return None


def _lite_time(value: datetime) -> str:
    """How Piccolo's SQLite adapter stores a datetime: UTC, `str()`."""
    return str(value.astimezone(UTC))


def _lite_row(cursor: sqlite3.Cursor, values: tuple[Any, ...]) -> dict[str, Any]:
    row = dict(zip([c[0] for c in cursor.description], values, strict=True))
    for name in _LITE_TIMES:
        value = row.get(name)
        if value is not None:
            row[name] = datetime.fromisoformat(value).replace(tzinfo=UTC)
    return row


# --- per-process connections ---------------------------------------------------------------

_aiosqlite: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Any] = weakref.WeakKeyDictionary()
_sqlite3: dict[str, sqlite3.Connection] = {}


async def _aiosqlite_connection(path: str) -> Any:
    import aiosqlite

    loop = asyncio.get_running_loop()
    conn = _aiosqlite.get(loop)
    if conn is None:
        pending = aiosqlite.connect(path, timeout=30, isolation_level=None)
        # aiosqlite's worker thread is not a daemon: an open connection would hold process exit
        # (the app has no shutdown hook for bench routes), so let it die with the process.
        thread = getattr(pending, "_thread", None)
        if thread is not None:
            thread.daemon = True
        conn = await pending
        conn.row_factory = _lite_row
        _aiosqlite[loop] = conn
    return conn


def _sqlite3_connection(path: str) -> sqlite3.Connection:
    conn = _sqlite3.get(path)
    if conn is None:
        conn = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
        conn.row_factory = _lite_row
        _sqlite3[path] = conn
    return conn


# --- the two queries through the raw drivers -----------------------------------------------


async def _pg_rows(
    engine: PostgresEngine, key: str, ends_after: datetime, limit: int
) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    pool = engine.pool
    if pool is None:
        raise RuntimeError("the PostgreSQL pool is not started")
    uid = _as_uuid(key)
    async with pool.acquire() as conn:
        if uid is None:
            m = await conn.fetchrow(_PG_MUNICIPALITY_BY_SLUG, key)
        else:
            m = await conn.fetchrow(_PG_MUNICIPALITY_BY_SLUG_OR_ID, key, uid)
    if m is None:
        return None, []
    async with pool.acquire() as conn:
        records = await conn.fetch(_PG_EVENTS, "published", m["id"], ends_after, limit)
    return dict(m), [dict(r) for r in records]


async def _aiosqlite_rows(
    path: str, key: str, ends_after: datetime, limit: int
) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    conn = await _aiosqlite_connection(path)
    uid = _as_uuid(key)
    if uid is None:
        cur = await conn.execute(_LITE_MUNICIPALITY_BY_SLUG, (key,))
    else:
        cur = await conn.execute(_LITE_MUNICIPALITY_BY_SLUG_OR_ID, (key, str(uid)))
    m = await cur.fetchone()
    await cur.close()
    if m is None:
        return None, []
    cur = await conn.execute(_LITE_EVENTS, ("published", m["id"], _lite_time(ends_after), limit))
    rows = await cur.fetchall()
    await cur.close()
    return m, list(rows)


def _sqlite3_rows(
    path: str, key: str, ends_after: datetime, limit: int
) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    conn = _sqlite3_connection(path)
    uid = _as_uuid(key)
    if uid is None:
        m = conn.execute(_LITE_MUNICIPALITY_BY_SLUG, (key,)).fetchone()
    else:
        m = conn.execute(_LITE_MUNICIPALITY_BY_SLUG_OR_ID, (key, str(uid))).fetchone()
    if m is None:
        return None, []
    rows = conn.execute(
        _LITE_EVENTS, ("published", m["id"], _lite_time(ends_after), limit)
    ).fetchall()
    return m, rows


async def raw_event_list(municipality: str, limit: int, driver: str | None = None) -> EventList:
    """service.list_events for `?municipality=&limit=` only, on the raw driver."""
    if not 1 <= limit <= service.PAGE_SIZE_MAX:
        raise Invalid.field("limit", "Between 1 and {max}", max=service.PAGE_SIZE_MAX)
    now = utc_now()
    engine = db.engine()
    if isinstance(engine, PostgresEngine):
        m, rows = await _pg_rows(engine, municipality, now, limit + 1)
    elif isinstance(engine, SQLiteEngine):
        if driver == "sqlite3":
            m, rows = _sqlite3_rows(engine.path, municipality, now, limit + 1)
        else:
            m, rows = await _aiosqlite_rows(engine.path, municipality, now, limit + 1)
    else:  # pragma: no cover
        raise RuntimeError(f"no raw driver for {type(engine).__name__}")
    if m is None:
        raise Invalid.field("municipality", "No municipality called {key}", key=municipality)
    more = len(rows) > limit
    rows = db.rows_of(rows[:limit], EventRow)  # typed rows, as events.queries returns them
    return EventList(
        items=[service.event_out(r, now) for r in rows],
        next=service.encode_cursor(rows[-1]) if more else None,
    )


# --- handlers ------------------------------------------------------------------------------

Driver = Annotated[str | None, QueryParameter(pattern="^(aiosqlite|sqlite3)$")]
Limit = Annotated[int, QueryParameter(ge=1, le=service.PAGE_SIZE_MAX)]


@get("/bench/raw-events", include_in_schema=False)
async def raw_events(
    municipality: Annotated[str, QueryParameter(max_length=64)],
    limit: Limit = service.PAGE_SIZE_DEFAULT,
    driver: Driver = None,
) -> EventList:
    return await raw_event_list(municipality, limit, driver)


_cached: dict[tuple[str, int], EventList] = {}


@get("/bench/cached-events", include_in_schema=False)
async def cached_events(
    municipality: Annotated[str, QueryParameter(max_length=64)],
    limit: Limit = service.PAGE_SIZE_DEFAULT,
) -> EventList:
    key = (municipality, limit)
    body = _cached.get(key)
    if body is None:
        body = _cached[key] = await raw_event_list(municipality, limit)
    return body


ROUTES = [raw_events, cached_events]
