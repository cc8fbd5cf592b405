"""Reference data for every era (2016-2022), called by ``build_reference.py``.

Three outputs, all aggregates of the ONS lookups (no input file is copied):

- ``organisations.csv``: one row per (geography, code): CCGs of April 2016, April 2017, April 2020
  and April 2021, STP footprints of 2017 and 2020, Sub ICB Locations and ICBs of July 2022, and
  the NHS England regions of 2017 (4) and 2022 (7). Parent (CCG -> STP, Sub ICB -> ICB) and region.
- ``lsoa_atoms.csv``: the 32,844 LSOAs grouped by the code they have in each LSOA-based
  geography, with the count. Any crosswalk between two geographies is a sum over these rows, so
  shares are shares of LSOAs (``svmine.footprints.eras``).
- ``era_variants.csv``: names other than the official one: the ICB/ICS short forms, acronyms and
  system brands typed below (public usage of the ICBs' own web sites and plans), the 2019 STP
  names, and the place names of Sub ICB Locations (the CCG of April 2021 with the same code and
  the same LSOAs).

Decisions:
- There is no LSOA lookup for April 2020 CCGs. A CCG of 2020 whose code also exists in 2021 has
  its 2021 area (ONS gives a new code when a boundary changes); one whose code exists in 2017
  has its 2017 area; the rest (only NHS East Berkshire CCG) gets the LSOAs left over inside its
  2021 CCG. The build stops if these areas do not partition England exactly.
- A parent or region that several parents share (NHS Cumbria CCG 2016) is the one holding most
  of the LSOAs; the crosswalk keeps the split.
"""

from __future__ import annotations

import sys
from collections import Counter, defaultdict
from pathlib import Path

from build_reference import read_csv

VALIDITY = {
    "ccg2016": ("2016-04-01", "2017-03-31"),
    "ccg2017": ("2017-04-01", "2018-03-31"),
    "ccg2020": ("2020-04-01", "2021-03-31"),
    "ccg2021": ("2021-04-01", "2022-06-30"),
    "stp2017": ("2016-03-01", "2018-03-31"),
    "stp2020": ("2020-04-01", "2022-06-30"),
    "sub_icb2022": ("2022-07-01", ""),
    "icb2022": ("2022-07-01", ""),
    "region2017": ("2017-04-01", "2019-03-31"),
    "region2022": ("2022-07-01", ""),
}
TYPE = {"ccg": "ccg", "stp": "stp", "sub_icb": "sub_icb", "icb": "icb", "region": "region"}

# ICB short forms, acronyms and system brands, typed from public usage. (code, name)
ICB_VARIANTS = [
    ("E54000008", "Cheshire and Merseyside Health and Care Partnership"),
    ("E54000008", "C&M ICB"),
    ("E54000010", "Staffordshire and Stoke-on-Trent ICS"),
    ("E54000010", "Staffs and Stoke"),
    ("E54000010", "SSOT ICB"),
    ("E54000010", "Together We're Better"),
    ("E54000011", "STW"),
    ("E54000011", "STW ICB"),
    ("E54000011", "Shropshire Telford and Wrekin"),
    ("E54000013", "Lincs ICB"),
    ("E54000015", "LLR"),
    ("E54000015", "LLR ICB"),
    ("E54000018", "Coventry and Warwickshire Health and Care Partnership"),
    ("E54000022", "Norfolk and Waveney Health and Care Partnership"),
    ("E54000023", "SNEE"),
    ("E54000023", "SNEE ICB"),
    ("E54000024", "BLMK"),
    ("E54000024", "BLMK ICB"),
    ("E54000025", "HWE"),
    ("E54000025", "HWE ICB"),
    ("E54000026", "MSE"),
    ("E54000026", "MSE ICB"),
    ("E54000027", "NWL"),
    ("E54000027", "NW London"),
    ("E54000027", "North West London Health and Care Partnership"),
    ("E54000028", "NCL"),
    ("E54000028", "NCL ICB"),
    ("E54000028", "North London Partners in Health and Care"),
    ("E54000029", "NEL"),
    ("E54000029", "NEL ICB"),
    ("E54000030", "SEL"),
    ("E54000030", "SEL ICB"),
    ("E54000030", "Our Healthier South East London"),
    ("E54000031", "SWL"),
    ("E54000031", "SWL ICB"),
    ("E54000031", "South West London Health and Care Partnership"),
    ("E54000032", "K&M ICB"),
    ("E54000034", "Frimley Health and Care"),
    ("E54000034", "Frimley Health and Care ICS"),
    ("E54000036", "Cornwall and Isles of Scilly"),
    ("E54000036", "CIOS ICB"),
    ("E54000037", "One Devon"),
    ("E54000039", "BNSSG"),
    ("E54000039", "BNSSG ICB"),
    ("E54000039", "Healthier Together BNSSG"),
    ("E54000040", "BSW"),
    ("E54000040", "BSW ICB"),
    ("E54000040", "BSW Together"),
    ("E54000041", "Our Dorset"),
    ("E54000042", "HIOW"),
    ("E54000042", "HIOW ICB"),
    ("E54000042", "Hampshire and the Isle of Wight"),
    ("E54000043", "One Gloucestershire"),
    ("E54000043", "One Gloucestershire ICS"),
    ("E54000044", "BOB"),
    ("E54000044", "BOB ICB"),
    ("E54000048", "LSC ICB"),
    ("E54000048", "Healthier Lancashire and South Cumbria"),
    ("E54000048", "Lancashire and South Cumbria Health and Care Partnership"),
    ("E54000050", "NENC"),
    ("E54000050", "NENC ICB"),
    ("E54000050", "North East and North Cumbria ICS"),
    ("E54000051", "HNY"),
    ("E54000051", "HNY ICB"),
    ("E54000051", "Humber and North Yorkshire Health and Care Partnership"),
    ("E54000052", "Surrey Heartlands Health and Care Partnership"),
    ("E54000053", "Sussex Health and Care"),
    ("E54000053", "Sussex Health and Care Partnership"),
    ("E54000054", "West Yorkshire Health and Care Partnership"),
    ("E54000054", "WY ICB"),
    ("E54000055", "BSol"),
    ("E54000055", "BSol ICB"),
    ("E54000056", "C&P ICB"),
    ("E54000056", "Cambridgeshire and Peterborough ICS"),
    ("E54000057", "NHS GM"),
    ("E54000057", "GM ICB"),
    ("E54000057", "Greater Manchester Integrated Care Partnership"),
    ("E54000058", "Joined Up Care Derbyshire"),
    ("E54000058", "JUCD"),
    ("E54000058", "Derbyshire ICB"),
    ("E54000059", "Northamptonshire Health and Care Partnership"),
    ("E54000060", "Nottingham and Nottinghamshire Health and Care"),
    ("E54000060", "Notts ICB"),
    ("E54000061", "SY ICB"),
    ("E54000061", "South Yorkshire Integrated Care Partnership"),
    ("E54000062", "The Black Country"),
    ("E54000062", "Black Country ICS"),
]


