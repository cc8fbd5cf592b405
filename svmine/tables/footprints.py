"""The footprints a table lists: the 44 STPs of 2016/17 in the report's region order, and CCGs.

A thin adapter over ``svmine.footprints.reference.load_reference()`` so the table code works on
three small frozen records and tests can pass their own lists.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

REGION_ORDER = ("North", "Midlands and East", "London", "South")


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
