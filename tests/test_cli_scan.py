"""``svmine scan / runs / documents / mentions`` through the command line.

Includes the durability test: a real ``kill -9`` of a running ``svmine scan`` part-way, then the
same command again, must leave exactly the rows of an uninterrupted scan.
"""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from svmine.cli.main import app
from svmine.scan.synthetic import make_corpus
from svmine.store import Store, queries

runner = CliRunner()
SVMINE = Path(sys.executable).with_name("svmine")


@pytest.fixture(scope="module")
def scanned(tmp_path_factory) -> tuple[Path, Path, object]:
    """A small corpus scanned once by the CLI (shared by the read-only command tests)."""
    folder = tmp_path_factory.mktemp("cli")
    corpus = folder / "in"
    make_corpus(corpus, pdfs=2, texts=2, broken=1)
    db = folder / "s.db"
    result = runner.invoke(app, ["scan", str(corpus), "--db", str(db), "--workers", "2", "--no-classifier"])
    return corpus, db, result


def _snapshot(db: Path) -> dict:
    with Store.open(db) as store:
        return queries.snapshot(store)


def test_scan_prints_log_lines_and_summary_and_exits_1_on_a_failed_file(scanned) -> None:
    _, _, result = scanned
    assert result.exit_code == 1, result.output
    assert "scan: 5 to process, 0 current" in result.stderr
    assert "] failed " in result.stderr and "broken-00.pdf" in result.stderr  # plain lines: not a terminal
    assert "processed: 5" in result.stderr and "failed: 1" in result.stderr
    assert "failures by reason: corrupt_file 1" in result.stderr


def test_rescan_without_the_broken_file_exits_0_and_skips(scanned) -> None:
    corpus, db, _ = scanned
    result = runner.invoke(app, ["scan", str(corpus), "--db", str(db), "--exclude", "broken*", "--no-classifier"])
    assert result.exit_code == 0, result.output
    assert "skipped as current: 4" in result.stderr and "processed: 0" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["scan", "{corpus}", "--db", "{db}", "--scheduler", "tcp://x:8786"], "--scheduler needs --executor dask"),
        (["scan", "{corpus}", "--db", "{corpus}/nowhere/x.db", "--no-classifier"], "folder does not exist"),
        (["scan", "{corpus}/missing", "--db", "{db}"], "does not exist"),
        (["documents", "--db", "{corpus}/none.db"], "does not exist"),
        (["runs", "--db", "{corpus}/plan-0000.pdf"], "not a usable svmine database"),
        (["scan", "{corpus}", "--db", "{db}", "--include", "*.nothing"], "no input files found"),
        (["scan", "{corpus}", "--db", "{db}", "--patterns", "{corpus}"], "no mention pattern files"),
    ],
)
def test_usage_errors_exit_2(scanned, args: list[str], message: str) -> None:
    corpus, db, _ = scanned
    result = runner.invoke(app, [a.format(corpus=corpus, db=db) for a in args])
    assert result.exit_code == 2 and message in result.output


def test_runs_as_jsonl(scanned) -> None:
    _, db, _ = scanned
    result = runner.invoke(app, ["runs", "--db", str(db), "--format", "jsonl"])
    runs = [json.loads(line) for line in result.stdout.splitlines()]
    assert runs[-1]["status"] == "finished" and (runs[-1]["processed"], runs[-1]["failed"]) == (5, 1)


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ([], ["broken-00.pdf", "paper-0000.txt", "paper-0001.txt", "plan-0000.pdf", "plan-0001.pdf"]),
        (["--status", "failed"], ["broken-00.pdf"]),
        (["--document", "plan-0001"], ["plan-0001.pdf"]),
        (["--footprint", "E54000032"], []),  # a real footprint no document is in (an unknown code is exit 2)
    ],
)
def test_documents_as_csv_with_filters(scanned, filters: list[str], expected: list[str]) -> None:
    _, db, _ = scanned
    result = runner.invoke(app, ["documents", "--db", str(db), "--format", "csv", *filters])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [Path(r["path"]).name for r in rows] == expected


