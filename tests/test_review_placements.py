"""Settling uncertain footprint placements in the review app, and the table reading them back."""

from __future__ import annotations

import re

import pytest
from test_review import Auditor, _field, _rows
from test_review_support import make_pdf, result_for
from typer.testing import CliRunner

from svmine.review import create_app
from svmine.store import Store, decisions, placements, reporting
from svmine.tables.build import build_table

WEST_YORKSHIRE, GLOUCESTERSHIRE = "E54000005", "E54000043"
LINES = ["Our plan names West Yorkshire twice and Gloucestershire once.", "We will deliver social value here."]
EVIDENCE = [
    {"code": WEST_YORKSHIRE, "kind": "stp", "page": 1, "text": "West Yorkshire", "votes_for": [WEST_YORKSHIRE]},
    {"code": "E38000001", "kind": "ccg", "page": 1, "text": "NHS Airedale CCG", "votes_for": [WEST_YORKSHIRE]},
    {"code": GLOUCESTERSHIRE, "kind": "stp", "page": 1, "text": "Gloucestershire", "votes_for": [GLOUCESTERSHIRE]},
]


@pytest.fixture
def db(tmp_path):
    """Two documents: one placed with certainty (accepted), one uncertain (review) with a CCG."""
    db = tmp_path / "place.db"
    with Store.open(db) as st:
        for name, status, ccg in (("sure.pdf", "accepted", None), ("unsure.pdf", "review", "E38000001")):
            pdf = make_pdf(tmp_path / name, [LINES])
            result = result_for(pdf, [LINES], [(1, "social value", "social_value", "explicit", "pattern")])
            result["attribution"] = {"code": WEST_YORKSHIRE, "name": "West Yorkshire", "score": 66.7, "status": status,
                                     "evidence": EVIDENCE, "source": "text", "ccg_code": ccg}
            result["metadata"]["title"] = "Report template"
            st.save_result(result)
    return db


def _row(db, code):
    conn = Store.open(db, mode="ro")
    try:
        table = build_table(conn, category="social_value", level="footprint")
    finally:
        conn.close()
    return next(r for r in table.rows if r.code == code)


def _place(auditor: Auditor, doc_id: int, action: str, code: str = "", everything: bool = False):
    page = auditor.client.get("/placements", query_string={"all": "1"} if everything else {}).text
    card = page[page.index(f'id="doc-{doc_id}"'):]
    form = {"csrf": auditor.csrf, "doc_id": str(doc_id), "action": action, "code": code,
            "nonce": _field(card, "nonce"), "seen": _field(card, "seen")}
    return auditor.client.post("/place", data=form)


def test_placements_page_lists_the_uncertain_document_with_its_candidates(db):
    alice = Auditor(create_app(db), "alice")
    page = alice.client.get("/placements").text
    assert ">unsure.pdf</h2>" in page and ">sure.pdf</h2>" not in page
    assert "Confirm West Yorkshire" in page
    assert "Gloucestershire <code>E54000043</code>: “Gloucestershire” p.1" in page
    assert page.count("<option value=\"E54") == 44  # the whole reference list
    assert "1 to settle" in alice.client.get("/").text  # the top bar says there is work
    assert ">sure.pdf</h2>" in alice.client.get("/placements", query_string={"all": "1"}).text


