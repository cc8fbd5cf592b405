"""Build the Appendix-3-style table from a store: one row per footprint, CCG or document.

Where a document belongs: a manifest given to the command wins (source ``manifest``); otherwise
the store's own attribution (``documents.footprint_code``, source as recorded, usually
``attribution``). Documents no footprint claims are listed in the table's notes, never dropped.
What counts and what answers "yes" is decided in ``svmine.tables.evidence``.

Totals: every row has exactly one verdict (yes, no, no document, not read), so the verdict counts
of ``Table.summary`` add up to the number of rows; "to review" and "implicit only" are marks on
rows, counted beside the verdicts, never as verdicts of their own.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Sequence

from svmine.store import Store, reporting
from svmine.tables import evidence as ev
from svmine.tables.footprints import region_order, Ccg, Footprint, load_footprints
from svmine.tables.names import short_names
from svmine.footprints.manifest import Manifest

from svmine.model import CATEGORIES

LEVELS = ("footprint", "ccg", "document")
NOT_ATTRIBUTED = "Not attributed"


@dataclass
class Row:
    region: str
    code: str
    name: str
    verdict: str
    documents: int = 0
    failed: int = 0
    source: str = ""
    explicit: int = 0
    implicit: int = 0
    vcse: int = 0
    implicit_only: int = 0  # a "no" whose only social value evidence is implicit: that many sentences
    set_aside: int = 0  # a "no" with mentions set aside as hypothetical or reference
    facts: list[str] = field(default_factory=list)
    first: ev.Evidence | None = None
    strongest: ev.Evidence | None = None
    review: bool = False
    review_reasons: list[str] = field(default_factory=list)
    footprint_code: str | None = None  # ccg and document levels: the footprint the row sits in
    footprint_name: str | None = None
    reference: str | None = None  # --compare: the reference verdict
    path: str | None = None  # document level: the stored path (``name`` is the short form)

    def to_dict(self) -> dict[str, Any]:
        data = dict(self.__dict__)
        data["first"] = self.first.to_dict() if self.first else None
        data["strongest"] = self.strongest.to_dict() if self.strongest else None
        return data


@dataclass
class Table:
    category: str
    level: str
    rows: list[Row]
    attribution: str  # where document -> footprint came from, in words
    min_probability: float
    notes: list[str] = field(default_factory=list)
    comparison: Any = None  # svmine.tables.compare.Comparison
    region_order: tuple[str, ...] = field(default_factory=region_order)  # the footprints' own order (2022 regions for ICBs)

    def regions(self) -> list[tuple[str, list[Row]]]:
        """Rows grouped by region, in the report's region order (then anything else)."""
        groups: dict[str, list[Row]] = defaultdict(list)
        for row in self.rows:
            groups[row.region].append(row)
        order = [r for r in self.region_order if r in groups] + [r for r in groups if r not in self.region_order]
        return [(r, groups[r]) for r in order]

    def summary(self) -> dict[str, int]:
        """Rows by verdict (these add up to ``rows``), then the marks counted beside them."""
        out = {"rows": len(self.rows), **{v: 0 for v in ev.VERDICTS}}
        for row in self.rows:
            out[row.verdict] += 1
        out["yes to review"] = sum(r.verdict == ev.YES and r.review for r in self.rows)
        out["no, implicit only"] = sum(r.verdict == ev.NO and r.implicit_only > 0 for r in self.rows)
        out["review"] = sum(r.review for r in self.rows)
        return out

    def total_line(self) -> str:
        """'7 footprints: yes 3 (1 to review) + no 2 (1 implicit only) + no document 1 + not read 1'."""
        s = self.summary()
        unit = {"footprint": "footprint", "ccg": "CCG", "document": "document"}[self.level]
        unit += "" if s["rows"] == 1 else "s"
        parts = []
        for v in ev.VERDICTS:
            extra = ""
            if v == ev.YES and s["yes to review"]:
                extra = f" ({s['yes to review']} to review)"
            if v == ev.NO and s["no, implicit only"]:
                extra = f" ({s['no, implicit only']} implicit only)"
            parts.append(f"{v} {s[v]}{extra}")
        return f"{s['rows']} {unit}: " + " + ".join(parts)


