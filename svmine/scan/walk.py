"""Deciding what a scan must do: walk the inputs, identify each file by content, skip what is current.

A file is identified by its sha256. Hashing a thousand large PDFs on every re-scan would cost
seconds, so the store remembers each path's size and mtime (``document_paths``): an unchanged
path keeps its known hash without being read. A renamed or copied file is hashed once, found
to be known content, and only its new path is recorded.
"""

from __future__ import annotations

import os
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
    new_paths: list[tuple[str, str, int, int]] = field(default_factory=list)  # for document_paths
    files_seen: int = 0


def iter_files(paths: Iterable[str | os.PathLike[str]], include=(), exclude=(), recursive=True) -> Iterator[Path]:
    """Input files in sorted order: the same walk as ``svmine extract``."""
    yield from iter_input_files([Path(p) for p in paths], include=tuple(include), exclude=tuple(exclude),
                                recursive=recursive)


def plan_scan(
    files: Iterable[Path],
    known: dict[str, KnownPath],
    states: dict[str, DocumentState],
    fingerprint: dict,
    version: str,
    force: bool = False,
) -> ScanPlan:
    plan = ScanPlan()
    seen: set[str] = set()
    for file in files:
        plan.files_seen += 1
        path = os.path.abspath(file)
        try:
            sha, size, mtime = _identify(path, known.get(path), plan)
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
        else:
            plan.tasks.append(FileTask(path, sha, size, mtime))
    return plan


def _identify(path: str, known: KnownPath | None, plan: ScanPlan) -> tuple[str, int, int]:
    stat = os.stat(path)
    if known and known.size == stat.st_size and known.mtime_ns == stat.st_mtime_ns:
        return known.sha256, stat.st_size, stat.st_mtime_ns
    sha = sha256_file(path)
    plan.new_paths.append((path, sha, stat.st_size, stat.st_mtime_ns))
    return sha, stat.st_size, stat.st_mtime_ns
