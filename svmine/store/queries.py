"""Read-side queries for scanning and for ``svmine runs / documents / mentions``.

Listing functions return plain dicts (column -> value) so the CLI can print them as a table,
CSV or JSONL without knowing SQL.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from svmine.store.db import Store


@dataclass(frozen=True)
class KnownPath:
    sha256: str
    size: int
    mtime_ns: int


# Failures caused by a limit of the run, with the option that set it: worth retrying when the
# new run's limit is larger (or unlimited), pointless otherwise.
LIMIT_OPTIONS = {"timeout": "timeout", "memory_limit": "max_memory_mb"}
# Failures that say nothing about the bytes (the file vanished, the run was cut off): always retried.
TRANSIENT_CODES = {"unreadable", "interrupted"}


@dataclass(frozen=True)
class DocumentState:
    status: str
    pattern_hash: str | None
    model_hash: str | None
    svmine_version: str | None
    error_code: str | None = None
    error_message: str | None = None
    limits: dict | None = None  # the failed run's timeout / max_memory_mb

    def _same_detector(self, fingerprint: dict, version: str) -> bool:
        return (
            self.pattern_hash == fingerprint.get("pattern_hash")
            and self.model_hash == fingerprint.get("model_hash")
            and self.svmine_version == version
        )

    def is_current(self, fingerprint: dict, version: str) -> bool:
        """Results are current when they succeeded with the same patterns, model and svmine."""
        return self.status == "ok" and self._same_detector(fingerprint, version)

    def failed_before(self, fingerprint: dict, version: str, limits: dict) -> bool:
        """The same bytes failed with the same svmine, patterns and model, under limits no larger.

        ``limits`` are this run's ``timeout`` and ``max_memory_mb`` (None: no limit).
        """
        if self.status == "ok" or self.error_code in TRANSIENT_CODES or not self._same_detector(fingerprint, version):
            return False
        option = LIMIT_OPTIONS.get(self.error_code or "")
        if option is None:
            return True
        before, now = (self.limits or {}).get(option), limits.get(option)
        return before is not None and now is not None and float(now) <= float(before)


def known_paths(store: Store) -> dict[str, KnownPath]:
    rows = store.conn.execute("SELECT path, sha256, size, mtime_ns FROM document_paths")
    # A file name that is not valid UTF-8 is stored as its raw bytes (a BLOB): see Store.record_paths.
    return {_path_text(r["path"]): KnownPath(r["sha256"], r["size"], r["mtime_ns"]) for r in rows}


def _path_text(value: str | bytes) -> str:
    return os.fsdecode(value) if isinstance(value, bytes) else value


def document_states(store: Store) -> dict[str, DocumentState]:
    rows = store.conn.execute(
        "SELECT d.sha256, d.status, d.pattern_hash, d.model_hash, d.svmine_version, d.error_code,"
        " d.error_message, json_extract(r.options_json, '$.timeout') AS timeout,"
        " json_extract(r.options_json, '$.max_memory_mb') AS max_memory_mb"
        " FROM documents d LEFT JOIN runs r ON r.id = d.run_id"
    )
    return {
        r["sha256"]: DocumentState(r["status"], r["pattern_hash"], r["model_hash"], r["svmine_version"],
                                   r["error_code"], r["error_message"],
                                   {"timeout": r["timeout"], "max_memory_mb": r["max_memory_mb"]})
        for r in rows
    }


def document_locations(store: Store) -> tuple[list[str], list[str]]:
    """(every path a document was processed from or seen at, every sha256): what a manifest may name."""
    paths = [r[0] for r in store.conn.execute("SELECT path FROM documents UNION SELECT path FROM document_paths")]
    shas = [r[0] for r in store.conn.execute("SELECT sha256 FROM documents")]
    return paths, shas


def list_runs(store: Store, *, status: str | None = None, limit: int | None = None) -> list[dict[str, Any]]:
    sql = (
        "SELECT id, started_at, finished_at, status, processed, skipped, failed, mentions,"
        " svmine_version, spacy_version, sklearn_version, pattern_hash, model_hash, options_json"
        " FROM runs"
    )
    params: list[Any] = []
    if status:
        sql += " WHERE status = ?"
        params.append(status)
    sql += " ORDER BY id DESC"
    if limit:
        sql += " LIMIT ?"
        params.append(limit)
    return [dict(r) for r in store.conn.execute(sql, params)]


def list_documents(
    store: Store,
    *,
    footprint: str | None = None,
    status: str | None = None,
    document: str | None = None,
    run_id: int | None = None,
) -> list[dict[str, Any]]:
    """Documents with their mention counts; ``document`` matches a path substring or sha256 prefix."""
    where, params = _document_filters(footprint, status, document, run_id)
    sql = (
        "SELECT d.id, d.path, d.sha256, d.format, d.page_count, d.status, d.error_code, d.error_message,"
        " d.footprint_code, d.footprint_name, d.footprint_status, d.footprint_source, d.title,"
        " (SELECT COUNT(*) FROM mentions m WHERE m.document_id = d.id AND m.category = 'social_value')"
        " AS social_value_mentions,"
        " (SELECT COUNT(*) FROM mentions m WHERE m.document_id = d.id AND m.category = 'vcse')"
        " AS vcse_mentions,"
        " d.run_id, d.processed_at"
        f" FROM documents d{where} ORDER BY d.path"
    )
    return [dict(r) for r in store.conn.execute(sql, params)]


def list_mentions(
    store: Store,
    *,
    footprint: str | None = None,
    category: str | None = None,
    kind: str | None = None,
    status: str | None = None,
    document: str | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    where, params = _document_filters(footprint, status, document, None)
    clauses = [where[len(" WHERE ") :]] if where else []
    if category:
        clauses.append("m.category = ?")
        params.append(category)
    if kind:
        clauses.append("m.kind = ?")
        params.append(kind)
    sql = (
        "SELECT d.path, d.sha256, d.footprint_code, m.page, m.category, m.kind, m.source, m.pattern_id,"
        " m.label, m.probability, m.text, m.start, m.end, m.context_flags, m.sentence"
        " FROM mentions m JOIN documents d ON d.id = m.document_id"
    )
    if clauses:
        sql += " WHERE " + " AND ".join(clauses)
    sql += " ORDER BY d.path, m.page, m.start, m.category"
    if limit:
        sql += " LIMIT ?"
        params.append(limit)
    return [dict(r) for r in store.conn.execute(sql, params)]


def _document_filters(
    footprint: str | None, status: str | None, document: str | None, run_id: int | None
) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if footprint:
        clauses.append("(d.footprint_code = ? OR d.footprint_name LIKE ?)")
        params += [footprint, f"%{footprint}%"]
    if status:
        clauses.append("d.status = ?")
        params.append(status)
    if document:
        clauses.append("(d.path LIKE ? OR d.sha256 LIKE ?)")
        params += [f"%{document}%", f"{document}%"]
    if run_id is not None:
        clauses.append("d.run_id = ?")
        params.append(run_id)
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), params


# Columns that change from run to run without the results changing.
VOLATILE_COLUMNS = {"id", "document_id", "run_id", "processed_at", "seconds", "last_run_id"}


def snapshot(store: Store) -> dict[str, list[tuple]]:
    """Every result row keyed by content, minus ids, timestamps and timings.

    Two scans of the same files with the same patterns and model give equal snapshots, however
    they were scheduled or interrupted; used by tests and handy for checking a migration.
    """
    out: dict[str, list[tuple]] = {}
    out["documents"] = _rows(store, "SELECT * FROM documents", ())
    for table in ("pages", "mentions", "policy_facts", "name_matches"):
        sql = f"SELECT d.sha256 AS document_sha256, t.* FROM {table} t JOIN documents d ON d.id = t.document_id"
        out[table] = _rows(store, sql, ())
    out["document_paths"] = _rows(store, "SELECT * FROM document_paths", ())
    return out


def _rows(store: Store, sql: str, params: tuple) -> list[tuple]:
    rows = []
    for r in store.conn.execute(sql, params):
        rows.append(tuple((k, r[k]) for k in r.keys() if k not in VOLATILE_COLUMNS))
    return sorted(rows, key=repr)
