"""Batch scanning: walk folders, process each new or stale document in parallel, store results.

``process_document(path, options)`` is the per-document work (runs in a worker);
``scan(paths, db_path, **options)`` plans, runs and writes a whole batch.
"""

from svmine.scan.process import process_document
from svmine.scan.runner import ScanProgress, scan
from svmine.scan.summary import ScanSummary

__all__ = ["ScanProgress", "ScanSummary", "process_document", "scan"]
