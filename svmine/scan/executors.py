"""Where the per-document work runs: a local pool of worker processes, or a Dask cluster.

Both executors take ``FileTask``s and yield ``(task, result_dict)`` pairs in completion order
to the single caller that writes SQLite; neither touches the store.

Local pool — why not ``concurrent.futures.ProcessPoolExecutor``: it cannot stop one stuck task
(a PDF that sends pdfminer into a loop) without breaking the whole pool. Here each worker is a
``multiprocessing.Process`` fed one task at a time over its own pipe, so the parent knows which
file each worker holds and since when, and can:
- kill a worker past the per-file time limit, record ``timeout`` for that file, start a new one;
- watch each worker's resident memory (psutil) and kill it over the limit (``memory_limit``),
  or retire it after a task that left it over the limit;
- retire a worker after ``max_tasks_per_child`` files, so a slow leak cannot grow unbounded;
- notice a worker that died (segfault, OOM killer) and record ``worker_died`` for its file.
On Linux workers are forked: they start at once and share the parent's already-built detector.
"""

from __future__ import annotations

import gc
import multiprocessing as mp
import os
import sys
import time
from collections import deque
from dataclasses import dataclass
from multiprocessing.connection import wait
from typing import Any, Iterable, Iterator

from svmine.errors import SvmineError
from svmine.model import DocumentResult
from svmine.scan.process import limit_threads, process_document
from svmine.scan.walk import FileTask

POLL_SECONDS = 0.25  # how often the parent checks deadlines and memory while waiting


def failed_result(task: FileTask, code: str, message: str) -> dict[str, Any]:
    """A result (as the worker would send it) for a file whose worker never answered (killed, died, lost)."""
    return DocumentResult.failed(task.path, code, f"{task.path}: {message}", sha256=task.sha256, size=task.size,
                                 mtime_ns=task.mtime_ns).to_dict()


def _dask_task(func, path: str, options: dict[str, Any]) -> dict[str, Any]:
    limit_threads()
    return func(path, options)


def _worker_main(conn, options: dict[str, Any], func=process_document, parent_pid: int | None = None) -> None:
    """Worker loop: receive a path, send back its result; ``None`` means stop."""
    from svmine.lifeline import ignore_interrupts, tie_to_parent

    ignore_interrupts()
    tie_to_parent(parent_pid)
    limit_threads()
    try:
        while True:
            message = conn.recv()
            if message is None:
                break
            key, path = message
            conn.send((key, func(path, options)))
    except (EOFError, KeyboardInterrupt, BrokenPipeError):
        pass  # the parent went away or is stopping: nothing left to do


@dataclass
class _Worker:
    process: Any
    conn: Any
    task: FileTask | None = None
    started: float = 0.0
    done: int = 0
    last_memory_check: float = 0.0

    @property
    def busy(self) -> bool:
        return self.task is not None


class LocalExecutor:
    """A pool of worker processes with per-file time limit, memory guard and recycling."""

    def __init__(self, options: dict[str, Any], workers: int | None = None, timeout: float | None = None,
                 max_memory_mb: float | None = None, max_tasks_per_child: int | None = 200,
                 func=process_document):
        self.options = options
        self.func = func  # the per-file work; tests substitute their own
        self.n_workers = max(1, workers or os.cpu_count() or 1)
        self.timeout = timeout
        self.max_memory = max_memory_mb * 1024 * 1024 if max_memory_mb else None
        self.max_tasks = max_tasks_per_child
        method = "fork" if sys.platform.startswith("linux") else "spawn"
        self.ctx = mp.get_context(method)
        self.workers: list[_Worker] = []
        self.recycled = 0

    # -- worker lifecycle ----------------------------------------------------------------------

    def _spawn(self) -> _Worker:
        parent_end, child_end = self.ctx.Pipe()
        # Not daemonic: extraction may start its own helper processes, which daemons cannot.
        # A worker dies with this process however it ends (svmine.lifeline), kill -9 included.
        process = self.ctx.Process(target=_worker_main, args=(child_end, self.options, self.func, os.getpid()),
                                   daemon=False)
        process.start()
        child_end.close()
        return _Worker(process, parent_end)

    def _retire(self, worker: _Worker, kill: bool) -> None:
        if kill:
            worker.process.kill()
        else:
            try:
                worker.conn.send(None)
            except (BrokenPipeError, OSError):
                worker.process.kill()
        worker.process.join(timeout=5)
        if worker.process.is_alive():
            worker.process.kill()
            worker.process.join()
        worker.conn.close()

    def _replace(self, worker: _Worker, kill: bool) -> None:
        self._retire(worker, kill)
        self.workers[self.workers.index(worker)] = self._spawn()
        self.recycled += 1

    def close(self) -> None:
        for worker in self.workers:
            self._retire(worker, kill=worker.busy)
        self.workers = []

    # -- running -------------------------------------------------------------------------------

    def run(self, tasks: Iterable[FileTask]) -> Iterator[tuple[FileTask, dict[str, Any]]]:
        queue = deque(tasks)
        if not queue:
            return
        # Forked workers share the parent's objects (the built detector) copy-on-write; frozen
        # objects are left alone by the garbage collector, which would otherwise write to them
        # in every worker and turn shared pages into private copies.
        gc.collect()
        gc.freeze()
        self.workers = [self._spawn() for _ in range(min(self.n_workers, len(queue)))]
        try:
            while queue or any(w.busy for w in self.workers):
                self._assign(queue)
                busy = [w for w in self.workers if w.busy]
                wait([w.conn for w in busy] + [w.process.sentinel for w in busy], timeout=POLL_SECONDS)
                outcomes = [outcome for outcome in map(self._check, busy) if outcome is not None]
                self._assign(queue)  # freed workers start their next file while the caller stores these
                yield from outcomes
        finally:
            self.close()
            gc.unfreeze()

    def _assign(self, queue: deque) -> None:
        for worker in self.workers:
            if queue and not worker.busy:
                task = queue.popleft()
                try:
                    worker.conn.send((task.sha256, task.path))
                except (BrokenPipeError, OSError):  # it died between tasks: replace it, retry the file
                    queue.appendleft(task)
                    self._replace(worker, kill=True)
                    continue
                worker.task, worker.started = task, time.monotonic()

    def _check(self, worker: _Worker) -> tuple[FileTask, dict[str, Any]] | None:
        """The worker's result if it has one (or a failure if it died / overran); else None."""
        task = worker.task
        if worker.conn.poll():
            try:
                _key, result = worker.conn.recv()
            except (EOFError, OSError):
                return self._lost(worker, "worker_died", "worker process died while sending its result")
            worker.task, worker.done = None, worker.done + 1
            self._after_task(worker)
            return task, result
        if not worker.process.is_alive():
            code = worker.process.exitcode
            return self._lost(worker, "worker_died", f"worker process died (exit code {code})")
        if self.timeout and time.monotonic() - worker.started > self.timeout:
            return self._lost(worker, "timeout", f"took longer than {self.timeout:g} s; worker stopped")
        if self._over_memory(worker):
            limit = self.max_memory / 1024 / 1024
            return self._lost(worker, "memory_limit", f"worker used more than {limit:.0f} MB; worker stopped")
        return None

    def _lost(self, worker: _Worker, code: str, message: str) -> tuple[FileTask, dict[str, Any]]:
        task = worker.task
        worker.task = None
        self._replace(worker, kill=True)
        return task, failed_result(task, code, message)

    def _after_task(self, worker: _Worker) -> None:
        if self.max_tasks and worker.done >= self.max_tasks:
            self._replace(worker, kill=False)
        elif self._over_memory(worker, force=True):
            self._replace(worker, kill=False)

    def _over_memory(self, worker: _Worker, force: bool = False) -> bool:
        now = time.monotonic()
        if not self.max_memory or (not force and now - worker.last_memory_check < 1.0):
            return False
        worker.last_memory_check = now
        return _own_memory(worker.process.pid) > self.max_memory


