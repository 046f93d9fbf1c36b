"""A check-in answers within 50 ms while suggestions for 5,000 attendees are computed in the same
process: the scoring runs in a worker process (traffpunkt.cpu), not on the event loop.

Check-ins go through the app over HTTP, one after the other (concurrent ones would contend for
SQLite's write lock, not for the loop). First a baseline: ten in a row, their median time `b`.
Then, while the suggestions are computed, one is due every max(50 ms, 4·b) (a door phone; a
quarter of the capacity: on 2 cores the computation slows a check-in down up to twice, and a
queue of check-ins would be measured instead of the loop) and each is timed from the
moment it was due: a stalled loop shows as latency even though the client shares that loop (it
could not even send while the loop was blocked). With the matching on the loop (before
issue 11) every check-in due during the computation waited for it: median and maximum in the
hundreds of ms to seconds.
"""

from __future__ import annotations

import asyncio
import gc
import random
import statistics
import time
from typing import Any
from uuid import UUID, uuid4

import httpx

from events import topics
from networking import service
from registrations.tables import Registration
from tests.conftest import World
from tests.registrations.conftest import make_event, sign_up, token_of
from tests.registrations.test_checkin import attendee, door
from traffpunkt import cpu, db
from traffpunkt.clock import utc_now

ATTENDEES = 5_000
EVERY = 0.05  # seconds between check-ins, at least
GOAL = 0.05  # the median check-in during the computation
BASELINE = 10  # check-ins without the computation
MOST = 400  # check-ins during the computation at most


async def many_attendees(event_id: str, n: int) -> None:
    """n consenting attendees with random needs and offers, inserted directly (as many people
    through the API would make the test a sign-up benchmark)."""
    rng = random.Random(11)
    slugs = [t.slug for t in topics.TOPICS]
    now = utc_now()
    rows = []
    for i in range(n):
        email = f"n{i}@example.se"
        rows.append(
            Registration(
                id=uuid4(),
                event=UUID(event_id),
                event_email=f"{event_id}:{email}",
                email=email,
                name=f"Deltagare {i}",
                organisation=f"Företag {rng.randrange(n // 3)}" if rng.random() < 0.8 else "",
                language="sv",
                needs=topics.encode(rng.sample(slugs, rng.randint(0, 4))),
                offers=topics.encode(rng.sample(slugs, rng.randint(0, 4))),
                networking_consent=True,
                role="company",
                about="",
                status="confirmed",
                ticket_no=uuid4().hex[:12],
                queued_at=now,
                created_at=now,
                updated_at=now,
            )
        )
    async with db.transaction():
        for i in range(0, n, 250):
            await Registration.insert(*rows[i : i + 250])


async def check_ins_until(ended: Any, scan: Any, every: float) -> list[float]:
    """A check-in due every `every` seconds, one after the other (a late one starts at once),
    for every due time before ended() (the computation's end, None while it runs), at most
    MOST; the seconds from each one's due time to its answer, so a loop that stalls shows in
    every check-in due meanwhile."""
    latencies: list[float] = []
    start = time.perf_counter()
    while len(latencies) < MOST:
        due = start + len(latencies) * every
        if (end := ended()) is not None and due > end:
            break
        if (wait := due - time.perf_counter()) > 0:
            await asyncio.sleep(min(wait, every))
            continue  # look at ended() again after the wait
        await scan()
        latencies.append(time.perf_counter() - due)
    return latencies


async def test_check_ins_answer_while_suggestions_are_computed(
    client: httpx.AsyncClient, world: World
) -> None:
    ev = await make_event(client, world, capacity=20)
    me = await sign_up(
        client,
        ev["id"],
        "me@example.se",
        needs=["bookkeeping", "export"],
        offers=["e-commerce"],
        networking_consent=True,
    )
    assert me.status_code == 201, me.text
    at_the_door = await attendee(client, ev["id"], "door@example.se")
    h = await door(client, world, ev["id"])
    await many_attendees(ev["id"], ATTENDEES)

    async def scan() -> None:
        r = await client.post(
            f"/api/v1/events/{ev['id']}/checkins", json={"secret": at_the_door["code"]}, headers=h
        )
        assert r.status_code == 200, r.text

    await scan()  # the first check-in (and connection) out of the way
    # A full collection of this process's heap (pytest's, the 5,000 rows just inserted) takes
    # 0.1-0.6 s on this machine, whenever it happens: frozen, it is not counted as the loop's
    # stall. The app's own garbage is still collected.
    gc.collect()
    gc.freeze()
    try:
        baseline = []
        for _ in range(BASELINE):
            t0 = time.perf_counter()
            await scan()
            baseline.append(time.perf_counter() - t0)
        b = statistics.median(baseline)
        service._cache.clear()
        t0 = time.perf_counter()
        matches = asyncio.create_task(client.get(f"/api/v1/registrations/{token_of(me)}/matches"))
        ended: list[float] = []
        matches.add_done_callback(lambda _: ended.append(time.perf_counter()))
        during = await check_ins_until(lambda: ended[0] if ended else None, scan, max(EVERY, 4 * b))
        r = await matches
        request_s = ended[0] - t0
    finally:
        gc.unfreeze()
        await cpu.stop()
    assert r.status_code == 200 and len(r.json()["items"]) == service.SUGGESTIONS_SHOWN
    # 50 ms on a quiet machine; on a loaded one (other test suites on 2 cores) a check-in alone
    # can take longer, so the bound grows with the baseline. On the loop, the median was the
    # computation's time (seconds), far above either.
    bound = max(GOAL, 3 * b)
    report = (
        f"suggestions for {ATTENDEES + 1} took {request_s * 1000:.0f} ms; check-ins during them:"
        f" {len(during)}, median {statistics.median(during) * 1000:.1f} ms, max"
        f" {max(during) * 1000:.1f} ms; baseline ({len(baseline)}): median"
        f" {b * 1000:.1f} ms, max {max(baseline) * 1000:.1f} ms"
    )
    print(report)
    assert len(during) >= 5, report  # the computation took at least 0.1 s
    assert statistics.median(during) < bound, report
    # No check-in waits for the computation: on the loop one would wait for nearly all of it.
    assert max(during) < request_s / 2, report
