"""The embedded SQLite store. All SQL of svmine lives in this package.

``Store.open(path)`` creates or upgrades the file (migrations in ``migrations/``), and
``Store.save_result`` writes one document's whole result in one transaction.
"""

from svmine.store.db import Store

__all__ = ["Store"]
