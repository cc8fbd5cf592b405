"""Download the documents a corpus manifest lists (``svmine corpus fetch MANIFEST DIR``).

A manifest is a CSV with a ``url`` column (another can be chosen) and optionally ``code`` /
``footprint_code``, ``file`` (name to save under) and ``sha256`` (expected content). Rows
without an address are skipped and reported, not failed.

Design decisions
- Standard library only (``urllib``): one GET per document, no session state to go stale.
- Retries with exponential backoff on what may pass (connection errors, timeouts, HTTP 429 and
  5xx); a 404 or a checksum mismatch fails at once — asking again will not change it.
- A download goes to ``NAME.part`` and is renamed only when complete and verified, so an
  interrupted fetch never leaves a truncated file that looks finished.
- Every file's sha256 is written to ``DIR/checksums.csv`` (file, footprint_code, url, sha256,
  size, fetched_at). That sidecar is also a valid ``--manifest`` for ``svmine table``, and on a
  second run a file whose content still matches it is not fetched again.
- A ``.pdf`` address that returns something other than a PDF (typically an HTML error or
  login page with status 200) is a failure with that message, not a silently bad corpus.
"""

from __future__ import annotations

import csv
import hashlib
import os
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath
from typing import Callable
from urllib.parse import unquote, urlparse

from svmine import __version__
from svmine.errors import SvmineError
from svmine.hashing import sha256_file

SIDECAR = "checksums.csv"
SIDECAR_COLUMNS = ["file", "footprint_code", "url", "sha256", "size", "fetched_at"]
RETRY_STATUS = {408, 425, 429, 500, 502, 503, 504}
CHUNK = 1 << 16


class ManifestError(SvmineError):
    code = "manifest_error"


@dataclass
class Entry:
    code: str
    name: str
    url: str
    file: str
    sha256: str | None = None


@dataclass
class Outcome:
    entry: Entry
    status: str  # fetched | present | skipped | failed
    message: str = ""
    sha256: str | None = None
    size: int | None = None
    attempts: int = 0

    def line(self) -> str:
        label = self.entry.code or self.entry.file
        if self.status == "failed":
            return f"failed  {label}: {self.message} ({self.entry.url})"
        if self.status == "skipped":
            return f"skipped {label}: {self.message}"
        return f"{self.status:<7} {label} -> {self.entry.file} ({self.size} bytes, sha256 {self.sha256[:12]})"


@dataclass
class FetchSummary:
    outcomes: list[Outcome] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(o.status == status for o in self.outcomes)

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "failed"]

    def line(self) -> str:
        parts = [f"{self.count(s)} {s}" for s in ("fetched", "present", "skipped", "failed")]
        return "corpus fetch: " + ", ".join(parts)


def _safe_name(name: str) -> str:
    """A bare file name: no folders, nothing that climbs out of the target directory."""
    name = PurePosixPath(name.replace("\\", "/")).name
    if name in ("", ".", ".."):
        raise ManifestError(f"unusable file name {name!r}")
    return name


def _file_name(row: dict[str, str], code: str, url: str) -> str:
    if (row.get("file") or "").strip():
        return _safe_name(row["file"].strip())
    suffix = PurePosixPath(unquote(urlparse(url).path)).suffix.lower() or ".pdf"
    return _safe_name(f"{code or hashlib.sha256(url.encode()).hexdigest()[:12]}{suffix}")


def read_manifest(path: str | Path, url_column: str = "url") -> list[Entry]:
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            rows = list(csv.DictReader(fh))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ManifestError(f"cannot read manifest ({exc})", str(path)) from exc
    if not rows or url_column not in rows[0]:
        raise ManifestError(f"manifest has no rows or no {url_column!r} column", str(path))
    entries = []
    for row in rows:
        code = (row.get("code") or row.get("footprint_code") or "").strip()
        url = (row.get(url_column) or "").strip()
        name = (row.get("name") or "").strip()
        file = _file_name(row, code, url) if url or row.get("file") else ""
        entries.append(Entry(code, name, url, file, (row.get("sha256") or "").strip().lower() or None))
    return entries


