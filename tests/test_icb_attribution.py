"""A document's place among the 42 ICBs of July 2022: ICB and Sub ICB Location names in its own
text, else its 2016/17 STP when that lies in one ICB; then `svmine table --geography icb2022`
places scanned documents without a manifest. All document texts are written for these tests."""

from __future__ import annotations

import csv
import io
import json

import pytest
from typer.testing import CliRunner

from svmine.cli.main import app
from svmine.footprints.attribution import attribute_document
from svmine.footprints.icb_attribution import WHOLLY, find_icb_names, icb_of_footprint
from svmine.footprints.manifest import load_manifest
from svmine.model import Document, Page

runner = CliRunner()
WY, BSW, GM, BNSSG, NENC, CM = "E54000054", "E54000040", "E54000057", "E54000039", "E54000050", "E54000008"


def doc(*texts: str, path: str = "plan.txt", title: str | None = None) -> Document:
    return Document(path, "1" * 64, "text", metadata={"title": title} if title else {},
                    pages=[Page(i + 1, t) for i, t in enumerate(texts)])


@pytest.mark.parametrize(
    ("pages", "code", "status", "source"),
    [
        # official ICB names on the title page
        (["NHS West Yorkshire Integrated Care Board\nJoint Forward Plan 2023 to 2028"], WY, "accepted", "text"),
        (["Joint forward plan of the Bath and North East Somerset, Swindon and Wiltshire ICB, spring 2023"],
         BSW, "accepted", "text"),
        # acronyms count with an organisation word after them
        (["Our five year plan", "Agreed by the board of BSW ICB and its partners in BSW Together."], BSW, "accepted",
         "text"),
        (["Delivery plan", "The BNSSG ICS board met in June.", "Healthier Together BNSSG will report in May."],
         BNSSG, "accepted", "text"),
        (["NENC ICB: our strategy for the years ahead"], NENC, "accepted", "text"),
        # Sub ICB Locations vote for their ICB: official form, and place name with a cue
        (["NHS Greater Manchester ICB - 14L\nMedicines policy"], GM, "review", "text"),
        (["Wakefield Sub ICB Location\nCommunity services review", "The Leeds place team agreed the plan."],
         WY, "accepted", "text"),
        # a second ICB named: the first has under 70 % of the votes, so it is placed for review
        (["NHS West Yorkshire Integrated Care Board: a paper on shared services",
          "Written with NHS Greater Manchester Integrated Care Board."], WY, "review", "text"),
        # a 2016 STP plan: its STP lies in one ICB, so the crosswalk carries it over
        (["Cheshire & Merseyside\nSustainability and Transformation Plan\n21 October 2016"], CM, "accepted",
         "stp_crosswalk"),
    ],
)
def test_icb_placement_from_text(pages, code, status, source):
    icb = attribute_document(doc(*pages)).icb
    assert (icb["code"], icb["status"], icb["source"]) == (code, status, source), icb["reason"]
    assert icb["reason"]


@pytest.mark.parametrize(
    "pages",
    [
        # integrated care boards in general name none of them
        ["Guidance for integrated care boards", "Every integrated care board and each ICB partner must publish a plan;"
         " ICBs and integrated care systems will report quarterly."],
        # bare acronyms without an organisation word are not ICB names
        ["Notes from a regional meeting", "Colleagues from BOB, NENC and SNEE attended and sent apologies."],
    ],
)
def test_general_mentions_place_nothing(pages):
    att = attribute_document(doc(*pages))
    assert find_icb_names(" ".join(pages)) == []
    assert att.icb["code"] is None and att.icb["status"] == "no_match"


def test_split_stp_stays_unplaced_with_its_shares():
    att = attribute_document(doc("The Black Country Sustainability and Transformation Plan, October 2016"))
    assert att.code == "E54000016"  # the STP placement is unchanged
    icb = att.icb
    assert icb["code"] is None and icb["source"] == "stp_crosswalk"
    assert "split across ICBs" in icb["reason"] and "NHS Black Country Integrated Care Board 89%" in icb["reason"]


@pytest.mark.parametrize(
    ("code", "icb"),
    [("E54000005", WY), ("E54000008", CM), ("E54000016", None), ("E54000045", None), (NENC, NENC), ("E99999999", None)],
)
def test_icb_of_footprint(code, icb):
    placed = icb_of_footprint(code)
    assert placed.code == icb
    assert placed.score >= 100 * WHOLLY or placed.code is None


