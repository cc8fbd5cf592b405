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
    year: int = 2017,
    context_column: str | None = None,
    out: TextIO | None = None,
) -> MatchSummary:
    """Resolve ``column`` of ``src`` and write the CSV with the ``MATCH_COLUMNS`` added to ``out``."""
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
