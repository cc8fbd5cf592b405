"""``svmine assess`` end to end: read the store's pages, place documents with organisations, find
signals, decide, save, and show what the store then holds (auditors' overrides applied).

Decisions:
- The ratings saved are the machine's; what is shown is ``load_assessments`` (overrides applied,
  marked), so an auditor's override in ``svmine review`` changes the table, and a re-run of
  assess never loses it.
- A document without an organisation (no manifest row, no CCG or footprint attribution) and a
  document that failed to read are not assessed; both are counted in the notes.
- An organisation's signals are all its documents' signals together: an FOI reply and a
  policy of the same CCG add up.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from svmine.assess.decide import decide
from svmine.assess.model import Assessment, Signal
from svmine.assess.orgs import Org, load_org_manifest, org_by_code
from svmine.assess.rules import RuleSet, load_rules
from svmine.assess.signals import PageText, SignalFinder


@dataclass
class AssessResult:
    assessments: list[Assessment]  # as stored, overrides applied
    rules: RuleSet
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


_FINDERS: dict[str, SignalFinder] = {}


def _finder(ruleset: RuleSet) -> SignalFinder:
    """One compiled finder per rules file content: building the pipeline takes a second."""
    if ruleset.sha256 not in _FINDERS:
        _FINDERS[ruleset.sha256] = SignalFinder(ruleset)
    return _FINDERS[ruleset.sha256]


def _attributed(doc: dict) -> Org | None:
    for code in (doc.get("ccg_code"), doc.get("footprint_code")):
        org = org_by_code(code) if code else None
        if org is not None:
            return org
    return None


def assess_store(db: str | Path, *, manifest: str | Path | None = None, rules: str | Path | RuleSet | None = None,
                 finder: SignalFinder | None = None) -> AssessResult:
    """Assess every organisation with documents in the store at ``db`` and save the result.

    Raises ``SvmineError`` subclasses for a bad rules file or manifest (before the store changes).
    """
    from svmine.store import Store
    from svmine.store.assessments import load_assessments, save_assessments
    from svmine.store.reporting import document_paths, documents, page_texts

    ruleset = rules if isinstance(rules, RuleSet) else load_rules(rules)
    placed = load_org_manifest(manifest) if manifest else None
    finder = finder or _finder(ruleset)
    with Store.open(db, mode="rw") as store:
        docs = [d for d in documents(store)]
        paths = document_paths(store)
        texts = page_texts(store)
        groups: dict[str, tuple[Org, list[Signal], set[str]]] = {}
        unplaced, failed = [], 0
        for d in docs:
            if d["status"] != "ok":
                failed += 1
                continue
            seen_at = paths.get(d["sha256"], []) + [d["path"]]
            org = (placed.lookup(seen_at, d["sha256"]) if placed else None) or _attributed(d)
            if org is None:
                unplaced.append(d["path"])
                continue
            pages = [PageText(d["path"], d["sha256"], n, t) for n, t in texts.get(d["id"], [])]
            entry = groups.setdefault(org.code, (org, [], set()))
            entry[1].extend(finder.find(pages))
            entry[2].add(d["sha256"])
        assessed = [decide(org.code, org.name, sigs, org_type=org.type, region=org.region, documents=len(shas))
                    for org, sigs, shas in (groups[k] for k in sorted(groups))]
        save_assessments(store, assessed, rules_hash=ruleset.sha256)
        shown = load_assessments(store)
    result = AssessResult(shown, ruleset)
    result.notes.append(f"{len(shown)} organisation(s) assessed from {sum(a.documents for a in shown)} document(s);"
                        f" rules: {ruleset.source}")
    if unplaced:
        result.notes.append(f"{len(unplaced)} document(s) with no organisation (no manifest row, no CCG or footprint"
                            " attribution) were not assessed")
    if failed:
        result.notes.append(f"{failed} document(s) that failed to read were not assessed")
    if placed:
        result.warnings += placed.unmatched([(paths.get(d["sha256"], []) + [d["path"]], d["sha256"]) for d in docs])
    return result


def assess(db: str | Path, *, manifest: str | Path | None = None, rules: str | Path | None = None,
           fmt: str = "table", out: str | Path | None = None, explain: str | None = None,
           compare: str | Path | None = None) -> tuple[str | None, AssessResult]:
    """What ``svmine assess`` runs: assess, then render (or write ``out``). Returns (text to print
    or None when written, the result)."""
    from svmine.assess import output
    from svmine.outputs import check_output

    if out is not None:  # refused before the store changes: --out must not be an input
        check_output(out, [db, manifest, rules, compare])
    reference = output.load_reference_ratings(compare) if compare else None
    result = assess_store(db, manifest=manifest, rules=rules)
    if explain:
        text = output.explain(output.find_org(result.assessments, explain))
        return output.emit(text, out, inputs=[db, manifest, rules, compare]), result
    comparison = output.compare(result.assessments, reference, Path(compare).name) if reference is not None else None
    return output.write(result, fmt, out, comparison, inputs=[db, manifest, rules, compare]), result
