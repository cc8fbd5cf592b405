"""The SQLite store: opening, migrations, runs, and writing one document's result.

Design decisions
- One file, no server, WAL journal: readers (Datasette, ``svmine documents``) never block the
  single writer, and a crash leaves the last committed document intact.
- The connection runs in autocommit mode (``isolation_level=None``) and every write opens its
  own ``BEGIN IMMEDIATE`` ... ``COMMIT``, so the unit of durability is explicit: one migration,
  or one document's whole result. Nothing is ever half-written, even under ``kill -9``.
- Migrations: ``svmine.store.schema`` (``Store.open`` applies the missing ones).
- A document is keyed by content (sha256); re-saving the same content updates the row in place
  (its id stays stable) and rebuilds its pages, mentions, facts and name matches.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import stat
import time
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any, Iterable

from svmine import __version__
from svmine.errors import StoreError
from svmine.extract.files import display_path
from svmine.model import Attribution, DocumentResult, NameMatch
from svmine.store import schema

RUN_RUNNING = "running"
RUN_FINISHED = "finished"
RUN_INTERRUPTED = "interrupted"


def utcnow(timespec: str = "seconds") -> str:
    """The store's one clock: UTC in ISO 8601. Runs and documents are stamped to the second;
    annotations to the microsecond (``"microseconds"``), which orders a burst of decisions."""
    return datetime.now(timezone.utc).isoformat(timespec=timespec)


def _package_version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


OPEN_MODES = ("ro", "rw", "create")
SQLITE_HEADER = b"SQLite format 3\x00"
# What makes a file an svmine store: our migrations table (with its own columns, not e.g. a
# Rails ``schema_migrations``) holding the first migration.
_MIGRATIONS_COLUMNS = {"version", "name", "applied_at"}


class FileState:
    """What a would-be store file holds: ``kind`` is one of missing, empty (0 bytes), not_sqlite,
    unreadable, blank (SQLite without tables), foreign (SQLite with other tables), svmine."""

    def __init__(self, kind: str, detail: str = "", versions: tuple[int, ...] = ()):
        self.kind, self.detail, self.versions = kind, detail, versions

    @property
    def version(self) -> int:
        return max(self.versions, default=0)

    def refusal(self) -> str:
        if self.kind == "not_sqlite":
            return f"not a usable svmine database: not an SQLite file ({self.detail})"
        if self.kind == "foreign":
            return (f"not an svmine store: an SQLite database of another application (tables: {self.detail});"
                    " svmine leaves it untouched")
        if self.kind == "unreadable":
            return f"cannot read the file ({self.detail})"
        return f"not an svmine store ({self.kind})"


def inspect_file(path: Path) -> FileState:
    """Recognise ``path`` without changing it: header bytes first, then a read-only look at the schema."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return FileState("missing")
    except OSError as exc:
        return FileState("unreadable", exc.strerror or str(exc))
    if stat.S_ISDIR(mode):
        return FileState("not_sqlite", "a folder")
    if not stat.S_ISREG(mode):  # a FIFO would block the read below for ever; a device never ends
        return FileState("not_sqlite", "not a regular file: a FIFO, socket or device")
    try:
        with open(path, "rb") as fh:
            head = fh.read(len(SQLITE_HEADER))
    except OSError as exc:
        return FileState("unreadable", exc.strerror or str(exc))
    if not head:
        return FileState("empty")
    if head != SQLITE_HEADER:
        printable = "".join(chr(b) if 32 <= b < 127 else "." for b in head)
        return FileState("not_sqlite", f"it starts with {printable!r}")
    try:
        conn = sqlite3.connect(path.absolute().as_uri() + "?mode=ro", uri=True, timeout=60)
    except sqlite3.Error as exc:
        return FileState("unreadable", str(exc))
    try:
        tables = sorted(r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'"
                                                   " AND name NOT LIKE 'sqlite_%'"))
        if not tables:
            return FileState("blank")
        if "schema_migrations" not in tables:
            return FileState("foreign", _table_list(tables))
        columns = {r[1] for r in conn.execute("PRAGMA table_info(schema_migrations)")}
        if not _MIGRATIONS_COLUMNS <= columns:
            return FileState("foreign", _table_list(tables))
        rows = conn.execute("SELECT version, name FROM schema_migrations").fetchall()
    except sqlite3.DatabaseError as exc:
        return FileState("not_sqlite", str(exc))
    finally:
        conn.close()
    names = {v: n for v, n in rows}
    if rows and names.get(1) != "initial":
        return FileState("foreign", _table_list(tables))
    if not rows and set(tables) != {"schema_migrations"}:
        return FileState("foreign", _table_list(tables))
    return FileState("svmine", versions=tuple(sorted(int(v) for v in names)))


