"""Networking benchmark: suggestions for whole events and 1:1 meeting plans (pure functions).

Prints
1. `networking.matching.suggest` (k=10) for every consenting attendee of events with 500,
   2,000 and 5,000 attendees: median of several runs, p10/p90, CPU time, how the time grows
   (ratio per doubling between sizes and the exponent b of a fitted t ~ n^b), where the time
   goes (profiles, score blocks, shortlists, diversity re-ranking, first-place spreading,
   explanations), and a check of the rules (never oneself, one's own organisation or a
   declined pair; at most k each; scores in [0, 1]). Goal: 5,000 in < 2 s.
2. `networking.planning.plan` for 500 attendees: weights from `edge_weights` over k=15
   suggestions plus mutual "yes" pairs, 6 slots, 250 tables (everyone can meet): median time
   (goal < 5 s), its total score against the greedy baseline (`plan(..., greedy=True)`) as a
   ratio, and a check (no one twice in a slot, no pair twice, at most `tables` per slot).
3. Unless `--no-e2e`: `networking.service` end to end on a scratch SQLite file with 500
   consenting registrations (profiles and decisions loaded from the database, suggestions,
   both plans, the draft stored), cold (suggestion cache empty) and warm. `--e2e-engine
   postgres` (or `both`) runs it on a scratch PostgreSQL database as well.

The profiles are random but realistic and reproducible (`--seed`): 0-4 needs and 0-4 offers
from events.topics.TOPICS with popular and rare topics, companies (some from the same
organisation), researchers from a few universities, public sector and advisors, short
Swedish free texts (some empty), and a few declined pairs.

    .venv/bin/python bench/networking_bench.py [--sizes 500 2000 5000] [--reps 5]
        [--plan-n 500] [--slots 6] [--tables 250] [--no-e2e]
        [--e2e-engine sqlite|postgres|both]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import math
import random
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common
from bench.common import Deadline, line

SUGGEST_GOAL_S = 2.0  # for 5,000 attendees
PLAN_GOAL_S = 5.0  # for 500 attendees, 6 slots
K_SHOWN = 10  # networking.service.SUGGESTIONS_SHOWN
K_PLANS = 15  # networking.service.SUGGESTIONS_FOR_PLANS

# --- realistic random profiles -------------------------------------------------------------------

# How often a topic is needed / offered (relative weights, by slug; others weigh 1).
NEED_WEIGHTS = {
    "digital-marketing": 4.0,
    "social-media": 3.0,
    "e-commerce": 2.5,
    "web-presence": 2.5,
    "ai-tools": 3.0,
    "financing": 2.5,
    "recruitment": 2.0,
    "export": 1.5,
    "cybersecurity": 1.5,
    "research-collaboration": 0.7,
}
OFFER_WEIGHTS = {
    "bookkeeping": 2.0,
    "tourism": 2.5,
    "entrepreneurship": 2.0,
    "web-presence": 1.5,
    "sustainability": 1.5,
    "digital-marketing": 1.2,
    "ai-tools": 0.6,
    "cybersecurity": 0.6,
}
COUNTS = (0, 1, 2, 3, 4)
NEED_COUNT_P = (0.10, 0.25, 0.30, 0.20, 0.15)
OFFER_COUNT_P = (0.20, 0.30, 0.25, 0.15, 0.10)
ROLES = ("company", "researcher", "public_sector", "advisor")
ROLE_P = (0.70, 0.12, 0.10, 0.08)
UNIVERSITIES = ("Luleå tekniska universitet", "Umeå universitet", "SLU Umeå", "RISE")
PUBLIC = (
    "Åsele kommun",
    "Arvidsjaur kommun",
    "Överkalix kommun",
    "Sorsele kommun",
    "Region Norrbotten",
    "Region Västerbotten",
)
ADVISORS = ("Almi Nord", "Nyföretagarcentrum", "Coompanion", "Hushållningssällskapet")
FIRST = ("Anna", "Erik", "Maja", "Lars", "Åsa", "Jörgen", "Märta", "Nils", "Sofia", "Björn")
LAST = ("Lindström", "Öberg", "Nilsson", "Åkesson", "Johansson", "Grönlund", "Berg", "Sjöberg")
WORDS = (
    "vi driver ett litet företag i inlandet och vill nå fler kunder på nätet med hjälp av "
    "sociala medier webbshop bokning turism fiske jakt skoter hantverk kaffe rökeri renskötsel "
    "logistik frakt export till norge och finland söker finansiering rekrytering av personal "
    "hållbarhet solceller skog sågverk digitalisering bokföring ai verktyg chatgpt säkerhet "
    "lösenord forskning samarbete studenter examensarbete innovation besökare upplevelser "
    "restaurang camping stugor evenemang marknadsföring annonser instagram facebook"
).split()
DECLINED_SHARE = 0.05  # declined pairs per attendee


def _pick(rng: random.Random, weights: dict[str, float], slugs: list[str], count: int) -> list:
    pool = list(slugs)
    out: list[str] = []
    for _ in range(count):
        w = [weights.get(s, 1.0) for s in pool]
        choice = rng.choices(pool, weights=w)[0]
        out.append(choice)
        pool.remove(choice)
    return out


def make_profiles(n: int, seed: int) -> tuple[list[dict[str, Any]], set[tuple[int, int]]]:
    """n attendee profiles (dicts with the Registration fields networking reads) and declined
    pairs (row indexes)."""
    from events.topics import TOPICS

    rng = random.Random(seed)
    slugs = [t.slug for t in TOPICS]
    companies = [f"{rng.choice(LAST)}s {rng.choice(WORDS).capitalize()} AB" for _ in range(n // 3)]
    profiles = []
    for _ in range(n):
        role = rng.choices(ROLES, weights=ROLE_P)[0]
        needs = _pick(rng, NEED_WEIGHTS, slugs, rng.choices(COUNTS, weights=NEED_COUNT_P)[0])
        offers = _pick(rng, OFFER_WEIGHTS, slugs, rng.choices(COUNTS, weights=OFFER_COUNT_P)[0])
        if role == "researcher":
            organisation = rng.choice(UNIVERSITIES)
            if "research-collaboration" not in offers:
                offers = [*offers[:3], "research-collaboration"]
        elif role == "public_sector":
            organisation = rng.choice(PUBLIC)
        elif role == "advisor":
            organisation = rng.choice(ADVISORS)
            offers = offers or ["financing"]
        else:
            organisation = rng.choice(companies) if rng.random() < 0.85 else ""
        about = "" if rng.random() < 0.2 else " ".join(rng.choices(WORDS, k=rng.randint(4, 14)))
        profiles.append(
            {
                "id": str(UUID(int=rng.getrandbits(128), version=4)),
                "name": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                "organisation": organisation,
                "role": role,
                "needs": needs,
                "offers": offers,
                "about": about.capitalize(),
            }
        )
    declined = set()
    while len(declined) < int(DECLINED_SHARE * n):
        a, b = rng.randrange(n), rng.randrange(n)
        if a != b:
            declined.add((a, b))
    return profiles, declined


def people_of(profiles: list[dict[str, Any]]) -> list[Any]:
    from networking.matching import Person

    return [
        Person(
            id=p["id"],
            name=p["name"],
            organisation=p["organisation"],
            role=p["role"],
            needs=p["needs"],
            offers=p["offers"],
            about=p["about"],
        )
        for p in profiles
    ]


def check_suggestions(
    people: list[Any], declined: set[tuple[int, int]], result: dict[str, list[Any]], k: int
) -> str:
    """The rules, on every list; 'ok' or what is wrong."""
    index = {p.id: i for i, p in enumerate(people)}
    no = declined | {(b, a) for a, b in declined}
    problems: Counter[str] = Counter()
    empty = 0
    for p in people:
        items = result[p.id]
        empty += not items
        if len(items) > k:
            problems["more than k"] += 1
        if len({s.other for s in items}) != len(items):
            problems["duplicates"] += 1
        org = " ".join(p.organisation.lower().split())
        for s in items:
            other = people[index[s.other]]
            if s.other == p.id:
                problems["oneself"] += 1
            if org and org == " ".join(other.organisation.lower().split()):
                problems["own organisation"] += 1
            if (index[p.id], index[s.other]) in no:
                problems["declined pair"] += 1
            if not 0.0 <= s.score <= 1.0:
                problems["score outside [0, 1]"] += 1
    verdict = ", ".join(f"{n} × {what}" for what, n in problems.items()) or "ok"
    return f"{verdict} ({empty} attendees without suggestions)"


# --- suggestions: time and growth -------------------------------------------------------------


class Pieces:
    """Sums the wall time of matching's helpers (module attributes, patched in this process)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self._undo: list[tuple[Any, str, Any]] = []

    def wrap(self, owner: Any, name: str, label: str, static: bool = False) -> None:
        original = owner.__dict__[name] if static else getattr(owner, name)
        func = original.__func__ if isinstance(original, classmethod) else original

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return func(*args, **kwargs)
            finally:
                self.seconds[label] += time.perf_counter() - t0

        self._undo.append((owner, name, original))
        setattr(owner, name, classmethod(wrapper) if isinstance(original, classmethod) else wrapper)

    def undo(self) -> None:
        for owner, name, original in reversed(self._undo):
            setattr(owner, name, original)


