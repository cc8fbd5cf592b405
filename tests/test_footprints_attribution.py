"""Document attribution from names on the first pages, and manifest overrides."""

import pytest

from svmine.footprints.attribution import attribute_document, find_names
from svmine.footprints.manifest import load_manifest
from svmine.model import Document, Page

C_AND_M_TITLE = "Cheshire & Merseyside\nSustainability and Transformation Plan\n21 October 2016"
C_AND_M_BODY = (
    "This plan was agreed by the governing bodies of NHS Liverpool CCG, Knowsley CCG, "
    "Wirral Clinical Commissioning Group and NHS Halton CCG, with our local authorities."
)


def doc(*texts, path="plan.pdf", sha="0" * 64, title=None):
    return Document(path, sha, "pdf", metadata={"title": title} if title else {},
                    pages=[Page(i + 1, t) for i, t in enumerate(texts)])


def test_footprint_and_its_ccgs():
    att = attribute_document(doc(C_AND_M_TITLE, C_AND_M_BODY))
    assert (att.code, att.status, att.source) == ("E54000008", "accepted", "text")
    assert att.score == 100.0
    found = {(e["kind"], e["code"], e["page"]) for e in att.evidence}
    assert ("stp", "E54000008", 1) in found
    assert {("ccg", c, 2) for c in ("E38000101", "E38000091", "E38000208", "E38000068")} <= found
    matches = {(m["kind"], m["candidate_code"], m["candidate_name"], m["status"]) for m in (n.to_dict() for n in att.name_matches)}
    assert ("stp", "E54000008", "Cheshire and Merseyside", "exact") in matches
    assert ("ccg", "E38000101", "NHS Liverpool CCG", "exact") in matches
    assert len(att.name_matches) == len(att.evidence)  # each name once here
    assert set(att.to_dict()) >= {"code", "name", "score", "status", "evidence", "source"}


def test_ccgs_alone_vote_for_their_footprint():
    text = "A joint plan of NHS Bury CCG, NHS Bolton CCG, NHS Oldham CCG and Salford CCG."
    att = attribute_document(doc("Our plan", text))
    assert att.code == "E54000007" and att.status == "accepted"


def test_mixed_mentions_go_to_review():
    text = ("Partners: NHS Liverpool CCG, NHS Bury CCG, NHS Bolton CCG, NHS Knowsley CCG, "
            "and colleagues in Greater Manchester and Cheshire and Merseyside.")
    att = attribute_document(doc("Joint working across the North West", text))
    assert att.status == "review"
    assert att.code in ("E54000007", "E54000008")
    assert att.score < 70


def test_nothing_found():
    att = attribute_document(doc("Annual report", "The weather was fine."))
    assert (att.code, att.status, att.score) == (None, "no_match", 0.0)


def test_only_first_pages_count():
    pages = ["Title", "Intro", "More", "Appendix: NHS Bury CCG, Greater Manchester"]
    assert attribute_document(doc(*pages)).status == "no_match"
    assert attribute_document(doc(*pages), pages=4).code == "E54000007"


def test_metadata_title_counts_as_title_page():
    att = attribute_document(doc("", title="Devon STP plan"))
    assert att.code == "E54000037"
    assert att.evidence[0]["page"] == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("NHS North Somerset CCG", [("ccg", "E38000125")]),  # longest match, not also "Somerset"
        ("Bristol, North Somerset and South Gloucestershire", [("stp", "E54000039")]),
        ("Bury and Oldham", []),  # place names without a CCG cue are not CCG mentions
        ("Bury Clinical Commissioning Group", [("ccg", "E38000024")]),
        ("Dorset", [("stp", "E54000041")]),
        ("NHS Dorset CCG", [("ccg", "E38000045")]),
        ("Joined Up Care Derbyshire", [("stp", "E54000012")]),
    ],
)
def test_find_names(text, expected):
    assert [(n.kind, n.code) for n in find_names(text)] == expected


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_manifest_overrides_attribution(tmp_path):
    (tmp_path / "plans").mkdir()
    manifest = load_manifest(write(tmp_path / "manifest.csv",
                                   "file,footprint_code\nplans/cm.pdf,E54000034\nother.pdf,E54000037\n"))
    d = doc(C_AND_M_TITLE, C_AND_M_BODY, path=str(tmp_path / "plans" / "cm.pdf"))
    att = attribute_document(d, manifest=manifest)
    assert (att.code, att.name, att.source, att.status) == ("E54000034", "Frimley Health", "manifest", "exact")
    assert att.evidence[0]["line"] == 2
    # without a manifest entry the text decides
    assert attribute_document(doc(C_AND_M_TITLE, path="x/unlisted.pdf"), manifest=manifest).code == "E54000008"


