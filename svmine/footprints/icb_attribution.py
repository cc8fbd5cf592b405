"""Which Integrated Care Board (July 2022) does a document belong to?

A plan of 2023 names "NHS West Yorkshire Integrated Care Board", "BSW ICB" or a Sub ICB Location,
not a 2016 CCG. ``icb_from_text`` finds those names on a document's first pages and votes, as
``svmine.footprints.attribution`` does for STPs; ``icb_of_footprint`` places a document that was
attributed (or given by a manifest) to a 2016/17 STP on the ICB holding that STP's area.

Decisions:
- Names come from the era data (``organisations.csv``, ``era_variants.csv``): an ICB's name
  without "NHS" and "Integrated Care Board" (its *core*: "West Yorkshire") and the cores of its
  typed variants ("BSW", "NW London"). A core counts only with an organisation cue right after it
  (ICB, Integrated Care Board, ICS, Integrated Care System, Integrated Care Partnership,
  Health and Care Partnership): "Somerset" alone is a county, "BSW" alone three letters. Brand
  names with a word no place name has ("One Devon", "Our Healthier South East London",
  "Healthier Together BNSSG") count on their own. A form that names two ICBs counts for none.
- Sub ICB Locations are found by their official form ("NHS West Yorkshire ICB - 15F") or their
  place name with a cue after it ("Leeds Sub ICB Location", "Leeds place"), and vote for their
  ICB with a third of an ICB's weight.
- Voting as for STPs: each name once per page, page 1 and the metadata title count twice, and the
  winner is accepted with at least ``ACCEPT_SHARE`` of the votes and ``MIN_VOTES`` votes (one
  ICB name), otherwise it is ``review``. "integrated care boards" in general names nothing.
- Without an ICB name in the text, an STP attribution is carried over only when the STP lies
  wholly in one ICB: at least ``WHOLLY`` of its LSOAs (42 of the 44 STPs). The Black Country
  (89 %) and Durham, Darlington, Teesside... (86 %) stay unplaced for ICBs, with the shares as
  the reason. Codes the ICBs kept from their STPs lie 90 % or more in their own ICB.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Iterable

from svmine.footprints.eras import load_eras
from svmine.footprints.normalise import normalise, tokens

ICB_GEOGRAPHY = "icb2022"
WHOLLY = 0.9  # share of an STP's LSOAs in one ICB that makes the STP's documents that ICB's
ICB_WEIGHT = 3.0
SUB_ICB_WEIGHT = 1.0
TITLE_WEIGHT = 2.0
ACCEPT_SHARE = 0.7
MIN_VOTES = 3.0
DEFAULT_PAGES = 3

# cues after a core, as tokens after stopwords ("Health and Care Partnership" -> health care partnership)
ICB_CUES = ("icb", "icbs", "ics", "integrated care board", "integrated care system", "integrated care partnership",
            "health care partnership")
SUB_ICB_CUES = ("sub icb location", "sub icb", "place")
BRAND_WORDS = frozenset({"one", "our", "together", "healthier", "joined", "better"})


@dataclass
class IcbPlacement:
    """Where a document sits among the 42 ICBs, and why (``code`` None: not placed)."""

    code: str | None
    name: str | None
    status: str  # exact (manifest), accepted, review, no_match
    source: str  # text, stp_crosswalk, manifest
    score: float  # text: the winner's share of the votes; crosswalk: the STP's share in the ICB (0-100)
    reason: str
    evidence: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class _Name:
    kind: str  # icb or sub_icb
    code: str
    icb: str  # the ICB voted for
    name: str  # the official name


def _seq(text: str) -> tuple[str, ...]:
    return tuple(tokens(text, strip_org=False))


@functools.lru_cache(maxsize=1)
def _index() -> dict[str, list[tuple[tuple[str, ...], _Name]]]:
    """first token -> [(token sequence, name)], longest first; forms naming two places dropped."""
    eras = load_eras()
    icbs, subs = eras.geography(ICB_GEOGRAPHY), eras.geography("sub_icb2022")
    seqs: dict[tuple[str, ...], set[_Name]] = defaultdict(set)
    variants = defaultdict(list)
    for v in eras.variants:
        variants[v.geography, v.code].append(v.name)
    for code, org in icbs.items():
        name = _Name("icb", code, code, org.name)
        for form in [org.name, *variants["icb2022", code]]:
            for seq in _icb_forms(form):
                seqs[seq].add(name)
    for code, org in subs.items():
        name = _Name("sub_icb", code, org.parent_code, org.name)
        official = _seq(org.name)
        seqs[official[1:] if official[:1] == ("nhs",) else official].add(name)
        for place in variants["sub_icb2022", code]:
            for cue in SUB_ICB_CUES:
                seqs[(*normalise(place).split(), *cue.split())].add(name)
    index: dict[str, list] = defaultdict(list)
    for seq, names in seqs.items():
        icb_names = {n for n in names if n.kind == "icb"}
        chosen = icb_names or names  # "Somerset ICB" is the ICB even where a Sub ICB shares the place name
        if seq and len({n.code for n in chosen}) == 1:
            index[seq[0]].append((seq, next(iter(chosen))))
    for entries in index.values():
        entries.sort(key=lambda e: -len(e[0]))
    return dict(index)


def _icb_forms(form: str) -> list[tuple[str, ...]]:
    """The token sequences that name an ICB by ``form`` (an official name or a variant)."""
    core = tuple(normalise(form).split())
    if not core:
        return []
    out = [(*core, *cue.split()) for cue in ICB_CUES]
    whole = _seq(form)
    if len(whole) >= 2 and BRAND_WORDS.intersection(whole):
        out.append(whole)
    return out


def find_icb_names(text: str) -> list[_Name]:
    """ICB and Sub ICB Location names in ``text`` (longest match first, no overlaps)."""
    index = _index()
    words = tokens(text, strip_org=False)
    found, i = [], 0
    while i < len(words):
        for seq, name in index.get(words[i], ()):
            if tuple(words[i : i + len(seq)]) == seq:
                found.append(name)
                i += len(seq)
                break
        else:
            i += 1
    return found


def icb_from_text(texts: Iterable[tuple[int, str]]) -> IcbPlacement | None:
    """The ICB the (page number, text) pairs name, by votes; None when they name none."""
    votes: dict[str, float] = defaultdict(float)
    evidence: list[dict[str, Any]] = []
    seen: set[tuple[str, int]] = set()
    for page, text in texts:
        for hit in find_icb_names(text):
            if (hit.code, page) in seen:
                continue
            seen.add((hit.code, page))
            weight = (ICB_WEIGHT if hit.kind == "icb" else SUB_ICB_WEIGHT) * (TITLE_WEIGHT if page == 1 else 1.0)
            votes[hit.icb] += weight
            evidence.append({"kind": hit.kind, "code": hit.code, "text": hit.name, "page": page, "votes_for": hit.icb})
    if not votes:
        return None
    code = max(sorted(votes), key=lambda c: votes[c])
    share = votes[code] / sum(votes.values())
    status = "accepted" if share >= ACCEPT_SHARE and votes[code] >= MIN_VOTES else "review"
    named = sorted({e["text"] for e in evidence if e["votes_for"] == code})
    reason = f"named in the text: {'; '.join(named)} ({votes[code]:g} of {sum(votes.values()):g} votes)"
    return IcbPlacement(code, _icb_name(code), status, "text", round(100 * share, 1), reason, evidence)


def icb_of_footprint(code: str | None, status: str | None = None, source: str = "stp_crosswalk") -> IcbPlacement:
    """The ICB of a document placed on footprint ``code``: an ICB code is itself; a 2016/17 STP
    code gives the ICB holding at least ``WHOLLY`` of its LSOAs, or no ICB with the shares as the reason."""
    eras = load_eras()
    icbs, stps = eras.geography(ICB_GEOGRAPHY), eras.geography("stp2017")
    if not code or status == "no_match":
        why = "placed nowhere in review" if source == "review" else "no ICB, Sub ICB Location, STP or CCG named"
        return IcbPlacement(None, None, "no_match", source, 0.0, why)
    if code in icbs and code not in stps:
        return IcbPlacement(code, icbs[code].name, status or "exact", source, 100.0, f"ICB code {code}")
    if code not in stps:
        return IcbPlacement(None, None, "no_match", source, 0.0, f"{code} is neither a 2016/17 STP nor an ICB code")
    links = eras.links("stp2017", code, ICB_GEOGRAPHY)
    shares = ", ".join(f"{icbs[x.to_code].name} {x.share:.0%}" for x in links)
    if links[0].share >= WHOLLY:
        return IcbPlacement(links[0].to_code, icbs[links[0].to_code].name, status or "accepted", source,
                            round(100 * links[0].share, 1), f"STP {code} {stps[code].name} lies in {shares}")
    return IcbPlacement(None, None, "no_match", source, 0.0,
                        f"STP {code} {stps[code].name} is split across ICBs ({shares}): not placed on one ICB")


def _icb_name(code: str) -> str:
    return load_eras().geography(ICB_GEOGRAPHY)[code].name
