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
