"""`svmine table` through typer's CliRunner, on the hand-made store and the real 44 footprints."""

from __future__ import annotations

import csv
import io
import json

import pytest
from typer.testing import CliRunner

import tables_data as td
from svmine.cli.main import app

runner = CliRunner()


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return td.make_store(tmp_path_factory.mktemp("cli") / "t.db")


def test_terminal_table_lists_all_44_footprints(db):
    result = runner.invoke(app, ["table", "--db", str(db)])
    assert result.exit_code == 0, result.output
    out = result.output
    for region in ("North", "Midlands and East", "London", "South"):
        assert f"\n{region}\n" in out
    assert out.count("no document") >= 44 - 5
    assert 'evidence: "Contracts will be weighted 10% on social value." (p. 2' in out
    assert out.index("\nNorth\n") < out.index("\nMidlands and East\n") < out.index("\nLondon\n") < out.index("\nSouth\n")


def test_json_with_appendix3_comparison(db):
    result = runner.invoke(app, ["table", "--db", str(db), "--format", "json", "--compare", "appendix3"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert len(data["rows"]) == 44
    comp = data["comparison"]
    # C&M no/no, GM yes/yes, NCL yes/yes, Devon no/no; NWL has implicit sentences only: no/yes
    assert (comp["agree"], comp["compared"], comp["disagreements"]) == (4, 5, ["E54000027"])


def test_xlsx_needs_out(db, tmp_path):
    result = runner.invoke(app, ["table", "--db", str(db), "--format", "xlsx"])
    assert result.exit_code == 2 and "--out" in result.output
    out = tmp_path / "t.xlsx"
    result = runner.invoke(app, ["table", "--db", str(db), "--format", "xlsx", "--out", str(out), "--level", "ccg"])
    assert result.exit_code == 0 and out.stat().st_size > 0


def test_manifest_option(db, tmp_path):
    manifest = tmp_path / "m.csv"
    manifest.write_text("file,footprint_code\nunplaced.txt,E54000005\n")
    result = runner.invoke(app, ["table", "--db", str(db), "--manifest", str(manifest), "--format", "csv"])
    assert result.exit_code == 0, result.output
    row = next(line for line in result.output.splitlines() if "E54000005" in line)
    assert ",manifest,yes," in row  # "Notes on social value": a heading, so the yes is marked review


@pytest.mark.parametrize(
    "args, message",
    [
        (["--db", "nope.db"], "does not exist"),
        (["--compare", "missing.csv"], "no such file"),
        (["--level", "region"], "Invalid value"),
        (["--level", "x"], "'x' is not one of 'footprint', 'ccg', 'document'"),
        (["--category", "vcs"], "is not one of 'social_value', 'vcse'"),
        (["--min-probability", "1.5"], "Invalid value"),
        (["--footprint", "Narnia"], "no footprint 'Narnia'"),
        (["--footprint", "Greater Manchestr"], "did you mean Greater Manchester?"),
        (["--footprint", "London"], "fits several footprints: North Central London (E54000028)"),
        (["--footprint", "E54009999"], "no footprint 'E54009999'"),
        (["--region", "x"], "valid regions: North, Midlands and East, London, South"),
        (["--region", "Lodnon"], "did you mean London?"),
        (["--region", "London", "--footprint", "Devon"], "'Devon' is not in --region 'London'"),
        (["--compare", "appendix3", "--category", "vcse"], "use it with --category social_value --level footprint"),
        (["--compare", "appendix3", "--level", "document"], "use it with --category social_value --level footprint"),
    ],
)
def test_bad_usage(db, args, message):
    """Misspelt or impossible values are refused (exit 2) with what would have been valid."""
    full = ["table", *args] if args[0] == "--db" else ["table", "--db", str(db), *args]
    result = runner.invoke(app, full)
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.output.replace("│", " ").split())  # rich may box and wrap the message


@pytest.mark.parametrize(
    "args, codes",
    [
        (["--region", "london"], "London"),
        (["--region", "Midlands & East"], "Midlands and East"),
        (["--footprint", "manchester"], ["E54000007"]),
        (["--footprint", "E54000037"], ["E54000037"]),
        (["--footprint", "north west london", "--region", "London"], ["E54000027"]),
    ],
)
def test_filters_keep_the_rows_named(db, args, codes):
    from svmine.tables.footprints import load_footprints

    result = runner.invoke(app, ["table", "--db", str(db), "--format", "json", *args])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    stps = load_footprints()[0]
    if isinstance(codes, str):  # a region: all its footprints, none of another region
        codes = [f.code for f in stps if f.region == codes]
    order = [f.code for f in stps]
    assert [r["code"] for r in data["rows"]] == sorted(codes, key=order.index)
    assert data["summary"]["rows"] == len(codes)
    assert data["notes"][0].startswith("rows shown: ")
    text = runner.invoke(app, ["table", "--db", str(db), *args]).output
    unit = "footprint" if len(codes) == 1 else "footprints"
    assert f"total: {len(codes)} {unit}: " in text


def test_document_filter_by_footprint(db):
    result = runner.invoke(app, ["table", "--db", str(db), "--level", "document", "--footprint", "E54000027",
                                 "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert [(r["name"], r["verdict"], r["implicit_only"]) for r in rows] == [("nw_london.pdf", "no", "1")]


@pytest.mark.parametrize("level", ["footprint", "document"])
def test_terminal_totals_add_up(db, level):
    """The printed total names every verdict once and the counts add up to the rows."""
    result = runner.invoke(app, ["table", "--db", str(db), "--level", level])
    assert result.exit_code == 0, result.output
    line = next(x for x in result.output.splitlines() if x.startswith("total: "))
    rows, parts = line[len("total: "):].split(": ", 1)
    numbers = [int(p.split(" (")[0].rsplit(" ", 1)[1]) for p in parts.split(" + ")]
    assert sum(numbers) == int(rows.split()[0]) == (44 if level == "footprint" else 7)


def test_implicit_only_document_is_no_with_its_count(db):
    """Appendix 3's question: a plan with implicit sentences only is a "no", marked and counted."""
    out = runner.invoke(app, ["table", "--db", str(db), "--level", "document"]).output
    line = next(x for x in out.splitlines() if "nw_london.pdf" in x)
    assert "no (implicit only)" in line
    after = out.splitlines()[out.splitlines().index(line) + 1]
    assert after.strip() == "review: implicit only: 1 sentence"
    assert "(1 implicit only)" in next(x for x in out.splitlines() if x.startswith("total: "))


def test_ccg_level_without_ccg_documents_is_refused(tmp_path):
    from svmine.store import Store

    db = tmp_path / "s.db"
    with Store.open(db) as store:
        for r in td.results():
            if r["attribution"]:
                r["attribution"]["ccg_code"] = None
            store.save_result(r)
    result = runner.invoke(app, ["table", "--db", str(db), "--level", "ccg"])
    assert result.exit_code == 2
    assert "no stored document is placed at CCG level" in result.output


def test_unreadable_reference(db, tmp_path):
    ref = tmp_path / "ref.csv"
    ref.write_text("a,b\n1,2\n")
    result = runner.invoke(app, ["table", "--db", str(db), "--compare", str(ref)])
    assert result.exit_code == 2 and "verdict column" in result.output


@pytest.mark.slow
def test_sample_corpus_table(sample_dir, tmp_path):
    """What `make run` ends with: evidence under every yes, footprints without documents marked."""
    if not (sample_dir / "manifest.csv").is_file() or not (sample_dir / "plan_one_column.pdf").is_file():
        pytest.skip("sample corpus not generated (make sample-corpus)")
    db = tmp_path / "sample.db"
    scanned = runner.invoke(app, ["scan", str(sample_dir), "--db", str(db), "--workers", "1"])
    assert scanned.exit_code in (0, 1), scanned.output  # 1: the sample plants broken files on purpose
    result = runner.invoke(app, ["table", "--db", str(db), "--manifest", str(sample_dir / "manifest.csv")])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    yes_rows = [i for i, line in enumerate(lines) if line.startswith("  ") and "  yes" in line and "E54" in line]
    assert len(yes_rows) >= 4
    assert all(lines[i + 1].strip().startswith("evidence: ") for i in yes_rows)
    # a plain yes is quoted by a whole sentence; only a yes marked for review may rest on less
    assert all(lines[i + 1].strip().startswith('evidence: "') for i in yes_rows if "yes (review)" not in lines[i])
    nwl = next(i for i, line in enumerate(lines) if "E54000027" in line)  # the sample plan's only mention is in a table
    assert "yes (review)" in lines[nwl] and lines[nwl + 1].strip().startswith('evidence: table row: "')
    total = next(line for line in lines if line.startswith("total: 44 footprints: "))
    assert sum(int(p.split(" (")[0].rsplit(" ", 1)[1]) for p in total.split(": ", 2)[2].split(" + ")) == 44
    assert sum("no document" in line for line in lines) >= 30
    cornwall = next(line for line in lines if "E54000036" in line)
    assert "not read" in cornwall  # the encrypted plan is placed there: never a silent "no"


CCG_POLICY = """NHS Islington CCG
Social Value and Procurement Policy
Approved by the Governing Body, March 2017

1. Purpose
NHS Islington CCG will consider social value in every contract it awards. Tenders will be weighted
10% on social value, and we will work with the voluntary and community sector on service design.
"""


def test_scan_then_ccg_table_places_a_ccg_policy_without_a_manifest(tmp_path):
    """The CCG comes from the policy's title page, through the store, to the CCG rollup."""
    corpus = tmp_path / "in"
    corpus.mkdir()
    (corpus / "islington_policy.txt").write_text(CCG_POLICY, encoding="utf-8")
    db = tmp_path / "s.db"
    scanned = runner.invoke(app, ["scan", str(corpus), "--db", str(db), "--workers", "1", "--no-classifier"])
    assert scanned.exit_code == 0, scanned.output
    result = runner.invoke(app, ["table", "--db", str(db), "--level", "ccg", "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = {r["code"]: r for r in json.loads(result.output)["rows"]}
    islington = rows["E38000088"]
    assert islington["footprint_code"] == "E54000028"  # North Central London, from the CCG -> STP reference
    assert islington["verdict"] == "yes" and islington["documents"] == 1
    assert rows["E38000027"]["verdict"] == "no document"  # Camden, in the same footprint, has no document
    text = runner.invoke(app, ["table", "--db", str(db), "--level", "ccg"])
    assert text.exit_code == 0
    assert any("E38000088" in line and "yes" in line for line in text.output.splitlines())


@pytest.mark.parametrize(
    ("row", "message"),
    [("unplaced.txt,E54009999,", "line 2: unknown footprint code 'E54009999'"),
     ("unplaced.txt,E54000028,E38999999", "line 2: unknown CCG code 'E38999999'")],
)
def test_bad_manifest_is_a_usage_error_naming_the_line(db, tmp_path, row, message):
    manifest = tmp_path / "m.csv"
    manifest.write_text(f"file,footprint_code,ccg_code\n{row}\n")
    for command in (["table", "--db", str(db)], ["report", "--db", str(db), "--out", str(tmp_path / "r.html")]):
        result = runner.invoke(app, [*command, "--manifest", str(manifest)])
        assert result.exit_code == 2
        assert message in result.output and "m.csv" in result.output
