"""Annotation rows in the store: training examples, re-scan survival, export/import round trips, CLI."""

from __future__ import annotations

import json

import pytest
from test_review_support import NAME_MATCH, PAGES, STANDARD_MENTIONS, build_store, result_for
from typer.testing import CliRunner

from svmine.cli.main import app as cli
from svmine.detect.sentences import sentence_bounds
from svmine.review.formats import export_annotations, import_annotations
from svmine.store import Store, decisions, review


def _items(conn) -> dict[str, dict]:
    """Items by a short name: sv (pattern 'social value'), vcse, xss (classifier), implicit, name."""
    items = review.queue(conn, "nobody", status="all", limit=100)
    by_text = {i["text"]: i for i in items}
    return {
        "sv": by_text["social value"],
        "vcse": by_text["voluntary and community sector"],
        "xss": next(i for i in items if i["text"].startswith("Social value <script>")),
        "implicit": next(i for i in items if i["text"].startswith("Commissioners")),
        "name": next(i for i in items if i["item_type"] == "name_match"),
    }


@pytest.fixture
def decided(tmp_path):
    """A store where three auditors made a mixed set of decisions (see the body)."""
    db = build_store(tmp_path)
    conn = Store.connect(db)
    it = _items(conn)
    review.record_decision(conn, it["sv"], "alice", "accept")
    review.record_decision(conn, it["sv"], "bob", "accept")
    review.record_decision(conn, it["vcse"], "alice", "reject")
    review.record_decision(conn, it["vcse"], "bob", "accept")  # 1-1: unresolved, left out of training
    review.record_decision(conn, it["xss"], "alice", "relabel", "vcse")
    review.record_decision(conn, it["implicit"], "alice", "reject")
    review.record_decision(conn, it["implicit"], "bob", "reject")
    review.record_decision(conn, it["implicit"], "carol", "accept")  # 2 of 3 reject: settled as other
    review.record_decision(conn, it["name"], "alice", "accept")
    review.record_decision(conn, it["sv"], "carol", "skip")
    review.record_decision(conn, it["sv"], "carol", "reject")
    review.undo_last(conn, "carol")  # carol's reject of sv is undone
    text = "\n".join(PAGES[0])
    needle = "Local people will help shape services"
    start = text.index(needle)
    doc = review.document(conn, it["sv"]["doc_id"])
    review.add_mention(conn, doc, 1, start, start + len(needle), "social_value_implicit", "bob")
    conn.close()
    return db


def test_training_examples(decided):
    examples = decisions.training_examples(decided)
    assert sorted(examples, key=lambda e: e["text"]) == sorted([
        {"text": PAGES[0][0], "labels": ["social_value_explicit"]},
        {"text": PAGES[0][2], "labels": ["vcse"]},
        {"text": PAGES[1][0], "labels": ["other"]},
        {"text": PAGES[0][3], "labels": ["social_value_implicit"]},
    ], key=lambda e: e["text"])


def test_adjudication_settles_a_tie(decided):
    conn = Store.connect(decided)
    review.record_decision(conn, _items(conn)["vcse"], "lead", "adjudicate", "vcse")
    assert [c["item_key"] for c in decisions.conflicts(conn)] == [_items(conn)["implicit"]["item_key"]]
    conn.close()
    assert {"text": PAGES[0][1], "labels": ["vcse"]} in decisions.training_examples(decided)


def test_one_sentence_collects_labels_of_all_its_items(tmp_path):
    db = build_store(tmp_path)
    conn = Store.connect(db)
    it = _items(conn)
    review.record_decision(conn, it["sv"], "alice", "accept")
    doc = review.document(conn, it["sv"]["doc_id"])
    start = PAGES[0][0].index("local procurement")
    review.add_mention(conn, doc, 1, start, start + 17, "vcse", "alice")
    conn.close()
    assert decisions.training_examples(db) == [{"text": PAGES[0][0], "labels": ["social_value_explicit", "vcse"]}]


def test_decisions_survive_a_rescan(decided, tmp_path):
    conn = Store.connect(decided)
    ids = {r[1]: r[0] for r in conn.conn.execute("SELECT id, text FROM mentions")}
    counts = {a: review.queue_count(conn, a, auditors_per_item=3) for a in ("alice", "dave")}
    with Store.open(decided) as st:  # the same content saved again: every mention row is rebuilt
        st.save_result(result_for(tmp_path / "plan-a.pdf", PAGES, STANDARD_MENTIONS[::-1], [NAME_MATCH]))
    assert ids != {r[1]: r[0] for r in conn.conn.execute("SELECT id, text FROM mentions")}  # rows renumbered
    assert {a: review.queue_count(conn, a, auditors_per_item=3) for a in ("alice", "dave")} == counts
    assert counts == {"alice": 0, "dave": 4}  # 'implicit' has its three auditors already
    conn.close()


