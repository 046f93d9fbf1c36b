"""Event-list benchmark: requests per second of the public event list, Piccolo path vs raw driver.

Against one `traffpunkt serve --app bench.app:app` (1 uvicorn worker) on a scratch
database with 1,000 published events in one municipality (+200 in another), with keep-alive
connections at a few concurrency levels, it loads in turn
- `GET /api/v1/events?municipality=asele&limit=50`      the real endpoint (Piccolo);
- `GET /bench/raw-events?municipality=asele&limit=50`   same queries on the raw driver
  (asyncpg pool / one persistent aiosqlite connection), same `event_out`, same JSON;
- SQLite only: `...&driver=sqlite3`                      plain sqlite3 on the loop thread;
- `GET /bench/cached-events?...`                         a prebuilt EventList: no database, the
                                                         ceiling of uvicorn + Litestar + msgspec.
First it checks that the Piccolo and raw answers are equal (parsed JSON, and byte for byte).
Prints the median req/s (and median p50 latency) of `--reps` runs per path and concurrency,
and the ratio Piccolo ÷ raw (goal: ≥ 0.5, i.e. the event list within 2x of raw).

    .venv/bin/python bench/list_bench.py [--engine sqlite|postgres|both] [--concurrency 1 32]
                                         [--seconds 4] [--reps 3] [--client wrk|httpx]

The load comes from `wrk -t1` (apt-get install wrk) or, without it, from an asyncio httpx client
in a separate process (much slower per request: the numbers are then lower bounds).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common
from bench.common import Deadline

N_MAIN = 1000
N_OTHER = 200
LIMIT = 50
RATIO_GOAL = 0.5  # Piccolo path at least half the raw driver's req/s ("within 2x")


def paths(engine_name: str) -> dict[str, str]:
    q = f"municipality={common.MAIN_SLUG}&limit={LIMIT}"
    out = {"piccolo": f"/api/v1/events?{q}"}
    if engine_name == "sqlite":
        out["raw"] = f"/bench/raw-events?{q}&driver=aiosqlite"
        out["raw-sqlite3"] = f"/bench/raw-events?{q}&driver=sqlite3"
    else:
        out["raw"] = f"/bench/raw-events?{q}"
    out["cached"] = f"/bench/cached-events?{q}"
    return out


LABELS = {
    "piccolo": "Piccolo  /api/v1/events",
    "raw": "raw driver  /bench/raw-events",
    "raw-sqlite3": "raw sqlite3 on the loop thread",
    "cached": "no database  /bench/cached-events",
}


# --- correctness: the raw endpoint answers what the real one answers --------------------------


def check_equal(base: str, engine_name: str) -> None:
    import httpx

    drivers = ["aiosqlite", "sqlite3"] if engine_name == "sqlite" else [None]
    cases = [
        f"municipality={common.MAIN_SLUG}&limit={LIMIT}",
        f"municipality={common.MAIN_SLUG}&limit=200",
        f"municipality={common.MAIN_SLUG}&limit=1",
        f"municipality={common.OTHER_SLUG}&limit={LIMIT}",
        f"municipality={common.OTHER_SLUG}&limit=200",  # the last page: next is null
    ]
    identical = 0
    with httpx.Client(base_url=base, headers={"Accept-Encoding": "identity"}) as client:
        for case in cases:
            real = client.get(f"/api/v1/events?{case}")
            assert real.status_code == 200, (case, real.status_code, real.text[:300])
            for driver in drivers:
                suffix = f"&driver={driver}" if driver else ""
                raw = client.get(f"/bench/raw-events?{case}{suffix}")
                assert raw.status_code == 200, (case, driver, raw.status_code, raw.text[:300])
                assert raw.headers["content-type"] == real.headers["content-type"]
                a, b = real.json(), raw.json()
                assert a == b, f"{case} {driver}: raw and Piccolo answers differ"
                identical += raw.content == real.content
        page = client.get(f"/api/v1/events?{cases[0]}").json()
        assert len(page["items"]) == LIMIT and page["next"], "expected a full first page"
        assert client.get(f"/api/v1/events?{cases[-1]}").json()["next"] is None
        bad = client.get("/api/v1/events?municipality=nowhere").status_code
        assert bad == client.get("/bench/raw-events?municipality=nowhere").status_code == 422
    total = len(cases) * len(drivers)
    print(
        f"  check: raw == Piccolo for {total} requests (parsed JSON equal; "
        f"{identical}/{total} byte-identical)"
    )


# --- load ------------------------------------------------------------------------------------


async def _httpx_load(url: str, concurrency: int, seconds: float) -> dict[str, Any]:
    import httpx

    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(
        limits=limits, headers={"Accept-Encoding": "identity"}, timeout=10
    ) as client:
        end = time.perf_counter() + seconds

        async def worker() -> None:
            nonlocal errors
            while (t0 := time.perf_counter()) < end:
                r = await client.get(url)
                latencies.append(time.perf_counter() - t0)
                errors += r.status_code != 200

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - start
    latencies.sort()
    return {
        "rps": len(latencies) / elapsed,
        "p50": latencies[len(latencies) // 2],
        "p90": latencies[int(len(latencies) * 0.9)],
        "errors": f"{errors} non-200" if errors else "",
    }


def load(client: str, url: str, concurrency: int, seconds: float) -> dict[str, Any]:
    if client == "wrk":
        wrk = common.which_wrk()
        assert wrk, "wrk is not installed (apt-get install wrk), use --client httpx"
        return common.wrk(wrk, url, concurrency, seconds)
    out = subprocess.run(
        [sys.executable, __file__, "--load", url, str(concurrency), str(seconds)],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
        check=True,
    ).stdout
    return json.loads(out)


# --- the run ---------------------------------------------------------------------------------


async def _seed_and_break_down(url: str, breakdown: bool) -> None:
    from traffpunkt import db

    engine = db.make_engine(url)
    from traffpunkt.app import app_tables

    db.bind(engine, app_tables())
    await db.start(engine, 4)
    try:
        await common.seed(N_MAIN, N_OTHER)
        if breakdown:
            await break_down(engine)
    finally:
        await db.stop(engine)


async def break_down(engine: Any) -> None:
    """Where a request's time goes, in process (no HTTP): medians of the pieces of one list."""
    import sqlite3

    import msgspec
    from piccolo.engine.sqlite import SQLiteEngine, dict_factory

    from bench import routes as bench_routes
    from events import queries, service
    from events.tables import Event
    from traffpunkt.clock import utc_now

    m = await queries.municipality_by_slug_or_id(common.MAIN_SLUG)
    assert m is not None
    mid, now = m.id, utc_now()
    q = service.EventQuery(common.MAIN_SLUG, limit=LIMIT)

    def select() -> Any:
        where = queries._public_where(
            municipality_id=mid,
            topic=None,
            ends_after=now,
            starts_before=None,
            statuses=("published",),
        )
        return (
            Event.select(*queries._EVENT_COLUMNS)
            .where(where)
            .order_by(Event.starts_at, Event.id)
            .limit(LIMIT + 1)
        )

    sql, args = select().querystrings[0].compile_string(engine_type=engine.engine_type)
    rows = await queries.public_events(municipality_id=mid, ends_after=now, limit=LIMIT + 1)
    page = await service.list_events(q)

    async def piccolo_sql() -> None:
        select().querystrings[0].compile_string(engine_type=engine.engine_type)

    async def event_outs() -> None:
        [service.event_out(r, now) for r in rows[:LIMIT]]

    async def encode() -> None:
        msgspec.json.encode(page)

    pieces: list[tuple[str, Any]] = [
        ("service.list_events (the Piccolo path)", lambda: service.list_events(q)),
        (
            "bench_routes.raw_event_list (raw driver)",
            lambda: bench_routes.raw_event_list(common.MAIN_SLUG, LIMIT),
        ),
        (
            "  Piccolo: municipality query",
            lambda: queries.municipality_by_slug_or_id(common.MAIN_SLUG),
        ),
        (
            "  Piccolo: events query (public_events)",
            lambda: queries.public_events(municipality_id=mid, ends_after=now, limit=LIMIT + 1),
        ),
        ("    of which building the SQL (no I/O)", piccolo_sql),
    ]
    closers: list[Any] = []
    if isinstance(engine, SQLiteEngine):
        import aiosqlite

        persistent = await aiosqlite.connect(**engine.connection_kwargs)
        persistent.row_factory = dict_factory
        plain = sqlite3.connect(engine.path, isolation_level=None)
        plain_args = [a if isinstance(a, str | int) else str(a) for a in args]
        closers.append(persistent.close)

        async def close_plain() -> None:
            plain.close()

        closers.append(close_plain)

        async def on_persistent() -> None:
            async with persistent.execute(sql, args) as cur:
                await cur.fetchall()

        async def sql_only() -> None:
            plain.execute(sql, plain_args).fetchall()

        pieces += [
            (
                "    same SQL, new connection (Piccolo's way)",
                lambda: engine._run_in_new_connection(sql, args),
            ),
            ("    same SQL, one persistent aiosqlite conn.", on_persistent),
            ("    same SQL, sqlite3, no type converters", sql_only),
        ]
    else:

        async def on_pool() -> None:
            async with engine.pool.acquire() as conn:
                [dict(r) for r in await conn.fetch(sql, *args)]

        pieces.append(("    same SQL on the same pool, fetch + dict()", on_pool))
    pieces += [
        (f"  event_out x{LIMIT} (both paths)", event_outs),
        ("  msgspec.json.encode of the page (both)", encode),
    ]
    print("  in process, per call (medians of 300):")
    try:
        for label, fn in pieces:
            for _ in range(30):
                await fn()
            samples = []
            for _ in range(300):
                t0 = time.perf_counter()
                await fn()
                samples.append(time.perf_counter() - t0)
            print(f"    {label:<46} {common.ms(statistics.median(samples)):>10}")
    finally:
        for close in closers:
            await close()


