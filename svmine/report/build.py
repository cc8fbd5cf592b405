"""Everything the report template shows, gathered from the store as plain values."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from svmine import __version__
from svmine.outputs import truncate
from svmine.report.assessments import assessment_section
from svmine.report.svg import BOUNDARY_LABELS, boundaries, london_inset, map_shapes, stacked_bars
from svmine.store import reporting
from svmine.tables import evidence as ev
from svmine.tables.build import Table, PlacedDocument, document_rows, build_table, format_fact, load_documents
from svmine.tables.footprints import load_footprints, load_geography, region_order

VERDICTS = [  # (verdict key, legend label, css class)
    ("yes", "yes", "v-yes"),
    ("review", "yes, to review", "v-review"),
    ("implicit", "no, implicit only", "v-implicit"),
    ("no", "no", "v-no"),
    ("not read", "documents not read", "v-failed"),
    ("no document", "no document", "v-none"),
]
CSS = {key: css for key, _, css in VERDICTS}
MAX_MENTIONS_SHOWN = 200  # per document: keeps a big corpus's report loadable; the rest: `svmine mentions`


def verdict_key(row) -> str:
    """The colour a row gets: a verdict, or one of the two marks the table shows beside it."""
    if row.verdict == "yes" and row.review:
        return "review"
    if row.verdict == "no" and row.implicit_only:
        return "implicit"
    return row.verdict


def _why_not_counted(m: dict[str, Any], min_probability: float) -> str:
    excluded = sorted(ev.EXCLUDING_FLAGS.intersection(m["flags"]))
    if excluded:
        return ", ".join(excluded)
    if m.get("rejected"):
        return "rejected in review"
    return f"probability below {min_probability:g}"


_SPACE = re.compile(r"\s+")


def _clip(text: str, lead: bool, limit: int = 150) -> str:
    """A context window on one line, at most ``limit`` characters of it, cut at a word."""
    return truncate(_SPACE.sub(" ", text), limit + 1, at_word=True, drop_start=lead)


def _mention_view(m: dict[str, Any], window: tuple[str, str, str] | None, min_probability: float) -> dict:
    before, match, after = window or ("", m["text"], "")
    counted = ev.counts(m, min_probability)
    return {
        "page": m["page"],
        "category": "social value" if m["category"] == "social_value" else "VCSE",
        "kind": m["kind"],
        "source": m["source"],
        "probability": None if m["probability"] is None else f"{m['probability']:.2f}",
        "flags": [f for f in m["flags"] if f not in ev.NEUTRAL_FLAGS],
        "neutral_flags": [f for f in m["flags"] if f in ev.NEUTRAL_FLAGS],
        "counted": counted,
        "strong": counted and ev.is_strong(m),
        "why": "" if counted else _why_not_counted(m, min_probability),
        "before": _clip(before, lead=True),
        "match": _SPACE.sub(" ", match),
        "after": _clip(after, lead=False),
    }


def _document_view(store, d: PlacedDocument, everything: list[dict], footprint: str | None, min_probability: float,
                   decided=None) -> dict:
    row = d.row
    mentions = everything[:MAX_MENTIONS_SHOWN]
    windows = reporting.page_windows(store, row["id"], [(m["page"], m["start"], m["end"]) for m in mentions])
    return {
        "id": f"doc-{row['sha256'][:12]}",
        "path": row["path"],
        "name": d.name or row["path"],
        "verdict": decided.verdict if decided else None,
        "verdict_key": verdict_key(decided) if decided else None,
        "implicit_only": decided.implicit_only if decided else 0,
        "review_reasons": decided.review_reasons if decided else [],
        "title": row["title"],
        "format": row["format"] or "?",
        "pages": row["page_count"],
        "status": row["status"],
        "error": row["error_message"] or row["error_code"],
        "footprint": footprint,
        "footprint_code": d.code,
        "placed_by": d.source,
        "mentions": [_mention_view(m, windows.get((m["page"], m["start"], m["end"])), min_probability)
                     for m in mentions],
        "facts": [dict(f, label=format_fact(f)) for f in d.facts],
        "counted": len(d.mentions),
        "total": len(everything),
        "hidden": len(everything) - len(mentions),
    }


def _documents(store, table: Table, placed: list[PlacedDocument], min_probability: float,
               footprints=None) -> list[dict]:
    """Every document with all its mentions (counted or not), in the table's footprint order."""
    names = {r.code: r.name for r in table.rows}
    # each document's own answer, by the same rules as the table (``document_rows``)
    stps = footprints if footprints is not None else load_footprints()[0]
    decided = {r.code: r for r in document_rows(placed, stps, "social_value")}
    out = [_document_view(store, d, d.all_mentions, names.get(d.code), min_probability,
                          decided.get(d.row["sha256"][:12])) for d in placed]
    rank = {code: i for i, code in enumerate(r.code for r in table.rows)}
    out.sort(key=lambda d: (rank.get(d["footprint_code"], len(rank)), d["path"]))
    return out


