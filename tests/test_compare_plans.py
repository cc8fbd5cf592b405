"""`svmine compare-plans` on the two-era sample corpus (corpora/eras): verdicts then and now,
gains and losses by theme, shares of split predecessors, every output format and bad input."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from svmine.cli.main import app
from browser import ARTIFACTS, open_page

ROOT = Path(__file__).resolve().parent.parent
ERAS = ROOT / "corpora" / "eras"
EXPECTED = json.loads((ERAS / "expected.json").read_text(encoding="utf-8"))
OLD, NEW = ERAS / "old.csv", ERAS / "new.csv"
runner = CliRunner()


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("eras") / "eras.db"
    result = runner.invoke(app, ["scan", str(ERAS), "--db", str(path), "--workers", "1"])
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture(scope="module")
def comparison(db):
    from svmine.tables.compare_plans_output import make_comparison

    return make_comparison(db, OLD, NEW)


def _invoke(db: Path, *args: str, old: Path = OLD, new: Path = NEW):
    return runner.invoke(app, ["compare-plans", "--db", str(db), "--old-manifest", str(old),
                               "--new-manifest", str(new), *args])


def test_every_planted_icb_and_no_other(comparison):
    assert sorted(c.code for c in comparison.changes) == sorted(EXPECTED["icbs"])
    assert comparison.without_plans == EXPECTED["without_plans"]
    assert len(comparison.changes) + comparison.without_plans == 42


@pytest.mark.parametrize("code", sorted(EXPECTED["icbs"]), ids=lambda c: EXPECTED["icbs"][c]["change"] + " " + c)
def test_planted_verdicts_then_and_now(comparison, code):
    from svmine.tables.compare_plans_output import verdict_text

    want = EXPECTED["icbs"][code]
    change = next(c for c in comparison.changes if c.code == code)
    assert (verdict_text(change.then), verdict_text(change.now), change.change) == (want["then"], want["now"], want["change"])


@pytest.mark.parametrize("code", sorted(EXPECTED["icbs"]))
def test_planted_counts_gained_and_lost(comparison, code):
    want = EXPECTED["icbs"][code]
    change = next(c for c in comparison.changes if c.code == code)
    counts = {key: [then, now] for key, _, then, now in change.counts()}
    assert {k: counts[k] for k in ("explicit", "implicit", "vcse", "weighting")} == \
        {k: want[k] for k in ("explicit", "implicit", "vcse", "weighting")}
    assert (change.facts_gained, change.facts_lost) == (want["facts_gained"], want["facts_lost"])


@pytest.mark.parametrize("code", [c for c, w in EXPECTED["icbs"].items() if "predecessors" in w])
def test_predecessor_shares(comparison, code):
    change = next(c for c in comparison.changes if c.code == code)
    got = {p.code: [round(p.share_of_old, 4), round(p.share_of_new, 4)] for p in change.predecessors}
    assert got == EXPECTED["icbs"][code]["predecessors"]


def test_a_split_predecessor_counts_whole_under_each_icb(comparison):
    """Durham, Darlington, Teesside... (E54000045) lies 86 % in NENC and 14 % in Humber and North
    Yorkshire: its one plan is counted, whole, on both sides, each with its own shares."""
    rows = {c.code: c for c in comparison.changes}
    for icb in ("E54000050", "E54000051"):
        pred = next(p for p in rows[icb].predecessors if p.code == "E54000045")
        assert pred.material and pred.row.verdict == "yes" and pred.row.documents == 1
        assert rows[icb].then.quote.name == "durham_darlington_teesside_stp.md"
    assert rows["E54000050"].then.row.documents == 3  # with Northumberland, Tyne and Wear and Cumbria CCG (no)


def test_a_ccg_plan_covers_the_ccgs_own_area(comparison):
    """The manifest places the NHS Cumbria CCG plan on its 2016 CCG code: it counts under both
    ICBs its area became part of (64 % / 36 %), not only under its STP's ICB."""
    rows = {c.code: c for c in comparison.changes}
    for icb, share in (("E54000050", 0.6389), ("E54000048", 0.3611)):
        pred = next(p for p in rows[icb].predecessors if p.code == "E38000041")
        assert (pred.kind, round(pred.share_of_old, 4), pred.row.documents, pred.row.vcse) == ("CCG", share, 1, 1)
    wnec = next(p for p in rows["E54000050"].predecessors if p.code == "E54000047")
    assert wnec.row.documents == 0  # the CCG plan is not its STP's plan


@pytest.mark.parametrize(("min_share", "counted"), [(0.05, True), (0.095, False)])
def test_min_share_decides_whether_a_sliver_counts(db, min_share, counted):
    """The split predecessor covers 9.1 % of Humber and North Yorkshire: under a higher
    --min-share its plan no longer counts there, and the ICB (no plan of its own) drops out."""
    from svmine.tables.compare_plans_output import make_comparison

    codes = {c.code for c in make_comparison(db, OLD, NEW, min_share=min_share).changes}
    assert ("E54000051" in codes) is counted
    assert "E54000050" in codes


