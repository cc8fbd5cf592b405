"""What the 2017 report printed about its ratings: counts and shares per scale, the full
commitment x evidence x approach matrix, and where the top group ("highly committed, evidenced and
active") sits by region. Used by ``svmine assess`` and the HTML report, so both say the same."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product

from svmine.assess.model import APPROACH, COMMITMENT, EVIDENCE, SCALES, Assessment


@dataclass(frozen=True)
class Cell:
    commitment: str
    evidence: str
    approach: str
    count: int
    share: float  # of all organisations assessed (0.0 when there are none)


def scale_counts(assessments: list[Assessment]) -> dict[str, list[tuple[str, int, float]]]:
    """scale -> [(rating, count, share)] in the scale's order, zero counts included."""
    total = len(assessments)
    out = {}
    for scale, values in SCALES.items():
        counts = [sum(1 for a in assessments if getattr(a, scale) == v) for v in values]
        out[scale] = [(v, n, n / total if total else 0.0) for v, n in zip(values, counts)]
    return out


def matrix(assessments: list[Assessment]) -> list[Cell]:
    """Every commitment x evidence x approach cell (zero counts included), in the scales' order."""
    total = len(assessments)
    cells = []
    for c, e, a in product(SCALES[COMMITMENT], SCALES[EVIDENCE], SCALES[APPROACH]):
        n = sum(1 for x in assessments if (x.commitment, x.evidence, x.approach) == (c, e, a))
        cells.append(Cell(c, e, a, n, n / total if total else 0.0))
    return cells


def top_group_by_region(assessments: list[Assessment]) -> list[tuple[str, int, int]]:
    """[(region, organisations in the top group, organisations assessed)] for every region with an
    assessed organisation, most top-group members first, then by name; no region reads as ''."""
    regions: dict[str, list[int]] = {}
    for a in assessments:
        counts = regions.setdefault(a.region or "", [0, 0])
        counts[0] += int(a.top_group)
        counts[1] += 1
    return sorted(((r, top, n) for r, (top, n) in regions.items()), key=lambda t: (-t[1], t[0]))