def test_mentions_table_and_jsonl_agree_with_the_store(scanned) -> None:
    _, db, _ = scanned
    with Store.open(db) as store:
        vcse = queries.list_mentions(store, category="vcse")
    jsonl = runner.invoke(app, ["mentions", "--db", str(db), "--category", "vcse", "--format", "jsonl"])
    rows = [json.loads(line) for line in jsonl.stdout.splitlines()]
    assert len(rows) == len(vcse) > 0 and {r["category"] for r in rows} == {"vcse"}
    table = runner.invoke(app, ["mentions", "--db", str(db), "--category", "vcse"])
    lines = table.stdout.splitlines()
    assert lines[0].split()[:3] == ["path", "page", "category"] and len(lines) == len(vcse) + 1


@pytest.mark.slow
def test_kill_9_part_way_then_rerun_equals_an_uninterrupted_scan(tmp_path: Path) -> None:
    corpus = tmp_path / "in"
    make_corpus(corpus, pdfs=30, texts=30, pdf_pages=4, broken=1)
    command = [str(SVMINE), "scan", str(corpus), "--workers", "1", "--no-classifier", "--db"]
    killed_db, clean_db = tmp_path / "killed.db", tmp_path / "clean.db"

    proc = subprocess.Popen([*command, str(killed_db)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _wait_for_documents(killed_db, at_least=5, proc=proc)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    with Store.open(killed_db) as store:
        committed_ok = len(queries.list_documents(store, status="ok"))
    assert 4 <= committed_ok < 60, "the scan should have been killed part-way"

    rerun = subprocess.run([*command, str(killed_db)], capture_output=True, text=True)
    assert rerun.returncode == 1 and "interrupted" in rerun.stderr  # the broken file; the dead run noticed
    subprocess.run([*command, str(clean_db)], capture_output=True, check=False)

    assert _snapshot(killed_db) == _snapshot(clean_db)
    with Store.open(killed_db) as store:
        runs = queries.list_runs(store)
    assert [r["status"] for r in runs] == ["finished", "interrupted"]
    assert runs[0]["processed"] == 61 - committed_ok  # finished work is not redone; the broken file is retried


def _wait_for_documents(db: Path, at_least: int, proc: subprocess.Popen, limit: float = 60) -> int:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if db.exists():
            try:
                with Store.open(db) as store:
                    count = len(queries.list_documents(store))
            except Exception:  # noqa: BLE001 - the file may be mid-creation
                count = 0
            if count >= at_least:
                return count
        assert proc.poll() is None, "scan finished before it could be killed"
        time.sleep(0.02)
    raise AssertionError("scan committed too few documents in time")


def test_terminal_gets_a_progress_bar_instead_of_log_lines(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr("svmine.cli.scan.is_terminal", lambda: True)
    corpus = tmp_path / "in"
    make_corpus(corpus, texts=3)
    result = runner.invoke(app, ["scan", str(corpus), "--db", str(tmp_path / "s.db"), "--no-classifier"])
    assert result.exit_code == 0, result.output
    assert "[1/3]" not in result.stderr and "processed: 3" in result.stderr


def test_timeout_kills_a_long_document_and_the_next_one_still_runs(tmp_path: Path) -> None:
    corpus = tmp_path / "in"
    make_corpus(corpus, pdfs=1, pdf_pages=400, texts=2)  # far beyond 0.2 s on any machine
    (corpus / "plan-0000.pdf").rename(corpus / "a-long.pdf")  # sorted first: the texts come after it
    db = tmp_path / "s.db"
    result = runner.invoke(app, ["scan", str(corpus), "--db", str(db), "--workers", "1", "--timeout", "0.2",
                                 "--no-classifier"])
    assert result.exit_code == 1, result.output
    with Store.open(db) as store:
        docs = {Path(d["path"]).name: d for d in queries.list_documents(store)}
    assert (docs["a-long.pdf"]["status"], docs["a-long.pdf"]["error_code"]) == ("failed", "timeout")
    assert docs["paper-0000.txt"]["status"] == docs["paper-0001.txt"]["status"] == "ok"
