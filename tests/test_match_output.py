"""`svmine match`: what "exact" means, what a no_match row says, and cells a spreadsheet would run."""

from __future__ import annotations

import csv
import io

import pytest
from typer.testing import CliRunner

from svmine.cli.main import app
from svmine.footprints.resolver import Resolver

runner = CliRunner()


@pytest.fixture(scope="module")
def ccg():
    return Resolver("ccg", 2017)


@pytest.fixture(scope="module")
def stp():
    return Resolver("stp", 2017)


@pytest.mark.parametrize(
    ("kind", "name", "status"),
    [
        # the official name, with case, punctuation and organisation words ignored: exact
        ("ccg", "NHS Bath and North East Somerset CCG", "exact"),
        ("ccg", "bath and north east somerset", "exact"),
        ("stp", "Kent and Medway", "exact"),
        ("stp", "KENT AND MEDWAY STP", "exact"),
        # only once "&" or an abbreviation is rewritten: accepted at most
        ("ccg", "Bath & NE Somerset", "accepted"),
        ("ccg", "Bath and NE Somerset CCG", "accepted"),
        ("stp", "Cornwall & the Isles of Scilly", "accepted"),
        ("stp", "Notts", "accepted"),
        # a listed variant spelt with "&" is that variant: exact
        ("stp", "Kent & Medway", "exact"),
        ("ccg", "Glos", "accepted"),
        # OCR digits read as letters are a rewrite too
        ("stp", "D0rset", "accepted"),
    ],
)
def test_exact_means_the_name_itself(ccg, stp, kind, name, status):
    res = (ccg if kind == "ccg" else stp).resolve(name)
    assert res.status == status, res.reason


def test_an_accepted_rewrite_still_finds_the_right_code(ccg):
    res = ccg.resolve("Bath & NE Somerset")
    assert res.best.code == "E38000009" and "only once '&', abbreviations" in res.reason


def test_no_match_names_the_closest_candidate_and_its_score(stp):
    res = stp.resolve("Narnia")
    assert res.status == "no_match" and res.best is None
    assert res.closest is not None and f"closest is {res.closest.name!r} ({res.closest.code}) at " in res.reason


def _match(tmp_path, text: str, *args: str) -> list[dict]:
    src = tmp_path / "in.csv"
    src.write_text(text, encoding="utf-8")
    out = tmp_path / "out.csv"
    result = runner.invoke(app, ["match", str(src), "-c", "name", "--out", str(out), *args])
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))


def test_match_output_columns_and_no_match_row(tmp_path):
    rows = _match(tmp_path, "name\nKent and Medway\nNowhere In Particular\n")
    assert list(rows[0]) == ["name", "code", "official_name", "footprint", "region", "score", "runner_up",
                             "margin", "status", "reason"]
    assert rows[0]["status"] == "exact" and rows[0]["code"] == "E54000032"
    assert rows[1]["status"] == "no_match" and rows[1]["code"] == ""
    assert rows[1]["reason"].startswith("closest is '") and float(rows[1]["score"]) < 60


@pytest.mark.parametrize("cell", ["=cmd|' /C calc'!A0", "+SUM(1,2)", "-1+2", "@A1", "\t=1"])
def test_match_output_quotes_formula_cells(tmp_path, cell):
    quoted = '"' + cell.replace('"', '""') + '"'
    rows = _match(tmp_path, f"name,note\nKent and Medway,{quoted}\n")
    assert rows[0]["note"] == "'" + cell


def test_real_trust_lookup_is_all_confident_and_right(shared_dir, tmp_path):
    src = shared_dir / "data" / "stp_name_variants" / "Trust-STP-lookup.csv"
    out = tmp_path / "out.csv"
    result = runner.invoke(app, ["match", str(src), "-c", "STP", "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    assert rows and all(r["status"] in ("exact", "accepted") for r in rows)
    assert all(r["match_code"] == r["STP_code"] for r in rows)  # "code" was taken: match_ prefix


def test_a_fifo_is_refused_not_waited_on(tmp_path):
    import os

    fifo = tmp_path / "names.csv"
    os.mkfifo(fifo)
    result = runner.invoke(app, ["match", str(fifo), "-c", "name"])
    assert result.exit_code == 2 and "not a regular file" in result.output