def _download(url: str, target: Path, timeout: float) -> tuple[str, int]:
    """GET ``url`` into ``target``; returns (sha256, size)."""
    request = urllib.request.Request(url, headers={"User-Agent": f"svmine/{__version__} (corpus fetch)"})
    digest, size = hashlib.sha256(), 0
    with urllib.request.urlopen(request, timeout=timeout) as response, open(target, "wb") as out:
        for chunk in iter(lambda: response.read(CHUNK), b""):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    return digest.hexdigest(), size


class _Permanent(Exception):
    """A failure asking again will not fix."""


def _attempt(entry: Entry, target: Path, timeout: float) -> tuple[str, int]:
    part = target.with_name(target.name + ".part")
    try:
        sha, size = _download(entry.url, part, timeout)
        if entry.sha256 and sha != entry.sha256:
            raise _Permanent(f"checksum mismatch: expected {entry.sha256[:12]}…, got {sha[:12]}…")
        if target.suffix.lower() == ".pdf" and not part.read_bytes()[:1024].lstrip().startswith(b"%PDF"):
            raise _Permanent("the address did not return a PDF (an error or login page?)")
        if size == 0:
            raise _Permanent("empty response")
        os.replace(part, target)
        return sha, size
    except urllib.error.HTTPError as exc:
        if exc.code in RETRY_STATUS:
            raise
        raise _Permanent(f"HTTP {exc.code} {exc.reason}") from exc
    finally:
        part.unlink(missing_ok=True)


def fetch_one(entry: Entry, dest: Path, *, retries: int = 3, timeout: float = 30.0, backoff: float = 1.0,
              known: dict[str, str] | None = None) -> Outcome:
    """Fetch one entry into ``dest`` (trying up to ``retries`` + 1 times)."""
    if not entry.url:
        return Outcome(entry, "skipped", "no address in the manifest")
    target = dest / entry.file
    expected = entry.sha256 or (known or {}).get(entry.file)
    if target.is_file() and expected and sha256_file(target) == expected:
        return Outcome(entry, "present", sha256=expected, size=target.stat().st_size)
    last = ""
    for attempt in range(1, retries + 2):
        try:
            sha, size = _attempt(entry, target, timeout)
            return Outcome(entry, "fetched", sha256=sha, size=size, attempts=attempt)
        except _Permanent as exc:
            return Outcome(entry, "failed", str(exc), attempts=attempt)
        except urllib.error.HTTPError as exc:
            last = f"HTTP {exc.code} {exc.reason}"
        except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            last = f"network error: {reason}"
        if attempt <= retries:
            time.sleep(backoff * 2 ** (attempt - 1))
    return Outcome(entry, "failed", f"{last} (after {retries + 1} attempts)", attempts=retries + 1)


def _read_sidecar(dest: Path) -> dict[str, dict[str, str]]:
    path = dest / SIDECAR
    if not path.is_file():
        return {}
    with open(path, newline="", encoding="utf-8") as fh:
        return {row["file"]: row for row in csv.DictReader(fh) if row.get("file")}


def _write_sidecar(dest: Path, rows: dict[str, dict[str, str]]) -> None:
    tmp = dest / (SIDECAR + ".part")
    with open(tmp, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=SIDECAR_COLUMNS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows[k] for k in sorted(rows))
    os.replace(tmp, dest / SIDECAR)


def fetch_corpus(manifest: str | Path, dest: str | Path, *, retries: int = 3, timeout: float = 30.0,
                 backoff: float = 1.0, url_column: str = "url",
                 report: Callable[[Outcome], None] | None = None) -> FetchSummary:
    """Fetch every listed document into ``dest``; one failure does not stop the rest."""
    entries = read_manifest(manifest, url_column)
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    sidecar = _read_sidecar(dest)
    known = {name: row["sha256"] for name, row in sidecar.items()}
    summary = FetchSummary()
    for entry in entries:
        outcome = fetch_one(entry, dest, retries=retries, timeout=timeout, backoff=backoff, known=known)
        summary.outcomes.append(outcome)
        if outcome.status == "fetched":
            sidecar[entry.file] = {
                "file": entry.file, "footprint_code": entry.code, "url": entry.url, "sha256": outcome.sha256,
                "size": str(outcome.size), "fetched_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            }
            _write_sidecar(dest, sidecar)  # after each file: an interrupted run keeps what it got
        if report:
            report(outcome)
    return summary
