"""Plans compared across eras: each ICB of July 2022 against the 2016/17 STP plans of its area.

``compare_plans(store, old_manifest, new_manifest)`` reads the store once per era and returns a
``PlanComparison``: one ``PlanChange`` per ICB that has a plan in either era, with the verdict
then and now, counts by theme then and now, the policy facts gained and lost, and the strongest
quote of each side. Verdicts, counts and quotes are the table's own (``tables.build.row_for``,
``tables.evidence``): "yes" is an explicit social value mention that survives the context rules,
implicit sentences alone are "no (implicit only)".

Decisions:
- **Which plans belong to which era.** Only the manifests decide: the old manifest's documents
  are the 2016/17 plans, the new manifest's the ICB plans. The store's own attribution is not
  used, because one store usually holds both eras and a code such as E54000008 (Cheshire and
  Merseyside) names both the STP and the ICB, so a name read from a page cannot tell a 2016 plan
  from a 2023 one. The old manifest takes 2016/17 STP codes (or CCG codes, placed in their STP);
  the new one ICB codes of July 2022. A code of the wrong era is refused (``EraError``, exit 2).
- **Predecessors.** The STPs of 2016/17 that share LSOAs with the ICB (``Eras.links``), and
  the CCGs of old plans the manifest placed on a CCG (``ccg_code``: a CCG's plan covers the
  CCG's area, NHS Cumbria CCG's 2016 area lying 64 % in one ICB and 36 % in another), each
  with two shares: the part of the STP that lies in the ICB (``share_of_old``) and the part of
  the ICB it covers (``share_of_new``). A predecessor is *material* when it covers at least
  ``min_share`` of the ICB (default 5 %) or the ICB holds the larger part of it; only material
  predecessors' plans make the "then" side. Smaller overlaps (Glossop: 3 % of Derby and
  Derbyshire, from Greater Manchester) are listed but do not count, so a sliver of another
  area's plan never decides an ICB's verdict; and every STP's plan counts for at least one ICB.
- **A predecessor split across two ICBs** (Durham, Darlington, Teesside...: 86 % in North East
  and North Cumbria, 14 % in Humber and North Yorkshire) counts, whole, under each ICB it is
  material to, and each row shows its shares. Counts are of whole plans, never scaled by share:
  a plan's sentences cannot be apportioned to places.
- **"Then" pools the material predecessors' plans** as one table row would pool a footprint's
  documents: "yes" when any of them answers yes. Each predecessor's own verdict is kept too.
- **A side without a plan** is "no document" (the table's word) and the change says which:
  ``no new plan`` (the ICB has predecessor plans but no plan of its own in the new manifest) or
  ``no old plan`` (no material predecessor has a plan). ICBs with no plan in either era are not
  listed; the comparison counts them (``without_plans``).
- **The quote of a side** is the table's strongest evidence for a "yes"; for a "no" with
  counted implicit sentences, the strongest of those (ranked by ``evidence_rank``), so "implicit
  only" shows what was said. A "no" with nothing counted has no quote.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any

from svmine.errors import SvmineError
from svmine.footprints.manifest import Manifest
from svmine.store import Store, reporting
from svmine.tables import evidence as ev
from svmine.tables.build import PlacedDocument, Row, load_documents, row_for
from svmine.tables.footprints import Footprint, load_geography

OLD_GEOGRAPHY, NEW_GEOGRAPHY = "stp2017", "icb2022"
DEFAULT_MIN_SHARE = 0.05
# (key, label) of the themes counted then and now, in output order.
THEMES = (
    ("explicit", "explicit social value"),
    ("implicit", "implicit social value"),
    ("vcse", "VCSE"),
    ("weighting", "weighting facts"),
    ("facts", "all policy facts"),
)
GAINED, LOST, STAYED_YES, STAYED_NO = "gained", "lost", "stayed yes", "stayed no"
NO_NEW_PLAN, NO_OLD_PLAN, NOT_READ = "no new plan", "no old plan", "not read"


class EraError(SvmineError):
    """A manifest that places a plan in a footprint of the wrong era: a usage error."""

    code = "wrong_era"


@dataclass
class Predecessor:
    code: str
    name: str
    share_of_old: float  # the part of the predecessor's LSOAs that lie in this ICB
    share_of_new: float  # the part of this ICB's LSOAs that lay in the predecessor
    material: bool  # counts for "then" (see the module docstring)
    row: Row  # the predecessor's own verdict and counts from its plans
    kind: str = "STP"  # or "CCG": an old plan the manifest placed on a CCG covers that CCG

    @property
    def geography(self) -> str:
        return OLD_GEOGRAPHY if self.kind == "STP" else _ccg_geography(self.code)

    def label(self) -> str:
        """'Durham, Darlington, … (E54000045): 86% of it, 32% of this ICB'."""
        return (f"{self.name} ({self.code}): {_pct(self.share_of_old)} of it, {_pct(self.share_of_new)} of this ICB"
                + ("" if self.material else "; too small to count"))


@dataclass
class Side:
    """One era's view of one ICB: the pooled row, its VCSE verdict, quote and facts by kind."""

    row: Row
    vcse_verdict: str
    quote: ev.Evidence | None
    fact_kinds: Counter = field(default_factory=Counter)

    def count(self, theme: str) -> int:
        if theme == "weighting":
            return self.fact_kinds["weighting"]
        if theme == "facts":
            return sum(self.fact_kinds.values())
        return getattr(self.row, theme)


