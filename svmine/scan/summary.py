"""What a scan did, for the closing summary and the ``runs`` table."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from svmine.extract.files import display_path
from svmine.model import DocumentResult

# Failures whose cure is a larger limit: the hint says which option to raise.
RETRY_HINTS = {
    "timeout": "retry with a larger --timeout",
    "memory_limit": "retry with a larger --max-memory",
}


def reason(path: str, message: str) -> str:
    """An error message without the leading "path: " (the line names the file once already)."""
    for prefix in (f"{path}: ", f"{display_path(path)}: "):
        if message.startswith(prefix):
            return message[len(prefix):]
    return message


@dataclass
class ScanSummary:
    run_id: int | None = None
    files: int = 0  # input files found
    processed: int = 0  # documents extracted and detected this run (ok or failed)
    skipped: int = 0  # paths whose content already had current results
    duplicates: int = 0  # paths whose content was already seen earlier in this run
    failed: list[tuple[str, str, str]] = field(default_factory=list)  # (path, code, message)
    failed_before: list[tuple[str, str, str]] = field(default_factory=list)  # known failures, not retried
    special: list[tuple[str, str]] = field(default_factory=list)  # (path, reason): FIFO, device, dangling link
    mentions: int = 0
    pages: int = 0
    seconds: float = 0.0
    interrupted_runs: int = 0  # earlier runs found cut off when this one started

    @property
    def failed_count(self) -> int:
        return len(self.failed)

    def counts(self) -> dict[str, int]:
        """The run's counts: ``skipped`` is every file not processed this run (``failed`` those
        that failed in it, unreadable ones included; known failures count as skipped)."""
        skipped = self.skipped + self.duplicates + len(self.failed_before) + len(self.special)
        return {"processed": self.processed, "skipped": skipped, "failed": self.failed_count, "mentions": self.mentions}

    def add_result(self, result: DocumentResult) -> None:
        self.processed += 1
        self.pages += len(result.pages)
        self.mentions += len(result.mentions)
        if not result.ok:
            self.failed.append((result.path, result.error_code or "error", result.error_message or ""))

    def lines(self) -> list[str]:
        """The human summary printed at the end of ``svmine scan``."""
        rate = self.pages / self.seconds if self.seconds else 0.0
        out = [
            f"files found: {self.files}",
            f"processed: {self.processed} ({self.pages} pages, {rate:.1f} pages/s)",
            f"skipped as current: {self.skipped}" + (f" (+{self.duplicates} duplicate copies)" if self.duplicates else ""),
            f"failed: {self.failed_count}",
            f"mentions found: {self.mentions}",
            f"time: {self.seconds:.1f} s (run {self.run_id})",
        ]
        if self.special:
            out.insert(4, f"skipped, not regular files: {len(self.special)}")
        if self.failed_before:
            out.insert(4, f"failed before, not retried: {len(self.failed_before)} (--retry-failed tries them again)")
        if self.interrupted_runs:
            out.append(f"note: {self.interrupted_runs} earlier run(s) had been interrupted; their finished work was kept")
        if self.failed:
            by_code = Counter(code for _, code, _ in self.failed)
            out.append("failures by reason: " + ", ".join(f"{c} {n}" for c, n in sorted(by_code.items())))
            out.extend(f"  {display_path(path)}: {_with_hint(code, reason(path, message))} [{code}]"
                       for path, code, message in self.failed)
        if self.failed_before:
            out.append("failed before (same bytes, same svmine, patterns and model):")
            out.extend(f"  {display_path(path)}: failed before ({_with_hint(code, reason(path, message))}) [{code}]"
                       for path, code, message in self.failed_before)
        if self.special:
            out.append("skipped (never opened):")
            out.extend(f"  {display_path(path)}: {why}" for path, why in self.special)
        return out


def _with_hint(code: str, message: str) -> str:
    hint = RETRY_HINTS.get(code)
    return f"{message}; {hint}" if hint and hint not in message else message
