"""``svmine compare-plans`` output: one call from store file to comparison, and its renderers
(terminal text, CSV, JSON; the HTML page is ``svmine.report.compare``).

Every text renderer works from ``records`` or ``change_dict``, so the formats never disagree.
"""

from __future__ import annotations

import io
import json
import textwrap
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from svmine.errors import SvmineError
from svmine.footprints.manifest import Manifest, load_manifest
from svmine.outputs import SafeDictWriter, truncate, write_text
from svmine.tables import evidence as ev
from svmine.tables.build import Row
from svmine.tables.compare_plans import (
    DEFAULT_MIN_SHARE, THEMES, PlanChange, PlanComparison, Side, change_dict, compare_plans,
)

FORMATS = ("table", "csv", "json", "html")
WIDTH = 110
THEME_HEADERS = {"explicit": "Expl", "implicit": "Impl", "vcse": "VCSE", "weighting": "Wght", "facts": "Facts"}


def make_comparison(db: str | Path, old_manifest: str | Path | Manifest, new_manifest: str | Path | Manifest, *,
                    min_share: float = DEFAULT_MIN_SHARE,
                    min_probability: float = ev.DEFAULT_MIN_PROBABILITY) -> PlanComparison:
    """Open the store at ``db`` read-only and compare the two manifests' plans."""
    from svmine.store import Store

    with Store.open(db, mode="ro") as store:
        old, new = (m if isinstance(m, Manifest) else load_manifest(m) for m in (old_manifest, new_manifest))
        return compare_plans(store, old, new, min_share=min_share, min_probability=min_probability)


def write_comparison(comparison: PlanComparison, fmt: str = "table", out: str | Path | None = None,
                     inputs: Iterable[str | Path | None] = ()) -> str | None:
    """Render; write to ``out`` atomically if given (never over an input), else return the text."""
    if fmt == "html":
        from svmine.report.compare import render_comparison_html

        if out is None:
            raise SvmineError("--format html needs --out FILE.html")
        text = render_comparison_html(comparison)
    elif fmt in RENDERERS:
        text = RENDERERS[fmt](comparison)
    else:
        raise SvmineError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")
    if out is None:
        return text
    write_text(out, text, inputs)
    return None


def verdict_text(side: Side | Row) -> str:
    """The table's verdict cell: "yes (review)", "no (implicit only)", or the verdict alone."""
    from svmine.tables.render import verdict_cell

    return verdict_cell(side.row if isinstance(side, Side) else side)


def quote_text(quote: ev.Evidence | None) -> str:
    """The quote as the table shows it, marked "implicit:" when it is not an explicit mention."""
    if quote is None:
        return ""
    return ("implicit: " if quote.kind != "explicit" else "") + quote.label()


def predecessors_text(change: PlanChange) -> str:
    return "; ".join(f"{p.label()}: {verdict_text(p.row)}" for p in change.predecessors)


COLUMNS = (
    "region", "icb_code", "icb_name", "change", "verdict_then", "verdict_now", "vcse_verdict_then",
    "vcse_verdict_now", "plans_then", "plans_now", "predecessors",
    *(f"{key}_{when}" for key, _ in THEMES for when in ("then", "now")),
    "facts_gained", "facts_lost", "quote_then", "quote_now", "review_then", "review_now",
)


def record(change: PlanChange) -> dict[str, Any]:
    """One ICB as flat scalars (lists joined with '; '); keys are ``COLUMNS``."""
    data: dict[str, Any] = {
        "region": change.region, "icb_code": change.code, "icb_name": change.name, "change": change.change,
        "verdict_then": verdict_text(change.then), "verdict_now": verdict_text(change.now),
        "vcse_verdict_then": change.then.vcse_verdict, "vcse_verdict_now": change.now.vcse_verdict,
        "plans_then": change.then.row.documents, "plans_now": change.now.row.documents,
        "predecessors": predecessors_text(change),
        "facts_gained": "; ".join(change.facts_gained), "facts_lost": "; ".join(change.facts_lost),
        "quote_then": quote_text(change.then.quote), "quote_now": quote_text(change.now.quote),
        "review_then": "; ".join(change.then.row.review_reasons),
        "review_now": "; ".join(change.now.row.review_reasons),
    }
    for key, _, then, now in change.counts():
        data[f"{key}_then"], data[f"{key}_now"] = then, now
    return {key: data[key] for key in COLUMNS}