@pytest.mark.parametrize(
    "text, start, end, expected",
    [
        ("One. Two words here. Three.", 5, 8, "Two words here."),
        ("First line\n\nSecond para has it", 20, 23, "Second para has it"),
        ("no end mark", 3, 6, "no end mark"),
    ],
)
def test_sentence_bounds(text, start, end, expected):
    s, e = sentence_bounds(text, start, end)
    assert text[s:e] == expected


# -- export / import -------------------------------------------------------------------------------------


def _fresh(tmp_path, name="copy.db"):
    path = tmp_path / name
    Store.open(path).close()
    return path


def test_native_jsonl_round_trip(decided, tmp_path):
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    n = export_annotations(decided, "jsonl", first)
    copy = _fresh(tmp_path)
    assert import_annotations(copy, first) == {"inserted": n, "duplicate": 0, "skipped": 0}
    export_annotations(copy, "jsonl", second)
    assert first.read_text() == second.read_text()
    assert n == 13  # 11 decisions (skip and the undone reject included) + 1 undo + 1 add
    assert import_annotations(copy, first) == {"inserted": 0, "duplicate": n, "skipped": 0}
    assert decisions.training_examples(copy) == decisions.training_examples(decided)


@pytest.mark.parametrize("fmt", ["prodigy", "doccano"])
def test_tool_formats_round_trip_their_labelled_rows(decided, tmp_path, fmt):
    out = tmp_path / f"out.{fmt}.jsonl"
    n = export_annotations(decided, fmt, out)
    assert n == 9  # latest labelled row per item and auditor: no skip, undo, undone or name-match rows
    copy = _fresh(tmp_path)
    assert import_annotations(copy, out, fmt)["inserted"] == n
    assert decisions.training_examples(copy) == decisions.training_examples(decided)


def test_prodigy_records(decided, tmp_path):
    out = tmp_path / "p.jsonl"
    export_annotations(decided, "prodigy", out)
    records = [json.loads(line) for line in out.read_text().splitlines()]
    sv = next(r for r in records if r["spans"][0]["label"] == "social_value_explicit" and r["answer"] == "accept")
    span = sv["spans"][0]
    assert sv["text"][span["start"]:span["end"]] == "social value"
    rejected = [r for r in records if r["answer"] == "reject"]
    assert {r["spans"][0]["label"] for r in rejected} == {"vcse", "social_value_implicit"}


def test_doccano_labelstudio_and_spacy(decided, tmp_path):
    export_annotations(decided, "doccano", tmp_path / "d.jsonl")
    doccano = [json.loads(line) for line in (tmp_path / "d.jsonl").read_text().splitlines()]
    added = next(r for r in doccano if r["svmine"]["decision"] == "add")
    (start, end, label), = added["label"]
    assert added["text"][start:end] == "Local people will help shape services" and label == "social_value_implicit"

    export_annotations(decided, "labelstudio", tmp_path / "ls.json")
    tasks = json.loads((tmp_path / "ls.json").read_text())
    task = next(t for t in tasks if t["data"]["text"] == PAGES[0][0])
    assert len(task["annotations"]) == 2  # alice and bob accepted; carol's reject was undone
    value = task["annotations"][0]["result"][0]["value"]
    assert value["text"] == "social value" and value["labels"] == ["social_value_explicit"]

    import spacy
    from spacy.tokens import DocBin

    assert export_annotations(decided, "spacy", tmp_path / "a.spacy") == 9
    docs = list(DocBin().from_disk(tmp_path / "a.spacy").get_docs(spacy.blank("en").vocab))
    accepted = [d for d in docs if d.spans["sc"]]
    spans = [s for d in accepted for s in d.spans["sc"]]
    assert any(s.text == "social value" and s.label_ == "social_value_explicit" for s in spans)
    rejected = [d for d in docs if not d.spans["sc"]]
    assert rejected and all(d.cats["other"] == 1.0 for d in rejected)


