"""Table building: verdict rules, evidence choice, manifests, levels and the comparison."""

from __future__ import annotations

import pytest

import tables_data as td
from svmine.store import Store
from svmine.tables.build import build_table, format_fact
from svmine.review.agreement import cohen_kappa
from svmine.tables.compare import compare, load_reference_verdicts
from svmine.tables.evidence import answers_yes, counts, decide, evidence_rank, is_strong, sentence_form, verdict
from svmine.footprints.manifest import ManifestError, load_manifest


@pytest.fixture
def conn(tmp_path):
    store = Store.open(td.make_store(tmp_path / "t.db"))
    yield store
    store.close()


def table(conn, **kw):
    return build_table(conn, footprints=td.FOOTPRINTS, ccgs=td.CCGS, **kw)


def by_code(t):
    return {r.code: r for r in t.rows}


@pytest.mark.parametrize(
    "mention, counted, yes, strong",
    [
        ({"kind": "explicit", "source": "pattern", "flags": []}, True, True, True),
        ({"kind": "explicit", "source": "pattern", "flags": ["negated"]}, False, False, False),
        ({"kind": "explicit", "source": "pattern", "flags": ["hypothetical"]}, True, False, False),
        ({"kind": "explicit", "source": "pattern", "flags": ["reference"]}, True, False, False),
        ({"kind": "explicit", "source": "pattern", "flags": ["committed"]}, True, True, True),
        ({"kind": "explicit", "source": "pattern", "flags": ["boilerplate"]}, False, False, False),
        ({"kind": "explicit", "source": "classifier", "probability": 0.85, "flags": []}, True, True, True),
        ({"kind": "explicit", "source": "classifier", "probability": 0.79, "flags": []}, True, True, False),
        ({"kind": "implicit", "source": "classifier", "probability": 0.95, "flags": []}, True, False, False),
        ({"kind": "implicit", "source": "classifier", "probability": 0.49, "flags": []}, False, False, False),
        ({"kind": "explicit", "source": "pattern", "flags": [], "rejected": True}, False, True, True),
    ],
)
def test_mention_rules(mention, counted, yes, strong):
    assert counts(mention) is counted
    assert answers_yes(mention) is yes  # asked of counted mentions only; the flags alone decide here
    assert is_strong(mention) is strong


SENTENCE = "Every contract we award will be weighted 10% on social value."


def m(kind="explicit", source="pattern", flags=(), sentence=SENTENCE, probability=None, category="social_value"):
    return {"kind": kind, "source": source, "flags": list(flags), "sentence": sentence,
            "probability": probability, "category": category}


@pytest.mark.parametrize(
    "readable, failed, counted, category, expected",
    [
        (0, 0, [], "social_value", ("no document", [], 0)),
        (0, 2, [], "social_value", ("not read", [], 0)),
        (1, 0, [], "social_value", ("no", [], 0)),
        (1, 1, [m()], "social_value", ("yes", [], 0)),
        # Appendix 3 asks for an explicit mention: implicit sentences alone are a "no", marked
        (1, 0, [m("implicit", "classifier", probability=0.9)] * 3, "social_value",
         ("no", ["implicit only: 3 sentences"], 3)),
        (1, 0, [m("implicit", "classifier", probability=0.9)], "social_value", ("no", ["implicit only: 1 sentence"], 1)),
        (1, 0, [m(flags=["hypothetical"])], "social_value",
         ("no", ["1 explicit mention set aside as hypothetical or reference"], 0)),
        (1, 0, [m(flags=["reference"]), m("implicit", "classifier", probability=0.9)], "social_value",
         ("no", ["implicit only: 1 sentence", "1 explicit mention set aside as hypothetical or reference"], 1)),
        (1, 0, [m(flags=["committed"]), m("implicit", "classifier", probability=0.9)], "social_value", ("yes", [], 0)),
        (1, 0, [m(source="classifier", probability=0.7)], "social_value", ("yes", ["weak evidence only"], 0)),
        (1, 0, [m(sentence="Social Value Commitments")], "social_value",
         ("yes", ["named only in headings, fragments or table rows"], 0)),
        (1, 0, [m(category="vcse", sentence="We fund the voluntary sector in every ward of the city.")], "vcse",
         ("yes", [], 0)),
        (1, 0, [m(category="vcse", flags=["hypothetical"])], "vcse",
         ("no", ["1 mention set aside as hypothetical or reference"], 0)),
        (1, 0, [m()], "vcse", ("no", [], 0)),  # a social value mention says nothing about the VCSE
    ],
)
def test_decide(readable, failed, counted, category, expected):
    d = decide(readable, failed, counted, category)
    assert (d.verdict, d.review_reasons, d.implicit_only) == expected
    assert verdict(readable, failed, counted, category) == (expected[0], bool(expected[1]))


