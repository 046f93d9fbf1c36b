"""Sign-ups/s and check-ins/s against a running `traffpunkt serve`, side by side with pretix.

For each configuration (SQLite; PostgreSQL with 1 and with 2 web processes by default) this
starts `traffpunkt serve --no-worker` in a subprocess on a fresh database (a new SQLite file, or
a new PostgreSQL database at 127.0.0.1:5432 that is dropped afterwards), creates an admin token
with `traffpunkt token create`, a municipality and, per round, a published event with
capacity N - 50. Then, from this process (the load client; the server is another process):

1. sign-ups: N x `POST /api/v1/events/{id}/registrations` at concurrency C over keep-alive
   connections (a minimal client, `RawClient`; `--client httpx` for httpx, which costs ~1.6 ms
   of CPU per request and caps the figures on a 2-core machine), after 10 unmeasured warm-up
   sign-ups on a separate event;
2. every attendee's own page `GET /api/v1/registrations/{token}` (the ticket code; timed too);
3. a door token, then check-ins: every confirmed ticket once, `POST /api/v1/events/{id}/checkins`
   `{secret, scan_id}` at concurrency C; then D re-scans one at a time (new scan_ids) that must
   answer `already_checked_in`, and a few replays of a used scan_id that must change nothing;
4. verification through the API (`checkin-stats`, the attendee list) and straight in the
   database: confirmed == capacity, waitlisted == the rest, seats_taken == capacity, exactly one
   `ok` scan per confirmed person, one queued mail per sign-up, no 5xx anywhere.

With `--pretix` it first runs the pretix peer (bench/pretix: serve.sh, load_orders.py,
load_checkin.py, stop.sh) with the same N and C, so that both are measured in one sitting, and
prints the ratios ours / pretix. Throughput = successful requests / wall time of the phase;
percentiles are nearest-rank over the successful requests (as in the pretix scripts).

Everything talks to 127.0.0.1 only; every loop is bounded by count and by --max-seconds.

    .venv/bin/python bench/registrations_bench.py [--configs sqlite,postgres,postgres:2]
        [--n 500] [--concurrency 32] [--rounds 3] [--pretix] [--client raw|httpx]
        [--json-out FILE] [--profile-dir D] [--src DIR]

Results and the profiling behind them: bench/REGISTRATIONS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import platform
import secrets
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
PRETIX_DIR = ROOT / "bench" / "pretix"
PRETIX_BASE = Path(os.environ.get("PRETIX_BENCH_DIR", "/tmp/peer_pretix"))
PG_ADMIN_URL = os.environ.get(
    "TRAFFPUNKT_BENCH_PG_URL",
    os.environ.get("TRAFFPUNKT_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test"),
)
WARMUP = 10
PROFILE_GIL = False  # --profile-gil: sample only the thread holding the GIL (Python CPU)
SOURCE: Path | None = None  # --src: run the server from another copy of the code (a prototype)
REPLAYS = 10  # repeats of an already used scan_id (idempotency), one at a time
CHECKIN_P95_GOAL_MS = 50.0
RATIO_GOAL = 10.0


# --- figures -----------------------------------------------------------------------------------


def pct(ordered: list[float], p: float) -> float | None:
    """Nearest-rank percentile of a sorted list (the pretix scripts' method)."""
    if not ordered:
        return None
    k = max(0, min(len(ordered) - 1, math.ceil(p / 100.0 * len(ordered)) - 1))
    return ordered[k]


@dataclass
class Phase:
    """One measured phase: latencies of the successful requests, statuses, CPU used."""

    name: str
    sent: int = 0
    ok: int = 0
    wall_s: float = 0.0
    lat_ms: list[float] = field(default_factory=list)
    http: Counter[str] = field(default_factory=Counter)
    results: Counter[str] = field(default_factory=Counter)
    cpu: dict[str, float] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        lat = sorted(self.lat_ms)
        r = lambda v: None if v is None else round(v, 1)  # noqa: E731
        return {
            "phase": self.name,
            "sent": self.sent,
            "ok": self.ok,
            "wall_s": round(self.wall_s, 3),
            "per_s": round(self.ok / self.wall_s, 1) if self.wall_s > 0 else None,
            "p50_ms": r(pct(lat, 50)),
            "p95_ms": r(pct(lat, 95)),
            "p99_ms": r(pct(lat, 99)),
            "max_ms": r(lat[-1] if lat else None),
            "http": dict(self.http),
            "results": dict(self.results),
            "cpu_s": {k: round(v, 2) for k, v in self.cpu.items()},
            "server_cpu_ms_per_ok": round(1000 * self.cpu["server"] / self.ok, 2)
            if self.cpu and self.ok
            else None,
            "errors_sample": self.errors[:5],
        }


# --- CPU accounting (Linux /proc): server process tree, PostgreSQL backends, this client ------


_TICK = os.sysconf("SC_CLK_TCK")


def _proc_stat(pid: int, tid: int | None = None) -> tuple[str, int, float] | None:
    """(comm, ppid, utime+stime seconds) of a process (or of one of its threads), None if it
    is gone."""
    try:
        path = f"/proc/{pid}/task/{tid}/stat" if tid else f"/proc/{pid}/stat"
        raw = Path(path).read_text()
    except OSError:
        return None
    comm = raw[raw.index("(") + 1 : raw.rindex(")")]
    rest = raw[raw.rindex(")") + 2 :].split()
    return comm, int(rest[1]), (int(rest[11]) + int(rest[12])) / _TICK


@dataclass
class CpuSnapshot:
    procs: dict[int, tuple[str, int, float]]
    busy: float  # non-idle CPU seconds of the whole machine (/proc/stat)
    client: float
    # Main thread of each process (the event loop, in ours; the rest are aiosqlite's threads).
    main_threads: dict[int, float] = field(default_factory=dict)


def _machine_busy() -> float:
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    ticks = [int(x) for x in fields[:8]]
    return (sum(ticks) - ticks[3] - ticks[4]) / _TICK  # minus idle and iowait


def cpu_snapshot() -> CpuSnapshot:
    procs: dict[int, tuple[str, int, float]] = {}
    main_threads: dict[int, float] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (s := _proc_stat(int(entry))) is not None:
            procs[int(entry)] = s
            if s[0].startswith(("python", "traffpunkt", "uvicorn")):
                if (t := _proc_stat(int(entry), int(entry))) is not None:
                    main_threads[int(entry)] = t[2]
    return CpuSnapshot(procs, _machine_busy(), time.process_time(), main_threads)


def _tree(procs: dict[int, tuple[str, int, float]], root: int) -> set[int]:
    tree = {root} if root in procs else set()
    grew = bool(tree)
    while grew:
        grew = False
        for pid, (_, ppid, _) in procs.items():
            if ppid in tree and pid not in tree:
                tree.add(pid)
                grew = True
    return tree


def cpu_delta(before: CpuSnapshot, after: CpuSnapshot, server_pid: int) -> dict[str, float]:
    """CPU seconds used between two snapshots by the server's process tree, PostgreSQL
    processes, this load client, and everything else on the machine (other work skews a run).
    Processes that ended in between are lost (so `postgres` may undercount a little)."""

    def used(pid: int) -> float:
        old = before.procs.get(pid)
        return after.procs[pid][2] - (old[2] if old and old[0] == after.procs[pid][0] else 0.0)

    tree = _tree(after.procs, server_pid)
    server = sum(used(p) for p in tree)
    loops = sum(
        after.main_threads[p] - before.main_threads.get(p, 0.0)
        for p in tree
        if p in after.main_threads
    )
    postgres = sum(used(p) for p, s in after.procs.items() if s[0].startswith("postgres"))
    client = after.client - before.client
    busy = after.busy - before.busy
    return {
        "server": server,
        "postgres": postgres,
        "client": client,
        "other": max(0.0, busy - server - postgres - client),
        "server_loop": loops,
    }


def wait_quiet(max_wait: float, threshold: float = 0.25) -> None:
    """Wait (bounded) until the machine is idle: other benchmarks would skew the figures."""
    if max_wait <= 0:
        return
    deadline = time.monotonic() + max_wait
    while True:
        b0, t0 = _machine_busy(), time.monotonic()
        time.sleep(2.0)
        load = (_machine_busy() - b0) / (time.monotonic() - t0) / (os.cpu_count() or 1)
        if load < threshold or time.monotonic() > deadline:
            if load >= threshold:
                print(f"  !! machine still {load:.0%} busy; measuring anyway", flush=True)
            return
        print(f"  machine {load:.0%} busy; waiting for it to be quiet", flush=True)
        time.sleep(8.0)


# --- the server --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(database_url: str, data_dir: Path, base_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRAFFPUNKT_")}
    env.update(
        TRAFFPUNKT_DATABASE_URL=database_url,
        TRAFFPUNKT_DATA_DIR=str(data_dir),
        TRAFFPUNKT_BASE_URL=base_url,
        TRAFFPUNKT_SECRET_KEY="bench-secret-not-for-production",
        # The bench signs up 500 people from one client address: no abuse limits (README).
        TRAFFPUNKT_RATE_LIMITS="off",
        PICCOLO_CONF="piccolo_conf",
    )
    if SOURCE is not None:  # found before the editable install of /work/main
        env["PYTHONPATH"] = str(SOURCE)
    return env


def _traffpunkt() -> list[str]:
    exe = Path(sys.executable).parent / "traffpunkt"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "traffpunkt"]


