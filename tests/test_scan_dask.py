"""The Dask executor stores the same rows as the local pool.

The comparison runs on an explicit ``LocalCluster(n_workers=2, processes=True,
threads_per_worker=1)`` reached through its address (the ``--scheduler`` path used for a real
cluster); the incremental re-scan uses the LocalCluster that ``scan`` starts itself.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from svmine.scan import scan
from svmine.scan.synthetic import make_corpus
from svmine.store import Store, queries


def _snapshot(db: Path) -> dict:
    with Store.open(db) as store:
        return queries.snapshot(store)


@pytest.mark.slow
def test_dask_gives_the_same_rows_as_the_local_pool(tmp_path: Path) -> None:
    from dask.distributed import LocalCluster

    corpus = tmp_path / "in"
    make_corpus(corpus, pdfs=4, texts=4, pdf_pages=2, broken=1)
    local = scan([corpus], tmp_path / "local.db", workers=2, use_classifier=False)
    with LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None) as cluster:
        dask = scan([corpus], tmp_path / "dask.db", executor="dask", scheduler=cluster.scheduler_address,
                    use_classifier=False, timeout=60)
    assert (dask.processed, dask.failed_count, dask.mentions) == (local.processed, 1, local.mentions)
    assert _snapshot(tmp_path / "dask.db") == _snapshot(tmp_path / "local.db")
    again = scan([corpus], tmp_path / "dask.db", workers=2, executor="dask", use_classifier=False, retry_failed=True)
    assert (again.skipped, again.processed, again.failed_count) == (8, 1, 1)  # only the broken file is retried


def test_unreachable_scheduler_is_a_clear_error(tmp_path: Path) -> None:
    from svmine.errors import SvmineError
    from svmine.scan.executors import DaskExecutor
    from svmine.scan.walk import FileTask

    pool = DaskExecutor({}, scheduler="tcp://127.0.0.1:1", connect_timeout="1s")
    with pytest.raises(SvmineError, match="cannot reach the Dask scheduler at tcp://127.0.0.1:1"):
        list(pool.run([FileTask(str(tmp_path / "a.txt"), "0" * 64, 1, 1)]))
