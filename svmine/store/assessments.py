"""Commissioner assessments kept in the store, and auditors' overrides of their ratings.

``save_assessments`` replaces the ``assessments`` table with one ``svmine assess`` run's result
(migration 0005). Overrides are annotations rows (item_type ``assessment``, decision ``override``,
label the rating, ``meta_json`` carrying the auditor's note) so that they survive re-runs of assess
and go through the review queue's nonce and staleness rules; the latest not-undone override per
(organisation, scale) wins. ``load_assessments`` returns the stored ratings with overrides applied.
"""

from __future__ import annotations

import json
import secrets

from svmine.assess.model import (
    OVERRIDE_DECISION, OVERRIDE_ITEM_TYPE, SCALES, Assessment, Signal, check_rating, override_key,
    parse_override_key,
)
from svmine.store.db import Store
from svmine.store.review import STAMP, store_row

_COLUMNS = ("org_code", "org_name", "org_type", "region", "commitment", "evidence", "approach", "confidence",
            "needs_review", "reasons_json", "signals_json", "documents", "rules_hash", "assessed_at")


def save_assessments(store: Store, assessments: list[Assessment], rules_hash: str = "") -> None:
    """Replace the stored assessments with these (one transaction). Overrides are untouched."""
    now = store.utcnow()
    with store.transaction():
        store.conn.execute("DELETE FROM assessments")
        store.conn.executemany(
            f"INSERT INTO assessments ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' for _ in _COLUMNS)})",
            [_row(a, rules_hash, now) for a in assessments],
        )


def _row(a: Assessment, rules_hash: str, now: str) -> tuple:
    return (a.org_code, a.org_name, a.org_type, a.region, a.commitment, a.evidence, a.approach,
            float(a.confidence), int(a.needs_review), json.dumps(a.reasons),
            json.dumps([s.to_dict() for s in a.signals]), int(a.documents), rules_hash, now)


def stored_assessments(store: Store) -> list[Assessment]:
    """The ratings as ``svmine assess`` left them, without overrides, ordered by org code."""
    rows = store.conn.execute(f"SELECT {', '.join(_COLUMNS)} FROM assessments ORDER BY org_code")
    out = []
    for row in rows:
        data = dict(zip(_COLUMNS, row))
        out.append(Assessment(
            org_code=data["org_code"], org_name=data["org_name"], org_type=data["org_type"], region=data["region"],
            commitment=data["commitment"], evidence=data["evidence"], approach=data["approach"],
            confidence=data["confidence"], needs_review=bool(data["needs_review"]), documents=data["documents"],
            reasons=json.loads(data["reasons_json"]),
            signals=[Signal.from_dict(s) for s in json.loads(data["signals_json"])],
        ))
    return out


def latest_overrides(store: Store) -> dict[tuple[str, str], dict]:
    """(org_code, scale) -> the latest not-undone override: ``rating``, ``auditor``, ``note``,
    ``created_at``."""
    rows = store.conn.execute(
        "SELECT item_key, label, auditor, meta_json, created_at FROM annotations WHERE id IN"
        " (SELECT MAX(id) FROM annotations WHERE item_type = ? AND decision = ? AND undone = 0 GROUP BY item_key)",
        (OVERRIDE_ITEM_TYPE, OVERRIDE_DECISION),
    )
    out = {}
    for key, label, auditor, meta, created in rows:
        org_code, scale = parse_override_key(key)
        note = json.loads(meta or "{}").get("note", "")
        out[(org_code, scale)] = {"rating": label, "auditor": auditor, "note": note, "created_at": created}
    return out


def apply_overrides(assessments: list[Assessment], overrides: dict[tuple[str, str], dict]) -> list[Assessment]:
    """Each assessment with its overridden scales set to the auditor's rating (``overridden`` names
    the auditor per scale); an overridden organisation no longer waits for review."""
    out = []
    for a in assessments:
        a = Assessment.from_dict(a.to_dict())
        for scale in SCALES:
            o = overrides.get((a.org_code, scale))
            if o is not None:
                setattr(a, scale, o["rating"])
                a.overridden[scale] = o["auditor"]
        if a.overridden:
            a.needs_review = False
        out.append(a)
    return out


