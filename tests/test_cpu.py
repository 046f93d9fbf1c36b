"""traffpunkt.cpu: jobs in a worker process, or in a thread when there are none."""

from __future__ import annotations

import os

import pytest

from traffpunkt import cpu
from traffpunkt.settings import get_settings, load_settings


async def test_a_job_runs_in_a_worker_process_and_the_pool_starts_again_after_stop() -> None:
    cpu.configure(1)
    try:
        first = await cpu.run(os.getpid)
        assert first != os.getpid()
        assert await cpu.run(os.getpid) == first  # the same process, kept between jobs
        await cpu.stop()
        assert await cpu.run(os.getpid) not in (first, os.getpid())  # a new one
    finally:
        await cpu.stop()
        cpu.configure(get_settings().cpu_processes)


async def test_without_processes_a_job_runs_in_a_thread() -> None:
    cpu.configure(0)
    try:
        assert await cpu.run(os.getpid) == os.getpid()
        assert await cpu.run(sorted, [3, 1, 2]) == [1, 2, 3]
    finally:
        cpu.configure(get_settings().cpu_processes)


def test_the_number_of_processes_is_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TRAFFPUNKT_CPU_PROCESSES", raising=False)
    assert load_settings().cpu_processes == 1
    monkeypatch.setenv("TRAFFPUNKT_CPU_PROCESSES", "0")
    assert load_settings().cpu_processes == 0
