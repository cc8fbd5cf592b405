"""Inter-auditor agreement: Cohen's kappa per pair, Krippendorff's alpha (nominal) per category.

Written out here (a few lines each) rather than pulled from a statistics package, so the exact
definitions are visible: kappa compares two auditors on the items both decided; alpha takes every
item with at least two decisions, any number of auditors, and tolerates missing decisions.
A value is the label a decision leaves the item with (accept = the item's own label, reject =
``other``), so "accept" by one auditor and "relabel to the same label" by another agree.
"""

from __future__ import annotations

from collections import Counter
from itertools import combinations
from typing import Hashable, Iterable, Sequence


def cohen_kappa(a: Sequence[Hashable], b: Sequence[Hashable]) -> float | None:
    """(p_o - p_e) / (1 - p_e); None when undefined (no items, or chance agreement is certain)."""
    if len(a) != len(b):
        raise ValueError("the two auditors must rate the same items")
    n = len(a)
    if n == 0:
        return None
    observed = sum(x == y for x, y in zip(a, b)) / n
    count_a, count_b = Counter(a), Counter(b)
    expected = sum(count_a[k] * count_b[k] for k in count_a) / (n * n)
    if expected == 1:
        return None
    return (observed - expected) / (1 - expected)


def krippendorff_alpha_nominal(units: Iterable[Sequence[Hashable]]) -> float | None:
    """alpha = 1 - (n - 1) * (n - sum_c o_cc) / (n^2 - sum_c n_c^2).

    ``o`` is the coincidence matrix: a unit with m >= 2 values adds, for each ordered pair of its
    values taken from different auditors, 1 / (m - 1) to o[c][k]. n_c are its margins, n their sum
    (the number of pairable values). Units with fewer than two values carry no information.
    """
    diagonal = 0.0
    margins: Counter = Counter()
    for values in units:
        m = len(values)
        if m < 2:
            continue
        counts = Counter(values)
        for value, c in counts.items():
            diagonal += c * (c - 1) / (m - 1)
            margins[value] += c
    n = sum(margins.values())
    denominator = n * n - sum(c * c for c in margins.values())
    if n == 0 or denominator == 0:
        return None
    return 1 - (n - 1) * (n - diagonal) / denominator


def agreement_report(decisions: Iterable[dict]) -> dict:
    """From rows with ``item_key``, ``auditor``, ``label`` and ``category``: kappa for each pair of
    auditors (on the items both decided) and alpha overall and per category."""
    by_item: dict[str, dict[str, str]] = {}
    category: dict[str, str] = {}
    for row in decisions:
        by_item.setdefault(row["item_key"], {})[row["auditor"]] = row["label"]
        category[row["item_key"]] = row.get("category") or "unknown"
    auditors = sorted({a for votes in by_item.values() for a in votes})
    pairs = []
    for first, second in combinations(auditors, 2):
        shared = [v for v in by_item.values() if first in v and second in v]
        kappa = cohen_kappa([v[first] for v in shared], [v[second] for v in shared])
        agree = sum(v[first] == v[second] for v in shared)
        pairs.append({"auditors": [first, second], "items": len(shared), "agree": agree, "kappa": kappa})
    categories = {}
    for name in sorted(set(category.values())):
        units = [list(v.values()) for k, v in by_item.items() if category[k] == name]
        categories[name] = _alpha_entry(units)
    return {
        "auditors": auditors,
        "items": len(by_item),
        "pairs": pairs,
        "alpha": _alpha_entry([list(v.values()) for v in by_item.values()]),
        "categories": categories,
    }


def _alpha_entry(units: list[list[str]]) -> dict:
    multi = [u for u in units if len(u) >= 2]
    return {"items": len(multi), "alpha": krippendorff_alpha_nominal(multi)}


def format_report(report: dict) -> str:
    """The plain-text table ``svmine annotations agreement`` prints."""
    lines = [f"{report['items']} items decided by {len(report['auditors'])} auditors", "", "Cohen's kappa per pair"]
    if not report["pairs"]:
        lines.append("  (fewer than two auditors)")
    for pair in report["pairs"]:
        first, second = pair["auditors"]
        lines.append(
            f"  {first} / {second}: kappa {_fmt(pair['kappa'])} on {pair['items']} shared items"
            f" ({pair['agree']} agree)"
        )
    lines += ["", "Krippendorff's alpha (nominal)"]
    lines.append(f"  overall: {_fmt(report['alpha']['alpha'])} on {report['alpha']['items']} items")
    for name, entry in report["categories"].items():
        lines.append(f"  {name}: {_fmt(entry['alpha'])} on {entry['items']} items")
    return "\n".join(lines)


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def agreement_for_db(db_path) -> dict:
    """The agreement report over a store's decisions (each auditor's latest on each item)."""
    from svmine.store import Store, decisions

    with Store.open(db_path, mode="ro") as db:
        rows = decisions.latest_decisions(db)
    return agreement_report(
        {**r, "category": r["meta"].get("category") or r["item_type"]} for r in rows
    )
