"""Which footprint does a document belong to? Votes from the names on its first pages.

A plan's title page and first pages name its own footprint and its CCGs far more often than
anyone else's. ``attribute_document`` finds every STP name (official or a known variant) and
every CCG name on those pages, lets each CCG vote for its STP (a split CCG votes by its shares),
and reports the winner's share of the votes as the score, with the names found and their pages
as evidence. Exact token matching (after ``normalise``), not fuzzy matching: a scan over free
text with fuzzy scorers would find every "North" and "Essex"; the resolver is for name columns.

Decisions:
- A CCG name counts only with a cue next to it ("NHS Bury", "Bury CCG", "Bury Clinical
  Commissioning Group"): CCG names are mostly plain place names.
- Longest match wins and matches do not overlap, so "North Somerset CCG" is not also "Somerset".
- Each name counts once per page, so a running header does not outvote the title.
- Page 1 (and the document's metadata title) count ``TITLE_WEIGHT`` times.
- A manifest row (file or sha256 -> footprint code) overrides all of this: ``source="manifest"``.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from svmine.errors import ReferenceDataError
from svmine.footprints.normalise import normalise, tokens
from svmine.footprints.reference import Reference, load_reference
from svmine.model import Document

DEFAULT_PAGES = 3  # the title page and the first pages after it
STP_WEIGHT = 3.0  # a footprint named outright counts as three CCGs
CCG_WEIGHT = 1.0
TITLE_WEIGHT = 2.0
ACCEPT_SHARE = 0.7  # winner's share of all votes needed to accept
MIN_VOTES = 3.0  # and at least this many votes (one footprint name, or three CCGs)

_CCG_CUE_AFTER = (("ccg",), ("ccgs",), ("clinical", "commissioning", "group"), ("clinical", "commissioning", "groups"))


@dataclass
class Attribution:
    code: str | None
    name: str | None
    score: float  # 0-100: the winner's share of the votes (100 for a manifest entry)
    status: str  # exact (manifest), accepted, review, no_match
    evidence: list[dict[str, Any]] = field(default_factory=list)
    source: str = "text"  # "text" or "manifest"
    # one row per distinct name found, in the store's ``name_matches`` shape (the scan moves it there)
    name_matches: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# -- name index -------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Name:
    kind: str  # "stp" or "ccg"
    code: str
    name: str  # the reference spelling that was found


def _index(ref: Reference) -> dict[str, list[tuple[tuple[str, ...], list[_Name]]]]:
    """first token -> [(token sequence, names)], longest sequences first."""
    seqs: dict[tuple[str, ...], list[_Name]] = defaultdict(list)
    for stp in ref.stps.values():
        seqs[tuple(normalise(stp.name).split())].append(_Name("stp", stp.code, stp.name))
    for v in ref.variants:
        seqs[tuple(normalise(v.name).split())].append(_Name("stp", v.stp_code, v.name))
    for year in (2017, 2016):
        for ccg in ref.ccgs[year].values():
            seqs[tuple(normalise(ccg.name).split())].append(_Name("ccg", ccg.code, ccg.name))
    index: dict[str, list] = defaultdict(list)
    for seq, names in seqs.items():
        if seq:
            index[seq[0]].append((seq, list(dict.fromkeys(names))))
    for entries in index.values():
        entries.sort(key=lambda e: -len(e[0]))
    return index


_INDEXES: dict[int, tuple[Reference, dict]] = {}


def _index_for(ref: Reference) -> dict:
    if id(ref) not in _INDEXES:
        _INDEXES[id(ref)] = (ref, _index(ref))  # keep ref alive so its id is not reused
    return _INDEXES[id(ref)][1]


def find_names(text: str, ref: Reference | None = None) -> list[_Name]:
    """STP and CCG names in ``text`` (longest match first, no overlaps, CCGs only with a cue)."""
    ref = ref or load_reference()
    index = _index_for(ref)
    words = tokens(text, strip_org=False)
    found: list[_Name] = []
    i = 0
    while i < len(words):
        hit = None
        for seq, names in index.get(words[i], ()):
            if tuple(words[i : i + len(seq)]) == seq:
                hit = (seq, names)
                break
        if not hit:
            i += 1
            continue
        seq, names = hit
        end = i + len(seq)
        cue = (i > 0 and words[i - 1] == "nhs") or any(tuple(words[end : end + len(c)]) == c for c in _CCG_CUE_AFTER)
        stps = [n for n in names if n.kind == "stp"]
        ccgs = [n for n in names if n.kind == "ccg"]
        if cue and ccgs:
            found.append(ccgs[0])
        elif stps:
            found.append(stps[0])
        i = end
    return found


# -- attribution ------------------------------------------------------------------------------
def attribute_document(
    doc: Document,
    *,
    manifest: "Manifest | None" = None,
    reference: Reference | None = None,
    pages: int = DEFAULT_PAGES,
) -> Attribution:
    """Infer the footprint of ``doc`` from its first ``pages`` pages; a manifest entry wins."""
    ref = reference or load_reference()
    if manifest is not None:
        entry = manifest.entry(doc.path, doc.sha256)
        if entry:
            code, line = entry
            evidence = [{"kind": "manifest", "manifest": str(manifest.path), "line": line}]
            return Attribution(code, ref.stps[code].name, 100.0, "exact", evidence, "manifest")
    texts = [(p.number, p.text) for p in doc.pages[:pages]]
    title = str(doc.metadata.get("title") or "").strip()
    if title:
        texts.insert(0, (1, title))
    votes: dict[str, float] = defaultdict(float)
    evidence: list[dict[str, Any]] = []
    seen: set[tuple[str, str, int]] = set()
    for page, text in texts:
        for hit in find_names(text, ref):
            if (hit.kind, hit.code, page) in seen:
                continue
            seen.add((hit.kind, hit.code, page))
            weight = (STP_WEIGHT if hit.kind == "stp" else CCG_WEIGHT) * (TITLE_WEIGHT if page == 1 else 1.0)
            for stp_code, share in _stps_of(ref, hit):
                votes[stp_code] += weight * share
            evidence.append({"kind": hit.kind, "code": hit.code, "text": hit.name, "page": page,
                             "votes_for": [c for c, _ in _stps_of(ref, hit)]})
    result = _verdict(ref, votes, evidence)
    result.name_matches = _name_matches(ref, evidence)
    return result


def _name_matches(ref: Reference, evidence: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each distinct name found, as an exact match (the text reads as that name once normalised)."""
    rows = {}
    for e in evidence:
        official = ref.stps[e["code"]].name if e["kind"] == "stp" else ref.ccg(e["code"]).name
        rows.setdefault((e["kind"], e["code"], e["text"]), {
            "kind": e["kind"], "query": e["text"], "candidate_code": e["code"], "candidate_name": official,
            "score": 100.0, "runner_up_code": None, "runner_up_name": None, "margin": None, "status": "exact",
        })
    return list(rows.values())


