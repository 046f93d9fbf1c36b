"""Planning benchmark: unmet demand and the planning page at Sweden's scale, and seminar tours.

Prints, per engine (a scratch database of its own, each engine in its own process):
1. the demand computation (`planning.service.demand_report`: needs from the survey and
   registrations, events' coverage, the pure `planning.demand.unmet_demand`) for an admin
   over all 290 municipalities and for one region, then `GET /api/v1/demand` and the HTML
   planning page `/organiser/planning?region=…` through the app (a real session), as medians
   of several runs; goal: the planning page < 200 ms on PostgreSQL;
2. the pure tour planner (`planning.tours.plan_tour`) for 10 localities out of a region of
   40 with unmet demand (three weeks of days, busy venues), against the greedy baseline;
   goal < 1 s; and `propose_tour` end to end (database reads + planner + the stored
   proposal).

The world is generated, reproducible (`--seed`): 290 municipalities in 21 regions with
coordinates inside Sweden, a venue each, 50,000 survey answers (1-4 needs each, urgency 1-3,
popular and rare topics, one round), 5,000 events over three years (drafts and published, some
cancelled, 0-3 topics) and 5,000 registrations with ticked needs.

    .venv/bin/python bench/planning_bench.py [--engines sqlite postgres] [--reps 7]
        [--answers 50000] [--events 5000] [--municipalities 290]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common
from bench.common import line

PAGE_GOAL_MS = 200.0
TOUR_GOAL_MS = 1000.0
REGIONS = (
    "Norrbotten", "Västerbotten", "Jämtland", "Västernorrland", "Gävleborg", "Dalarna",
    "Värmland", "Örebro", "Västmanland", "Uppsala", "Stockholm", "Södermanland",
    "Östergötland", "Jönköping", "Kronoberg", "Kalmar", "Gotland", "Blekinge", "Skåne",
    "Halland", "Västra Götaland",
)  # fmt: skip
TOPIC_WEIGHTS = {"digital-marketing": 4.0, "e-commerce": 3.0, "ai-tools": 3.0, "export": 1.5}


async def seed_world(args: argparse.Namespace) -> dict[str, Any]:
    from events import organisers
    from events import topics as taxonomy
    from events.tables import Event, Municipality, Venue
    from registrations.tables import Registration
    from surveys.tables import SurveyAnswer, SurveyNeed, SurveyRound
    from traffpunkt import db
    from traffpunkt.auth import OrganiserRole, Principal
    from traffpunkt.clock import utc_now

    rng = random.Random(args.seed)
    now = utc_now()
    admin_id = await organisers.ensure_organiser("bench@example.se", OrganiserRole.ADMIN)
    admin = Principal(admin_id, "bench@example.se", OrganiserRole.ADMIN)
    slugs = [t.slug for t in taxonomy.TOPICS]
    weights = [TOPIC_WEIGHTS.get(s, 1.0) for s in slugs]
    places: list[dict[str, Any]] = []
    for i in range(args.municipalities):
        region = REGIONS[i % len(REGIONS)]
        band = REGIONS.index(region)
        places.append(
            {
                "id": uuid4(),
                "slug": f"kommun-{i:03d}",
                "name": f"Kommun {i:03d}",
                "region": region,
                # Regions as bands from the north (Norrbotten) to the south (Skåne).
                "latitude": 67.5 - band * 0.5 + rng.uniform(-0.8, 0.8),
                "longitude": 13 + rng.uniform(0, 9),
            }
        )
    venues: list[dict[str, Any]] = []
    async with db.transaction():
        await Municipality.insert(
            *[
                Municipality(
                    **p,
                    timezone="Europe/Stockholm",
                    created_at=now,
                    coordinates_source="bench (generated)",
                )
                for p in places
            ]
        )
        for p in places:
            venues.append(
                {
                    "id": uuid4(),
                    "municipality": p["id"],
                    "name": f"Kommunhuset i {p['name']}",
                    "capacity": rng.choice([20, 40, 60, 120]),
                    "created_at": now,
                    "updated_at": now,
                }
            )
        await Venue.insert(*[Venue(**v) for v in venues])
    # Events over three years (two back, one ahead).
    event_rows = []
    for i in range(args.events):
        p = rng.choice(places)
        v = next(v for v in venues if v["municipality"] == p["id"])
        starts = now + timedelta(days=rng.randint(-730, 365), hours=rng.randint(0, 8))
        status = rng.choices(["published", "draft", "cancelled"], [8, 1, 1])[0]
        topics = rng.sample(slugs, rng.randint(0, 3))
        event_rows.append(
            Event(
                id=uuid4(),
                slug=f"bench-event-{i}",
                title=f"Seminarium {i}",
                kind="seminar",
                status=status,
                municipality=p["id"],
                venue=v["id"],
                starts_at=starts,
                ends_at=starts + timedelta(hours=2),
                capacity=v["capacity"],
                topics=taxonomy.encode(topics),
                created_at=now,
                updated_at=now,
            )
        )
    async with db.transaction():
        for i in range(0, len(event_rows), 500):
            await Event.insert(*event_rows[i : i + 500])
    # Registrations with ticked needs, on the published events.
    published = [e for e in event_rows if e.status == "published"]
    regs = []
    for i in range(args.registrations):
        e = rng.choice(published)
        email = f"deltagare{i}@example.se"
        regs.append(
            Registration(
                id=uuid4(),
                event=e.id,
                event_email=f"{e.id}:{email}",
                email=email,
                name=f"Deltagare {i}",
                organisation=f"Företag {rng.randint(0, args.registrations // 2)} AB",
                needs=taxonomy.encode(rng.choices(slugs, weights, k=rng.randint(1, 3))),
                status="confirmed",
                ticket_no=uuid4().hex[:12],
                queued_at=now,
                created_at=now - timedelta(days=rng.randint(0, 600)),
                updated_at=now,
            )
        )
    async with db.transaction():
        for i in range(0, len(regs), 500):
            await Registration.insert(*regs[i : i + 500])
    # The survey: one round, answers spread over the municipalities.
    round_id = uuid4()
    async with db.transaction():
        await SurveyRound.insert(
            SurveyRound(
                id=round_id,
                slug="bench",
                title="Kompetensbehov",
                opens_at=now - timedelta(days=60),
                closes_at=now + timedelta(days=30),
                created_at=now,
                updated_at=now,
            )
        )
    started = time.perf_counter()
    for chunk in range(0, args.answers, 5000):
        answers, needs = [], []
        for i in range(chunk, min(chunk + 5000, args.answers)):
            p = places[int(rng.paretovariate(1.2)) % len(places)]
            org = f"{5560000000 + i:010d}"
            org = f"{org[:6]}-{org[6:]}"
            answer_id = uuid4()
            answers.append(
                SurveyAnswer(
                    id=answer_id,
                    round=round_id,
                    round_company=f"{round_id}:{org}",
                    org_number=org,
                    municipality=p["id"],
                    email=f"foretag{i}@example.se",
                    contact_consent=rng.random() < 0.6,
                    token_hash=uuid4().hex + uuid4().hex,
                    answered_at=now - timedelta(days=rng.randint(1, 50)),
                    updated_at=now,
                )
            )
            for topic in set(rng.choices(slugs, weights, k=rng.randint(1, 4))):
                needs.append(
                    SurveyNeed(
                        answer=answer_id, topic=topic, kind="need", urgency=rng.randint(1, 3)
                    )
                )
        async with db.transaction():
            for i in range(0, len(answers), 1000):
                await SurveyAnswer.insert(*answers[i : i + 1000])
            for i in range(0, len(needs), 1000):
                await SurveyNeed.insert(*needs[i : i + 1000])
    print(f"  seeded {args.answers} answers in {time.perf_counter() - started:.1f} s", flush=True)
    await db.engine().run_ddl("ANALYZE")
    return {"admin": admin, "places": places, "venues": venues}


async def session_cookie(email: str) -> str:
    """A real organiser session: the sign-in link from the outbox, used once."""
    from accounts import service as accounts
    from notifications.tables import OutboxMessage

    await accounts.request_sign_in(email, by_admin=True)
    row = (
        await OutboxMessage.select(OutboxMessage.secrets)
        .where(OutboxMessage.kind == "sign_in")
        .first()
    )
    assert row is not None
    token = json.loads(row["secrets"])["sign_in_url"].rsplit("/", 1)[1]
    return await accounts.sign_in(token)


async def timed(fn: Any, reps: int) -> list[float]:
    out = []
    for _ in range(reps):
        t0 = time.perf_counter()
        await fn()
        out.append(time.perf_counter() - t0)
    return out


async def run(url: str, args: argparse.Namespace, engine_name: str) -> None:
    import httpx

    from accounts import service as accounts
    from planning import service
    from planning import tours as planner
    from planning.schemas import TourIn
    from planning.travel import Place, TravelTimes
    from traffpunkt import db
    from traffpunkt.app import app_tables, create_app
    from traffpunkt.settings import get_settings

    engine = db.make_engine(url)
    db.bind(engine, app_tables())
    await db.start(engine, 10)
    try:
        world = await seed_world(args)
        admin = world["admin"]
        region = "Norrbotten"
        app = create_app(get_settings(), engine)
        token = (await accounts.create_token(admin.organiser_id))[1]
        cookie = await session_cookie("bench@example.se")
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://testserver", cookies={"tp_session": cookie}
        ) as client:

            async def page() -> None:
                r = await client.get("/organiser/planning", params={"region": region})
                assert r.status_code == 200, r.status_code

            async def api() -> None:
                r = await client.get(
                    "/api/v1/demand",
                    params={"region": region},
                    headers={"Authorization": f"Bearer {token}"},
                )
                assert r.status_code == 200

            async def api_all() -> None:
                r = await client.get("/api/v1/demand", headers={"Authorization": f"Bearer {token}"})
                assert r.status_code == 200

            await page()  # warm: templates compiled, statements prepared
            report = await service.demand_report(admin)
            print(
                f"  demand: {len(report.items)} (municipality, topic) pairs with needs,"
                f" {sum(1 for d, _ in report.items if d.unmet > 0)} unmet"
            )
            reps = args.reps
            if args.profile:
                import cProfile
                import pstats

                prof = cProfile.Profile()
                prof.enable()
                await service.demand_report(admin)
                prof.disable()
                pstats.Stats(prof).sort_stats("cumulative").print_stats(25)
            print(
                line(
                    "demand_report, all 290 (admin)",
                    await timed(lambda: service.demand_report(admin), reps),
                )
            )
            print(
                line(
                    f"demand_report, region {region}",
                    await timed(lambda: service.demand_report(admin, region=region), reps),
                )
            )
            print(line("GET /api/v1/demand (all)", await timed(api_all, reps)))
            print(line(f"GET /api/v1/demand?region={region}", await timed(api, reps)))
            print(
                line(
                    f"planning page ?region={region}",
                    await timed(page, reps),
                    PAGE_GOAL_MS if engine_name == "postgres" else None,
                )
            )

        # The pure planner: 40 localities with demand, 10 stops, three weeks.
        rng = random.Random(args.seed)
        localities, coordinates = [], {}
        start = date.today() + timedelta(days=30)
        days = [start + timedelta(days=i) for i in range(21)]
        for p in world["places"][:40]:
            coordinates[p["id"]] = Place(p["latitude"], p["longitude"])
            slot = planner.VenueSlot(
                uuid4(),
                rng.choice([20, 40, 60]),
                frozenset(d for d in days if rng.random() < 0.2),
            )
            localities.append(planner.Locality(p["id"], rng.randint(1, 40), (slot,)))
        travel = TravelTimes(coordinates)
        home = Place(65.58, 22.15)  # Luleå

        def minutes(a: UUID | None, b: UUID) -> int | None:
            return travel.from_place(home, b) if a is None else travel.minutes(a, b)

        def plan() -> planner.Tour:
            return planner.plan_tour(
                localities,
                start=start,
                end=start + timedelta(days=20),
                minutes=minutes,
                min_capacity=20,
                max_stops=10,
            )

        samples = []
        for _ in range(reps):
            t0 = time.perf_counter()
            tour = plan()
            samples.append(time.perf_counter() - t0)
        greedy = planner.greedy_tour(
            localities,
            start=start,
            end=start + timedelta(days=20),
            minutes=minutes,
            min_capacity=20,
            max_stops=10,
        )
        print(line("plan_tour: 10 of 40 localities, 3 weeks", samples, TOUR_GOAL_MS))
        print(
            f"  tour: {len(tour.stops)} stops, demand {tour.covered}, travel {tour.travel} min;"
            f" greedy: {len(greedy.stops)} stops, demand {greedy.covered},"
            f" travel {greedy.travel} min"
        )
        body = TourIn(
            topic="e-commerce",
            start=start,
            end=start + timedelta(days=20),
            max_stops=10,
            min_capacity=20,
            municipalities=[p["slug"] for p in world["places"] if p["region"] == region],
        )
        print(
            line(
                f"propose_tour end to end ({region})",
                await timed(lambda: service.propose_tour(admin, body), reps),
            )
        )
    finally:
        await db.stop(engine)


def run_engine(engine_name: str, args: argparse.Namespace) -> int:
    with tempfile.TemporaryDirectory(prefix="traffpunkt-bench-") as tmp:
        work_dir = Path(tmp)
        with common.scratch_database(engine_name, work_dir) as url:
            common.prepare_environment(work_dir, url)
            label = "SQLite file" if engine_name == "sqlite" else "PostgreSQL 127.0.0.1:5432"
            print(f"\n### planning — {engine_name} ({label}); {common.load_average()}", flush=True)
            asyncio.run(run(url, args, engine_name))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engines", nargs="+", default=["postgres", "sqlite"])
    parser.add_argument("--reps", type=int, default=7)
    parser.add_argument("--answers", type=int, default=50000)
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--registrations", type=int, default=5000)
    parser.add_argument("--municipalities", type=int, default=290)
    parser.add_argument("--seed", type=int, default=290)
    parser.add_argument("--profile", action="store_true", help="profile demand_report once")
    parser.add_argument("--engine", choices=["sqlite", "postgres"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.engine:
        return run_engine(args.engine, args)
    rest = [
        f"--reps={args.reps}", f"--answers={args.answers}", f"--events={args.events}",
        f"--registrations={args.registrations}", f"--municipalities={args.municipalities}",
        f"--seed={args.seed}", *(["--profile"] if args.profile else []),
    ]  # fmt: skip
    return common.run_per_engine(Path(__file__).resolve(), args.engines, rest, 900)


if __name__ == "__main__":
    sys.exit(main())
