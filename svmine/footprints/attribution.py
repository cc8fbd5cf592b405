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
- A manifest row (file or sha256 -> footprint code, optionally a CCG code; see
  ``svmine.footprints.manifest``) overrides all of this: ``source="manifest"``.
- ``Attribution.icb`` places the document among the 42 ICBs of July 2022: by the ICB and Sub ICB
  Location names in its text when it has any, else by its STP when that lies wholly in one ICB,
  else nowhere with the reason (``svmine.footprints.icb_attribution``). The STP placement never
  depends on it.

CCG-level documents (a CCG's policies, board papers) are told apart from footprint plans by
their title, and ``Attribution.ccg_code`` is set only when the text singles out one CCG:
- the title (page 1 and the metadata title) names exactly one CCG with a cue and names no STP
  footprint (a plan's title page that names its footprint is a footprint document, even when
  it also names a host CCG); or
- no CCG is named in the title and one CCG takes at least ``CCG_DOMINANT_SHARE`` of the CCG
  votes on the first pages with at least ``CCG_MIN_VOTES`` (it is named on two pages or more).
A plan naming many CCGs gets none. A 2016 CCG name is reported as its single April 2017
successor when it has one (the CCG rollup lists 2017 CCGs). The footprint then follows from the
CCG -> STP reference (largest share for a split CCG) and is ``accepted``, unless an STP name on
the first pages wins the votes for another footprint: a named footprint beats the inference,
and the CCG is dropped as inconsistent. A manifest ``ccg_code`` overrides the inferred CCG; a
manifest row without one keeps the inferred CCG only when it lies in the manifest's footprint.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass
from typing import Any

from svmine.footprints.icb_attribution import icb_from_text, icb_of_footprint
from svmine.footprints.manifest import Manifest, load_manifest  # noqa: F401 - load_manifest: the old import path
from svmine.footprints.manifest import footprint_name
from svmine.footprints.normalise import normalise, tokens
from svmine.footprints.reference import Reference, load_reference
from svmine.model import Attribution, Document, NameMatch

DEFAULT_PAGES = 3  # the title page and the first pages after it
STP_WEIGHT = 3.0  # a footprint named outright counts as three CCGs
CCG_WEIGHT = 1.0
TITLE_WEIGHT = 2.0
ACCEPT_SHARE = 0.7  # winner's share of all votes needed to accept
MIN_VOTES = 3.0  # and at least this many votes (one footprint name, or three CCGs)
CCG_DOMINANT_SHARE = 2 / 3  # one CCG's share of the CCG votes that makes a document that CCG's (2 pages to 1)
CCG_MIN_VOTES = 2.0

_CCG_CUE_AFTER = (("ccg",), ("ccgs",), ("clinical", "commissioning", "group"), ("clinical", "commissioning", "groups"))


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
    """Infer the footprint (and for a CCG-level document, the CCG) of ``doc`` from its first
    ``pages`` pages; a manifest entry wins. The names found stay in ``name_matches`` either way."""
    ref = reference or load_reference()
    result = _from_text(doc, ref, pages)
    entry = manifest.entry(doc.path, doc.sha256) if manifest is not None else None
    if entry is None:
        named = icb_from_text(_texts(doc, pages))
        result.icb = asdict(named or icb_of_footprint(result.code, result.status))
        return result
    placed = entry.placement
    inferred = result.ccg_code
    if inferred and not _in_footprint(ref, inferred, placed.footprint_code):
        inferred = None  # the manifest moved the document: its text's CCG would sit in the wrong footprint
    ccg = placed.ccg_code or inferred
    evidence = [{"kind": "manifest", "manifest": str(manifest.path), "line": entry.line}]
    icb = asdict(icb_of_footprint(placed.footprint_code, "exact", source="manifest"))
    return Attribution(placed.footprint_code, footprint_name(ref, placed.footprint_code), 100.0, "exact", evidence,
                       "manifest", ccg, icb=icb, name_matches=result.name_matches)


def _texts(doc: Document, pages: int) -> list[tuple[int, str]]:
    """(page number, text) of the first ``pages`` pages, the metadata title first as page 1."""
    texts = [(p.number, p.text) for p in doc.pages[:pages]]
    title = str(doc.metadata.get("title") or "").strip()
    if title:
        texts.insert(0, (1, title))
    return texts


def _from_text(doc: Document, ref: Reference, pages: int) -> Attribution:
    texts = _texts(doc, pages)
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
    _place_in_ccg(ref, result, single_ccg(evidence, ref), votes)
    result.name_matches = _name_matches(ref, evidence)
    return result


def single_ccg(evidence: list[dict[str, Any]], ref: Reference | None = None) -> str | None:
    """The one CCG the title or the first pages single out (module docstring), else None."""
    title = [e for e in evidence if e["page"] == 1]
    title_ccgs = {e["code"] for e in title if e["kind"] == "ccg"}
    if title_ccgs:
        if len(title_ccgs) > 1 or any(e["kind"] == "stp" for e in title):
            return None
        code = title_ccgs.pop()
    else:
        ccg_votes: dict[str, float] = defaultdict(float)
        for e in evidence:
            if e["kind"] == "ccg":
                ccg_votes[e["code"]] += CCG_WEIGHT
        if not ccg_votes:
            return None
        code = max(sorted(ccg_votes), key=lambda c: ccg_votes[c])
        if ccg_votes[code] < CCG_MIN_VOTES or ccg_votes[code] / sum(ccg_votes.values()) < CCG_DOMINANT_SHARE - 1e-9:
            return None
    return _as_2017(ref or load_reference(), code)


def _as_2017(ref: Reference, code: str) -> str:
    if code in ref.ccgs[2017]:
        return code
    successors = {c.ccg17_code for c in ref.successors(code)}
    return successors.pop() if len(successors) == 1 else code


def _in_footprint(ref: Reference, ccg_code: str, stp_code: str | None) -> bool:
    year = 2017 if ccg_code in ref.ccgs[2017] else 2016
    return stp_code in {m.stp_code for m in ref.stp_mappings(ccg_code, year)}


def _place_in_ccg(ref: Reference, result: Attribution, ccg: str | None, votes: dict[str, float]) -> None:
    """Set the CCG and, unless a named footprint says otherwise, the footprint it lies in."""
    if ccg is None:
        return
    year = 2017 if ccg in ref.ccgs[2017] else 2016
    mappings = ref.stp_mappings(ccg, year)
    if not mappings:
        return
    named = {e["code"] for e in result.evidence if e["kind"] == "stp"}
    if result.code in named and not _in_footprint(ref, ccg, result.code):
        return  # a footprint named outright beats the CCG's footprint: the CCG is inconsistent
    result.ccg_code = ccg
    if not _in_footprint(ref, ccg, result.code):
        result.code, result.name = mappings[0].stp_code, ref.stps[mappings[0].stp_code].name
        result.score = round(100 * votes.get(result.code, 0.0) / (sum(votes.values()) or 1.0), 1)
    result.status = "accepted"


def _name_matches(ref: Reference, evidence: list[dict[str, Any]]) -> list[NameMatch]:
    """Each distinct name found, as an exact match (the text reads as that name once normalised)."""
    rows = {}
    for e in evidence:
        official = ref.stps[e["code"]].name if e["kind"] == "stp" else ref.ccg(e["code"]).name
        rows.setdefault((e["kind"], e["code"], e["text"]),
                        NameMatch(e["kind"], e["text"], e["code"], official, score=100.0, status="exact"))
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