def load_assessments(store: Store) -> list[Assessment]:
    """The stored assessments with auditors' overrides applied (what tables and the report show)."""
    return apply_overrides(stored_assessments(store), latest_overrides(store))


def record_override(
    store: Store, org_code: str, scale: str, rating: str, auditor: str, note: str = "",
    nonce: str | None = None, *, seen: int | None = None,
) -> int | None:
    """Store an auditor's override of one scale of one organisation; returns the row id (None when
    this auditor already sent it under this nonce). ValueError for an unknown scale or rating."""
    check_rating(scale, rating)
    row = {
        "item_type": OVERRIDE_ITEM_TYPE, "item_key": override_key(org_code, scale), "document_sha256": None,
        "page": None, "start": None, "end": None, "text": None, "sentence": None, "auditor": auditor,
        "decision": OVERRIDE_DECISION, "label": rating, "created_at": store.utcnow(STAMP), "undone": 0,
        "nonce": nonce or secrets.token_hex(16), "meta_json": json.dumps({"note": note} if note else {}),
    }
    return store_row(store, row, seen)


# -- what the review app's Assessments page reads -------------------------------------------------------


def has_assessment(store: Store, org_code: str) -> bool:
    return store.conn.execute("SELECT 1 FROM assessments WHERE org_code = ?", (org_code,)).fetchone() is not None


def assessment_counts(store: Store) -> tuple[int, int]:
    """(organisations assessed, those still waiting for review): needs_review and no scale of
    theirs overridden (an override settles the organisation, as :func:`apply_overrides` says).
    Asked on every review page, so two indexed reads and a set difference, not a correlated query."""
    total = store.conn.execute("SELECT COUNT(*) FROM assessments").fetchone()[0]
    if not total:
        return 0, 0
    waiting = {r[0] for r in store.conn.execute("SELECT org_code FROM assessments WHERE needs_review = 1")}
    settled = {parse_override_key(r[0])[0] for r in store.conn.execute(
        "SELECT DISTINCT item_key FROM annotations WHERE item_type = ? AND decision = ? AND undone = 0",
        (OVERRIDE_ITEM_TYPE, OVERRIDE_DECISION))}
    return total, len(waiting - settled)


def override_versions(store: Store) -> dict[tuple[str, str], int]:
    """(org_code, scale) -> the latest annotation id of that rating (any decision, undo included):
    the ``seen`` an override form carries. Ratings never touched are absent (version 0)."""
    rows = store.conn.execute(
        "SELECT item_key, MAX(id) FROM annotations WHERE item_type = ? GROUP BY item_key", (OVERRIDE_ITEM_TYPE,)
    )
    return {parse_override_key(key): version for key, version in rows}


def override_history(store: Store) -> dict[str, list[dict]]:
    """org_code -> its not-undone overrides, newest first: ``scale``, ``rating``, ``auditor``,
    ``note``, ``created_at`` (who overrode what, shown beside the ratings)."""
    rows = store.conn.execute(
        "SELECT item_key, label, auditor, meta_json, created_at FROM annotations"
        " WHERE item_type = ? AND decision = ? AND undone = 0 ORDER BY id DESC",
        (OVERRIDE_ITEM_TYPE, OVERRIDE_DECISION),
    )
    out: dict[str, list[dict]] = {}
    for key, label, auditor, meta, created in rows:
        org_code, scale = parse_override_key(key)
        out.setdefault(org_code, []).append({"scale": scale, "rating": label, "auditor": auditor,
                                             "note": json.loads(meta or "{}").get("note", ""), "created_at": created})
    return out


def signal_documents(store: Store) -> dict[str, dict]:
    """sha256 -> ``id``, ``path``, ``page_count`` of every stored document (signals name their
    document by hash; the page view links need its id)."""
    rows = store.conn.execute("SELECT sha256, id, path, page_count FROM documents")
    return {sha: {"id": doc_id, "path": path, "page_count": pages or 0} for sha, doc_id, path, pages in rows}