def format_fact(fact: dict[str, Any]) -> str:
    """'weighting 10%', 'pass/fail', 'threshold £100000' ..."""
    kind = fact["kind"].replace("pass_fail", "pass/fail")
    value, unit = fact.get("value"), (fact.get("unit") or "").lower()
    if value is None:
        return kind
    number = f"{value:g}"
    if unit in ("percent", "%"):
        return f"{kind} {number}%"
    if unit in ("gbp", "pounds", "£"):
        return f"{kind} £{number}"
    return f"{kind} {number} {unit}".rstrip()


@dataclass
class PlacedDocument:
    """A stored document, where it was placed, and its counted mentions and facts.

    ``all_mentions`` holds every mention (counted or not, with the auditors' review applied):
    the report lists them all, from the same load as the table."""

    row: dict[str, Any]
    code: str | None
    ccg: str | None
    source: str
    mentions: list[dict[str, Any]]
    facts: list[dict[str, Any]]
    name: str = ""  # the path as shown: file name or shortest unique suffix
    all_mentions: list[dict[str, Any]] = field(default_factory=list)
    status: str | None = None  # the placement's status when it is not the row's footprint_status (ICBs)
    reason: str = ""  # why a document placed on an STP is on no ICB (a split STP)


def _on_icb(d: dict[str, Any], code: str | None, source: str) -> tuple[str | None, str, str, str]:
    """(ICB code, source, status, reason) of a stored document placed on ``code`` by ``source``.

    A manifest row or an auditor's placement decides, carried to ICBs by the crosswalk when it
    names an STP; otherwise the attribution's own ICB placement (names of the ICB era in the text,
    else its STP by the crosswalk). Rows stored before ICB placements existed get the crosswalk."""
    from svmine.footprints.icb_attribution import icb_of_footprint

    if source in ("manifest", "review") or d.get("icb_source") is None:
        status = "exact" if source == "manifest" else d["footprint_status"]
        icb = icb_of_footprint(code, status, source if source in ("manifest", "review") else "stp_crosswalk")
        return icb.code, icb.source, icb.status, icb.reason
    return d["icb_code"], d["icb_source"], d["icb_status"] or "", d["icb_reason"] or ""


def load_documents(store: Store, manifest: Manifest | None, min_probability: float,
                   geography: str = "stp2017") -> list[PlacedDocument]:
    """Every stored document with its placement (on a 2016/17 STP, or with ``geography``
    ``icb2022`` on an ICB of July 2022: ``_on_icb``), counted mentions and facts."""
    rejected = reporting.rejected_mention_keys(store)
    settled = reporting.settled_mention_labels(store)
    every: dict[int, list] = defaultdict(list)
    for m in reporting.mentions(store):
        key = (m["sha256"], m["page"], m["start"], m["end"], m["category"])
        m["rejected"] = key in rejected
        ev.apply_review(m, settled.get(key))
        every[m["document_id"]].append(m)
    facts: dict[int, list] = defaultdict(list)
    for f in reporting.facts(store):
        facts[f["document_id"]].append(f)
    seen = reporting.document_paths(store)
    stored = reporting.documents(store)
    names = short_names(d["path"] for d in stored)
    docs = []
    for d in stored:
        code, ccg, source = d["footprint_code"], d["ccg_code"], d["footprint_source"] or ""
        placed = manifest.lookup([d["path"], *seen.get(d["sha256"], [])], d["sha256"]) if manifest else None
        if placed is not None:
            # the store's CCG stays only while the manifest keeps the document in its footprint
            kept = ccg if placed.footprint_code == code else None
            code, ccg, source = placed.footprint_code, placed.ccg_code or kept, "manifest"
        if d["footprint_status"] == "no_match" and source != "manifest":
            code = None
        status, reason = None, ""
        if geography == "icb2022":
            stp, (code, source, status, reason) = code, _on_icb(d, code, source)
            reason = reason if stp and not code else ""  # only an STP that did not carry over needs saying why
            ccg = None  # CCGs are 2016/17 organisations: not a level of the ICB table
        counted = [m for m in every[d["id"]] if ev.counts(m, min_probability)]
        docs.append(PlacedDocument(d, code, ccg, source if code else "", counted, facts[d["id"]],
                                   names[d["path"]], every[d["id"]], status, reason))
    return docs