@dataclass
class PlanChange:
    region: str
    code: str
    name: str
    predecessors: list[Predecessor]
    then: Side
    now: Side
    change: str

    @property
    def facts_gained(self) -> list[str]:
        return [f for f in self.now.row.facts if f not in self.then.row.facts]

    @property
    def facts_lost(self) -> list[str]:
        return [f for f in self.then.row.facts if f not in self.now.row.facts]

    def counts(self) -> list[tuple[str, str, int, int]]:
        """(theme, label, then, now) for every theme."""
        return [(key, label, self.then.count(key), self.now.count(key)) for key, label in THEMES]


@dataclass
class PlanComparison:
    changes: list[PlanChange]
    old_manifest: str
    new_manifest: str
    min_share: float
    min_probability: float
    without_plans: int  # ICBs with no plan in either era (not listed)
    notes: list[str] = field(default_factory=list)

    def tally(self) -> dict[str, int]:
        """ICBs by change, in a fixed order (zeros included), then the total."""
        out = {c: 0 for c in (GAINED, LOST, STAYED_YES, STAYED_NO, NO_NEW_PLAN, NO_OLD_PLAN, NOT_READ)}
        for c in self.changes:
            out[c.change] += 1
        out["ICBs compared"] = len(self.changes)
        return out

    def regions(self) -> list[tuple[str, list[PlanChange]]]:
        groups: dict[str, list[PlanChange]] = {}
        for c in self.changes:
            groups.setdefault(c.region, []).append(c)
        return list(groups.items())


def _pct(share: float) -> str:
    return f"{share:.0%}" if share >= 0.01 or share == 0 else "<1%"


def change_of(then: str, now: str) -> str:
    """How an ICB's verdict moved: gained, lost, stayed yes/no, or which side had no plan to read."""
    if ev.NOT_READ in (then, now):
        return NOT_READ
    if now == ev.NO_DOCUMENT:
        return NO_NEW_PLAN
    if then == ev.NO_DOCUMENT:
        return NO_OLD_PLAN
    if then == now:
        return STAYED_YES if now == ev.YES else STAYED_NO
    return GAINED if now == ev.YES else LOST