@pytest.mark.parametrize(
    "action, code, settled, west_docs, gloucs_docs",
    [
        ("confirm", "", WEST_YORKSHIRE, 2, 0),
        ("pick", GLOUCESTERSHIRE, GLOUCESTERSHIRE, 1, 1),
        ("nowhere", "", None, 1, 0),
    ],
)
def test_settled_placement_is_what_the_table_uses(db, action, code, settled, west_docs, gloucs_docs):
    before = _row(db, WEST_YORKSHIRE)
    assert before.documents == 2 and "footprint attribution uncertain" in before.review_reasons
    alice = Auditor(create_app(db), "alice")
    assert _place(alice, 2, action, code).status_code == 303
    row = _rows(db)[-1]
    assert (row["item_type"], row["decision"], row["label"]) == ("placement", "place", settled or "none")
    conn = Store.open(db, mode="ro")
    try:
        assert placements.settled_placements(conn)[row["document_sha256"]]["code"] == settled
        docs = {d["path"].rsplit("/", 1)[-1]: d for d in reporting.documents(conn)}
    finally:
        conn.close()
    assert docs["unsure.pdf"]["footprint_code"] == settled and docs["unsure.pdf"]["footprint_source"] == "review"
    assert docs["unsure.pdf"]["ccg_code"] == ("E38000001" if settled == WEST_YORKSHIRE else None)
    assert docs["sure.pdf"]["footprint_status"] == "accepted"  # untouched
    west, gloucs = _row(db, WEST_YORKSHIRE), _row(db, GLOUCESTERSHIRE)
    assert (west.documents, gloucs.documents) == (west_docs, gloucs_docs)
    assert "footprint attribution uncertain" not in west.review_reasons + gloucs.review_reasons
    assert "0 to settle" not in alice.client.get("/").text and "to settle" not in alice.client.get("/").text
    assert "Settled by alice" in alice.client.get("/placements").text


def test_undo_returns_the_placement_to_the_attribution(db):
    alice = Auditor(create_app(db), "alice")
    _place(alice, 2, "pick", GLOUCESTERSHIRE)
    assert _row(db, GLOUCESTERSHIRE).documents == 1
    alice.undo()
    assert _row(db, GLOUCESTERSHIRE).documents == 0
    assert "footprint attribution uncertain" in _row(db, WEST_YORKSHIRE).review_reasons


def test_a_certain_placement_can_be_corrected_from_every_document(db):
    alice = Auditor(create_app(db), "alice")
    assert _place(alice, 1, "pick", GLOUCESTERSHIRE, everything=True).status_code == 303
    assert _row(db, GLOUCESTERSHIRE).documents == 1


def test_later_placement_wins_and_a_stale_one_is_a_conflict(db):
    app = create_app(db)
    alice, bob = Auditor(app, "alice"), Auditor(app, "bob")
    stale = bob.client.get("/placements").text
    assert _place(alice, 2, "confirm").status_code == 303
    card = stale[stale.index('id="doc-2"'):]
    late = bob.client.post("/place", data={"csrf": bob.csrf, "doc_id": "2", "action": "nowhere",
                                           "nonce": _field(card, "nonce"), "seen": _field(card, "seen")})
    assert late.status_code == 409 and "alice placed this item as E54000005" in late.text
    assert _place(bob, 2, "pick", GLOUCESTERSHIRE).status_code == 303  # with the page reloaded
    assert _row(db, GLOUCESTERSHIRE).documents == 1


def test_the_table_command_uses_the_settled_placement(db):
    from svmine.cli.main import app as cli

    before = CliRunner().invoke(cli, ["table", "--db", str(db)])
    alice = Auditor(create_app(db), "alice")
    _place(alice, 2, "pick", GLOUCESTERSHIRE)
    after = CliRunner().invoke(cli, ["table", "--db", str(db)])
    assert before.exit_code == after.exit_code == 0, after.output
    gloucs_before = next(line for line in before.output.splitlines() if "Gloucestershire" in line)
    gloucs_after = next(line for line in after.output.splitlines() if "Gloucestershire" in line)
    assert gloucs_before != gloucs_after and re.search(r"\byes\b", gloucs_after)


def test_placement_rows_stay_out_of_training_and_exports(db, tmp_path):
    from svmine.review import formats

    alice = Auditor(create_app(db), "alice")
    _place(alice, 2, "confirm")
    assert decisions.training_examples(db) == []
    assert formats.export_annotations(db, "prodigy", tmp_path / "p.jsonl") == 0
    assert formats.export_annotations(db, "jsonl", tmp_path / "all.jsonl") == 1  # the native trail keeps it
