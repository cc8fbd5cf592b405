"""``svmine assess`` outputs: the table per organisation (terminal, CSV, XLSX, JSON) with the
report's summary (counts and shares per scale, the commitment x evidence x approach matrix, the top
group by region), ``--explain`` (the decision path with each signal's rule, document, page and
quote) and ``--compare`` (agreement and Cohen's kappa per scale against a reference CSV).

Every file goes through ``svmine.outputs`` (atomic, never over an input; CSV/XLSX cells that would
run as formulas stay text). In the terminal table a rating an auditor overrode is marked ``*``
and an organisation waiting for review (conflicting signals) ``!``.
"""

from __future__ import annotations

import csv
import io
import json
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

from svmine.assess.decide import table_text
from svmine.assess.model import SCALES, TOP_GROUP, Assessment, check_rating
from svmine.assess.orgs import org_by_code
from svmine.assess.summary import matrix, scale_counts, top_group_by_region
from svmine.errors import SvmineError
from svmine.outputs import SafeWriter, atomic_path, truncate, write_text

REGION_ORDER = ("North", "Midlands and East", "London", "South")
CSV_COLUMNS = ("org_code", "org_name", "org_type", "region", "commitment", "evidence", "approach", "confidence",
               "needs_review", "overridden", "documents", "signals")


class AssessInputError(SvmineError):
    code = "assess_input"


def _ordered(assessments: list[Assessment]) -> list[Assessment]:
    def key(a: Assessment):
        return (REGION_ORDER.index(a.region) if a.region in REGION_ORDER else len(REGION_ORDER), a.region, a.org_name)
    return sorted(assessments, key=key)


def _cell(a: Assessment, scale: str) -> str:
    return getattr(a, scale) + ("*" if scale in a.overridden else "")


def _signal_list(a: Assessment) -> str:
    parts = []
    for s in a.signals:
        size = f" {s.value:g}" if s.value is not None else ""
        parts.append(f"{s.signal}{size} ({Path(s.document).name} p.{s.page})")
    return "; ".join(parts)


# -- the table ---------------------------------------------------------------------------------------

def render_table(assessments: list[Assessment], comparison: "Comparison | None" = None, notes: list[str] = ()) -> str:
    rows = [("", "Code", "Name", "Region", "Commitment", "Evidence", "Approach", "Conf", "Docs")]
    for a in _ordered(assessments):
        rows.append(("!" if a.needs_review else "", a.org_code, truncate(a.org_name, 44), truncate(a.region, 18),
                     _cell(a, "commitment"), _cell(a, "evidence"), _cell(a, "approach"), f"{a.confidence:.2f}",
                     str(a.documents)))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    legend = [text for flag, text in ((any(a.overridden for a in assessments), "* rating set by an auditor in svmine review"),
                                      (any(a.needs_review for a in assessments), "! signals conflict: waits for review"))
              if flag]
    if legend:
        lines.append("; ".join(legend))
    lines += ["", *summary_lines(assessments)]
    if comparison is not None:
        lines += ["", *comparison.lines()]
    lines += [f"note: {n}" for n in notes]
    return "\n".join(lines) + "\n"


def summary_lines(assessments: list[Assessment]) -> list[str]:
    total = len(assessments)
    lines = []
    for scale, counts in scale_counts(assessments).items():
        lines.append(f"{scale}: " + ", ".join(f"{v} {n} ({share:.0%})" for v, n, share in counts))
    lines.append("")
    lines.append(f"matrix (commitment x evidence x approach), cells with organisations, of {total}:")
    for cell in matrix(assessments):
        if cell.count:
            lines.append(f"  {cell.commitment}, {cell.evidence}, {cell.approach}: {cell.count} ({cell.share:.0%})")
    top = ", ".join(TOP_GROUP.values())
    lines.append("")
    lines.append(f"top group ({top}) by region:")
    for region, n, of in top_group_by_region(assessments):
        lines.append(f"  {region or '(no region)'}: {n} of {of}")
    return lines


