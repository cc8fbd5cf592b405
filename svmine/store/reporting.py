"""Read-only queries behind ``svmine table`` and ``svmine report``.

Every function takes the store's ``Store`` and returns plain dicts, so the table and
report code (``svmine.tables``, ``svmine.report``) never writes SQL. Rows come back in a stable
order (document path, page, offset) so that renderers and golden files are deterministic.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from svmine.store.db import Store
from svmine.store.placements import with_settled_placements


def _dicts(cursor: sqlite3.Cursor) -> list[dict[str, Any]]:
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def documents(store: Store) -> list[dict[str, Any]]:
    """Every stored document with its attribution, page and mention counts; a placement settled
    by auditors in ``svmine review`` replaces the attribution (status ``settled``, source ``review``).
    The ``icb_*`` columns are the attribution's ICB placement (NULL ``icb_source``: not computed)."""
    cur = store.conn.execute(
        """
        SELECT d.id, d.sha256, d.path, d.format, d.page_unit, d.page_count, d.title, d.status,
               d.error_code, d.error_message, d.footprint_code, d.footprint_source,
               d.footprint_score, d.footprint_status, d.footprint_evidence, d.ccg_code,
               d.icb_code, d.icb_source, d.icb_status, d.icb_score, d.icb_reason,
               (SELECT COUNT(*) FROM mentions m WHERE m.document_id = d.id) AS mention_count
        FROM documents d
        ORDER BY d.path, d.sha256
        """
    )
    return with_settled_placements(store, _dicts(cur))


def document_paths(store: Store) -> dict[str, list[str]]:
    """sha256 -> every path the content was seen at (a manifest may name any of them)."""
    cur = store.conn.execute("SELECT sha256, path FROM document_paths ORDER BY path")
    seen: dict[str, list[str]] = {}
    for sha, path in cur.fetchall():
        seen.setdefault(sha, []).append(path)
    return seen


def page_texts(store: Store) -> dict[int, list[tuple[int, str]]]:
    """document id -> [(page number, text)] of every page of every stored document, in page order
    (what ``svmine assess`` reads its signals from)."""
    out: dict[int, list[tuple[int, str]]] = {}
    for doc_id, number, text in store.conn.execute("SELECT document_id, number, text FROM pages ORDER BY document_id, number"):
        out.setdefault(doc_id, []).append((number, text))
    return out


def mentions(store: Store, category: str | None = None) -> list[dict[str, Any]]:
    """Mentions (optionally of one category) with their document's id, path and sha256."""
    sql = """
        SELECT m.id, m.document_id, d.path AS document, d.sha256, m.page, m.category, m.kind,
               m.source, m.pattern_id, m.label, m.text, m.start, m."end", m.sentence,
               m.sentence_start, m.sentence_end, m.probability, m.context_flags, m.context_json
        FROM mentions m JOIN documents d ON d.id = m.document_id
        {where}
        ORDER BY d.path, m.page, m.start, m.id
    """
    if category:
        cur = store.conn.execute(sql.format(where="WHERE m.category = ?"), (category,))
    else:
        cur = store.conn.execute(sql.format(where=""))
    rows = _dicts(cur)
    for row in rows:
        row["flags"] = [f for f in (row.pop("context_flags") or "").split(",") if f]
        row["context"] = json.loads(row.pop("context_json") or "{}")
    return rows


def facts(store: Store) -> list[dict[str, Any]]:
    """Policy facts (weightings, pass/fail, thresholds) with their document's path."""
    cur = store.conn.execute(
        """
        SELECT f.id, f.document_id, d.path AS document, f.page, f.kind, f.value, f.unit, f.basis,
               f.text, f.start, f."end"
        FROM policy_facts f JOIN documents d ON d.id = f.document_id
        ORDER BY d.path, f.page, f.start, f.id
        """
    )
    return _dicts(cur)


