"""Which organisation a document speaks for: an assessment manifest, else the store's attribution.

Manifest: a CSV with ``file`` (or ``sha256``) and ``org_code`` or ``org_name``; optional
``org_type`` and ``region``. An NHS code is looked up in every era svmine knows (CCGs of 2016,
2017, 2020 and 2021, Sub ICB Locations, STPs, ICBs), by its GSS code (E38..., E54...) or ODS code
(02N, QOP); a name is resolved with the era resolver (``footprints.era_resolver``) over the CCG
lineage, then the STP/ICB lineage, and must be resolved with confidence (exact or accepted).
A council (or any organisation not in the NHS lists) is given with ``org_type`` ``council``, its
code and its name, and optionally its region.

Decisions:
- One organisation per code: the first era holding the code names it (2016 CCGs first, the
  2017 report's list), so a CCG's documents of several years are assessed together.
- A region is the 2017 report's (North, Midlands and East, London, South) for CCGs of 2016/17 and
  STPs; NHS England's seven regions for later organisations.
- A bad row (no code and no name, an unknown code, a name not resolved with confidence, a council
  without a name) stops the load with a ``ManifestError`` naming the file and line (exit 2); a row
  naming no stored document is a warning.
- Documents are matched as in ``footprints.manifest``: sha256 first, then the file resolved
  against the manifest's folder, then the longest trailing part of a stored path.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from svmine.footprints.manifest import ManifestError, read_manifest_rows

NHS_ORDER = ("ccg2016", "ccg2017", "ccg2020", "ccg2021", "sub_icb2022", "stp2017", "stp2020", "icb2022")
OTHER_TYPES = ("council", "other")


@dataclass(frozen=True)
class Org:
    code: str
    name: str
    type: str  # ccg | sub_icb | stp | icb | council | other
    region: str = ""


@functools.lru_cache(maxsize=1)
def _index() -> dict[str, Org]:
    """GSS and ODS code (upper case) -> Org, first era wins."""
    from svmine.footprints.eras import load_eras, region_geography
    from svmine.footprints.reference import load_reference

    eras = load_eras()
    short = {r.code: r.short_name for r in load_reference().regions.values()}
    out: dict[str, Org] = {}
    for geo in NHS_ORDER:
        for code, o in eras.geography(geo).items():
            region = eras.orgs[region_geography(geo)].get(o.region_code)
            name = short.get(o.region_code) if region_geography(geo) == "region2017" else None
            org = Org(code, o.name, o.type, name or (region.name if region else ""))
            for key in (code.upper(), o.ods.upper()):
                if key and key not in out:
                    out[key] = org
    return out


def org_by_code(code: str) -> Org | None:
    """The NHS organisation with this GSS or ODS code, any era (None when unknown)."""
    return _index().get((code or "").strip().upper())


# An organisation word of the STP -> ICB lineage: "NHS Cambridgeshire and Peterborough ICB" is the ICB,
# though the CCG of 2016 had the same place name.
_ICB_WORDS = re.compile(r"\b(?<!sub )(?<!sub-)(icb|ics|stp|integrated care (?:board|system)|sustainability and transformation)\b", re.I)


def _named(geography: str, code: str) -> Org | None:
    """The organisation of ``code`` as the resolver's geography names it (an ICB keeps its STP's code)."""
    from svmine.footprints.eras import load_eras

    known = org_by_code(code)
    o = load_eras().geography(geography).get(code) if geography else None
    if known is None or o is None or o.name == known.name:
        return known
    region = _region_names().get(o.region_code, known.region)
    return Org(code, o.name, o.type, region)


@functools.lru_cache(maxsize=1)
def _region_names() -> dict[str, str]:
    from svmine.footprints.eras import load_eras

    return {code: o.name for code, o in load_eras().geography("region2022").items()}


def org_by_name(name: str) -> tuple[Org | None, str]:
    """The NHS organisation a name resolves to with confidence, or (None, the resolver's reason)."""
    from svmine.footprints.era_resolver import EraResolver
    from svmine.footprints.resolver import CONFIDENT

    reasons = []
    for kind in ("icb", "ccg") if _ICB_WORDS.search(name) else ("ccg", "icb"):
        res = EraResolver(kind).resolve(name)
        if res.status in CONFIDENT and res.best is not None and len(res.matches) <= 1:
            # A CCG name is the CCG of its first era (the index); an ICB keeps its STP's code, so its name is the era's
            org = _named(res.geography, res.best.code) if kind == "icb" else org_by_code(res.best.code)
            if org is not None:
                return org, ""
        reasons.append(f"as {kind}: {res.status}{' (' + res.reason + ')' if res.reason else ''}")
    return None, "; ".join(reasons)


@dataclass
class OrgManifest:
    """Rows of an assessment manifest, by sha256 and by file."""

    path: Path
    by_sha: dict[str, tuple[Org, int]] = field(default_factory=dict)
    by_file: dict[str, tuple[Org, int]] = field(default_factory=dict)

    def lookup(self, paths: Iterable[str], sha256: str) -> Org | None:
        if sha256 in self.by_sha:
            return self.by_sha[sha256][0]
        paths = [p for p in paths if p]
        for p in paths:
            for file, (org, _) in self.by_file.items():
                if Path(p).is_absolute() and Path(p).resolve() == (self.path.parent / file).resolve():
                    return org
        best = None
        for p in paths:
            norm = p.replace("\\", "/")
            for file, (org, _) in self.by_file.items():
                if (norm == file or norm.endswith("/" + file)) and (best is None or len(file) > best[0]):
                    best = (len(file), org)
        return best[1] if best else None

    def unmatched(self, documents: list[tuple[list[str], str]]) -> list[str]:
        """Warnings for rows naming none of ``documents`` ((paths, sha256) pairs)."""
        used = set()
        for paths, sha in documents:
            if sha in self.by_sha:
                used.add(("sha", sha))
            for file in self.by_file:
                if any(p.replace("\\", "/") == file or p.replace("\\", "/").endswith("/" + file)
                       or (Path(p).is_absolute() and Path(p).resolve() == (self.path.parent / file).resolve())
                       for p in paths):
                    used.add(("file", file))
        rows = [(line, f"sha256 {k[:12]}…") for k, (_, line) in self.by_sha.items() if ("sha", k) not in used]
        rows += [(line, repr(k)) for k, (_, line) in self.by_file.items() if ("file", k) not in used]
        return [f"{self.path}: line {line}: {what} names no document in the store" for line, what in sorted(rows)]


def load_org_manifest(path: str | Path) -> OrgManifest:
    """Read and check an assessment manifest; ``ManifestError`` (file and line) on a bad row."""
    path = Path(path)
    columns, rows = read_manifest_rows(path)
    if not {"file", "sha256"} & set(columns) or not {"org_code", "org_name"} & set(columns):
        raise ManifestError("an assessment manifest needs a file (or sha256) column and an org_code or org_name"
                            f" column; found: {', '.join(columns) or 'no header'}", str(path))
    out = OrgManifest(path)

    def cell(row: dict, name: str) -> str:
        return (row.get(columns.get(name, name)) or "").strip()

    for line, row in rows:
        file, sha = cell(row, "file").replace("\\", "/").removeprefix("./"), cell(row, "sha256").lower()
        if not any((file, sha, cell(row, "org_code"), cell(row, "org_name"))):
            continue
        if not (file or sha):
            raise ManifestError(f"line {line}: neither file nor sha256 given", str(path))
        org = _row_org(cell(row, "org_code"), cell(row, "org_name"), cell(row, "org_type").lower(),
                       cell(row, "region"), line, path)
        if sha:
            out.by_sha[sha] = (org, line)
        if file:
            out.by_file[file] = (org, line)
    if not out.by_sha and not out.by_file:
        raise ManifestError("manifest has no rows", str(path))
    return out


def _row_org(code: str, name: str, kind: str, region: str, line: int, path: Path) -> Org:
    if kind in OTHER_TYPES:
        if not (code and name):
            raise ManifestError(f"line {line}: a {kind} needs both org_code and org_name", str(path))
        return Org(code, name, kind, region)
    if kind and kind not in ("ccg", "sub_icb", "stp", "icb"):
        raise ManifestError(f"line {line}: unknown org_type {kind!r} (ccg, sub_icb, stp, icb, council, other)", str(path))
    if code:
        org = org_by_code(code)
        if org is None:
            raise ManifestError(f"line {line}: unknown organisation code {code!r} (not a CCG, Sub ICB Location, STP"
                                " or ICB code of any year; a council needs org_type council)", str(path))
        return org
    if not name:
        raise ManifestError(f"line {line}: neither org_code nor org_name given", str(path))
    org, why = org_by_name(name)
    if org is None:
        raise ManifestError(f"line {line}: the name {name!r} does not resolve to one organisation ({why});"
                            " give its org_code", str(path))
    return org
