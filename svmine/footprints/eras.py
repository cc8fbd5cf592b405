"""NHS geographies of every era, 2016-2022, and LSOA-share crosswalks between them.

Package data (built by ``scripts/build_reference.py``, see ``data/SOURCES.md``):
``organisations.csv`` (one row per geography and code), ``lsoa_atoms.csv`` (LSOAs counted by
the code they have in each LSOA-based geography) and ``era_variants.csv`` (other names).

A *geography* is one era's list of one kind of organisation: ``ccg2016``, ``ccg2017``,
``ccg2020``, ``ccg2021``, ``stp2017``, ``stp2020``, ``sub_icb2022``, ``icb2022``,
``region2017``, ``region2022``. Kinds form two lineages: CCG -> Sub ICB Location (the 106 Sub
ICB Locations of July 2022 are the 106 CCGs of April 2021, three of them split) and STP -> ICB.

Decisions:
- A crosswalk share is the share of the *from* organisation's LSOAs that lie in the *to*
  organisation (LSOAs, not population: the lookups give no weights). Shares of one from-code sum
  to 1.0 exactly in the data; printed shares are rounded to 4 places.
- Successors and predecessors are crosswalks between geographies of one lineage; "unchanged"
  means the same code with the same LSOAs.
"""

from __future__ import annotations

import csv
import functools
import io
from collections import defaultdict
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from svmine.errors import ReferenceDataError

DATA_PACKAGE = "svmine.footprints.data"

# Geography -> (kind, year it is the list of). Order = chronological within a kind.
GEOGRAPHIES: dict[str, tuple[str, int]] = {
    "ccg2016": ("ccg", 2016),
    "ccg2017": ("ccg", 2017),
    "ccg2020": ("ccg", 2020),
    "ccg2021": ("ccg", 2021),
    "sub_icb2022": ("sub_icb", 2022),
    "stp2017": ("stp", 2017),
    "stp2020": ("stp", 2020),
    "icb2022": ("icb", 2022),
    "region2017": ("region", 2017),
    "region2022": ("region", 2022),
}
LSOA_GEOGRAPHIES = ("ccg2016", "ccg2017", "stp2017", "ccg2020", "stp2020", "ccg2021", "sub_icb2022", "icb2022",
                    "region2017", "region2022")
LINEAGES = {"ccg": ("ccg2016", "ccg2017", "ccg2020", "ccg2021", "sub_icb2022"),
            "sub_icb": ("ccg2016", "ccg2017", "ccg2020", "ccg2021", "sub_icb2022"),
            "stp": ("stp2017", "stp2020", "icb2022"),
            "icb": ("stp2017", "stp2020", "icb2022"),
            "region": ("region2017", "region2022")}
# Which geography a year means for each kind (the list in force on 1 April, or July 2022 onwards).
# The years 2018 and 2019 have no LSOA lookup in the sources, so they are refused, not guessed.
_YEAR_GEOGRAPHY = {
    "ccg": {2016: "ccg2016", 2017: "ccg2017", 2020: "ccg2020", 2021: "ccg2021"},
    "stp": {2016: "stp2017", 2017: "stp2017", 2020: "stp2020", 2021: "stp2020"},
    "sub_icb": {}, "icb": {},
    "region": {2017: "region2017", 2018: "region2017"},
}
FIRST_ICB_YEAR = 2022
# NHS England's own order of its seven regions in publications (north to south, London before the south).
REGION_ORDER_2022 = ("E40000012", "E40000010", "E40000011", "E40000007", "E40000003", "E40000005", "E40000006")


def region_geography(geography: str) -> str:
    """The region list an organisation of ``geography`` carries (4 regions up to 2017, 7 after)."""
    return "region2017" if geography in ("ccg2016", "ccg2017", "stp2017", "region2017") else "region2022"


def region_order(region_geo: str) -> dict[str, int]:
    """Region code -> position: the 2017 report's order (North, Midlands and East, London, South), or NHS England's."""
    if region_geo == "region2017":
        from svmine.footprints.reference import load_reference

        return {r.code: r.order for r in load_reference().regions.values()}
    return {code: i + 1 for i, code in enumerate(REGION_ORDER_2022)}


@dataclass(frozen=True)
class Organisation:
    geography: str
    code: str
    ods: str
    name: str
    type: str  # ccg, stp, sub_icb, icb, region
    valid_from: str  # ISO date
    valid_to: str  # ISO date, "" while current
    parent_code: str  # STP of a CCG, ICB of a Sub ICB Location
    region_code: str

    @property
    def era(self) -> str:
        return f"{self.valid_from[:7]} to {self.valid_to[:7] or 'now'}"


@dataclass(frozen=True)
class Link:
    from_code: str
    to_code: str
    lsoas: int
    share: float  # share of the from-organisation's LSOAs in the to-organisation


@dataclass(frozen=True)
class EraVariant:
    geography: str
    code: str
    name: str
    source: str  # typed, ons_2019, ccg2021_place