async def _pg_admin(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_ADMIN_URL, timeout=5)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@contextlib.contextmanager
def fresh_database(engine: str, work_dir: Path) -> Iterator[str]:
    if engine == "sqlite":
        yield f"sqlite:///{work_dir / 'bench-registrations.db'}"
        return
    name = f"traffpunkt_regbench_{secrets.token_hex(4)}"
    asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{PG_ADMIN_URL.rpartition('/')[0]}/{name}"
    finally:
        asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@dataclass
class Server:
    url: str
    database_url: str
    data_dir: Path
    process: subprocess.Popen[bytes]

    def cli(self, *args: str) -> str:
        out = subprocess.run(
            [*_traffpunkt(), *args],
            env=server_env(self.database_url, self.data_dir, self.url),
            cwd=self.data_dir,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if out.returncode != 0:
            raise RuntimeError(f"traffpunkt {' '.join(args)} failed:\n{out.stderr}")
        return out.stdout


@contextlib.contextmanager
def serve(database_url: str, data_dir: Path, workers: int) -> Iterator[Server]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = data_dir / f"serve-{port}.log"
    cmd = [*_traffpunkt(), "serve", "--port", str(port), "--no-worker"]
    if workers > 1:
        cmd += ["--workers", str(workers)]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            cmd,
            env=server_env(database_url, data_dir, url),
            cwd=data_dir,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 90
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"server exited:\n{log_path.read_text()}")
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(f"{url}/api/v1/municipalities", timeout=1).status_code == 200:
                        break
                if time.monotonic() > deadline:
                    raise RuntimeError("server did not start within 90 s")
                time.sleep(0.1)
            yield Server(url, database_url, data_dir, process)
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
                print("  !! the server did not stop within 20 s of SIGTERM", flush=True)


