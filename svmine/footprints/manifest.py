"""Manifests: a CSV that places documents in footprints (and optionally CCGs) by hand.

Columns: ``file`` and/or ``sha256`` name the document; ``footprint_code`` (or one of the
alternate names in ``CODE_COLUMNS``) is an E54 STP code; ``ccg_code`` (optional) is an E38 CCG
code of 2016 or 2017. Every code is checked against the official reference when the manifest is
read, and a bad row stops the load with a ``ManifestError`` naming the file and the line: a
typo in a hand-written manifest should never quietly become "no document".

Decisions:
- A row with a ``ccg_code`` and no footprint code takes the footprint the CCG lies in (the
  largest share for a split CCG), so a CCG-level manifest needs only one code per row.
- A document is found by sha256 first (content beats names), then by path: a ``file`` entry
  matches when it resolves, against the manifest's own folder, to the document's path, or when
  it is the whole stored path or a trailing part of it at a folder boundary (``broken/x.pdf``
  matches ``corpora/sample/broken/x.pdf`` but not ``corpora/unbroken/x.pdf``). The trailing rule
  lets a manifest written next to a corpus work for a store built from anywhere; when several
  entries match, the longest (most specific) wins. A bare file name therefore matches in any folder.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from svmine.errors import ReferenceDataError
from svmine.footprints.reference import Reference, load_reference

CODE_COLUMNS = ("footprint_code", "stp_code", "stp17cd", "code")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class ManifestError(ReferenceDataError):
    code = "manifest_error"


@dataclass(frozen=True)
class Placement:
    footprint_code: str | None
    ccg_code: str | None = None


@dataclass(frozen=True)
class Entry:
    placement: Placement
    line: int  # the manifest line the placement came from (1 = the header)


def _norm(path: str | Path) -> str:
    text = str(path).strip().replace("\\", "/")
    while text.startswith("./"):
        text = text[2:]
    return text


class Manifest:
    """Placements by sha256 and by file entry; see the module docstring for the matching rule."""

    def __init__(self, path: str | Path, by_sha: dict[str, Entry], by_file: dict[str, Entry]):
        self.path = Path(path)
        self.by_sha, self.by_file = by_sha, by_file
        self._by_resolved = {str((self.path.parent / f).resolve()): e for f, e in by_file.items()}

    def __len__(self) -> int:
        return len(self.by_sha) + len(self.by_file)

    def placements(self) -> list[Placement]:
        return [e.placement for e in (*self.by_sha.values(), *self.by_file.values())]

    def entry(self, paths: str | Path | Iterable[str | Path] | None, sha256: str | None = None) -> Entry | None:
        """The entry for a document with content ``sha256`` seen at ``paths`` (one or several)."""
        if sha256 and sha256.lower() in self.by_sha:
            return self.by_sha[sha256.lower()]
        if paths is None:
            return None
        candidates = [paths] if isinstance(paths, (str, Path)) else list(paths)
        for path in candidates:
            if path and Path(path).is_absolute() and str(Path(path).resolve()) in self._by_resolved:
                return self._by_resolved[str(Path(path).resolve())]
        best: tuple[int, Entry] | None = None
        for path in filter(None, candidates):
            norm = _norm(path)
            for file, entry in self.by_file.items():
                if (norm == file or norm.endswith("/" + file)) and (best is None or len(file) > best[0]):
                    best = (len(file), entry)
        return best[1] if best else None

    def lookup(self, paths: str | Path | Iterable[str | Path] | None, sha256: str | None = None) -> Placement | None:
        """The placement for a document, or None when the manifest does not list it."""
        entry = self.entry(paths, sha256)
        return entry.placement if entry else None


def load_manifest(path: str | Path, reference: Reference | None = None) -> Manifest:
    """Read and check a manifest CSV; raises ``ManifestError`` (file and line) on any bad row."""
    path = Path(path)
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            columns = {(c or "").strip().lower(): c for c in reader.fieldnames or []}
            rows = [(i + 2, r) for i, r in enumerate(reader)]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ManifestError(f"cannot read manifest ({exc})", str(path)) from exc
    code_col = next((columns[c] for c in CODE_COLUMNS if c in columns), None)
    if (code_col is None and "ccg_code" not in columns) or not {"file", "sha256"} & set(columns):
        raise ManifestError("manifest needs a footprint_code column (or ccg_code; also read: "
                            f"{', '.join(CODE_COLUMNS[1:])}) and a file or sha256 column", str(path))
    if not rows:
        raise ManifestError("manifest has no rows", str(path))
    ref = reference or load_reference()
    by_sha: dict[str, Entry] = {}
    by_file: dict[str, Entry] = {}

    def cell(row: dict, name: str | None) -> str:
        return (row.get(columns.get(name, name)) or "").strip() if name else ""

    for line, row in rows:
        file, sha = _norm(cell(row, "file")), cell(row, "sha256").lower()
        code, ccg = (row.get(code_col) or "").strip().upper() if code_col else "", cell(row, "ccg_code").upper()
        if not (file or sha or code or ccg):
            continue  # a blank line
        entry = Entry(_placement(ref, line, code, ccg, path), line)
        if not (file or sha):
            raise ManifestError(f"line {line}: neither file nor sha256 given", str(path))
        if sha and not _SHA256.match(sha):
            raise ManifestError(f"line {line}: sha256 {sha!r} is not 64 hex digits", str(path))
        if sha:
            by_sha[sha] = entry
        if file:
            by_file[file] = entry
    return Manifest(path, by_sha, by_file)


def _placement(ref: Reference, line: int, code: str, ccg: str, path: Path) -> Placement:
    if ccg and ref.ccg(ccg) is None:
        raise ManifestError(f"line {line}: unknown CCG code {ccg!r} (expected a 2016 or 2017 E38 CCG code)", str(path))
    if not code and ccg:
        mappings = ref.stp_mappings(ccg, 2017 if ccg in ref.ccgs[2017] else 2016)
        code = mappings[0].stp_code if mappings else ""
    if not code:
        raise ManifestError(f"line {line}: no footprint_code given", str(path))
    if code not in ref.stps:
        raise ManifestError(f"line {line}: unknown footprint code {code!r} (expected an E54 STP code)", str(path))
    return Placement(code, ccg or None)
