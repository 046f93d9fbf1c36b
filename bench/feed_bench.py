"""Feed benchmark: a municipality's ICS feed of 1,000 published events, on SQLite and PostgreSQL.

Prints medians (and p10/p90) of
- a cold build: `feeds.feed_info` + `feeds.feed_body` with the VEVENT fragment cache and the body
  cache empty (and, split up, `feed_info`, `feed_body`, the rows query alone);
- a warm build: the same right after one event changed (999 fragments cached; goal < 50 ms);
- a cached body (same ETag) and `feed_info` alone (the cost of every conditional request);
- over HTTP against `traffpunkt serve`: a 304 for `If-None-Match` (goal < 2 ms), measured with
  an httpx keep-alive client and, when installed, `wrk -c1`; and a 200 with the body cached.

    .venv/bin/python bench/feed_bench.py [--engine sqlite|postgres|both] [--reps 15]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common
from bench.common import Deadline, line, ms

N_MAIN = 1000
N_OTHER = 200
BUILD_GOAL_MS = 50  # cold and warm
NOT_MODIFIED_GOAL_MS = 2


async def in_process(url: str, reps: int, deadline: Deadline) -> dict[str, Any]:
    """Seed, then time feed_info/feed_body called directly. Returns facts for the HTTP part."""
    from events import feeds, ics, service
    from events.schemas import EventPatch
    from traffpunkt import db

    engine = db.make_engine(url)
    from traffpunkt.app import app_tables

    db.bind(engine, app_tables())
    await db.start(engine, 10)
    try:
        t0 = time.perf_counter()
        world = await common.seed(N_MAIN, N_OTHER)
        print(f"  seeded {N_MAIN} + {N_OTHER} events in {time.perf_counter() - t0:.1f} s")
        slug = common.MAIN_SLUG
        mid = world["municipality_id"]

        def clear() -> None:
            ics._fragments.items.clear()
            feeds._bodies.clear()

        # Warm-up: imports, VTIMEZONE (cached per zone), first connections.
        clear()
        body = await feeds.feed_body(await feeds.feed_info(slug, None))
        n_events = body.count(b"BEGIN:VEVENT")
        assert n_events == N_MAIN, n_events
        print(f"  feed: {n_events} VEVENTs, {len(body) / 1024:.0f} KiB")

        cold, cold_info, cold_body = [], [], []
        for _ in range(reps):
            if deadline.expired():
                break
            clear()
            t0 = time.perf_counter()
            info = await feeds.feed_info(slug, None)
            t1 = time.perf_counter()
            await feeds.feed_body(info)
            t2 = time.perf_counter()
            cold.append(t2 - t0)
            cold_info.append(t1 - t0)
            cold_body.append(t2 - t1)

        rows_only = []
        for _ in range(reps):
            t0 = time.perf_counter()
            rows = await service.feed_rows(mid, None)
            rows_only.append(time.perf_counter() - t0)
        assert len(rows) == N_MAIN

        # Warm: one event changes (through the service, so updated_at and the ETag move), then the
        # feed is rebuilt from 999 cached fragments and one new one.
        ids = world["ids"][slug]
        warm, warm_etags = [], set()
        last_body = b""
        for i in range(reps):
            if deadline.expired():
                break
            title = f"Ändrad titel {i}"
            await service.update_event(
                world["admin"], str(ids[i * 37 % len(ids)]), EventPatch(title=title)
            )
            t0 = time.perf_counter()
            info = await feeds.feed_info(slug, None)
            last_body = await feeds.feed_body(info)
            warm.append(time.perf_counter() - t0)
            warm_etags.add(info.etag)
            assert f"SUMMARY:{title}".encode() in last_body
        assert len(warm_etags) == len(warm), "every change must give a new ETag"

        # Fragments change nothing: a cold build of the same state gives the same bytes.
        clear()
        assert await feeds.feed_body(await feeds.feed_info(slug, None)) == last_body

        cached, info_only = [], []
        for _ in range(reps * 4):
            t0 = time.perf_counter()
            info = await feeds.feed_info(slug, None)
            t1 = time.perf_counter()
            await feeds.feed_body(info)
            t2 = time.perf_counter()
            info_only.append(t1 - t0)
            cached.append(t2 - t0)

        print("  in process (feeds.feed_info + feeds.feed_body, called directly):")
        print(line("cold build (fragment + body caches empty)", cold, BUILD_GOAL_MS))
        print(line("  of which feed_info (2 queries)", cold_info))
        print(line("  of which feed_body (rows query + ICS)", cold_body))
        print(line("  rows query alone (service.feed_rows)", rows_only))
        print(line("warm build (after one event changed)", warm, BUILD_GOAL_MS))
        print(line("info + body, body cached (same ETag)", cached))
        print(line("feed_info alone (validators)", info_only))
        return {"slug": slug}
    finally:
        await db.stop(engine)


def over_http(url: str, work_dir: Path, slug: str, deadline: Deadline, n: int) -> None:
    import httpx

    from tests.live import live_server

    with live_server(url, work_dir) as server:
        feed_url = f"{server.url}/calendars/{slug}.ics"
        with httpx.Client(headers={"Accept-Encoding": "identity"}, timeout=10) as client:
            t0 = time.perf_counter()
            first = client.get(feed_url)
            first_time = time.perf_counter() - t0
            assert first.status_code == 200, first.status_code
            etag = first.headers["etag"]
            conditional = {"If-None-Match": etag}
            for _ in range(20):  # warm-up
                assert client.get(feed_url, headers=conditional).status_code == 304
            not_modified, full = [], []
            for _ in range(n):
                if deadline.expired():
                    break
                t0 = time.perf_counter()
                r = client.get(feed_url, headers=conditional)
                not_modified.append(time.perf_counter() - t0)
                assert r.status_code == 304 and r.content == b"", r.status_code
            for _ in range(max(n // 5, 10)):
                if deadline.expired():
                    break
                t0 = time.perf_counter()
                r = client.get(feed_url)
                full.append(time.perf_counter() - t0)
                assert r.status_code == 200 and r.content == first.content
        print(f"  over HTTP (traffpunkt serve, 1 uvicorn worker, {server.url}):")
        print(f"  {'first GET after start (server builds cold)':<44} {ms(first_time):>17}")
        print(line("304 for If-None-Match (httpx keep-alive)", not_modified, NOT_MODIFIED_GOAL_MS))
        print(line("200 with the body cached (httpx)", full))
        if wrk := common.which_wrk():
            stats = common.wrk(wrk, feed_url, 1, min(5.0, max(deadline.left(), 1)), conditional)
            verdict = "ok" if stats["p50"] * 1000 < NOT_MODIFIED_GOAL_MS else "OVER"
            print(
                f"  {'304 for If-None-Match (wrk -c1, 5 s)':<44} median {ms(stats['p50']):>10}"
                f"   p90 {ms(stats['p90']):>10}   {stats['rps']:,.0f} req/s"
                f"   goal < {NOT_MODIFIED_GOAL_MS} ms: {verdict}"
            )
            if stats["errors"]:
                print(f"    wrk: {stats['errors']}")


def run(engine_name: str, reps: int, http_n: int, budget: float) -> None:
    deadline = Deadline(budget)
    with tempfile.TemporaryDirectory(prefix="traffpunkt-bench-") as tmp:
        work_dir = Path(tmp)
        with common.scratch_database(engine_name, work_dir) as url:
            common.prepare_environment(work_dir, url)
            label = "SQLite file" if engine_name == "sqlite" else "PostgreSQL 127.0.0.1:5432"
            print(f"\n### feed — {engine_name} ({label}); {common.load_average()}", flush=True)
            facts = asyncio.run(in_process(url, reps, deadline))
            over_http(url, work_dir, facts["slug"], deadline, http_n)
            print(f"  done; {common.load_average()}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--reps", type=int, default=15, help="builds per figure")
    parser.add_argument("--http-requests", type=int, default=500, help="conditional GETs")
    parser.add_argument("--budget", type=float, default=240, help="seconds per engine")
    args = parser.parse_args()
    if args.engine == "both":
        rest = ["--reps", str(args.reps), "--http-requests", str(args.http_requests)]
        rest += ["--budget", str(args.budget)]
        return common.run_per_engine(
            Path(__file__).resolve(), list(common.ENGINES), rest, args.budget + 120
        )
    run(args.engine, args.reps, args.http_requests, args.budget)
    return 0


if __name__ == "__main__":
    sys.exit(main())
