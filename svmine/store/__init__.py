"""The embedded SQLite store. All SQL of svmine lives in this package.

``Store.open(path, mode)`` opens a store: ``"ro"`` read-only (table, report, documents, runs,
mentions, annotation export: nothing created, migrated or switched to WAL), ``"rw"`` an existing
store brought up to date (review, annotation import), ``"create"`` (the default; scan) also makes a
new one. Every mode refuses a file that is not an svmine store or is of a newer schema.
``Store.save_result`` writes one document's whole result in one transaction.
"""

from svmine.store.db import Store

__all__ = ["Store"]