def _table_list(tables: list[str]) -> str:
    return ", ".join(tables[:6]) + (f" and {len(tables) - 6} more" if len(tables) > 6 else "")


def _check_not_newer(state: FileState, path: Path) -> None:
    known = schema.newest_known_version()
    if state.version > known:
        raise StoreError(f"written by a newer svmine (schema version {state.version}; this svmine knows up to"
                         f" {known}): upgrade svmine to open it", str(path))


def _check_readable(state: FileState, path: Path) -> None:
    """Refusals of ``mode="ro"``: anything but a complete svmine store of a known schema."""
    if state.kind == "missing":
        raise StoreError("no such store", str(path))
    if state.kind in ("empty", "blank") or (state.kind == "svmine" and not state.versions):
        raise StoreError("empty file, not an svmine store (svmine scan creates one)", str(path))
    if state.kind != "svmine":
        raise StoreError(state.refusal(), str(path))
    _check_not_newer(state, path)
    missing = sorted({v for v, _, _ in schema.list_migrations()} - set(state.versions))
    if missing:
        raise StoreError(f"written by an older svmine (schema version {state.version}, this svmine needs"
                         f" {schema.newest_known_version()}); read-only commands do not upgrade a store: run"
                         " `svmine scan` with this --db once to upgrade it", str(path))


