"""``scan()``: plan the work, farm it out, and be the one writer of the SQLite file.

Durability: a run is recorded before any work starts; each document's result is committed in
its own transaction as soon as it comes back; the run's counts are written at the end. Killing
the process at any point therefore leaves whole documents or nothing, and the next scan finds
the committed ones current (skips them), redoes the rest, and marks the dead run
``interrupted`` (its counts are kept true document by document, so they survive too).
SIGTERM (and SIGHUP) are handled like Ctrl-C: the run is recorded ``interrupted`` and the
workers are stopped; workers also die on their own when this process dies (``lifeline``).

Known failures: content that failed with the same svmine version, patterns and model is not
sent to a worker again; it is reported as "failed before" with its recorded reason, because
the same bytes fail the same way and a folder with a few broken files would otherwise start
the whole pool on every re-scan. ``retry_failed`` sends them anyway. A failure caused by a
limit (``timeout``, ``memory_limit``) is retried by itself when the new limit is larger.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable

from svmine import __version__
from svmine.scan.executors import DaskExecutor, LocalExecutor
from svmine.model import DocumentResult
from svmine.scan.options import ScanOptions
from svmine.scan.process import prepare, quick_fingerprint
from svmine.scan.summary import ScanSummary
from svmine.scan.walk import FileTask, iter_files, plan_scan
from svmine.store import Store
from svmine.store import queries
from svmine.store.db import RUN_INTERRUPTED


class ScanInterrupted(KeyboardInterrupt):
    """SIGTERM/SIGHUP received: handled exactly like Ctrl-C (``signum`` tells which)."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


@contextmanager
def _signals_interrupt():
    """While scanning, SIGTERM and SIGHUP raise ``ScanInterrupted`` in the main thread.

    Python's default for SIGTERM is to die at once, skipping every ``finally``: the run would
    stay ``running`` and the workers would be left to notice by themselves.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum, frame):
        raise ScanInterrupted(signum)

    saved = {}
    for sig in (signal.SIGTERM, getattr(signal, "SIGHUP", None)):
        if sig is not None:
            saved[sig] = signal.signal(sig, handler)
    try:
        yield
    finally:
        for sig, old in saved.items():
            signal.signal(sig, old)


@dataclass
class ScanProgress:
    """Sent to the progress callback: once with ``total`` before work, then after each document."""

    total: int
    done: int = 0
    summary: ScanSummary | None = None
    path: str | None = None
    result: DocumentResult | None = None


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
    retry_failed: bool = False,
    progress: Callable[[ScanProgress], None] | None = None,
    **worker_options: Any,
) -> ScanSummary:
    """Scan files and folders into the store at ``db_path``; see the module docstring.

    ``worker_options`` are those of ``process_document`` (engine, ocr, max_pages, patterns_dir,
    model_path, use_classifier, manifest). All options travel on as one ``ScanOptions``.
    """
    options = ScanOptions.build(
        worker_options, workers=workers, executor=executor, scheduler=scheduler, include=include, exclude=exclude,
        recursive=recursive, timeout=timeout, max_memory_mb=max_memory_mb, max_tasks_per_child=max_tasks_per_child,
        force=force, retry_failed=retry_failed)
    return _scan(paths, db_path, options, progress)


def _scan(paths, db_path, options: ScanOptions, progress) -> ScanSummary:
    started = time.perf_counter()
    fp = quick_fingerprint(options.worker)
    summary = ScanSummary()
    with Store.open(db_path) as store, _signals_interrupt():
        before = _count_interrupted(store)
        summary.run_id = run_id = store.start_run(fp, options.run_record())
        summary.interrupted_runs = _count_interrupted(store) - before
        try:
            tasks = _plan(store, paths, options, fp, summary, run_id)
            store.record_run_counts(run_id, summary.counts())
            if tasks:
                # Built here, before workers fork, so a broken pattern file or model stops the run
                # at once, and forked local workers start with the detector already built.
                prepare(options.worker, formats=_formats(tasks))
            pool = _executor(options)
            try:
                _drain(store, pool, tasks, fp, run_id, summary, progress)
            finally:
                pool.close()  # at once, also on Ctrl-C/SIGTERM: not when the generator is collected
        except BaseException:
            summary.seconds = time.perf_counter() - started
            store.finish_run(run_id, summary.counts(), status=RUN_INTERRUPTED)
            raise
        summary.seconds = time.perf_counter() - started
        store.finish_run(run_id, summary.counts())
    return summary


def _plan(store: Store, paths, options: ScanOptions, fp: dict, summary: ScanSummary, run_id: int) -> list[FileTask]:
    own = {str(Path(store.path).resolve()) + suffix for suffix in ("", "-wal", "-shm", "-journal")}
    special: list[tuple[Path, str]] = []
    files = (f for f in iter_files(paths, include=options.include, exclude=options.exclude,
                                   recursive=options.recursive, skipped=special)
             if str(Path(f).resolve()) not in own)  # a store kept inside the scanned folder is not a document
    plan = plan_scan(files, queries.known_paths(store), queries.document_states(store), fp, __version__,
                     options.force, retry_failed=options.retry_failed, limits=options.limits)
    store.record_paths(plan.new_paths, run_id)
    store.prune_replaced()
    summary.files = plan.files_seen
    summary.skipped = len(plan.skipped)
    summary.duplicates = len(plan.duplicates)
    summary.special = [(os.path.abspath(p), reason) for p, reason in special] + plan.special
    summary.failed_before = [(path, state.error_code or "error", state.error_message or "")
                             for path, state in plan.failed_before]
    summary.failed.extend((path, "unreadable", message) for path, message in plan.unreadable)
    # Largest first: a 300-page plan started last would keep one worker busy while the rest idle.
    return sorted(plan.tasks, key=lambda task: task.size, reverse=True)


def _executor(options: ScanOptions):
    if options.executor == "dask":
        return DaskExecutor(options.worker, workers=options.workers, scheduler=options.scheduler,
                            max_memory_mb=options.max_memory_mb)
    return LocalExecutor(options.worker, workers=options.workers, timeout=options.timeout,
                         max_memory_mb=options.max_memory_mb, max_tasks_per_child=options.max_tasks_per_child)


def _formats(tasks: list[FileTask]) -> set[str]:
    """File kinds among the tasks, from the names only (cheap): decides what to warm up."""
    return {"pdf" if task.path.lower().endswith(".pdf") else "other" for task in tasks}


def _drain(store, pool, tasks, fp, run_id, summary, progress) -> None:
    if progress:
        progress(ScanProgress(total=len(tasks), summary=summary))
    for done, (task, sent) in enumerate(pool.run(tasks), start=1):
        result = DocumentResult.from_dict(sent)
        result.fill_missing(task.sha256, task.size, task.mtime_ns, fp)
        _save(store, result, run_id)
        summary.add_result(result)
        if progress:
            progress(ScanProgress(total=len(tasks), done=done, summary=summary, path=task.path, result=result))


def _save(store: Store, result: DocumentResult, run_id: int) -> None:
    try:
        store.save_result(result, run_id)
    except UnicodeEncodeError:
        # A lone surrogate from a damaged text layer cannot be stored as UTF-8: keep the rest.
        scrubbed = {k: v if k == "path" else _scrub(v) for k, v in result.to_dict().items()}
        store.save_result(DocumentResult.from_dict(scrubbed), run_id)


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return value.encode("utf-8", "replace").decode("utf-8")
    if isinstance(value, dict):
        return {k: _scrub(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v) for v in value]
    return value


def _count_interrupted(store: Store) -> int:
    return len(queries.list_runs(store, status=RUN_INTERRUPTED))
