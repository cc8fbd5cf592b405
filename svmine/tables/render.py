"""Renderers for a ``Table``: terminal text, Markdown, CSV, JSON (XLSX lives in ``xlsx.py``).

Every renderer works from the same flat records (``records``), so the formats never disagree.
Layout is fixed-width and independent of the terminal so output can be golden-tested.
"""

from __future__ import annotations

import io
import json
import textwrap
from typing import Any

from svmine.outputs import SafeDictWriter, truncate
from svmine.tables.build import Row, Table

CATEGORY_LABEL = {"social_value": "social value", "vcse": "VCSE"}
WIDTH = 110


def verdict_header(table: Table) -> str:
    return f"mentions {CATEGORY_LABEL[table.category]}"


def verdict_cell(row: Row) -> str:
    """The verdict with its mark: "yes (review)", "no (implicit only)", or the verdict alone."""
    if row.verdict == "yes" and row.review:
        return "yes (review)"
    if row.verdict == "no" and row.implicit_only:
        return "no (implicit only)"
    return row.verdict


# Counts and facts that belong to each category's table: a VCSE table shows no social value columns.
CATEGORY_COLUMNS = {
    "social_value": [
        ("explicit", "Explicit SV"),
        ("implicit", "Implicit SV"),
        ("implicit_only", "Implicit only (sentences)"),
        ("facts", "Policy facts"),
    ],
    "vcse": [("vcse", "VCSE")],
}


def columns(table: Table) -> list[tuple[str, str]]:
    """(key, header) pairs of the flat records, in output order."""
    cols = [("region", "Region")]
    if table.level != "footprint":
        cols += [("footprint_code", "Footprint code"), ("footprint_name", "Footprint")]
    name = {"footprint": "Footprint", "ccg": "CCG", "document": "Document"}[table.level]
    code = "sha256" if table.level == "document" else "Code"
    cols += [("name", name), ("code", code)]
    if table.level == "document":
        cols.append(("path", "Path"))
    cols += [
        ("documents", "Documents scanned"),
        ("failed", "Documents not read"),
        ("source", "Placed by"),
        ("verdict", verdict_header(table).capitalize()),
        ("review", "Review"),
        ("review_reasons", "Review reasons"),
        *CATEGORY_COLUMNS[table.category],
        ("first_evidence", "First evidence"),
        ("strongest_evidence", "Strongest evidence"),
    ]
    if table.comparison is not None:
        cols += [("reference", "Reference"), ("agrees", "Agrees")]
    return cols


def record(row: Row, table: Table) -> dict[str, Any]:
    """One row as flat scalars (lists joined with '; ')."""
    data = {
        "region": row.region,
        "footprint_code": row.footprint_code or "",
        "footprint_name": row.footprint_name or "",
        "name": row.name,
        "code": row.code,
        "documents": row.documents,
        "failed": row.failed,
        "source": row.source,
        "verdict": row.verdict,
        "review": "review" if row.review else "",
        "review_reasons": "; ".join(row.review_reasons),
        "explicit": row.explicit,
        "implicit": row.implicit,
        "implicit_only": row.implicit_only,
        "vcse": row.vcse,
        "path": row.path or "",
        "facts": "; ".join(row.facts),
        "first_evidence": row.first.label() if row.first else "",
        "strongest_evidence": row.strongest.label() if row.strongest else "",
        "reference": row.reference or "",
        "agrees": _agrees(row),
    }
    return {key: data[key] for key, _ in columns(table)}


def _agrees(row: Row) -> str:
    if row.reference not in ("yes", "no") or row.verdict not in ("yes", "no"):
        return ""
    return "yes" if row.reference == row.verdict else "NO"


def records(table: Table) -> list[dict[str, Any]]:
    return [record(row, table) for row in table.rows]


def title(table: Table) -> str:
    return f"svmine: {verdict_header(table)}, by {table.level}"


def _comparison_lines(table: Table) -> list[str]:
    comp = table.comparison
    if comp is None:
        return []
    lines = [comp.line()]
    for row in comp.disagreements:
        lines.append(f"  disagrees: {row.name} ({row.code}): svmine {row.verdict}, reference {row.reference}")
    return lines


# -- terminal ------------------------------------------------------------------------------------


LEGEND = {
    "social_value": (
        "key: Docs = documents read (+N! = N more could not be read); Expl/Impl = explicit/implicit social value"
        " mentions counted;\n"
        "     yes = an explicit mention of social value that is not negated, hypothetical, boilerplate or a reference"
        " (Appendix 3's question);\n"
        "     yes (review) = the yes rests only on weak evidence, headings or an uncertain placement;"
        " no (implicit only) = no explicit mention,\n"
        "     only implicit sentences (in the review queue); evidence = the strongest whole sentence (page, document)"
    ),
    "vcse": (
        "key: Docs = documents read (+N! = N more could not be read); VCSE = VCSE mentions counted;\n"
        "     yes = a VCSE mention that is not negated, hypothetical, boilerplate or a reference;"
        " yes (review) = weak evidence, headings\n"
        "     or an uncertain placement; evidence = the strongest whole sentence (page, document)"
    ),
}


