"""A small, hand-made store for the table and report tests (and their golden files).

Seven documents in six of seven footprints: a strong explicit "yes" with a weighting (and a
fragment that names social value, which must not be its quote), a plan whose only social value
evidence is one implicit classifier sentence ("no (implicit only)"), a plan that names social value
only hypothetically ("no", set aside), a read document with nothing ("no"), an encrypted file
("not read"), a CCG policy, and a file no footprint claims. All sentences are made up for the tests.
"""

from __future__ import annotations

from pathlib import Path

from svmine.tables.footprints import Ccg, Footprint

FOOTPRINTS = [
    Footprint("E54000008", "Cheshire and Merseyside", "North"),
    Footprint("E54000007", "Greater Manchester", "North"),
    Footprint("E54000014", "Nottinghamshire", "Midlands and East"),
    Footprint("E54000028", "North Central London", "London"),
    Footprint("E54000027", "North West London", "London"),
    Footprint("E54000036", "Cornwall and the Isles of Scilly", "South"),
    Footprint("E54000037", "Devon", "South"),
]
CCGS = [
    Ccg("E38000027", "NHS Camden CCG", "E54000028"),
    Ccg("E38000088", "NHS Islington CCG", "E54000028"),
    Ccg("E38000005", "NHS Barnet CCG", "E54000028"),
    Ccg("E38000031", "NHS Central London (Westminster) CCG", "E54000027"),
]


def mention(doc: dict, page: int, needle: str, category: str = "social_value", kind: str = "explicit",
            source: str = "pattern", probability: float | None = None, context: dict | None = None) -> dict:
    """A mention of ``needle`` on ``page`` of ``doc``, with the sentence around it."""
    text = doc["pages"][page - 1]["text"]
    start = text.index(needle)
    s_start = text.rfind(". ", 0, start) + 2 if text.rfind(". ", 0, start) >= 0 else 0
    s_end = text.find(". ", start)
    s_end = len(text) if s_end < 0 else s_end + 1
    return {
        "document": doc["path"], "sha256": doc["sha256"], "page": page, "category": category, "kind": kind,
        "source": source, "text": needle if source == "pattern" else text[s_start:s_end],
        "start": start, "end": start + len(needle), "sentence": text[s_start:s_end],
        "sentence_start": s_start, "sentence_end": s_end,
        "pattern_id": f"{category}-{needle.lower().replace(' ', '-')}" if source == "pattern" else None,
        "label": "social_value_implicit" if kind == "implicit" else None,
        "probability": probability, "context": context or {},
    }


def result(path: str, sha_char: str, pages: list[str], code: str | None, *, status: str = "ok",
           ccg: str | None = None, fmt: str = "pdf", att_status: str = "accepted") -> dict:
    return {
        "path": path, "sha256": sha_char * 64, "size": 1000, "mtime_ns": 1, "status": status,
        "error_code": "encrypted" if status == "failed" else None,
        "error_message": f"{path}: file is encrypted" if status == "failed" else None,
        "format": fmt, "page_unit": "pdf_page", "metadata": {"title": Path(path).stem}, "warnings": [],
        "pages": [{"number": i + 1, "text": t, "method": "text_layer", "flags": []} for i, t in enumerate(pages)],
        "mentions": [], "facts": [],
        "attribution": None if code is None else {
            "code": code, "name": None, "score": 95.0, "status": att_status, "evidence": "title", "source": "attribution",
            "ccg_code": ccg,
        },
        "name_matches": [], "pattern_hash": "p", "model_hash": "m", "seconds": 0.1,
    }


def results() -> list[dict]:
    gm = result("plans/greater_manchester_plan.pdf", "a", [
        "Social value. Taking charge of our health. There is no social value policy in the old plan."
        " We fund the voluntary sector.",
        "Our strategy. Contracts will be weighted 10% on social value. Bidders must show local jobs.",
    ], "E54000007")
    gm["mentions"] = [
        mention(gm, 1, "Social value"),
        mention(gm, 1, "social value", context={"negated": "no"}),
        mention(gm, 1, "voluntary sector", category="vcse"),
        mention(gm, 2, "social value"),
    ]
    gm["facts"] = [{"document": gm["path"], "sha256": gm["sha256"], "page": 2, "kind": "weighting",
                    "text": "Contracts will be weighted 10% on social value.", "start": 14, "end": 61,
                    "value": 10.0, "unit": "percent", "basis": "total score"}]
    nwl = result("plans/nw_london.pdf", "b", [
        "Local people will be employed & trained by our providers <to build> a stronger community. Other text.",
    ], "E54000027")
    nwl["mentions"] = [
        mention(nwl, 1, "employed", kind="implicit", source="classifier", probability=0.72),
        mention(nwl, 1, "Other text", kind="implicit", source="classifier", probability=0.3),
    ]
    devon = result("plans/devon.pdf", "c", ["A plan about beds and buildings. Nothing else."], "E54000037")
    broken = result("plans/cornwall_encrypted.pdf", "d", [], "E54000036", status="failed")
    ccg = result("policies/camden_procurement.docx", "e", [
        "Procurement policy. The CCG will consider social value in all tenders above threshold.",
    ], "E54000028", ccg="E38000027", fmt="docx", att_status="review")
    ccg["mentions"] = [mention(ccg, 1, "social value", source="classifier", probability=0.91)]
    loose = result("misc/unplaced.txt", "f", ["Notes on social value"], None, fmt="text")
    loose["mentions"] = [mention(loose, 1, "social value")]
    cm = result("plans/cheshire_merseyside.pdf", "0", [
        "Our estate plan. We may look at social value when the next round of contracts comes up. The end.",
    ], "E54000008")
    cm["mentions"] = [mention(cm, 1, "social value", context={"hypothetical": "may"})]
    return [gm, nwl, devon, broken, ccg, loose, cm]


def make_store(path: Path) -> Path:
    from svmine.store import Store

    with Store.open(path) as store:
        for r in results():
            store.save_result(r)
    return path


REFERENCE_CSV = """code,verdict
E54000007,yes
E54000027,yes
E54000037,yes
E54000028,no
E54000036,no
E54000008,no
"""