def _fill(row: Row, docs: list[PlacedDocument], category: str) -> Row:
    """Counts, evidence, facts and verdict of one row from its documents."""
    ok = [d for d in docs if d.row["status"] == "ok"]
    row.documents, row.failed = len(ok), len(docs) - len(ok)
    row.source = "+".join(sorted({d.source for d in docs if d.source}))
    mentions = [m for d in ok for m in d.mentions]
    sv = [m for m in mentions if m["category"] == "social_value"]
    row.explicit = sum(m["kind"] == "explicit" for m in sv)
    row.implicit = sum(m["kind"] != "explicit" for m in sv)
    row.vcse = sum(m["category"] == "vcse" for m in mentions)
    row.facts = list(dict.fromkeys(format_fact(f) for d in ok for f in d.facts))
    chosen = [m for m in mentions if m["category"] == category]
    decision = ev.decide(row.documents, row.failed, chosen, category)
    row.verdict, row.implicit_only, row.set_aside = decision.verdict, decision.implicit_only, decision.set_aside
    row.review_reasons.extend(decision.review_reasons)
    if decision.support:
        names = {d.row["path"]: d.name for d in docs}
        row.first = ev.to_evidence(decision.support[0], names.get(decision.support[0]["document"], ""))
        best = max(decision.support, key=lambda m: ev.evidence_rank(m, category))
        row.strongest = ev.to_evidence(best, names.get(best["document"], ""))
    if row.failed and row.verdict == ev.NO:
        row.review_reasons.append(f"{row.failed} document(s) not read")
    if any((d.status or d.row["footprint_status"]) == "review" and d.source != "manifest" for d in docs):
        row.review_reasons.append("footprint attribution uncertain")
    row.review = bool(row.review_reasons)
    return row


def row_for(footprint: Footprint, docs: list[PlacedDocument], category: str = "social_value") -> Row:
    """One footprint's row from the documents given (whatever placed them): the table's own
    counts, verdict and evidence, for callers that pool documents themselves (``compare_plans``)."""
    return _fill(Row(footprint.region, footprint.code, footprint.name, ""), docs, category)


def _footprint_rows(docs: list[PlacedDocument], stps: Sequence[Footprint], category: str) -> list[Row]:
    by_code: dict[str, list[PlacedDocument]] = defaultdict(list)
    for d in docs:
        by_code[d.code].append(d)
    return [_fill(Row(f.region, f.code, f.name, ""), by_code.get(f.code, []), category) for f in stps]


def _ccg_rows(docs: list[PlacedDocument], stps: Sequence[Footprint], ccgs: Sequence[Ccg], category: str) -> list[Row]:
    by_ccg: dict[str, list[PlacedDocument]] = defaultdict(list)
    for d in docs:
        if d.ccg:
            by_ccg[d.ccg].append(d)
    known = {c.code for c in ccgs}
    rows = []
    for f in stps:
        members = [c for c in ccgs if c.footprint_code == f.code]
        extra = sorted({d.ccg for d in docs if d.ccg and d.ccg not in known and d.code == f.code})
        if not any(by_ccg.get(c.code) for c in members) and not extra:
            continue
        for c in members + [Ccg(code, "(CCG not in reference)", f.code) for code in extra]:
            row = Row(f.region, c.code, c.name, "", footprint_code=f.code, footprint_name=f.name)
            rows.append(_fill(row, by_ccg.get(c.code, []), category))
    return rows