class Store:
    """One SQLite file holding documents, pages, mentions, facts, runs and annotations."""

    def __init__(self, conn: sqlite3.Connection, path: Path, write_attempts: int = 1):
        self.conn = conn
        self.path = path
        self.write_attempts = write_attempts  # BEGIN IMMEDIATE tries while another writer holds the lock

    utcnow = staticmethod(utcnow)

    # -- opening -------------------------------------------------------------------------------

    @classmethod
    def open(cls, path: str | os.PathLike[str], mode: str = "create") -> "Store":
        """Open the store at ``path``; ``mode`` says what the caller may do to the file.

        - ``"ro"``: read only (SQLite ``mode=ro``). The file must be an svmine store of this
          schema version; nothing is created, migrated or switched to WAL. For ``table``,
          ``report``, ``documents``, ``runs``, ``mentions``, annotation export.
        - ``"rw"``: an existing svmine store, upgraded to the current schema (review decisions,
          annotation import).
        - ``"create"``: as ``"rw"``, but a missing or empty file becomes a new store (``scan``).

        Every mode refuses (``StoreError``) a file that is not an svmine store -- a text file,
        another application's SQLite database (even in ``"create"``: svmine never adds its tables
        to someone else's file) -- and a store written by a newer svmine (schema version above
        the newest migration shipped here). See ``inspect_file`` for how a file is recognised.
        """
        if mode not in OPEN_MODES:
            raise ValueError(f"mode must be one of {', '.join(OPEN_MODES)}, not {mode!r}")
        path = Path(path)
        state = inspect_file(path)
        if mode == "ro":
            _check_readable(state, path)
            return cls._connect_ro(path, state)
        if state.kind == "missing":
            if mode == "rw":
                raise StoreError("no such store (svmine scan creates one)", str(path))
            if path.parent and not path.parent.exists():
                raise StoreError("folder does not exist", str(path))
        elif state.kind == "empty" and mode == "rw":
            raise StoreError("empty file, not an svmine store (svmine scan creates one)", str(path))
        elif state.kind not in ("missing", "empty", "blank", "svmine"):
            raise StoreError(state.refusal(), str(path))
        if state.kind == "svmine":
            _check_not_newer(state, path)
        try:
            conn = sqlite3.connect(str(path), timeout=60, isolation_level=None)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open database ({exc})", str(path)) from exc
        conn.row_factory = sqlite3.Row
        store = cls(conn, path)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: durable across process crashes
            store.migrate()
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise StoreError(f"not a usable svmine database ({exc})", str(path)) from exc
        except BaseException:
            conn.close()
            raise
        return store

    @classmethod
    def _connect_ro(cls, path: Path, state: "FileState") -> "Store":
        uri = path.absolute().as_uri() + "?mode=ro"
        try:
            conn = sqlite3.connect(uri, uri=True, timeout=60, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open the store read-only ({exc})", str(path)) from exc
        conn.row_factory = sqlite3.Row
        try:
            conn.execute("PRAGMA query_only=ON")
            conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise StoreError(f"cannot read the store ({exc})", str(path)) from exc
        return cls(conn, path)

    @classmethod
    def connect(cls, path: str | os.PathLike[str], mode: str | None = None) -> "Store":
        """A store on a short-lived connection for one request or command of the review app:
        WAL, a long busy timeout, usable from the server's threads, and writes retried while
        another writer holds the lock (many auditors write at once).

        With ``mode`` the file is first checked (and, for ``"rw"``, brought up to date) by
        ``open``; without, the caller has done so once at start-up."""
        if mode is not None:
            cls.open(path, mode=mode).close()
        conn = sqlite3.connect(str(path), timeout=60, isolation_level=None, check_same_thread=False)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA busy_timeout = 60000")
        conn.execute("PRAGMA journal_mode = WAL")
        return cls(conn, Path(path), write_attempts=8)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    # -- migrations ----------------------------------------------------------------------------

    def migrate(self) -> list[int]:
        """Apply the migrations not yet recorded; returns the versions applied now."""
        return schema.migrate(self)

    def schema_version(self) -> int:
        row = self.conn.execute("SELECT MAX(version) FROM schema_migrations").fetchone()
        return row[0] or 0

    def transaction(self) -> "_Transaction":
        """``with store.transaction():`` one unit of durability (see the module docstring)."""
        return _Transaction(self.conn, self.write_attempts)

    # -- runs ----------------------------------------------------------------------------------

    def start_run(self, fingerprint: dict, options: dict) -> int:
        """Record a new run (and mark runs whose writer died as interrupted)."""
        with self.transaction():
            self._mark_interrupted()
            cur = self.conn.execute(
                "INSERT INTO runs (started_at, status, svmine_version, spacy_version, sklearn_version,"
                " pattern_hash, model_hash, options_json, hostname, pid, process_started)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    utcnow(),
                    RUN_RUNNING,
                    __version__,
                    _package_version("spacy"),
                    _package_version("scikit-learn"),
                    fingerprint.get("pattern_hash", ""),
                    fingerprint.get("model_hash", "none"),
                    json.dumps(options, sort_keys=True, default=str),
                    socket.gethostname(),
                    os.getpid(),
                    _process_started(os.getpid()),
                ),
            )
            return int(cur.lastrowid)

    def _mark_interrupted(self) -> None:
        """Runs left ``running`` by a writer that is gone (SIGKILL, power cut) become ``interrupted``.

        Their counts are already real: ``save_result`` adds each document to its run's counts
        in the same transaction that stores it.
        """
        rows = self.conn.execute("SELECT id, hostname, pid, process_started FROM runs WHERE status = ?",
                                 (RUN_RUNNING,))
        host = socket.gethostname()
        for row in rows.fetchall():
            # Another live scan on this machine keeps its run; anything else was cut off.
            if (row["hostname"] == host and row["pid"] and row["pid"] != os.getpid()
                    and _same_process(row["pid"], row["process_started"])):
                continue
            self.conn.execute(
                "UPDATE runs SET status = ?, finished_at = COALESCE(finished_at, ?) WHERE id = ?",
                (RUN_INTERRUPTED, utcnow(), row["id"]),
            )

    def record_run_counts(self, run_id: int, counts: dict) -> None:
        """Set a running run's counts (after planning: the skipped and unreadable files)."""
        with self.transaction():
            self._set_counts(run_id, counts)

    def _set_counts(self, run_id: int, counts: dict) -> None:
        self.conn.execute(
            "UPDATE runs SET processed = ?, skipped = ?, failed = ?, mentions = ? WHERE id = ?",
            (int(counts.get("processed", 0)), int(counts.get("skipped", 0)), int(counts.get("failed", 0)),
             int(counts.get("mentions", 0)), run_id),
        )

    def finish_run(self, run_id: int, counts: dict, status: str = RUN_FINISHED) -> None:
        with self.transaction():
            self.conn.execute(
                "UPDATE runs SET finished_at = ?, status = ?, processed = ?, skipped = ?, failed = ?,"
                " mentions = ? WHERE id = ?",
                (
                    utcnow(),
                    status,
                    int(counts.get("processed", 0)),
                    int(counts.get("skipped", 0)),
                    int(counts.get("failed", 0)),
                    int(counts.get("mentions", 0)),
                    run_id,
                ),
            )

    # -- documents -----------------------------------------------------------------------------

    def save_result(self, result: DocumentResult | dict, run_id: int | None = None) -> int:
        """Write one document's whole result in one transaction; returns the document id.

        A plain dict (a result read back from a worker, tests' fixtures) is taken as its
        ``DocumentResult.to_dict()`` form."""
        if not isinstance(result, DocumentResult):
            result = DocumentResult.from_dict(result)
        if not result.sha256:
            raise StoreError("result has no sha256: cannot be stored", result.path)
        with self.transaction():
            doc_id = self._upsert_document(result, run_id)
            for table in ("pages", "mentions", "policy_facts", "name_matches"):
                self.conn.execute(f"DELETE FROM {table} WHERE document_id = ?", (doc_id,))
            self._insert_pages(doc_id, result.pages)
            self._insert_mentions(doc_id, result.mentions)
            self._insert_facts(doc_id, result.facts)
            self._insert_name_matches(doc_id, result.name_matches)
            self._record_path(result, run_id)
            if run_id is not None:  # counts stay true even if the scan is killed before finish_run
                self.conn.execute(
                    "UPDATE runs SET processed = processed + 1, failed = failed + ?, mentions = mentions + ?"
                    " WHERE id = ?",
                    (int(not result.ok), len(result.mentions), run_id),
                )
        return doc_id

    def _upsert_document(self, r: DocumentResult, run_id: int | None) -> int:
        meta = r.metadata or {}
        values = {
            "sha256": r.sha256,
            "path": display_path(str(r.path or "")),
            "size": r.size,
            "format": r.format,
            "page_unit": r.page_unit,
            "page_count": len(r.pages) if r.ok else None,
            "title": _text_or_none(meta.get("title")),
            "author": _text_or_none(meta.get("author")),
            "metadata_json": json.dumps(meta, sort_keys=True, default=str),
            "warnings_json": json.dumps(list(r.warnings or [])),
            "status": r.status or "failed",
            "error_code": r.error_code,
            "error_message": _text_or_none(r.error_message),
            **_footprint_columns(r.attribution),
            "pattern_hash": r.pattern_hash,
            "model_hash": r.model_hash,
            "svmine_version": r.svmine_version or __version__,
            "run_id": run_id,
            "processed_at": utcnow(),
            "seconds": r.seconds,
        }
        columns = ", ".join(values)
        marks = ", ".join("?" for _ in values)
        updates = ", ".join(f"{c} = excluded.{c}" for c in values if c != "sha256")
        row = self.conn.execute(
            f"INSERT INTO documents ({columns}) VALUES ({marks})"
            f" ON CONFLICT(sha256) DO UPDATE SET {updates} RETURNING id",
            tuple(values.values()),
        ).fetchone()
        return int(row[0])

    def _insert_pages(self, doc_id: int, pages: list[dict]) -> None:
        self.conn.executemany(
            "INSERT INTO pages (document_id, number, text, method, engine, flags, headers_json)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    doc_id,
                    p["number"],
                    p.get("text") or "",
                    p.get("method") or "text_layer",
                    p.get("engine"),
                    ",".join(p.get("flags") or []),
                    json.dumps(list(p.get("headers") or [])),
                )
                for p in pages
            ],
        )

    def _insert_mentions(self, doc_id: int, mentions: list[dict]) -> None:
        self.conn.executemany(
            "INSERT INTO mentions (document_id, page, category, kind, source, pattern_id, label, text,"
            " start, end, sentence, sentence_start, sentence_end, probability, context_flags,"
            " context_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    doc_id,
                    m["page"],
                    m["category"],
                    m["kind"],
                    m["source"],
                    m.get("pattern_id"),
                    m.get("label"),
                    m.get("text") or "",
                    m["start"],
                    m["end"],
                    m.get("sentence") or "",
                    m.get("sentence_start", m["start"]),
                    m.get("sentence_end", m["end"]),
                    m.get("probability"),
                    ",".join(sorted(m.get("context") or {})),
                    json.dumps(m.get("context") or {}, sort_keys=True),
                )
                for m in mentions
            ],
        )

    def _insert_facts(self, doc_id: int, facts: list[dict]) -> None:
        self.conn.executemany(
            "INSERT INTO policy_facts (document_id, page, kind, value, unit, basis, text, start, end)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    doc_id,
                    f["page"],
                    f["kind"],
                    f.get("value"),
                    f.get("unit"),
                    f.get("basis"),
                    f.get("text") or "",
                    f["start"],
                    f["end"],
                )
                for f in facts
            ],
        )

    def _insert_name_matches(self, doc_id: int, matches: list[NameMatch]) -> None:
        self.conn.executemany(
            "INSERT INTO name_matches (document_id, kind, query, candidate_code, candidate_name, score,"
            " runner_up_code, runner_up_name, margin, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (doc_id, m.kind or "stp", m.query or "", m.candidate_code, m.candidate_name, m.score,
                 m.runner_up_code, m.runner_up_name, m.margin, m.status or "no_match")
                for m in matches
            ],
        )

    def _record_path(self, r: DocumentResult, run_id: int | None) -> None:
        if r.size is None or r.mtime_ns is None:
            return
        self.record_paths([(str(r.path), r.sha256, int(r.size), int(r.mtime_ns))], run_id)

    def prune_replaced(self) -> int:
        """Delete documents whose content was replaced at its path and is found nowhere else.

        An edited file is new content (new sha256); without this the old version's mentions
        would still count for its footprint. Content that was never seen at a path (results
        saved directly, e.g. by tests or imports) is left alone.
        """
        # documents.path holds the display form of a non-UTF-8 name; document_paths its bytes.
        self.conn.create_function("svmine_display_path", 1, display_path, deterministic=True)
        with self.transaction():
            cur = self.conn.execute(
                "DELETE FROM documents WHERE sha256 NOT IN (SELECT sha256 FROM document_paths)"
                " AND path IN (SELECT svmine_display_path(path) FROM document_paths)"
            )
            return cur.rowcount

    def record_paths(self, rows: Iterable[tuple[str, str, int, int]], run_id: int | None) -> None:
        """Remember where content was seen (path, sha256, size, mtime_ns) to skip re-hashing."""
        if not self.conn.in_transaction:
            with self.transaction():
                self.record_paths(rows, run_id)
            return
        self.conn.executemany(
            "INSERT INTO document_paths (path, sha256, size, mtime_ns, last_run_id) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT(path) DO UPDATE SET sha256 = excluded.sha256, size = excluded.size,"
            " mtime_ns = excluded.mtime_ns, last_run_id = excluded.last_run_id",
            [(_path_key(path), sha, size, mtime, run_id) for path, sha, size, mtime in rows],
        )