def _decided_mentions(column: str) -> str:
    """The WITH clause the review read-backs share: ``live`` mention rows (not undone), ``adj`` the
    latest adjudication per item and ``latest`` each auditor's latest decisive row, each carrying
    ``item_key`` and ``column`` (what the caller settles on)."""
    return f"""
        WITH live AS (
            SELECT * FROM annotations WHERE item_type = 'mention' AND undone = 0),
        adj AS (
            SELECT item_key, {column} FROM live
            WHERE id IN (SELECT MAX(id) FROM live WHERE decision = 'adjudicate' GROUP BY item_key)),
        latest AS (
            SELECT item_key, {column} FROM live
            WHERE id IN (SELECT MAX(id) FROM live WHERE decision IN ('accept', 'reject', 'relabel')
                         GROUP BY item_key, auditor)),"""


def settled_mention_labels(store: Store) -> dict[tuple[str, int, int, int, str], str]:
    """(sha256, page, start, end, category) -> the label review settled a mention on.

    Settled: the latest adjudication (not undone), or else the one label every auditor's latest
    decisive row agrees on (accept keeps the item's label, reject is ``other``, relabel names one).
    The tables use it so that a person's "this sentence does name social value" (a relabel to
    ``social_value_explicit``) or "this is implicit after all" outranks the classifier; rejections
    are read by :func:`rejected_mention_keys`.
    """
    cur = store.conn.execute(
        _decided_mentions("label")
        + """
        settled AS (
            SELECT item_key, label FROM adj
            UNION ALL
            SELECT item_key, MIN(label) FROM latest WHERE item_key NOT IN (SELECT item_key FROM adj)
            GROUP BY item_key HAVING COUNT(DISTINCT label) = 1 AND COUNT(label) = COUNT(*))
        SELECT s.item_key, l.document_sha256, l.page, l.start, l."end", s.label
        FROM settled s JOIN live l ON l.item_key = s.item_key
        WHERE s.label IS NOT NULL AND l.id = (SELECT MAX(id) FROM live WHERE item_key = s.item_key)
        """
    )
    return {(sha, page, start, end, key.rsplit(":", 1)[-1]): label
            for key, sha, page, start, end, label in cur.fetchall()}


def page_windows(
    store: Store, document_id: int, spans: list[tuple[int, int, int]], width: int = 160
) -> dict[tuple[int, int, int], tuple[str, str, str]]:
    """For (page, start, end) spans of one document: (text before, the span, text after) on its page.

    Used by the report to show a mention in its surroundings, not only its sentence.
    """
    out: dict[tuple[int, int, int], tuple[str, str, str]] = {}
    for page, start, end in spans:
        lead = max(start - width, 0)
        row = store.conn.execute(
            "SELECT substr(text, ?, ?), substr(text, ?, ?), substr(text, ?, ?) FROM pages"
            " WHERE document_id = ? AND number = ?",
            (lead + 1, start - lead, start + 1, max(end - start, 0), end + 1, width, document_id, page),
        ).fetchone()
        if row is not None:
            out[(page, start, end)] = (row[0] or "", row[1] or "", row[2] or "")
    return out


def rejected_mention_keys(store: Store) -> set[tuple[str, int, int, int, str]]:
    """(sha256, page, start, end, category) of mentions auditors rejected in ``svmine review``.

    Follows the review stage's reading of its annotations: an adjudication (latest, not undone)
    settles an item; otherwise each auditor's latest decisive row counts, and the item is rejected
    only when every auditor who decided it says "not this" (reject, or relabel to ``other``).
    The tables leave such mentions out: a person's "this is not social value" outranks the machine.
    """
    cur = store.conn.execute(
        _decided_mentions("(decision = 'reject' OR label = 'other') AS no")
        + """
        verdict AS (
            SELECT item_key, no FROM adj
            UNION ALL
            SELECT item_key, MIN(no) FROM latest WHERE item_key NOT IN (SELECT item_key FROM adj)
            GROUP BY item_key)
        SELECT l.item_key, l.document_sha256, l.page, l.start, l."end"
        FROM verdict v JOIN live l ON l.item_key = v.item_key
        WHERE v.no = 1 AND l.id = (SELECT MAX(id) FROM live WHERE item_key = v.item_key)
        """
    )
    # item_key is "mention:<sha256>:<page>:<start>:<end>:<category>"
    return {(sha, page, start, end, key.rsplit(":", 1)[-1]) for key, sha, page, start, end in cur.fetchall()}