def document_rows(docs: list[PlacedDocument], stps: Sequence[Footprint], category: str) -> list[Row]:
    names = {f.code: f for f in stps}
    rows = []
    for d in docs:
        fp = names.get(d.code)
        region = fp.region if fp else NOT_ATTRIBUTED
        row = Row(region, d.row["sha256"][:12], d.name or d.row["path"], "", footprint_code=d.code,
                  footprint_name=fp.name if fp else None, path=d.row["path"])
        rows.append(_fill(row, [d], category))
    rank = {r: i for i, r in enumerate(region_order())}
    rows.sort(key=lambda r: (rank.get(r.region, len(rank)), r.footprint_name or "", r.name))
    return rows


def build_table(
    store: Store,
    *,
    category: str = "social_value",
    level: str = "footprint",
    manifest: Manifest | None = None,
    min_probability: float = ev.DEFAULT_MIN_PROBABILITY,
    footprints: Sequence[Footprint] | None = None,
    ccgs: Sequence[Ccg] | None = None,
    only: Sequence[str] | None = None,
    documents: list[PlacedDocument] | None = None,
    geography: str = "stp2017",
) -> Table:
    """The table for one category and level from the store behind ``store``.

    ``only``: footprint codes to keep (``--region``/``--footprint``); at CCG and document level the
    rows of documents placed in those footprints. Documents placed nowhere are then left out too.
    ``documents``: what ``load_documents`` returned for the same manifest and threshold, when the
    caller (the report) already loaded them. ``geography``: ``icb2022`` places documents on ICBs
    (``load_documents``); ``footprints`` should then be the ICBs (``load_geography``).
    """
    if category not in CATEGORIES:
        raise ValueError(f"unknown category {category!r} (choose from {', '.join(CATEGORIES)})")
    if level not in LEVELS:
        raise ValueError(f"unknown level {level!r} (choose from {', '.join(LEVELS)})")
    if footprints is None or (level == "ccg" and ccgs is None):
        ref_stps, ref_ccgs = load_footprints()
        footprints = ref_stps if footprints is None else footprints
        ccgs = ref_ccgs if ccgs is None else ccgs
    docs = documents if documents is not None else load_documents(store, manifest, min_probability, geography)
    shown = list(footprints)
    if only is not None:
        keep = set(only)
        shown = [f for f in footprints if f.code in keep]
        docs = [d for d in docs if d.code in keep]
    if level == "footprint":
        rows = _footprint_rows(docs, shown, category)
    elif level == "ccg":
        rows = _ccg_rows(docs, shown, ccgs or [], category)
    else:
        rows = document_rows(docs, shown, category)
    attribution = f"manifest {manifest.path}, else the store's attribution" if manifest else "the store's attribution"
    table = Table(category, level, rows, attribution, min_probability,
                  region_order=tuple(dict.fromkeys(f.region for f in footprints)) or region_order())
    table.notes = _notes(docs, shown, level, rows)
    if manifest:
        known = {f.code for f in footprints}
        if geography == "icb2022":  # an STP code in the manifest reaches its ICB by the crosswalk
            known |= {f.code for f in load_footprints()[0]}
        unknown = sorted({p.footprint_code for p in manifest.placements()} - known - {None})
        if unknown:
            table.notes.append(f"the manifest names unknown footprint code(s): {', '.join(unknown)}")
    return table


def _notes(docs: list[PlacedDocument], stps: Sequence[Footprint], level: str, rows: list[Row]) -> list[str]:
    codes = {f.code for f in stps}
    notes = []
    loose = [(d.name or d.row["path"]) + (f" ({d.reason})" if d.reason else "") for d in docs if d.code not in codes]
    if loose and level != "document":
        notes.append(f"{len(loose)} document(s) not placed in any footprint: " + ", ".join(loose))
    if level == "ccg":
        shown = {r.footprint_code for r in rows}
        notes.append(f"{len(codes - shown)} footprint(s) have no CCG-level documents and are not listed")
    return notes
