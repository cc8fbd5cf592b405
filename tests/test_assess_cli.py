"""`svmine assess` on the sample corpus (corpora/assess, fictional): every planted rating with the
evidence behind each signal, --explain, overrides, --compare with a hand-computed kappa, output
formats, and refusals of bad input."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from svmine.cli.main import app

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpora" / "assess"
MANIFEST = CORPUS / "manifest.csv"
TRUTH = CORPUS / "ground_truth.csv"
PLANTED = list(csv.DictReader(TRUTH.open(encoding="utf-8")))
runner = CliRunner()


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    from svmine.scan import scan

    path = tmp_path_factory.mktemp("assess") / "assess.db"
    summary = scan([CORPUS / "docs"], path, workers=1, use_classifier=False)
    assert not summary.failed and summary.processed == 19
    return path


def _run(*args: str):
    return runner.invoke(app, ["assess", *args])


@pytest.fixture(scope="module")
def rated(db) -> dict[str, dict]:
    result = _run("--db", str(db), "--manifest", str(MANIFEST), "--format", "json")
    assert result.exit_code == 0, result.output
    return {a["org_code"]: a for a in json.loads(result.stdout)["assessments"]}


def test_corpus_covers_every_rating_and_the_hard_cases():
    for scale, values in (("commitment", 4), ("evidence", 2), ("approach", 3)):
        assert len({row[scale] for row in PLANTED}) == values
    assert len(PLANTED) >= 16 and {row["needs_review"] for row in PLANTED} == {"yes", "no"}


@pytest.mark.parametrize("row", PLANTED, ids=[r["org_code"] for r in PLANTED])
def test_planted_rating(rated, row):
    a = rated[row["org_code"]]
    assert (a["commitment"], a["evidence"], a["approach"]) == (row["commitment"], row["evidence"], row["approach"])
    assert a["needs_review"] == (row["needs_review"] == "yes")


@pytest.fixture(scope="module")
def pages(db) -> dict[tuple[str, int], str]:
    """(sha256, page) -> the stored page text."""
    from svmine.store import Store
    from svmine.store.reporting import documents, page_texts

    with Store.open(db, mode="ro") as store:
        sha = {d["id"]: d["sha256"] for d in documents(store)}
        return {(sha[i], n): t for i, ps in page_texts(store).items() for n, t in ps}


@pytest.mark.parametrize("row", PLANTED, ids=[r["org_code"] for r in PLANTED])
def test_every_signal_has_its_evidence(rated, pages, row):
    a = rated[row["org_code"]]
    assert a["signals"] or a["commitment"] == "uncommitted"
    for s in a["signals"]:
        text = pages[(s["sha256"], s["page"])]
        assert Path(s["document"]).parent.name == "docs" and s["rule_id"] and s["signal"]
        assert " ".join(text[s["start"]:s["end"]].split()) == s["quote"]


def test_table_has_summary_and_regions(db):
    result = _run("--db", str(db), "--manifest", str(MANIFEST))
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "E38000041  NHS Cumbria CCG" in out
    assert "approach: active 5 (28%), limited 7 (39%), passive 6 (33%)" in out
    assert "highly committed, evidenced, active: 4 (22%)" in out
    assert "London: 0 of 3" in out and "North: 2 of 6" in out
    assert "!  E38000211" in out  # conflicting signals wait for review


def test_explain_prints_the_decision_path(db):
    result = _run("--db", str(db), "--manifest", str(MANIFEST), "--explain", "Wyre Forest")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "E38000211 NHS Wyre Forest CCG" in out and "NEEDS REVIEW" in out
    assert "commitment step 2 (apparently committed): YES" in out
    assert "conflict: says no procurements were run, yet names or counts one" in out
    assert "named_procurement [evidence, rule evidence.named] foi_wyre_forest.txt p.1:" in out
    assert '"In the procurement of the Community Musculoskeletal Service' in out


def test_override_changes_the_table(db, tmp_path):
    import shutil

    from svmine.store import Store
    from svmine.store.assessments import record_override

    copy = tmp_path / "copy.db"
    shutil.copy(db, copy)
    with Store.open(copy, mode="rw") as store:
        record_override(store, "E38000160", "approach", "limited", "ann", note="the FOI names a tender on p.2")
    result = _run("--db", str(copy), "--manifest", str(MANIFEST))
    assert result.exit_code == 0, result.output
    line = next(x for x in result.stdout.splitlines() if "E38000160" in x)
    assert "limited*" in line and not line.startswith("!")
    explained = _run("--db", str(copy), "--manifest", str(MANIFEST), "--explain", "E38000160").stdout
    assert "approach: limited  (overridden by ann" in explained


def test_compare_with_a_hand_computed_kappa(db, tmp_path):
    # The reference moves one organisation from active to limited. svmine: active 5, limited 7,
    # passive 6; reference: 4, 8, 6 of 18. p_o = 17/18; p_e = (5*4 + 7*8 + 6*6) / 18^2 = 112/324;
    # kappa = (17/18 - 112/324) / (1 - 112/324) = 0.9151.
    rows = [dict(r, approach="limited") if r["org_code"] == "E38000070" else r for r in PLANTED]
    ref = tmp_path / "ref.csv"
    with ref.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(PLANTED[0]))
        writer.writeheader()
        writer.writerows(rows)
    result = _run("--db", str(db), "--manifest", str(MANIFEST), "--compare", str(ref), "--format", "json")
    assert result.exit_code == 0, result.output
    approach = json.loads(result.stdout)["comparison"]["scales"]["approach"]
    assert (approach["agree"], approach["n"]) == (17, 18)
    assert approach["kappa"] == pytest.approx((17 / 18 - 112 / 324) / (1 - 112 / 324))
    text = _run("--db", str(db), "--manifest", str(MANIFEST), "--compare", str(ref)).stdout
    assert "approach   agreement 17/18 (94%), Cohen's kappa 0.92" in text
    assert "commitment agreement 18/18 (100%), Cohen's kappa 1.00" in text
    assert "disagrees: E38000070 approach: svmine 'active', reference 'limited'" in text


def test_csv_and_xlsx(db, tmp_path):
    result = _run("--db", str(db), "--manifest", str(MANIFEST), "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == len(PLANTED) and rows[0]["region"] == "North"
    out = tmp_path / "assess.xlsx"
    result = _run("--db", str(db), "--manifest", str(MANIFEST), "--format", "xlsx", "--out", str(out))
    assert result.exit_code == 0, result.output
    from openpyxl import load_workbook

    wb = load_workbook(out)
    assert wb.sheetnames == ["Organisations", "Signals", "Summary"]
    assert wb["Organisations"].max_row == len(PLANTED) + 1
    quotes = [c.value for c in wb["Signals"]["H"][1:]]
    assert any("10% of the total evaluation score" in q for q in quotes)


def test_attribution_without_manifest(db):
    # The FOI replies name their CCG in their first lines, so the scan's attribution places them;
    # the council's reply names no CCG and is left out, with a note.
    result = _run("--db", str(db), "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    codes = {a["org_code"] for a in data["assessments"]}
    assert codes == {r["org_code"] for r in PLANTED} - {"E06000001"}
    assert "1 document(s) with no organisation" in " ".join(data["notes"])


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("kind, content, message", [
    ("rules", '{"id": "x", "kind": "colour", "signal": "s", "pattern": "a"}\n', "unknown kind 'colour'"),
    ("rules", "not json\n", "invalid JSON"),
    ("manifest", "file,footprint_code\na.txt,E54000007\n", "needs a file (or sha256) column and an org_code"),
    ("manifest", "file,org_code\ndocs/foi_cumbria.txt,E38999999\n", "line 2: unknown organisation code 'E38999999'"),
    ("manifest", "file,org_name\ndocs/foi_cumbria.txt,Narnia Health Board\n", "line 2: the name 'Narnia Health Board'"),
    ("manifest", "file,org_code,org_type\ndocs/foi_cumbria.txt,E06000001,council\n", "needs both org_code and org_name"),
    ("compare", "org_code,approach\nE38000041,very active\n", "line 2: 'very active' is not a approach rating"),
    ("compare", "code,verdict\nE38000041,yes\n", "needs an org_code column"),
])
def test_bad_input_is_exit_2(db, tmp_path, kind, content, message):
    path = _write(tmp_path / f"{kind}.csv", content)
    args = ["--db", str(db), f"--{kind}", str(path)]
    if kind != "manifest":
        args += ["--manifest", str(MANIFEST)]
    result = _run(*args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr


@pytest.mark.parametrize("args, message", [
    (["--rules", "/no/such/rules.jsonl"], "--rules: no such file"),
    (["--explain", "Narnia"], "--explain: 'Narnia' is none of the organisations assessed"),
    (["--format", "xlsx"], "--format xlsx needs --out"),
])
def test_bad_option_is_exit_2(db, args, message):
    result = _run("--db", str(db), "--manifest", str(MANIFEST), *args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr


def test_help():
    result = runner.invoke(app, ["assess", "--help"], env={"COLUMNS": "80"})
    assert result.exit_code == 0
    for option in ("--manifest", "--rules", "--explain", "--compare", "--format"):
        assert option in result.stdout