def check_era(manifest: Manifest, geography: str, which: str) -> None:
    """Refuse a manifest code that is not a footprint of ``geography`` (the other era's, usually)."""
    known = {f.code for f in load_geography(geography)}
    other = {f.code: f.name for f in load_geography(NEW_GEOGRAPHY if geography == OLD_GEOGRAPHY else OLD_GEOGRAPHY)}
    bad = sorted({p.footprint_code for p in manifest.placements()} - known)
    if not bad:
        return
    era = "2016/17 STP" if geography == OLD_GEOGRAPHY else "July 2022 ICB"
    shown = "; ".join(f"{c} ({other[c]})" if c in other else c for c in bad)
    flag = "--new-manifest" if geography == OLD_GEOGRAPHY else "--old-manifest"
    raise EraError(f"{which} places plans on codes that are not {era} codes: {shown};"
                   f" plans of the other era belong in {flag}", str(manifest.path))


def _era_documents(store: Store, manifest: Manifest, min_probability: float) -> list[PlacedDocument]:
    """The documents the manifest itself places (the store's attribution does not count here)."""
    return [d for d in load_documents(store, manifest, min_probability) if d.source == "manifest"]


def _best_quote(row: Row, docs: list[PlacedDocument]) -> ev.Evidence | None:
    if row.strongest is not None:
        return row.strongest
    counted = [(m, d.name) for d in docs if d.row["status"] == "ok" for m in d.mentions
               if m["category"] == "social_value"]
    if not counted:
        return None
    best, name = max(counted, key=lambda pair: ev.evidence_rank(pair[0]))
    return ev.to_evidence(best, name)


def _side(footprint: Footprint, docs: list[PlacedDocument]) -> Side:
    # the pooled documents are moved onto this footprint's code: row_for reads whatever it is given
    placed = [replace(d, code=footprint.code) for d in docs]
    row = row_for(footprint, placed, "social_value")
    vcse = row_for(footprint, placed, "vcse").verdict
    kinds = Counter(f["kind"] for d in placed if d.row["status"] == "ok" for f in d.facts)
    return Side(row, vcse, _best_quote(row, placed), kinds)


def _ccg_geography(code: str) -> str:
    """The CCG list an old plan's CCG code is read in: April 2016's, when the STP plans were
    written (NHS Cumbria CCG's 2016 area spans two ICBs), else April 2017's (new codes of 2017)."""
    from svmine.footprints.eras import load_eras

    return "ccg2016" if code in load_eras().orgs["ccg2016"] else "ccg2017"


def _old_areas(store: Store, manifest: Manifest, docs: list[PlacedDocument]) -> dict[tuple[str, str], list[PlacedDocument]]:
    """(geography, code) -> the old plans of that area: the manifest's CCG when its row names one
    (a CCG's plan covers the CCG), else the STP. Only the manifest's own CCG counts, never one the
    store's attribution found, so an STP plan that names a CCG stays an STP plan."""
    seen = reporting.document_paths(store)
    areas: dict[tuple[str, str], list[PlacedDocument]] = {}
    for d in docs:
        placed = manifest.lookup([d.row["path"], *seen.get(d.row["sha256"], [])], d.row["sha256"])
        ccg = placed.ccg_code if placed else None
        areas.setdefault((_ccg_geography(ccg), ccg) if ccg else (OLD_GEOGRAPHY, d.code), []).append(d)
    return areas


def _predecessors(icb: str, areas: dict[tuple[str, str], list[PlacedDocument]], min_share: float) -> list[Predecessor]:
    """Every STP overlapping the ICB (with or without plans), then every CCG with a plan that does."""
    from svmine.footprints.eras import load_eras

    eras = load_eras()
    units = [(OLD_GEOGRAPHY, link.to_code) for link in eras.links(NEW_GEOGRAPHY, icb, OLD_GEOGRAPHY)]
    units += [key for key in areas if key[0] != OLD_GEOGRAPHY
              and any(link.to_code == icb for link in eras.links(*key, NEW_GEOGRAPHY))]
    out = []
    for geography, code in units:
        of_new = next(x.share for x in eras.links(NEW_GEOGRAPHY, icb, geography) if x.to_code == code)
        of_old = next(x.share for x in eras.links(geography, code, NEW_GEOGRAPHY) if x.to_code == icb)
        org = eras.org(geography, code)
        row = row_for(Footprint(code, org.name, ""), areas.get((geography, code), []), "social_value")
        out.append(Predecessor(code, org.name, of_old, of_new, of_new >= min_share or of_old > 0.5, row,
                               "STP" if geography == OLD_GEOGRAPHY else "CCG"))
    return out


