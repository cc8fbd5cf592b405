"""Deciding what a scan must do: walk the inputs, identify each file by content, skip what is current.

A file is identified by its sha256. Hashing a thousand large PDFs on every re-scan would cost
seconds, so the store remembers each path's size and mtime (``document_paths``): an unchanged
path keeps its known hash without being read. A renamed or copied file is hashed once, found
to be known content, and only its new path is recorded.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

from svmine.extract import iter_input_files, sha256_file
from svmine.store.queries import DocumentState, KnownPath


@dataclass(frozen=True)
class FileTask:
    """One distinct content to process, at the first path it was found under."""

    path: str
    sha256: str
    size: int
    mtime_ns: int


@dataclass
class ScanPlan:
    tasks: list[FileTask] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # paths whose content is current
    duplicates: list[str] = field(default_factory=list)  # paths whose content appeared earlier this run
    unreadable: list[tuple[str, str]] = field(default_factory=list)  # (path, message)
    special: list[tuple[str, str]] = field(default_factory=list)  # (path, reason): FIFO, device, ...
    failed_before: list[tuple[str, DocumentState]] = field(default_factory=list)  # known failures, not retried
    new_paths: list[tuple[str, str, int, int]] = field(default_factory=list)  # for document_paths
    files_seen: int = 0


def iter_files(paths: Iterable[str | os.PathLike[str]], include=(), exclude=(), recursive=True,
               skipped: list[tuple[Path, str]] | None = None) -> Iterator[Path]:
    """Input files in sorted order: the same walk as ``svmine extract``; special files go to ``skipped``."""
    yield from iter_input_files([Path(p) for p in paths], include=tuple(include), exclude=tuple(exclude),
                                recursive=recursive, skipped=skipped)


class _NotRegular(Exception):
    """The path turned into a FIFO/device/socket between the walk and its stat."""


def plan_scan(
    files: Iterable[Path],
    known: dict[str, KnownPath],
    states: dict[str, DocumentState],
    fingerprint: dict,
    version: str,
    force: bool = False,
    retry_failed: bool = False,
    limits: dict | None = None,
) -> ScanPlan:
    """Sort ``files`` into tasks, current ones, duplicates, known failures and unreadable ones.

    A known failure is content that failed with the same svmine, patterns and model: it would
    fail the same way, so it is reported from the store instead of being sent to a worker
    (``retry_failed`` sends it anyway). ``limits`` (``timeout``, ``max_memory_mb``) of this run
    decide whether a failure caused by a limit is worth retrying: it is when the limit is now
    larger or gone.
    """
    plan = ScanPlan()
    seen: set[str] = set()
    for file in files:
        plan.files_seen += 1
        path = os.path.abspath(file)
        try:
            sha, size, mtime = _identify(path, known.get(path), plan)
        except _NotRegular as exc:
            plan.special.append((path, str(exc)))
            continue
        except OSError as exc:
            plan.unreadable.append((path, f"{path}: cannot read ({exc.strerror or exc})"))
            continue
        if sha in seen:
            plan.duplicates.append(path)
            continue
        seen.add(sha)
        state = states.get(sha)
        if not force and state is not None and state.is_current(fingerprint, version):
            plan.skipped.append(path)
        elif (not force and not retry_failed and state is not None
              and state.failed_before(fingerprint, version, limits or {})):
            plan.failed_before.append((path, state))
        else:
            plan.tasks.append(FileTask(path, sha, size, mtime))
    return plan


def _identify(path: str, known: KnownPath | None, plan: ScanPlan) -> tuple[str, int, int]:
    info = os.stat(path)
    if not stat.S_ISREG(info.st_mode):  # never open it: a FIFO blocks, /dev/zero never ends
        from svmine.extract.files import special_file_reason

        raise _NotRegular(special_file_reason(path) or "not a regular file: skipped unopened")
    if known and known.size == info.st_size and known.mtime_ns == info.st_mtime_ns:
        return known.sha256, info.st_size, info.st_mtime_ns
    sha = sha256_file(path)
    plan.new_paths.append((path, sha, info.st_size, info.st_mtime_ns))
    return sha, info.st_size, info.st_mtime_ns
