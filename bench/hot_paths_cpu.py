"""CPU per call (process time, so a loaded machine's waiting does not count) of the hot read
paths on a seeded SQLite database: the event list (50 per page), the feed's rows (1,000
events) and a cold feed build. Compares trees in one sitting:

    .venv/bin/python bench/hot_paths_cpu.py [--src /path/to/another/checkout]

`--src` imports that checkout's code instead of this one (e.g. `git archive main | tar -x -C
/tmp/main`; set PYTHONDONTWRITEBYTECODE=1 to leave it untouched). Run A, B, A, B: on a shared
2-core machine single figures vary by ±30%.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any


async def measure(src: str) -> None:
    from bench import common
    from events import feeds, ics, service
    from traffpunkt import db

    with tempfile.TemporaryDirectory() as d, common.scratch_database("sqlite", Path(d)) as url:
        common.prepare_environment(Path(d), url)
        engine = db.make_engine(url)
        db.bind(engine)
        await db.start(engine, 10)
        try:
            world = await common.seed(1000, 200)
            mid = world["municipality_id"]
            q = service.EventQuery(common.MAIN_SLUG, limit=50)

            async def cold_feed() -> None:
                ics._fragments.items.clear()
                feeds._bodies.clear()
                await feeds.feed_body(await feeds.feed_info(common.MAIN_SLUG, None))

            paths: list[tuple[str, Callable[[], Awaitable[Any]], int]] = [
                ("list_events limit=50", lambda: service.list_events(q), 200),
                ("feed_rows (1000 rows)", lambda: service.feed_rows(mid, None), 30),
                ("cold feed build", cold_feed, 15),
            ]
            for name, fn, n in paths:
                for _ in range(3):
                    await fn()
                cpu = []
                for _ in range(n):
                    t0 = time.process_time()
                    await fn()
                    cpu.append(time.process_time() - t0)
                median = statistics.median(cpu) * 1000
                print(f"{src:32} {name:24} CPU median {median:7.2f} ms  (n={n})")
        finally:
            await db.stop(engine)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--src", default=str(Path(__file__).resolve().parent.parent))
    args = parser.parse_args()
    sys.path.insert(0, args.src)
    asyncio.run(measure(args.src))


if __name__ == "__main__":
    main()
