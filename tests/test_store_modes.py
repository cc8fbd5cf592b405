"""Store.open modes: read-only commands never change a file; nothing adds svmine tables to a foreign one."""

from __future__ import annotations

import hashlib
import sqlite3

import pytest

from svmine.errors import StoreError
from svmine.store import Store
from svmine.store.db import inspect_file
from svmine.store.schema import apply_migration, list_migrations, newest_known_version


def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _foreign(path):
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE contacts (id INTEGER PRIMARY KEY, name TEXT)")
    conn.execute("INSERT INTO contacts (name) VALUES ('Ada')")
    conn.commit()
    conn.close()
    return path


def _rails(path):
    # another application's migrations table of the same name, but not ours
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE schema_migrations (version VARCHAR PRIMARY KEY)")
    conn.execute("INSERT INTO schema_migrations VALUES ('20240101000000')")
    conn.commit()
    conn.close()
    return path


def _blank(path):
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 0")
    conn.execute("VACUUM")  # a valid SQLite file with no tables
    conn.close()
    return path


def _newer(path):
    Store.open(path).close()
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO schema_migrations VALUES (?, 'from_the_future', 'x')", (newest_known_version() + 7,))
    conn.commit()
    conn.close()
    return path


def _older(path):
    """A store as an svmine one migration behind would have left it."""
    conn = sqlite3.connect(path, isolation_level=None)
    store = Store(conn, path)
    conn.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
                 " applied_at TEXT NOT NULL)")
    for version, name, sql in list_migrations()[:-1]:
        apply_migration(store, version, name, sql)
    conn.close()
    return path


MAKERS = {
    "foreign": (_foreign, "another application"),
    "rails": (_rails, "another application"),
    "empty": (lambda p: p.write_bytes(b"") and p or p, "empty file"),
    "text": (lambda p: p.write_text("id,name\n1,Ada\n") and p or p, "not an SQLite file"),
    "newer": (_newer, "newer svmine"),
}


@pytest.mark.parametrize("kind", sorted(MAKERS))
def test_read_only_refuses_and_leaves_the_file_byte_for_byte(tmp_path, kind):
    make, message = MAKERS[kind]
    path = make(tmp_path / "f.db")
    before = _digest(path)
    with pytest.raises(StoreError, match=message):
        Store.open(path, mode="ro")
    assert _digest(path) == before
    if kind != "newer":  # (a WAL-mode store gets SQLite's -wal/-shm beside it even when only read)
        assert sorted(p.name for p in tmp_path.iterdir()) == ["f.db"]


@pytest.mark.parametrize("mode", ["rw", "create"])
@pytest.mark.parametrize("kind", ["foreign", "rails", "text", "newer"])
def test_writing_modes_refuse_what_is_not_theirs(tmp_path, kind, mode):
    make, message = MAKERS[kind]
    path = make(tmp_path / "f.db")
    before = _digest(path)
    with pytest.raises(StoreError, match=message):
        Store.open(path, mode=mode)
    assert _digest(path) == before


def test_create_mode_makes_a_store_of_a_missing_empty_or_blank_file(tmp_path):
    for name, make in (("missing.db", lambda p: p), ("empty.db", MAKERS["empty"][0]), ("blank.db", _blank)):
        path = make(tmp_path / name)
        with Store.open(path, mode="create") as store:
            assert store.schema_version() == newest_known_version()


def test_rw_mode_needs_an_existing_store(tmp_path):
    with pytest.raises(StoreError, match="no such store"):
        Store.open(tmp_path / "none.db", mode="rw")
    assert not (tmp_path / "none.db").exists()
    with pytest.raises(StoreError, match="empty file"):
        Store.open(MAKERS["empty"][0](tmp_path / "empty.db"), mode="rw")


def test_rw_mode_upgrades_an_older_store(tmp_path):
    path = _older(tmp_path / "old.db")
    with Store.open(path, mode="rw") as store:
        assert store.schema_version() == newest_known_version()


def test_read_only_refuses_an_older_store_and_says_how_to_upgrade(tmp_path):
    path = _older(tmp_path / "old.db")
    with pytest.raises(StoreError, match="older svmine.*svmine scan"):
        Store.open(path, mode="ro")


def test_read_only_reads_and_cannot_write(db_path):
    with Store.open(db_path, mode="ro") as store:
        assert store.schema_version() == newest_known_version()
        with pytest.raises(sqlite3.OperationalError, match="readonly|read-only"):
            store.conn.execute("INSERT INTO runs (started_at, svmine_version, pattern_hash, model_hash)"
                               " VALUES ('x', 'x', 'x', 'x')")


def test_read_only_does_not_switch_the_journal_mode(tmp_path):
    path = tmp_path / "delete.db"
    Store.open(path).close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=DELETE")
    conn.close()
    Store.open(path, mode="ro").close()
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0] == "delete"


def test_unknown_mode_is_a_programming_error(db_path):
    with pytest.raises(ValueError, match="mode must be one of"):
        Store.open(db_path, mode="append")


@pytest.mark.parametrize(
    ("make", "kind"),
    [(lambda p: p, "missing"), (MAKERS["empty"][0], "empty"), (MAKERS["text"][0], "not_sqlite"),
     (_blank, "blank"), (_foreign, "foreign"), (_rails, "foreign"), (_newer, "svmine")],
)
def test_inspect_file(tmp_path, make, kind):
    assert inspect_file(make(tmp_path / "f.db")).kind == kind


@pytest.mark.parametrize("special", ["fifo", "/dev/zero"])
def test_special_files_are_refused_without_reading_them(tmp_path, special):
    import os

    path = tmp_path / "pipe.db" if special == "fifo" else tmp_path / "zero-link.db"
    if special == "fifo":
        os.mkfifo(path)  # opening it for reading would wait for a writer for ever
    else:
        path.symlink_to(special)  # reading it would never end
    for mode in ("ro", "rw", "create"):
        with pytest.raises(StoreError, match="not a regular file"):
            Store.open(path, mode=mode)


def test_names_with_uri_characters_open_read_only(tmp_path):
    path = tmp_path / "odd ?name#1%20.db"
    Store.open(path).close()
    with Store.open(path, mode="ro") as store:
        assert store.schema_version() == newest_known_version()
