"""`svmine report`: a self-contained HTML file, checked as text and in headless Chromium."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

import tables_data as td
from svmine.cli.main import app
from svmine.report.svg import boundaries, stacked_bars
from browser import ARTIFACTS, open_page

ROOT = Path(__file__).resolve().parent.parent
CREDIT = "Contains ONS data © Crown copyright and database right 2017, Open Government Licence v3.0"
runner = CliRunner()


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("report")
    db = td.make_store(tmp / "t.db")
    out = tmp / "report.html"
    result = runner.invoke(app, ["report", "--db", str(db), "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def test_boundary_file_is_small_and_complete():
    from svmine.tables.footprints import load_footprints

    path = ROOT / "svmine" / "report" / "data" / "stp_boundaries.json"
    assert path.stat().st_size < 150_000
    data = boundaries()
    assert data["credit"] == CREDIT
    assert sorted(f["code"] for f in data["features"]) == sorted(f.code for f in load_footprints()[0])
    assert all(f["rings"] and all(len(r) >= 4 for r in f["rings"]) for f in data["features"])


def test_report_is_self_contained(report):
    html = report.read_text(encoding="utf-8")
    # nothing that a browser would fetch: no external stylesheet, script, image or font
    assert not re.search(r"<(link|img|iframe|object|embed)\b", html)
    assert not re.search(r"\b(src|href)\s*=\s*\"(https?:)?//", html)
    assert "@import" not in html and "url(" not in html
    assert html.count('class="fp-row') == 44
    assert len(re.findall(r"<path [^>]*data-code=\"E54\d{6}\"", html)) == 44
    assert CREDIT in html


def test_report_shows_mentions_in_context_with_page(report):
    html = report.read_text(encoding="utf-8")
    assert "Contracts will be weighted 10% on <mark>social value</mark>. Bidders" in html
    assert "not counted: negated" in html and "not counted: probability below 0.5" in html
    assert "Could not be read: plans/cornwall_encrypted.pdf: file is encrypted" in html
    section = html[html.index('id="doc-aaaaaaaaaaaa"'):]
    assert re.search(r'<span class="pg">p\. 2</span>', section)


def test_report_escapes_document_text(report):
    html = report.read_text(encoding="utf-8")
    assert "&lt;to build&gt;" in html and "<to build>" not in html
    assert "&amp; trained" in html


def test_report_compares_only_when_asked(report, tmp_path):
    """--compare is opt-in: Appendix 3 judged the 44 STP plans of 2016, not any corpus."""
    html = report.read_text(encoding="utf-8")
    assert "Agreement with" not in html and "kappa" not in html and "Appendix 3 (2017)</th>" not in html
    db = td.make_store(tmp_path / "t.db")
    out = tmp_path / "compared.html"
    assert runner.invoke(app, ["report", "--db", str(db), "--out", str(out), "--compare", "appendix3"]).exit_code == 0
    compared = out.read_text(encoding="utf-8")
    # C&M no/no, GM yes/yes, NCL yes/yes, Devon no/no; NWL (implicit only) no against the report's yes
    assert "Agreement with Appendix 3 (2017): <strong>4 of 5</strong>" in compared
    assert 'href="#fp-E54000027">North West London</a> (svmine no, reference yes)' in compared
    plain = tmp_path / "plain.html"
    assert runner.invoke(app, ["report", "--db", str(db), "--out", str(plain), "--compare", "none"]).exit_code == 0
    assert "Agreement with" not in plain.read_text(encoding="utf-8")


def _figures(html: str) -> dict[str, int]:
    return {k: int(n) for k, n in re.findall(r'data-key="([^"]+)"><div class="n">(\d+)</div>', html)}


def test_report_summary_agrees_with_the_table(report):
    """The report's footprint counts are the table's, and its verdict counts add up to 44."""
    import json

    html = report.read_text(encoding="utf-8")
    db = report.parent / "t.db"
    table = json.loads(runner.invoke(app, ["table", "--db", str(db), "--format", "json"]).output)
    figures = _figures(html)
    for key in ("rows", "yes", "yes to review", "no", "no, implicit only", "no document", "not read"):
        assert figures[key] == table["summary"][key], key
    assert figures["rows"] == 44 == sum(figures[k] for k in ("yes", "no", "no document", "not read"))
    assert figures["no, implicit only"] == 1
    # by document (the unplaced note counts too): GM, Camden, unplaced name social value; NWL is implicit only
    assert (figures["documents yes"], figures["documents implicit only"]) == (3, 1)
    line = "44 footprints: yes 2 (1 to review) + no 3 (1 implicit only) + no document 38 + not read 1"
    assert html.count(f"Total: {line}.") == 2  # under the figures and under the table


def test_report_shows_implicit_only_as_no(report):
    """A plan with implicit sentences only: "no" with its count, in the table and by the document."""
    html = report.read_text(encoding="utf-8")
    row = html[html.index('<tr id="fp-E54000027"'):]
    row = row[: row.index("</tr>")]
    assert 'class="fp-row v-implicit"' in row
    assert "no · implicit only</span>" in row and "implicit only: 1 sentence" in row
    doc = html[html.index('id="doc-bbbbbbbbbbbb"'):]
    doc = doc[: doc.index("</details>")]
    assert '<span class="path" title="plans/nw_london.pdf">nw_london.pdf</span>' in doc
    assert "Implicit only: the classifier found 1 sentence that may describe social value without naming it" in doc and "it is in the review queue" in doc


def test_report_bad_db(tmp_path):
    result = runner.invoke(app, ["report", "--db", str(tmp_path / "none.db"), "--out", str(tmp_path / "r.html")])
    assert result.exit_code == 2


@pytest.mark.parametrize(
    "rows, widths",
    [
        ([("A", [("x", 2, "c"), ("y", 2, "d")]), ("B", [("x", 0, "c"), ("y", 1, "d")])], [[125.0, 125.0], [62.5]]),
        ([("A", [("x", 0, "c")])], [[]]),
    ],
)
def test_stacked_bars(rows, widths):
    bars, width, height = stacked_bars(rows, width=420, label_width=130)
    assert [[b.width for b in r.bars] for r in bars] == widths
    assert height == 10 + 34 * len(rows)


def _load_script():
    spec = importlib.util.spec_from_file_location("simplify_boundaries", ROOT / "scripts" / "simplify_boundaries.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    "points, tolerance, expected",
    [
        ([(0, 0), (1, 0.01), (2, 0)], 0.1, [(0, 0), (2, 0)]),
        ([(0, 0), (1, 1), (2, 0)], 0.1, [(0, 0), (1, 1), (2, 0)]),
        ([(0, 0), (1, 0)], 0.1, [(0, 0), (1, 0)]),
    ],
)
def test_douglas_peucker(points, tolerance, expected):
    assert _load_script().douglas_peucker(points, tolerance) == expected


def test_simplify_real_boundaries(shared_dir):
    src = next((shared_dir / "data" / "stp_boundaries").glob("*.geojson"))
    result = _load_script().simplify(src, 0.006, 0.002, 3)
    assert len(result["features"]) == 44
    assert result == boundaries()  # the package file is what the script makes from the ONS file


@pytest.mark.browser
def test_report_in_headless_chromium(report):
    with open_page(report.as_uri()) as (page, requests):
        page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=True)
        map_box = page.locator("svg#map").bounding_box()
        rows = page.locator("#footprint-table tr.fp-row").count()
        shapes = page.locator("svg#map path[data-code]").count()
        page.locator(".toolbar button[data-filter='v-yes v-review']").click()
        visible = page.locator("#footprint-table tr.fp-row:visible").count()
        page.locator(".toolbar button[data-filter='v-implicit']").click()
        implicit = [page.locator("#footprint-table tr.fp-row:visible td").first.inner_text(),
                    page.locator("#footprint-table tr.fp-row:visible").count()]
    assert requests == [report.as_uri()], f"external requests: {requests}"
    assert map_box and map_box["width"] > 300 and map_box["height"] > 300
    assert (rows, shapes) == (44, 44)
    assert visible == 2  # the filter shows the two "yes" footprints (NWL is "no, implicit only")
    assert implicit == ["North West London", 1]
    assert (ARTIFACTS / "report.png").stat().st_size > 20_000


def test_long_mention_lists_are_capped(tmp_path, monkeypatch):
    from svmine.report import build, render_report
    from svmine.store import Store

    monkeypatch.setattr(build, "MAX_MENTIONS_SHOWN", 1)
    with Store.open(td.make_store(tmp_path / "t.db")) as store:
        html = render_report(store)
    section = html[html.index('id="doc-bbbbbbbbbbbb"'):]
    section = section[: section.index("</details>")]
    assert "2 mentions, 1 counted" in section and "… and 1 more mentions" in section
    assert section.count('<span class="pg">') == 1


def test_report_of_an_empty_store(db_path):
    from svmine.report import render_report
    from svmine.store import Store

    with Store.open(db_path) as store:
        html = render_report(store)
    assert "The store holds no documents." in html and html.count('class="fp-row') == 44
