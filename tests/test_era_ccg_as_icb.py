"""A CCG name asked as an ICB (`svmine match --kind icb`): every ICB holding the CCG's area, with
its LSOA share, for review -- never one confident answer."""

from __future__ import annotations

import csv
import io

import pytest
from typer.testing import CliRunner

from svmine.cli.main import app
from svmine.footprints.era_resolver import EraResolver

runner = CliRunner()


@pytest.mark.parametrize(
    ("name", "year", "codes", "shares"),
    [
        ("NHS Cumbria CCG", None, ["E54000050", "E54000048"], ["64%", "36%"]),
        ("NHS Cumbria CCG", 2022, ["E54000050", "E54000048"], ["64%", "36%"]),
        ("NHS Sandwell and West Birmingham CCG", None, ["E54000062", "E54000055"], ["67%", "33%"]),
        ("NHS Leeds North CCG", 2022, ["E54000054"], ["100%"]),
        ("Barnsley Clinical Commissioning Group", None, ["E54000061"], ["100%"]),
    ],
)
def test_ccg_name_gives_its_icbs_with_shares(name, year, codes, shares):
    res = EraResolver("icb", year).resolve(name)
    assert res.status == "review"
    assert [m.code for m in res.matches] == codes
    assert all(f"({s} of LSOAs)" in res.reason for s in shares) and "not an ICB" in res.reason


@pytest.mark.parametrize("name", ["NHS Cumbria", "Cumbria and North East", "NHS West Yorkshire ICB"])
def test_names_without_a_ccg_word_resolve_as_before(name):
    """No CCG word: the ICB/STP lineage answers, as it did."""
    assert "not an ICB" not in EraResolver("icb").resolve(name).reason


def test_match_cli_names_both_successor_icbs(tmp_path):
    names = tmp_path / "n.csv"
    names.write_text("name\nNHS Cumbria CCG\n", encoding="utf-8")
    result = runner.invoke(app, ["match", str(names), "--column", "name", "--kind", "icb"])
    assert result.exit_code == 0, result.output
    row = next(csv.DictReader(io.StringIO(result.stdout)))
    assert row["code"] == "E54000050; E54000048" and row["status"] == "review"
    assert row["official_name"] == ("NHS North East and North Cumbria Integrated Care Board;"
                                    " NHS Lancashire and South Cumbria Integrated Care Board")
