"""Manifests: reading and checking the CSV, and finding a document's placement."""

import pytest

from svmine.errors import ReferenceDataError
from svmine.footprints.manifest import ManifestError, Placement, load_manifest


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_lookup_by_path_name_and_sha(tmp_path):
    sha = "ab" * 32
    manifest = load_manifest(write(tmp_path / "m.csv", f"file,sha256,footprint_code\nsub/a.pdf,,E54000005\n"
                                                       f"b.pdf,,e54000006\n,{sha.upper()},E54000007\n"))
    assert manifest.lookup(tmp_path / "sub" / "a.pdf") == Placement("E54000005", None)
    # a path entry needs its folders: a trailing part at a folder boundary, never the bare name alone
    assert manifest.lookup("elsewhere/a.pdf") is None
    assert manifest.lookup("elsewhere/xsub/a.pdf") is None
    assert manifest.lookup("any/folder/b.pdf").footprint_code == "E54000006"  # a bare name matches in any folder
    assert manifest.lookup("c.pdf", sha).footprint_code == "E54000007"
    assert manifest.lookup("c.pdf", "cd" * 32) is None
    assert manifest.entry("c.pdf", sha).line == 4
    assert len(manifest) == 3


@pytest.mark.parametrize(
    ("entry", "stored", "found"),
    [
        ("broken/x.pdf", "corpora/sample/broken/x.pdf", True),  # trailing part at a folder boundary
        ("broken/x.pdf", "/abs/corpora/sample/broken/x.pdf", True),
        ("broken/x.pdf", "corpora/unbroken/x.pdf", False),
        ("./broken/x.pdf", "broken/x.pdf", True),  # the same path, written differently
        ("broken\\x.pdf", "corpora/broken/x.pdf", True),
        ("x.pdf", "corpora/broken/x.pdf", True),
        ("x.pdf", "corpora/broken/xx.pdf", False),
    ],
)
def test_trailing_path_matching(tmp_path, entry, stored, found):
    manifest = load_manifest(write(tmp_path / "m.csv", f"file,footprint_code\n{entry},E54000005\n"))
    assert (manifest.lookup(stored) is not None) == found


def test_longest_entry_wins_and_any_seen_path_counts(tmp_path):
    manifest = load_manifest(write(tmp_path / "m.csv", "file,footprint_code\nx.pdf,E54000005\nb/x.pdf,E54000006\n"))
    assert manifest.lookup("a/b/x.pdf").footprint_code == "E54000006"
    assert manifest.lookup("a/c/x.pdf").footprint_code == "E54000005"
    assert manifest.lookup(["old/place.pdf", "a/b/x.pdf"]).footprint_code == "E54000006"


def test_relative_entries_resolve_against_the_manifest_folder(tmp_path):
    (tmp_path / "meta").mkdir()
    manifest = load_manifest(write(tmp_path / "meta" / "m.csv", "file,footprint_code\n../docs/p.pdf,E54000005\n"))
    assert manifest.lookup(tmp_path / "docs" / "p.pdf").footprint_code == "E54000005"
    assert manifest.lookup(tmp_path / "other" / "p.pdf") is None


@pytest.mark.parametrize(
    ("header", "value"),
    [("footprint_code", "E54000028"), ("stp_code", "E54000028"), ("STP17CD", "e54000028"), ("code", "E54000028")],
)
def test_alternate_code_columns(tmp_path, header, value):
    manifest = load_manifest(write(tmp_path / "m.csv", f"file,{header}\na.pdf,{value}\n"))
    assert manifest.lookup("a.pdf") == Placement("E54000028", None)


def test_ccg_code_column(tmp_path):
    manifest = load_manifest(write(tmp_path / "m.csv", "file,footprint_code,ccg_code\n"
                                                       "camden.docx,E54000028,E38000027\n"
                                                       "islington.txt,,e38000088\n"  # footprint from the CCG
                                                       "plan.pdf,E54000028,\n"))
    assert manifest.lookup("camden.docx") == Placement("E54000028", "E38000027")
    assert manifest.lookup("islington.txt") == Placement("E54000028", "E38000088")
    assert manifest.lookup("plan.pdf") == Placement("E54000028", None)
    assert len(manifest.placements()) == 3


def test_blank_lines_are_skipped(tmp_path):
    manifest = load_manifest(write(tmp_path / "m.csv", "file,footprint_code\n,\na.pdf,E54000005\n"))
    assert len(manifest) == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("file,footprint_code\na.pdf,E54000005\nb.pdf,E54009999\n", r"line 3: unknown footprint code 'E54009999'"),
        ("file,footprint_code\na.pdf,Devon\n", r"line 2: unknown footprint code"),
        ("file,footprint_code\n,E54000005\n", r"line 2: neither file nor sha256"),
        ("file,footprint_code,ccg_code\na.pdf,E54000005,E38999999\n", r"line 2: unknown CCG code 'E38999999'"),
        ("file,footprint_code\na.pdf,\n", r"line 2: no footprint_code given"),
        ("sha256,footprint_code\nabc,E54000005\n", r"line 2: sha256 'abc' is not 64 hex digits"),
        ("path,code\na.pdf,E54000005\n", r"needs a footprint_code column"),
        ("name,code\nx,E54000008\n", r"needs a footprint_code column"),
        ("file\nx.pdf\n", r"needs a footprint_code column"),
        ("", r"needs a footprint_code column"),
        ("file,footprint_code\n", r"no rows"),
    ],
)
def test_manifest_errors(tmp_path, content, message):
    path = write(tmp_path / "m.csv", content)
    with pytest.raises(ManifestError, match=message) as info:
        load_manifest(path)
    assert str(path) in str(info.value)  # the message names the file
    assert isinstance(info.value, ReferenceDataError)  # callers catching the older error type still do


def test_unreadable_manifest(tmp_path):
    path = tmp_path / "m.csv"
    path.write_bytes(b"file,footprint_code\n\xff\xfe\x00bad\n")
    with pytest.raises(ManifestError, match="cannot read manifest"):
        load_manifest(path)


def test_old_import_path_still_works():
    from svmine.footprints import attribution, load_manifest as from_package

    assert attribution.load_manifest is load_manifest is from_package
