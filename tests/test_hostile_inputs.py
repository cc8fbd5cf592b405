"""Hostile files and command lines: each case is (argv, exit code, a fragment of the message), and
afterwards every file the command must not touch is byte for byte as before.

Files of the table (built fresh for each case in ``tmp``):
- ``store.db``: a small svmine store (tests/tables_data.py); ``foreign.sqlite``: another
  application's SQLite file; ``zero.db``: 0 bytes; ``text.db``: a CSV named .db; ``newer.db``: a
  store with a schema version from the future;
- ``x.csv`` (names to match), ``model.json`` (annotations where a model's metadata would go), ``prev.csv`` (a previous output), ``latin1.csv`` (not UTF-8),
  ``formula.csv`` (a spreadsheet formula in a cell), ``plan.txt`` (a document), ``empty/`` (a
  folder without documents);
- manifests: ``m_unknown.csv`` (a file not in the store), ``m_twice.csv`` (one file, two
  footprints), ``m_ccg.csv`` (a CCG under a footprint it is not in), ``m_parent.csv``
  (``../../etc/passwd``), ``m_abs.csv`` (``/etc/passwd``).
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3

import pytest
from typer.testing import CliRunner

import tables_data as td
from svmine.cli.main import app
from svmine.store import Store
from svmine.store.schema import list_migrations

runner = CliRunner()

# Files a case must leave exactly as they were (when they exist).
GUARDED = ("store.db", "foreign.sqlite", "zero.db", "text.db", "newer.db", "x.csv", "prev.csv", "plan.txt",
           "m_unknown.csv", "model.json")

MANIFEST_HEADER = "file,footprint_code,ccg_code\n"
MANIFESTS = {
    "m_unknown.csv": "plans/devon.pdf,E54000037,\nplans/not_there.pdf,E54000037,\n",
    "m_twice.csv": "plans/devon.pdf,E54000037,\nplans/devon.pdf,E54000007,\n",
    "m_ccg.csv": "plans/devon.pdf,E54000037,\nplans/nw_london.pdf,E54000007,E38000027\n",
    "m_parent.csv": "plans/devon.pdf,E54000037,\n../../etc/passwd,E54000037,\n",
    "m_abs.csv": "plans/devon.pdf,E54000037,\n/etc/passwd,E54000037,\n",
}

# (id, argv with {tmp} for the folder, exit code, fragment expected in stdout+stderr, file expected to exist after)
CASES = [
    # -- outputs -----------------------------------------------------------------------------------
    ("match-out-is-input", "match {tmp}/x.csv -c name --out {tmp}/x.csv", 2, "same file as the input", None),
    ("match-out-is-input-relative", "match {tmp}/x.csv -c name --out {tmp}/./sub/../x.csv", 2,
     "same file as the input", None),
    ("match-bad-column-keeps-prev", "match {tmp}/x.csv -c nope --out {tmp}/prev.csv", 2, "no column 'nope'", None),
    ("match-not-utf8-keeps-prev", "match {tmp}/latin1.csv -c name --out {tmp}/prev.csv", 2, "not a UTF-8", None),
    ("match-out-missing-folder", "match {tmp}/x.csv -c name --out {tmp}/new/dir/m.csv", 0, "2 rows",
     "new/dir/m.csv"),
    ("table-out-is-store", "table --db {tmp}/store.db --format csv --out {tmp}/store.db", 2,
     "same file as the input", None),
    ("table-out-is-manifest", "table --db {tmp}/store.db --manifest {tmp}/m_unknown.csv --out {tmp}/m_unknown.csv",
     2, "same file as the input", None),
    ("table-out-missing-folder", "table --db {tmp}/store.db --format csv --out {tmp}/a/b/t.csv", 0, "wrote",
     "a/b/t.csv"),
    ("table-xlsx-out-missing-folder", "table --db {tmp}/store.db --format xlsx --out {tmp}/a/t.xlsx", 0, "wrote",
     "a/t.xlsx"),
    ("report-out-is-store", "report --db {tmp}/store.db --out {tmp}/store.db", 2, "same file as the input", None),
    ("report-out-missing-folder", "report --db {tmp}/store.db --out {tmp}/r/report.html", 0, "wrote",
     "r/report.html"),
    ("export-out-is-store", "annotations export --db {tmp}/store.db --out {tmp}/store.db", 2,
     "same file as the input", None),
    ("export-out-missing-folder", "annotations export --db {tmp}/store.db --out {tmp}/e/a.jsonl", 0,
     "records written", "e/a.jsonl"),
    ("detect-out-is-input", "detect {tmp}/plan.txt --no-classifier --out {tmp}/plan.txt", 2,
     "same file as the input", None),
    ("detect-nothing-found-keeps-prev", "detect {tmp}/empty --no-classifier --out {tmp}/prev.csv", 2,
     "no input files found", None),
    ("extract-out-is-input", "extract {tmp}/plan.txt --out {tmp}/plan.txt", 2, "same file as the input", None),
    ("train-out-is-annotations", "train --annotations {tmp}/x.csv --out {tmp}/x.csv", 2, "same file as the input",
     None),
    ("train-metadata-is-annotations", "train --annotations {tmp}/model.json --out {tmp}/model.skops", 2,
     "same file as the input", None),
    # -- stores that are not svmine's ----------------------------------------------------------------
    ("table-foreign-sqlite", "table --db {tmp}/foreign.sqlite", 2, "another application", None),
    ("documents-foreign-sqlite", "documents --db {tmp}/foreign.sqlite", 2, "another application", None),
    ("runs-foreign-sqlite", "runs --db {tmp}/foreign.sqlite", 2, "another application", None),
    ("mentions-foreign-sqlite", "mentions --db {tmp}/foreign.sqlite", 2, "another application", None),
    ("report-foreign-sqlite", "report --db {tmp}/foreign.sqlite --out {tmp}/r.html", 2, "another application", None),
    ("scan-foreign-sqlite", "scan {tmp}/plan.txt --db {tmp}/foreign.sqlite --no-classifier", 2,
     "another application", None),
    ("export-foreign-sqlite", "annotations export --db {tmp}/foreign.sqlite --out {tmp}/a.jsonl", 2,
     "another application", None),
    ("table-zero-byte", "table --db {tmp}/zero.db", 2, "empty file, not an svmine store", None),
    ("documents-zero-byte", "documents --db {tmp}/zero.db", 2, "empty file, not an svmine store", None),
    ("agreement-zero-byte", "annotations agreement --db {tmp}/zero.db", 2, "empty file, not an svmine store", None),
    ("table-text-file", "table --db {tmp}/text.db", 2, "not an SQLite file", None),
    ("table-newer-schema", "table --db {tmp}/newer.db", 2, "newer svmine", None),
    ("runs-newer-schema", "runs --db {tmp}/newer.db", 2, "newer svmine", None),
    ("scan-newer-schema", "scan {tmp}/plan.txt --db {tmp}/newer.db --no-classifier", 2, "newer svmine", None),
    # -- manifests -----------------------------------------------------------------------------------
    ("manifest-unknown-file", "table --db {tmp}/store.db --manifest {tmp}/m_unknown.csv", 0,
     "line 3: 'plans/not_there.pdf' names no document in the store", None),
    ("manifest-unknown-file-strict", "table --db {tmp}/store.db --manifest {tmp}/m_unknown.csv --strict", 2,
     "manifest error", None),
    ("manifest-twice", "table --db {tmp}/store.db --manifest {tmp}/m_twice.csv", 0,
     "listed twice with different places", None),
    ("manifest-twice-strict", "report --db {tmp}/store.db --manifest {tmp}/m_twice.csv --out {tmp}/r.html --strict",
     2, "listed twice with different places", None),
    ("manifest-ccg-outside", "table --db {tmp}/store.db --manifest {tmp}/m_ccg.csv", 0,
     "is not in footprint E54000007", None),
    ("manifest-parent-path-strict", "table --db {tmp}/store.db --manifest {tmp}/m_parent.csv --strict", 2,
     "'../../etc/passwd' is outside the corpus", None),
    ("manifest-absolute-path", "report --db {tmp}/store.db --manifest {tmp}/m_abs.csv --out {tmp}/r.html", 0,
     "'/etc/passwd' is outside the corpus", "r.html"),
    ("scan-manifest-strict", "scan {tmp}/plan.txt --db {tmp}/new.db --no-classifier --manifest {tmp}/m_unknown.csv"
     " --strict", 2, "names no document", None),
    # -- filter values -------------------------------------------------------------------------------
    ("mentions-kind-misspelt", "mentions --db {tmp}/store.db --kind implict", 2,
     "'implict' is not one of 'explicit', 'implicit'", None),
    ("mentions-category-misspelt", "mentions --db {tmp}/store.db --category x", 2,
     "'x' is not one of 'social_value', 'vcse'", None),
    ("mentions-status-misspelt", "mentions --db {tmp}/store.db --status brokn", 2, "is not one of 'ok', 'failed'",
     None),
    ("documents-status-misspelt", "documents --db {tmp}/store.db --status broken", 2,
     "'broken' is not one of 'ok', 'failed'", None),
    ("runs-status-misspelt", "runs --db {tmp}/store.db --status broken", 2,
     "'broken' is not one of 'running', 'finished', 'interrupted'", None),
    ("documents-footprint-unknown", "documents --db {tmp}/store.db --footprint Narnia", 2,
     "no footprint code or name matches", None),
    ("documents-footprint-unknown-code", "documents --db {tmp}/store.db --footprint E54999999", 2,
     "--footprint 'E54999999': no footprint code or name matches", None),
    ("mentions-footprint-typo", "mentions --db {tmp}/store.db --footprint 'Greater Manchster'", 2,
     "did you mean 'Greater Manchester'", None),
    # -- spreadsheet formulas ------------------------------------------------------------------------
    ("match-formula-cell", "match {tmp}/formula.csv -c name --out {tmp}/f.csv", 0, "1 rows", "f.csv"),
    ("detect-formula-sentence", "detect {tmp}/formula_plan.txt --no-classifier --format csv --out {tmp}/d.csv", 0,
     "detect:", "d.csv"),
    # -- unknown options and help --------------------------------------------------------------------
    ("unknown-option-suggests", "table --db {tmp}/store.db --stirct", 2, "(Possible options: --strict)", None),
    ("help-no-bool-metavar", "documents --help", 0, "--status <ok|failed>", None),
]

# What a created file must hold (checked after the case).
CONTENT = {
    "match-formula-cell": ("f.csv", "'=cmd|' /C calc'!A0"),
    "detect-formula-sentence": ("d.csv", "'=HYPERLINK"),
    "match-out-missing-folder": ("new/dir/m.csv", "E54000032"),
}


def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None


@pytest.fixture(scope="module")
def store_template(tmp_path_factory):
    return td.make_store(tmp_path_factory.mktemp("hostile") / "store.db")


@pytest.fixture
def tmp(tmp_path, store_template):
    shutil.copy(store_template, tmp_path / "store.db")
    conn = sqlite3.connect(tmp_path / "foreign.sqlite")
    conn.execute("CREATE TABLE contacts (id INTEGER PRIMARY KEY, name TEXT)")
    conn.execute("INSERT INTO contacts (name) VALUES ('Ada')")
    conn.commit()
    conn.close()
    (tmp_path / "zero.db").write_bytes(b"")
    (tmp_path / "text.db").write_text("id,name\n1,Ada\n")
    Store.open(tmp_path / "newer.db").close()
    conn = sqlite3.connect(tmp_path / "newer.db")
    conn.execute("INSERT INTO schema_migrations VALUES (?, 'future', 'x')", (max(v for v, _, _ in list_migrations()) + 50,))
    conn.commit()
    conn.execute("PRAGMA journal_mode=DELETE")
    conn.close()
    (tmp_path / "x.csv").write_text("name\nKent and Medway\nBath & NE Somerset\n")
    (tmp_path / "prev.csv").write_text("an earlier output\n")
    (tmp_path / "latin1.csv").write_bytes("name\nSouth Tyneside caf\xe9\n".encode("latin-1"))
    (tmp_path / "formula.csv").write_text("name,note\nKent and Medway,\"=cmd|' /C calc'!A0\"\n")
    (tmp_path / "plan.txt").write_text("Our partners will measure social value in every contract we award.\n")
    (tmp_path / "formula_plan.txt").write_text("=HYPERLINK(\"http://x.invalid\") says we weigh social value.\n")
    (tmp_path / "empty").mkdir()
    (tmp_path / "model.json").write_text('{"text": "Our own words about social value.", "labels": []}\n')
    for name, rows in MANIFESTS.items():
        (tmp_path / name).write_text(MANIFEST_HEADER + rows)
    return tmp_path


def test_the_table_is_large_enough():
    assert len(CASES) >= 30 and len({c[0] for c in CASES}) == len(CASES)


@pytest.mark.parametrize(("case", "argv", "code", "fragment", "creates"), CASES, ids=[c[0] for c in CASES])
def test_hostile_input(tmp, case, argv, code, fragment, creates):
    import shlex

    before = {name: _digest(tmp / name) for name in GUARDED}
    result = runner.invoke(app, shlex.split(argv.format(tmp=tmp)), env={"COLUMNS": "80"})
    output = result.stdout + result.stderr
    assert result.exit_code == code, output
    assert fragment in output, output
    assert "Traceback" not in output and "╭" not in output  # plain messages, never a crash or a box
    assert "<bool>" not in output
    after = {name: _digest(tmp / name) for name in GUARDED}
    assert after == before, f"files changed: {[n for n in GUARDED if after[n] != before[n]]}"
    assert not [p.name for p in tmp.rglob(".*.tmp*")], "a temporary output file was left behind"
    if creates:
        assert (tmp / creates).is_file()
    if case in CONTENT:
        name, expected = CONTENT[case]
        assert expected in (tmp / name).read_text(encoding="utf-8")