def test_quotes_side_by_side_with_page(comparison):
    from svmine.tables.compare_plans_output import quote_text

    cm = next(c for c in comparison.changes if c.code == "E54000008")
    assert quote_text(cm.then.quote).startswith("implicit: \"")
    assert quote_text(cm.now.quote) == ('"The ICB will apply a 10% social value weighting in the evaluation of every'
                                        ' tender it runs." (p. 1, cheshire_merseyside_icb_jfp.md)')
    frimley = next(c for c in comparison.changes if c.code == "E54000034")
    assert "Public Services (Social Value) Act 2012" in frimley.then.quote.quote and frimley.now.quote is None


def test_terminal_output(db):
    result = _invoke(db)
    assert result.exit_code == 0, result.output
    out = result.output
    assert re.search(r"Cheshire and Merseyside +E54000008 +no \(implicit only\) +yes +gained +0→3 +2→0 +0→2 +0→1", out)
    assert re.search(r"Frimley +E54000034 +yes +no +lost +2→0", out)
    assert "from: Durham, Darlington, Teesside, Hambleton, Richmondshire and Whitby (E54000045): 14% of it, 9% of" in out
    assert "facts: gained weighting 10%; lost -" in out
    assert ("total: 6 ICBs compared: gained 1 + lost 1 + stayed yes 1 + no new plan 2 + no old plan 1;"
            " 36 ICB(s) without a plan in either era not listed") in out
    table = [line for line in out.splitlines() if line.startswith("  ") and not line.startswith("     ")]
    assert len(table) == 6 + 4  # 6 ICBs, 4 region headers
    assert max(len(line) for line in table) == len(table[0]) <= 120  # nothing overflows its column


def test_csv_columns_and_rows(db, tmp_path):
    from svmine.tables.compare_plans_output import COLUMNS

    out = tmp_path / "c.csv"
    result = _invoke(db, "--format", "csv", "--out", str(out))
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert list(rows[0]) == list(COLUMNS)
    assert list(COLUMNS[:6]) == ["region", "icb_code", "icb_name", "change", "verdict_then", "verdict_now"]
    by_code = {r["icb_code"]: r for r in rows}
    assert set(by_code) == set(EXPECTED["icbs"])
    cm = by_code["E54000008"]
    assert (cm["vcse_verdict_then"], cm["vcse_verdict_now"], cm["weighting_then"], cm["weighting_now"]) == ("no", "yes", "0", "1")
    assert by_code["E54000051"]["predecessors"].count("E54000045") == 1 and "14% of it" in by_code["E54000051"]["predecessors"]


