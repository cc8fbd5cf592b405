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

Validation. Besides the hard errors above, four kinds of row are suspicious but not fatal, so
they become ``ManifestWarning``s that commands list at the end of their output (stderr), and
errors (exit 2, nothing written) with ``--strict``:
- a file listed twice with different placements (the later row is used, as before);
- a CCG placed in a footprint it does not lie in, by the official 2016 and 2017 lookups;
- a path outside the corpus: ``../../etc/passwd``, or an absolute path under none of the corpus
  roots (the manifest's own folder, plus the scanned folders or the stored documents' common
  folder). Such a row is ignored: a manifest only names documents, it never reaches outside;
- a row naming no document in the store (``Manifest.check``), usually a typo or a renamed file.
"""

from __future__ import annotations

import csv
import os
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


@dataclass(frozen=True)
class ManifestWarning:
    """A suspicious row (see the module docstring); ``str()`` names the file and the line."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}: line {self.line}: {self.message}"


def _norm(path: str | Path) -> str:
    text = str(path).strip().replace("\\", "/")
    while text.startswith("./"):
        text = text[2:]
    return text


class Manifest:
    """Placements by sha256 and by file entry; see the module docstring for the matching rule."""

    def __init__(self, path: str | Path, by_sha: dict[str, Entry], by_file: dict[str, Entry],
                 warnings: Iterable[ManifestWarning] = ()):
        self.path = Path(path)
        self.by_sha, self.by_file = by_sha, by_file
        self._read_warnings = list(warnings)
        self._dropped: list[ManifestWarning] = []  # rows ``check`` found outside the corpus
        self.warnings: list[ManifestWarning] = list(warnings)  # found when reading; ``check`` adds more
        self._index()

    def _index(self) -> None:
        self._by_resolved = {str((self.path.parent / f).resolve()): e for f, e in self.by_file.items()}

    def check(self, paths: Iterable[str | Path] = (), sha256s: Iterable[str] = (), *,
              roots: Iterable[str | Path] = (), check_sha256: bool = True) -> list[ManifestWarning]:
        """Check the entries against the documents (``paths`` they were seen at, their
        ``sha256s``) and the corpus ``roots``; returns every warning, reading's included.

        Entries outside the corpus are dropped here (the row is ignored). ``check_sha256=False``
        leaves sha256 rows unchecked (a scan has not hashed its new files yet). Each call starts
        again from the warnings found when reading.
        """
        root_list = [self.path.parent.resolve(), *(Path(r).resolve() for r in roots)]
        for file, entry in list(self.by_file.items()):
            target = (self.path.parent / file).resolve()
            if not any(target == root or root in target.parents for root in root_list):
                shown = ", ".join(str(r) for r in dict.fromkeys(root_list))
                self._dropped.append(self._warn(entry.line, f"{file!r} is outside the corpus ({shown});"
                                                " the row is ignored"))
                del self.by_file[file]
        self._index()
        found = [*self._read_warnings, *self._dropped]
        norms = {_norm(p) for p in paths if p}
        resolved = {str(Path(p).resolve()) for p in norms if Path(p).is_absolute()}
        for file, entry in self.by_file.items():
            if str((self.path.parent / file).resolve()) in resolved:
                continue
            if not any(n == file or n.endswith("/" + file) for n in norms):
                found.append(self._warn(entry.line, f"{file!r} names no document in the store"))
        if check_sha256:
            known = {s.lower() for s in sha256s if s}
            for sha, entry in self.by_sha.items():
                if sha not in known:
                    found.append(self._warn(entry.line, f"sha256 {sha[:12]}… names no document in the store"))
        self.warnings = sorted(found, key=lambda w: w.line)
        return self.warnings

    def _warn(self, line: int, message: str) -> ManifestWarning:
        return ManifestWarning(str(self.path), line, message)

    def check_store(self, store, roots: Iterable[str | Path] = ()) -> list[ManifestWarning]:
        """``check`` against an open ``Store``: every path its documents were seen at and their
        sha256s; the documents' common folder counts as a corpus root."""
        from svmine.store.queries import document_locations

        paths, shas = document_locations(store)
        absolute = [p for p in paths if Path(p).is_absolute()]
        common = [os.path.commonpath(absolute)] if absolute else []
        return self.check(paths, shas, roots=[*roots, *common])

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


def read_manifest_rows(path: Path) -> tuple[dict[str, str], list[tuple[int, dict]]]:
    """(lower-cased header -> header as written, [(line number, row)]) of a manifest CSV;
    ``ManifestError`` when it is not a regular file or cannot be read as UTF-8 CSV."""
    if not path.is_file():  # a FIFO would wait for a writer for ever, a device never ends
        raise ManifestError("cannot read manifest (not a regular file)", str(path))
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            columns = {(c or "").strip().lower(): c for c in reader.fieldnames or []}
            rows = [(i + 2, r) for i, r in enumerate(reader)]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ManifestError(f"cannot read manifest ({exc})", str(path)) from exc
    return columns, rows


