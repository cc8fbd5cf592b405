"""`svmine report --geography icb2022`: the 42 ICBs of July 2022 in the table and on the map,
checked as text and in headless Chromium (skipped with the reason when Chromium is missing)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

import tables_data as td
from svmine.cli.main import app
from svmine.report.svg import boundaries
from browser import ARTIFACTS, open_page

ROOT = Path(__file__).resolve().parent.parent
CREDIT = "Contains ONS data © Crown copyright and database right 2022, Open Government Licence v3.0"
runner = CliRunner()


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("icbreport")
    db = td.make_store(tmp / "t.db")
    out = tmp / "report.html"
    result = runner.invoke(app, ["report", "--db", str(db), "--out", str(out), "--geography", "icb2022"])
    assert result.exit_code == 0, result.output
    return out


def _icb_codes() -> list[str]:
    from svmine.tables.footprints import load_geography

    return sorted(f.code for f in load_geography("icb2022"))


def test_icb_boundary_file_is_small_and_complete():
    path = ROOT / "svmine" / "report" / "data" / "icb_boundaries.json"
    assert path.stat().st_size < 400_000
    data = boundaries("icb2022")
    assert data["credit"] == CREDIT
    assert sorted(f["code"] for f in data["features"]) == _icb_codes()
    assert all(f["rings"] and all(len(r) >= 4 for r in f["rings"]) for f in data["features"])


def test_simplify_real_icb_boundaries(shared_dir):
    import importlib.util

    spec = importlib.util.spec_from_file_location("simplify_boundaries", ROOT / "scripts" / "simplify_boundaries.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    src = shared_dir / "data" / "nhs_geography_2021_2022" / "icb_boundaries.geojson"
    # the package file is what the script makes from the ONS boundaries with its stated settings
    assert module.simplify(src, 0.006, 0.002, 3, "icb2022") == boundaries("icb2022")


@pytest.mark.parametrize(
    ("code", "css", "title"),
    [
        # the 2016/17 Greater Manchester plan (STP E54000007) lies in the ICB of another code
        ("E54000057", "v-yes", "NHS Greater Manchester Integrated Care Board (E54000057): yes"),
        ("E54000028", "v-review", "NHS North Central London Integrated Care Board (E54000028): yes, to review"),
        ("E54000027", "v-implicit", "NHS North West London Integrated Care Board (E54000027): no, implicit only"),
        ("E54000036", "v-failed", "NHS Cornwall and the Isles of Scilly Integrated Care Board (E54000036): documents not read"),
        ("E54000050", "v-none", "NHS North East and North Cumbria Integrated Care Board (E54000050): no document"),
    ],
)
def test_every_icb_is_coloured_by_its_verdict_and_named(report, code, css, title):
    html = report.read_text(encoding="utf-8")
    assert re.search(rf'<path class="{css}" d="[^"]+" data-code="{code}"><title>{re.escape(title)}</title>', html)


def test_icb_report_rows_map_and_credit(report):
    html = report.read_text(encoding="utf-8")
    assert html.count('class="fp-row') == 42
    assert sorted(re.findall(r"<path [^>]*data-code=\"(E54\d{6})\"", html)) == _icb_codes()
    assert CREDIT in html and "Boundaries: ICBs, July 2022 (simplified)" in html
    assert "Map of the 42 ICBs coloured by verdict" in html
    assert "Sustainability and Transformation Partnerships (February 2017)" not in html  # the STP map's source


def test_icb_report_refuses_appendix3(tmp_path):
    db = td.make_store(tmp_path / "t.db")
    result = runner.invoke(app, ["report", "--db", str(db), "--out", str(tmp_path / "r.html"),
                                 "--geography", "icb2022", "--compare", "appendix3"])
    assert result.exit_code == 2 and "stp2017" in result.output
    assert not (tmp_path / "r.html").exists()


@pytest.mark.browser
def test_icb_report_in_headless_chromium(report):
    with open_page(report.as_uri()) as (page, requests):
        page.locator("svg#map").screenshot(path=str(ARTIFACTS / "report-icb-map.png"))
        map_box = page.locator("svg#map").bounding_box()
        shapes = page.locator("svg#map path[data-code]").count()
        rows = page.locator("#footprint-table tr.fp-row").count()
        gm = page.locator("svg#map path[data-code='E54000057']")
        gm_box, gm_fill = gm.bounding_box(), gm.evaluate("e => getComputedStyle(e).fill")
        none_fill = page.locator("svg#map path[data-code='E54000050']").evaluate("e => getComputedStyle(e).fill")
        page.locator(".toolbar button[data-filter='v-yes v-review']").click()
        visible = page.locator("#footprint-table tr.fp-row:visible td").all_inner_texts()
    assert requests == [report.as_uri()], f"external requests: {requests}"
    assert map_box and map_box["width"] > 300 and map_box["height"] > 300
    assert (rows, shapes) == (42, 42)
    assert gm_box and gm_box["width"] > 8 and gm_box["height"] > 8  # a shape big enough to see and click
    assert gm_fill != none_fill  # coloured, not the "no document" grey
    assert "NHS Greater Manchester Integrated Care Board" in visible
    assert "NHS North Central London Integrated Care Board" in visible
    assert (ARTIFACTS / "report-icb-map.png").stat().st_size > 10_000
