"""Who may talk to the review app: the Host check, lead auditors' tokens, login throttling.

Design decisions
- Host check on loopback. werkzeug's ``TRUSTED_HOSTS`` strips a port from each trusted entry at
  its first colon, so no IPv6 entry can ever match (``[::1]:8765`` was refused), and a list of
  names misses the other loopback forms (``127.0.0.2``). The app parses the Host header itself and accepts
  ``localhost`` and every loopback IP literal (127.0.0.0/8, ``[::1]``, IPv4-mapped), with or
  without a port: whatever loopback address the server was started on, its own URL works, while
  a DNS-rebinding page (whose Host is the attacker's name) is still refused.
- Lead auditors prove who they are. ``--lead alice`` used to give lead rights to whoever typed
  "alice". Now each lead has their own token, ``HMAC-SHA256(database secret, "lead:" + name)``:
  a signed invitation that needs no storage, stays the same across restarts (the secret is kept
  in the store) and is printed by ``svmine review`` when it starts. A name that matches a lead's
  name (ignoring case) logs in only with that lead's token; other auditors use the shared
  ``--token`` (if any). Anyone who can read the store file can compute the tokens, but they can
  also rewrite its annotations, so that is no new power.
- Login throttling: failed logins (a wrong token) are counted in a sliding window per auditor
  name and per remote address; past the limit the login answers 429 with ``Retry-After`` and
  does not even check the token, so guessing is bounded whichever of the two an attacker varies.
  Counters live in memory (a restart clears them) and are bounded in size.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import re
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable

_HOST = re.compile(r"(?:\[(?P<v6>[0-9A-Fa-f:.]+)\]|(?P<name>[A-Za-z0-9.-]+))(?::(?P<port>[0-9]{1,5}))?")


def host_is_loopback(header: str | None) -> bool:
    """Whether a Host header (``name[:port]``, ``[v6][:port]``) names this machine's loopback."""
    header = (header or "").strip()
    match = _HOST.fullmatch(header)
    if match is None:
        return _is_loopback_ip(header)  # a bare IPv6 address without brackets or port
    if match["port"] is not None and not 0 < int(match["port"]) < 65536:
        return False
    if match["v6"] is not None:
        return _is_loopback_ip(match["v6"])
    name = match["name"].lower().rstrip(".")
    return name == "localhost" or _is_loopback_ip(name)


def _is_loopback_ip(text: str) -> bool:
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return address.is_loopback or bool(mapped and mapped.is_loopback)


def lead_token(secret: str, name: str) -> str:
    """The lead auditor ``name``'s token: 22 URL-safe characters (128 bits) signed by ``secret``."""
    digest = hmac.new(secret.encode(), f"lead:{name.casefold()}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:16]).decode("ascii").rstrip("=")


class LoginThrottle:
    """At most ``limit`` failures per key within ``window`` seconds (a sliding window)."""

    def __init__(self, limit: int, window: float, *, clock: Callable[[], float] = time.monotonic,
                 max_keys: int = 10_000):
        self.limit, self.window, self.clock, self.max_keys = limit, window, clock, max_keys
        self._failures: OrderedDict[str, deque] = OrderedDict()
        self._lock = threading.Lock()

    def retry_after(self, key: str) -> int:
        """Seconds until ``key`` may try again; 0 when it may try now."""
        with self._lock:
            times = self._recent(key)
            if len(times) < self.limit:
                return 0
            return max(1, int(times[0] + self.window - self.clock()) + 1)

    def failed(self, key: str) -> None:
        with self._lock:
            times = self._recent(key)
            times.append(self.clock())
            self._failures[key] = times
            self._failures.move_to_end(key)
            while len(self._failures) > self.max_keys:  # bounded memory under a flood of names
                self._failures.popitem(last=False)

    def clear(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)

    def _recent(self, key: str) -> deque:
        times = self._failures.get(key, deque())
        cutoff = self.clock() - self.window
        while times and times[0] <= cutoff:
            times.popleft()
        if not times:
            self._failures.pop(key, None)
        return times
