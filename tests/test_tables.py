"""Table building: verdict rules, evidence choice, manifests, levels and the comparison."""

from __future__ import annotations

import pytest

import tables_data as td
from svmine.store import Store
from svmine.tables.build import build_table, format_fact
from svmine.tables.compare import cohen_kappa, compare, load_reference_verdicts
from svmine.tables.evidence import counts, is_strong, verdict
from svmine.footprints.manifest import ManifestError, load_manifest


@pytest.fixture
def conn(tmp_path):
    store = Store.open(td.make_store(tmp_path / "t.db"))
    yield store.conn
    store.close()


def table(conn, **kw):
    return build_table(conn, footprints=td.FOOTPRINTS, ccgs=td.CCGS, **kw)


def by_code(t):
    return {r.code: r for r in t.rows}


@pytest.mark.parametrize(
    "mention, counted, strong",
    [
        ({"kind": "explicit", "source": "pattern", "flags": []}, True, True),
        ({"kind": "explicit", "source": "pattern", "flags": ["negated"]}, False, False),
        ({"kind": "explicit", "source": "pattern", "flags": ["hypothetical"]}, True, False),
        ({"kind": "explicit", "source": "pattern", "flags": ["reference"]}, True, False),
        ({"kind": "explicit", "source": "pattern", "flags": ["committed"]}, True, True),
        ({"kind": "explicit", "source": "pattern", "flags": ["boilerplate"]}, False, False),
        ({"kind": "explicit", "source": "classifier", "probability": 0.85, "flags": []}, True, True),
        ({"kind": "explicit", "source": "classifier", "probability": 0.79, "flags": []}, True, False),
        ({"kind": "implicit", "source": "classifier", "probability": 0.95, "flags": []}, True, False),
        ({"kind": "implicit", "source": "classifier", "probability": 0.49, "flags": []}, False, False),
        ({"kind": "explicit", "source": "pattern", "flags": [], "rejected": True}, False, True),
    ],
)
def test_mention_rules(mention, counted, strong):
    assert counts(mention) is counted
    assert is_strong(mention) is strong


@pytest.mark.parametrize(
    "readable, failed, evidence, expected",
    [
        (0, 0, [], ("no document", False)),
        (0, 2, [], ("not read", False)),
        (1, 0, [], ("no", False)),
        (1, 1, [{"kind": "explicit", "source": "pattern", "flags": []}], ("yes", False)),
        (1, 0, [{"kind": "implicit", "source": "classifier", "probability": 0.9, "flags": []}], ("yes", True)),
    ],
)
def test_verdict(readable, failed, evidence, expected):
    assert verdict(readable, failed, evidence) == expected


@pytest.mark.parametrize(
    "fact, text",
    [
        ({"kind": "weighting", "value": 10.0, "unit": "percent"}, "weighting 10%"),
        ({"kind": "pass_fail", "value": None, "unit": None}, "pass/fail"),
        ({"kind": "threshold", "value": 100000.0, "unit": "GBP"}, "threshold £100000"),
        ({"kind": "weighting", "value": 12.5, "unit": "points"}, "weighting 12.5 points"),
    ],
)
def test_format_fact(fact, text):
    assert format_fact(fact) == text


def test_footprint_rows(conn):
    t = table(conn)
    rows = by_code(t)
    assert [r.code for r in t.rows] == [f.code for f in td.FOOTPRINTS]  # every footprint, report order
    gm = rows["E54000007"]
    assert (gm.verdict, gm.review, gm.explicit, gm.implicit, gm.vcse) == ("yes", False, 1, 0, 1)
    assert gm.facts == ["weighting 10%"]
    assert gm.strongest.page == 2 and "weighted 10%" in gm.strongest.quote  # the negated p.1 mention is not evidence
    nwl = rows["E54000027"]
    assert (nwl.verdict, nwl.review, nwl.implicit) == ("yes", True, 1)  # the 0.3 sentence is not counted
    assert nwl.review_reasons == ["weak evidence only"]
    assert rows["E54000008"].verdict == "no document"
    assert rows["E54000036"].verdict == "not read" and rows["E54000036"].failed == 1
    assert rows["E54000037"].verdict == "no"
    assert "footprint attribution uncertain" in rows["E54000028"].review_reasons
    assert any("misc/unplaced.txt" in n for n in t.notes)
    assert all(r.strongest is not None for r in t.rows if r.verdict == "yes")


def test_min_probability_changes_the_verdict(conn):
    assert by_code(table(conn, min_probability=0.8))["E54000027"].verdict == "no"
    assert by_code(table(conn, min_probability=0.2))["E54000027"].implicit == 2


def test_vcse_category(conn):
    rows = by_code(table(conn, category="vcse"))
    assert rows["E54000007"].verdict == "yes"
    assert "voluntary sector" in rows["E54000007"].strongest.quote
    assert rows["E54000027"].verdict == "no"


def annotate(conn, decision, label, auditor="ann", undone=0):
    sha, page, start, end = conn.execute(
        "SELECT d.sha256, m.page, m.start, m.end FROM mentions m JOIN documents d ON d.id = m.document_id"
        " WHERE m.probability = 0.72"
    ).fetchone()
    conn.execute(
        "INSERT INTO annotations (item_type, item_key, document_sha256, page, start, end, auditor, decision,"
        " label, created_at, undone) VALUES ('mention', ?, ?, ?, ?, ?, ?, ?, ?, '2026-01-01', ?)",
        (f"mention:{sha}:{page}:{start}:{end}:social_value", sha, page, start, end, auditor, decision, label, undone),
    )