class Eras:
    def __init__(self, orgs: list[Organisation], atoms: list[tuple[dict[str, str], int]], variants: list[EraVariant]):
        self.orgs: dict[str, dict[str, Organisation]] = defaultdict(dict)
        for o in orgs:
            self.orgs[o.geography][o.code] = o
        # Regions are unions of whole CCGs (2017) and ICBs (2022), so their LSOAs follow from those.
        self._atoms = [({**atom, "region2017": self.orgs["ccg2017"][atom["ccg2017"]].region_code,
                         "region2022": self.orgs["icb2022"][atom["icb2022"]].region_code}, n) for atom, n in atoms]
        self.variants = variants

    def geography(self, geography: str) -> dict[str, Organisation]:
        if geography not in GEOGRAPHIES:
            raise ReferenceDataError(f"unknown geography {geography!r}; use one of {', '.join(GEOGRAPHIES)}")
        return self.orgs[geography]

    def org(self, geography: str, code: str) -> Organisation:
        return self.geography(geography)[code]

    @functools.lru_cache(maxsize=64)  # noqa: B019 -- Eras objects live as long as the process (cached loader)
    def crosswalk(self, from_geo: str, to_geo: str) -> tuple[Link, ...]:
        """Every (from, to) pair sharing LSOAs, with the share of *from*'s LSOAs; sorted by code, largest share first."""
        for g in (from_geo, to_geo):
            self.geography(g)
            if g not in LSOA_GEOGRAPHIES:
                raise ReferenceDataError(f"no LSOA lookup for {g}; crosswalks join {', '.join(LSOA_GEOGRAPHIES)}")
        pairs: dict[tuple[str, str], int] = defaultdict(int)
        totals: dict[str, int] = defaultdict(int)
        for atom, n in self._atoms:
            pairs[atom[from_geo], atom[to_geo]] += n
            totals[atom[from_geo]] += n
        links = [Link(f, t, n, n / totals[f]) for (f, t), n in pairs.items()]
        return tuple(sorted(links, key=lambda link: (link.from_code, -link.lsoas, link.to_code)))

    def links(self, from_geo: str, code: str, to_geo: str) -> list[Link]:
        """Where ``code`` of ``from_geo`` lies in ``to_geo`` (successors when to is later, predecessors when earlier)."""
        return [link for link in self.crosswalk(from_geo, to_geo) if link.from_code == code]

    def unchanged(self, from_geo: str, code: str, to_geo: str) -> bool:
        """The same code with the same LSOAs in both geographies."""
        there = self.links(from_geo, code, to_geo)
        back = self.links(to_geo, code, from_geo) if code in self.orgs[to_geo] else []
        return [link.to_code for link in there] == [code] and [link.to_code for link in back] == [code]

    def region_of(self, org: Organisation) -> Organisation | None:
        return self.orgs[region_geography(org.geography)].get(org.region_code)


def geography_for(kind: str, year: int) -> str:
    """The geography of ``kind`` in force in ``year``; a clear error when the sources have none."""
    if kind in ("icb", "sub_icb"):
        if year >= FIRST_ICB_YEAR:
            return f"{kind}{FIRST_ICB_YEAR}"
        raise ReferenceDataError(f"{'ICBs' if kind == 'icb' else 'Sub ICB Locations'} exist from July 2022;"
                                 f" for {year} use --kind {'stp' if kind == 'icb' else 'ccg'}")
    if kind == "region" and year >= FIRST_ICB_YEAR:
        return "region2022"
    table = _YEAR_GEOGRAPHY.get(kind)
    if table is None:
        raise ReferenceDataError(f"unknown kind {kind!r}; use one of {', '.join(LINEAGES)}")
    if year in table:
        return table[year]
    if kind in ("ccg", "stp") and year >= FIRST_ICB_YEAR:
        later = "sub_icb" if kind == "ccg" else "icb"
        raise ReferenceDataError(f"{kind.upper()}s were replaced in July 2022; for {year} use --kind {later}")
    years = ", ".join(map(str, sorted(table))) + (" or 2022 onwards" if kind == "region" else "")
    raise ReferenceDataError(f"no {kind.upper()} list for {year} in the reference data; use one of {years}")


def _rows(name: str, data_dir: Path | None) -> list[dict[str, str]]:
    if data_dir is not None:
        text = (Path(data_dir) / name).read_text(encoding="utf-8")
    else:
        text = resources.files(DATA_PACKAGE).joinpath(name).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def load_eras(data_dir: Path | str | None = None) -> Eras:
    """Load (and cache) the era data; ``data_dir`` overrides the package data (tests)."""
    return _load(str(data_dir) if data_dir else None)


@functools.lru_cache(maxsize=4)
def _load(data_dir: str | None) -> Eras:
    path = Path(data_dir) if data_dir else None
    try:
        orgs = [Organisation(**r) for r in _rows("organisations.csv", path)]
        known = {(o.geography, o.code) for o in orgs}
        for i, o in enumerate(orgs):
            if o.geography not in GEOGRAPHIES:
                raise ReferenceDataError(f"line {i + 2}: unknown geography {o.geography!r}", path="organisations.csv")
        atoms = []
        for i, r in enumerate(_rows("lsoa_atoms.csv", path)):
            n = int(r.pop("lsoas"))
            for geo, code in r.items():
                if (geo, code) not in known:
                    raise ReferenceDataError(f"line {i + 2}: unknown {geo} code {code}", path="lsoa_atoms.csv")
            atoms.append((r, n))
        variants = []
        for i, r in enumerate(_rows("era_variants.csv", path)):
            if (r["geography"], r["code"]) not in known:
                raise ReferenceDataError(f"line {i + 2}: unknown {r['geography']} code {r['code']}", path="era_variants.csv")
            variants.append(EraVariant(**r))
    except (KeyError, TypeError, ValueError, OSError) as exc:
        raise ReferenceDataError(f"era reference data unreadable: {exc}") from exc
    return Eras(orgs, atoms, variants)
