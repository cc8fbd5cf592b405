"""Evaluate ICB / ICS / Sub ICB Location name resolution (``EraResolver``), 2022 geography.

Usage: ``python scripts/eval_icb_resolver.py [--show-errors]``

Test sets (expected answer = an official 2022 code):
- ``informal_icb``: ICB/ICS names as people write them -- "&", "ICS" for "ICB", county
  abbreviations, dropped "NHS", word order -- typed here by hand and written *independently* of
  the variant list in ``scripts/build_eras.py`` (none of them is a listed variant);
- ``acronym_icb``: the acronyms and short forms (BOB, BNSSG, NENC, SEL, BSol...), in other cases
  and with ICB/ICS/"Integrated Care System" around them; these rely on the typed variant data;
- ``damaged_acronym``: acronyms with dots, a letter lost or swapped: must never be confidently wrong;
- ``damaged_icb`` / ``damaged_sub_icb``: official ICB and Sub ICB Location names (and the Sub ICB
  place names) with 1-3 leading letters lost, two letters swapped, OCR confusions (as
  ``eval_resolver.py`` does for CCGs and STPs);
- ``predecessor_ccg2016`` / ``predecessor_stp2017``: every 2016 CCG name resolved as a Sub ICB
  Location of 2022 and every 2017 STP name as an ICB of 2022: the expected answer is the
  successor holding most of its LSOAs, and the status must be ``review`` (a predecessor name never
  confidently names a 2022 organisation; counted in ``confident_predecessor``);
- ``shared_name_stp2017``: the STP names that are also the 2022 ICB's name without "NHS" and
  "Integrated Care Board" ("Devon", "Kent and Medway"): names of both eras, so may be confident.

A wrong answer is *unflagged* when its status is ``exact`` or ``accepted``. Targets: top-1 >= 98%
and zero unflagged wrong answers (and zero confident predecessors).
"""

from __future__ import annotations

import argparse
import random
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for p in (ROOT, ROOT / "scripts"):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

from eval_resolver import damage  # noqa: E402

from svmine.footprints.era_resolver import EraResolver  # noqa: E402
from svmine.footprints.eras import load_eras  # noqa: E402
from svmine.footprints.normalise import normalise  # noqa: E402
from svmine.footprints.resolver import CONFIDENT  # noqa: E402

INFORMAL_ICB = [
    ("Cheshire & Merseyside ICS", "E54000008"),
    ("Staffordshire & Stoke on Trent ICB", "E54000010"),
    ("Shropshire, Telford & Wrekin ICS", "E54000011"),
    ("Lincolnshire Integrated Care System", "E54000013"),
    ("Leicester, Leicestershire & Rutland ICS", "E54000015"),
    ("Coventry & Warwickshire ICB", "E54000018"),
    ("Herefordshire & Worcestershire ICS", "E54000019"),
    ("Norfolk & Waveney ICS", "E54000022"),
    ("Suffolk & North East Essex ICS", "E54000023"),
    ("Bedfordshire Luton & Milton Keynes ICS", "E54000024"),
    ("Herts and West Essex ICS", "E54000025"),
    ("Mid & South Essex ICB", "E54000026"),
    ("North West London ICS", "E54000027"),
    ("North Central London ICS", "E54000028"),
    ("North East London ICS", "E54000029"),
    ("South East London ICS", "E54000030"),
    ("South West London ICS", "E54000031"),
    ("Kent & Medway ICS", "E54000032"),
    ("Frimley ICS", "E54000034"),
    ("Cornwall & the Isles of Scilly ICS", "E54000036"),
    ("NHS Devon", "E54000037"),
    ("Somerset ICS", "E54000038"),
    ("Bristol, N Somerset & S Glos ICB", "E54000039"),
    ("Bath & NE Somerset, Swindon & Wiltshire ICS", "E54000040"),
    ("Dorset ICS", "E54000041"),
    ("Hampshire & IoW ICB", "E54000042"),
    ("Gloucestershire ICS", "E54000043"),
    ("Bucks, Oxon and Berks West ICB", "E54000044"),
    ("Lancashire & South Cumbria ICS", "E54000048"),
    ("North East & North Cumbria Integrated Care System", "E54000050"),
    ("Humber & North Yorkshire ICS", "E54000051"),
    ("Surrey Heartlands ICS", "E54000052"),
    ("Sussex ICS", "E54000053"),
    ("West Yorkshire ICS", "E54000054"),
    ("Birmingham & Solihull ICS", "E54000055"),
    ("Cambs & Peterborough ICB", "E54000056"),
    ("Greater Manchester ICS", "E54000057"),
    ("Derby & Derbyshire ICS", "E54000058"),
    ("Northants ICB", "E54000059"),
    ("Nottingham & Nottinghamshire ICS", "E54000060"),
    ("South Yorkshire ICS", "E54000061"),
    ("Black Country ICB", "E54000062"),
    ("Integrated Care Board for Kent and Medway", "E54000032"),
    ("The NHS Sussex ICB", "E54000053"),
    ("Milton Keynes, Bedfordshire and Luton ICB", "E54000024"),
    ("Isle of Wight and Hampshire ICS", "E54000042"),
    ("Waveney and Norfolk ICB", "E54000022"),
    ("Stoke-on-Trent and Staffordshire Integrated Care Board", "E54000010"),
]

