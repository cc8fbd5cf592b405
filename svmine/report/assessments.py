"""The report's "Commissioner assessment" section: what the 2017 report printed about its ratings
(counts and shares per scale, the commitment x evidence x approach matrix, the top group by region)
and a table of every organisation with the evidence behind its ratings.

Design decisions
- Ratings are read through ``load_assessments``, so an auditor's override is what the report
  shows, marked with the auditor's name; the figures count the overridden ratings too.
- No assessments stored: no section at all (``assessment_section`` returns None), so a store that
  was never assessed gives the same report as before.
- One quote per signal kind per organisation: the strongest, i.e. the one with the largest
  extracted value (a 10 % weighting before a 2 % one, 12 contracts before 3); signals without a
  value rank below those with one, and ties keep the engine's order (its first is its best).
"""

from __future__ import annotations

import re
from pathlib import PurePath

from svmine.assess.model import APPROACH, COMMITMENT, EVIDENCE, SCALES, TOP_GROUP, Assessment, Signal
from svmine.assess.summary import matrix, scale_counts, top_group_by_region
from svmine.store.assessments import load_assessments

KINDS = ("policy", "evidence", "approach", "negative")
QUOTE_CHARS = 220
_SPACE = re.compile(r"\s+")
_TOP = tuple(TOP_GROUP[s] for s in (COMMITMENT, EVIDENCE, APPROACH))


def assessment_section(store) -> dict | None:
    """The section's values, or None when the store holds no assessment."""
    found = load_assessments(store)
    if not found:
        return None
    top = [a for a in found if a.top_group]
    return {
        "total": len(found),
        "scales": [(scale, rows) for scale, rows in scale_counts(found).items()],
        "matrix": _matrix_rows(found),
        "approaches": SCALES[APPROACH],
        "top_label": ", ".join(_TOP),
        "top": len(top),
        "top_share": len(top) / len(found),
        "regions": [{"region": region or "region unknown", "top": n_top, "assessed": n,
                     "share": n_top / n, "of_top": n_top / len(top) if top else 0.0}
                    for region, n_top, n in top_group_by_region(found)],
        "organisations": [_organisation(a) for a in sorted(found, key=lambda a: (a.region or "~", a.org_name))],
        "to_review": sum(a.needs_review for a in found),
        "overridden": sum(bool(a.overridden) for a in found),
        "kinds": KINDS,
    }


def _matrix_rows(found: list[Assessment]) -> list[dict]:
    """One row per (commitment, evidence) pair, one cell per approach, with the row's total; the
    first row of each commitment spans its evidence rows (``span``)."""
    rows: dict[tuple[str, str], dict] = {}
    for cell in matrix(found):
        first = not any(c == cell.commitment for c, _ in rows)  # its first row carries the rowspan
        row = rows.setdefault((cell.commitment, cell.evidence), {
            "commitment": cell.commitment, "evidence": cell.evidence, "cells": [], "count": 0, "share": 0.0,
            "span": len(SCALES[EVIDENCE]) if first else 0})
        row["cells"].append({"approach": cell.approach, "count": cell.count, "share": cell.share,
                             "top": (cell.commitment, cell.evidence, cell.approach) == _TOP})
        row["count"] += cell.count
        row["share"] += cell.share
    return list(rows.values())


def _organisation(a: Assessment) -> dict:
    return {
        "code": a.org_code, "name": a.org_name, "region": a.region, "type": a.org_type,
        "ratings": [(scale, getattr(a, scale), a.overridden.get(scale)) for scale in SCALES],
        "confidence": a.confidence, "needs_review": a.needs_review, "top": a.top_group,
        "quotes": {kind: _quote(s) for kind, s in strongest_signals(a.signals).items()},
    }


def strongest_signals(signals: list[Signal]) -> dict[str, Signal]:
    """kind -> the strongest signal of that kind (see the module docstring)."""
    best: dict[str, Signal] = {}
    for s in signals:
        held = best.get(s.kind)
        if held is None or (s.value is not None and (held.value is None or s.value > held.value)):
            best[s.kind] = s
    return best


def _quote(s: Signal) -> dict:
    text = _SPACE.sub(" ", s.quote).strip()
    if len(text) > QUOTE_CHARS:
        cut = text.rfind(" ", 0, QUOTE_CHARS)
        text = text[: cut if cut > 0 else QUOTE_CHARS] + "…"
    name = PurePath(s.document.replace("\\", "/")).name or s.document
    return {"text": text, "document": name, "path": s.document, "page": s.page, "rule": s.rule_id,
            "value": None if s.value is None else f"{s.value:g}"}