@pytest.mark.parametrize(
    "fmt, lines, inserted, skipped",
    [
        ("prodigy", [{"text": "We fund community groups.", "spans": [{"start": 8, "end": 24, "label": "vcse"}],
                      "answer": "accept", "_annotator_id": "ann"}], 1, 0),
        ("prodigy", [{"text": "Weather is fine.", "spans": [{"start": 0, "end": 7, "label": "vcse"}],
                      "answer": "reject"}], 1, 0),
        ("prodigy", [{"text": "Two spans.", "spans": [{"start": 0, "end": 3, "label": "vcse"},
                                                       {"start": 4, "end": 9, "label": "vcse"}],
                      "answer": "reject"}], 0, 1),
        ("prodigy", [{"text": "Ignored.", "spans": [], "answer": "ignore"}], 0, 1),
        ("doccano", [{"text": "We fund community groups.", "label": [[8, 24, "vcse"]]}], 1, 0),
        ("doccano", [{"text": "Nothing here.", "label": []}], 0, 1),
    ],
)
def test_foreign_files_import_where_unambiguous(tmp_path, fmt, lines, inserted, skipped):
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps(x) + "\n" for x in lines))
    db = _fresh(tmp_path)
    counts = import_annotations(db, path, fmt)
    assert (counts["inserted"], counts["skipped"]) == (inserted, skipped)
    assert import_annotations(db, path, fmt)["inserted"] == 0  # the same file twice adds nothing


def test_foreign_accept_becomes_a_training_sentence(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text(json.dumps({"text": "We fund community groups.", "label": [[8, 24, "vcse"]]}) + "\n")
    db = _fresh(tmp_path)
    import_annotations(db, path, "doccano")
    assert decisions.training_examples(db) == [{"text": "We fund community groups.", "labels": ["vcse"]}]


@pytest.mark.parametrize(
    "content, message",
    [
        ("not json\n", "not JSON"),
        ('{"text": "x"}\n', "not a jsonl annotation"),
        ('[1, 2]\n', "expected a JSON object"),
    ],
)
def test_bad_import_files(tmp_path, content, message):
    path = tmp_path / "bad.jsonl"
    path.write_text(content)
    with pytest.raises(ValueError, match=message):
        import_annotations(_fresh(tmp_path), path)


# -- commands ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["jsonl", "prodigy", "doccano", "labelstudio", "spacy"])
def test_export_command(decided, tmp_path, fmt):
    out = tmp_path / f"out-{fmt}"
    argv = ["annotations", "export", "--db", str(decided), "--format", fmt, "--out", str(out)]
    result = CliRunner().invoke(cli, argv)
    assert result.exit_code == 0, result.output
    assert out.stat().st_size > 0 and f"written to {out}" in result.output


def test_import_and_agreement_commands(decided, tmp_path):
    runner = CliRunner()
    out = tmp_path / "all.jsonl"
    runner.invoke(cli, ["annotations", "export", "--db", str(decided), "--out", str(out)])
    copy = _fresh(tmp_path)
    result = runner.invoke(cli, ["annotations", "import", "--db", str(copy), str(out)])
    assert result.exit_code == 0 and result.output.startswith("13 imported, 0 already present")
    result = runner.invoke(cli, ["annotations", "agreement", "--db", str(copy)])
    assert result.exit_code == 0
    # alice/bob share sv (both social_value_explicit), vcse (other vs vcse), implicit (other, other):
    # p_o = 2/3; alice: sve, other, other; bob: sve, vcse, other; p_e = (1*1 + 2*1 + 0*1)/9 = 3/9;
    # kappa = (2/3 - 1/3) / (2/3) = 0.5.
    assert "alice / bob: kappa 0.500 on 3 shared items (2 agree)" in result.output
    report = json.loads(runner.invoke(cli, ["annotations", "agreement", "--db", str(copy), "--json"]).output)
    assert set(report["categories"]) == {"social_value", "vcse", "name_match"}


@pytest.mark.parametrize(
    "args, message",
    [
        (["export", "--format", "csv", "--out", "{tmp}/x"], "unknown format 'csv'"),
        (["export", "--out", "{tmp}/in.jsonl/x.jsonl"], "is a file, not a folder"),
        (["import", "--format", "labelstudio", "{tmp}/in.jsonl"], "cannot import 'labelstudio'"),
        (["import", "{tmp}/in.jsonl"], "not JSON"),
    ],
)
def test_command_errors_exit_2(decided, tmp_path, args, message):
    (tmp_path / "in.jsonl").write_text("oops\n")
    argv = ["annotations", args[0], "--db", str(decided)] + [a.format(tmp=tmp_path) for a in args[1:]]
    result = CliRunner().invoke(cli, argv)
    assert result.exit_code == 2 and message in result.output


@pytest.mark.parametrize("command", [["agreement"], ["export", "--out", "{tmp}/x.jsonl"], ["import", "{tmp}/in.jsonl"]])
def test_commands_refuse_a_file_that_is_not_a_store(tmp_path, command):
    bad = tmp_path / "not.db"
    bad.write_text("this is not SQLite at all " * 100)
    (tmp_path / "in.jsonl").write_text("")
    argv = ["annotations", command[0], "--db", str(bad)] + [a.format(tmp=tmp_path) for a in command[1:]]
    result = CliRunner().invoke(cli, argv)
    assert result.exit_code == 2 and "not a usable svmine database" in result.output
