"""The HTML page of ``svmine compare-plans --format html``: one self-contained file, each ICB's
predecessors' plans beside its own.

A page of its own rather than a section of ``svmine report``: the report describes one corpus
by the 2017 footprints, while a comparison needs two manifests and is read ICB by ICB. It uses
the report's verdict colours and words (``report.build.verdict_key`` and ``VERDICTS``) so the two
read alike, and, like the report, requests nothing (inline CSS, no script) and escapes all text.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from svmine import __version__
from svmine.tables.compare_plans import THEMES, PlanChange, PlanComparison, Side

CHANGE_CSS = {"gained": "c-gained", "lost": "c-lost", "stayed yes": "c-yes", "stayed no": "c-no",
              "no new plan": "c-none", "no old plan": "c-none", "not read": "c-failed"}


def _verdict(row) -> tuple[str, str]:
    """(words, css class) of a row's verdict, as the report shows them ("no, implicit only")."""
    from svmine.report.build import CSS, VERDICTS, verdict_key

    key = verdict_key(row)
    return dict((k, label) for k, label, _ in VERDICTS)[key], CSS[key]


def _side_view(side: Side) -> dict[str, Any]:
    verdict, css = _verdict(side.row)
    return {
        "verdict": verdict,
        "css": css,
        "plans": side.row.documents,
        "failed": side.row.failed,
        "vcse": side.vcse_verdict,
        "facts": side.row.facts,
        "reasons": side.row.review_reasons,
        "quote": side.quote,
        "implicit_quote": side.quote is not None and side.quote.kind != "explicit",
    }


def _change_view(change: PlanChange) -> dict[str, Any]:
    counts = [{"label": label, "then": then, "now": now, "delta": now - then} for _, label, then, now in change.counts()]
    return {
        "id": f"icb-{change.code}",
        "code": change.code,
        "name": change.name,
        "change": change.change,
        "change_css": CHANGE_CSS[change.change],
        "then": _side_view(change.then),
        "now": _side_view(change.now),
        "counts": counts,
        "facts_gained": change.facts_gained,
        "facts_lost": change.facts_lost,
        "predecessors": [{"code": p.code, "name": p.name, "of_old": f"{p.share_of_old:.0%}",
                          "of_new": f"{p.share_of_new:.0%}", "width": round(100 * p.share_of_new, 1),
                          "material": p.material, "plans": p.row.documents,
                          "verdict": _verdict(p.row)[0], "css": _verdict(p.row)[1]} for p in change.predecessors],
    }


def comparison_context(comparison: PlanComparison, *, generated: str = "") -> dict[str, Any]:
    tally = comparison.tally()
    return {
        "title": "Plans compared across eras",
        "generated": generated,
        "version": __version__,
        "old_manifest": comparison.old_manifest,
        "new_manifest": comparison.new_manifest,
        "min_share": f"{comparison.min_share:.0%}",
        "compared": tally.pop("ICBs compared"),
        "tally": [(k, n, CHANGE_CSS[k]) for k, n in tally.items()],
        "without_plans": comparison.without_plans,
        "regions": [(region, [_change_view(c) for c in changes]) for region, changes in comparison.regions()],
        "themes": [label for _, label in THEMES],
        "notes": comparison.notes,
    }


def render_comparison_html(comparison: PlanComparison, *, generated: str | None = None) -> str:
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(
        loader=PackageLoader("svmine.report", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    when = generated if generated is not None else datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return env.get_template("compare.html.j2").render(**comparison_context(comparison, generated=when))
