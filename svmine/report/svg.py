"""Inline SVG geometry for the report: the footprint map and the bar charts.

Only numbers and path strings are made here; the template writes the SVG elements (escaped by
jinja2). The map uses an equirectangular projection scaled by cos(latitude) at England's middle,
which keeps shapes honest at this size without a projection library.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

MAP_WIDTH = 460
MAP_PAD = 8


# geography -> the package file drawn for it (both made by scripts/simplify_boundaries.py)
BOUNDARY_FILES = {"stp2017": "stp_boundaries.json", "icb2022": "icb_boundaries.json"}
# what the map's credit line says the shapes are
BOUNDARY_LABELS = {"stp2017": "STPs, February 2017", "icb2022": "ICBs, July 2022"}


@lru_cache(maxsize=2)
def boundaries(geography: str = "stp2017") -> dict:
    """The simplified ONS boundaries of ``geography`` shipped with the package (see scripts/simplify_boundaries.py)."""
    name = BOUNDARY_FILES[geography]
    text = resources.files("svmine.report").joinpath(f"data/{name}").read_text(encoding="utf-8")
    return json.loads(text)


@dataclass
class MapShape:
    code: str
    name: str
    d: str  # SVG path data


# the five London footprints: the ICBs of July 2022 kept the codes of the five London STPs
LONDON = ("E54000027", "E54000028", "E54000029", "E54000030", "E54000031")


def project(features: list[dict], width: int, pad: int = MAP_PAD) -> tuple[list[MapShape], int, int]:
    """Fit ``features`` into ``width`` pixels: (one path per feature, width, height)."""
    points = [p for f in features for ring in f["rings"] for p in ring]
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    kx = math.cos(math.radians((min(lats) + max(lats)) / 2))
    span_x, span_y = (max(lons) - min(lons)) * kx, max(lats) - min(lats)
    scale = (width - 2 * pad) / span_x
    height = int(span_y * scale + 2 * pad)
    west, north = min(lons), max(lats)

    def xy(lon: float, lat: float) -> str:
        return f"{pad + (lon - west) * kx * scale:.1f} {pad + (north - lat) * scale:.1f}"

    shapes = [
        MapShape(f["code"], f["name"], " ".join("M" + " L".join(xy(*p) for p in ring) + " Z" for ring in f["rings"]))
        for f in features
    ]
    return shapes, width, height


def map_shapes(width: int = MAP_WIDTH, geography: str = "stp2017") -> tuple[list[MapShape], int, int]:
    """England: (one path per footprint of ``geography``, svg width, svg height)."""
    return project(boundaries(geography)["features"], width)


def london_inset(width: int = 150, geography: str = "stp2017") -> tuple[list[MapShape], int, int]:
    """The five London footprints, too small to see on the England map, drawn larger."""
    feats = [f for f in boundaries(geography)["features"] if f["code"] in LONDON]
    shapes, w, h = project(feats, width, pad=10)
    return shapes, w, h + 12


@dataclass
class Bar:
    label: str
    value: int
    x: float
    width: float
    css: str


@dataclass
class BarRow:
    label: str
    y: float
    total: int
    bars: list[Bar]


def stacked_bars(rows: list[tuple[str, list[tuple[str, int, str]]]], width: int = 420,
                 row_height: int = 34, label_width: int = 130) -> tuple[list[BarRow], int, int]:
    """Horizontal stacked bars: rows of (label, [(segment label, value, css class)])."""
    biggest = max([sum(v for _, v, _ in segs) for _, segs in rows] + [1])
    unit = (width - label_width - 40) / biggest
    out = []
    for i, (label, segments) in enumerate(rows):
        x = float(label_width)
        bars = []
        for seg_label, value, css in segments:
            if value:
                bars.append(Bar(seg_label, value, x, value * unit, css))
                x += value * unit
        out.append(BarRow(label, 10 + i * row_height, sum(v for _, v, _ in segments), bars))
    return out, width, 10 + len(rows) * row_height