@pytest.mark.parametrize("text", [
    "NHS West Yorkshire Integrated Care Board\nPlan for Leeds, with NHS Leeds CCG colleagues",
    "BSW ICB\nA plan agreed with NHS Swindon CCG and NHS Wiltshire CCG",
])
def test_stp_placement_does_not_depend_on_the_icb_pass(text, monkeypatch):
    """The ICB placement is added beside the STP one: the STP fields are what they are without it."""
    from svmine.footprints import attribution

    with_icb = attribute_document(doc(text))
    monkeypatch.setattr(attribution, "icb_from_text", lambda texts: None)
    without = attribute_document(doc(text))
    fields = ("code", "name", "score", "status", "evidence", "ccg_code")
    assert [getattr(with_icb, f) for f in fields] == [getattr(without, f) for f in fields]
    assert with_icb.icb["source"] == "text" and without.icb["source"] == "stp_crosswalk"


def test_manifest_icb_code_wins(tmp_path):
    manifest = tmp_path / "m.csv"
    manifest.write_text(f"file,footprint_code\nplan.txt,{NENC}\n", encoding="utf-8")
    att = attribute_document(doc("NHS West Yorkshire Integrated Care Board"), manifest=load_manifest(manifest))
    assert (att.icb["code"], att.icb["source"], att.icb["status"]) == (NENC, "manifest", "exact")


# -- scan, then the table by ICB without a manifest -----------------------------------------
CORPUS = {
    "wy_forward_plan.txt": "NHS West Yorkshire Integrated Care Board\nJoint Forward Plan 2023\n\n"
                           "We will weight social value at 10% in every tender we award.",
    "bsw_strategy.txt": "BSW ICB integrated care strategy\n\nPartners in BSW Together agreed the priorities.",
    "black_country_stp.txt": "The Black Country Sustainability and Transformation Plan\n\n"
                             "This plan was written by the four councils and their NHS partners.",
    "guidance.txt": "Guidance for integrated care boards\n\nEach integrated care board will publish a plan.",
}


@pytest.fixture(scope="module")
def scanned(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("icbscan")
    corpus = tmp / "docs"
    corpus.mkdir()
    for name, text in CORPUS.items():
        (corpus / name).write_text(text, encoding="utf-8")
    db = tmp / "s.db"
    result = runner.invoke(app, ["scan", str(corpus), "--db", str(db), "--workers", "1", "--no-classifier"])
    assert result.exit_code == 0, result.output
    return db


def test_table_by_icb_places_scanned_documents_without_a_manifest(scanned):
    result = runner.invoke(app, ["table", "--db", str(scanned), "--geography", "icb2022", "--format", "json"])
    assert result.exit_code == 0, result.output
    table = json.loads(result.output)
    rows = {r["code"]: r for r in table["rows"]}
    assert len(rows) == 42
    assert (rows[WY]["documents"], rows[WY]["verdict"], rows[WY]["source"]) == (1, "yes", "text")
    assert (rows[BSW]["documents"], rows[BSW]["verdict"]) == (1, "no")
    assert sum(r["documents"] for r in rows.values()) == 2
    note = next(n for n in table["notes"] if "not placed" in n)
    assert "black_country_stp.txt (STP E54000016 The Black Country is split across ICBs" in note
    assert "guidance.txt" in note


def test_document_level_table_by_icb(scanned):
    result = runner.invoke(app, ["table", "--db", str(scanned), "--geography", "icb2022", "--level", "document",
                                 "--format", "csv"])
    assert result.exit_code == 0, result.output
    got = {r["name"]: r["footprint_code"] for r in csv.DictReader(io.StringIO(result.output)) if r.get("name")}
    assert got["wy_forward_plan.txt"] == WY and got["bsw_strategy.txt"] == BSW
    assert not got["black_country_stp.txt"] and not got["guidance.txt"]


def test_stp_table_of_the_same_store_is_unchanged(scanned):
    """The 2016/17 table still places the STP plan on its STP."""
    result = runner.invoke(app, ["table", "--db", str(scanned), "--format", "json"])
    rows = {r["code"]: r for r in json.loads(result.output)["rows"]}
    assert len(rows) == 44 and rows["E54000016"]["documents"] == 1


def test_placement_settled_in_review_reaches_its_icb(scanned, tmp_path):
    """An auditor moves the split Black Country plan to an STP: the table by ICB follows the crosswalk."""
    import shutil

    from svmine.store import Store, reporting
    from svmine.store.placements import record_placement

    db = tmp_path / "s.db"
    shutil.copy(scanned, db)
    with Store.open(db, mode="rw") as store:
        doc = next(d for d in reporting.documents(store) if d["path"].endswith("black_country_stp.txt"))
        record_placement(store, doc, "ann", "E54000008")
    result = runner.invoke(app, ["table", "--db", str(db), "--geography", "icb2022", "--format", "json"])
    rows = {r["code"]: r for r in json.loads(result.output)["rows"]}
    assert (rows[CM]["documents"], rows[CM]["source"]) == (1, "review")
