"""Abuse limits: at most so many sign-ups, sign-in links, invitations and token misses per
client address and per target address (rules and defaults in `rules.py`).

Counters are fixed windows in the `rate_counter` table of the app's database, so several web
processes on PostgreSQL count together. One check is one statement, an upsert of every key it
counts (`INSERT … ON CONFLICT DO UPDATE … RETURNING count`, the same SQL on both engines). It
runs in the caller's transaction if there is one (never on a second connection: a request
holding one pooled connection while waiting for another deadlocks a busy pool), else it
commits on its own. A count made inside a transaction that then fails rolls back with it.

The sign-up (a hot path) counts where it is cheapest (`count_inside_transaction`): on SQLite
inside its writing transaction (microseconds on the loop's thread, no extra commit and
fsync); on PostgreSQL just before it, committed at once, so that the counter's row lock lasts
one statement rather than the whole sign-up.

Why not a library: `limits` (PyPI) keeps counters in memory, Redis, Memcached, MongoDB or etcd,
none of which a municipality's deployment of Träffpunkt has, and memory alone is per process;
Litestar's RateLimitMiddleware counts per client only (not per target address or organiser)
and in memory or Litestar stores. The database is the one store every process shares.

The client address is `request.client.host` (the ASGI scope's `client`): behind a trusted
reverse proxy uvicorn's proxy headers setting puts the real client there; nothing here reads
X-Forwarded-For. Keys hold an HMAC of the address (with the secret key), never the address.
"""

from __future__ import annotations

import contextvars
import hashlib
import hmac
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Receive, Scope, Send

from traffpunkt import db
from traffpunkt.errors import TooManyRequests
from traffpunkt.limit_rules import DEFAULTS, Rule
from traffpunkt.limits.tables import RateCounter
from traffpunkt.settings import current_settings

__all__ = [
    "Hit",
    "client_address",
    "client_middleware",
    "count",
    "enforce",
    "sweep",
    "token_miss",
]

_client: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "traffpunkt_client", default=None
)


def client_middleware(app: ASGIApp) -> ASGIApp:
    """Makes the request's client address known to the services (which count per client)
    without every handler passing it down."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        client = scope.get("client") if scope["type"] == ScopeType.HTTP else None
        token = _client.set(client[0] if client else None)
        try:
            await app(scope, receive, send)
        finally:
            _client.reset(token)

    return middleware


def client_address() -> str | None:
    """The calling client's address, None outside a request (the CLI, tests calling services)."""
    return _client.get()


@dataclass(frozen=True, slots=True)
class Hit:
    rule: str
    identity: str
    count: int
    limit: int
    retry_after: int  # seconds until the window ends

    @property
    def over(self) -> bool:
        return self.count > self.limit


def _key(rule: str, identity: str) -> str:
    secret = current_settings().secret_key.encode()
    digest = hmac.new(secret, identity.encode(), hashlib.sha256).hexdigest()[:40]
    return f"{rule}:{digest}"


_SQL: dict[int, str] = {}


def _upsert_sql(rows: int) -> str:
    sql = _SQL.get(rows)
    if sql is None:
        values = ", ".join("({}, {}, {})" for _ in range(rows))
        sql = _SQL[rows] = (
            f'INSERT INTO "rate_counter" ("key", "count", "window_end") VALUES {values} '
            'ON CONFLICT ("key") DO UPDATE SET '
            '"count" = CASE WHEN "rate_counter"."window_end" > {} '
            'THEN "rate_counter"."count" + excluded."count" ELSE excluded."count" END, '
            '"window_end" = CASE WHEN "rate_counter"."window_end" > {} '
            'THEN "rate_counter"."window_end" ELSE excluded."window_end" END '
            'RETURNING "key", "count", "window_end"'
        )
    return sql


async def _run(template: str, args: list[Any]) -> list[dict[str, Any]]:
    if db.engine().current_transaction.get() is not None or not db.is_sqlite():
        return await db.hot(template, *args)
    async with db.transaction():  # SQLite writes only inside the write lock
        return await db.hot(template, *args)


def count_inside_transaction() -> bool:
    """Whether a hot path should count inside its writing transaction (SQLite) or just before
    it (PostgreSQL); see the module's docstring."""
    return db.is_sqlite()


Check = tuple[str, str | None] | tuple[str, str | None, int]


async def count(checks: Iterable[Check]) -> list[Hit]:
    """Count each (rule, identity[, amount]) whose rule is in force and whose identity is
    known, in one statement; the hits, in the order given."""
    rules = current_settings().rate_limits
    wanted: dict[str, tuple[str, str, Rule, int]] = {}
    for check in checks:
        rule_name, identity = check[0], check[1]
        amount = check[2] if len(check) == 3 else 1
        if rule_name not in DEFAULTS:
            raise ValueError(f"unknown rate limit {rule_name!r}")
        rule = rules.get(rule_name)
        if rule is None or not identity or amount < 1:
            continue
        wanted.setdefault(_key(rule_name, identity), (rule_name, identity, rule, amount))
    if not wanted:
        return []
    now = int(time.time())
    args: list[Any] = []
    # Sorted keys: concurrent statements lock shared rows in the same order (no deadlock).
    for key in sorted(wanted):
        args += [key, wanted[key][3], now + wanted[key][2].window]
    rows = await _run(_upsert_sql(len(wanted)), [*args, now, now])
    by_key = {r["key"]: r for r in rows}
    hits = []
    for key, (rule_name, identity, rule, _) in wanted.items():
        row = by_key[key]
        wait = max(1, int(row["window_end"]) - now)
        hits.append(Hit(rule_name, identity, int(row["count"]), rule.count, wait))
    return hits


CLIENT_MESSAGE = (
    "Too many requests from your connection in a short time. Wait {minutes} min and try again."
)
_MESSAGES = {
    "signup_per_address": (
        "Too many sign-ups for this address in a short time. Wait {minutes} min and try again."
    ),
    "invite_per_organiser": (
        "You have sent very many invitations in a short time. Wait {minutes} min and try again."
    ),
}


async def enforce(checks: Iterable[Check], quiet: Iterable[str] = ()) -> list[Hit]:
    """Count, and answer 429 (TooManyRequests, with Retry-After) if a limit is exceeded;
    exceeded `quiet` rules are returned instead (the caller then quietly sends nothing)."""
    quiet = set(quiet)
    over: list[Hit] = []
    for hit in await count(checks):
        if hit.over and hit.rule in quiet:
            over.append(hit)
        elif hit.over:
            message = _MESSAGES.get(hit.rule, CLIENT_MESSAGE)
            raise TooManyRequests(message, retry_after=hit.retry_after)
    return over


async def token_miss() -> None:
    """A token (manage, door, API, sign-in or invitation link) was not found: count it for this
    client; 429 once there were too many. Valid tokens are never counted or refused: they are
    256-bit secrets, so misses are what guessing looks like, and a door phone behind the same
    address as a misbehaving device must keep checking people in."""
    await enforce([("token_misses_per_client", client_address())])


async def sweep() -> None:
    """Delete counters whose window has ended (run periodically by the sender)."""
    async with db.transaction():
        await RateCounter.delete().where(RateCounter.window_end < int(time.time()))
