"""Evaluate the footprint resolver on public name variants and on generated damage.

Usage: ``python scripts/eval_resolver.py [--shared ../shared] [--mode held-out|shipped|both] [--show-errors]``

Test sets (expected answer = the official code the source gives):
- ``trust_lookup``: the informal STP names of ``stp_name_variants/Trust-STP-lookup.csv``;
- ``ons_2019``: the 2019 footprint names of ONS lookup 028 whose codes existed in 2017;
- ``plan_url``: CamelCase names cut from the plan URLs of ``stp_name_variants/stp_extra_data.csv``;
- ``damaged_stp`` / ``damaged_ccg16`` / ``damaged_ccg17``: official names with 1-3 leading letters
  deleted (only while 5 or more letters remain), two adjacent letters swapped (3 places per name,
  fixed seed), and OCR confusions (rn->m, m->rn, l->1, o->0).

Modes: ``shipped`` resolves with the reference as shipped (the three variant lists are in it, so
those sets are mostly exact hits); ``held-out`` resolves them against the official names only (no
variant of any source, Appendix 3 included), which is the honest figure for unseen spellings.

A wrong answer is *unflagged* when its status is ``exact`` or ``accepted``. Targets: top-1 >= 99%
and zero unflagged wrong answers.
"""

from __future__ import annotations

import argparse
import csv
import random
import re
import sys
from collections import Counter
from pathlib import Path
from urllib.parse import unquote

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from svmine.footprints.reference import load_reference  # noqa: E402
from svmine.footprints.resolver import CONFIDENT, Resolver  # noqa: E402

OCR_CONFUSIONS = (("rn", "m"), ("m", "rn"), ("l", "1"), ("o", "0"))
VARIANT_SETS = ("trust_lookup", "ons_2019", "plan_url")
ALL_VARIANT_SOURCES = (*VARIANT_SETS, "appendix3_2017")


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return [{k.strip(): (v or "").strip() for k, v in r.items()} for r in csv.DictReader(fh)]


def public_variants(shared: Path, stp_codes: set[str]) -> dict[str, list[tuple[str, str]]]:
    """(name, expected code) pairs per public source, read from ../shared."""
    data = shared / "data"
    trust = {(r["STP"], r["STP_code"]) for r in _read(data / "stp_name_variants" / "Trust-STP-lookup.csv")}
    ons19 = {
        (r["STP19NM"], r["STP19CD"])
        for r in _read(data / "ccg_stp_lookup" / "ons-lookups" / "csv" / "028.csv")
        if r["STP19CD"] in stp_codes
    }
    urls = set()
    for r in _read(data / "stp_name_variants" / "stp_extra_data.csv"):
        m = re.match(r"MHPH_(.+?)STP_FINAL", unquote(r["url"].rsplit("/", 1)[-1]))
        if m:
            urls.add((m.group(1), r["stp17cd"]))
    return {"trust_lookup": sorted(trust), "ons_2019": sorted(ons19), "plan_url": sorted(urls)}


def damage(name: str, rng: random.Random) -> list[str]:
    """Damaged spellings of one name: lost leading letters, swapped letters, OCR confusions."""
    out = []
    for k in (1, 2, 3):
        rest = name[k:]
        if sum(ch.isalpha() for ch in rest) >= 5:
            out.append(rest)
    spots = [i for i in range(len(name) - 1) if name[i].isalpha() and name[i + 1].isalpha() and name[i] != name[i + 1]]
    for i in rng.sample(spots, min(3, len(spots))):
        out.append(name[:i] + name[i + 1] + name[i] + name[i + 2 :])
    for old, new in OCR_CONFUSIONS:
        pos = name.lower().find(old)
        if pos >= 0:
            out.append(name[:pos] + new + name[pos + len(old) :])
    return [d for d in out if d != name]


