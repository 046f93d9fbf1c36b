"""Participant report benchmark (issue 14): one year, 3 municipalities, 300 events, 30,000
registrations (about 80 % checked in, the report questions answered by most), 1,000 survey
answers. Prints, per engine (each in its own process, on a scratch database):

1. `reports.service.participation` for the whole year and all three municipalities: median
   of several runs (goal < 2 s), and the figures it gives (the same each run).
2. The XLSX of that report streamed through `traffpunkt.spreadsheet.xlsx_stream`: time,
   size, and the peak Python memory while writing (tracemalloc), which stays bounded because
   rows go to XlsxWriter's temporary files and the file is read back in 64 KiB chunks.

    .venv/bin/python bench/report_bench.py [--engine sqlite|postgres|both] [--reps 5]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common
from bench.common import line

GOAL_MS = 2000.0
MUNICIPALITIES = (("asele", "Åsele"), ("arvidsjaur", "Arvidsjaur"), ("sorsele", "Sorsele"))
EVENTS = 300
REGISTRATIONS = 30_000
SURVEY_ANSWERS = 1_000


def _org(rng: random.Random) -> str:
    from traffpunkt.companies import luhn_ok

    first = f"55{rng.randrange(10**7):07d}"
    digit = next(str(d) for d in range(10) if luhn_ok(first + str(d)))
    return f"{first[:6]}-{first[6:]}{digit}"


async def seed(seed: int) -> Any:
    """Municipalities through the service; events, registrations and answers in bulk."""
    from events import organisers, service
    from events.schemas import MunicipalityIn
    from events.tables import Event
    from registrations.tables import Registration
    from surveys.tables import SurveyAnswer, SurveyRound
    from traffpunkt import db
    from traffpunkt.auth import Principal
    from traffpunkt.companies import SIZE_BANDS, SNI_SECTIONS

    rng = random.Random(seed)
    admin_id = await organisers.ensure_organiser("bench@example.se", "admin")
    admin = Principal(admin_id, "bench@example.se", "admin")
    ids = []
    for slug, name in MUNICIPALITIES:
        m = await service.create_municipality(admin, MunicipalityIn(name=name, slug=slug))
        ids.append(UUID(m.id))
    start = datetime(2027, 1, 1, 8, tzinfo=UTC)
    now = datetime.now(UTC)
    events = []
    for i in range(EVENTS):
        starts = start + timedelta(days=(i * 365) // EVENTS, hours=i % 4)
        events.append(
            Event(
                id=uuid4(),
                slug=f"aktivitet-{i:04d}",
                title=f"Aktivitet {i}",
                kind=("seminar", "network", "course", "webinar")[i % 4],
                status="published",
                municipality=ids[i % 3],
                starts_at=starts,
                ends_at=starts + timedelta(minutes=90 + 30 * (i % 3)),
                online_url="https://meet.example.se/x" if i % 4 == 3 else None,
                created_at=now,
                updated_at=now,
            )
        )
    companies = [_org(rng) for _ in range(4000)]
    people = [f"person{i}@example.se" for i in range(12_000)]  # many come more than once
    regs = []
    for n in range(REGISTRATIONS):
        event = events[n % EVENTS]
        email = people[rng.randrange(len(people))]
        asked = rng.random() < 0.8
        regs.append(
            Registration(
                id=uuid4(),
                event=event.id,
                event_email=f"{event.id}:{email}:{n}",
                email=email,
                name=f"Person {n}",
                status="confirmed",
                ticket_no=f"t{n:011d}",
                checked_in_at=event.starts_at if rng.random() < 0.8 else None,
                org_number=rng.choice(companies) if asked else "",
                sni_section=rng.choice(SNI_SECTIONS).code if asked else "",
                size_band=rng.choice(SIZE_BANDS).code if asked else "",
                gender=rng.choice(["woman", "man", "other", "prefer_not_to_say", ""]),
                queued_at=now,
                created_at=now,
                updated_at=now,
            )
        )
    round_id = uuid4()
    answers = [
        SurveyAnswer(
            id=uuid4(),
            round=round_id,
            round_company=f"{round_id}:{n}",
            org_number=rng.choice(companies),
            municipality=ids[n % 3],
            sector=rng.choice(SNI_SECTIONS).code,
            size_band=rng.choice(SIZE_BANDS).code,
            token_hash=f"{n:064d}",
            answered_at=start + timedelta(days=n % 365),
            updated_at=now,
        )
        for n in range(SURVEY_ANSWERS)
    ]
    async with db.transaction():
        for i in range(0, len(events), 100):
            await Event.insert(*events[i : i + 100])
        for i in range(0, len(regs), 500):
            await Registration.insert(*regs[i : i + 500])
        await SurveyRound.insert(
            SurveyRound(
                id=round_id,
                slug="r",
                title="Behov",
                opens_at=start,
                closes_at=start + timedelta(days=365),
                created_at=now,
                updated_at=now,
            )
        )
        for i in range(0, len(answers), 500):
            await SurveyAnswer.insert(*answers[i : i + 500])
    await db.engine().run_ddl("ANALYZE")
    return admin


async def measure(url: str, reps: int, seed_value: int) -> None:
    from reports import service
    from reports.sheets import participation_sheets
    from traffpunkt import db
    from traffpunkt.spreadsheet import xlsx_stream

    engine = db.make_engine(url)
    db.bind(engine, _tables())
    await db.start(engine, 4)
    try:
        t0 = time.perf_counter()
        admin = await seed(seed_value)
        print(f"  seeded in {time.perf_counter() - t0:.1f} s", flush=True)
        samples, first = [], None
        for _ in range(reps + 1):
            t = time.perf_counter()
            report = await service.participation(admin, "2027-01-01", "2027-12-31", [])
            samples.append(time.perf_counter() - t)
            first = first or report
            assert report == first, "the same period gives the same numbers"
        assert first is not None
        print(line("report, 1 year, 3 municipalities", samples[1:], GOAL_MS))
        print(
            f"  figures: {first.activities} activities, {first.participants} check-ins, "
            f"{first.persons} persons, {first.companies} companies, {first.hours} hours"
        )
        tracemalloc.start()
        t = time.perf_counter()
        size = sum(len(chunk) for chunk in xlsx_stream(participation_sheets(first, "sv")))
        took = time.perf_counter() - t
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(
            f"  XLSX streamed: {took * 1000:.0f} ms, {size / 1024:.0f} KiB, "
            f"peak Python memory while writing {peak / 1024 / 1024:.1f} MiB"
        )
    finally:
        await db.stop(engine)


def _tables() -> list[Any]:
    from traffpunkt.app import app_tables

    return app_tables()


def run_engine(engine_name: str, reps: int, seed_value: int) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        work_dir = Path(tmp)
        with common.scratch_database(engine_name, work_dir) as url:
            common.prepare_environment(work_dir, url)
            print(f"\n### {engine_name}  ({common.load_average()})", flush=True)
            asyncio.run(measure(url, reps, seed_value))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args()
    if args.engine != "both":
        return run_engine(args.engine, args.reps, args.seed)
    script = Path(__file__).resolve()
    return common.run_per_engine(
        script, ["sqlite", "postgres"], ["--reps", str(args.reps), "--seed", str(args.seed)], 900
    )


if __name__ == "__main__":
    sys.exit(main())
