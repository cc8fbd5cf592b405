"""Manifest validation: suspicious rows are warnings at the end of the output, errors with --strict."""

from __future__ import annotations

import shutil

import pytest
from typer.testing import CliRunner

import tables_data as td
from svmine.cli.main import app
from svmine.footprints.manifest import check_for_scan, load_checked, load_manifest

runner = CliRunner()

HEADER = "file,footprint_code,ccg_code\n"
GOOD = "plans/devon.pdf,E54000037,\n"

# (rows after the good one, fragment of the warning); each names one problem on line 3
CASES = {
    "unknown file": ("plans/nowhere.pdf,E54000037,\n", "'plans/nowhere.pdf' names no document in the store"),
    "listed twice": ("plans/devon.pdf,E54000007,\n", "'plans/devon.pdf' is listed twice with different places"),
    "ccg outside": ("plans/nw_london.pdf,E54000007,E38000027\n",
                    "CCG E38000027 (NHS Camden CCG) is not in footprint E54000007"),
    "parent path": ("../../etc/passwd,E54000037,\n", "'../../etc/passwd' is outside the corpus"),
    "absolute path": ("/etc/passwd,E54000037,\n", "'/etc/passwd' is outside the corpus"),
    "unknown sha256": ("," + "9" * 64 + ",E54000037,\n", "sha256 999999999999… names no document in the store"),
}


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return td.make_store(tmp_path_factory.mktemp("mv") / "t.db")


def _manifest(tmp_path, extra: str):
    path = tmp_path / "manifest.csv"
    path.write_text(HEADER + GOOD + extra)
    return path


def test_a_clean_manifest_has_no_warnings(db, tmp_path):
    manifest = load_checked(_manifest(tmp_path, "plans/nw_london.pdf,E54000027,E38000031\n"), db)
    assert manifest.warnings == []


@pytest.mark.parametrize("case", sorted(CASES))
def test_library_warns_with_file_and_line(db, tmp_path, case):
    row, message = CASES[case]
    if case == "unknown sha256":
        path = tmp_path / "manifest.csv"
        path.write_text("file,sha256,footprint_code,ccg_code\nplans/devon.pdf,,E54000037,\n" + row)
    else:
        path = _manifest(tmp_path, row)
    warnings = load_checked(path, db).warnings
    assert [w.line for w in warnings] == [3]
    assert message in str(warnings[0]) and str(warnings[0]).startswith(f"{path}: line 3: ")


def test_rows_outside_the_corpus_are_ignored(db, tmp_path):
    manifest = load_checked(_manifest(tmp_path, "../../etc/passwd,E54000037,\n"), db)
    assert "../../etc/passwd" not in manifest.by_file and "plans/devon.pdf" in manifest.by_file


def test_the_later_of_two_places_is_used(db, tmp_path):
    manifest = load_checked(_manifest(tmp_path, CASES["listed twice"][0]), db)
    assert manifest.lookup("plans/devon.pdf").footprint_code == "E54000007"


@pytest.mark.parametrize("command", ["table", "report"])
@pytest.mark.parametrize("case", ["unknown file", "listed twice", "ccg outside", "parent path"])
def test_cli_warns_at_the_end_and_strict_refuses(db, tmp_path, command, case):
    manifest = _manifest(tmp_path, CASES[case][0])
    out = tmp_path / "out.html"
    args = [command, "--db", str(db), "--manifest", str(manifest)] + (["--out", str(out)] if command == "report" else [])
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    last = result.stderr.strip().splitlines()
    assert CASES[case][1] in last[-2] and "--strict makes them errors" in last[-1]
    out.unlink(missing_ok=True)
    strict = runner.invoke(app, args + ["--strict"])
    assert strict.exit_code == 2
    assert f"manifest error: {manifest}: line 3: " in strict.stderr and CASES[case][1] in strict.stderr
    assert strict.stdout == "" and not out.exists()  # nothing written


def test_scan_strict_stops_before_reading_any_document(sample_dir, tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(sample_dir, corpus)
    (corpus / "manifest.csv").write_text(HEADER + "plan_one_column.pdf,E54000007,\nmissing.pdf,E54000007,\n")
    db = tmp_path / "s.db"
    result = runner.invoke(app, ["scan", str(corpus / "board_minutes.txt"), "--db", str(db), "--no-classifier",
                                 "--manifest", str(corpus / "manifest.csv"), "--strict"])
    assert result.exit_code == 2
    assert "'missing.pdf' names no document in the store" in result.stderr
    assert not db.exists()


def test_scan_lists_warnings_after_its_summary(sample_dir, tmp_path):
    manifest = tmp_path / "manifest.csv"
    manifest.write_text(HEADER + "board_minutes.txt,E54000028,E38000088\nboard_minutes.txt,E54000007,\n")
    result = runner.invoke(app, ["scan", str(sample_dir / "board_minutes.txt"), "--db", str(tmp_path / "s.db"),
                                 "--no-classifier", "--manifest", str(manifest)])
    assert result.exit_code == 0, result.output
    lines = result.stderr.strip().splitlines()
    assert "listed twice with different places" in lines[-2] and "mentions found" in "\n".join(lines[:-2])


def test_scan_check_counts_files_about_to_be_scanned(sample_dir, tmp_path):
    manifest = load_manifest(sample_dir / "manifest.csv")
    warnings = check_for_scan(manifest, [sample_dir], tmp_path / "new.db")
    assert warnings == []


def test_a_fifo_manifest_is_refused_not_waited_on(db, tmp_path):
    import os

    from svmine.footprints.manifest import ManifestError

    fifo = tmp_path / "manifest.csv"
    os.mkfifo(fifo)
    with pytest.raises(ManifestError, match="not a regular file"):
        load_manifest(fifo)
