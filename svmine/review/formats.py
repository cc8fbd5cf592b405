"""Annotation export and import: native JSONL, Prodigy, doccano, Label Studio and spaCy DocBin.

Design decisions
- ``jsonl`` (native) is every annotation row, undone ones and undo/skip rows included, in order:
  export -> import -> export gives the same file. Rows are matched on their nonce, so importing
  the same file twice adds nothing.
- The other formats carry the *labelled* decisions only (each auditor's latest accept / reject /
  relabel, plus adds and adjudications) with the sentence as text and span offsets into it. Each
  record keeps the whole native row under ``meta.svmine`` (Prodigy), ``svmine`` (doccano), the
  task data (Label Studio) or ``Doc.user_data`` (spaCy), so importing Prodigy or doccano files
  svmine wrote is lossless for those rows.
- Foreign Prodigy/doccano files (no svmine row inside) are imported where their meaning is plain:
  an accepted span is an ``accept`` with that label; a rejected task with exactly one span is a
  ``reject``; anything else (ignored answers, rejected multi-span tasks, unlabeled text) is
  counted as skipped. They become ``imported`` items, usable as training sentences.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Iterable, Iterator

from svmine.model import LABELS
from svmine.store import Store, exchange, review

FORMATS = ("jsonl", "prodigy", "doccano", "labelstudio", "spacy")
IMPORT_FORMATS = ("jsonl", "prodigy", "doccano")
SPAN_KEY = "sc"
LABELLED = ("accept", "reject", "relabel", "add", "adjudicate")


# -- rows <-> native records ------------------------------------------------------------------------


def to_record(row: dict) -> dict:
    """A native JSONL record: the row's columns with ``meta_json`` as an object."""
    record = {c: row.get(c) for c in review.COLUMNS if c != "meta_json"}
    record["meta"] = json.loads(row.get("meta_json") or "{}")
    return record


def from_record(record: dict) -> dict:
    row = {c: record.get(c) for c in review.COLUMNS if c != "meta_json"}
    row["meta_json"] = json.dumps(record.get("meta") or {}, sort_keys=True)
    row["undone"] = int(row.get("undone") or 0)
    return row


def labelled_rows(rows: list[dict]) -> list[dict]:
    """Latest not-undone labelled row per (item, auditor, decision kind), name matches left out."""
    latest: dict[tuple, dict] = {}
    for row in rows:
        if row["undone"] or row["decision"] not in LABELLED or row["item_type"] == "name_match":
            continue
        group = "decisive" if row["decision"] in ("accept", "reject", "relabel") else row["decision"]
        latest[(row["item_key"], row["auditor"], group)] = row
    return list(latest.values())


def _span(row: dict) -> tuple[str, int, int]:
    """(sentence, start, end): the row's span with offsets into its sentence."""
    sentence = row.get("sentence") or row.get("text") or ""
    meta = json.loads(row.get("meta_json") or "{}")
    if row.get("start") is not None and meta.get("sentence_start") is not None:
        start = row["start"] - meta["sentence_start"]
        end = row["end"] - meta["sentence_start"]
        if 0 <= start <= end <= len(sentence) and sentence[start:end] == row.get("text"):
            return sentence, start, end
    found = sentence.find(row.get("text") or "")
    if found < 0 or not row.get("text"):
        return sentence, 0, len(sentence)
    return sentence, found, found + len(row["text"])


def _span_label(row: dict) -> tuple[str, bool]:
    """(label shown on the span, accepted?): a rejection keeps the label that was proposed."""
    if row["label"] in (None, "other", review.NAME_REJECTED):
        meta = json.loads(row.get("meta_json") or "{}")
        return meta.get("model_label") or "other", False
    return row["label"], True


# -- export -------------------------------------------------------------------------------------------


def export_annotations(db_path: str | Path, fmt: str, out: str | Path) -> int:
    """Write the store's annotations to ``out`` in ``fmt``; returns the number of records."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    from svmine.outputs import atomic_path, atomic_write, check_output

    check_output(out, [db_path])  # before reading: never the store itself
    with Store.open(db_path, mode="ro") as db:
        rows = exchange.all_rows(db)
    if fmt == "spacy":
        with atomic_path(out, [db_path]) as tmp:
            return _write_docbin(labelled_rows(rows), tmp)
    if fmt == "labelstudio":
        tasks = labelstudio_tasks(labelled_rows(rows))
        with atomic_write(out, [db_path]) as handle:
            handle.write(json.dumps(tasks, indent=1, ensure_ascii=False) + "\n")
        return len(tasks)
    records = {"jsonl": lambda: map(to_record, rows), "prodigy": lambda: map(prodigy_record, labelled_rows(rows)),
               "doccano": lambda: map(doccano_record, labelled_rows(rows))}[fmt]()
    with atomic_write(out, [db_path]) as handle:
        return _write_jsonl(records, handle)


def _write_jsonl(records: Iterable[dict], handle) -> int:
    n = 0
    for record in records:
        handle.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")
        n += 1
    return n


def prodigy_record(row: dict) -> dict:
    sentence, start, end = _span(row)
    label, accepted = _span_label(row)
    return {
        "text": sentence,
        "spans": [{"start": start, "end": end, "label": label}],
        "answer": "accept" if accepted else "reject",
        "_annotator_id": row["auditor"],
        "_input_hash": _hash32(sentence),
        "_task_hash": _hash32(f"{sentence}|{start}|{end}|{label}"),
        "meta": {"page": row.get("page"), "document_sha256": row.get("document_sha256"), "svmine": to_record(row)},
    }


def doccano_record(row: dict) -> dict:
    sentence, start, end = _span(row)
    label, accepted = _span_label(row)
    return {"text": sentence, "label": [[start, end, label]] if accepted else [], "svmine": to_record(row)}


def labelstudio_tasks(rows: list[dict]) -> list[dict]:
    """One task per item (its sentence), one annotation per auditor's decision on it."""
    tasks: dict[str, dict] = {}
    for row in rows:
        sentence, start, end = _span(row)
        label, accepted = _span_label(row)
        task = tasks.setdefault(row["item_key"], {
            "id": len(tasks) + 1,
            "data": {"text": sentence, "item_key": row["item_key"], "document_sha256": row.get("document_sha256"),
                     "page": row.get("page")},
            "annotations": [],
        })
        result = [{"id": f"s{len(task['annotations'])}", "from_name": "label", "to_name": "text", "type": "labels",
                   "value": {"start": start, "end": end, "text": sentence[start:end], "labels": [label]}},
                  {"id": f"d{len(task['annotations'])}", "from_name": "decision", "to_name": "text",
                   "type": "choices", "value": {"choices": ["accept" if accepted else "reject"]}}]
        # Label Studio's completed_by is one of its own user ids: the auditor goes in meta instead.
        task["annotations"].append({"created_at": row["created_at"], "was_cancelled": False, "result": result,
                                    "meta": {"auditor": row["auditor"], "svmine": to_record(row)}})
    return list(tasks.values())