def render_csv(comparison: PlanComparison) -> str:
    buf = io.StringIO()
    writer = SafeDictWriter(buf, fieldnames=list(COLUMNS), lineterminator="\n")
    writer.writeheader()
    writer.writerows(record(c) for c in comparison.changes)
    return buf.getvalue()


def comparison_dict(comparison: PlanComparison) -> dict[str, Any]:
    return {
        "old_manifest": comparison.old_manifest, "new_manifest": comparison.new_manifest,
        "min_share": comparison.min_share, "min_probability": comparison.min_probability,
        "tally": comparison.tally(), "without_plans": comparison.without_plans, "notes": comparison.notes,
        "icbs": [change_dict(c) for c in comparison.changes],
    }


def render_json(comparison: PlanComparison) -> str:
    return json.dumps(comparison_dict(comparison), indent=2, ensure_ascii=False) + "\n"


# -- terminal ------------------------------------------------------------------------------------

LEGEND = (
    "key: Then = the 2016/17 plans of the ICB's predecessor STPs, pooled; Now = the ICB's own plan; verdicts as in"
    " `svmine table`:\n"
    "     yes = an explicit social value mention that is not negated, hypothetical, boilerplate or a reference;"
    " no (implicit only) =\n"
    "     implicit sentences only. Counts then→now: Expl/Impl = social value mentions, VCSE = VCSE mentions,"
    " Wght = weighting facts.\n"
    "     A predecessor shows the part of it that lies in the ICB and the part of the ICB it covered (LSOAs);"
    " overlaps under {share}\n"
    "     of the ICB (and holding less than half of the STP) are listed but not counted."
)


def short_icb(name: str) -> str:
    """'NHS Cheshire and Merseyside Integrated Care Board' -> 'Cheshire and Merseyside' (the column says ICB)."""
    return name.removeprefix("NHS ").removesuffix(" Integrated Care Board")


def tally_line(comparison: PlanComparison) -> str:
    tally = comparison.tally()
    total = tally.pop("ICBs compared")
    parts = " + ".join(f"{k} {n}" for k, n in tally.items() if n)
    return (f"{total} ICB{'s' if total != 1 else ''} compared: {parts or 'none'};"
            f" {comparison.without_plans} ICB(s) without a plan in either era not listed")


def render_terminal(comparison: PlanComparison) -> str:
    lines = ["svmine: plans compared across eras (2016/17 STPs -> ICBs of July 2022)",
             f"old plans: {comparison.old_manifest}; new plans: {comparison.new_manifest}", ""]
    counts = " ".join(f"{THEME_HEADERS[k]:>6}" for k, _ in THEMES if k != "facts")
    header = f"  {'ICB':<28} {'Code':<9} {'Then':<18} {'Now':<18} {'Change':<11} {counts}"
    for region, changes in comparison.regions():
        lines += [region, header]
        for change in changes:
            lines.extend(_terminal_change(change))
        lines.append("")
    lines.append("total: " + tally_line(comparison))
    lines.append(LEGEND.format(share=f"{comparison.min_share:.0%}"))
    lines += [f"note: {n}" for n in comparison.notes]
    return "\n".join(lines) + "\n"


def _wrap(label: str, text: str) -> list[str]:
    # a no-break space keeps "p. 12" on one line; textwrap breaks only at ordinary spaces
    text = text.replace("(p. ", "(p.\u00a0")
    lines = textwrap.wrap(f"{label}{text}", WIDTH, initial_indent="      ", subsequent_indent="        ")
    return [line.replace("\u00a0", " ") for line in lines]


def _terminal_change(change: PlanChange) -> list[str]:
    counts = " ".join(f"{f'{then}→{now}':>6}" for key, _, then, now in change.counts() if key != "facts")
    out = [f"  {truncate(short_icb(change.name), 28):<28} {change.code:<9} {verdict_text(change.then):<18}"
           f" {verdict_text(change.now):<18} {change.change:<11} {counts}".rstrip()]
    for p in change.predecessors:
        docs = p.row.documents
        plans = f"{verdict_text(p.row)}\u00a0({docs}\u00a0plan{'s' if docs != 1 else ''})" if docs else "no plan"
        out += _wrap("from: ", f"{p.label()}: {plans}")
    if change.facts_gained or change.facts_lost:
        out += _wrap("facts: ", f"gained {'; '.join(change.facts_gained) or '-'}; lost {'; '.join(change.facts_lost) or '-'}")
    for label, side in (("then: ", change.then), ("now:  ", change.now)):
        if side.quote:
            out += _wrap(label, quote_text(side.quote))
    return out


RENDERERS = {"table": render_terminal, "csv": render_csv, "json": render_json}
