"""A scan (and extract) meets hostile folders: special files, undecodable names, known failures,
SIGTERM and SIGKILL. Issues 10 (items 3, 4) and 12 (items 3, 4).

Special files are made in tmp_path (FIFO, socket, links to nowhere and to /dev/zero); a scan
that opened one would hang, so every subprocess here runs under a timeout.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from typer.testing import CliRunner

from svmine.cli.main import app
from svmine.scan import scan
from svmine.scan.synthetic import make_corpus
from svmine.store import Store, queries

runner = CliRunner()
SVMINE = Path(sys.executable).with_name("svmine")
FAST = {"workers": 1, "use_classifier": False}
PLAIN = "The voluntary sector adds social value to services in the borough.\n"
NON_UTF8 = os.fsdecode(b"caf\xe9 plan.txt")  # Latin-1 bytes: not valid UTF-8


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _socket(path: Path) -> None:
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(path))
    sock.close()


def _dangling(path: Path) -> None:
    path.symlink_to(path.parent / "no-such-target.pdf")


def _dev_zero(path: Path) -> None:
    path.symlink_to("/dev/zero")


def _dev_null(path: Path) -> None:
    path.symlink_to("/dev/null")


SPECIAL = [
    ("pipe.pdf", _fifo, "named pipe (FIFO), not a regular file"),
    ("endless.txt", _dev_zero, "symbolic link to /dev/zero, a character device"),
    ("nothing.txt", _dev_null, "symbolic link to /dev/null, a character device"),
    ("gone.pdf", _dangling, "dangling symbolic link"),
    ("listener.txt", _socket, "socket, not a regular file"),
]


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    """A folder with one good text file, one broken PDF, one non-UTF-8 name and every special file."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text(PLAIN)
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4\n1 0 obj <<>> garbage")
    (folder / NON_UTF8).write_text("Charities and community groups shape the plan.\n")
    for name, make, _ in SPECIAL:
        make(folder / name)
    return folder


@pytest.mark.timeout(120)
@pytest.mark.parametrize(("name", "make", "reason"), SPECIAL)
def test_scan_reports_a_special_file_as_skipped_with_its_reason(tmp_path: Path, name, make, reason) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text(PLAIN)
    make(folder / name)
    summary = scan([folder], tmp_path / "s.db", **FAST)
    assert (summary.processed, summary.failed) == (1, [])
    assert [(Path(p).name, why) for p, why in summary.special] == [(name, summary.special[0][1])]
    assert reason in summary.special[0][1] and "skipped unopened" in summary.special[0][1]


