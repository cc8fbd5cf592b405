"""CSV in, CSV out: the library side of ``svmine match`` and ``svmine footprints``."""

from __future__ import annotations

import csv
import io
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from svmine.errors import SvmineError
from svmine.footprints.reference import Reference, load_reference
from svmine.footprints.resolver import CONFIDENT, Resolution, Resolver
from svmine.outputs import SafeDictWriter, SafeWriter

MATCH_COLUMNS = ("code", "official_name", "footprint", "region", "score", "runner_up", "margin", "status", "reason")


@dataclass
class MatchSummary:
    rows: int
    review: int  # status review: a human must look
    no_match: int
    columns: list[str]  # the names the added columns got (prefixed "match_" on a clash)


def describe(res: Resolution, kind: str, year: int, ref: Reference) -> dict[str, str]:
    """The added columns for one resolution (several matches are joined with "; ")."""
    codes = [m.code for m in res.matches]
    footprints: list[str] = []
    regions: list[str] = []
    for code in codes:
        if kind == "stp":
            footprints.append(f"{code} {ref.stps[code].name}")
            regions.append(ref.region_of_stp(code).short_name)
        elif kind == "ccg":
            maps = ref.stp_mappings(code, year)
            for m in maps:
                split = f" ({100 * m.share:.0f}% of LSOAs, split)" if m.split else ""
                footprints.append(f"{m.stp_code} {ref.stps[m.stp_code].name}{split}")
                regions.append(ref.region_of_stp(m.stp_code).short_name)
        else:
            regions.append(ref.regions[code].short_name)
    return {
        "code": "; ".join(codes),
        "official_name": "; ".join(m.name for m in res.matches),
        "footprint": "; ".join(dict.fromkeys(footprints)),
        "region": "; ".join(dict.fromkeys(regions)),
        "score": f"{res.score:.1f}",
        "runner_up": res.runner_up.name if res.runner_up else "",
        "margin": f"{res.margin:.1f}",
        "status": res.status,
        "reason": res.reason,
    }


def _read_rows(src: Path) -> tuple[list[str], list[dict[str, str]]]:
    if not src.is_file():  # a FIFO would wait for a writer for ever, a device never ends
        raise SvmineError("not a regular file", str(src))
    try:
        text = src.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SvmineError("not a UTF-8 CSV file", str(src)) from exc
    if not text.strip():
        raise SvmineError("empty CSV file", str(src))
    try:
        reader = csv.DictReader(io.StringIO(text))
        header = list(reader.fieldnames or [])
        rows = list(reader)
    except csv.Error as exc:
        raise SvmineError(f"unreadable CSV: {exc}", str(src)) from exc
    if any(None in row for row in rows):
        line = next(i + 2 for i, row in enumerate(rows) if None in row)
        raise SvmineError(f"line {line} has more fields than the header", str(src))
    return header, rows


def match_csv(
    src: Path,
    column: str,
    *,
    kind: str = "stp",
    year: int | None = 2017,
    context_column: str | None = None,
    out: TextIO | None = None,
) -> MatchSummary:
    """Resolve ``column`` of ``src`` and write the CSV with the ``MATCH_COLUMNS`` added to ``out``.

    Kinds ``icb`` and ``sub_icb``, years other than 2016/2017 and ``year=None`` (any era) go to
    ``era_resolver.EraResolver`` and get an ``era`` column too (``ERA_MATCH_COLUMNS``)."""
    if not uses_2017_resolver(kind, year):
        return _match_csv_eras(src, column, kind=kind, year=year, context_column=context_column, out=out)
    header, rows = _read_rows(Path(src))
    for name in filter(None, (column, context_column)):
        if name not in header:
            raise SvmineError(f"no column {name!r}; columns are: {', '.join(header)}", str(src))
    ref = load_reference()
    resolver = Resolver(kind, year, reference=ref)
    contexts = [row.get(context_column) or None for row in rows] if context_column else None
    results = resolver.resolve_many([row.get(column) or "" for row in rows], contexts)
    added = [c if c not in header else f"match_{c}" for c in MATCH_COLUMNS]
    writer = SafeWriter(out or sys.stdout, lineterminator="\n")
    writer.writerow(header + added)
    for row, res in zip(rows, results):
        cols = describe(res, kind, year, ref)
        writer.writerow([row.get(h, "") for h in header] + [cols[c] for c in MATCH_COLUMNS])
    review = sum(r.status not in CONFIDENT and r.status != "no_match" for r in results)
    no_match = sum(r.status == "no_match" for r in results)
    return MatchSummary(len(rows), review, no_match, added)


def uses_2017_resolver(kind: str, year: int | None) -> bool:
    """The 2016/2017 CCG, STP and region lists keep the resolver the 2017 report was checked with."""
    return kind in ("stp", "ccg", "region") and year in (2016, 2017)


ERA_MATCH_COLUMNS = ("code", "official_name", "footprint", "region", "score", "runner_up", "margin", "status", "era",
                     "reason")


