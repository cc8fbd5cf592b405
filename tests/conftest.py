"""Fixtures shared by the whole suite."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("SVMINE_SHARED", ROOT.parent / "shared"))
SAMPLE = ROOT / "corpora" / "sample"


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    return SAMPLE


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """../shared (real public data). Tests that need it skip with a reason when it is absent."""
    if not (SHARED / "data").is_dir():
        pytest.skip(f"../shared not present at {SHARED}: real-data test skipped")
    return SHARED


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """A fresh, migrated SQLite store for each test."""
    from svmine.store import Store

    path = tmp_path / "svmine.db"
    Store.open(path).close()
    return path


@pytest.fixture(scope="session", autouse=True)
def model_cache(tmp_path_factory) -> Path:
    """The compiled-classifier cache (svmine.detect.compiled) in a session folder, not ~/.cache."""
    folder = tmp_path_factory.mktemp("svmine-cache")
    saved = os.environ.get("SVMINE_CACHE")
    os.environ["SVMINE_CACHE"] = str(folder)  # subprocesses (svmine scan ...) inherit it
    yield folder
    if saved is None:
        os.environ.pop("SVMINE_CACHE", None)
    else:
        os.environ["SVMINE_CACHE"] = saved


# Processes a test run may leave by design: multiprocessing's helpers live as long as the
# interpreter that started them and exit with it.
_EXPECTED_CHILDREN = ("multiprocessing.resource_tracker", "multiprocessing.forkserver")


@pytest.fixture(scope="session", autouse=True)
def no_process_left_behind():
    """At the end of the session, no child process of pytest may still be alive.

    A scan worker or extraction child that outlives its test is exactly the orphan bug of
    issue 12 (a worker still running ten minutes after its scan was killed). Any found is
    killed, so the machine is clean either way, and the session errors naming them.
    """
    yield
    import psutil

    me = psutil.Process()

    def leftovers() -> list:
        found = []
        for proc in me.children(recursive=True):
            try:
                cmdline = " ".join(proc.cmdline())
                if proc.status() == psutil.STATUS_ZOMBIE or any(e in cmdline for e in _EXPECTED_CHILDREN):
                    continue
                found.append((proc, cmdline))
            except psutil.Error:  # exited while we looked
                continue
        return found

    alive = leftovers()
    if alive:  # a worker told to stop may need a moment to exit
        psutil.wait_procs([p for p, _ in alive], timeout=5)
        alive = leftovers()
    for proc, _ in alive:
        try:
            proc.kill()
        except psutil.Error:
            pass
    if alive:
        names = "; ".join(f"pid {p.pid}: {cmd[:120]}" for p, cmd in alive)
        pytest.fail(f"{len(alive)} child process(es) outlived the test session (now killed): {names}", pytrace=False)
