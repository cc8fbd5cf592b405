"""``scan()``: plan the work, farm it out, and be the one writer of the SQLite file.

Durability: a run is recorded before any work starts; each document's result is committed in
its own transaction as soon as it comes back; the run's counts are written at the end. Killing
the process at any point therefore leaves whole documents or nothing, and the next scan finds
the committed ones current (skips them), redoes the rest, and marks the dead run
``interrupted``. Failed documents are always retried, because failures are often transient
(a timeout on a busy machine, a worker killed for memory) and the retry is cheap for the rest.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable

from svmine import __version__
from svmine.scan.executors import DaskExecutor, LocalExecutor
from svmine.scan.process import prepare, quick_fingerprint, resolve_options
from svmine.scan.summary import ScanSummary
from svmine.scan.walk import FileTask, iter_files, plan_scan
from svmine.store import Store
from svmine.store import queries
from svmine.store.db import RUN_INTERRUPTED

EXECUTORS = ("local", "dask")


@dataclass
class ScanProgress:
    """Sent to the progress callback: once with ``total`` before work, then after each document."""

    total: int
    done: int = 0
    summary: ScanSummary | None = None
    path: str | None = None
    result: dict | None = None


def scan(
    paths: Iterable[str | os.PathLike[str]],
    db_path: str | os.PathLike[str],
    *,
    workers: int | None = None,
    executor: str = "local",
    scheduler: str | None = None,
    include: Iterable[str] = (),
    exclude: Iterable[str] = (),
    recursive: bool = True,
    timeout: float | None = None,
    max_memory_mb: float | None = None,
    max_tasks_per_child: int | None = 200,
    force: bool = False,
    progress: Callable[[ScanProgress], None] | None = None,
    **worker_options: Any,
) -> ScanSummary:
    """Scan files and folders into the store at ``db_path``; see the module docstring.

    ``worker_options`` are those of ``process_document`` (engine, ocr, max_pages, patterns_dir,
    model_path, use_classifier, manifest).
    """
    if executor not in EXECUTORS:
        raise ValueError(f"unknown executor {executor!r} (choose from {', '.join(EXECUTORS)})")
    started = time.perf_counter()
    # The local pool kills a worker past the limit itself; extraction's own time limit (a child
    # process per worker) is needed only where nothing else can stop a task: on Dask.
    options = resolve_options({**worker_options, "timeout": timeout if executor == "dask" else None})
    fp = quick_fingerprint(options)
    summary = ScanSummary()
    with Store.open(db_path) as store:
        before = _count_interrupted(store)
        record = _run_record(options, workers, executor, include, exclude, force, timeout, max_memory_mb)
        summary.run_id = run_id = store.start_run(fp, record)
        summary.interrupted_runs = _count_interrupted(store) - before
        try:
            tasks = _plan(store, paths, include, exclude, recursive, fp, force, summary, run_id)
            if tasks:
                # Built here, before workers fork, so a broken pattern file or model stops the run
                # at once, and forked local workers start with the detector already built.
                prepare(options)
            pool = _executor(executor, options, workers, scheduler, timeout, max_memory_mb, max_tasks_per_child)
            _drain(store, pool, tasks, fp, run_id, summary, progress)
        except BaseException:
            summary.seconds = time.perf_counter() - started
            store.finish_run(run_id, summary.counts(), status=RUN_INTERRUPTED)
            raise
        summary.seconds = time.perf_counter() - started
        store.finish_run(run_id, summary.counts())
    return summary


def _plan(store, paths, include, exclude, recursive, fp, force, summary, run_id) -> list[FileTask]:
    own = {str(Path(store.path).resolve()) + suffix for suffix in ("", "-wal", "-shm", "-journal")}
    files = (f for f in iter_files(paths, include=include, exclude=exclude, recursive=recursive)
             if str(Path(f).resolve()) not in own)  # a store kept inside the scanned folder is not a document
    plan = plan_scan(files, queries.known_paths(store), queries.document_states(store), fp, __version__, force)
    store.record_paths(plan.new_paths, run_id)
    store.prune_replaced()
    summary.files = plan.files_seen
    summary.skipped = len(plan.skipped)
    summary.duplicates = len(plan.duplicates)
    summary.failed.extend((path, "unreadable", message) for path, message in plan.unreadable)
    # Largest first: a 300-page plan started last would keep one worker busy while the rest idle.
    return sorted(plan.tasks, key=lambda task: task.size, reverse=True)


def _executor(kind, options, workers, scheduler, timeout, max_memory_mb, max_tasks_per_child):
    if kind == "dask":
        return DaskExecutor(options, workers=workers, scheduler=scheduler, max_memory_mb=max_memory_mb)
    return LocalExecutor(options, workers=workers, timeout=timeout, max_memory_mb=max_memory_mb,
                         max_tasks_per_child=max_tasks_per_child)


def _drain(store, pool, tasks, fp, run_id, summary, progress) -> None:
    if progress:
        progress(ScanProgress(total=len(tasks), summary=summary))
    for done, (task, result) in enumerate(pool.run(tasks), start=1):
        _complete(result, task, fp)
        store.save_result(result, run_id)
        summary.add_result(result)
        if progress:
            progress(ScanProgress(total=len(tasks), done=done, summary=summary, path=task.path, result=result))


def _complete(result: dict, task: FileTask, fp: dict) -> None:
    """Fill what a worker could not know (a file it could not even hash, a detector that failed)."""
    for key, value in (("sha256", task.sha256), ("size", task.size), ("mtime_ns", task.mtime_ns)):
        if result.get(key) is None:
            result[key] = value
    for key in ("pattern_hash", "model_hash"):
        if not result.get(key):
            result[key] = fp[key]


def _count_interrupted(store: Store) -> int:
    return len(queries.list_runs(store, status=RUN_INTERRUPTED))


def _run_record(options, workers, executor, include, exclude, force, timeout, max_memory_mb) -> dict[str, Any]:
    return {**options, "workers": workers or os.cpu_count(), "executor": executor, "timeout": timeout,
            "max_memory_mb": max_memory_mb, "include": list(include), "exclude": list(exclude), "force": force}
