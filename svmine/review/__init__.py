"""Auditor review: a local web app over the store, agreement metrics, annotation formats.

``create_app(db_path, ...)`` builds the Flask app; ``serve(...)`` runs it (see ``server.py``).
Flask is imported only by these entry points, so importing ``svmine.review.agreement`` stays light.
"""

from __future__ import annotations


def create_app(*args, **kwargs):
    from svmine.review.app import create_app as _create_app

    return _create_app(*args, **kwargs)


__all__ = ["create_app"]