ACRONYM_ICB = [
    ("bob", "E54000044"), ("BOB ICS", "E54000044"), ("BNSSG Integrated Care System", "E54000039"),
    ("bnssg", "E54000039"), ("BSW ICS", "E54000040"), ("NENC ICS", "E54000050"), ("nenc", "E54000050"),
    ("LLR ICS", "E54000015"), ("SNEE Integrated Care System", "E54000023"), ("BLMK ICS", "E54000024"),
    ("HIOW ICS", "E54000042"), ("HIoW", "E54000042"), ("NCL ICS", "E54000028"), ("NEL ICS", "E54000029"),
    ("NWL ICB", "E54000027"), ("NWL ICS", "E54000027"), ("SEL ICS", "E54000030"), ("SWL ICS", "E54000031"),
    ("BSol ICS", "E54000055"), ("bsol", "E54000055"), ("HNY ICS", "E54000051"), ("JUCD ICS", "E54000058"),
    ("STW ICS", "E54000011"), ("MSE ICS", "E54000026"), ("HWE ICS", "E54000025"), ("GM ICS", "E54000057"),
    ("NHS GM", "E54000057"), ("One Gloucestershire", "E54000043"), ("Our Healthier South East London ICS", "E54000030"),
    ("Joined Up Care Derbyshire ICS", "E54000058"), ("Our Dorset ICS", "E54000041"), ("One Devon ICS", "E54000037"),
]

DAMAGED_ACRONYM = [
    ("B.O.B.", "E54000044"), ("BO ICB", "E54000044"), ("NECN", "E54000050"), ("BNSG", "E54000039"),
    ("S.E.L.", "E54000030"), ("SLW", "E54000031"), ("BSl", "E54000055"), ("HOIW", "E54000042"),
    ("LRL", "E54000015"), ("SNE", "E54000023"), ("BLK", "E54000024"), ("NCLL", "E54000028"),
]


def damaged(names: list[tuple[str, str]], seed: int) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    return [(d, code) for name, code in names for d in damage(name, rng)]


