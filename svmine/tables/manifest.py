"""Manifests that place documents in footprints: a CSV with ``file`` and/or ``sha256`` and a
footprint code (``footprint_code``, or ``code``/``stp_code``/``stp17cd``), optionally ``ccg_code``.

A row names a document by content (sha256) or by file; a file matches a stored path when it is
the same path or a trailing part of it at a folder boundary (``broken/x.pdf`` matches
``corpora/sample/broken/x.pdf``), so a manifest written next to the corpus works from anywhere.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from svmine.errors import SvmineError

CODE_COLUMNS = ("footprint_code", "stp_code", "stp17cd", "code")


class ManifestError(SvmineError):
    code = "manifest_error"


@dataclass(frozen=True)
class Placement:
    footprint_code: str | None
    ccg_code: str | None


def _norm(path: str) -> str:
    path = path.strip().replace("\\", "/")
    while path.startswith("./"):
        path = path[2:]
    return path


class Manifest:
    def __init__(self, by_sha: dict[str, Placement], by_file: dict[str, Placement], path: str = "<manifest>"):
        self.by_sha = by_sha
        self.by_file = by_file
        self.path = path

    def placements(self) -> list[Placement]:
        return [*self.by_sha.values(), *self.by_file.values()]

    def lookup(self, paths: list[str], sha256: str | None) -> Placement | None:
        """The placement for a document seen at ``paths`` with content ``sha256``, if listed."""
        if sha256 and sha256 in self.by_sha:
            return self.by_sha[sha256]
        for path in paths:
            norm = _norm(path)
            for file, placement in self.by_file.items():
                if norm == file or norm.endswith("/" + file):
                    return placement
        return None


def load_manifest(path: str | Path) -> Manifest:
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            rows = list(csv.DictReader(fh))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ManifestError(f"cannot read manifest ({exc})", str(path)) from exc
    if not rows:
        raise ManifestError("manifest has no rows", str(path))
    columns = set(rows[0])
    code_col = next((c for c in CODE_COLUMNS if c in columns), None)
    if code_col is None or not ({"file", "sha256"} & columns):
        raise ManifestError("manifest needs a file or sha256 column and a footprint_code column", str(path))
    by_sha: dict[str, Placement] = {}
    by_file: dict[str, Placement] = {}
    for row in rows:
        placement = Placement((row.get(code_col) or "").strip() or None, (row.get("ccg_code") or "").strip() or None)
        if (row.get("sha256") or "").strip():
            by_sha[row["sha256"].strip().lower()] = placement
        if (row.get("file") or "").strip():
            by_file[_norm(row["file"])] = placement
    return Manifest(by_sha, by_file, str(path))