def breakdown(people: list[Any], declined: set[tuple[int, int]]) -> list[tuple[str, float]]:
    """One instrumented run of suggest(): seconds per piece, the rest by difference."""
    import numpy as np

    from networking import matching

    pieces = Pieces()
    pieces.wrap(matching.Profiles, "of", "Profiles.of (topic matrices, organisations)", True)
    pieces.wrap(matching, "block_scores", "block_scores (N×N scores, exclusions)")
    pieces.wrap(np, "argpartition", "argpartition (shortlists of 30)")
    pieces.wrap(matching, "_text_vectors", "_text_vectors (hashed words)")
    pieces.wrap(matching, "_spread_first_places", "_spread_first_places (Python loop)")
    pieces.wrap(matching, "Suggestion", "Suggestion objects (explanations loop)")
    try:
        t0 = time.perf_counter()
        matching.suggest(people, declined, k=K_SHOWN)
        total = time.perf_counter() - t0
    finally:
        pieces.undo()
    rows = sorted(pieces.seconds.items(), key=lambda kv: -kv[1])
    rest = total - sum(pieces.seconds.values())
    rows.append(("rest (popularity, text sims, MMR steps, lists)", rest))
    return [("total", total), *rows]


def bench_suggestions(sizes: list[int], reps: int, seed: int, deadline: Deadline) -> None:
    import numpy as np

    from networking.matching import suggest

    print(f"\n### suggestions (networking.matching.suggest, k={K_SHOWN}); {common.load_average()}")
    warm_profiles, warm_declined = make_profiles(200, seed + 1)
    suggest(people_of(warm_profiles), warm_declined, k=K_SHOWN)  # imports, BLAS warm-up
    medians: dict[int, float] = {}
    cpu_medians: dict[int, float] = {}
    for n in sizes:
        if deadline.expired():
            print("  (budget spent; stopping)")
            break
        profiles, declined = make_profiles(n, seed)
        people = people_of(profiles)
        walls, cpus = [], []
        result: dict[str, list[Any]] = {}
        runs = reps if n < 5000 else max(3, reps - 2)
        for _ in range(runs):
            t0, c0 = time.perf_counter(), time.process_time()
            result = suggest(people, declined, k=K_SHOWN)
            walls.append(time.perf_counter() - t0)
            cpus.append(time.process_time() - c0)
        medians[n] = statistics.median(walls)
        cpu_medians[n] = statistics.median(cpus)
        goal = SUGGEST_GOAL_S * 1000 if n == 5000 else None
        print(line(f"{n:,} attendees", walls, goal))
        shared = sum(1 for c in Counter(p["organisation"] for p in profiles).values() if c > 1)
        roles = Counter(p["role"] for p in profiles)
        print(
            f"    CPU median {statistics.median(cpus) * 1000:.0f} ms;"
            f" {len(declined)} declined pairs, {shared} organisations with several attendees,"
            f" roles {dict(roles)}"
        )
        print(f"    check: {check_suggestions(people, declined, result, K_SHOWN)}")
    if len(medians) >= 2:
        ns = sorted(medians)
        print("  growth:")
        for a, b in itertools.pairwise(ns):
            ratio = medians[b] / medians[a]
            per_doubling = ratio ** (1 / math.log2(b / a))
            print(
                f"    {a:,} → {b:,}: × {ratio:.2f} in time for × {b / a:g} in size"
                f" = × {per_doubling:.2f} per doubling (N² work would be × 4, N log N ≈ × 2)"
            )
        for label, values in (("wall", medians), ("CPU", cpu_medians)):
            slope, _ = np.polyfit(np.log(ns), np.log([values[n] for n in ns]), 1)
            print(
                f"    fitted {label} time t ~ n^{slope:.2f} over {', '.join(f'{n:,}' for n in ns)}"
                f" (× {2**slope:.2f} per doubling)"
            )
    big = max(medians) if medians else None
    if big is not None and not deadline.expired():
        profiles, declined = make_profiles(big, seed)
        print(f"  where the time goes, one instrumented run at {big:,} attendees:")
        rows = breakdown(people_of(profiles), declined)
        total = rows[0][1]
        for label, seconds in rows:
            print(f"    {label:<52} {seconds * 1000:8.1f} ms  {seconds / total:6.1%}")