@pytest.mark.parametrize(
    "decisions, verdict",
    [
        ([("reject", "other", "ann", 0)], "no"),
        ([("reject", "other", "ann", 1)], "yes"),  # undone
        ([("reject", "other", "ann", 0), ("accept", "social_value_implicit", "ann", 0)], "yes"),  # latest wins
        ([("reject", "other", "ann", 0), ("accept", "social_value_implicit", "bob", 0)], "yes"),  # auditors differ
        ([("relabel", "other", "ann", 0), ("reject", "other", "bob", 0)], "no"),
        ([("accept", "social_value_implicit", "ann", 0), ("reject", "other", "bob", 0),
          ("adjudicate", "other", "lead", 0)], "no"),
    ],
)
def test_review_decisions(conn, decisions, verdict):
    for decision in decisions:
        annotate(conn, *decision)
    assert by_code(table(conn))["E54000027"].verdict == verdict


def test_manifest_overrides_attribution(conn, tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("file,sha256,footprint_code\nnw_london.pdf,,E54000008\n,%s,E54000014\n" % ("f" * 64))
    rows = by_code(table(conn, manifest=load_manifest(path)))
    assert rows["E54000008"].verdict == "yes" and rows["E54000008"].source == "manifest"
    assert rows["E54000027"].verdict == "no document"
    assert rows["E54000014"].verdict == "yes"  # the unplaced note, placed by sha256
    assert rows["E54000007"].source == "attribution"  # not in the manifest: the store's attribution stays


def test_manifest_with_unknown_code_is_refused_or_noted(conn, tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("file,footprint_code\ndevon.pdf,E54009999\n")
    with pytest.raises(ManifestError, match="line 2: unknown footprint code 'E54009999'"):
        load_manifest(path)  # not an STP code at all: refused when read
    path.write_text("file,footprint_code\ndevon.pdf,E54000005\n")  # real, but not among the table's rows
    t = table(conn, manifest=load_manifest(path))
    assert by_code(t)["E54000037"].verdict == "no document"
    assert any("unknown footprint code(s): E54000005" in n for n in t.notes)


def test_ccg_level(conn):
    t = table(conn, level="ccg")
    assert [r.code for r in t.rows] == ["E38000027", "E38000088", "E38000005"]  # only NCL has CCG documents
    assert [r.verdict for r in t.rows] == ["yes", "no document", "no document"]
    assert t.rows[0].footprint_code == "E54000028"
    assert any("6 footprint(s)" in n for n in t.notes)


def test_document_level(conn):
    t = table(conn, level="document")
    assert len(t.rows) == 6
    assert t.rows[-1].region == "Not attributed" and t.rows[-1].verdict == "yes"
    assert {r.name: r.verdict for r in t.rows}["plans/cornwall_encrypted.pdf"] == "not read"


def test_comparison_hand_made_case(conn, tmp_path):
    ref = tmp_path / "ref.csv"
    ref.write_text(td.REFERENCE_CSV)
    t = table(conn)
    result = compare(t, load_reference_verdicts(ref), "ref")
    # compared: GM yes/yes, NWL yes/yes, Devon no/yes, NCL yes/no; Cornwall (not read), C&M (no document) are not
    assert (result.agree, result.compared, result.not_compared) == (2, 4, 3)
    assert [r.code for r in result.disagreements] == ["E54000028", "E54000037"]
    assert result.kappa == pytest.approx(-1 / 3)


@pytest.mark.parametrize(
    "pairs, kappa",
    [
        ([("yes", "yes"), ("no", "no")], 1.0),
        ([("yes", "no"), ("no", "yes")], -1.0),
        ([("yes", "yes"), ("yes", "yes")], None),
        ([], None),
    ],
)
def test_cohen_kappa(pairs, kappa):
    assert cohen_kappa(pairs) == (pytest.approx(kappa) if kappa is not None else None)


def test_appendix3_reference_matches_report():
    from svmine.tables.compare import appendix3_path

    verdicts = load_reference_verdicts(appendix3_path())
    assert len(verdicts) == 44
    assert sorted(c for c, v in verdicts.items() if v == "yes") == [
        "E54000006", "E54000007", "E54000014", "E54000020", "E54000027", "E54000028",
    ]


def test_reference_footprints_cover_44_in_report_order():
    from svmine.tables.footprints import REGION_ORDER, load_footprints

    stps, ccgs = load_footprints()
    assert len(stps) == 44 and len({c.code for c in ccgs}) == 207
    ranks = [REGION_ORDER.index(f.region) for f in stps]
    assert ranks == sorted(ranks)


def test_empty_store_is_all_no_document(db_path):
    with Store.open(db_path) as store:
        t = table(store.conn)
    assert {r.verdict for r in t.rows} == {"no document"} and len(t.rows) == len(td.FOOTPRINTS)
    assert t.notes == []


def test_reference_by_footprint_names(tmp_path):
    from svmine.errors import ReferenceDataError

    ref = tmp_path / "ref.csv"
    ref.write_text("Footprint area,mentions social value\nKent & Medway,no\nGreater Manchester,yes\n")
    assert load_reference_verdicts(ref) == {"E54000032": "no", "E54000007": "yes"}
    ref.write_text("footprint,verdict\nAtlantis and Lyonesse,yes\n")
    with pytest.raises(ReferenceDataError, match="Atlantis and Lyonesse"):
        load_reference_verdicts(ref)