def _charts(table: Table) -> dict:
    regions = table.regions()
    verdict_rows = []
    for region, rows in regions:
        tally = Counter(verdict_key(r) for r in rows)
        verdict_rows.append((region, [(label, tally[key], css) for key, label, css in VERDICTS]))
    mention_rows = [
        (region, [("explicit social value", sum(r.explicit for r in rows), "m-explicit"),
                  ("implicit social value", sum(r.implicit for r in rows), "m-implicit"),
                  ("VCSE", sum(r.vcse for r in rows), "m-vcse")])
        for region, rows in regions
    ]
    verdict_bars, width, height = stacked_bars(verdict_rows)
    mention_bars, m_width, m_height = stacked_bars(mention_rows)
    return {
        "verdicts": {"rows": verdict_bars, "width": width, "height": height},
        "mentions": {"rows": mention_bars, "width": m_width, "height": m_height},
    }


def _map(table: Table, geography: str = "stp2017") -> dict:
    rows = {r.code: r for r in table.rows}
    shapes, width, height = map_shapes(geography=geography)
    items = []
    for s in shapes:
        row = rows.get(s.code)
        key = verdict_key(row) if row else "no document"
        label = dict((k, lbl) for k, lbl, _ in VERDICTS)[key]
        items.append({"code": s.code, "name": row.name if row else s.name, "d": s.d, "css": CSS[key], "label": label})
    inset_shapes, inset_w, inset_h = london_inset(geography=geography)
    by_code = {i["code"]: i for i in items}
    inset = {
        "x": width - inset_w - 4, "y": 4, "width": inset_w, "height": inset_h,
        "shapes": [dict(by_code[s.code], d=s.d) for s in inset_shapes],
    }
    data = boundaries(geography)
    return {"shapes": items, "width": width, "height": height, "inset": inset, "credit": data["credit"],
            "label": BOUNDARY_LABELS[geography], "source": data["source"]}


def _compare(table: Table, compare_with: str) -> None:
    """Set a reference verdict beside each row ('appendix3': the 2017 report's Appendix 3)."""
    from pathlib import Path

    from svmine.tables.compare import appendix3_path, compare, load_reference_verdicts

    if compare_with == "appendix3":
        compare(table, load_reference_verdicts(appendix3_path()), "Appendix 3 (2017)")
    else:
        compare(table, load_reference_verdicts(compare_with), Path(compare_with).name)


def report_context(store, *, manifest=None, min_probability: float = ev.DEFAULT_MIN_PROBABILITY,
                   title: str = "Social value in NHS plans", database: str = "", generated: str = "",
                   footprints=None, compare_with: str | None = None, geography: str = "stp2017") -> dict:
    """The template's values. The summary's footprint counts are ``Table.summary()`` — the same
    numbers ``svmine table`` prints — so the two never disagree. No comparison unless asked:
    Appendix 3 judged the 44 STP plans of 2016, not whatever corpus a store holds.

    ``geography``: ``stp2017`` (the 44 STPs of 2016/17) or ``icb2022`` (the 42 ICBs of July 2022,
    documents placed as ``svmine table --geography icb2022`` places them, and the ICB map)."""
    if geography != "stp2017" and compare_with == "appendix3":
        from svmine.errors import SvmineError

        raise SvmineError(f"--geography {geography}: --compare appendix3 is for the 2017 footprints (stp2017) only")
    if footprints is None:
        footprints = load_geography(geography)
    placed = load_documents(store, manifest, min_probability, geography)  # once: the table and the document list share it
    table = build_table(store, manifest=manifest, min_probability=min_probability, footprints=footprints,
                        documents=placed, geography=geography)
    if compare_with:
        _compare(table, compare_with)
    docs = _documents(store, table, placed, min_probability, footprints)
    s = table.summary()
    figures = [  # (group, [(key, number, label)])
        ("Footprints: does a plan mention social value?", [
            ("rows", s["rows"], "footprints"),
            ("yes", s["yes"], "yes: social value named"),
            ("yes to review", s["yes to review"], "of these yes: to review"),
            ("no", s["no"], "no"),
            ("no, implicit only", s["no, implicit only"], "of these no: implicit only"),
            ("no document", s["no document"], "no document"),
            ("not read", s["not read"], "not read (all its documents failed)"),
        ]),
        ("Documents and mentions", [
            ("documents read", sum(d["status"] == "ok" for d in docs), "documents read"),
            ("documents failed", sum(d["status"] != "ok" for d in docs), "documents that could not be read"),
            ("documents yes", sum(d["verdict"] == "yes" for d in docs), "documents that name social value"),
            ("documents implicit only", sum(d["verdict_key"] == "implicit" for d in docs),
             "documents with implicit sentences only"),
            ("explicit", sum(r.explicit for r in table.rows), "explicit social value mentions"),
            ("implicit", sum(r.implicit for r in table.rows), "implicit social value sentences"),
            ("vcse", sum(r.vcse for r in table.rows), "VCSE mentions"),
        ]),
    ]
    return {
        "title": title,
        "database": database,
        "generated": generated,
        "version": __version__,
        "table": table,
        "regions": table.regions(),
        "region_order": region_order(),
        "verdict_key": verdict_key,
        "css": CSS,
        "legend": VERDICTS,
        "figures": figures,
        "total_line": table.total_line(),
        "summary": s,
        "comparison": table.comparison,
        "map": _map(table, geography),
        "geography": geography,
        "charts": _charts(table),
        "documents": docs,
        "high_confidence": ev.HIGH_CONFIDENCE,
        "min_probability": min_probability,
        "assessments": assessment_section(store),
    }