def predecessor_sets(eras) -> dict[str, tuple[str, bool, list[tuple[str, set[str]]]]]:
    """Old names resolved for 2022. A 2017 STP name that is also the 2022 ICB's name once "NHS" and
    "Integrated Care Board" are dropped ("Devon") is a name of both eras: it goes to the
    ``shared_name_stp2017`` set, where a confident answer is right."""
    out = {}
    for source, target, kind in (("ccg2016", "sub_icb2022", "sub_icb"), ("stp2017", "icb2022", "icb")):
        target_names = {normalise(o.name) for o in eras.geography(target).values()}
        target_names |= {normalise(v.name) for v in eras.variants if v.geography == target}
        old, shared = [], []
        for code, org in sorted(eras.geography(source).items()):
            links = eras.links(source, code, target)
            (shared if normalise(org.name) in target_names else old).append((org.name, {links[0].to_code}))
        out[f"predecessor_{source}"] = (kind, True, old)
        if shared:
            out[f"shared_name_{source}"] = (kind, False, shared)
    return out


def score(resolver: EraResolver, cases, must_review: bool = False) -> dict:
    results = resolver.resolve_many([name for name, _ in cases])
    counts, errors = Counter(), []
    for (name, expected), res in zip(cases, results):
        expected = expected if isinstance(expected, set) else {expected}
        counts[res.status] += 1
        correct = res.best is not None and res.best.code in expected
        counts["top1"] += correct
        if must_review and res.status in CONFIDENT:
            counts["confident_predecessor"] += 1
            errors.append((name, expected, res))
        if not correct:
            counts["wrong_unflagged"] += res.status in CONFIDENT
            errors.append((name, expected, res))
    return {"n": len(cases), "counts": counts, "errors": errors}


def evaluate() -> dict[str, dict]:
    eras = load_eras()
    icb = EraResolver("icb", 2022, eras=eras)
    sub = EraResolver("sub_icb", 2022, eras=eras)
    icb_names = [(o.name, c) for c, o in sorted(eras.geography("icb2022").items())]
    sub_names = [(o.name, c) for c, o in sorted(eras.geography("sub_icb2022").items())]
    sub_names += [(v.name, v.code) for v in eras.variants if v.geography == "sub_icb2022"]
    report = {
        "informal_icb": score(icb, INFORMAL_ICB),
        "acronym_icb": score(icb, ACRONYM_ICB),
        "damaged_acronym": score(icb, DAMAGED_ACRONYM),
        "damaged_icb": score(icb, damaged(icb_names, 2022)),
        "damaged_sub_icb": score(sub, damaged(sub_names, 2207)),
    }
    for name, (kind, must_review, cases) in predecessor_sets(eras).items():
        report[name] = score(icb if kind == "icb" else sub, cases, must_review=must_review)
    return report


def print_report(report: dict[str, dict], show_errors: bool) -> Counter:
    print(f"{'set':20} {'n':>5} {'top1%':>7} {'exact':>6} {'accept':>6} {'review':>6} {'none':>5} {'wrong&unflagged':>16}"
          f" {'confident_pred':>15}")
    total = Counter()
    for name, r in report.items():
        c, n = r["counts"], r["n"]
        total.update(c)
        total["n"] += n
        print(f"{name:20} {n:5} {100 * c['top1'] / n:7.2f} {c['exact']:6} {c['accepted']:6} {c['review']:6}"
              f" {c['no_match']:5} {c['wrong_unflagged']:16} {c['confident_predecessor']:15}")
        if show_errors:
            for query, expected, res in r["errors"]:
                got = f"{res.best.code} {res.best.name}" if res.best else "-"
                print(f"    {res.status:8} {query!r} expected {sorted(expected)}, got {got} ({res.score:.0f}, margin {res.margin:.0f})")
    n = total["n"]
    print(f"{'TOTAL':20} {n:5} {100 * total['top1'] / n:7.2f} {total['exact']:6} {total['accepted']:6} {total['review']:6}"
          f" {total['no_match']:5} {total['wrong_unflagged']:16} {total['confident_predecessor']:15}")
    return total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show-errors", action="store_true", help="list every wrong or flagged-wrong answer")
    args = parser.parse_args(argv)
    total = print_report(evaluate(), args.show_errors)
    return 1 if total["wrong_unflagged"] or total["confident_predecessor"] else 0


if __name__ == "__main__":
    sys.exit(main())