def test_json_output(db):
    result = _invoke(db, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["tally"]["ICBs compared"] == 6 and data["without_plans"] == 36
    devon = next(i for i in data["icbs"] if i["code"] == "E54000037")
    assert devon["then"]["verdict"] == "no document" and devon["now"]["implicit_only"] == 2
    assert devon["now"]["quote"]["kind"] == "implicit"


@pytest.fixture(scope="module")
def html(db, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("html") / "compare.html"
    result = _invoke(db, "--format", "html", "--out", str(out))
    assert result.exit_code == 0, result.output
    return out


def test_html_page(html):
    text = html.read_text(encoding="utf-8")
    assert not re.search(r"<(link|img|iframe|object|embed|script)\b", text)  # self-contained, no script
    assert len(re.findall(r'<article class="icb"', text)) == 6
    section = text[text.index('id="icb-E54000008"'):text.index("</article>", text.index('id="icb-E54000008"'))]
    assert 'data-change="gained"' in section and "Facts gained: <strong>weighting 10%</strong>" in section
    assert "no, implicit only" in section
    nenc = text[text.index('id="icb-E54000050"'):]
    assert "Durham, Darlington, Teesside, Hambleton, Richmondshire and Whitby" in nenc and "86%" in nenc


@pytest.mark.browser
def test_html_page_in_headless_chromium(html):
    with open_page(html.as_uri()) as (page, requests):
        page.screenshot(path=str(ARTIFACTS / "compare-plans.png"), full_page=True)
        cards = page.locator("article.icb").count()
        sides = page.locator("#icb-E54000034 .sides > div").all_inner_texts()
        then_box = page.locator("#icb-E54000034 .side.then").bounding_box()
        now_box = page.locator("#icb-E54000034 .side.now").bounding_box()
    assert requests == [html.as_uri()], f"external requests: {requests}"
    assert cards == 6
    assert "Social Value" in sides[0] and "No social value sentence counted." in sides[1]
    assert then_box and now_box and abs(then_box["y"] - now_box["y"]) < 1 and now_box["x"] > then_box["x"]  # side by side


@pytest.mark.parametrize(("old", "new", "message"), [
    ("2016/frimley_health_stp.md,E54000099\n", None, "unknown footprint code 'E54000099'"),
    ("2016/frimley_health_stp.md,,E38999999\n", None, "unknown CCG code 'E38999999'"),
    (None, "2023/devon_icb_jfp.md,E54000046\n", "not July 2022 ICB codes: E54000046 (Northumberland, Tyne and Wear"
                                                 " and North Durham)"),
    ("2023/devon_icb_jfp.md,E54000050\n", None, "not 2016/17 STP codes: E54000050 (NHS North East and North Cumbria"
                                                 " Integrated Care Board)"),
    (None, "", "manifest has no rows"),
], ids=["unknown code", "unknown CCG code", "STP code in the new manifest", "ICB code in the old manifest", "empty"])
def test_bad_manifest_is_exit_2_with_a_clear_message(db, tmp_path, old, new, message):
    paths = {}
    for name, body, default in (("old", old, OLD), ("new", new, NEW)):
        if body is None:
            paths[name] = default
            continue
        paths[name] = _manifest(tmp_path, f"{name}.csv", body)
    result = _invoke(db, old=paths["old"], new=paths["new"])
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.output.split())


@pytest.mark.parametrize("flag", ["--old-manifest", "--new-manifest"])
def test_missing_manifest_is_exit_2(db, tmp_path, flag):
    args = {"--old-manifest": OLD, "--new-manifest": NEW, flag: tmp_path / "missing.csv"}
    result = runner.invoke(app, ["compare-plans", "--db", str(db), *[str(x) for kv in args.items() for x in kv]])
    assert result.exit_code == 2
    assert "missing.csv" in result.output and "does not exist" in result.output


@pytest.mark.parametrize(("args", "message"), [
    (["--format", "html"], "--format html needs --out"),
    (["--min-share", "0"], "--min-share"),
])
def test_bad_options_are_exit_2(db, args, message):
    result = _invoke(db, *args)
    assert result.exit_code == 2 and message in result.output


def test_output_never_replaces_an_input(db):
    before = OLD.read_bytes()
    result = _invoke(db, "--format", "csv", "--out", str(OLD))
    assert result.exit_code == 2 and "same file as the input" in result.output
    assert OLD.read_bytes() == before


def test_help_text_names_the_two_manifests():
    result = runner.invoke(app, ["compare-plans", "--help"], env={"COLUMNS": "80", "TERM": "dumb"})
    assert result.exit_code == 0
    for word in ("--old-manifest", "--new-manifest", "--min-share", "implicit only", "ICB"):
        assert word in result.output


@pytest.mark.parametrize(("then", "now", "change"), [
    ("no", "yes", "gained"),
    ("yes", "no", "lost"),
    ("yes", "yes", "stayed yes"),
    ("no", "no", "stayed no"),
    ("yes", "no document", "no new plan"),
    ("no document", "no", "no old plan"),
    ("not read", "yes", "not read"),
    ("yes", "not read", "not read"),
])
def test_change_of(then, now, change):
    from svmine.tables.compare_plans import change_of

    assert change_of(then, now) == change


def _manifest(tmp_path: Path, name: str, rows: str) -> Path:
    path = tmp_path / name
    path.write_text("file,footprint_code,ccg_code\n" + rows.replace("2016/", f"{ERAS}/2016/").replace("2023/", f"{ERAS}/2023/"),
                    encoding="utf-8")
    return path


def test_a_plan_in_both_manifests_is_noted(db, tmp_path):
    """E54000008 is both an STP and an ICB code: a 2016 plan listed in the new manifest too is
    accepted, counted in both eras, and named in a note."""
    new = _manifest(tmp_path, "new.csv", NEW.read_text(encoding="utf-8").split("\n", 1)[1]
                    + "2016/cheshire_merseyside_stp.md,E54000008\n")
    result = _invoke(db, new=new)
    assert result.exit_code == 0, result.output
    assert "note: 1 document(s) are placed by both manifests and count in both eras: cheshire_merseyside_stp.md" in result.output


@pytest.mark.parametrize(("strict", "code"), [(False, 0), (True, 2)])
def test_manifest_row_naming_no_document_warns_or_stops(db, tmp_path, strict, code):
    new = _manifest(tmp_path, "new.csv", NEW.read_text(encoding="utf-8").split("\n", 1)[1]
                    + "2023/not_scanned.md,E54000037\n")
    result = _invoke(db, *(["--strict"] if strict else []), new=new)
    assert result.exit_code == code, result.output
    assert "not_scanned.md" in result.output and "names no document in the store" in result.output
    assert ("ICBs compared" in result.output) is not strict