@pytest.mark.parametrize(
    "text, form",
    [
        ("Contracts will be weighted 10% on social value.", "sentence"),
        ("We will embed social value in all of our contracts", "sentence"),  # a bullet without a full stop
        ("4.2 Our providers will report the social value of each contract.", "sentence"),
        ("**We will publish a social value policy this year.**", "sentence"),
        ("Social Value Commitments", "heading"),
        ("## Social value and procurement", "heading"),
        ("3. Social Value", "heading"),
        ("SOCIAL VALUE STRATEGY", "heading"),
        ("from social value approaches.", "fragment"),  # starts mid-sentence
        ("£3 of social value", "fragment"),
        ("These plans will be written by the council, the NHS and its", "fragment"),  # cut by a line wrap
        ("Social value matters,", "fragment"),
        ("Maximising social value care and addressing", "fragment"),  # two columns interleaved: ends on a verb
        ("We will embed social value when commissioning", "fragment"),
        ("We will keep social value at the heart of our spending", "sentence"),  # "spending" is the object
        ("Social value.", "fragment"),
        ("We fund the voluntary sector.", "sentence"),  # short, but whole
        ("Social value | 10%", "table row"),
        ("Use the Act | Score local benefit | Director of Finance", "table row"),
        ("", "fragment"),
    ],
)
def test_sentence_form(text, form):
    assert sentence_form(text) == form


@pytest.mark.parametrize(
    "candidates, best",
    [
        # a whole sentence beats a heading and a fragment, wherever they stand
        (["Social Value Strategy", "of social value to the city.", "Social value is part of how we buy care here."],
         "Social value is part of how we buy care here."),
        # a commitment beats a description of the same length
        (["Social value was discussed by the board at some length last spring.",
          "We will apply the social value test to every contract we award."],
         "We will apply the social value test to every contract we award."),
        # naming the Act beats a sentence that does not, all else equal
        (["We will weigh social value in every tender this council runs.",
          "We will apply the Public Services (Social Value) Act 2012 in every tender."],
         "We will apply the Public Services (Social Value) Act 2012 in every tender."),
        # an ordinary sentence beats a run-on of a hundred words
        (["We will use social value " + "and more " * 50 + "today.", "We will score social value in every tender."],
         "We will score social value in every tender."),
    ],
)
def test_evidence_rank_prefers_whole_committed_sentences(candidates, best):
    chosen = max((m(sentence=c) for c in candidates), key=evidence_rank)
    assert chosen["sentence"] == best


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
    assert (gm.verdict, gm.review, gm.explicit, gm.implicit, gm.vcse) == ("yes", False, 2, 0, 1)
    assert gm.facts == ["weighting 10%"]
    # the quote is the whole sentence on p. 2, not the fragment "Social value." that comes first,
    # nor the negated p. 1 mention (which is not evidence at all)
    assert gm.strongest.page == 2 and gm.strongest.quote == "Contracts will be weighted 10% on social value."
    assert gm.strongest.form == "sentence" and gm.strongest.committed
    assert gm.first.page == 1 and gm.first.form == "fragment"
    nwl = rows["E54000027"]  # one implicit sentence (0.72) and one under the threshold (0.3)
    assert (nwl.verdict, nwl.implicit, nwl.implicit_only, nwl.review) == ("no", 1, 1, True)
    assert nwl.review_reasons == ["implicit only: 1 sentence"] and nwl.strongest is None
    cm = rows["E54000008"]
    assert (cm.verdict, cm.explicit, cm.set_aside) == ("no", 1, 1)
    assert rows["E54000014"].verdict == "no document"
    assert rows["E54000036"].verdict == "not read" and rows["E54000036"].failed == 1
    assert rows["E54000037"].verdict == "no" and not rows["E54000037"].review
    assert "footprint attribution uncertain" in rows["E54000028"].review_reasons
    assert any("unplaced.txt" in n for n in t.notes)
    assert all(r.strongest is not None for r in t.rows if r.verdict == "yes")


