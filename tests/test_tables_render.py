"""Golden files for every table format, from the hand-made store in ``tables_data``.

To refresh the golden files after a deliberate change: SVMINE_UPDATE_GOLDEN=1 pytest tests/test_tables_render.py
"""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import pytest

import tables_data as td
from svmine.store import Store
from svmine.tables.build import build_table
from svmine.tables.compare import compare, load_reference_verdicts
from svmine.tables.render import TEXT_RENDERERS

GOLDEN = Path(__file__).parent / "golden" / "tables"
EXT = {"table": "txt", "markdown": "md", "csv": "csv", "json": "json"}


@pytest.fixture(scope="module")
def conn(tmp_path_factory):
    store = Store.open(td.make_store(tmp_path_factory.mktemp("golden") / "t.db"))
    yield store
    store.close()


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("SVMINE_UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert path.is_file(), f"missing golden file {path} (run with SVMINE_UPDATE_GOLDEN=1)"
    assert text == path.read_text(encoding="utf-8")


def build(conn, tmp_path, level="footprint", with_reference=False):
    table = build_table(conn, level=level, footprints=td.FOOTPRINTS, ccgs=td.CCGS)
    if with_reference:
        ref = tmp_path / "ref.csv"
        ref.write_text(td.REFERENCE_CSV)
        compare(table, load_reference_verdicts(ref), "ref.csv")
    return table


@pytest.mark.parametrize("fmt", list(TEXT_RENDERERS))
@pytest.mark.parametrize("level", ["footprint", "ccg", "document"])
def test_golden(conn, tmp_path, fmt, level):
    text = TEXT_RENDERERS[fmt](build(conn, tmp_path, level))
    check_golden(f"{level}.{EXT[fmt]}", text)


@pytest.mark.parametrize("fmt", ["table", "markdown"])
def test_golden_with_comparison(conn, tmp_path, fmt):
    text = TEXT_RENDERERS[fmt](build(conn, tmp_path, with_reference=True))
    check_golden(f"compare.{EXT[fmt]}", text)
    assert text.index("disagrees") < text.index("North\n" if fmt == "table" else "## North")


def test_csv_and_json_agree(conn, tmp_path):
    table = build(conn, tmp_path)
    rows = list(csv.DictReader(io.StringIO(TEXT_RENDERERS["csv"](table))))
    data = json.loads(TEXT_RENDERERS["json"](table))
    assert [r["code"] for r in rows] == [r["code"] for r in data["rows"]]
    assert [r["verdict"] for r in rows] == [r["verdict"] for r in data["rows"]]
    summary = data["summary"]
    assert (summary["yes"], summary["no"], summary["no document"], summary["not read"]) == (2, 3, 1, 1)
    assert summary["rows"] == len(rows) == 7 and summary["no, implicit only"] == 1
    assert [r["implicit_only"] for r in rows] == [str(r["implicit_only"]) for r in data["rows"]]


def test_markdown_escapes_pipes(conn, tmp_path):
    table = build(conn, tmp_path)
    table.rows[0].name = "A | B"
    assert "A \\| B" in TEXT_RENDERERS["markdown"](table)


def test_xlsx_sheets(conn, tmp_path):
    from openpyxl import load_workbook

    from svmine.tables.xlsx import write_xlsx

    table = build(conn, tmp_path, with_reference=True)
    out = tmp_path / "t.xlsx"
    write_xlsx(table, out)
    wb = load_workbook(out)
    assert wb.sheetnames == ["Summary", "North", "Midlands and East", "London", "South"]
    london = wb["London"]
    header = [c.value for c in london[1]]
    assert header[:3] == ["Region", "Footprint", "Code"] and "Strongest evidence" in header
    values = [[c.value for c in row] for row in london.iter_rows(min_row=2)]
    assert [v[2] for v in values] == ["E54000028", "E54000027"]
    assert values[0][header.index("Mentions social value")] == "yes (review)"
    assert values[1][header.index("Mentions social value")] == "no (implicit only)"
    assert "VCSE" not in header  # the social value table's columns only
    summary = [[c.value for c in row] for row in wb["Summary"].iter_rows()]
    north = next(r for r in summary if r[0] == "North")
    assert north[1:6] == [2, 1, 1, 0, 0]  # rows, yes, no, no document, not read
    london = next(r for r in summary if r[0] == "London")
    assert london[1:10] == [2, 1, 1, 0, 0, 1, 1, 1, 1]  # ..., yes to review, explicit, implicit, no implicit only
    assert any(r[0] and str(r[0]).startswith("agreement with ref.csv: 2/5") for r in summary)
    assert ["total", table.total_line()] in [r[:2] for r in summary]


def test_xlsx_text_never_becomes_a_formula(conn, tmp_path):
    from openpyxl import load_workbook

    from svmine.tables.xlsx import write_xlsx

    table = build(conn, tmp_path)
    table.rows[0].name = "=HYPERLINK(\"http://example.invalid\")"
    write_xlsx(table, tmp_path / "t.xlsx")
    cell = load_workbook(tmp_path / "t.xlsx")["North"]["B2"]
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")


@pytest.mark.parametrize(
    "text, width, keep_end, expected",
    [
        ("short", 10, False, "short"),
        ("Durham, Darlington, Teesside", 10, False, "Durham, D…"),
        ("/a/long/folder/plan_one.pdf", 9, True, "/a/l….pdf"),  # a name keeps its start and its end
        ("Healthy-Leeds-Plan-Executive-Summary_plain_text_DRAFT-v4.1.md", 40, True,
         "Healthy-Leeds-Plan-…n_text_DRAFT-v4.1.md"),
    ],
)
def test_cut(text, width, keep_end, expected):
    from svmine.outputs import truncate

    assert truncate(text, width, keep_end=keep_end) == expected


@pytest.mark.parametrize("fmt", ["table", "csv"])
def test_golden_vcse(conn, fmt):
    table = build_table(conn, category="vcse", footprints=td.FOOTPRINTS, ccgs=td.CCGS)
    check_golden(f"vcse.{EXT[fmt]}", TEXT_RENDERERS[fmt](table))


@pytest.mark.parametrize(
    "category, present, absent",
    [
        ("social_value", {"explicit", "implicit", "implicit_only", "facts"}, {"vcse"}),
        ("vcse", {"vcse"}, {"explicit", "implicit", "implicit_only", "facts"}),
    ],
)
def test_column_sets_follow_the_category(conn, category, present, absent):
    table = build_table(conn, category=category, footprints=td.FOOTPRINTS, ccgs=td.CCGS)
    header = next(csv.reader(io.StringIO(TEXT_RENDERERS["csv"](table))))
    assert present <= set(header) and not absent & set(header)
    terminal = TEXT_RENDERERS["table"](table)
    head_line = next(line for line in terminal.splitlines() if line.strip().startswith("Name"))
    assert ("Expl Impl" in head_line) is (category == "social_value")
    assert ("VCSE" in head_line) is (category == "vcse")
    assert ("Facts" in head_line) is (category == "social_value")


@pytest.mark.parametrize(
    "text, width, options, expected",
    [
        ("the board agreed a social value policy", 21, {"at_word": True}, "the board agreed a…"),
        ("the board agreed a social value policy", 21, {}, "the board agreed a s…"),
        ("the board agreed a social value policy", 21, {"drop_start": True, "at_word": True}, "…social value policy"),
        ("the board agreed a social value policy", 21, {"drop_start": True}, "… social value policy"),
        ("unbroken" * 5, 11, {"at_word": True}, "unbrokenun…"),  # no space to cut at: cut in the word
        ("a social …", 10, {"tidy": True}, "a social …"),  # fits: unchanged
        ("a social value", 10, {"tidy": True}, "a social…"),
    ],
)
def test_cut_at_words_and_from_the_start(text, width, options, expected):
    """Context windows in the report: cut at a word, the lead-in keeping its last words."""
    from svmine.outputs import truncate

    got = truncate(text, width, **options)
    assert got == expected and len(got) <= width