def damaged_sets(ref) -> dict[str, list[tuple[str, str]]]:
    rng = random.Random(20170526)
    sets: dict[str, list[tuple[str, str]]] = {"damaged_stp": [], "damaged_ccg16": [], "damaged_ccg17": []}
    for code, stp in sorted(ref.stps.items()):
        sets["damaged_stp"] += [(d, code) for d in damage(stp.name, rng)]
    for year in (2016, 2017):
        for code, ccg in sorted(ref.ccgs[year].items()):
            sets[f"damaged_ccg{year % 100}"] += [(d, code) for d in damage(ccg.name, rng)]
    return sets


def score_set(resolver: Resolver, cases: list[tuple[str, str]]) -> dict:
    results = resolver.resolve_many([name for name, _ in cases])
    counts = Counter()
    errors = []
    for (name, expected), res in zip(cases, results):
        counts[res.status] += 1
        correct = res.best is not None and res.best.code == expected
        counts["top1"] += correct
        if not correct and res.status in CONFIDENT:
            counts["wrong_unflagged"] += 1
            errors.append((name, expected, res))
        elif not correct:
            errors.append((name, expected, res))
    return {"n": len(cases), "counts": counts, "errors": errors}


def evaluate(shared: Path, mode: str = "held-out") -> dict[str, dict]:
    """Per test set: n, counts (top1, statuses, wrong_unflagged) and the wrong answers."""
    ref = load_reference()
    sets = public_variants(shared, set(ref.stps))
    report = {}
    for source in VARIANT_SETS:
        excluded = ALL_VARIANT_SOURCES if mode == "held-out" else ()
        report[source] = score_set(Resolver("stp", reference=ref, exclude_sources=excluded), sets[source])
    resolvers = {"damaged_stp": Resolver("stp", reference=ref), "damaged_ccg16": Resolver("ccg", 2016, reference=ref),
                 "damaged_ccg17": Resolver("ccg", 2017, reference=ref)}
    for name, cases in damaged_sets(ref).items():
        report[name] = score_set(resolvers[name], cases)
    return report


def print_report(report: dict[str, dict], mode: str, show_errors: bool) -> None:
    print(f"\nmode: {mode}")
    print(f"{'set':15} {'n':>5} {'top1%':>7} {'exact':>6} {'accept':>6} {'review':>6} {'none':>5} {'wrong&unflagged':>16}")
    total = Counter()
    for name, r in report.items():
        c, n = r["counts"], r["n"]
        total.update(c)
        total["n"] += n
        print(f"{name:15} {n:5} {100 * c['top1'] / n:7.2f} {c['exact']:6} {c['accepted']:6} {c['review']:6} {c['no_match']:5} {c['wrong_unflagged']:16}")
        if show_errors:
            for query, expected, res in r["errors"]:
                got = f"{res.best.code} {res.best.name}" if res.best else "-"
                print(f"    {res.status:8} {query!r} expected {expected}, got {got} ({res.score:.0f}, margin {res.margin:.0f})")
    n = total["n"]
    print(f"{'TOTAL':15} {n:5} {100 * total['top1'] / n:7.2f} {total['exact']:6} {total['accepted']:6} {total['review']:6} {total['no_match']:5} {total['wrong_unflagged']:16}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--mode", choices=("held-out", "shipped", "both"), default="both")
    parser.add_argument("--show-errors", action="store_true", help="list every wrong answer")
    args = parser.parse_args(argv)
    if not (args.shared / "data").is_dir():
        print(f"shared data not found at {args.shared}", file=sys.stderr)
        return 2
    modes = ("held-out", "shipped") if args.mode == "both" else (args.mode,)
    unflagged = 0
    for mode in modes:
        report = evaluate(args.shared, mode)
        print_report(report, mode, args.show_errors)
        unflagged += sum(r["counts"]["wrong_unflagged"] for r in report.values())
    return 1 if unflagged else 0


if __name__ == "__main__":
    sys.exit(main())
