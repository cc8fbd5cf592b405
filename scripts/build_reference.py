"""Build the footprint reference CSVs in ``svmine/footprints/data/`` from public ONS lookups.

Usage: ``python scripts/build_reference.py [--shared ../shared] [--out svmine/footprints/data]``

Inputs (see ``../shared/data/SOURCES.md``): the ONS Open Geography lookups 066 (CCG17 -> STP17),
222 (CCG17 -> NHS England region), 211 and 143 (LSOA11 -> CCG16, LSOA11 -> CCG17/STP17), 028
(CCG19 -> STP19, for the 2019 footprint names), 031 (CCG20 -> STP20), the two name-variant files
in ``stp_name_variants/`` and, for the 2020-2022 eras, ``nhs_geography_2021_2022/`` (see
``build_eras.py``). The Appendix 3 names of the 2017 report are public facts typed below.

Output is deterministic: rows sorted by code, fixed column order, ``\\n`` line endings, so a
re-run on the same inputs gives byte-identical files (checked by a test).
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import unquote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

ORG_HEADER = ["geography", "code", "ods", "name", "type", "valid_from", "valid_to", "parent_code", "region_code"]
ATOM_HEADER = ["ccg2016", "ccg2017", "stp2017", "ccg2020", "stp2020", "ccg2021", "sub_icb2022", "icb2022", "lsoas"]

# ONS region name -> short label used by the 2017 report, in the report's order.
REGION_SHORT = {
    "North of England": "North",
    "Midlands and East of England": "Midlands and East",
    "London": "London",
    "South of England": "South",
}

# Appendix 3 of "Healthy Commissioning" (2017), as the report writes each footprint name:
# (region, name, STP code, mentions social value).
APPENDIX3 = [
    ("North", "Cheshire and Merseyside", "E54000008", "no"),
    ("North", "Durham, Darlington, Teesside, Hambleton, Richmondshire and Whitby", "E54000045", "no"),
    ("North", "Greater Manchester", "E54000007", "yes"),
    ("North", "Humber, Coast and Vale", "E54000006", "yes"),
    ("North", "Lancashire and South Cumbria", "E54000048", "no"),
    ("North", "Northumberland, Tyne and Wear and North Durham", "E54000046", "no"),
    ("North", "South Yorkshire and Bassetlaw", "E54000009", "no"),
    ("North", "West, North and East Cumbria", "E54000047", "no"),
    ("North", "West Yorkshire and Harrogate", "E54000005", "no"),
    ("Midlands and East", "Bedfordshire, Luton and Milton Keynes", "E54000024", "no"),
    ("Midlands and East", "Birmingham and Solihull", "E54000017", "no"),
    ("Midlands and East", "Cambridgeshire and Peterborough", "E54000021", "no"),
    ("Midlands and East", "Coventry and Warwickshire", "E54000018", "no"),
    ("Midlands and East", "Derbyshire", "E54000012", "no"),
    ("Midlands and East", "Herefordshire and Worcestershire", "E54000019", "no"),
    ("Midlands and East", "Hertfordshire and West Essex", "E54000025", "no"),
    ("Midlands and East", "Leicester, Leicestershire and Rutland", "E54000015", "no"),
    ("Midlands and East", "Lincolnshire", "E54000013", "no"),
    ("Midlands and East", "Mid and South Essex", "E54000026", "no"),
    ("Midlands and East", "Norfolk and Waveney", "E54000022", "no"),
    ("Midlands and East", "Northamptonshire", "E54000020", "yes"),
    ("Midlands and East", "Nottinghamshire", "E54000014", "yes"),
    ("Midlands and East", "Shropshire and Telford & Wrekin", "E54000011", "no"),
    ("Midlands and East", "Staffordshire and Stoke on Trent", "E54000010", "no"),
    ("Midlands and East", "Suffolk and North East Essex", "E54000023", "no"),
    ("Midlands and East", "The Black Country", "E54000016", "no"),
    ("London", "North Central London", "E54000028", "yes"),
    ("London", "North East London", "E54000029", "no"),
    ("London", "North West London", "E54000027", "yes"),
    ("London", "South East London", "E54000030", "no"),
    ("London", "South West London", "E54000031", "no"),
    ("South", "Bath and North East Somerset, Swindon and Wiltshire", "E54000040", "no"),
    ("South", "Bristol, North Somerset and South Gloucestershire", "E54000039", "no"),
    ("South", "Buckinghamshire, Oxfordshire and Berkshire West", "E54000044", "no"),
    ("South", "Cornwall and the Isles of Scilly", "E54000036", "no"),
    ("South", "Devon", "E54000037", "no"),
    ("South", "Dorset", "E54000041", "no"),
    ("South", "Frimley Health", "E54000034", "no"),
    ("South", "Gloucestershire", "E54000043", "no"),
    ("South", "Hampshire and the Isle of Wight", "E54000042", "no"),
    ("South", "Kent & Medway", "E54000032", "no"),
    ("South", "Somerset", "E54000038", "no"),
    ("South", "Surrey Heartlands", "E54000035", "no"),
    ("South", "Sussex and East Surrey", "E54000033", "no"),
]


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:  # some inputs carry a BOM
        return [{k.strip(): (v or "").strip() for k, v in row.items()} for row in csv.DictReader(fh)]


def write_csv(path: Path, header: list[str], rows: list[list]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: {len(rows)} rows")


def build_regions(ons: Path) -> tuple[list[list], dict[str, str]]:
    ccg_region = {r["CCG17CD"]: (r["NHSER17CD"], r["NHSER17NM"]) for r in read_csv(ons / "222.csv")}
    regions = sorted(set(ccg_region.values()))
    order = list(REGION_SHORT)
    rows = [[code, name, REGION_SHORT[name], order.index(name) + 1] for code, name in regions]
    rows.sort(key=lambda r: r[3])
    return rows, {ccg: code for ccg, (code, _) in ccg_region.items()}


def build_2017(ons: Path, ccg_region: dict[str, str]):
    rows = read_csv(ons / "066.csv")
    ccgs = sorted({(r["CCG17CD"], r["CCG17CDH"], r["CCG17NM"]) for r in rows})
    stp_regions: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        stp_regions[(r["STP17CD"], r["STP17NM"])].add(ccg_region[r["CCG17CD"]])
    stps = []
    for (code, name), regions in sorted(stp_regions.items()):
        if len(regions) != 1:
            sys.exit(f"STP {code} spans regions {sorted(regions)}")
        stps.append([code, name, regions.pop()])
    lsoas = Counter((r["CCG17CD"], r["STP17CD"]) for r in read_csv(ons / "143.csv"))
    mapping = sorted([r["CCG17CD"], r["STP17CD"], lsoas[(r["CCG17CD"], r["STP17CD"])], "1.0000", "0"] for r in rows)
    ccg_rows = [[code, ods, name, ccg_region[code]] for code, ods, name in ccgs]
    return stps, ccg_rows, mapping


def build_2016(ons: Path):
    """CCG16 -> STP17 by joining the two LSOA lookups; a CCG in several STPs is marked split."""
    lsoa16 = {r["LSOA11CD"]: r for r in read_csv(ons / "211.csv")}
    lsoa17 = {r["LSOA11CD"]: r for r in read_csv(ons / "143.csv")}
    if set(lsoa16) != set(lsoa17):
        sys.exit("211.csv and 143.csv do not cover the same LSOAs")
    ccgs = sorted({(r["CCG16CD"], r["CCG16CDH"], r["CCG16NM"]) for r in lsoa16.values()})
    per_stp: dict[str, Counter] = defaultdict(Counter)
    per_ccg17: dict[str, Counter] = defaultdict(Counter)
    for lsoa, r in lsoa16.items():
        per_stp[r["CCG16CD"]][lsoa17[lsoa]["STP17CD"]] += 1
        per_ccg17[r["CCG16CD"]][lsoa17[lsoa]["CCG17CD"]] += 1
    mapping = []
    for ccg, counts in sorted(per_stp.items()):
        total = sum(counts.values())
        for stp, n in sorted(counts.items()):
            mapping.append([ccg, stp, n, f"{n / total:.4f}", "1" if len(counts) > 1 else "0"])
    changed = {c: n for c, n in per_ccg17.items() if list(n) != [c]}  # same code, same area: unchanged
    whole_into = Counter(next(iter(n)) for n in changed.values() if len(n) == 1)
    changes = []
    for ccg16, counts in sorted(changed.items()):
        total = sum(counts.values())
        for ccg17, n in sorted(counts.items()):
            # split: the 2016 CCG was divided; merged: several 2016 CCGs went whole into one; moved: recoded whole
            kind = "split" if len(counts) > 1 else ("merged" if whole_into[ccg17] > 1 else "moved")
            changes.append([ccg16, ccg17, n, f"{n / total:.4f}", kind])
    return [list(c) for c in ccgs], mapping, changes


def camel_name(url: str) -> str:
    """'MHPH_Cornwall%26theIslesOfScillySTP_FINAL_20170526.pdf' -> 'Cornwall&theIslesOfScilly'."""
    stem = unquote(url.rsplit("/", 1)[-1])
    match = re.match(r"MHPH_(.+?)STP_FINAL", stem)
    if not match:
        sys.exit(f"unexpected plan URL: {url}")
    return match.group(1)


def build_variants(ons: Path, variants_dir: Path, stp_codes: set[str]) -> list[list]:
    rows: set[tuple[str, str, str]] = set()
    for r in read_csv(variants_dir / "Trust-STP-lookup.csv"):
        rows.add((r["STP_code"], r["STP"], "trust_lookup"))
    for r in read_csv(ons / "028.csv"):
        # 2019 codes that did not exist in 2017 (E54000049, the merged Cumbria and North East) are skipped.
        if r["STP19CD"] in stp_codes:
            rows.add((r["STP19CD"], r["STP19NM"], "ons_2019"))
    for r in read_csv(variants_dir / "stp_extra_data.csv"):
        # This file keys West, North and East Cumbria by its 2017 code E54000047 (never E54000049).
        rows.add((r["stp17cd"], camel_name(r["url"]), "plan_url"))
    for _region, name, code, _verdict in APPENDIX3:
        rows.add((code, name, "appendix3_2017"))
    unknown = {code for code, _, _ in rows} - stp_codes
    if unknown:
        sys.exit(f"variants name unknown STP codes: {sorted(unknown)}")
    return [list(r) for r in sorted(rows)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--out", type=Path, default=ROOT / "svmine" / "footprints" / "data")
    args = parser.parse_args(argv)
    ons = args.shared / "data" / "ccg_stp_lookup" / "ons-lookups" / "csv"
    variants_dir = args.shared / "data" / "stp_name_variants"
    if not ons.is_dir():
        print(f"ONS lookups not found at {ons}", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    regions, ccg_region = build_regions(ons)
    stps, ccgs17, map17 = build_2017(ons, ccg_region)
    ccgs16, map16, changes = build_2016(ons)
    stp_codes = {s[0] for s in stps}
    out = args.out
    write_csv(out / "regions.csv", ["code", "name", "short_name", "order"], regions)
    write_csv(out / "stps.csv", ["code", "name", "region_code"], stps)
    write_csv(out / "ccgs_2016.csv", ["code", "ods", "name"], ccgs16)
    write_csv(out / "ccgs_2017.csv", ["code", "ods", "name", "region_code"], ccgs17)
    map_header = ["ccg_code", "stp_code", "lsoas", "share", "split"]
    write_csv(out / "ccg_stp_2016.csv", map_header, map16)
    write_csv(out / "ccg_stp_2017.csv", map_header, map17)
    write_csv(out / "ccg_changes_2016_2017.csv", ["ccg16_code", "ccg17_code", "lsoas", "share", "change"], changes)
    write_csv(out / "stp_variants.csv", ["stp_code", "name", "source"], build_variants(ons, variants_dir, stp_codes))
    write_csv(out / "appendix3_2017.csv", ["region", "footprint", "stp_code", "verdict"], [list(r) for r in APPENDIX3])
    geo = args.shared / "data" / "nhs_geography_2021_2022"
    if not geo.is_dir():
        print(f"2021/2022 geography not found at {geo}", file=sys.stderr)
        return 2
    from build_eras import build_eras  # noqa: PLC0415 -- sibling module of this script

    organisations, atoms, variants = build_eras(ons, geo, regions, stps, ccgs16, ccgs17)
    write_csv(out / "organisations.csv", ORG_HEADER, organisations)
    write_csv(out / "lsoa_atoms.csv", ATOM_HEADER, atoms)
    write_csv(out / "era_variants.csv", ["geography", "code", "name", "source"], variants)
    return 0


if __name__ == "__main__":
    sys.exit(main())