def render_terminal(table: Table) -> str:
    lines = [title(table), f"documents placed by: {table.attribution}", *_comparison_lines(table), ""]
    counts = "Expl Impl" if table.category == "social_value" else "VCSE"
    ref = "  Ref" if table.comparison is not None else ""
    facts = "  Facts" if table.category == "social_value" else ""
    header = f"  {'Name':<40} {'Code':<12} {'Docs':>4}  {'Verdict':<18} {counts}{ref}{facts}"
    for region, rows in table.regions():
        lines += [region, header]
        last_group = None
        for row in rows:
            if row.footprint_name and row.footprint_name != last_group and table.level == "ccg":
                lines.append(f"  [{row.footprint_name} {row.footprint_code}]")
                last_group = row.footprint_name
            lines.extend(_terminal_row(row, table))
        lines.append("")
    lines.append("total: " + table.total_line())
    lines.append(LEGEND[table.category])
    lines += [f"note: {n}" for n in table.notes]
    return "\n".join(lines) + "\n"


def _terminal_row(row: Row, table: Table) -> list[str]:
    docs = f"{row.documents}" + (f"+{row.failed}!" if row.failed else "")
    ref = f"  {row.reference or '-':>3}" if table.comparison is not None else ""
    name = truncate(row.name, 40, keep_end=table.level == "document")
    if table.category == "social_value":
        counts, facts = f"{row.explicit:>4} {row.implicit:>4}", f"  {'; '.join(row.facts)}"
    else:
        counts, facts = f"{row.vcse:>4}", ""
    out = [f"  {name:<40} {truncate(row.code, 12):<12} {docs:>4}  {verdict_cell(row):<18} {counts}{ref}{facts}".rstrip()]
    if row.strongest:
        text = "evidence: " + row.strongest.label()
        out += textwrap.wrap(text, WIDTH, initial_indent="      ", subsequent_indent="        ")
    if row.review_reasons:
        out.append("      review: " + "; ".join(row.review_reasons))
    return out


# -- markdown ------------------------------------------------------------------------------------

MARKDOWN_COLUMNS = (
    "name", "code", "documents", "verdict", "explicit", "implicit", "implicit_only", "vcse", "facts",
    "strongest_evidence", "review_reasons", "source", "reference",
)


def _md(value: Any) -> str:
    return str(value).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def render_markdown(table: Table) -> str:
    cols = [(k, h) for k, h in columns(table) if k in MARKDOWN_COLUMNS or k == "footprint_name"]
    lines = [f"# {title(table)}", "", f"Documents placed by: {table.attribution}.", ""]
    lines += [f"- {line.strip()}" for line in _comparison_lines(table)]
    for region, rows in table.regions():
        lines += ["", f"## {region}", ""]
        lines.append("| " + " | ".join(h for _, h in cols) + " |")
        lines.append("|" + "|".join("---" for _ in cols) + "|")
        for row in rows:
            rec = record(row, table)
            rec["verdict"] = verdict_cell(row)
            lines.append("| " + " | ".join(_md(rec[k]) for k, _ in cols) + " |")
    lines += ["", f"**Total:** {_md(table.total_line())}", ""] + [f"_Note: {_md(n)}_" for n in table.notes]
    return "\n".join(lines).rstrip() + "\n"


# -- csv / json ----------------------------------------------------------------------------------


def render_csv(table: Table) -> str:
    buf = io.StringIO()
    writer = SafeDictWriter(buf, fieldnames=[k for k, _ in columns(table)], lineterminator="\n")
    writer.writeheader()
    writer.writerows(records(table))
    return buf.getvalue()


def table_dict(table: Table) -> dict[str, Any]:
    return {
        "category": table.category,
        "level": table.level,
        "placed_by": table.attribution,
        "min_probability": table.min_probability,
        "summary": table.summary(),
        "notes": table.notes,
        "comparison": table.comparison.to_dict() if table.comparison else None,
        "rows": [row.to_dict() for row in table.rows],
    }


def render_json(table: Table) -> str:
    return json.dumps(table_dict(table), indent=2, ensure_ascii=False) + "\n"


TEXT_RENDERERS = {
    "table": render_terminal,
    "markdown": render_markdown,
    "csv": render_csv,
    "json": render_json,
}