def _majority(counter: Counter) -> str:
    return sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]


def _ccg2020(ons: Path, lsoa17: dict[str, str], lsoa21: dict[str, str]) -> tuple[dict[str, str], list[dict]]:
    """LSOA -> April 2020 CCG (see the module docstring for the inference) and the 031 rows."""
    rows = read_csv(ons / "031.csv")
    codes20 = {r["CCG20CD"] for r in rows}
    out: dict[str, str] = {}
    for lsoa in lsoa21:
        if lsoa21[lsoa] in codes20:
            out[lsoa] = lsoa21[lsoa]
        elif lsoa17[lsoa] in codes20:
            out[lsoa] = lsoa17[lsoa]
    rest = codes20 - set(out.values())
    left = [lsoa for lsoa in lsoa21 if lsoa not in out]
    if len(rest) != 1 or not left or len({lsoa21[lsoa] for lsoa in left}) != 1:
        sys.exit(f"cannot place April 2020 CCGs {sorted(rest)} on {len(left)} LSOAs")
    code = rest.pop()
    out.update({lsoa: code for lsoa in left})
    return out, rows


def build_eras(ons: Path, geo: Path, regions17: list[list], stps17: list[list], ccgs16: list[list], ccgs17: list[list]):
    l16 = {r["LSOA11CD"]: r for r in read_csv(ons / "211.csv")}
    l17 = {r["LSOA11CD"]: r for r in read_csv(ons / "143.csv")}
    l21 = {r["LSOA11CD"]: r for r in read_csv(geo / "LSOA11_CCG21_LAD21_EN_LU.csv")}
    l22 = {r["LSOA11CD"]: r for r in read_csv(geo / "LSOA11_LOC22_ICB22_LAD22_EN_LU.derived-from-xlsx.csv")}
    if not (set(l16) == set(l17) == set(l21) == set(l22)):
        sys.exit("the LSOA lookups of 2016, 2017, 2021 and 2022 do not cover the same LSOAs")
    c20, rows20 = _ccg2020(ons, {k: r["CCG17CD"] for k, r in l17.items()}, {k: r["CCG21CD"] for k, r in l21.items()})
    stp20_of = {r["CCG20CD"]: r["STP20CD"] for r in rows20}
    atoms = Counter(
        (l16[k]["CCG16CD"], l17[k]["CCG17CD"], l17[k]["STP17CD"], c20[k], stp20_of[c20[k]], l21[k]["CCG21CD"],
         l22[k]["LOC22CD"], l22[k]["ICB22CD"])
        for k in sorted(l16)
    )
    cols = ["ccg2016", "ccg2017", "stp2017", "ccg2020", "stp2020", "ccg2021", "sub_icb2022", "icb2022"]
    atom_rows = [[*key, n] for key, n in sorted(atoms.items())]

    loc = read_csv(geo / "LOC22_ICB22_NHSER22_EN_LU.csv")
    region22 = {r["ICB22CD"]: r["NHSER22CD"] for r in loc}
    stp_region17 = {s[0]: s[2] for s in stps17}

    def spread(geo_from: str, geo_to: str) -> dict[str, Counter]:
        i, j = cols.index(geo_from), cols.index(geo_to)
        out: dict[str, Counter] = defaultdict(Counter)
        for key, n in atoms.items():
            out[key[i]][key[j]] += n
        return out

    def region_2022(geo_from: str) -> dict[str, str]:
        icbs = spread(geo_from, "icb2022")
        return {code: _majority(Counter({region22[i]: n for i, n in c.items()})) for code, c in icbs.items()}

    orgs: list[list] = []

    def add(geography: str, code: str, ods: str, name: str, parent: str, region: str) -> None:
        start, end = VALIDITY[geography]
        orgs.append([geography, code, ods, name, TYPE[geography.rstrip("0123456789")], start, end, parent, region])

    for code, name, _short, _order in regions17:
        add("region2017", code, "", name, "", "")
    for code, ods, name in sorted({(r["NHSER22CD"], r["NHSER22CDH"], r["NHSER22NM"]) for r in loc}):
        add("region2022", code, ods, name, "", "")
    for code, name, region in stps17:
        add("stp2017", code, "", name, "", region)
    stp16 = spread("ccg2016", "stp2017")
    for code, ods, name in ccgs16:
        parent = _majority(stp16[code])
        add("ccg2016", code, ods, name, parent, stp_region17[parent])
    stp17 = spread("ccg2017", "stp2017")
    for code, ods, name, region in ccgs17:
        add("ccg2017", code, ods, name, _majority(stp17[code]), region)
    reg = region_2022("stp2020")
    for code, ods, name in sorted({(r["STP20CD"], r["STP20CDH"], r["STP20NM"]) for r in rows20}):
        add("stp2020", code, ods, name, "", reg[code])
    reg = region_2022("ccg2020")
    for code, ods, name in sorted({(r["CCG20CD"], r["CCG20CDH"], r["CCG20NM"]) for r in rows20}):
        add("ccg2020", code, ods, name, stp20_of[code], reg[code])
    reg = region_2022("ccg2021")
    stp21 = spread("ccg2021", "stp2020")
    ccg21 = sorted({(r["CCG21CD"], r["CCG21CDH"], r["CCG21NM"]) for r in read_csv(geo / "ref_ccg21.csv")})
    for code, ods, name in ccg21:
        add("ccg2021", code, ods, name, _majority(stp21[code]), reg[code])
    for code, ods, name in sorted({(r["ICB22CD"], r["ICB22CDH"], r["ICB22NM"]) for r in loc}):
        add("icb2022", code, ods, name, "", region22[code])
    for r in sorted(loc, key=lambda r: r["LOC22CD"]):
        add("sub_icb2022", r["LOC22CD"], r["LOC22CDH"], r["LOC22NM"], r["ICB22CD"], r["NHSER22CD"])

    known = {(o[0], o[1]) for o in orgs}
    for key in atoms:
        for geography, code in zip(cols, key):
            if (geography, code) not in known:
                sys.exit(f"{geography} code {code} of the LSOA lookups has no name")

    variants: set[tuple[str, str, str, str]] = set()
    icb_codes = {o[1] for o in orgs if o[0] == "icb2022"}
    for code, name in ICB_VARIANTS:
        if code not in icb_codes:
            sys.exit(f"typed ICB variant {name!r} names unknown ICB {code}")
        variants.add(("icb2022", code, name, "typed"))
    stp20_codes = {o[1] for o in orgs if o[0] == "stp2020"}
    for r in read_csv(ons / "028.csv"):
        if r["STP19CD"] in stp20_codes:
            variants.add(("stp2020", r["STP19CD"], r["STP19NM"], "ons_2019"))
    # A Sub ICB Location is still known by its CCG's place name when both have one code and one area.
    same = spread("sub_icb2022", "ccg2021")
    back = spread("ccg2021", "sub_icb2022")
    names21 = {code: name for code, _, name in ccg21}
    for code, counts in same.items():
        if list(counts) == [code] and list(back[code]) == [code]:
            place = names21[code].removeprefix("NHS ").removesuffix(" CCG")
            variants.add(("sub_icb2022", code, place, "ccg2021_place"))
    return sorted(orgs, key=lambda o: (list(VALIDITY).index(o[0]), o[1])), atom_rows, [list(v) for v in sorted(variants)]
