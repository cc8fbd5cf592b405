"""The store's schema: the migration files shipped in ``migrations/`` and how they are applied.

- Migrations are the ``migrations/NNNN_name.sql`` files, applied in numeric order (gaps are
  tolerated); each runs statement by statement inside one transaction together with its
  ``schema_migrations`` row (``executescript`` would commit behind our back, so it is not used).
- Only a missing migration takes the write lock, and it is checked again inside the lock: readers
  open the store while a scan writes, and two processes opening a new file apply it once.

Named ``schema`` rather than ``migrations`` so the module does not shadow the folder of SQL files.
"""

from __future__ import annotations

import re
import sqlite3
from importlib import resources
from typing import TYPE_CHECKING

from svmine.errors import StoreError

if TYPE_CHECKING:
    from svmine.store.db import Store

MIGRATION_NAME = re.compile(r"^(\d{4})_([A-Za-z0-9_]+)\.sql$")


def list_migrations() -> list[tuple[int, str, str]]:
    """(version, name, sql) for every migration file shipped in the package, in order."""
    found = []
    for entry in resources.files("svmine.store").joinpath("migrations").iterdir():
        match = MIGRATION_NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), match.group(2), entry.read_text(encoding="utf-8")))
    found.sort()
    versions = [v for v, _, _ in found]
    if len(versions) != len(set(versions)):
        raise StoreError(f"two migration files share a number: {sorted(versions)}")
    return found


def split_statements(sql: str) -> list[str]:
    """Split a script into complete statements (SQLite's own tokenizer decides where one ends)."""
    statements, buffer = [], ""
    for line in sql.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            if buffer.strip():
                statements.append(buffer.strip())
            buffer = ""
    if buffer.strip() and not _only_comments(buffer):
        raise StoreError(f"incomplete SQL statement at end of migration: {buffer.strip()[:60]}")
    return statements


def _only_comments(text: str) -> bool:
    return all(not line.strip() or line.strip().startswith("--") for line in text.splitlines())


def newest_known_version() -> int:
    return max((v for v, _, _ in list_migrations()), default=0)


def migrate(store: "Store") -> list[int]:
    """Apply the migrations ``store`` has not recorded; returns the versions applied now."""
    store.conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
    )
    applied = {r[0] for r in store.conn.execute("SELECT version FROM schema_migrations")}
    return [version for version, name, sql in list_migrations()
            if version not in applied and apply_migration(store, version, name, sql)]


def apply_migration(store: "Store", version: int, name: str, sql: str) -> bool:
    """Apply one migration in its own transaction; False when another process applied it first."""
    with store.transaction():
        done = store.conn.execute("SELECT 1 FROM schema_migrations WHERE version = ?", (version,))
        if done.fetchone():
            return False
        for statement in split_statements(sql):
            try:
                store.conn.execute(statement)
            except sqlite3.Error as exc:
                raise StoreError(f"migration {version:04d}_{name} failed ({exc})", str(store.path)) from exc
        store.conn.execute("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                           (version, name, store.utcnow()))
    return True
