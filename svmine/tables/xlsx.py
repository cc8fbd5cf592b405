"""XLSX output: a ``Summary`` sheet (counts per region, comparison, notes) and one sheet per region.

openpyxl is imported here only, so the rest of the table code stays light.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from svmine.outputs import spreadsheet_safe
from svmine.tables.build import Table
from svmine.tables.render import columns, record, title, verdict_cell

VERDICT_FILL = {"yes": "C6EFCE", "no": "E7E6E6", "no document": "FFFFFF", "not read": "FFC7CE"}
IMPLICIT_FILL = "E2EFDA"  # a "no" with implicit sentences only: lighter than a yes, not grey


def _sheet_name(name: str, used: set[str]) -> str:
    # Excel: at most 31 characters, none of []:*?/\ and unique.
    clean = "".join("-" if ch in "[]:*?/\\" else ch for ch in name)[:31] or "Sheet"
    candidate, n = clean, 2
    while candidate in used:
        candidate, n = f"{clean[:28]} {n}", n + 1
    used.add(candidate)
    return candidate


def write_xlsx(table: Table, path: str | Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    wb = Workbook()
    summary = wb.active
    summary.title = "Summary"
    _write_summary(summary, table, Font)
    used = {"Summary"}
    cols = columns(table)
    for region, rows in table.regions():
        ws = wb.create_sheet(_sheet_name(region, used))
        ws.append([h for _, h in cols])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        verdict_col = [k for k, _ in cols].index("verdict") + 1
        for row in rows:
            ws.append(list(record(row, table).values()))
            _no_formulas(ws[ws.max_row])
            cell = ws.cell(row=ws.max_row, column=verdict_col)
            cell.value = verdict_cell(row)
            fill = IMPLICIT_FILL if row.verdict == "no" and row.implicit_only else VERDICT_FILL.get(row.verdict, "FFFFFF")
            cell.fill = PatternFill("solid", fgColor=fill)
        for i, (key, _) in enumerate(cols, start=1):
            letter = ws.cell(row=1, column=i).column_letter
            wide = key.endswith("evidence") or key in ("facts", "review_reasons")
            ws.column_dimensions[letter].width = 60 if wide else 14 if key != "name" else 40
            if wide:
                for cell in ws[letter][1:]:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.freeze_panes = "A2"
    wb.save(str(path))


def _no_formulas(cells) -> None:
    """Document text stays text: a quote must never run as a formula.

    A cell ``spreadsheet_safe`` would quote (it starts with = + - @, a tab or CR) is stored as a
    string with Excel's "quote prefix" flag -- what typing a leading apostrophe does in Excel --
    so it reads as written, is never evaluated, and stays text when the cell is edited."""
    for cell in cells:
        if isinstance(cell.value, str) and spreadsheet_safe(cell.value) != cell.value:
            cell.data_type = "s"
            cell.quotePrefix = True


def _write_summary(ws, table: Table, Font) -> None:
    _append(ws, [title(table)])
    ws["A1"].font = Font(bold=True, size=14)
    _append(ws, ["Documents placed by", table.attribution])
    _append(ws, ["Minimum classifier probability", table.min_probability])
    _append(ws, [])
    verdicts = ["yes", "no", "no document", "not read"]
    social = table.category == "social_value"
    counts_head = ["explicit SV", "implicit SV", "no, implicit only"] if social else ["VCSE"]
    _append(ws, ["Region", "rows", *verdicts, "yes to review", *counts_head])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    for region, rows in table.regions():
        counts = Counter(r.verdict for r in rows)
        tallies = ([sum(r.explicit for r in rows), sum(r.implicit for r in rows),
                    sum(r.verdict == "no" and r.implicit_only > 0 for r in rows)] if social
                   else [sum(r.vcse for r in rows)])
        _append(ws, [region, len(rows), *(counts[v] for v in verdicts),
                     sum(r.verdict == "yes" and r.review for r in rows), *tallies])
    _append(ws, ["total", table.total_line()])
    if table.comparison is not None:
        _append(ws, [])
        _append(ws, [table.comparison.line()])
        for row in table.comparison.disagreements:
            _append(ws, ["disagrees", row.name, row.code, f"svmine {row.verdict}", f"reference {row.reference}"])
    for note in table.notes:
        _append(ws, ["note", note])
    ws.column_dimensions["A"].width = 34


def _append(ws, values) -> None:
    ws.append(list(values))
    _no_formulas(ws[ws.max_row])