class _Transaction:
    """``BEGIN IMMEDIATE`` (tried ``attempts`` times while the database is locked) ... ``COMMIT``,
    or ``ROLLBACK`` on any exception."""

    def __init__(self, conn: sqlite3.Connection, attempts: int = 1):
        self.conn = conn
        self.attempts = attempts

    def __enter__(self) -> sqlite3.Connection:
        for attempt in range(self.attempts):
            try:
                self.conn.execute("BEGIN IMMEDIATE")
                break
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or attempt == self.attempts - 1:
                    raise
                time.sleep(0.05 * (attempt + 1))
        return self.conn

    def __exit__(self, exc_type: Any, *rest: Any) -> None:
        if exc_type is None:
            self.conn.execute("COMMIT")
        else:
            self.conn.execute("ROLLBACK")


def _process_started(pid: int) -> float | None:
    try:
        import psutil

        return psutil.Process(pid).create_time()
    except Exception:  # noqa: BLE001 - no psutil or no such process: the pid alone is checked
        return None


def _same_process(pid: int, started: float | None) -> bool:
    """Is ``pid`` still the process that started the run (and not a later one given its pid)?"""
    if not _pid_alive(pid):
        return False
    if started is None:
        return True
    now = _process_started(pid)
    return now is None or abs(now - started) < 1.0


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _text_or_none(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return display_path(str(value))  # a message naming a non-UTF-8 file name stays storable


def _path_key(path: str) -> str | bytes:
    """A path as stored in ``document_paths``: text when it is UTF-8, else its exact bytes (BLOB).

    Lossless both ways (``queries.known_paths`` turns bytes back with ``os.fsdecode``), so a
    re-scan recognises the file; an escaped text form could collide with a real name.
    """
    try:
        path.encode("utf-8")
        return path
    except UnicodeEncodeError:
        return os.fsencode(path)


_ICB_COLUMNS = ("icb_code", "icb_source", "icb_status", "icb_score", "icb_reason", "icb_evidence")


def _footprint_columns(att: Attribution | None) -> dict[str, Any]:
    if att is None:
        return dict.fromkeys(("footprint_code", "footprint_name", "footprint_source", "footprint_score",
                              "footprint_status", "footprint_evidence", "ccg_code", *_ICB_COLUMNS))
    return {"footprint_code": att.code, "footprint_name": att.name, "footprint_source": att.source,
            "footprint_score": att.score, "footprint_status": att.status,
            "footprint_evidence": _evidence_text(att.evidence), "ccg_code": att.ccg_code, **_icb_columns(att.icb)}


def _icb_columns(icb: dict[str, Any] | None) -> dict[str, Any]:
    """The ICB placement's columns (all NULL when attribution decided none: read as "not computed")."""
    if not icb:
        return dict.fromkeys(_ICB_COLUMNS)
    return {"icb_code": icb.get("code"), "icb_source": icb.get("source"), "icb_status": icb.get("status"),
            "icb_score": icb.get("score"), "icb_reason": icb.get("reason"),
            "icb_evidence": _evidence_text(icb.get("evidence") or None)}


def _evidence_text(evidence: Any) -> str | None:
    if evidence is None or evidence == "":
        return None
    if isinstance(evidence, str):
        return evidence
    return json.dumps(evidence, sort_keys=True, default=str)