def run(
    engine_name: str,
    concurrencies: list[int],
    seconds: float,
    reps: int,
    client: str,
    budget: float,
    breakdown: bool = True,
) -> None:
    from tests.live import live_server

    deadline = Deadline(budget)
    with tempfile.TemporaryDirectory(prefix="traffpunkt-bench-") as tmp:
        work_dir = Path(tmp)
        with common.scratch_database(engine_name, work_dir) as url:
            common.prepare_environment(work_dir, url)
            label = "SQLite file" if engine_name == "sqlite" else "PostgreSQL 127.0.0.1:5432"
            print(f"\n### event list — {engine_name} ({label}); {common.load_average()}")
            asyncio.run(_seed_and_break_down(url, breakdown))
            # The bench's app (bench/app.py): the product plus the /bench/ endpoints.
            env = {"PYTHONPATH": str(common.ROOT)}
            app = ("--app", "bench.app:app")
            with live_server(url, work_dir, extra_env=env, extra_args=app) as server:
                check_equal(server.url, engine_name)
                targets = paths(engine_name)
                print(
                    f"  load: {client}, keep-alive, {seconds:g} s per run, {reps} runs per "
                    f"figure (paths interleaved), server: 1 uvicorn worker on {server.url}"
                )
                for path in targets.values():  # warm-up: connections, caches
                    load(client, server.url + path, 4, 1)
                for c in concurrencies:
                    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in targets}
                    order = list(targets)
                    for rep in range(reps):
                        if deadline.left() < seconds * len(order) + 5:
                            print(f"  (budget: stopped after {rep} runs at concurrency {c})")
                            break
                        rotated = order[rep % len(order) :] + order[: rep % len(order)]
                        for name in rotated:
                            runs[name].append(load(client, server.url + targets[name], c, seconds))
                    report(c, runs)
            print(f"  done; {common.load_average()}")


