"""Running the review app: address checks and werkzeug's threaded server.

Design decisions
- Loopback by default. Any other address needs an access token, because the page would then be
  reachable by anyone on the network; without one, ``serve`` refuses before binding.
- On loopback the app only answers requests whose Host header is a loopback name or address
  (any of them, so the server's own URL works for ``--host ::1`` or ``127.0.0.2`` too), which
  blocks DNS-rebinding pages from talking to it through the auditor's browser.
- werkzeug's threaded server (one thread per request) is enough for a handful of auditors; the
  store serialises writes with short transactions.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")


def is_loopback(host: str) -> bool:
    if host.strip("[]") in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_address(host: str, token: str | None) -> None:
    """Raise ValueError when ``host`` is reachable from other machines and no token is set."""
    if not is_loopback(host) and not token:
        raise ValueError(
            f"refusing to serve on {host} without an access token: pass --token (auditors will need it),"
            " or keep the default --host 127.0.0.1"
        )


def make_server(db_path: str | Path, host: str = "127.0.0.1", port: int = 8765, *, auditors_per_item: int = 1,
                token: str | None = None, leads: tuple[str, ...] = ()):
    """A ready werkzeug server (``port=0`` picks a free port: see ``server.server_port``)."""
    from werkzeug.serving import make_server as _make_server

    from svmine.review.app import create_app

    check_address(host, token)
    app = create_app(db_path, auditors_per_item=auditors_per_item, token=token, leads=leads,
                     loopback_only=is_loopback(host))
    return _make_server(host.strip("[]"), port, app, threaded=True)


def server_url(host: str, port: int) -> str:
    """The address to open in a browser (an IPv6 literal in brackets)."""
    host = host.strip("[]")
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


def serve(db_path: str | Path, host: str = "127.0.0.1", port: int = 8765, **options) -> None:
    server = make_server(db_path, host, port, **options)
    try:
        server.serve_forever()
    finally:
        server.server_close()
