"""What the review app's Assessments page shows: each organisation's ratings (auditors' overrides
applied, the computed rating beside), the decision path, the signals with their evidence, and who
overrode what.

Design decisions
- Organisations waiting for review come first (``needs_review`` and no scale overridden yet:
  an override settles the organisation, as ``svmine.store.assessments.apply_overrides`` says),
  then the rest, each group by org code.
- Any logged-in auditor may override, as for placements: a rating is the tool's proposal, not
  another auditor's decision, so there is nothing for a lead to adjudicate. Two auditors
  overriding the same scale are kept apart by the form's ``seen``: the later page is answered 409.
- A signal links to the page view when the store holds its document (matched by sha256) and the
  page is within the document; otherwise the page number is shown as text. The link carries the
  sentence's offsets, so the page view marks it (boxed on a PDF's image) and leads back here.
"""

from __future__ import annotations

from svmine.assess.model import SCALES, Assessment, Signal
from svmine.store import Store
from svmine.store import assessments as stored

KIND_ORDER = ("policy", "evidence", "approach", "negative")
NOTE_MAX = 500  # characters of an auditor's note


def organisation_cards(store: Store, *, to_review_only: bool = False) -> list[dict]:
    """One card per assessed organisation, those waiting for review first."""
    computed = stored.stored_assessments(store)
    current = stored.apply_overrides(computed, stored.latest_overrides(store))
    versions = stored.override_versions(store)
    history = stored.override_history(store)
    documents = stored.signal_documents(store)
    cards = [_card(base, now, versions, history.get(now.org_code, []), documents)
             for base, now in zip(computed, current)]
    if to_review_only:
        cards = [c for c in cards if c["assessment"].needs_review]
    cards.sort(key=lambda c: (not c["assessment"].needs_review, c["assessment"].org_code))
    return cards


def _card(base: Assessment, now: Assessment, versions: dict, history: list[dict], documents: dict) -> dict:
    latest = {}
    for entry in history:  # newest first: the first per scale is the one in force
        latest.setdefault(entry["scale"], entry)
    scales = [{
        "scale": scale, "rating": getattr(now, scale), "computed": getattr(base, scale),
        "override": latest.get(scale), "version": versions.get((now.org_code, scale), 0), "choices": values,
    } for scale, values in SCALES.items()]
    rank = {kind: i for i, kind in enumerate(KIND_ORDER)}
    signals = sorted(now.signals, key=lambda s: rank.get(s.kind, len(rank)))
    return {"assessment": now, "scales": scales, "history": history,
            "signals": [_signal(s, documents) for s in signals]}


def _signal(signal: Signal, documents: dict) -> dict:
    doc = documents.get(signal.sha256)
    linked = doc is not None and 1 <= signal.page <= doc["page_count"]
    span = {"start": signal.start, "end": signal.end} if 0 <= signal.start < signal.end else {}
    return {
        "kind": signal.kind, "rule_id": signal.rule_id, "quote": signal.quote, "page": signal.page, "span": span,
        "value": None if signal.value is None else f"{signal.value:g}",
        "path": doc["path"] if doc else signal.document, "doc_id": doc["id"] if linked else None,
    }