@pytest.mark.parametrize("level", ["footprint", "ccg", "document"])
def test_totals_add_up(conn, level):
    t = table(conn, level=level)
    s = t.summary()
    assert s["rows"] == len(t.rows) == sum(s[v] for v in ("yes", "no", "no document", "not read"))
    assert s["yes to review"] <= s["yes"] and s["no, implicit only"] <= s["no"]
    assert s["review"] == sum(r.review for r in t.rows)


def test_summary_of_the_hand_made_store(conn):
    t = table(conn)
    assert t.summary() == {"rows": 7, "yes": 2, "no": 3, "no document": 1, "not read": 1,
                           "yes to review": 1, "no, implicit only": 1, "review": 3}
    assert t.total_line() == "7 footprints: yes 2 (1 to review) + no 3 (1 implicit only) + no document 1 + not read 1"


def test_implicit_only_items_are_in_the_review_queue(conn):
    """The implicit sentences that make a "no (implicit only)" are items an auditor is offered."""
    from svmine.store import review

    t = table(conn, level="document")
    row = next(r for r in t.rows if r.implicit_only)
    assert row.name == "nw_london.pdf" and row.verdict == "no"
    doc_id = conn.conn.execute("SELECT id FROM documents WHERE path = ?", (row.path,)).fetchone()[0]
    counted = conn.conn.execute(
        "SELECT page, start, \"end\" FROM mentions WHERE document_id = ? AND kind = 'implicit'"
        " AND probability >= 0.5", (doc_id,)).fetchall()
    assert len(counted) == row.implicit_only
    conn.conn.row_factory = __import__("sqlite3").Row
    try:
        items, total = review.queue_page(conn, "auditor", filters={"document": doc_id}, limit=50)
    finally:
        conn.conn.row_factory = None
    offered = {(i["page"], i["start"], i["end"]) for i in items if i["kind"] == "implicit"}
    assert {tuple(c) for c in counted} <= offered and total >= row.implicit_only


def test_min_probability_changes_the_implicit_count(conn):
    assert by_code(table(conn, min_probability=0.8))["E54000027"].implicit_only == 0
    low = by_code(table(conn, min_probability=0.2))["E54000027"]
    assert (low.verdict, low.implicit, low.implicit_only) == ("no", 2, 2)


def test_vcse_category(conn):
    rows = by_code(table(conn, category="vcse"))
    assert rows["E54000007"].verdict == "yes"
    assert "voluntary sector" in rows["E54000007"].strongest.quote
    assert rows["E54000027"].verdict == "no" and rows["E54000027"].implicit_only == 0


def annotate(conn, decision, label, auditor="ann", undone=0):
    sha, page, start, end = conn.conn.execute(
        "SELECT d.sha256, m.page, m.start, m.end FROM mentions m JOIN documents d ON d.id = m.document_id"
        " WHERE m.probability = 0.91"
    ).fetchone()
    conn.conn.execute(
        "INSERT INTO annotations (item_type, item_key, document_sha256, page, start, end, auditor, decision,"
        " label, created_at, undone) VALUES ('mention', ?, ?, ?, ?, ?, ?, ?, ?, '2026-01-01', ?)",
        (f"mention:{sha}:{page}:{start}:{end}:social_value", sha, page, start, end, auditor, decision, label, undone),
    )


