"""``ScanOptions``: everything one ``scan()`` was asked to do, as one record.

The worker options (``worker``: engine, ocr, patterns, model, manifest...) are the plain dict
``process_document`` takes, resolved once (absolute paths, defaults filled) because they are
pickled to every worker. The rest shape the run itself: which files, how many workers where,
which limits. ``run_record`` is what the ``runs`` table keeps of them (``options_json``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from svmine.scan.process import resolve_options

EXECUTORS = ("local", "dask")


@dataclass(frozen=True)
class ScanOptions:
    workers: int | None = None
    executor: str = "local"
    scheduler: str | None = None
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    recursive: bool = True
    timeout: float | None = None  # per file
    max_memory_mb: float | None = None
    max_tasks_per_child: int | None = 200
    force: bool = False
    retry_failed: bool = False
    worker: dict[str, Any] = field(default_factory=dict)  # process_document's options, resolved

    @classmethod
    def build(cls, worker_options: dict[str, Any] | None = None, **run: Any) -> "ScanOptions":
        """Check the executor, resolve the worker options and keep the globs as tuples."""
        executor = run.get("executor", "local")
        if executor not in EXECUTORS:
            raise ValueError(f"unknown executor {executor!r} (choose from {', '.join(EXECUTORS)})")
        run["include"], run["exclude"] = tuple(run.get("include") or ()), tuple(run.get("exclude") or ())
        # The local pool kills a worker past the limit itself; extraction's own time limit (a child
        # process per worker) is needed only where nothing else can stop a task: on Dask.
        timeout = run.get("timeout") if executor == "dask" else None
        return cls(worker=resolve_options({**(worker_options or {}), "timeout": timeout}), **run)

    @property
    def limits(self) -> dict[str, float | None]:
        """The limits a failure may be retried under when they grow (see ``plan_scan``)."""
        return {"timeout": self.timeout, "max_memory_mb": self.max_memory_mb}

    def run_record(self) -> dict[str, Any]:
        """The options as the ``runs`` table records them."""
        return {**self.worker, "workers": self.workers or os.cpu_count(), "executor": self.executor,
                "timeout": self.timeout, "max_memory_mb": self.max_memory_mb, "include": list(self.include),
                "exclude": list(self.exclude), "force": self.force, "retry_failed": self.retry_failed}