def report(concurrency: int, runs: dict[str, list[dict[str, Any]]]) -> None:
    if not runs["piccolo"]:
        return
    print(f"  concurrency {concurrency}:")
    medians = {}
    for name, results in runs.items():
        rps = [r["rps"] for r in results]
        medians[name] = statistics.median(rps)
        p50 = statistics.median(r["p50"] for r in results)
        each = ", ".join(f"{x:,.0f}" for x in rps)
        errors = "; ".join(r["errors"] for r in results if r["errors"])
        print(
            f"    {LABELS[name]:<36} {medians[name]:>8,.0f} req/s   p50 {p50 * 1000:6.2f} ms"
            f"   (runs: {each}){'   ERRORS: ' + errors if errors else ''}"
        )
    ratio = medians["piccolo"] / medians["raw"]
    verdict = "ok" if ratio >= RATIO_GOAL else "OVER (more than 2x slower than raw)"
    print(
        f"    ratio Piccolo ÷ raw = {ratio:.2f}  (raw is {1 / ratio:.2f}x faster)"
        f"   goal ≥ {RATIO_GOAL}: {verdict}"
    )
    if "raw-sqlite3" in medians:
        lite = medians["piccolo"] / medians["raw-sqlite3"]
        print(f"    ratio Piccolo ÷ raw sqlite3 = {lite:.2f}")
    print(f"    ratio Piccolo ÷ no-database ceiling = {medians['piccolo'] / medians['cached']:.2f}")


def main() -> int:
    if len(sys.argv) == 5 and sys.argv[1] == "--load":  # the httpx client, in its own process
        url, c, seconds = sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
        print(json.dumps(asyncio.run(_httpx_load(url, c, seconds))))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 32])
    parser.add_argument("--seconds", type=float, default=4, help="per run")
    parser.add_argument("--reps", type=int, default=3, help="runs per path and concurrency")
    parser.add_argument(
        "--client", choices=["wrk", "httpx"], default="wrk" if common.which_wrk() else "httpx"
    )
    parser.add_argument("--budget", type=float, default=300, help="seconds per engine")
    parser.add_argument(
        "--no-breakdown", action="store_true", help="skip the in-process timing of the pieces"
    )
    args = parser.parse_args()
    if args.engine == "both":
        rest = ["--concurrency", *map(str, args.concurrency), "--seconds", str(args.seconds)]
        rest += ["--reps", str(args.reps), "--client", args.client, "--budget", str(args.budget)]
        rest += ["--no-breakdown"] if args.no_breakdown else []
        return common.run_per_engine(
            Path(__file__).resolve(), list(common.ENGINES), rest, args.budget + 120
        )
    run(
        args.engine,
        args.concurrency,
        args.seconds,
        args.reps,
        args.client,
        args.budget,
        not args.no_breakdown,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
