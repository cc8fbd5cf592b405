"""The footprints a table lists: the 44 STPs of 2016/17 in the report's region order, and CCGs.

A thin adapter over ``svmine.footprints.reference.load_reference()`` so the table code works on
three small frozen records and tests can pass their own lists.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache


@lru_cache(maxsize=1)
def region_order() -> tuple[str, ...]:
    """The 2017 report's regions (short names) in its order, from the reference's regions.csv."""
    from svmine.footprints.reference import load_reference

    regions = load_reference().regions.values()
    return tuple(r.short_name for r in sorted(regions, key=lambda r: r.order))


@dataclass(frozen=True)
class Footprint:
    code: str
    name: str
    region: str


@dataclass(frozen=True)
class Ccg:
    code: str
    name: str
    footprint_code: str


@lru_cache(maxsize=1)
def load_footprints() -> tuple[tuple[Footprint, ...], tuple[Ccg, ...]]:
    """(STPs in the report's order, CCGs of April 2017) from the footprints reference data.

    Within a region the footprints follow Appendix 3's order (alphabetical by the report's
    names), so a table reads side by side with the report.
    """
    from svmine.footprints.reference import load_reference

    ref = load_reference()
    report_rank = {row.stp_code: i for i, row in enumerate(ref.appendix3)}
    stps = sorted(
        ref.stps.values(),
        key=lambda s: (ref.regions[s.region_code].order, report_rank.get(s.code, len(report_rank)), s.name),
    )
    footprints = tuple(Footprint(s.code, s.name, ref.regions[s.region_code].short_name) for s in stps)
    ccgs = tuple(
        Ccg(m.ccg_code, ref.ccgs[2017][m.ccg_code].name, m.stp_code)
        for m in sorted(ref.ccg_stp[2017], key=lambda m: ref.ccgs[2017][m.ccg_code].name.lower())
    )
    return footprints, ccgs


TABLE_GEOGRAPHIES = ("stp2017", "icb2022")


@lru_cache(maxsize=4)
def load_geography(geography: str = "stp2017") -> tuple[Footprint, ...]:
    """The rows of a table by ``geography``: the 44 STPs of 2016/17, or the 42 ICBs of July 2022.

    ICBs are grouped by NHS England's seven regions in its own publication order (North East and
    Yorkshire, North West, Midlands, East of England, London, South East, South West), then by name.
    """
    if geography == "stp2017":
        return load_footprints()[0]
    if geography not in TABLE_GEOGRAPHIES:
        from svmine.errors import SvmineError

        raise SvmineError(f"no table by {geography!r}; use one of {', '.join(TABLE_GEOGRAPHIES)}")
    from svmine.footprints.eras import load_eras, region_order

    eras = load_eras()
    order, regions = region_order("region2022"), eras.orgs["region2022"]
    icbs = sorted(eras.geography(geography).values(), key=lambda o: (order[o.region_code], o.name))
    return tuple(Footprint(o.code, o.name, regions[o.region_code].name) for o in icbs)

