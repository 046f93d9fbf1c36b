"""Shared by the benchmarks: scratch databases, seed data, timing helpers, running the server.

Everything talks to 127.0.0.1 only. A scratch SQLite file lives in a temporary folder; a scratch
PostgreSQL database (`traffpunkt_bench_<hex>`) is created through the admin database and dropped
(WITH (FORCE)) afterwards, also when the benchmark fails.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `python bench/x.py` as well as `python -m bench.x`
    sys.path.insert(0, str(ROOT))

PG_ADMIN_URL = os.environ.get(
    "TRAFFPUNKT_BENCH_PG_URL",
    os.environ.get("TRAFFPUNKT_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test"),
)
ENGINES = ("sqlite", "postgres")
MAIN_SLUG = "asele"
OTHER_SLUG = "arvidsjaur"
BASE_URL = "http://127.0.0.1:8000"


def prepare_environment(work_dir: Path, database_url: str) -> None:
    """Settings are read once per process: point them at the scratch world before any import."""
    for key in [k for k in os.environ if k.startswith("TRAFFPUNKT_") and "BENCH_PG" not in k]:
        del os.environ[key]
    os.environ.update(
        TRAFFPUNKT_DATABASE_URL=database_url,
        TRAFFPUNKT_DATA_DIR=str(work_dir),
        TRAFFPUNKT_BASE_URL=BASE_URL,
        TRAFFPUNKT_SECRET_KEY="bench-secret-not-for-production",
        # Benchmarks send far more than one client may in real life: no abuse limits (README).
        TRAFFPUNKT_RATE_LIMITS="off",
        PICCOLO_CONF="piccolo_conf",
    )


# --- scratch databases -----------------------------------------------------------------------


async def _pg_admin(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_ADMIN_URL, timeout=5)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def pg_available() -> str | None:
    """None when PostgreSQL answers, else why not."""
    try:
        asyncio.run(_pg_admin("SELECT 1"))
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


def migrate(database_url: str, work_dir: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRAFFPUNKT_")}
    env.update(
        TRAFFPUNKT_DATABASE_URL=database_url,
        TRAFFPUNKT_DATA_DIR=str(work_dir),
        TRAFFPUNKT_SECRET_KEY="bench-secret-not-for-production",
        PICCOLO_CONF="piccolo_conf",
    )
    result = subprocess.run(
        [sys.executable, "-m", "traffpunkt", "migrate"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if result.returncode != 0:
        raise RuntimeError(f"migrate failed:\n{result.stdout}\n{result.stderr}")


@contextlib.contextmanager
def scratch_database(engine_name: str, work_dir: Path) -> Iterator[str]:
    """A migrated, empty database of `engine_name`; its URL."""
    if engine_name == "sqlite":
        url = f"sqlite:///{work_dir / 'bench.db'}"
        migrate(url, work_dir)
        yield url
        return
    name = f"traffpunkt_bench_{secrets.token_hex(4)}"
    asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
    base, _, _ = PG_ADMIN_URL.rpartition("/")
    url = f"{base}/{name}"
    try:
        migrate(url, work_dir)
        yield url
    finally:
        asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


# --- seed data -------------------------------------------------------------------------------

_TITLES = (
    "Frukostmöte: digital marknadsföring för småföretag",
    "Seminarium om e-handel och logistik i glesbygd",
    "Nätverksträff för besöksnäringen",
    "Kurs: bokföring och administrativa verktyg",
    "Webbinarium: AI-verktyg i vardagen",
    "Export och nya marknader – erfarenheter från Norrbotten",
)
_DESCRIPTION = (
    "Välkommen till en förmiddag om hur företag i {place} kan nå fler kunder. Vi går igenom "
    "verktyg, exempel från regionen och svarar på frågor; kaffe och smörgås serveras.\n\n"
    "Ingen förkunskap krävs. Anmäl dig senast dagen innan, platserna är begränsade."
)
_TOPIC_SETS = (
    ["digital-marketing", "social-media"],
    ["e-commerce"],
    ["tourism", "entrepreneurship"],
    ["bookkeeping"],
    ["ai-tools", "cybersecurity", "digital-business-models"],
    [],
)
_KINDS = ("seminar", "network", "course", "webinar")


async def seed(n_main: int = 1000, n_other: int = 200) -> dict[str, Any]:
    """Two municipalities with venues, an admin, `n_main` + `n_other` published future events.

    Municipalities, venues and the admin go through the services; the events are inserted in
    bulk through Piccolo's Event table with the fields the services would have written.
    """
    from events import organisers, service, topics
    from events.schemas import MunicipalityIn, VenueIn
    from events.tables import Event
    from traffpunkt import db
    from traffpunkt.auth import Principal

    admin_id = await organisers.ensure_organiser("bench@example.se", "admin")
    admin = Principal(admin_id, "bench@example.se", "admin")
    places = {}
    for slug, name, code, region in (
        (MAIN_SLUG, "Åsele", "2463", "Västerbotten"),
        (OTHER_SLUG, "Arvidsjaur", "2505", "Norrbotten"),
    ):
        m = await service.create_municipality(
            admin, MunicipalityIn(name=name, slug=slug, code=code, region=region)
        )
        venues = []
        for i in range(4):
            v = await service.create_venue(
                admin,
                VenueIn(
                    municipality=slug,
                    name=f"{name} {('Folkets hus', 'Bibliotek', 'Kommunhus', 'Hotell')[i]}",
                    address=f"Storgatan {i + 1}, {name}",
                    capacity=40 + 20 * i,
                    latitude=64.16 + i / 100,
                    longitude=17.33 + i / 100,
                    accessibility="Ramp vid entrén, hörslinga i salen" if i % 2 else None,
                ),
            )
            venues.append(UUID(v.id))
        places[slug] = (UUID(m.id), name, venues)

    now = datetime.now(UTC).replace(microsecond=0)
    first = (now + timedelta(days=1)).replace(hour=7, minute=0, second=0)
    rows: list[Any] = []
    ids: dict[str, list[UUID]] = {MAIN_SLUG: [], OTHER_SLUG: []}
    for slug, count in ((MAIN_SLUG, n_main), (OTHER_SLUG, n_other)):
        mid, name, venues = places[slug]
        for i in range(count):
            event_id = uuid4()
            ids[slug].append(event_id)
            starts = first + timedelta(hours=7 * i)
            online = i % 5 == 0
            venue = None if online and i % 10 == 0 else venues[i % len(venues)]
            capacity = None if i % 7 == 0 else 30 + (i % 4) * 10
            stamp = now - timedelta(minutes=count - i)
            rows.append(
                Event(
                    id=event_id,
                    slug=f"{service.slugify(_TITLES[i % len(_TITLES)], 80)}-{i:04d}{slug[:2]}",
                    title=_TITLES[i % len(_TITLES)],
                    description=_DESCRIPTION.format(place=name),
                    kind=_KINDS[i % len(_KINDS)],
                    status="published",
                    municipality=mid,
                    venue=venue,
                    starts_at=starts,
                    ends_at=starts + timedelta(minutes=90 + 30 * (i % 3)),
                    capacity=capacity,
                    seats_taken=0 if capacity is None else i % capacity,
                    registration_opens_at=None,
                    registration_closes_at=(starts - timedelta(hours=12)) if i % 3 == 0 else None,
                    topics=topics.encode(_TOPIC_SETS[i % len(_TOPIC_SETS)]),
                    language="en" if i % 9 == 0 else "sv",
                    online_url=f"https://meet.example.se/{i:04d}" if online else None,
                    reminder_hours=24,
                    sequence=1,
                    created_by=admin_id,
                    published_at=stamp,
                    cancelled_at=None,
                    created_at=stamp,
                    updated_at=stamp,
                )
            )
    async with db.transaction():
        for start in range(0, len(rows), 100):  # well below SQLite's bound-parameter limit
            await Event.insert(*rows[start : start + 100])
    # Planner statistics, as autovacuum would have them on a live PostgreSQL (without them it
    # sorts the whole municipality for a page of 50: ~2 ms instead of ~0.2 ms).
    await db.engine().run_ddl("ANALYZE")
    return {"admin": admin, "ids": ids, "municipality_id": places[MAIN_SLUG][0]}


# --- figures -----------------------------------------------------------------------------------


def load_average() -> str:
    """The machine is shared: print the load next to the figures."""
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} / {five:.1f} (1 / 5 min) on {os.cpu_count()} CPUs"


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "median": statistics.median(ordered),
        "p10": ordered[int(0.1 * (len(ordered) - 1))],
        "p90": ordered[int(0.9 * (len(ordered) - 1))],
        "n": len(ordered),
    }


def line(label: str, samples: list[float], goal_ms: float | None = None) -> str:
    s = summary(samples)
    text = (
        f"  {label:<44} median {ms(s['median']):>10}   p10 {ms(s['p10']):>10}"
        f"   p90 {ms(s['p90']):>10}   (n={s['n']})"
    )
    if goal_ms is not None:
        verdict = "ok" if s["median"] * 1000 < goal_ms else "OVER"
        text += f"   goal < {goal_ms:g} ms: {verdict}"
    return text


class Deadline:
    """Keeps a benchmark bounded: `left()` seconds remain until `expired()`."""

    def __init__(self, seconds: float) -> None:
        self.end = time.monotonic() + seconds

    def left(self) -> float:
        return self.end - time.monotonic()

    def expired(self) -> bool:
        return self.left() <= 0


def run_per_engine(script: Path, engines: list[str], args: list[str], timeout: float) -> int:
    """Run `script --engine E args` for each engine in its own process (settings are per process).

    A child that overruns `timeout` gets SIGINT first, so that its `finally` blocks stop the
    server and drop the scratch database; SIGKILL only if it is still there 30 s later.
    """
    status = 0
    for name in engines:
        if name == "postgres" and (reason := pg_available()) is not None:
            print(f"\n### postgres: skipped, no server at {PG_ADMIN_URL} ({reason})", flush=True)
            continue
        child = subprocess.Popen([sys.executable, str(script), "--engine", name, *args], cwd=ROOT)
        try:
            status = status or child.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            print(f"\n### {name}: did not finish within {timeout:.0f} s; stopping it", flush=True)
            child.send_signal(signal.SIGINT)
            try:
                child.wait(timeout=30)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
            status = 1
    return status


# --- wrk -------------------------------------------------------------------------------------


def which_wrk() -> str | None:
    import shutil

    return shutil.which("wrk")


def _duration(text: str) -> float:
    for unit, factor in (("us", 1e-6), ("ms", 1e-3), ("s", 1.0), ("m", 60.0)):
        if text.endswith(unit):
            return float(text[: -len(unit)]) * factor
    return float(text)


def wrk(
    binary: str,
    url: str,
    connections: int,
    seconds: float,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """`wrk -t1 -c<connections>` (keep-alive, one client thread): req/s, latency p50/p90, errors."""
    import re

    cmd = [binary, "-t1", f"-c{connections}", f"-d{max(int(seconds), 1)}s", "--latency"]
    for name, value in (headers or {}).items():
        cmd += ["-H", f"{name}: {value}"]
    out = subprocess.run(
        [*cmd, url], capture_output=True, text=True, timeout=seconds + 30, check=True
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = re.search(r"^\s+50%\s+(\S+)", out, re.M)
    p90 = re.search(r"^\s+90%\s+(\S+)", out, re.M)
    errors = [
        m.group(0).strip()
        for m in re.finditer(r"^\s*(Non-2xx or 3xx responses|Socket errors):.*$", out, re.M)
    ]
    return {
        "rps": rps,
        "p50": _duration(p50.group(1)) if p50 else float("nan"),
        "p90": _duration(p90.group(1)) if p90 else float("nan"),
        "errors": "; ".join(errors),
        "raw": out,
    }