def load_manifest(path: str | Path, reference: Reference | None = None) -> Manifest:
    """Read and check a manifest CSV; raises ``ManifestError`` (file and line) on any bad row."""
    path = Path(path)
    columns, rows = read_manifest_rows(path)
    code_col = next((columns[c] for c in CODE_COLUMNS if c in columns), None)
    if (code_col is None and "ccg_code" not in columns) or not {"file", "sha256"} & set(columns):
        raise ManifestError("manifest needs a footprint_code column (or ccg_code; also read: "
                            f"{', '.join(CODE_COLUMNS[1:])}) and a file or sha256 column", str(path))
    if not rows:
        raise ManifestError("manifest has no rows", str(path))
    ref = reference or load_reference()
    by_sha: dict[str, Entry] = {}
    by_file: dict[str, Entry] = {}
    warnings: list[ManifestWarning] = []

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
        for key, shown, table in ((sha, f"sha256 {sha[:12]}…", by_sha), (file, repr(file), by_file)):
            if not key:
                continue
            earlier = table.get(key)
            if earlier is not None and earlier.placement != entry.placement:
                warnings.append(ManifestWarning(
                    str(path), line, f"{shown} is listed twice with different places (line {earlier.line}:"
                    f" {_shown(earlier.placement)}; line {line}: {_shown(entry.placement)}); line {line} is used"))
            table[key] = entry
        outside = _ccg_outside(ref, entry.placement)
        if outside:
            warnings.append(ManifestWarning(str(path), line, outside))
    return Manifest(path, by_sha, by_file, warnings)


def load_checked(path: str | Path, db: str | Path, roots: Iterable[str | Path] = ()) -> Manifest:
    """``load_manifest`` then ``Manifest.check_store`` against the store at ``db`` (read-only):
    what ``svmine table`` and ``svmine report`` use."""
    from svmine.store import Store

    with Store.open(db, mode="ro") as store:
        manifest = load_manifest(path)
        manifest.check_store(store, roots)
    return manifest


def check_for_scan(manifest: Manifest, scan_paths: Iterable[str | Path], db: str | Path, *,
                   include: Iterable[str] = (), exclude: Iterable[str] = (), after: bool = False) -> list[ManifestWarning]:
    """``Manifest.check`` for ``svmine scan``: the corpus roots are the scanned folders (a
    scanned file's own folder). Before the scan (``after=False``) a file row must name a file the
    scan will read or one the store has seen, and sha256 rows wait; after it, the store is the
    reference for both. A store that cannot be read yet (missing, or to be upgraded) counts as empty."""
    from svmine.errors import StoreError
    from svmine.store import Store
    from svmine.store.queries import document_locations

    scan_paths = [Path(p) for p in scan_paths]
    roots = [p if p.is_dir() else p.parent for p in scan_paths]
    paths: list[str] = []
    shas: list[str] = []
    if not after:
        from svmine.scan.walk import iter_files

        paths = [os.path.abspath(f) for f in iter_files(scan_paths, include=include, exclude=exclude)]
    try:
        with Store.open(db, mode="ro") as store:
            known, shas = document_locations(store)
        paths += known
    except StoreError:
        pass
    return manifest.check(paths, shas, roots=roots, check_sha256=after)


def _shown(placement: Placement) -> str:
    return placement.footprint_code + (f" / {placement.ccg_code}" if placement.ccg_code else "")


def _ccg_outside(ref: Reference, placement: Placement) -> str | None:
    """The warning for a CCG placed under a footprint it does not lie in (by either year's lookup)."""
    ccg, code = placement.ccg_code, placement.footprint_code
    if not ccg or not code:
        return None
    homes = {m.stp_code for year in (2016, 2017) if ccg in ref.ccgs[year] for m in ref.stp_mappings(ccg, year)}
    if not homes or code in homes or code not in ref.stps:  # a CCG under an ICB: eras differ, nothing to check
        return None
    name = ref.ccg(ccg).name
    where = ", ".join(f"{h} {ref.stps[h].name}" for h in sorted(homes))
    return f"CCG {ccg} ({name}) is not in footprint {code} ({ref.stps[code].name}); it lies in {where}"


def _placement(ref: Reference, line: int, code: str, ccg: str, path: Path) -> Placement:
    if ccg and ref.ccg(ccg) is None:
        raise ManifestError(f"line {line}: unknown CCG code {ccg!r} (expected a 2016 or 2017 E38 CCG code)", str(path))
    if not code and ccg:
        mappings = ref.stp_mappings(ccg, 2017 if ccg in ref.ccgs[2017] else 2016)
        code = mappings[0].stp_code if mappings else ""
    if not code:
        raise ManifestError(f"line {line}: no footprint_code given", str(path))
    if code not in ref.stps and code not in _icb_codes():
        raise ManifestError(f"line {line}: unknown footprint code {code!r} (expected an E54 STP code of 2017 or ICB code"
                            " of 2022)", str(path))
    return Placement(code, ccg or None)


def _icb_codes() -> dict:
    from svmine.footprints.eras import load_eras

    return load_eras().orgs["icb2022"]


def footprint_name(ref: Reference, code: str) -> str:
    """The official name of a placement's footprint: a 2017 STP or, for new plans, a July 2022 ICB.

    A code both eras use (E54000008 Cheshire and Merseyside) is named as the STP: a manifest code
    says where a document belongs, and both names denote the same area."""
    if code in ref.stps:
        return ref.stps[code].name
    icb = _icb_codes().get(code)
    return icb.name if icb else code