def _match_csv_eras(src: Path, column: str, *, kind: str, year: int | None, context_column: str | None,
                    out: TextIO | None) -> MatchSummary:
    """``match_csv`` for any other kind or year (``year=None``: any era), with an ``era`` column."""
    from svmine.footprints.era_resolver import EraResolver, describe_era

    if context_column:
        raise SvmineError("--context-column works with the 2016/2017 CCG, STP and region lists only")
    resolver = EraResolver(kind, year)  # checked before the file is read: a bad year is a usage error
    header, rows = _read_rows(Path(src))
    if column not in header:
        raise SvmineError(f"no column {column!r}; columns are: {', '.join(header)}", str(src))
    results = resolver.resolve_many([row.get(column) or "" for row in rows])
    added = [c if c not in header else f"match_{c}" for c in ERA_MATCH_COLUMNS]
    writer = SafeWriter(out or sys.stdout, lineterminator="\n")
    writer.writerow(header + added)
    for row, res in zip(rows, results):
        cols = describe_era(res, resolver.eras)
        writer.writerow([row.get(h, "") for h in header] + [cols[c] for c in ERA_MATCH_COLUMNS])
    review = sum(r.status == "review" for r in results)
    no_match = sum(r.status == "no_match" for r in results)
    return MatchSummary(len(rows), review, no_match, added)


def geography_rows(geography: str, region: str | None = None) -> list[dict[str, str]]:
    """One era's organisations as rows, grouped by region in the published order, then by parent and name."""
    from svmine.footprints.era_resolver import GeographyResolver
    from svmine.footprints.eras import GEOGRAPHIES, load_eras, region_geography, region_order

    eras = load_eras()
    orgs = eras.geography(geography)
    region_geo = region_geography(geography)
    keep = None
    if region:
        res = GeographyResolver((region_geo,), eras=eras).resolve(region)
        if res.status not in CONFIDENT:
            names = ", ".join(o.name for o in eras.orgs[region_geo].values())
            raise SvmineError(f"unknown region {region!r} for {geography}; use one of: {names}")
        keep = res.best.code
    parent_geo = {"ccg2016": "stp2017", "ccg2017": "stp2017", "ccg2020": "stp2020", "ccg2021": "stp2020",
                  "sub_icb2022": "icb2022"}.get(geography)
    order = region_order(region_geo)
    regions = eras.orgs[region_geo]

    def parent_name(code: str) -> str:
        parent = eras.orgs[parent_geo].get(code) if parent_geo else None
        return parent.name if parent else ""

    chosen = [o for o in orgs.values() if not keep or o.region_code == keep]
    chosen.sort(key=lambda o: (order.get(o.region_code or o.code, 99), parent_name(o.parent_code), o.name, o.code))
    rows = []
    for o in chosen:
        row = {"code": o.code, "ods": o.ods, "name": o.name}
        if parent_geo:
            row.update({"parent_code": o.parent_code, "parent_name": parent_name(o.parent_code)})
        if GEOGRAPHIES[geography][0] != "region":
            row["region"] = regions[o.region_code].name if o.region_code in regions else ""
        row.update({"valid_from": o.valid_from, "valid_to": o.valid_to})
        rows.append(row)
    return rows


def crosswalk_rows(from_geo: str, to_geo: str) -> list[dict[str, str]]:
    """The LSOA-share crosswalk between two geographies, as CSV rows."""
    from svmine.footprints.eras import load_eras

    eras = load_eras()
    names_from, names_to = eras.geography(from_geo), eras.geography(to_geo)
    return [
        {"from_code": link.from_code, "from_name": names_from[link.from_code].name, "to_code": link.to_code,
         "to_name": names_to[link.to_code].name, "share": f"{link.share:.4f}"}
        for link in eras.crosswalk(from_geo, to_geo)
    ]


def footprint_rows(kind: str = "stp", year: int = 2017, region: str | None = None) -> list[dict[str, str]]:
    """The reference as rows, in the 2017 report's region order; ``region`` filters (any spelling)."""
    if kind not in ("stp", "ccg"):
        raise SvmineError(f"unknown kind {kind!r}; use stp or ccg")
    ref = load_reference()
    keep = None
    if region:
        res = Resolver("region", reference=ref).resolve(region)
        if res.status not in CONFIDENT:
            names = ", ".join(r.short_name for r in ref.region_order())
            raise SvmineError(f"unknown region {region!r}; use one of: {names}")
        keep = res.best.code
    order = {r.code: r.order for r in ref.regions.values()}
    stps = sorted(ref.stps.values(), key=lambda s: (order[s.region_code], s.name))
    rows = []
    for stp in stps:
        if keep and stp.region_code != keep:
            continue
        region_name = ref.regions[stp.region_code].short_name
        if kind == "stp":
            rows.append({"code": stp.code, "name": stp.name, "region": region_name,
                         "ccgs": str(len(ref.ccgs_in_stp(stp.code, year)))})
            continue
        for ccg in ref.ccgs_in_stp(stp.code, year):
            share = next(m for m in ref.stp_mappings(ccg.code, year) if m.stp_code == stp.code)
            rows.append({"code": ccg.code, "ods": ccg.ods, "name": ccg.name, "stp_code": stp.code,
                         "stp_name": stp.name, "region": region_name,
                         "split": f"{100 * share.share:.0f}%" if share.split else ""})
    return rows


def format_table(rows: list[dict[str, str]]) -> str:
    """Plain aligned columns for a terminal."""
    if not rows:
        return "(no rows)"
    cols = list(rows[0])
    widths = {c: max(len(c), *(len(r[c]) for r in rows)) for c in cols}
    lines = ["  ".join(c.ljust(widths[c]) for c in cols).rstrip()]
    lines += ["  ".join(r[c].ljust(widths[c]) for c in cols).rstrip() for r in rows]
    return "\n".join(lines)


def format_csv(rows: list[dict[str, str]]) -> str:
    buf = io.StringIO()
    if rows:
        writer = SafeDictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return buf.getvalue()
