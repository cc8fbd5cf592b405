"""The local worker pool: time limit, memory guard, dead workers and recycling.

The per-file work is replaced by small functions whose behaviour the file name chooses, so a
stuck, bloated or crashing "document" can be produced on demand (workers are forked, so these
module-level functions need no pickling).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from svmine.scan.executors import LocalExecutor
from svmine.scan.walk import FileTask


def fake_work(path: str, options: dict) -> dict:
    name = Path(path).name
    if name.startswith("slow"):
        time.sleep(60)
    if name.startswith("hog"):
        ballast = bytearray(300 * 1024 * 1024)  # noqa: F841 - held while the parent looks
        ballast[::4096] = b"x" * len(ballast[::4096])
        time.sleep(30)
    if name.startswith("crash"):
        os._exit(3)
    return {"path": path, "status": "ok", "pid": os.getpid(), "pages": [], "mentions": []}


def _tasks(*names: str) -> list[FileTask]:
    return [FileTask(f"/in/{n}", f"{i:064x}", 10, 1) for i, n in enumerate(names)]


def _run(pool: LocalExecutor, tasks: list[FileTask]) -> dict[str, dict]:
    return {Path(task.path).name: result for task, result in pool.run(tasks)}


@pytest.mark.parametrize(
    ("bad_file", "kwargs", "code"),
    [
        ("slow.pdf", {"timeout": 0.5}, "timeout"),
        ("hog.pdf", {"max_memory_mb": 150}, "memory_limit"),
        ("crash.pdf", {}, "worker_died"),
    ],
)
def test_a_bad_file_fails_alone_and_its_worker_is_replaced(bad_file, kwargs, code) -> None:
    pool = LocalExecutor({}, workers=2, func=fake_work, **kwargs)
    names = ["a.pdf", bad_file, "b.pdf", "c.pdf", "d.pdf"]
    started = time.monotonic()
    results = _run(pool, _tasks(*names))
    assert time.monotonic() - started < 20
    assert set(results) == set(names)
    assert results[bad_file]["status"] == "failed" and results[bad_file]["error_code"] == code
    assert results[bad_file]["sha256"] == f"{1:064x}" and bad_file in results[bad_file]["error_message"]
    assert all(results[n]["status"] == "ok" for n in names if n != bad_file)
    assert pool.recycled >= 1 and pool.workers == []


def test_workers_are_recycled_after_max_tasks() -> None:
    pool = LocalExecutor({}, workers=1, func=fake_work, max_tasks_per_child=2)
    results = _run(pool, _tasks(*(f"{i}.txt" for i in range(5))))
    pids = [results[f"{i}.txt"]["pid"] for i in range(5)]
    assert pids[0] == pids[1] and len(set(pids)) == 3  # 2 + 2 + 1 files per worker


def test_no_tasks_starts_no_workers() -> None:
    pool = LocalExecutor({}, workers=2, func=fake_work)
    assert list(pool.run([])) == [] and pool.workers == []
