"""``svmine detect`` on files: extract + detect each, with a per-file time limit.

Decisions:
- The time limit covers the whole file (extraction *and* detection: a pathological page can
  make either slow), so the work runs in a forked worker of the scan's ``LocalExecutor`` that
  is killed when time is up; the next file gets a fresh worker. The detector is built once,
  here, before the fork, so the worker starts warm (no second load of spaCy or the model).
- One worker: output follows the sorted walk, like before, and one file needs no pool.
- ``timeout`` None runs everything in this process (no fork at all).
- Special files (FIFO, device, socket, dangling link) are reported, never opened.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Iterable, Iterator

from svmine.detect.detector import FileDetection
from svmine.scan.process import get_detector, resolve_options


def _detect_one(path: str, options: dict[str, Any]) -> dict[str, Any]:
    """Runs in the worker (or inline): a plain dict, never raises."""
    import dataclasses

    from svmine.errors import SvmineError
    from svmine.extract import extract_document
    from svmine.extract.files import display_path

    try:
        doc = extract_document(path, engine=options["engine"], ocr=options["ocr"], max_pages=options["max_pages"])
        doc = dataclasses.replace(doc, path=display_path(doc.path))  # records carry it as UTF-8 text
        return {"status": "ok", "detection": get_detector(options).detect(doc)}
    except SvmineError as exc:
        return {"status": "failed", "error_code": exc.code, "error_message": str(exc)}
    except Exception as exc:  # noqa: BLE001 - a bug on one file must not lose the rest of the batch
        return {"status": "failed", "error_code": "internal_error", "error_message": f"{path}: {type(exc).__name__}: {exc}"}


def detect_files(paths: Iterable[str | os.PathLike], options: dict[str, Any] | None = None,
                 timeout: float | None = 300.0) -> Iterator[FileDetection]:
    """Yield a ``FileDetection`` per input file (sorted walk), special files included as errors.

    Builds the detector first (a broken pattern folder or model raises ``SvmineError`` before
    any file is read).
    """
    from svmine.extract import iter_input_files

    opts = resolve_options(options)
    get_detector(opts)
    special: list[tuple[Path, str]] = []
    files = list(iter_input_files(paths, skipped=special))
    for path, reason in special:
        yield FileDetection(path, error=f"{path}: {reason}", code="not_regular_file")
    if timeout:
        yield from _with_limit(files, opts, timeout)
        return
    for path in files:
        yield _as_detection(path, _detect_one(str(path), opts))


def _with_limit(files: list[Path], opts: dict[str, Any], timeout: float) -> Iterator[FileDetection]:
    from svmine.scan.executors import LocalExecutor
    from svmine.scan.walk import FileTask

    if not files:
        return
    by_path = {str(p): p for p in files}
    pool = LocalExecutor(opts, workers=1, timeout=timeout, func=_detect_one)
    try:
        for task, result in pool.run(FileTask(str(p), "", 0, 0) for p in files):
            yield _as_detection(by_path[task.path], result, timeout)
    finally:
        pool.close()


def _as_detection(path: Path, result: dict[str, Any], timeout: float | None = None) -> FileDetection:
    if result["status"] == "ok":
        return FileDetection(path, result["detection"])
    message = result["error_message"] or result["error_code"]
    if result["error_code"] == "timeout":
        message += "; retry with a larger --timeout"
    return FileDetection(path, error=message, code=result["error_code"])