def csv_text(assessments: list[Assessment]) -> str:
    buf = io.StringIO()
    writer = SafeWriter(buf, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for a in _ordered(assessments):
        writer.writerow(_record(a))
    return buf.getvalue()


def _record(a: Assessment) -> list:
    overridden = "; ".join(f"{s} by {who}" for s, who in a.overridden.items())
    return [a.org_code, a.org_name, a.org_type, a.region, a.commitment, a.evidence, a.approach, a.confidence,
            "yes" if a.needs_review else "no", overridden, a.documents, _signal_list(a)]


def json_text(assessments: list[Assessment], comparison: "Comparison | None" = None, notes: list[str] = ()) -> str:
    data = {
        "assessments": [a.to_dict() for a in _ordered(assessments)],
        "scales": {s: [{"rating": v, "count": n, "share": round(sh, 4)} for v, n, sh in c]
                   for s, c in scale_counts(assessments).items()},
        "matrix": [{"commitment": c.commitment, "evidence": c.evidence, "approach": c.approach, "count": c.count,
                    "share": round(c.share, 4)} for c in matrix(assessments)],
        "top_group_by_region": [{"region": r, "top_group": n, "assessed": of} for r, n, of in top_group_by_region(assessments)],
        "comparison": comparison.to_dict() if comparison else None,
        "notes": list(notes),
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def write_xlsx(assessments: list[Assessment], path: Path, comparison: "Comparison | None" = None) -> None:
    """Three sheets: Organisations (the CSV's columns), Signals (one row per signal with its
    quote), Summary (counts, matrix, top group, comparison). Cells that would run as formulas
    are stored as text (``tables.xlsx._no_formulas``)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from svmine.tables.xlsx import _no_formulas

    wb = Workbook()
    ws = wb.active
    ws.title = "Organisations"
    ws.append(list(CSV_COLUMNS))
    for a in _ordered(assessments):
        ws.append(_record(a))
        _no_formulas(ws[ws.max_row])
    signals = wb.create_sheet("Signals")
    signals.append(["org_code", "signal", "kind", "rule", "value", "document", "page", "quote"])
    for a in _ordered(assessments):
        for s in a.signals:
            signals.append([a.org_code, s.signal, s.kind, s.rule_id, s.value, s.document, s.page, s.quote])
            _no_formulas(signals[signals.max_row])
    summary = wb.create_sheet("Summary")
    for line in summary_lines(assessments) + (["", *comparison.lines()] if comparison else []):
        summary.append([line])
    for sheet in (ws, signals):
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
    wb.save(str(path))


def emit(text: str, out: str | Path | None, inputs=()) -> str | None:
    if out is None:
        return text
    write_text(out, text, inputs=inputs)
    return None


def write(result, fmt: str, out: str | Path | None, comparison: "Comparison | None" = None, inputs=()) -> str | None:
    """Render ``result`` as ``fmt``; the text (``out`` None) or None once ``out`` is written."""
    if fmt == "xlsx":
        if out is None:
            raise AssessInputError("--format xlsx needs --out FILE.xlsx")
        with atomic_path(out, inputs) as tmp:
            write_xlsx(result.assessments, tmp, comparison)
        return None
    if fmt == "csv":
        return emit(csv_text(result.assessments), out, inputs)
    if fmt == "json":
        return emit(json_text(result.assessments, comparison, result.notes), out, inputs)
    return emit(render_table(result.assessments, comparison, result.notes), out, inputs)


# -- --explain ---------------------------------------------------------------------------------------

def find_org(assessments: list[Assessment], query: str) -> Assessment:
    """The assessment of ``query``: a code (GSS or ODS), a whole name, or part of one name."""
    q = query.strip().lower()
    known = org_by_code(query)
    for a in assessments:
        if a.org_code.lower() == q or (known is not None and known.code == a.org_code):
            return a
    hits = [a for a in assessments if a.org_name.lower() == q] or [a for a in assessments if q in a.org_name.lower()]
    if len(hits) == 1:
        return hits[0]
    shown = ", ".join(f"{a.org_code} {a.org_name}" for a in (hits or assessments)[:8])
    why = "names several organisations" if hits else "is none of the organisations assessed"
    raise AssessInputError(f"--explain: {query!r} {why}; e.g. {shown}")


def explain(a: Assessment) -> str:
    lines = [f"{a.org_code} {a.org_name} ({a.org_type or 'organisation'}, {a.region or 'no region'}),"
             f" {a.documents} document(s)"]
    for scale in SCALES:
        who = f"  (overridden by {a.overridden[scale]}; the rules gave the rating on the path below)" if scale in a.overridden else ""
        lines.append(f"  {scale}: {getattr(a, scale)}{who}")
    lines.append(f"  confidence {a.confidence:.2f}{'; NEEDS REVIEW (signals conflict)' if a.needs_review else ''}")
    lines += ["", "decision table (first step that holds gives the rating):",
              *("  " + x for x in table_text().splitlines()), "", "decision path:"]
    for reason in a.reasons:
        lines += textwrap.wrap(reason, 110, initial_indent="  ", subsequent_indent="      ", break_on_hyphens=False)
    lines += ["", f"signals ({len(a.signals)}):"]
    for s in a.signals:
        size = f" = {s.value:g}" if s.value is not None else ""
        lines.append(f"  - {s.signal}{size} [{s.kind}, rule {s.rule_id}] {Path(s.document).name} p.{s.page}:")
        lines.append(f"      \"{truncate(s.quote, 300, tidy=True)}\"")
    if not a.signals:
        lines.append("  (none: no rule matched this organisation's documents)")
    return "\n".join(lines) + "\n"


# -- --compare ---------------------------------------------------------------------------------------

def load_reference_ratings(path: str | Path) -> dict[str, dict[str, str]]:
    """org_code -> {scale: rating} from a CSV ``org_code,commitment,evidence,approach`` (any subset of
    the scales; a blank cell is no reference). ``AssessInputError`` naming the line on a bad cell."""
    path = Path(path)
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            header = [(c or "").strip().lower() for c in reader.fieldnames or []]
            rows = list(reader)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise AssessInputError(f"--compare: cannot read {path} ({exc})") from None
    if "org_code" not in header or not set(SCALES) & set(header):
        raise AssessInputError(f"--compare: {path} needs an org_code column and one of {', '.join(SCALES)}")
    out: dict[str, dict[str, str]] = {}
    for line, row in enumerate(rows, 2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}
        code = row.get("org_code", "")
        if not code:
            continue
        known = org_by_code(code)
        ratings = {}
        for scale in SCALES:
            value = row.get(scale, "").lower()
            if value:
                try:
                    ratings[scale] = check_rating(scale, value)
                except ValueError as exc:
                    raise AssessInputError(f"--compare: {path}: line {line}: {exc}") from None
        out[known.code if known else code] = ratings
    return out


@dataclass
class Comparison:
    name: str
    per_scale: dict[str, tuple[int, int, float | None]] = field(default_factory=dict)  # agree, n, kappa
    disagreements: list[str] = field(default_factory=list)
    only_reference: list[str] = field(default_factory=list)
    not_in_reference: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"comparison with {self.name}:"]
        for scale, (agree, n, kappa) in self.per_scale.items():
            share = f"{agree / n:.0%}" if n else "n/a"
            k = f"{kappa:.2f}" if kappa is not None else "n/a"
            out.append(f"  {scale:<10} agreement {agree}/{n} ({share}), Cohen's kappa {k}")
        out += [f"  disagrees: {d}" for d in self.disagreements]
        if self.only_reference:
            out.append(f"  in the reference only (not assessed): {', '.join(self.only_reference)}")
        if self.not_in_reference:
            out.append(f"  assessed, not in the reference: {', '.join(self.not_in_reference)}")
        return out

    def to_dict(self) -> dict:
        return {"reference": self.name,
                "scales": {s: {"agree": a, "n": n, "kappa": k} for s, (a, n, k) in self.per_scale.items()},
                "disagreements": self.disagreements, "only_reference": self.only_reference,
                "not_in_reference": self.not_in_reference}


def compare(assessments: list[Assessment], reference: dict[str, dict[str, str]], name: str) -> Comparison:
    """Agreement and Cohen's kappa (``review.agreement.cohen_kappa``) per scale over the
    organisations both rate on that scale; the ratings compared are the ones shown (overrides applied)."""
    from svmine.review.agreement import cohen_kappa

    ours = {a.org_code: a for a in assessments}
    result = Comparison(name)
    for scale in SCALES:
        pairs = [(getattr(ours[c], scale), r[scale]) for c, r in sorted(reference.items()) if c in ours and scale in r]
        agree = sum(x == y for x, y in pairs)
        result.per_scale[scale] = (agree, len(pairs), cohen_kappa([x for x, _ in pairs], [y for _, y in pairs]))
        result.disagreements += [f"{c} {scale}: svmine {getattr(ours[c], scale)!r}, reference {r[scale]!r}"
                                 for c, r in sorted(reference.items())
                                 if c in ours and scale in r and getattr(ours[c], scale) != r[scale]]
    result.only_reference = sorted(c for c in reference if c not in ours)
    result.not_in_reference = sorted(c for c in ours if c not in reference)
    return result