@pytest.mark.parametrize(
    "decisions, verdict",
    [
        ([("reject", "other", "ann", 0)], "no"),
        ([("reject", "other", "ann", 1)], "yes"),  # undone
        ([("reject", "other", "ann", 0), ("accept", "social_value_explicit", "ann", 0)], "yes"),  # latest wins
        ([("reject", "other", "ann", 0), ("accept", "social_value_explicit", "bob", 0)], "yes"),  # auditors differ
        ([("relabel", "other", "ann", 0), ("reject", "other", "bob", 0)], "no"),
        ([("accept", "social_value_explicit", "ann", 0), ("reject", "other", "bob", 0),
          ("adjudicate", "other", "lead", 0)], "no"),
    ],
)
def test_review_decisions(conn, decisions, verdict):
    for decision in decisions:
        annotate(conn, *decision)
    assert by_code(table(conn))["E54000028"].verdict == verdict


def decide_on(conn, where, decision, label, auditor="ann"):
    sha, page, start, end, category = conn.conn.execute(
        "SELECT d.sha256, m.page, m.start, m.end, m.category FROM mentions m JOIN documents d ON d.id = m.document_id"
        f" WHERE {where}").fetchone()
    conn.conn.execute(
        "INSERT INTO annotations (item_type, item_key, document_sha256, page, start, end, auditor, decision,"
        " label, created_at, undone) VALUES ('mention', ?, ?, ?, ?, ?, ?, ?, ?, '2026-01-01', 0)",
        (f"mention:{sha}:{page}:{start}:{end}:{category}", sha, page, start, end, auditor, decision, label),
    )


@pytest.mark.parametrize(
    "decisions, expected",
    [
        ([], ("no", 1, "")),
        # an auditor confirms the sentence is implicit: still not Appendix 3's "yes"
        ([("probability = 0.72", "accept", "social_value_implicit", "ann")], ("no", 1, "")),
        ([("probability = 0.72", "reject", "other", "ann")], ("no", 0, "")),
        # a person says it does name social value: a yes, quoted by that sentence
        ([("probability = 0.72", "relabel", "social_value_explicit", "ann")], ("yes", 0, "employed & trained")),
        # auditors disagree: nothing is settled, the classifier's reading stands
        ([("probability = 0.72", "relabel", "social_value_explicit", "ann"),
          ("probability = 0.72", "accept", "social_value_implicit", "bob")], ("no", 1, "")),
        ([("probability = 0.72", "relabel", "social_value_explicit", "ann"),
          ("probability = 0.72", "accept", "social_value_implicit", "bob"),
          ("probability = 0.72", "adjudicate", "social_value_explicit", "lead")], ("yes", 0, "employed & trained")),
        # the sentence under the threshold, confirmed implicit by a person, counts after all
        ([("probability = 0.3", "accept", "social_value_implicit", "ann")], ("no", 2, "")),
    ],
)
def test_settled_review_labels_change_the_answer(conn, decisions, expected):
    for where, decision, label, auditor in decisions:
        decide_on(conn, where, decision, label, auditor)
    nwl = by_code(table(conn))["E54000027"]
    quote = nwl.strongest.quote if nwl.strongest else ""
    assert (nwl.verdict, nwl.implicit_only) == expected[:2] and expected[2] in quote
    if nwl.verdict == "yes":
        assert not nwl.review  # a person's "explicit" is strong evidence


