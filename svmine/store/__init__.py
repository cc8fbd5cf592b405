"""The embedded SQLite store. All SQL of svmine lives in this package.

``Store.open(path, mode)`` opens a store: ``"ro"`` read-only (table, report, documents, runs,
mentions, annotation export: nothing created, migrated or switched to WAL), ``"rw"`` an existing
store brought up to date (review, annotation import), ``"create"`` (the default; scan) also makes a
new one. Every mode refuses a file that is not an svmine store or is of a newer schema.
``Store.connect`` is the review app's per-request store (writes retried while another writer holds
the lock). ``Store.save_result`` writes one document's whole result (a ``DocumentResult``) in one
transaction. No module outside this package touches the SQLite connection: they pass a ``Store``
to the functions of ``queries`` (listings), ``reporting`` (tables and report), ``review`` (the
queue and decisions), ``placements``, ``assessments`` (commissioner ratings and their overrides),
``decisions`` (read back, training rows) and ``exchange`` (annotation export/import).
Migrations: ``schema``.
"""

from svmine.store.db import Store

__all__ = ["Store"]
