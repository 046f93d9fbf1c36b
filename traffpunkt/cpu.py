"""CPU-heavy work off the event loop: worker processes, for the web app and the mail sender.

One event loop serves every request of a web process, so a function that computes for half a
second (suggestions for 5,000 attendees, a meeting plan solved by HiGHS) would stall every
check-in in that process for as long. `run(fn, *args)` runs such a pure function in the app's
worker process instead and awaits its result; the loop keeps answering meanwhile.

Why processes and not a worker thread (`asyncio.to_thread`): the matching is NumPy mixed with
per-person Python (explanations, first-place spreading, text vectors) that holds the GIL, and
every database round trip of a waiting request needs the GIL back. Measured with
tests/networking/test_cpu_off_the_loop.py (docs/architecture.md has the table): during a
5,000-attendee suggestion a check-in's median was about its baseline with a process, about
three times it with a thread (21-30 ms against 7-8 ms), and seconds on the loop. The price is
pickling: the inputs must be plain data (rows read on the loop before), and results should be
compact (NumPy arrays, not 50,000 small objects: unpickling those is itself a stall, as it
holds the GIL in the pool's result thread).

- `TRAFFPUNKT_CPU_PROCESSES` (default 1; 0: a worker thread instead) processes, spawned (not
  forked: the loop, the database pool and their threads must not be copied), started with the
  first job and stopped by the app's lifespan (`stop()`); a job after `stop()` (tests, the bench,
  scripts that call a service directly) starts them again.
- The processes run at a lower priority, ignore SIGINT/SIGTERM (the parent stops them; a Ctrl-C
  to the process group must not kill a job halfway), and exit when the parent dies.
- A process that dies (killed, out of memory) fails only its job's request (`BrokenProcessPool`
  is dropped with the pool; the job is run once more in a thread), and the next job starts a
  new pool.

`notifications.worker` renders mail with the same pieces (`new_pool`, `retire`) in a pool of
its own: it lives as long as its Sender (also in `traffpunkt worker`, which has no web app),
is sized by `TRAFFPUNKT_MAIL_RENDER_PROCESSES` and has its own rule for pools that keep dying.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from traffpunkt.settings import current_settings

log = logging.getLogger("traffpunkt.cpu")

T = TypeVar("T")
NICENESS = 10  # the web (and the mail sender's SMTP dialogue) come first

_pool: concurrent.futures.ProcessPoolExecutor | None = None
_processes: int | None = None  # None: not configured, read from the settings at the first job
_lock = threading.Lock()


def _init_child(warm_up: Callable[[], Any] | None) -> None:
    """In each worker process: the parent decides when it ends (it shuts the pool down; if the
    parent dies the pool's pipes close and the process exits), so signals to the whole process
    group are ignored; a lower priority; then the caller's warm-up."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    with contextlib.suppress(OSError):
        os.nice(NICENESS)
    if warm_up is not None:
        warm_up()


def new_pool(
    processes: int, warm_up: Callable[[], Any] | None = None
) -> concurrent.futures.ProcessPoolExecutor:
    """A pool of `processes` spawned worker processes (started at its first job); `warm_up`, a
    module-level function, runs once in each."""
    return concurrent.futures.ProcessPoolExecutor(
        max_workers=processes,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_init_child,
        initargs=(warm_up,),
    )


def retire(pool: concurrent.futures.ProcessPoolExecutor, name: str) -> threading.Thread:
    """Shut a pool down without blocking the event loop: queued jobs are cancelled, running
    ones finish. Join the returned thread to wait until the processes are gone."""
    thread = threading.Thread(
        target=pool.shutdown,
        kwargs={"wait": True, "cancel_futures": True},
        name=f"{name}-shutdown",
        daemon=True,
    )
    thread.start()
    return thread


# --- the web app's pool ------------------------------------------------------------------------


def _warm_up() -> None:
    # Before the first job: the numeric libraries the jobs use (the shell imports no domain).
    import numpy  # noqa: F401
    import scipy.optimize  # noqa: F401


def configure(processes: int) -> None:
    """The number of worker processes (0: jobs run in a worker thread); from the lifespan."""
    global _processes
    _processes = max(0, processes)


def _the_pool() -> concurrent.futures.ProcessPoolExecutor | None:
    global _pool, _processes
    with _lock:
        if _processes is None:
            _processes = current_settings().cpu_processes
        if _pool is None and _processes > 0:
            _pool = new_pool(_processes, _warm_up)
        return _pool


def _forget(pool: concurrent.futures.ProcessPoolExecutor) -> None:
    global _pool
    with _lock:
        if _pool is pool:
            _pool = None
    retire(pool, "cpu")


async def run(fn: Callable[..., T], *args: Any) -> T:
    """fn(*args) in a worker process (a thread when there are none); fn and args must pickle."""
    pool = _the_pool()
    if pool is not None:
        try:
            return await asyncio.wrap_future(pool.submit(fn, *args))
        except BrokenProcessPool:
            log.exception("a CPU worker process died; running %s in a thread", fn.__name__)
            _forget(pool)
        except RuntimeError:  # shut down between _the_pool() and submit (stop() meanwhile)
            pass
    return await asyncio.to_thread(fn, *args)


async def stop() -> None:
    """Stop the worker processes (the lifespan's end); waits in a thread, not on the loop."""
    global _pool
    with _lock:
        pool, _pool = _pool, None
    if pool is not None:
        await asyncio.to_thread(retire(pool, "cpu").join)
