"""How ``svmine detect`` shows results: keyword-in-context lines, JSONL records or CSV rows."""

from __future__ import annotations

import csv
import json
from typing import IO, Iterable

from svmine.model import Mention, PolicyFact
from svmine.outputs import SafeDictWriter, truncate

KWIC_WIDTH = 45
IMPLICIT_WIDTH = 110
CSV_FIELDS = [
    "record", "document", "sha256", "page", "category", "kind", "source", "pattern_id", "label", "probability",
    "text", "start", "end", "sentence", "sentence_start", "sentence_end", "context",
    "fact_kind", "value", "unit", "basis",
]


def _flat(text: str) -> str:
    return " ".join(text.split())


def kwic(mention: Mention, page_text: str, width: int = KWIC_WIDTH) -> str:
    """``page 4 │ …left context [social value] right context…  social_value negated=no``."""
    if mention.kind == "implicit":
        body = _flat(mention.text)
        body = f"[{truncate(body, IMPLICIT_WIDTH + 1)}]"
        tags = [f"{mention.category} implicit p={mention.probability:.2f}"]
    else:
        left_raw = page_text[max(0, mention.start - 3 * width) : mention.start]
        right_raw = page_text[mention.end : mention.end + 3 * width]
        left = _flat(left_raw)[-width:] + (" " if left_raw[-1:].isspace() else "")
        right = (" " if right_raw[:1].isspace() else "") + _flat(right_raw)[:width]
        body = f"…{left}[{_flat(mention.text)}]{right}…"
        tags = [mention.category]
    tags += [f"{flag}={cue!r}" for flag, cue in mention.context.items()]
    return f"page {mention.page} │ {body}  {' '.join(tags)}"


def fact_line(fact: PolicyFact) -> str:
    value = "" if fact.value is None else f" {fact.value:g}{'%' if fact.unit == 'percent' else ' ' + (fact.unit or '')}"
    basis = f" ({fact.basis})" if fact.basis else ""
    return f"page {fact.page} │ fact: {fact.kind}{value}{basis} │ {_flat(fact.text)}"


def jsonl_records(mentions: Iterable[Mention], facts: Iterable[PolicyFact]) -> Iterable[str]:
    for m in mentions:
        yield json.dumps({"record": "mention", **m.to_dict()}, ensure_ascii=False)
    for f in facts:
        yield json.dumps({"record": "fact", **f.to_dict()}, ensure_ascii=False)


def csv_writer(out: IO[str]) -> csv.DictWriter:
    writer = SafeDictWriter(out, fieldnames=CSV_FIELDS, extrasaction="ignore")
    writer.writeheader()
    return writer


def csv_rows(mentions: Iterable[Mention], facts: Iterable[PolicyFact]) -> Iterable[dict]:
    for m in mentions:
        row = m.to_dict()
        row.update(record="mention", context=json.dumps(m.context, ensure_ascii=False) if m.context else "")
        yield row
    for f in facts:
        row = f.to_dict()
        row.update(record="fact", fact_kind=f.kind)
        row.pop("kind")
        yield row