def test_manifest_overrides_attribution(conn, tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("file,sha256,footprint_code\nnw_london.pdf,,E54000008\n,%s,E54000014\n" % ("f" * 64))
    rows = by_code(table(conn, manifest=load_manifest(path)))
    assert rows["E54000008"].implicit_only == 1 and rows["E54000008"].source == "attribution+manifest"
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
    assert len(t.rows) == 7
    assert t.rows[-1].region == "Not attributed" and t.rows[-1].verdict == "yes"
    assert t.rows[-1].review_reasons == ["named only in headings, fragments or table rows"]  # "Notes on social value"
    assert {r.name: r.verdict for r in t.rows}["cornwall_encrypted.pdf"] == "not read"  # shown by file name
    assert {r.path for r in t.rows} >= {"plans/cornwall_encrypted.pdf", "misc/unplaced.txt"}


def test_comparison_hand_made_case(conn, tmp_path):
    ref = tmp_path / "ref.csv"
    ref.write_text(td.REFERENCE_CSV)
    t = table(conn)
    result = compare(t, load_reference_verdicts(ref), "ref")
    # compared: C&M no/no, GM yes/yes, NCL yes/no, NWL no (implicit only)/yes, Devon no/yes;
    # Cornwall (not read) and Nottinghamshire (no document) are not
    assert (result.agree, result.compared, result.not_compared) == (2, 5, 2)
    assert [r.code for r in result.disagreements] == ["E54000028", "E54000027", "E54000037"]
    # observed 2/5; chance (2/5)(3/5) + (3/5)(2/5) = 12/25; kappa = (10/25 - 12/25) / (13/25)
    assert result.kappa == pytest.approx(-2 / 13)


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
    ours, theirs = [a for a, _ in pairs], [b for _, b in pairs]  # the table's verdicts beside the reference's
    assert cohen_kappa(ours, theirs) == (pytest.approx(kappa) if kappa is not None else None)


def test_appendix3_reference_matches_report():
    from svmine.tables.compare import appendix3_path

    verdicts = load_reference_verdicts(appendix3_path())
    assert len(verdicts) == 44
    assert sorted(c for c, v in verdicts.items() if v == "yes") == [
        "E54000006", "E54000007", "E54000014", "E54000020", "E54000027", "E54000028",
    ]


def test_reference_footprints_cover_44_in_report_order():
    from svmine.tables.footprints import load_footprints, region_order

    stps, ccgs = load_footprints()
    assert len(stps) == 44 and len({c.code for c in ccgs}) == 207
    ranks = [region_order().index(f.region) for f in stps]
    assert ranks == sorted(ranks)


def test_empty_store_is_all_no_document(db_path):
    with Store.open(db_path) as store:
        t = table(store)
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


@pytest.mark.parametrize(
    "text, limit, quote",
    [
        ("We  will\nbuy locally.", 160, "We will buy locally."),
        ("so the role of the 00:12:13.440 voluntary sector matters", 160, "so the role of the voluntary sector matters"),
        ("a" * 10 + " " + "b" * 10, 12, "aaaaaaaaaa…"),
    ],
)
def test_shorten(text, limit, quote):
    from svmine.tables.evidence import shorten

    assert shorten(text, limit) == quote


@pytest.mark.parametrize(
    "paths, expected",
    [
        (["/data/a/plan.pdf", "/data/b/notes.txt"], ["plan.pdf", "notes.txt"]),
        (["/data/2017/plan.pdf", "/data/2016/plan.pdf"], ["2017/plan.pdf", "2016/plan.pdf"]),
        (["/x/2017/plan.pdf", "/y/2017/plan.pdf", "/y/other.pdf"], ["x/2017/plan.pdf", "y/2017/plan.pdf", "other.pdf"]),
        (["plan.pdf", "/d/plan.pdf"], ["plan.pdf", "d/plan.pdf"]),  # a bare name that is a suffix of another stays whole
        (["C:\\docs\\plan.pdf", "C:\\old\\plan.pdf"], ["docs/plan.pdf", "old/plan.pdf"]),
    ],
)
def test_short_names(paths, expected):
    from svmine.tables.names import short_names

    names = short_names(paths)
    assert [names[p] for p in paths] == expected
    assert len(set(names.values())) == len(set(paths))  # never two documents under one name


@pytest.mark.parametrize(
    "value, found, message",
    [
        ("E54000007", ["Greater Manchester"], None),
        ("e54000007", ["Greater Manchester"], None),
        ("kent & medway", ["Kent and Medway"], None),
        ("manchester", ["Greater Manchester"], None),
        ("Narnia", None, "no footprint 'Narnia'"),
        ("Greater Manchestr", None, "did you mean Greater Manchester?"),
        ("Cornwal and Scily", None, "did you mean Cornwall and the Isles of Scilly?"),
        ("London", None, "fits several footprints"),
        ("  ", None, "empty value"),
    ],
)
def test_pick_footprints(value, found, message):
    from svmine.tables.footprints import load_footprints
    from svmine.tables.names import FilterValueError, pick_footprints

    stps = load_footprints()[0]
    if message is None:
        assert [f.name for f in pick_footprints(value, stps)] == found
    else:
        with pytest.raises(FilterValueError, match=message):
            pick_footprints(value, stps)
