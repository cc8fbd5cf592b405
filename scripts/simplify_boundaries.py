"""Make the small boundary files the HTML report draws its maps from.

Inputs (WGS84 lon/lat GeoJSON):
- ``--geography stp2017`` (default): the ONS "Sustainability and Transformation Partnerships
  (February 2017) Ultra Generalised Clipped Boundaries in England" (44 features) ->
  ``svmine/report/data/stp_boundaries.json``;
- ``--geography icb2022``: the ONS "Integrated Care Boards (July 2022) EN BUC" boundaries (42
  features, properties icb22cd/icb22nm) -> ``svmine/report/data/icb_boundaries.json``.

Per footprint its code, name and rings, simplified with Douglas-Peucker, tiny islands dropped,
coordinates rounded. The defaults are the settings the package files were made with.

    python scripts/simplify_boundaries.py ../shared/data/stp_boundaries/*.geojson
    python scripts/simplify_boundaries.py --geography icb2022 ../shared/data/nhs_geography_2021_2022/icb_boundaries.geojson

Contains ONS data © Crown copyright and database right 2017 (STPs) and 2022 (ICBs), Open
Government Licence v3.0.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path
from typing import NamedTuple

DATA = Path(__file__).resolve().parent.parent / "svmine" / "report" / "data"
OUT = DATA / "stp_boundaries.json"
CREDIT = "Contains ONS data © Crown copyright and database right 2017, Open Government Licence v3.0"
SOURCE = (
    "ONS Open Geography: Sustainability and Transformation Partnerships (February 2017) "
    "Ultra Generalised Clipped Boundaries in England"
)


class Layer(NamedTuple):
    """One map's input properties, credit and output file (a NamedTuple: the tests load this script by path)."""

    code_key: str
    name_key: str
    source: str
    credit: str
    out: Path


LAYERS = {
    "stp2017": Layer("stp17cd", "stp17nm", SOURCE, CREDIT, OUT),
    "icb2022": Layer(
        "icb22cd", "icb22nm",
        "ONS Open Geography: Integrated Care Boards (July 2022) Boundaries EN BUC (ultra generalised, clipped)",
        "Contains ONS data © Crown copyright and database right 2022, Open Government Licence v3.0",
        DATA / "icb_boundaries.json",
    ),
}


def _point_line_distance(p, a, b) -> float:
    (x, y), (x1, y1), (x2, y2) = p, a, b
    dx, dy = x2 - x1, y2 - y1
    if dx == dy == 0:
        return math.hypot(x - x1, y - y1)
    t = max(0.0, min(1.0, ((x - x1) * dx + (y - y1) * dy) / (dx * dx + dy * dy)))
    return math.hypot(x - (x1 + t * dx), y - (y1 + t * dy))


def douglas_peucker(points: list, tolerance: float) -> list:
    """Keep the points that stray more than ``tolerance`` from the simplified line (iterative)."""
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        best, index = 0.0, None
        for i in range(first + 1, last):
            d = _point_line_distance(points[i], points[first], points[last])
            if d > best:
                best, index = d, i
        if index is not None and best > tolerance:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [p for p, k in zip(points, keep) if k]


def ring_area(ring: list) -> float:
    return abs(sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1]))) / 2


def simplify_feature(geometry: dict, tolerance: float, min_area: float, digits: int) -> list:
    polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    outer = [poly[0] for poly in polygons]  # holes are not drawn: no STP encloses another
    largest = max(outer, key=ring_area)
    rings = []
    for ring in outer:
        if ring is not largest and ring_area(ring) < min_area:
            continue
        simple = douglas_peucker(ring, tolerance)
        simple = [[round(x, digits), round(y, digits)] for x, y in simple]
        simple = [p for i, p in enumerate(simple) if i == 0 or p != simple[i - 1]]
        if len(simple) >= 4:
            rings.append(simple)
    return rings


def simplify(path: Path, tolerance: float, min_area: float, digits: int, geography: str = "stp2017") -> dict:
    """The package file's content for ``geography`` (a key of ``LAYERS``) from the GeoJSON at ``path``."""
    layer = LAYERS[geography]
    data = json.loads(path.read_text(encoding="utf-8"))
    features = []
    for feat in sorted(data["features"], key=lambda f: f["properties"][layer.code_key]):
        props = feat["properties"]
        features.append({
            "code": props[layer.code_key],
            "name": props[layer.name_key],
            "rings": simplify_feature(feat["geometry"], tolerance, min_area, digits),
        })
    return {"source": layer.source, "credit": layer.credit, "crs": "WGS84 lon/lat", "features": features}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("geojson", type=Path)
    parser.add_argument("--geography", choices=sorted(LAYERS), default="stp2017")
    parser.add_argument("--out", type=Path, default=None, help="default: the package file of the geography")
    parser.add_argument("--tolerance", type=float, default=0.006, help="Douglas-Peucker tolerance, degrees")
    parser.add_argument("--min-area", type=float, default=0.002, help="drop islands smaller than this (deg²)")
    parser.add_argument("--digits", type=int, default=3, help="decimal places kept (3 = about 100 m)")
    args = parser.parse_args()
    result = simplify(args.geojson, args.tolerance, args.min_area, args.digits, args.geography)
    args.out = args.out or LAYERS[args.geography].out
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, separators=(",", ":"), ensure_ascii=False) + "\n", encoding="utf-8")
    points = sum(len(r) for f in result["features"] for r in f["rings"])
    print(f"{len(result['features'])} footprints, {points} points, {args.out.stat().st_size / 1024:.1f} KB -> {args.out}")


if __name__ == "__main__":
    main()