def _own_memory(pid: int | None) -> int:
    """Memory the worker holds for itself (USS where the OS reports it, else RSS).

    Forked workers share the parent's pages (the built detector, a few hundred MB) until they
    write to them; RSS counts those in every worker, so a limit on RSS would recycle healthy
    workers. USS counts only a worker's own pages, which is what a leak or a huge file grows.
    """
    if pid is None:
        return 0
    try:
        import psutil

        proc = psutil.Process(pid)
        try:
            return proc.memory_full_info().uss
        except (psutil.AccessDenied, AttributeError):
            return proc.memory_info().rss
    except Exception:  # noqa: BLE001 - a process that just exited has no memory to count
        return 0


class DaskExecutor:
    """Sends ``process_document`` to a dask.distributed cluster; results return in completion order.

    With no scheduler address a ``LocalCluster`` of single-threaded worker processes is started
    (and closed at the end). With an address, the workers must have svmine installed and see the
    files at the same paths (a shared filesystem). Dask cannot stop one task, so the time limit
    is the extractor's own; a worker over ``max_memory_mb`` is restarted by its nanny.
    """

    def __init__(self, options: dict[str, Any], workers: int | None = None, scheduler: str | None = None,
                 max_memory_mb: float | None = None, func=process_document, connect_timeout: str = "30s"):
        self.options = options
        self.func = func
        self.connect_timeout = connect_timeout
        self.n_workers = max(1, workers or os.cpu_count() or 1)
        self.scheduler = scheduler
        self.max_memory_mb = max_memory_mb

    def _client(self):
        from dask.distributed import Client, LocalCluster

        if self.scheduler:
            try:
                return Client(self.scheduler, timeout=self.connect_timeout), None
            except (OSError, TimeoutError) as exc:
                raise SvmineError(f"cannot reach the Dask scheduler at {self.scheduler} ({exc})") from None
        memory = f"{int(self.max_memory_mb)}MB" if self.max_memory_mb else "auto"
        cluster = LocalCluster(n_workers=self.n_workers, threads_per_worker=1, processes=True,
                               dashboard_address=None, memory_limit=memory)
        return Client(cluster), cluster

    def run(self, tasks: Iterable[FileTask]) -> Iterator[tuple[FileTask, dict[str, Any]]]:
        tasks = list(tasks)
        if not tasks:
            return
        from dask.distributed import as_completed

        client, cluster = self._client()
        try:
            futures = {
                client.submit(_dask_task, self.func, t.path, self.options, key=f"svmine-{i}-{t.sha256[:16]}",
                              pure=False, retries=0): t
                for i, t in enumerate(tasks)
            }
            for future in as_completed(futures):
                task = futures.pop(future)
                try:
                    result = future.result()
                except Exception as exc:  # noqa: BLE001 - a lost worker fails its file, not the run
                    result = failed_result(task, "worker_died", f"dask task failed: {type(exc).__name__}: {exc}")
                future.release()
                yield task, result
        finally:
            client.close()
            if cluster is not None:
                cluster.close()

    def close(self) -> None:
        pass