def _write_docbin(rows: list[dict], out: Path) -> int:
    import spacy
    from spacy.tokens import DocBin

    nlp = spacy.blank("en")
    docbin = DocBin(store_user_data=True)
    for row in rows:
        sentence, start, end = _span(row)
        label, accepted = _span_label(row)
        doc = nlp.make_doc(sentence)
        span = doc.char_span(start, end, label=label, alignment_mode="expand")
        doc.spans[SPAN_KEY] = [span] if accepted and span is not None else []
        doc.cats = {name: float(accepted and name == label) for name in LABELS}
        if not accepted:
            doc.cats["other"] = 1.0  # the proposed label was wrong
        doc.user_data["svmine"] = to_record(row)
        docbin.add(doc)
    docbin.to_disk(out)
    return len(rows)


def _hash32(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:4], "big", signed=True)


# -- import -------------------------------------------------------------------------------------------


def import_annotations(db_path: str | Path, path: str | Path, fmt: str | None = None) -> dict:
    """Read annotations from ``path`` into the store. Returns counts: inserted, duplicate, skipped."""
    fmt = fmt or "jsonl"
    if fmt not in IMPORT_FORMATS:
        raise ValueError(f"cannot import {fmt!r}; import reads {', '.join(IMPORT_FORMATS)}")
    rows, skipped = [], 0
    for number, record in _read_jsonl(Path(path)):
        try:
            found = {"jsonl": _rows_native, "prodigy": _rows_prodigy, "doccano": _rows_doccano}[fmt](record)
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"{path}: line {number}: not a {fmt} annotation ({exc})") from exc
        if not found:
            skipped += 1
        rows.extend(found)
    with Store.connect(db_path, mode="rw") as db:
        inserted, duplicate = exchange.insert_rows(db, rows)
    return {"inserted": inserted, "duplicate": duplicate, "skipped": skipped}


def _read_jsonl(path: Path) -> Iterator[tuple[int, dict]]:
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}: line {number}: not JSON ({exc.msg})") from exc
            if not isinstance(record, dict):
                raise ValueError(f"{path}: line {number}: expected a JSON object")
            yield number, record


def _rows_native(record: dict) -> list[dict]:
    if "item_key" not in record or "decision" not in record:
        raise ValueError("no item_key/decision")
    return [from_record(record)]


def _rows_prodigy(record: dict) -> list[dict]:
    native = (record.get("meta") or {}).get("svmine")
    if native:
        return [from_record(native)]
    answer, spans, text = record.get("answer"), record.get("spans") or [], record["text"]
    auditor = str(record.get("_annotator_id") or record.get("_session_id") or "prodigy")
    if answer == "accept":
        return [_foreign(text, s["start"], s["end"], s["label"], "accept", auditor) for s in spans]
    if answer == "reject" and len(spans) == 1:
        s = spans[0]
        return [_foreign(text, s["start"], s["end"], s["label"], "reject", auditor)]
    return []


def _rows_doccano(record: dict) -> list[dict]:
    if record.get("svmine"):
        return [from_record(record["svmine"])]
    text = record["text"]
    labels = record.get("label") or record.get("labels") or []
    auditor = str(record.get("user") or "doccano")
    return [_foreign(text, int(s), int(e), str(lab), "accept", auditor) for s, e, lab in labels]


def _foreign(text: str, start: int, end: int, label: str, decision: str, auditor: str) -> dict:
    if not (0 <= start <= end <= len(text)):
        raise ValueError(f"span {start}-{end} outside the text")
    digest = hashlib.sha256(f"{text}|{start}|{end}|{label}".encode("utf-8")).hexdigest()[:24]
    row = {
        "item_type": "imported", "item_key": f"imported:{digest}", "document_sha256": None, "page": None,
        "start": start, "end": end, "text": text[start:end], "sentence": text, "auditor": auditor,
        "decision": decision, "label": label if decision == "accept" else "other",
        "created_at": Store.utcnow(review.STAMP), "undone": 0, "nonce": None,
        "meta_json": json.dumps({"model_label": label, "sentence_start": 0, "source": "import"}, sort_keys=True),
    }
    # created_at is left out of the nonce so that importing the same file twice adds nothing.
    row["nonce"] = "imp-" + hashlib.sha256(f"{digest}|{auditor}|{decision}".encode("utf-8")).hexdigest()[:32]
    return row
