"""The HTML report's "Commissioner assessment" section: counts and shares per scale, the matrix, the
top group by region, the organisation table with overrides and the strongest quotes; absent when
the store holds no assessment; legible in Chromium."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

import tables_data as td
from svmine.assess.model import Assessment, Signal
from svmine.cli.main import app
from svmine.report.assessments import strongest_signals
from svmine.store import Store
from svmine.store.assessments import record_override, save_assessments
from browser import ARTIFACTS, open_page

ROOT = Path(__file__).resolve().parent.parent
XSS = "<script>alert(1)</script>"
runner = CliRunner()


def _signal(kind: str, quote: str, value: float | None = None, page: int = 1, doc: str = "policies/proc.pdf") -> Signal:
    return Signal(f"{kind}.rule", kind, doc, "a" * 64, page, quote, value)


# Five organisations (real codes and regions, invented evidence). 07L is computed "active" and
# overridden to "limited" by an auditor, so London has no top-group member only if overrides apply.
ORGS = [
    Assessment("00C", "NHS Darlington CCG", "highly committed", "evidenced", "active", 0.9,
               region="North East and Yorkshire", org_type="ccg", documents=2,
               signals=[_signal("approach", "Bids are scored with a two per cent weighting.", 2.0, 4),
                        _signal("approach", "Larger tenders carry a ten per cent weighting.", 10.0, 5),
                        _signal("policy", "Our stand-alone social value policy was adopted in 2016.", None, 2,
                                "policies/sv-policy.pdf")]),
    Assessment("00L", "NHS Northumberland CCG", "highly committed", "evidenced", "active", 0.8,
               region="North East and Yorkshire", org_type="ccg",
               signals=[_signal("evidence", "Four contracts applied the Act last year.", 4.0, 3)]),
    Assessment("07L", "NHS Barking and Dagenham CCG", "highly committed", "evidenced", "active", 0.55,
               region="London", org_type="ccg",
               signals=[_signal("evidence", "One community contract was awarded with it.", 1.0, 7)]),
    Assessment("99A", "NHS Liverpool CCG", "committed", "not evidenced", "passive", 0.35, needs_review=True,
               region="North West", org_type="ccg",
               signals=[_signal("negative", f"We do not hold this information {XSS}.", None, 1, "foi/99A.txt")]),
    Assessment("15N", "NHS Devon CCG", "apparently committed", "evidenced", "limited", 0.7, region="South West"),
]


@pytest.fixture(scope="module")
def html(tmp_path_factory) -> str:
    tmp = tmp_path_factory.mktemp("assess-report")
    db = td.make_store(tmp / "t.db")
    with Store.open(db) as store:
        save_assessments(store, ORGS)
        record_override(store, "07L", "approach", "limited", "alice", note="only one tender")
    out = tmp / "report.html"
    result = runner.invoke(app, ["report", "--db", str(db), "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out.read_text(encoding="utf-8")


def _section(html: str) -> str:
    start = html.index('<section id="assessment">')
    return html[start: html.index("</section>", start)]


def _rows(html: str, table_id: str) -> list[list[str]]:
    table = html[html.index(f'id="{table_id}"'):]
    table = table[: table.index("</table>")]
    body = table[table.index("<tbody>"):]
    return [[re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)]


@pytest.mark.parametrize(
    "scale, expected",
    [
        ("commitment", [["highly committed", "3", "60 %"], ["apparently committed", "1", "20 %"],
                        ["committed", "1", "20 %"], ["uncommitted", "0", "0 %"]]),
        ("evidence", [["evidenced", "4", "80 %"], ["not evidenced", "1", "20 %"]]),
        ("approach", [["active", "2", "40 %"], ["limited", "2", "40 %"], ["passive", "1", "20 %"]]),
    ],
)
def test_counts_and_shares_per_scale_count_the_override(html, scale, expected):
    section = _section(html)
    table = section[section.index(f'data-scale="{scale}"'):]
    table = table[: table.index("</table>")]
    rows = [[re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", r)]
            for r in re.findall(r"<tr>(.*?)</tr>", table)]
    assert rows == expected


def test_matrix_has_every_cell_and_marks_the_top_group(html):
    rows = _rows(_section(html), "assessment-matrix")
    assert len(rows) == 8  # 4 commitments x 2 evidence ratings
    assert rows[0] == ["highly committed", "evidenced", "2 40 %", "1 20 %", "0", "3"]
    assert rows[1] == ["not evidenced", "0", "0", "0", "0"]  # the commitment cell spans two rows
    assert rows[2] == ["apparently committed", "evidenced", "0", "1 20 %", "0", "1"]
    assert rows[5] == ["not evidenced", "0", "0", "1 20 %", "1"]
    assert _section(html).count(" top\"") == 1
    assert 'class="num cell top" title="highly committed, evidenced, active"' in html


def test_top_group_by_region(html):
    section = _section(html)
    assert "<strong>2</strong> organisations (40 %) are “highly committed, evidenced, active”" in section
    assert _rows(section, "assessment-regions") == [
        ["North East and Yorkshire", "2", "2", "100 %"], ["London", "0", "1", "0 %"],
        ["North West", "0", "1", "0 %"], ["South West", "0", "1", "0 %"],
    ]


def test_organisation_table_shows_overrides_review_marks_and_strongest_quotes(html):
    section = _section(html)
    rows = {r[1]: r for r in _rows(section, "assessment-table") if len(r) > 1}
    assert set(rows) == {"00C", "00L", "07L", "99A", "15N"}
    assert rows["07L"][2:6] == ["highly committed", "evidenced", "limitedoverridden by alice", "0.55"]
    assert "overridden" not in "".join(rows["00C"])
    assert rows["99A"][0] == "NHS Liverpool CCG to review" and rows["00C"][0] == "NHS Darlington CCG top group"
    darlington = rows["00C"][6]
    assert "approach 10Larger tenders carry a ten per cent weighting. proc.pdf, p. 5" in darlington
    assert "two per cent" not in darlington  # one quote per kind: the strongest
    assert "policyOur stand-alone social value policy was adopted in 2016. sv-policy.pdf, p. 2" in darlington
    assert darlington.index("policy") < darlington.index("approach")
    assert rows["15N"][6] == "no signal"
    assert XSS not in html and "We do not hold this information &lt;script&gt;alert(1)&lt;/script&gt;." in section
    assert section.index("North East and Yorkshire") < section.index("London")  # grouped by region
    assert '<a href="#assessment">Assessment</a>' in html
    assert "1 had a rating overridden by an auditor (marked with the auditor's name). 1 waits for review" in section


@pytest.mark.parametrize(
    "values, expected",
    [
        ([2.0, 10.0, 5.0], 1),
        ([None, 3.0], 1),
        ([3.0, None], 0),
        ([None, None], 0),  # no size: the engine's first
        ([4.0, 4.0], 0),  # a tie keeps the first
    ],
)
def test_strongest_signal_per_kind(values, expected):
    signals = [_signal("evidence", f"quote {i}", v) for i, v in enumerate(values)]
    signals.append(_signal("policy", "a policy"))
    best = strongest_signals(signals)
    assert best["evidence"].quote == f"quote {expected}" and best["policy"].quote == "a policy"


def test_no_assessments_no_section(tmp_path):
    db = td.make_store(tmp_path / "t.db")
    out = tmp_path / "r.html"
    result = runner.invoke(app, ["report", "--db", str(db), "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert 'id="assessment"' not in text and "Commissioner assessment" not in text and "#assessment" not in text


@pytest.mark.browser
def test_assessment_section_in_headless_chromium(html, tmp_path):
    page_file = tmp_path / "report.html"
    page_file.write_text(html, encoding="utf-8")
    with open_page(page_file.as_uri()) as (page, requests):
        section = page.locator("#assessment")
        section.screenshot(path=str(ARTIFACTS / "report-assessment.png"))
        box = section.bounding_box()
        matrix = page.locator("#assessment-matrix").bounding_box()
        overridden = page.locator("#assess-07L td[data-scale=approach]").inner_text()
    assert requests == [page_file.as_uri()], f"external requests: {requests}"
    assert box and box["height"] > 400 and matrix and matrix["width"] > 300
    assert "limited" in overridden and "overridden by alice" in overridden