def compare_plans(store: Store, old_manifest: Manifest, new_manifest: Manifest, *,
                  min_share: float = DEFAULT_MIN_SHARE,
                  min_probability: float = ev.DEFAULT_MIN_PROBABILITY) -> PlanComparison:
    """Every ICB with a plan in either era, its predecessors' plans against its own."""
    if not 0 < min_share <= 1:
        raise SvmineError(f"--min-share must be above 0 and at most 1 (got {min_share:g})")
    check_era(old_manifest, OLD_GEOGRAPHY, "the old manifest")
    check_era(new_manifest, NEW_GEOGRAPHY, "the new manifest")
    old, new = (_era_documents(store, m, min_probability) for m in (old_manifest, new_manifest))
    areas = _old_areas(store, old_manifest, old)
    by_new: dict[str, list[PlacedDocument]] = {}
    for d in new:
        by_new.setdefault(d.code, []).append(d)
    changes, without = [], 0
    for icb in load_geography(NEW_GEOGRAPHY):
        preds = _predecessors(icb.code, areas, min_share)
        then_docs = [d for p in preds if p.material for d in areas.get((p.geography, p.code), [])]
        if not then_docs and not by_new.get(icb.code):
            without += 1
            continue
        then, now = _side(icb, then_docs), _side(icb, by_new.get(icb.code, []))
        changes.append(PlanChange(icb.region, icb.code, icb.name, preds, then, now,
                                  change_of(then.row.verdict, now.row.verdict)))
    comparison = PlanComparison(changes, str(old_manifest.path), str(new_manifest.path), min_share,
                                min_probability, without)
    comparison.notes = _notes(old, new)
    return comparison


def _notes(old: list[PlacedDocument], new: list[PlacedDocument]) -> list[str]:
    notes = []
    both = sorted({d.name for d in old} & {d.name for d in new})
    if both:
        notes.append(f"{len(both)} document(s) are placed by both manifests and count in both eras: {', '.join(both)}")
    for era, docs in (("old", old), ("new", new)):
        failed = [d.name for d in docs if d.row["status"] != "ok"]
        if failed:
            notes.append(f"{len(failed)} {era} document(s) could not be read: {', '.join(failed)}")
    return notes


def change_dict(c: PlanChange) -> dict[str, Any]:
    """One ICB's comparison as JSON-able values."""
    def side(s: Side) -> dict[str, Any]:
        return {"verdict": s.row.verdict, "implicit_only": s.row.implicit_only, "review": s.row.review,
                "review_reasons": s.row.review_reasons, "vcse_verdict": s.vcse_verdict,
                "documents": s.row.documents, "failed": s.row.failed,
                "counts": {key: s.count(key) for key, _ in THEMES}, "facts": s.row.facts,
                "quote": s.quote.to_dict() if s.quote else None}

    return {
        "region": c.region, "code": c.code, "name": c.name, "change": c.change,
        "predecessors": [{"code": p.code, "name": p.name, "kind": p.kind, "share_of_old": round(p.share_of_old, 4),
                          "share_of_new": round(p.share_of_new, 4), "material": p.material,
                          "verdict": p.row.verdict, "documents": p.row.documents} for p in c.predecessors],
        "then": side(c.then), "now": side(c.now),
        "facts_gained": c.facts_gained, "facts_lost": c.facts_lost,
    }