# --- meeting plans -----------------------------------------------------------------------------


def plan_inputs(
    profiles: list[dict[str, Any]], declined: set[tuple[int, int]], seed: int, mutual_pairs: int
) -> tuple[dict[frozenset[str], float], set[frozenset[str]], float]:
    """edge_weights over k=15 suggestions, and mutual pairs: mostly suggested pairs where both
    said yes, a few found by themselves. Returns (weights, mutual, seconds of suggest)."""
    from networking.matching import suggest
    from networking.planning import edge_weights

    rng = random.Random(seed + 7)
    people = people_of(profiles)
    t0 = time.perf_counter()
    suggested = suggest(people, declined, k=K_PLANS)
    suggest_seconds = time.perf_counter() - t0
    # Sorted as tuples: the same sample in every process (frozensets do not sort totally).
    pairs = sorted({tuple(sorted((a, s.other))) for a, items in suggested.items() for s in items})
    mutual = {frozenset(p) for p in rng.sample(pairs, min(len(pairs), mutual_pairs * 4 // 5))}
    ids = [p["id"] for p in profiles]
    while len(mutual) < mutual_pairs:
        a, b = rng.sample(ids, 2)
        mutual.add(frozenset((a, b)))
    weights = edge_weights(
        {a: [(s.other, s.score) for s in items] for a, items in suggested.items()}, mutual
    )
    return weights, mutual, suggest_seconds


def check_plan(meetings: list[Any], slots: int, tables: int) -> tuple[str, list[int]]:
    problems: Counter[str] = Counter()
    seen_pairs: set[frozenset[str]] = set()
    per_slot: dict[int, list[Any]] = defaultdict(list)
    for m in meetings:
        per_slot[m.slot].append(m)
        pair = frozenset((m.a, m.b))
        if pair in seen_pairs:
            problems["pair meets twice"] += 1
        seen_pairs.add(pair)
        if m.a == m.b:
            problems["meets oneself"] += 1
    for slot, items in per_slot.items():
        people = [p for m in items for p in (m.a, m.b)]
        if len(people) != len(set(people)):
            problems[f"someone twice in slot {slot}"] += 1
        if len(items) > tables:
            problems[f"more than {tables} tables in slot {slot}"] += 1
        if sorted(m.table for m in items) != list(range(1, len(items) + 1)):
            problems[f"tables not 1..n in slot {slot}"] += 1
    if set(per_slot) - set(range(1, slots + 1)):
        problems["slot out of range"] += 1
    verdict = ", ".join(f"{n} × {what}" for what, n in problems.items()) or "ok"
    return verdict, [len(per_slot.get(s, [])) for s in range(1, slots + 1)]


def bench_plan(
    n: int, slots: int, tables: int, reps: int, seed: int, mutual_pairs: int, deadline: Deadline
) -> None:
    from networking.planning import plan, total

    print(
        f"\n### meeting plan (networking.planning.plan), {n:,} attendees, {slots} slots,"
        f" {tables} tables; {common.load_average()}"
    )
    profiles, declined = make_profiles(n, seed)
    weights, mutual, suggest_seconds = plan_inputs(profiles, declined, seed, mutual_pairs)
    print(
        f"  inputs: suggest(k={K_PLANS}) {suggest_seconds * 1000:.0f} ms; {len(weights):,}"
        f" candidate pairs (edge_weights), {len(mutual)} mutual pairs"
    )
    timings: dict[str, list[float]] = {"exact (HiGHS MILP per slot)": [], "greedy baseline": []}
    results: dict[str, list[Any]] = {}
    for _ in range(reps):
        for label, greedy in (("exact (HiGHS MILP per slot)", False), ("greedy baseline", True)):
            if deadline.expired():
                break
            t0 = time.perf_counter()
            results[label] = plan(weights, mutual, slots, tables, greedy=greedy)
            timings[label].append(time.perf_counter() - t0)
    exact = results.get("exact (HiGHS MILP per slot)")
    greedy_plan = results.get("greedy baseline")
    if not exact or not greedy_plan:
        print("  (budget spent before a plan was made)")
        return
    print(line("exact plan (plan)", timings["exact (HiGHS MILP per slot)"], PLAN_GOAL_S * 1000))
    print(line("greedy baseline (plan(..., greedy=True))", timings["greedy baseline"]))
    for label, meetings in (("exact", exact), ("greedy", greedy_plan)):
        verdict, per_slot = check_plan(meetings, slots, tables)
        met_mutual = sum(1 for m in meetings if m.mutual)
        people = {p for m in meetings for p in (m.a, m.b)}
        print(
            f"  {label:<7} total score {total(meetings):8.2f}; meetings per slot {per_slot};"
            f" {len(people)} of {n} attendees meet someone; {met_mutual} of {len(mutual)}"
            f" mutual pairs planned; check: {verdict}"
        )
    ratio = total(exact) / total(greedy_plan)
    print(f"  ratio exact ÷ greedy total score: {ratio:.4f} (+{(ratio - 1) * 100:.2f} %)")


# --- end to end through networking.service (optional) ----------------------------------------


async def e2e(url: str, n: int, slots: int, tables: int, seed: int, mutual_pairs: int) -> None:
    from events import topics
    from networking import service
    from networking.schemas import PlanIn
    from networking.tables import Decision
    from registrations.tables import Registration
    from traffpunkt import cpu, db
    from traffpunkt.clock import utc_now

    engine = db.make_engine(url)
    from traffpunkt.app import app_tables

    db.bind(engine, app_tables())
    await db.start(engine, 10)
    try:
        world = await common.seed(1, 0)
        admin = world["admin"]
        event_id: UUID = world["ids"][common.MAIN_SLUG][0]
        profiles, declined = make_profiles(n, seed)
        now = utc_now()
        rows = []
        for i, p in enumerate(profiles):
            email = f"deltagare{i}@example.se"
            rows.append(
                Registration(
                    id=UUID(p["id"]),
                    event=event_id,
                    event_email=f"{event_id}:{email}",
                    email=email,
                    name=p["name"],
                    organisation=p["organisation"],
                    language="sv",
                    needs=topics.encode(p["needs"]),
                    offers=topics.encode(p["offers"]),
                    networking_consent=True,
                    role=p["role"],
                    about=p["about"],
                    status="confirmed",
                    ticket_no=uuid4().hex[:12],
                    queued_at=now,
                    created_at=now,
                    updated_at=now,
                )
            )
        _, mutual, _ = plan_inputs(profiles, declined, seed, mutual_pairs)
        decisions = []
        for a, b in declined:
            decisions.append((profiles[a]["id"], profiles[b]["id"], "no"))
        for pair in mutual:
            a, b = sorted(pair)
            decisions += [(a, b, "yes"), (b, a, "yes")]
        decision_rows = [
            Decision(
                id=uuid4(),
                event=event_id,
                pair=f"{a}:{b}",
                from_registration=UUID(a),
                to_registration=UUID(b),
                decision=d,
                decided_at=now,
            )
            for a, b, d in {(a, b): (a, b, d) for a, b, d in decisions}.values()
        ]
        async with db.transaction():
            for i in range(0, len(rows), 100):
                await Registration.insert(*rows[i : i + 100])
            for i in range(0, len(decision_rows), 100):
                await Decision.insert(*decision_rows[i : i + 100])
        await db.engine().run_ddl("ANALYZE")

        async def timed(fn: Callable[[], Any], clear: bool, reps: int = 3) -> list[float]:
            out = []
            for _ in range(reps):
                if clear:
                    service._cache.clear()
                t0 = time.perf_counter()
                await fn()
                out.append(time.perf_counter() - t0)
            return out

        sid = str(event_id)
        body = PlanIn(slots=slots, tables=tables)
        await service._suggestions(event_id, K_SHOWN)  # the worker process started (traffpunkt.cpu)
        suggestions_cold = await timed(lambda: service._suggestions(event_id, K_SHOWN), True)
        suggestions_warm = await timed(lambda: service._suggestions(event_id, K_SHOWN), False)
        plan_cold = await timed(lambda: service.create_plan(admin, sid, body), True)
        plan_warm = await timed(lambda: service.create_plan(admin, sid, body), False)
        out = await service.create_plan(admin, sid, body)
        print(line("profiles + decisions + suggest (cache empty)", suggestions_cold))
        print(line("the same, cached", suggestions_warm))
        print(line("create_plan: suggest, both plans, store (cold)", plan_cold))
        print(line("create_plan, suggestions cached", plan_warm))
        ratio = out.total_score / out.greedy_total_score if out.greedy_total_score else math.nan
        print(
            f"  plan: {len(out.meetings)} meetings, {out.participants} participants, total"
            f" {out.total_score} vs greedy {out.greedy_total_score} (× {ratio:.4f})"
        )
    finally:
        await cpu.stop()
        await db.stop(engine)


def run_e2e(engine_name: str, args: argparse.Namespace) -> int:
    with tempfile.TemporaryDirectory(prefix="traffpunkt-bench-") as tmp:
        work_dir = Path(tmp)
        with common.scratch_database(engine_name, work_dir) as url:
            common.prepare_environment(work_dir, url)
            label = "SQLite file" if engine_name == "sqlite" else "PostgreSQL 127.0.0.1:5432"
            print(
                f"\n### networking.service end to end, {args.plan_n} consenting attendees —"
                f" {engine_name} ({label}); {common.load_average()}",
                flush=True,
            )
            asyncio.run(
                e2e(url, args.plan_n, args.slots, args.tables, args.seed, args.mutual_pairs)
            )
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 2000, 5000])
    parser.add_argument("--reps", type=int, default=5, help="runs per size (5,000: reps - 2)")
    parser.add_argument("--plan-n", type=int, default=500)
    parser.add_argument("--slots", type=int, default=6)
    parser.add_argument("--tables", type=int, default=250)
    parser.add_argument("--plan-reps", type=int, default=3)
    parser.add_argument("--mutual-pairs", type=int, default=50)
    parser.add_argument("--seed", type=int, default=20270304)
    parser.add_argument("--no-e2e", action="store_true")
    parser.add_argument("--e2e-engine", choices=["sqlite", "postgres", "both"], default="sqlite")
    # internal: one engine's end-to-end part, in its own process (settings are per process)
    parser.add_argument("--engine", choices=["sqlite", "postgres"], help=argparse.SUPPRESS)
    parser.add_argument("--budget", type=float, default=300, help="seconds in all")
    args = parser.parse_args()
    if args.engine:
        return run_e2e(args.engine, args)
    deadline = Deadline(args.budget)
    bench_suggestions(args.sizes, args.reps, args.seed, deadline)
    bench_plan(
        args.plan_n, args.slots, args.tables, args.plan_reps, args.seed, args.mutual_pairs, deadline
    )
    if args.no_e2e:
        return 0
    engines = ["sqlite", "postgres"] if args.e2e_engine == "both" else [args.e2e_engine]
    rest = [f"--plan-n={args.plan_n}", f"--slots={args.slots}", f"--tables={args.tables}"]
    rest += [f"--seed={args.seed}", f"--mutual-pairs={args.mutual_pairs}"]
    # Each engine in its own process; on overrun SIGINT first, so the scratch database is dropped.
    return common.run_per_engine(Path(__file__).resolve(), engines, rest, 240)


if __name__ == "__main__":
    sys.exit(main())
