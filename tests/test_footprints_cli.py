"""``svmine match`` and ``svmine footprints`` through typer's CliRunner."""

import csv
import io

import pytest
from typer.testing import CliRunner

from svmine.cli.main import app

runner = CliRunner()


@pytest.fixture
def names_csv(tmp_path):
    path = tmp_path / "names.csv"
    path.write_text(
        "ccg,stp\n"
        "NHS Liverpool CCG,Cheshire & Merseyside\n"
        "Central Manchester CCG,Greater Manchester\n"
        "Brnet,\n"
        "Quantum Widgets,\n",
        encoding="utf-8",
    )
    return path


def rows(text):
    return list(csv.DictReader(io.StringIO(text)))


def test_match_ccg_with_context(names_csv, tmp_path):
    out = tmp_path / "out.csv"
    result = runner.invoke(app, ["match", str(names_csv), "--column", "ccg", "--kind", "ccg",
                                 "--context-column", "stp", "--out", str(out)])
    assert result.exit_code == 0, result.output
    got = rows(out.read_text(encoding="utf-8"))
    assert list(got[0])[:2] == ["ccg", "stp"]
    assert {"code", "official_name", "footprint", "region", "score", "runner_up", "margin", "status"} <= set(got[0])
    assert (got[0]["code"], got[0]["footprint"], got[0]["region"], got[0]["status"]) == (
        "E38000101", "E54000008 Cheshire and Merseyside", "North", "exact")
    assert got[1]["official_name"] == "NHS Manchester CCG"
    assert got[2]["status"] == "review" and got[2]["runner_up"]
    assert got[3]["status"] == "no_match" and got[3]["code"] == ""
    assert "4 rows: 1 need review, 1 without a match" in result.stderr


def test_match_stp_to_stdout_with_two_footprints(tmp_path):
    path = tmp_path / "stps.csv"
    path.write_text("name\nFrimley Health / Hampshire and Isle of Wight\nKent & Medway\n", encoding="utf-8")
    result = runner.invoke(app, ["match", str(path), "-c", "name"])
    assert result.exit_code == 0
    got = rows(result.stdout)
    assert got[0]["code"] == "E54000034; E54000042"
    assert got[0]["region"] == "South"
    assert got[1]["official_name"] == "Kent and Medway"


def test_match_2016_split_ccg(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("name\nNHS Cumbria CCG\n", encoding="utf-8")
    result = runner.invoke(app, ["match", str(path), "-c", "name", "--kind", "ccg", "--year", "2016"])
    footprint = rows(result.stdout)[0]["footprint"]
    assert "E54000047" in footprint and "E54000048" in footprint and "split" in footprint


def test_match_column_clash_is_prefixed(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("name,status\nDevon,draft\n", encoding="utf-8")
    got = rows(runner.invoke(app, ["match", str(path), "-c", "name"]).stdout)
    assert got[0]["status"] == "draft" and got[0]["match_status"] == "exact"


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        ("name\nDevon\n", ["--column", "nope"], "no column 'nope'"),
        ("name\nDevon\n", ["--column", "name", "--context-column", "stp"], "no column 'stp'"),
        ("", ["--column", "name"], "empty CSV"),
        ("name\nDevon,extra\n", ["--column", "name"], "line 2 has more fields"),
    ],
)
def test_match_bad_input(tmp_path, content, args, message):
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    result = runner.invoke(app, ["match", str(path), *args])
    assert result.exit_code == 2
    assert message in result.stderr


def test_match_not_utf8(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(b"name\n\xff\xfe\x00Devon\n")
    result = runner.invoke(app, ["match", str(path), "--column", "name"])
    assert result.exit_code == 2 and "UTF-8" in result.stderr


def test_match_missing_file(tmp_path):
    assert runner.invoke(app, ["match", str(tmp_path / "none.csv"), "--column", "x"]).exit_code == 2


def test_footprints_table_in_report_order():
    result = runner.invoke(app, ["footprints"])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["code", "name", "region", "ccgs"]
    regions = [line.rsplit(None, 2)[1] for line in lines[1:]]
    assert len(lines) == 45
    assert regions.index("London") > regions.index("East")  # North, Midlands and East, London, South
    assert regions[0] == "North" and regions[-1] == "South"


def test_footprints_csv_filtered():
    result = runner.invoke(app, ["footprints", "--region", "London", "--format", "csv"])
    got = rows(result.stdout)
    assert [r["name"] for r in got] == ["North Central London", "North East London", "North West London",
                                         "South East London", "South West London"]


def test_footprints_ccgs_by_year():
    r16 = rows(runner.invoke(app, ["footprints", "--kind", "ccg", "--year", "2016", "--format", "csv"]).stdout)
    r17 = rows(runner.invoke(app, ["footprints", "--kind", "ccg", "--year", "2017", "--format", "csv"]).stdout)
    assert len(r16) == 210 and len({r["code"] for r in r16}) == 209  # Cumbria listed under both STPs
    assert len(r17) == 207
    assert {r["split"] for r in r16 if r["code"] == "E38000041"} == {"64%", "36%"}


def test_footprints_unknown_region():
    result = runner.invoke(app, ["footprints", "--region", "Atlantis"])
    assert result.exit_code == 2 and "unknown region" in result.stderr


def test_match_regions(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("name\nNorth Of England Commissioning Region\nLondon\n", encoding="utf-8")
    got = rows(runner.invoke(app, ["match", str(path), "-c", "name", "--kind", "region"]).stdout)
    assert [(r["code"], r["region"]) for r in got] == [("E40000001", "North"), ("E40000003", "London")]
    assert got[0]["status"] == "accepted" and got[1]["status"] == "exact"