@pytest.mark.timeout(120)
@pytest.mark.parametrize(("name", "make", "reason"), [s for s in SPECIAL if s[1] is not _dangling])
def test_scan_of_a_named_special_file_returns_at_once_with_exit_2(tmp_path: Path, name, make, reason) -> None:
    make(tmp_path / name)
    done = subprocess.run([str(SVMINE), "scan", str(tmp_path / name), "--db", str(tmp_path / "s.db"), "--no-classifier"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2, done.stderr
    assert "no input files found" in done.stderr and reason in done.stderr


@pytest.mark.timeout(120)
@pytest.mark.parametrize(("name", "make", "reason"), [s for s in SPECIAL if s[1] is not _dangling])
def test_extract_names_the_special_file_instead_of_no_such_file(tmp_path: Path, name, make, reason) -> None:
    make(tmp_path / name)
    (tmp_path / "good.txt").write_text(PLAIN)
    done = subprocess.run([str(SVMINE), "extract", str(tmp_path / name), str(tmp_path / "good.txt")],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1, done.stderr
    assert "not_regular_file" in done.stderr and reason in done.stderr and "no such file" not in done.stderr
    assert '"page": 1' in done.stdout  # the good file still extracted


@pytest.mark.timeout(120)
def test_extract_walk_lists_special_files_as_failures_not_silently(hostile: Path) -> None:
    result = runner.invoke(app, ["extract", str(hostile), "--timeout", "0"])
    assert result.exit_code == 1
    reported = {Path(line.split()[1].rstrip(":")).name for line in result.stderr.splitlines() if "not_regular_file " in line}
    assert reported == {name for name, _, _ in SPECIAL}


@pytest.mark.timeout(180)
def test_cli_scan_of_a_hostile_folder_goes_on_and_says_what_it_skipped(hostile: Path, tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    result = runner.invoke(app, ["scan", str(hostile), "--db", str(db), "--no-classifier", "--workers", "1"])
    assert result.exit_code == 1, result.output  # the broken PDF
    err = result.stderr
    assert "processed: 3" in err and f"skipped, not regular files: {len(SPECIAL)}" in err
    assert "caf\\xe9 plan.txt" in err  # shown with an escape, not a crash
    failed_line = next(line for line in err.splitlines() if line.startswith("[") and " failed " in line)
    assert failed_line.count("broken.pdf") == 1, failed_line  # the path once per failure line
    summary_line = next(line for line in err.splitlines() if line.strip().endswith("[corrupt_file]"))
    assert summary_line.count("broken.pdf") == 1, summary_line
    for name, _, reason in SPECIAL:
        assert any(name in line and reason in line for line in err.splitlines()), name


@pytest.mark.timeout(180)
def test_non_utf8_name_is_stored_losslessly_and_found_current_again(hostile: Path, tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    scan([hostile], db, **FAST)
    with Store.open(db) as store:
        known = queries.known_paths(store)
        raw = store.conn.execute("SELECT path FROM document_paths WHERE typeof(path) = 'blob'").fetchall()
        docs = {d["path"] for d in queries.list_documents(store)}
    assert str(hostile / NON_UTF8) in known  # the exact name comes back
    assert [bytes(r[0]) for r in raw] == [os.fsencode(hostile / NON_UTF8)]
    assert str(hostile / "caf\\xe9 plan.txt") in docs  # readable in listings
    again = scan([hostile], db, **FAST)
    assert (again.processed, again.skipped, len(again.failed_before)) == (0, 2, 1)


@pytest.mark.timeout(180)
def test_a_file_replaced_under_a_non_utf8_name_replaces_its_old_results(hostile: Path, tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    scan([hostile], db, **FAST)
    (hostile / NON_UTF8).write_text("A different text about nothing in particular.\n")
    scan([hostile], db, **FAST)
    with Store.open(db) as store:
        names = [Path(d["path"]).name for d in queries.list_documents(store)]
    assert names.count("caf\\xe9 plan.txt") == 1


# -- known failures ------------------------------------------------------------------------------


@pytest.mark.timeout(180)
def test_known_broken_file_is_not_reprocessed_unless_retry_failed(hostile: Path, tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    first = scan([hostile], db, **FAST)
    assert [Path(p).name for p, _, _ in first.failed] == ["broken.pdf"]
    again = scan([hostile], db, **FAST)
    assert (again.processed, again.failed) == (0, [])
    assert [(Path(p).name, code) for p, code, _ in again.failed_before] == [("broken.pdf", "corrupt_file")]
    retried = scan([hostile], db, retry_failed=True, **FAST)
    assert retried.processed == 1 and [Path(p).name for p, _, _ in retried.failed] == ["broken.pdf"]
    changed = hostile / "broken.pdf"
    changed.write_bytes(changed.read_bytes() + b" more garbage")  # new bytes: a new attempt
    assert scan([hostile], db, **FAST).processed == 1


@pytest.mark.timeout(180)
def test_cli_reports_failed_before_with_the_reason_and_exit_1(hostile: Path, tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    args = ["scan", str(hostile), "--db", str(db), "--no-classifier", "--workers", "1"]
    runner.invoke(app, args)
    again = runner.invoke(app, args)
    assert again.exit_code == 1
    assert "1 failed before" in again.stderr and "processed: 0" in again.stderr
    line = next(x for x in again.stderr.splitlines() if "broken.pdf" in x)
    assert "failed before (" in line and "[corrupt_file]" in line
    retried = runner.invoke(app, [*args, "--retry-failed"])
    assert "processed: 1" in retried.stderr


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_a_timed_out_file_is_retried_only_with_a_larger_timeout(tmp_path: Path) -> None:
    corpus = tmp_path / "in"
    make_corpus(corpus, pdfs=1, pdf_pages=400, texts=1)  # far beyond 0.2 s on any machine
    db = tmp_path / "s.db"
    args = ["scan", str(corpus), "--db", str(db), "--no-classifier", "--workers", "1"]
    first = runner.invoke(app, [*args, "--timeout", "0.2"])
    assert "[timeout]" in first.stderr and "retry with a larger --timeout" in first.stderr
    same = runner.invoke(app, [*args, "--timeout", "0.2"])
    assert "processed: 0" in same.stderr and "failed before (" in same.stderr
    assert "retry with a larger --timeout" in same.stderr
    larger = runner.invoke(app, [*args, "--timeout", "300"])
    assert larger.exit_code == 0, larger.stderr
    assert "processed: 1" in larger.stderr


# -- signals and orphans --------------------------------------------------------------------------


def _start_scan(tmp_path: Path, workers: int = 2) -> tuple[subprocess.Popen, Path]:
    corpus = tmp_path / "in"
    make_corpus(corpus, pdfs=40, texts=0, pdf_pages=6)
    db = tmp_path / "s.db"
    proc = subprocess.Popen([str(SVMINE), "scan", str(corpus), "--db", str(db), "--workers", str(workers),
                             "--no-classifier"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert proc.poll() is None, "scan ended before it could be signalled"
        if _documents(db) >= 2:
            return proc, db
        time.sleep(0.05)
    proc.kill()
    raise AssertionError("the scan stored too few documents in time")


def _documents(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with Store.open(db) as store:
            return len(queries.list_documents(store))
    except Exception:  # noqa: BLE001 - mid-creation
        return 0


def _children(pid: int) -> list[psutil.Process]:
    return psutil.Process(pid).children(recursive=True)


def _alive(procs: list[psutil.Process]) -> list[psutil.Process]:
    gone, alive = psutil.wait_procs(procs, timeout=5)
    return [p for p in alive if p.status() != psutil.STATUS_ZOMBIE]


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_sigterm_records_the_run_interrupted_and_stops_the_workers(tmp_path: Path) -> None:
    proc, db = _start_scan(tmp_path)
    workers = _children(proc.pid)
    assert workers, "the scan should have worker processes"
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 128 + signal.SIGTERM, err
    assert "interrupted" in err
    assert _alive(workers) == []
    with Store.open(db) as store:
        run = queries.list_runs(store)[0]
        done = len(queries.list_documents(store))
    assert (run["status"], run["processed"]) == ("interrupted", done)


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_sigkill_leaves_no_worker_and_the_next_scan_records_real_counts(tmp_path: Path) -> None:
    proc, db = _start_scan(tmp_path)
    workers = _children(proc.pid)
    assert workers, "the scan should have worker processes"
    proc.kill()
    proc.communicate(timeout=30)
    assert _alive(workers) == [], "a worker outlived its killed scan by 5 s"
    done = _documents(db)
    with Store.open(db) as store:
        assert queries.list_runs(store)[0]["status"] == "running"  # nobody has looked yet
    scan([tmp_path / "in"], tmp_path / "s.db", include=["nothing-matches"], **FAST)
    with Store.open(db) as store:
        killed = queries.list_runs(store)[1]
    assert (killed["status"], killed["processed"], killed["finished_at"] is not None) == ("interrupted", done, True)


@pytest.mark.timeout(60)
def test_the_extraction_child_dies_with_its_parent(tmp_path: Path) -> None:
    code = ("import time\nfrom svmine.extract.worker import ExtractWorker\nw = ExtractWorker()\nw._start()\n"
            "print(w._proc.pid, flush=True)\ntime.sleep(120)\n")
    parent = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    child = psutil.Process(int(parent.stdout.readline()))
    parent.kill()
    parent.wait()
    parent.stdout.close()
    assert _alive([child]) == []


@pytest.mark.parametrize(
    ("pid_of", "started_offset", "expected"),
    [
        ("live", 0.0, "running"),  # a live scan keeps its run
        ("live", -3600.0, "interrupted"),  # same pid, other start time: the pid was reused
        ("dead", 0.0, "interrupted"),  # the process is gone
    ],
)
def test_a_stale_running_run_is_recognised_by_pid_and_start_time(db_path: Path, pid_of, started_offset, expected) -> None:
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        started = psutil.Process(sleeper.pid).create_time() + started_offset
        if pid_of == "dead":
            sleeper.kill()
            sleeper.wait()
        with Store.open(db_path) as store:
            store.conn.execute(
                "INSERT INTO runs (started_at, status, svmine_version, pattern_hash, model_hash, hostname, pid,"
                " process_started, processed) VALUES ('t', 'running', 'x', 'p', 'm', ?, ?, ?, 3)",
                (socket.gethostname(), sleeper.pid, started))
            store.start_run({}, {})
            row = store.conn.execute("SELECT status, processed FROM runs WHERE id = 1").fetchone()
        assert (row["status"], row["processed"]) == (expected, 3)
    finally:
        sleeper.kill()
        sleeper.wait()


# -- svmine detect: time limit and special files ---------------------------------------------------


@pytest.mark.timeout(180)
def test_detect_timeout_stops_a_long_file_and_goes_on(tmp_path: Path) -> None:
    corpus = tmp_path / "in"
    make_corpus(corpus, pdfs=1, pdf_pages=400, texts=1)  # far beyond 0.2 s on any machine
    result = runner.invoke(app, ["detect", str(corpus), "--no-classifier", "--timeout", "0.2"])
    assert result.exit_code == 1, result.output
    line = next(x for x in result.stderr.splitlines() if "plan-0000.pdf" in x)
    assert "took longer than 0.2 s" in line and "retry with a larger --timeout" in line
    assert "paper-0000.txt  (" in result.stdout  # the next file was still read


@pytest.mark.timeout(180)
@pytest.mark.parametrize("timeout", ["0", "30"])
def test_detect_reports_special_files_and_reads_the_rest(hostile: Path, timeout: str) -> None:
    result = runner.invoke(app, ["detect", str(hostile), "--no-classifier", "--timeout", timeout])
    assert result.exit_code == 1
    for name, _, reason in SPECIAL:
        assert any(name in x and reason in x for x in result.stderr.splitlines()), name
    assert "good.txt  (" in result.stdout and "caf\\xe9 plan.txt  (" in result.stdout