def _stps_of(ref: Reference, hit: _Name) -> list[tuple[str, float]]:
    if hit.kind == "stp":
        return [(hit.code, 1.0)]
    year = 2017 if hit.code in ref.ccgs[2017] else 2016
    return [(m.stp_code, m.share) for m in ref.stp_mappings(hit.code, year)]


def _verdict(ref: Reference, votes: dict[str, float], evidence: list[dict]) -> Attribution:
    total = sum(votes.values())
    if not total:
        return Attribution(None, None, 0.0, "no_match", evidence)
    code = max(sorted(votes), key=lambda c: votes[c])
    share = votes[code] / total
    status = "accepted" if share >= ACCEPT_SHARE and votes[code] >= MIN_VOTES else "review"
    return Attribution(code, ref.stps[code].name, round(100 * share, 1), status, evidence)


# -- manifest ---------------------------------------------------------------------------------
class Manifest:
    """File -> footprint code overrides, read from a CSV (see ``load_manifest``)."""

    def __init__(self, path: Path, by_sha: dict, by_path: dict, by_name: dict):
        self.path = path
        self._by_sha, self._by_path, self._by_name = by_sha, by_path, by_name

    def __len__(self) -> int:
        return len(self._by_sha) + len(self._by_path) + len(self._by_name)

    def entry(self, path: str | Path | None, sha256: str | None = None) -> tuple[str, int] | None:
        """(footprint code, manifest line) for a document, by sha256, then path, then bare file name."""
        if sha256 and sha256.lower() in self._by_sha:
            return self._by_sha[sha256.lower()]
        if path:
            p = Path(path)
            hit = self._by_path.get(str(p.resolve())) or self._by_name.get(p.name)
            if hit:
                return hit
        return None

    def lookup(self, path: str | Path | None, sha256: str | None = None) -> str | None:
        entry = self.entry(path, sha256)
        return entry[0] if entry else None


def load_manifest(path: str | Path, reference: Reference | None = None) -> Manifest:
    """Read a manifest CSV: ``file`` and/or ``sha256``, and ``footprint_code`` (an E54 STP code).

    ``file`` is a path relative to the manifest's folder, or a bare file name matching any folder.
    Raises ``ReferenceDataError`` naming the line of an unknown code or an empty row.
    """
    path = Path(path)
    ref = reference or load_reference()
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            columns = {c.strip() for c in reader.fieldnames or []}
            if "footprint_code" not in columns or not columns & {"file", "sha256"}:
                raise ReferenceDataError("manifest needs a footprint_code column and a file or sha256 column", str(path))
            rows = [(i + 2, {k.strip(): (v or "").strip() for k, v in r.items() if k}) for i, r in enumerate(reader)]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ReferenceDataError(f"cannot read manifest: {exc}", str(path)) from exc
    by_sha, by_path, by_name = {}, {}, {}
    for line, row in rows:
        code, file, sha = row.get("footprint_code", "").upper(), row.get("file", ""), row.get("sha256", "").lower()
        if not (code or file or sha):
            continue  # blank line
        if code not in ref.stps:
            raise ReferenceDataError(f"line {line}: unknown footprint code {code!r} (expected an E54 STP code)", str(path))
        if not (file or sha):
            raise ReferenceDataError(f"line {line}: neither file nor sha256 given", str(path))
        if sha:
            by_sha[sha] = (code, line)
        if file and ("/" in file or "\\" in file):
            by_path[str((path.parent / file).resolve())] = (code, line)
        elif file:
            by_name[file] = (code, line)
    return Manifest(path, by_sha, by_path, by_name)
