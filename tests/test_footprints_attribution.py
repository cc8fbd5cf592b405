"""Document attribution from names on the first pages, and manifest overrides."""

import pytest

from svmine.errors import ReferenceDataError
from svmine.footprints.attribution import attribute_document, find_names, load_manifest
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
    matches = {(m["kind"], m["candidate_code"], m["candidate_name"], m["status"]) for m in att.name_matches}
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


def test_manifest_lookup_by_path_name_and_sha(tmp_path):
    sha = "ab" * 32
    manifest = load_manifest(write(tmp_path / "m.csv", f"file,sha256,footprint_code\nsub/a.pdf,,E54000005\n"
                                                       f"b.pdf,,e54000006\n,{sha.upper()},E54000007\n"))
    assert manifest.lookup(tmp_path / "sub" / "a.pdf") == "E54000005"
    assert manifest.lookup("elsewhere/sub/a.pdf") is None  # a path entry is relative to the manifest
    assert manifest.lookup("any/folder/b.pdf") == "E54000006"  # a bare name matches in any folder
    assert manifest.lookup("c.pdf", sha) == "E54000007"
    assert manifest.lookup("c.pdf", "cd" * 32) is None


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("file,footprint_code\na.pdf,E54000005\nb.pdf,E54009999\n", r"line 3: unknown footprint code 'E54009999'"),
        ("file,footprint_code\na.pdf,Devon\n", r"line 2: unknown footprint code"),
        ("file,footprint_code\n,E54000005\n", r"line 2: neither file nor sha256"),
        ("path,code\na.pdf,E54000005\n", r"needs a footprint_code column"),
    ],
)
def test_manifest_errors(tmp_path, content, message):
    with pytest.raises(ReferenceDataError, match=message):
        load_manifest(write(tmp_path / "m.csv", content))


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