CAMDEN_POLICY = ("NHS Camden CCG\nSocial Value in Procurement Policy\nVersion 2, April 2017",
                 "This policy applies to all contracts let by the CCG. NHS Camden CCG will consider social value.")


@pytest.mark.parametrize(
    ("pages", "title", "expected"),
    [
        # a CCG policy: its CCG on the title page, its footprint from the CCG -> STP reference
        (CAMDEN_POLICY, None, ("E38000027", "E54000028", "accepted")),
        # the metadata title counts as the title page
        (("Procurement policy", "Scope and purpose."), "Islington Clinical Commissioning Group - social value",
         ("E38000088", "E54000028", "accepted")),
        # no CCG on the title page, but one CCG named on every later page
        (("Commissioning policy", "NHS Bury CCG will buy well.", "NHS Bury CCG governing body, with NHS Bolton CCG"),
         None, ("E38000024", "E54000007", "accepted")),
        (("Commissioning policy", "NHS Bury CCG and NHS Oldham CCG.", "NHS Bury CCG, with NHS Bolton CCG"),
         None, (None, "E54000007", "accepted")),  # 2 of 4 CCG votes: no CCG dominates
        # a 2016 CCG name reads as its single 2017 successor (the CCG rollup lists 2017 CCGs)
        (("NHS North Manchester CCG\nEthical procurement policy",), None, ("E38000217", "E54000007", "accepted")),
        # a plan naming many CCGs is a footprint document: no single CCG
        ((C_AND_M_TITLE, C_AND_M_BODY), None, (None, "E54000008", "accepted")),
        (("Our plan", "A joint plan of NHS Bury CCG, NHS Bolton CCG, NHS Oldham CCG and Salford CCG."), None,
         (None, "E54000007", "accepted")),
        # two CCGs on the title page: a joint document, no single CCG
        (("NHS Camden CCG and NHS Islington CCG\nJoint procurement policy",), None, (None, "E54000028", "accepted")),
        # a footprint named on the title page beside a host CCG: a footprint document
        (("Cheshire and Merseyside STP\nHosted by NHS Liverpool CCG",), None, (None, "E54000008", "accepted")),
        # one CCG named once, after the title page: too little to call it that CCG's document
        (("Procurement policy", "Agreed with NHS Bury CCG."), None, (None, "E54000007", "review")),
    ],
)
def test_ccg_level_documents(pages, title, expected):
    att = attribute_document(doc(*pages, title=title))
    assert (att.ccg_code, att.code, att.status) == expected
    assert att.to_dict()["ccg_code"] == expected[0]


def test_a_named_footprint_beats_the_ccgs_footprint():
    att = attribute_document(doc("NHS Camden CCG policy", "Greater Manchester Health and Social Care Partnership",
                                 "Greater Manchester"))
    assert (att.code, att.ccg_code) == ("E54000007", None)


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("policy.docx,E54000028,E38000088", ("E54000028", "E38000088")),  # the manifest's CCG wins
        ("policy.docx,E54000028,", ("E54000028", "E38000027")),  # same footprint: the text's CCG stays
        ("policy.docx,E54000027,", ("E54000027", None)),  # another footprint: the text's CCG is dropped
        ("policy.docx,,E38000005", ("E54000028", "E38000005")),  # a CCG alone places the footprint too
    ],
)
def test_manifest_overrides_the_ccg(tmp_path, row, expected):
    manifest = load_manifest(write(tmp_path / "m.csv", f"file,footprint_code,ccg_code\n{row}\n"))
    att = attribute_document(doc(*CAMDEN_POLICY, path=str(tmp_path / "policy.docx")), manifest=manifest)
    assert (att.code, att.ccg_code, att.source, att.status) == (*expected, "manifest", "exact")


def text_document(path, page_chars=3000):
    text = path.read_text(encoding="utf-8", errors="replace")
    pages = [Page(i + 1, text[j : j + page_chars]) for i, j in enumerate(range(0, len(text), page_chars))]
    return Document(str(path), "0" * 64, "text", pages=pages)


@pytest.mark.shared
@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("NHS West Yorkshire Integrated Care Board meeting - 23 September 2025 (part 1).txt", "E54000005"),
        ("Healthy-Leeds-Plan-Executive-Summary_plain_text_DRAFT-v4.1.md", "E54000005"),
        ("NHS England _ Planning framework for the NHS in England.md", None),  # national: no footprint
        ("10-year-health-plan-for-england-executive-summary.md", None),
    ],
)
def test_real_documents(shared_dir, name, code):
    path = shared_dir / "data" / "uk_public_docs_text" / "al26152-Langchain" / name
    if not path.exists():
        pytest.skip(f"{path} not present")
    att = attribute_document(text_document(path))
    assert att.code == code
    assert att.status == ("accepted" if code else "no_match")