@contextlib.contextmanager
def py_spy(pid: int, out: Path | None, seconds: float) -> Iterator[None]:
    """`py-spy record` on the server (and its workers) while the block runs, if asked for."""
    exe = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if out is None or not Path(exe).exists():
        yield
        return
    rec = subprocess.Popen(
        [
            *(exe, "record", "--pid", str(pid), "--subprocesses", "--rate", "250"),
            *("--format", "raw", "--duration", str(int(seconds)), "--output", str(out)),
            "--nonblocking",
            *(["--gil"] if PROFILE_GIL else []),
            *(["--idle"] if os.environ.get("BENCH_PYSPY_IDLE") else []),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(1.0)  # let it attach
    try:
        yield
    finally:
        rec.send_signal(signal.SIGINT)
        try:
            rec.wait(timeout=30)
        except subprocess.TimeoutExpired:
            rec.kill()
            rec.wait()


# --- load --------------------------------------------------------------------------------------


class RawHTTPError(Exception):
    pass


class RawResponse:
    __slots__ = ("body", "headers", "status_code")

    def __init__(self, status_code: int, headers: dict[str, str], body: bytes) -> None:
        self.status_code = status_code
        self.headers = headers
        self.body = body

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode(errors="replace")


class RawClient:
    """A minimal HTTP/1.1 keep-alive client on asyncio streams (loopback only).

    httpx spends 1-2.5 ms of CPU per request; on a 2-core machine that shares the CPU with the
    server, the load client then costs about as much as the server itself. This one costs a
    fraction of that. It has the subset of httpx.AsyncClient's interface used here. Answers
    must carry Content-Length (uvicorn's do; chunked ones count as errors).
    """

    def __init__(self, base_url: str, max_connections: int, timeout: float = 60.0) -> None:
        host_port = base_url.removeprefix("http://").rstrip("/")
        self.host, _, port = host_port.partition(":")
        if self.host not in ("127.0.0.1", "localhost"):
            raise SystemExit(f"refusing a non-loopback target {base_url!r}")
        self.port = int(port or 80)
        self.timeout = timeout
        self.idle: list[tuple[tuple[asyncio.StreamReader, asyncio.StreamWriter], float]] = []
        self.free = asyncio.Semaphore(max_connections)

    async def __aenter__(self) -> RawClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        for (_, writer), _ in self.idle:
            writer.close()
        self.idle.clear()

    async def request(
        self,
        method: str,
        url: str,
        *,
        headers: dict[str, str] | None = None,
        json: Any = None,
    ) -> RawResponse:
        body = b"" if json is None else _dumps(json)
        head = [f"{method} {url} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        if json is not None:
            head.append("Content-Type: application/json")
        head.append(f"Content-Length: {len(body)}")
        head += [f"{k}: {v}" for k, v in (headers or {}).items()]
        data = ("\r\n".join(head) + "\r\n\r\n").encode() + body
        async with self.free:
            for attempt in (1, 2):
                conn = self._idle_connection()
                reused = conn is not None
                try:
                    if conn is None:
                        conn = await asyncio.open_connection(self.host, self.port)
                    return await asyncio.wait_for(self._exchange(conn, data), self.timeout)
                except (OSError, asyncio.IncompleteReadError, TimeoutError, ValueError) as exc:
                    if conn is not None:
                        conn[1].close()
                    # The server may close an idle keep-alive connection just as we reuse it;
                    # then nothing was read or answered: try once more on a new connection.
                    stale = isinstance(exc, asyncio.IncompleteReadError) and not exc.partial
                    if reused and attempt == 1 and (stale or isinstance(exc, ConnectionError)):
                        continue
                    raise RawHTTPError(f"{type(exc).__name__}: {exc}") from exc
            raise AssertionError("unreachable")

    def _idle_connection(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter] | None:
        """A kept-alive connection used less than 3 s ago (uvicorn closes them after 5 s)."""
        now = time.monotonic()
        while self.idle:
            conn, last = self.idle.pop()
            if now - last < 3.0:
                return conn
            conn[1].close()
        return None

    async def get(self, url: str, **kw: Any) -> RawResponse:
        return await self.request("GET", url, **kw)

    async def post(self, url: str, **kw: Any) -> RawResponse:
        return await self.request("POST", url, **kw)

    async def _exchange(
        self, conn: tuple[asyncio.StreamReader, asyncio.StreamWriter], data: bytes
    ) -> RawResponse:
        reader, writer = conn
        writer.write(data)
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            if line:
                k, _, v = line.partition(":")
                headers[k.strip().lower()] = v.strip()
        if "content-length" not in headers:
            raise ValueError(f"answer without Content-Length: {headers}")
        body = await reader.readexactly(int(headers["content-length"]))
        if headers.get("connection", "").lower() == "close":
            writer.close()
        else:
            self.idle.append((conn, time.monotonic()))
        return RawResponse(status, headers, body)


def _dumps(obj: Any) -> bytes:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()


async def run_pool(
    items: list[Any],
    concurrency: int,
    max_seconds: float,
    one: Callable[[Any], Awaitable[None]],
) -> float:
    """Call `one(item)` for every item, `concurrency` at a time; wall time in seconds."""
    it = iter(items)
    t0 = time.perf_counter()
    deadline = t0 + max_seconds

    async def worker() -> None:
        for item in it:
            if time.perf_counter() > deadline:
                return
            await one(item)

    await asyncio.gather(*(worker() for _ in range(max(1, min(concurrency, len(items))))))
    return time.perf_counter() - t0


Client = httpx.AsyncClient | RawClient


async def timed(
    client: Client, phase: Phase, method: str, url: str, **kw: Any
) -> tuple[Any, float]:
    t0 = time.perf_counter()
    try:
        r = await client.request(method, url, **kw)
    except (httpx.HTTPError, RawHTTPError) as exc:
        phase.sent += 1
        phase.http[type(exc).__name__] += 1
        phase.errors.append(f"{type(exc).__name__}: {exc}")
        return None, (time.perf_counter() - t0) * 1000
    dt = (time.perf_counter() - t0) * 1000
    phase.sent += 1
    phase.http[str(r.status_code)] += 1
    if r.status_code >= 400 and len(phase.errors) < 5:
        phase.errors.append(f"{r.status_code}: {r.text[:300]}")
    return r, dt


def _local(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M")


async def create_event(client: Client, admin: dict[str, str], title: str, capacity: int) -> str:
    start = (datetime.now(UTC) + timedelta(days=7)).replace(hour=8, minute=0)
    r = await client.post(
        "/api/v1/events",
        headers=admin,
        json={
            "title": title,
            "kind": "seminar",
            "municipality": "asele",
            "starts_at": _local(start),
            "ends_at": _local(start + timedelta(hours=2)),
            "capacity": capacity,
        },
    )
    assert r.status_code == 201, r.text
    event_id = r.json()["id"]
    r = await client.post(f"/api/v1/events/{event_id}/publish", headers=admin)
    assert r.status_code in (200, 201), r.text
    return event_id


@dataclass
class Round:
    event_id: str
    n: int
    capacity: int
    phases: dict[str, Phase] = field(default_factory=dict)
    checks: dict[str, Any] = field(default_factory=dict)
    five_xx: int = 0


async def one_round(
    server: Server,
    client: Client,
    admin: dict[str, str],
    n: int,
    capacity: int,
    concurrency: int,
    dup: int,
    max_seconds: float,
    label: str,
    profile_dir: Path | None,
    quiet: float,
) -> Round:
    run = uuid.uuid4().hex[:8]
    pid = server.process.pid

    # Warm-up on its own event: sign-ups, own pages and check-ins, unmeasured.
    warm_id = await create_event(client, admin, f"Uppvärmning {run}", WARMUP)
    warm = Phase("warm-up")
    warm_tokens: list[str] = []

    async def warm_signup(i: int) -> None:
        r, _ = await timed(
            client,
            warm,
            "POST",
            f"/api/v1/events/{warm_id}/registrations",
            json={"name": f"Warm {i}", "email": f"warm-{run}-{i}@example.se"},
        )
        if r is not None and r.status_code == 201:
            warm_tokens.append(r.json()["manage_url"].rsplit("/", 1)[1])

    await run_pool(list(range(WARMUP)), concurrency, max_seconds, warm_signup)
    r = await client.post(f"/api/v1/events/{warm_id}/door-tokens", headers=admin, json={})
    warm_door = {"Authorization": f"Bearer {r.json()['token']}"}
    for token in warm_tokens:
        r, _ = await timed(client, warm, "GET", f"/api/v1/registrations/{token}")
        if r is not None and r.status_code == 200 and r.json().get("ticket"):
            await timed(
                client,
                warm,
                "POST",
                f"/api/v1/events/{warm_id}/checkins",
                headers=warm_door,
                json={"secret": r.json()["ticket"]["code"], "scan_id": uuid.uuid4().hex},
            )

    event_id = await create_event(client, admin, f"Belastningsprov {label} {run}", capacity)
    rnd = Round(event_id, n, capacity)

    # 1. sign-ups
    signup = rnd.phases["signup"] = Phase("signup")
    people: dict[int, dict[str, Any]] = {}

    async def sign_up(i: int) -> None:
        r, dt = await timed(
            client,
            signup,
            "POST",
            f"/api/v1/events/{event_id}/registrations",
            json={
                "name": f"Deltagare {i} Benchsson",
                "email": f"bench-{run}-{i}@example.se",
                "organisation": "Belastning AB",
                "language": "sv",
            },
        )
        if r is not None and r.status_code == 201:
            body = r.json()
            signup.ok += 1
            signup.lat_ms.append(dt)
            signup.results[body["status"]] += 1
            people[i] = {
                "id": body["id"],
                "status": body["status"],
                "token": body["manage_url"].rsplit("/", 1)[1],
            }

    wait_quiet(quiet)
    before = cpu_snapshot()
    with py_spy(pid, profile_dir and profile_dir / f"{label}-signup.txt", max_seconds):
        signup.wall_s = await run_pool(list(range(n)), concurrency, max_seconds, sign_up)
    signup.cpu = cpu_delta(before, cpu_snapshot(), pid)

    # 2. every attendee's own page (the ticket code), also timed
    own = rnd.phases["own_page"] = Phase("own page GET")
    codes: dict[str, str] = {}  # registration id -> ticket code

    async def own_page(i: int) -> None:
        person = people[i]
        r, dt = await timed(client, own, "GET", f"/api/v1/registrations/{person['token']}")
        if r is not None and r.status_code == 200:
            body = r.json()
            own.ok += 1
            own.lat_ms.append(dt)
            own.results[body["status"]] += 1
            person["page_status"] = body["status"]
            ticket = body.get("ticket")
            if body["status"] == "confirmed" and ticket:
                codes[person["id"]] = ticket["code"]
            elif body["status"] == "waitlisted" and ticket is None:
                person["position"] = body.get("waitlist_position")

    before = cpu_snapshot()
    own.wall_s = await run_pool(sorted(people), concurrency, max_seconds, own_page)
    own.cpu = cpu_delta(before, cpu_snapshot(), pid)

    # 3. check-in with a door token
    r = await client.post(
        f"/api/v1/events/{event_id}/door-tokens", headers=admin, json={"label": "bench"}
    )
    assert r.status_code == 201, r.text
    door = {"Authorization": f"Bearer {r.json()['token']}"}
    checkin = rnd.phases["checkin"] = Phase("check-in")
    admitted: list[tuple[str, str, str]] = []  # (registration id, code, scan_id)
    ok_ids: Counter[str] = Counter()

    async def scan(item: tuple[str, str]) -> None:
        reg_id, code = item
        scan_id = uuid.uuid4().hex
        r, dt = await timed(
            client,
            checkin,
            "POST",
            f"/api/v1/events/{event_id}/checkins",
            headers=door,
            json={"secret": code, "scan_id": scan_id},
        )
        if r is not None and r.status_code == 200:
            body = r.json()
            checkin.results[body["result"]] += 1
            if body["result"] == "ok":
                checkin.ok += 1
                checkin.lat_ms.append(dt)
                ok_ids[body.get("registration_id", "?")] += 1
                if body.get("registration_id") != reg_id:
                    checkin.errors.append(f"scan of {reg_id} answered {body}")
                admitted.append((reg_id, code, scan_id))

    items = list(codes.items())
    wait_quiet(quiet)
    before = cpu_snapshot()
    with py_spy(pid, profile_dir and profile_dir / f"{label}-checkin.txt", max_seconds):
        checkin.wall_s = await run_pool(items, concurrency, max_seconds, scan)
    checkin.cpu = cpu_delta(before, cpu_snapshot(), pid)

    # re-scans one at a time: must be already_checked_in
    rescan = rnd.phases["rescan"] = Phase("re-scan (c=1)")

    async def rescan_one(item: tuple[str, str, str]) -> None:
        _, code, _ = item
        r, dt = await timed(
            client,
            rescan,
            "POST",
            f"/api/v1/events/{event_id}/checkins",
            headers=door,
            json={"secret": code, "scan_id": uuid.uuid4().hex},
        )
        if r is not None and r.status_code == 200:
            result = r.json()["result"]
            rescan.results[result] += 1
            if result == "already_checked_in":
                rescan.ok += 1
                rescan.lat_ms.append(dt)

    rescan.wall_s = await run_pool(admitted[:dup], 1, max_seconds, rescan_one)

    # replays of a scan_id already used: the first answer stands, nothing changes
    replay = rnd.phases["replay"] = Phase("replay of a scan_id (c=1)")

    async def replay_one(item: tuple[str, str, str]) -> None:
        reg_id, code, scan_id = item
        r, dt = await timed(
            client,
            replay,
            "POST",
            f"/api/v1/events/{event_id}/checkins",
            headers=door,
            json={"secret": code, "scan_id": scan_id},
        )
        if r is not None and r.status_code == 200:
            body = r.json()
            replay.results[body["result"]] += 1
            if body["result"] == "ok" and body.get("registration_id") == reg_id:
                replay.ok += 1
                replay.lat_ms.append(dt)

    replay.wall_s = await run_pool(admitted[dup : dup + REPLAYS], 1, max_seconds, replay_one)

    # 4. verification
    rnd.five_xx = sum(
        v
        for p in [*rnd.phases.values(), warm]
        for k, v in p.http.items()
        if k.isdigit() and int(k) >= 500
    )
    c = rnd.checks
    c["signups_201"] = signup.ok
    c["confirmed_answers"] = signup.results["confirmed"]
    c["waitlisted_answers"] = signup.results["waitlisted"]
    c["own_pages_ok"] = own.ok
    c["own_page_status_matches"] = sum(
        1 for p in people.values() if p.get("page_status") == p["status"]
    )
    positions = sorted(p["position"] for p in people.values() if p.get("position") is not None)
    c["waitlist_positions_1_to_k"] = positions == list(range(1, n - capacity + 1))
    c["tickets"] = len(codes)
    c["scans_ok"] = checkin.ok
    c["distinct_ok_registrations"] = len(ok_ids)
    c["rescans_already_checked_in"] = rescan.ok
    c["replays_unchanged"] = replay.ok
    r = await client.get(f"/api/v1/events/{event_id}/checkin-stats", headers=door)
    c["api_stats"] = r.json()
    r = await client.get(f"/api/v1/events/{event_id}/registrations", headers=admin)
    items_ = r.json()["items"]
    emails = {i["email"] for i in items_}
    c["api_list"] = {
        "rows": len(items_),
        "distinct_emails": len(emails),
        "all_signed_up_present": all(f"bench-{run}-{i}@example.se" in emails for i in range(n)),
        "confirmed": sum(1 for i in items_ if i["status"] == "confirmed"),
        "confirmed_checked_in": sum(
            1 for i in items_ if i["status"] == "confirmed" and i["checked_in_at"]
        ),
        "waitlisted": sum(1 for i in items_ if i["status"] == "waitlisted"),
        "waitlisted_checked_in": sum(
            1 for i in items_ if i["status"] == "waitlisted" and i["checked_in_at"]
        ),
    }
    c["db"] = await db_checks(server.database_url, event_id)
    return rnd


def verdicts(rnd: Round, dup: int) -> list[tuple[str, bool]]:
    n, cap, c = rnd.n, rnd.capacity, rnd.checks
    s, lst, db = c["api_stats"], c["api_list"], c["db"]
    return [
        (f"{n} sign-ups answered 201", c["signups_201"] == n),
        (f"confirmed == capacity ({cap}) in the answers", c["confirmed_answers"] == cap),
        (f"waitlisted == {n - cap} in the answers", c["waitlisted_answers"] == n - cap),
        ("own page shows the same status for everyone", c["own_page_status_matches"] == n),
        ("waiting-list positions are exactly 1..k", c["waitlist_positions_1_to_k"]),
        (f"{cap} tickets, {cap} scans ok", c["tickets"] == cap and c["scans_ok"] == cap),
        ("every ok scan for a different person", c["distinct_ok_registrations"] == cap),
        (f"{dup} re-scans already_checked_in", c["rescans_already_checked_in"] == dup),
        (f"{REPLAYS} scan_id replays unchanged", c["replays_unchanged"] == REPLAYS),
        (
            "checkin-stats: registered/checked_in == capacity, waiting == rest",
            s["registered"] == cap and s["checked_in"] == cap and s["waiting"] == n - cap,
        ),
        (
            "attendee list: every person once, confirmed all checked in, no waitlisted",
            lst["rows"] == n
            and lst["distinct_emails"] == n
            and lst["all_signed_up_present"]
            and lst["confirmed"] == cap
            and lst["confirmed_checked_in"] == cap
            and lst["waitlisted"] == n - cap
            and lst["waitlisted_checked_in"] == 0,
        ),
        (
            "database: seats_taken == capacity, statuses, checked in",
            db["seats_taken"] == cap
            and db["status"] == {"confirmed": cap, "waitlisted": n - cap}
            and db["checked_in"] == cap,
        ),
        (
            "database: exactly one ok scan per confirmed person, none for others",
            db["ok_scans"] == cap
            and db["ok_scan_registrations"] == cap
            and db["registrations_with_more_than_one_ok"] == 0
            and db["ok_scans_of_unconfirmed"] == 0,
        ),
        (
            f"database: {n} mails queued (confirmed/waitlisted), none sent",
            db["outbox"].get("confirmed/pending", 0) == cap
            and db["outbox"].get("waitlisted/pending", 0) == n - cap
            and sum(db["outbox"].values()) == n,
        ),
        ("no 5xx", rnd.five_xx == 0),
    ]


DB_QUERIES = {
    "seats_taken": "SELECT seats_taken FROM event WHERE id = {p}",
    "status": "SELECT status, count(*) FROM registration WHERE event = {p} GROUP BY status",
    "checked_in": "SELECT count(*) FROM registration WHERE event = {p} "
    "AND status = 'confirmed' AND checked_in_at IS NOT NULL",
    "ok_scans": "SELECT count(*) FROM scan WHERE event = {p} AND action = 'checkin' "
    "AND result = 'ok'",
    "ok_scan_registrations": "SELECT count(DISTINCT registration_id) FROM scan "
    "WHERE event = {p} AND action = 'checkin' AND result = 'ok'",
    "registrations_with_more_than_one_ok": "SELECT count(*) FROM (SELECT registration_id "
    "FROM scan WHERE event = {p} AND action = 'checkin' AND result = 'ok' "
    "GROUP BY registration_id HAVING count(*) > 1) AS t",
    "ok_scans_of_unconfirmed": "SELECT count(*) FROM scan s JOIN registration r "
    "ON r.id = s.registration_id WHERE s.event = {p} AND s.result = 'ok' "
    "AND r.status <> 'confirmed'",
    "outbox": "SELECT kind || '/' || status, count(*) FROM outbox_message WHERE event = {p} "
    "GROUP BY kind, status",
}


async def db_checks(database_url: str, event_id: str) -> dict[str, Any]:
    """The same facts straight from the database (read-only)."""
    out: dict[str, Any] = {}
    if database_url.startswith("sqlite"):
        path = database_url.removeprefix("sqlite:///")
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
        try:
            for key, sql in DB_QUERIES.items():
                rows = conn.execute(sql.format(p="?"), (event_id,)).fetchall()
                out[key] = dict(rows) if key in ("status", "outbox") else rows[0][0]
        finally:
            conn.close()
        return out
    import asyncpg

    conn = await asyncpg.connect(database_url, timeout=5)
    try:
        for key, sql in DB_QUERIES.items():
            rows = await conn.fetch(sql.format(p="$1"), uuid.UUID(event_id))
            out[key] = {r[0]: r[1] for r in rows} if key in ("status", "outbox") else rows[0][0]
    finally:
        await conn.close()
    return out


# --- one configuration ---------------------------------------------------------------------------


def run_config(engine: str, workers: int, args: argparse.Namespace) -> dict[str, Any]:
    label = engine if workers == 1 else f"{engine}-w{workers}"
    if args.tag:
        label += f" ({args.tag})"
    print(f"\n### {label}: traffpunkt serve --no-worker --workers {workers}", flush=True)
    with tempfile.TemporaryDirectory(prefix="traffpunkt-regbench-") as tmp:
        work = Path(tmp)
        with fresh_database(engine, work) as url, serve(url, work, workers) as server:
            token = server.cli(
                "token", "create", "--email", "bench-admin@example.se", "--role", "admin"
            )
            token = token.strip().splitlines()[-1]
            with asyncio.Runner(loop_factory=_loop_factory(args.client)) as runner:
                return runner.run(_drive(server, token, label, args))


def _loop_factory(client: str) -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop (installed with uvicorn) for the light client: less CPU taken from the server."""
    if client != "raw":
        return None
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


async def _drive(server: Server, token: str, label: str, args: argparse.Namespace) -> dict:
    admin = {"Authorization": f"Bearer {token}"}
    limits = httpx.Limits(
        max_connections=args.concurrency, max_keepalive_connections=args.concurrency
    )
    capacity = args.n - args.waitlist
    rounds = []
    client: Client
    if args.client == "raw":
        client = RawClient(server.url, args.concurrency)
    else:
        client = httpx.AsyncClient(base_url=server.url, limits=limits, timeout=60, trust_env=False)
    async with client:
        r = await client.post(
            "/api/v1/municipalities", headers=admin, json={"name": "Åsele", "slug": "asele"}
        )
        assert r.status_code == 201, r.text
        floor = None
        if args.floor:
            floor = await floor_phase(server, client, args)
        for i in range(args.rounds):
            rnd = await one_round(
                server,
                client,
                admin,
                args.n,
                capacity,
                args.concurrency,
                args.dup,
                args.max_seconds,
                f"{label}-r{i + 1}",
                args.profile_dir,
                args.wait_quiet,
            )
            checks = verdicts(rnd, args.dup)
            rounds.append(
                {
                    "round": i + 1,
                    "phases": {k: p.summary() for k, p in rnd.phases.items()},
                    "checks": rnd.checks,
                    "verdicts": [[t, ok] for t, ok in checks],
                    "all_ok": all(ok for _, ok in checks),
                    "five_xx": rnd.five_xx,
                }
            )
            print_round(label, rounds[-1])
    return {"label": label, "rounds": rounds, "floor": floor}


async def floor_phase(server: Server, client: Client, args: argparse.Namespace) -> dict[str, Any]:
    """The ceiling of uvicorn + Litestar + this client on this machine: `GET /api/v1/topics`
    (a constant answer, no database) at the same concurrency."""
    phase = Phase("floor: GET /api/v1/topics")

    async def one(_: int) -> None:
        r, dt = await timed(client, phase, "GET", "/api/v1/topics")
        if r is not None and r.status_code == 200:
            phase.ok += 1
            phase.lat_ms.append(dt)

    await run_pool(list(range(50)), args.concurrency, args.max_seconds, one)  # warm-up
    phase = Phase("floor: GET /api/v1/topics")
    wait_quiet(args.wait_quiet)
    before = cpu_snapshot()
    phase.wall_s = await run_pool(list(range(args.floor)), args.concurrency, args.max_seconds, one)
    phase.cpu = cpu_delta(before, cpu_snapshot(), server.process.pid)
    out = phase.summary()
    print_round("floor", {"round": "floor", "phases": {"floor": out}, "verdicts": []})
    return out


def print_round(label: str, rnd: dict[str, Any]) -> None:
    print(f"  round {rnd['round']}:", flush=True)
    for p in rnd["phases"].values():
        cpu = p["cpu_s"]
        cpu_text = (
            f"  cpu s server {cpu['server']:.1f} (loop {cpu.get('server_loop', 0):.1f}) / "
            f"pg {cpu['postgres']:.1f} / "
            f"client {cpu['client']:.1f} / other {cpu['other']:.1f}; "
            f"server {p['server_cpu_ms_per_ok']} ms CPU per request"
            if cpu
            else ""
        )
        print(
            f"    {p['phase']:<28} {p['ok']:>4}/{p['sent']:<4} {p['per_s'] or 0:>7.1f}/s   "
            f"p50/p95/p99 {p['p50_ms']} / {p['p95_ms']} / {p['p99_ms']} ms{cpu_text}",
            flush=True,
        )
    bad = [t for t, ok in rnd["verdicts"] if not ok]
    print(
        "    checks: " + ("all passed" if not bad else "FAILED: " + "; ".join(bad)),
        flush=True,
    )
    if bad:
        print("    " + json.dumps(rnd["checks"], default=str), flush=True)
        for p in rnd["phases"].values():
            if p["errors_sample"]:
                print(f"    {p['phase']} errors: {p['errors_sample']}", flush=True)


# --- pretix --------------------------------------------------------------------------------------


def run_pretix(args: argparse.Namespace) -> dict[str, Any] | None:
    py = PRETIX_BASE / "venv" / "bin" / "python"
    env_file = PRETIX_BASE / "bench.env"
    if not PRETIX_DIR.exists():
        print(f"\n### pretix: {PRETIX_DIR} not found; skipped", flush=True)
        return None
    print(f"\n### pretix 2026.8 (gunicorn -w {args.pretix_workers})", flush=True)
    if not (py.exists() and env_file.exists()):
        print("  running setup.sh (about 100 s the first time)", flush=True)
        subprocess.run(["bash", str(PRETIX_DIR / "setup.sh")], check=True, timeout=900)
    subprocess.run(
        ["bash", str(PRETIX_DIR / "serve.sh"), str(args.pretix_workers)], check=True, timeout=180
    )
    rounds = []
    try:
        for i in range(args.pretix_rounds):
            wait_quiet(args.wait_quiet)
            row: dict[str, Any] = {"round": i + 1}
            for script, extra in (
                ("load_orders.py", ["--n", str(args.n)]),
                ("load_checkin.py", ["--dup", str(args.dup)]),
            ):
                out = subprocess.run(
                    [
                        *(str(py), str(PRETIX_DIR / script), "--env", str(env_file), *extra),
                        *("--concurrency", str(args.concurrency)),
                        *("--max-seconds", str(args.max_seconds), "--label", f"round{i + 1}"),
                    ],
                    capture_output=True,
                    text=True,
                    timeout=args.max_seconds * 2 + 120,
                )
                lines = [ln for ln in out.stdout.splitlines() if ln.startswith("{")]
                if not lines:
                    raise RuntimeError(f"{script} printed no result:\n{out.stdout}\n{out.stderr}")
                row[script.removeprefix("load_").removesuffix(".py")] = json.loads(lines[-1])
            o, ch = row["orders"], row["checkin"]
            d = ch["duplicate"]
            print(
                f"  round {i + 1}: orders {o['ok_201']}/{o['requested']} {o['orders_per_s']}/s "
                f"p50/p95/p99 {o['p50_ms']} / {o['p95_ms']} / {o['p99_ms']} ms;  scans "
                f"{ch['admitted_ok']}/{ch['scanned']} {ch['scans_per_s']}/s p50/p95/p99 "
                f"{ch['p50_ms']} / {ch['p95_ms']} / {ch['p99_ms']} ms;  dup "
                f"{d['rejected_already_redeemed']}/{d['sent']} p50 {d.get('p50_ms')} ms",
                flush=True,
            )
            rounds.append(row)
    finally:
        subprocess.run(["bash", str(PRETIX_DIR / "stop.sh")], timeout=120)
    return {"label": f"pretix-w{args.pretix_workers}", "rounds": rounds}


# --- report --------------------------------------------------------------------------------------


def _median(values: list[float | None]) -> float | None:
    vals = [v for v in values if v is not None]
    return statistics.median(vals) if vals else None


def ours_medians(res: dict[str, Any]) -> dict[str, Any]:
    def med(phase: str, key: str) -> float | None:
        return _median([r["phases"][phase][key] for r in res["rounds"]])

    keys = ("per_s", "p50_ms", "p95_ms", "p99_ms", "server_cpu_ms_per_ok")
    return {
        "signup": {k: med("signup", k) for k in keys},
        "checkin": {k: med("checkin", k) for k in keys},
        "own_page": {k: med("own_page", k) for k in ("per_s", "p50_ms", "p95_ms")},
        "rescan": {k: med("rescan", k) for k in ("p50_ms", "p95_ms")},
        "all_ok": all(r["all_ok"] for r in res["rounds"]),
    }


def pretix_medians(res: dict[str, Any]) -> dict[str, Any]:
    rs = res["rounds"]
    return {
        "signup": {
            "per_s": _median([r["orders"]["orders_per_s"] for r in rs]),
            **{k: _median([r["orders"][k] for r in rs]) for k in ("p50_ms", "p95_ms", "p99_ms")},
        },
        "checkin": {
            "per_s": _median([r["checkin"]["scans_per_s"] for r in rs]),
            **{k: _median([r["checkin"][k] for r in rs]) for k in ("p50_ms", "p95_ms", "p99_ms")},
        },
        "rescan": {
            k: _median([r["checkin"]["duplicate"].get(k) for r in rs]) for k in ("p50_ms", "p95_ms")
        },
        "all_ok": all(
            r["orders"]["ok_201"] == r["orders"]["requested"]
            and r["checkin"]["admitted_ok"] == r["checkin"]["scanned"]
            and r["checkin"]["duplicate"]["rejected_already_redeemed"]
            == r["checkin"]["duplicate"]["sent"]
            for r in rs
        ),
    }


def fmt(v: float | None, digits: int = 1) -> str:
    return "–" if v is None else f"{v:.{digits}f}"


def report(ours: list[dict[str, Any]], pretix: dict[str, Any] | None, args: argparse.Namespace):
    rows = [(r["label"], ours_medians(r)) for r in ours]
    if pretix:
        rows.append((pretix["label"], pretix_medians(pretix)))
    n_rounds = {r["label"]: len(r["rounds"]) for r in [*ours, *([pretix] if pretix else [])]}
    print(
        f"\n## Medians over rounds (N = {args.n}, c = {args.concurrency}, capacity N - "
        f"{args.waitlist}; {platform.node()}, {os.cpu_count()} CPUs, "
        f"load {os.getloadavg()[0]:.1f})\n"
    )
    print(
        "| server | rounds | sign-ups/s | sign-up p50 / p95 / p99 ms | check-ins/s "
        "| check-in p50 / p95 / p99 ms | re-scan c=1 p50 / p95 ms "
        "| server CPU ms per sign-up / check-in | checks |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for label, m in rows:
        s, c, d = m["signup"], m["checkin"], m["rescan"]
        print(
            f"| {label} | {n_rounds[label]} | {fmt(s['per_s'])} | {fmt(s['p50_ms'])} / "
            f"{fmt(s['p95_ms'])} / {fmt(s['p99_ms'])} | {fmt(c['per_s'])} | "
            f"{fmt(c['p50_ms'])} / {fmt(c['p95_ms'])} / {fmt(c['p99_ms'])} | "
            f"{fmt(d['p50_ms'])} / {fmt(d['p95_ms'])} | "
            f"{fmt(s.get('server_cpu_ms_per_ok'), 2)} / {fmt(c.get('server_cpu_ms_per_ok'), 2)} | "
            f"{'all passed' if m['all_ok'] else 'FAILED'} |"
        )
    for r in ours:
        if r.get("floor"):
            f = r["floor"]
            print(
                f"\nfloor {r['label']}: GET /api/v1/topics {fmt(f['per_s'])}/s, p50/p95 "
                f"{fmt(f['p50_ms'])} / {fmt(f['p95_ms'])} ms (uvicorn + Litestar + client)"
            )
    if pretix:
        p = pretix_medians(pretix)
        print(f"\n## Ratios ours / pretix (goal ≥ {RATIO_GOAL:g}×; check-in p95 < 50 ms)\n")
        print("| server | sign-ups | check-ins | check-in p95 < 50 ms |")
        print("|---|---|---|---|")
        for label, m in rows[:-1]:
            rs = m["signup"]["per_s"] / p["signup"]["per_s"]
            rc = m["checkin"]["per_s"] / p["checkin"]["per_s"]
            p95 = m["checkin"]["p95_ms"]
            p95_ok = p95 is not None and p95 < CHECKIN_P95_GOAL_MS
            print(
                f"| {label} | {rs:.1f}× {'ok' if rs >= RATIO_GOAL else 'BELOW'} | "
                f"{rc:.1f}× {'ok' if rc >= RATIO_GOAL else 'BELOW'} | "
                f"{fmt(p95)} ms {'ok' if p95_ok else 'OVER'} |"
            )


# --- main ----------------------------------------------------------------------------------------


def parse_configs(text: str) -> list[tuple[str, int]]:
    out: list[tuple[str, int]] = []
    if text.strip() in ("", "none"):
        return out
    for item in text.split(","):
        engine, _, workers = item.strip().partition(":")
        if engine not in ("sqlite", "postgres"):
            raise SystemExit(f"unknown engine {engine!r}")
        out.append((engine, int(workers or 1)))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--configs", default="sqlite,postgres,postgres:2", help="engine[:workers],…")
    ap.add_argument("--n", type=int, default=500, help="measured sign-ups per round")
    ap.add_argument("--waitlist", type=int, default=50, help="capacity = n - waitlist")
    ap.add_argument("--concurrency", type=int, default=32)
    ap.add_argument("--dup", type=int, default=50, help="re-scans one at a time")
    ap.add_argument("--rounds", type=int, default=3, help="rounds per configuration (ours)")
    ap.add_argument("--max-seconds", type=float, default=300.0, help="bound on each phase")
    ap.add_argument("--pretix", action="store_true", help="run the pretix peer first")
    ap.add_argument("--pretix-workers", type=int, default=2)
    ap.add_argument("--pretix-rounds", type=int, default=2)
    ap.add_argument("--json-out", type=Path, help="append the raw results as JSON lines")
    ap.add_argument(
        "--wait-quiet", type=float, default=600, help="wait up to this long for an idle machine"
    )
    ap.add_argument(
        "--floor", type=int, default=1000, help="GETs of /api/v1/topics first (0: none)"
    )
    ap.add_argument(
        "--client",
        choices=["raw", "httpx"],
        default="raw",
        help="load client: a minimal keep-alive client (default) or httpx like pretix's scripts",
    )
    ap.add_argument("--tag", default="", help="added to the labels, e.g. 'prototype'")
    ap.add_argument(
        "--profile-gil",
        action="store_true",
        help="with --profile-dir: only samples that hold the GIL (where the Python CPU goes)",
    )
    ap.add_argument("--src", type=Path, help="serve this copy of the code (PYTHONPATH)")
    ap.add_argument("--profile-dir", type=Path, help="py-spy raw profiles of the load phases")
    args = ap.parse_args()
    global SOURCE, PROFILE_GIL
    SOURCE = args.src.resolve() if args.src else None
    PROFILE_GIL = args.profile_gil
    args.n = max(1, min(args.n, 20000))
    args.waitlist = max(0, min(args.waitlist, args.n - 1))
    args.dup = max(0, min(args.dup, args.n - args.waitlist - REPLAYS))
    if args.profile_dir:
        args.profile_dir.mkdir(parents=True, exist_ok=True)

    started = datetime.now(UTC)
    print(f"registrations bench {started.isoformat(timespec='seconds')}; {_machine()}", flush=True)
    pretix = run_pretix(args) if args.pretix else None
    ours = []
    for engine, workers in parse_configs(args.configs):
        if engine == "postgres":
            try:
                asyncio.run(_pg_admin("SELECT 1"))
            except Exception as exc:
                print(f"\n### postgres: skipped, no server at {PG_ADMIN_URL} ({exc})", flush=True)
                continue
        ours.append(run_config(engine, workers, args))
    report(ours, pretix, args)
    if args.json_out:
        with args.json_out.open("a") as f:
            f.write(
                json.dumps(
                    {
                        "started": started.isoformat(timespec="seconds"),
                        "machine": _machine(),
                        "args": {k: str(v) for k, v in vars(args).items()},
                        "ours": ours,
                        "pretix": pretix,
                    },
                    default=str,
                )
                + "\n"
            )
    ok = all(r["all_ok"] for res in ours for r in res["rounds"])
    return 0 if ok else 1


def _machine() -> str:
    return (
        f"{platform.node()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"load {os.getloadavg()[0]:.1f}/{os.getloadavg()[1]:.1f}"
    )


if __name__ == "__main__":
    sys.exit(main())
