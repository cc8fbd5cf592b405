"""The SQLite store: migrations, runs, and one-transaction document results."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from svmine.errors import StoreError
from svmine.store import Store, queries
from svmine.store import schema as store_schema


def _result(sha: str = "a" * 64, path: str = "/plans/a.pdf", mentions: int = 2, status: str = "ok") -> dict:
    page = {"number": 1, "text": "We value the VCSE sector and social value.", "method": "text_layer",
            "flags": ["has_tables", "multi_column"], "engine": "pdfium", "headers": ["NHS Plan"]}
    mention = {"document": path, "sha256": sha, "page": 1, "category": "vcse", "kind": "explicit",
               "source": "pattern", "text": "VCSE sector", "start": 13, "end": 24,
               "sentence": page["text"], "sentence_start": 0, "sentence_end": 43, "pattern_id": "vcse-1",
               "context": {"negated": "not", "hypothetical": "may"}}
    fact = {"document": path, "sha256": sha, "page": 1, "kind": "weighting", "text": "weighted at 10%",
            "start": 0, "end": 15, "value": 10.0, "unit": "percent", "basis": "total quality score"}
    return {
        "path": path, "sha256": sha, "size": 100, "mtime_ns": 123, "status": status,
        "error_code": None if status == "ok" else "corrupt_file",
        "error_message": None if status == "ok" else f"{path}: damaged",
        "format": "pdf", "page_unit": "pdf_page", "metadata": {"title": "Plan", "author": "NHS"},
        "warnings": ["w"], "pages": [page] if status == "ok" else [],
        "mentions": [dict(mention, start=13 + i) for i in range(mentions)] if status == "ok" else [],
        "facts": [fact] if status == "ok" else [],
        "attribution": {"code": "E54000005", "name": "West Yorkshire", "score": 97.5, "status": "accepted",
                        "evidence": ["title"], "source": "attribution"},
        "name_matches": [{"kind": "stp", "query": "W Yorks", "candidate_code": "E54000005",
                          "candidate_name": "West Yorkshire", "score": 80.0, "runner_up_code": None,
                          "runner_up_name": None, "margin": 20.0, "status": "review"}],
        "pattern_hash": "p1", "model_hash": "m1", "seconds": 0.5,
    }


def _count(store: Store, table: str) -> int:
    return store.conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


def test_open_applies_migrations_once_with_wal_and_foreign_keys(db_path: Path) -> None:
    with Store.open(db_path) as store:
        assert store.migrate() == []  # already applied by the fixture
        rows = store.conn.execute("SELECT version, name FROM schema_migrations").fetchall()
        assert [(r["version"], r["name"]) for r in rows][0] == (1, "initial")
        assert [r["version"] for r in rows] == [v for v, _, _ in store_schema.list_migrations()]
        assert store.schema_version() == rows[-1]["version"]
        assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert store.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_migrations_apply_in_numeric_order_and_a_failing_one_rolls_back(tmp_path: Path, monkeypatch) -> None:
    migrations = [
        (1, "initial", "CREATE TABLE a (x INTEGER);"),
        (2, "more", "CREATE TABLE b (y INTEGER); -- a comment; with a semicolon\nINSERT INTO b VALUES (1);"),
        (10, "broken", "CREATE TABLE c (z INTEGER);\nINSERT INTO missing VALUES (1);"),
    ]
    monkeypatch.setattr(store_schema, "list_migrations", lambda: migrations)
    with pytest.raises(StoreError, match="migration 0010_broken failed"):
        Store.open(tmp_path / "m.db")
    conn = sqlite3.connect(tmp_path / "m.db")
    assert [r[0] for r in conn.execute("SELECT version FROM schema_migrations ORDER BY version")] == [1, 2]
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "c" not in tables and {"a", "b"} <= tables  # the broken migration left nothing behind
    conn.close()


def test_shipped_migrations_are_numbered_uniquely() -> None:
    versions = [v for v, _, _ in store_schema.list_migrations()]
    assert versions == sorted(set(versions)) and versions[0] == 1


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("CREATE TABLE a (x);", ["CREATE TABLE a (x);"]),
        ("-- note; here\nCREATE TABLE a (x);\n\nINSERT INTO a VALUES ('a;b');", ["-- note; here\nCREATE TABLE a (x);", "INSERT INTO a VALUES ('a;b');"]),
        ("-- only a comment\n", []),
    ],
)
def test_split_statements(sql: str, expected: list[str]) -> None:
    assert store_schema.split_statements(sql) == expected


def test_not_a_database_is_a_store_error(tmp_path: Path) -> None:
    bad = tmp_path / "junk.db"
    bad.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(StoreError, match="junk.db"):
        Store.open(bad)


def test_save_result_writes_every_table(db_path: Path) -> None:
    with Store.open(db_path) as store:
        run_id = store.start_run({"pattern_hash": "p1", "model_hash": "m1"}, {"engine": "auto"})
        doc_id = store.save_result(_result(), run_id)
        doc = store.conn.execute("SELECT * FROM documents WHERE id = ?", (doc_id,)).fetchone()
        assert (doc["status"], doc["page_count"], doc["title"], doc["footprint_code"], doc["footprint_name"]) == (
            "ok", 1, "Plan", "E54000005", "West Yorkshire")
        assert json.loads(doc["footprint_evidence"]) == ["title"] and doc["run_id"] == run_id
        page = store.conn.execute("SELECT * FROM pages").fetchone()
        assert page["flags"] == "has_tables,multi_column" and json.loads(page["headers_json"]) == ["NHS Plan"]
        mention = store.conn.execute("SELECT * FROM mentions ORDER BY start").fetchone()
        assert mention["context_flags"] == "hypothetical,negated"
        assert json.loads(mention["context_json"]) == {"hypothetical": "may", "negated": "not"}
        assert _count(store, "policy_facts") == 1 and _count(store, "name_matches") == 1
        path = store.conn.execute("SELECT * FROM document_paths").fetchone()
        assert (path["path"], path["sha256"], path["size"], path["mtime_ns"]) == ("/plans/a.pdf", "a" * 64, 100, 123)


def test_saving_same_content_again_replaces_rows_and_keeps_id(db_path: Path) -> None:
    with Store.open(db_path) as store:
        first = store.save_result(_result(mentions=3))
        second = store.save_result(_result(mentions=1, path="/plans/renamed.pdf"))
        assert first == second
        assert (_count(store, "documents"), _count(store, "mentions"), _count(store, "pages")) == (1, 1, 1)
        assert _count(store, "document_paths") == 2  # both places the content was seen


def test_failed_result_is_recorded_with_its_error(db_path: Path) -> None:
    with Store.open(db_path) as store:
        store.save_result(_result(mentions=2))
        store.save_result(_result(status="failed"))
        doc = store.conn.execute("SELECT status, error_code, error_message, page_count FROM documents").fetchone()
        assert tuple(doc) == ("failed", "corrupt_file", "/plans/a.pdf: damaged", None)
        assert _count(store, "mentions") == 0


def test_save_result_is_all_or_nothing(db_path: Path) -> None:
    broken = _result()
    broken["mentions"][1]["category"] = None  # NOT NULL violation after the document row went in
    with Store.open(db_path) as store:
        with pytest.raises(sqlite3.IntegrityError):
            store.save_result(broken)
        assert (_count(store, "documents"), _count(store, "pages"), _count(store, "mentions")) == (0, 0, 0)
        assert not store.conn.in_transaction


def test_result_without_sha256_is_refused(db_path: Path) -> None:
    with Store.open(db_path) as store, pytest.raises(StoreError, match="sha256"):
        store.save_result(dict(_result(), sha256=None))


def test_runs_finish_and_dead_runs_are_marked_interrupted(db_path: Path) -> None:
    with Store.open(db_path) as store:
        run_id = store.start_run({"pattern_hash": "p", "model_hash": "m"}, {})
        store.conn.execute("UPDATE runs SET pid = 999999999 WHERE id = ?", (run_id,))  # its writer is gone
        second = store.start_run({"pattern_hash": "p", "model_hash": "m"}, {})
        store.finish_run(second, {"processed": 3, "skipped": 1, "failed": 1, "mentions": 7})
        runs = {r["id"]: r for r in queries.list_runs(store)}
    assert runs[run_id]["status"] == "interrupted"
    assert (runs[second]["status"], runs[second]["processed"], runs[second]["mentions"]) == ("finished", 3, 7)


def test_prune_replaced_drops_old_content_of_an_edited_path_only(db_path: Path) -> None:
    with Store.open(db_path) as store:
        store.save_result(_result(sha="a" * 64, path="/p/edited.pdf"))
        store.save_result(_result(sha="b" * 64, path="/p/copied.pdf"))
        store.save_result(_result(sha="b" * 64, path="/p/copy2.pdf"))
        store.save_result(dict(_result(sha="c" * 64, path="/p/direct.pdf"), size=None))  # no path recorded
        store.record_paths([("/p/edited.pdf", "d" * 64, 1, 2), ("/p/copied.pdf", "e" * 64, 1, 2)], None)
        assert store.prune_replaced() == 1
        left = {r["sha256"][0] for r in store.conn.execute("SELECT sha256 FROM documents")}
    assert left == {"b", "c"}  # 'b' is still at copy2.pdf; 'c' was never tied to a path


def test_listing_filters(db_path: Path) -> None:
    with Store.open(db_path) as store:
        store.save_result(_result(sha="a" * 64, path="/p/leeds.pdf"))
        other = _result(sha="b" * 64, path="/p/kent.pdf", mentions=1)
        other["attribution"] = dict(other["attribution"], code="E54000032", name="Kent and Medway")
        store.save_result(other)
        store.save_result(_result(sha="c" * 64, path="/p/broken.pdf", status="failed"))
        assert [d["path"] for d in queries.list_documents(store, footprint="Kent")] == ["/p/kent.pdf"]
        assert [d["path"] for d in queries.list_documents(store, status="failed")] == ["/p/broken.pdf"]
        assert len(queries.list_mentions(store, footprint="E54000005", category="vcse")) == 2
        assert queries.list_mentions(store, category="social_value") == []
        assert [m["path"] for m in queries.list_mentions(store, document="kent")] == ["/p/kent.pdf"]
