"""Batch extraction for ``svmine extract``: many files, per-file time limit, readable summary.

A batch never stops on a bad file: each file gives a ``FileResult`` holding either its
``Document`` or its typed error. With a time limit the files go through one child process
(``worker.ExtractWorker``) that is killed and replaced when a file overruns.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from svmine.errors import ExtractionError, NotRegularFileError
from svmine.extract.core import extract_document
from svmine.extract.files import display_path, iter_input_files, special_file_reason
from svmine.model import Document


@dataclass
class FileResult:
    path: Path
    document: Document | None
    error: ExtractionError | None
    seconds: float

    @property
    def ok(self) -> bool:
        return self.error is None


def extract_files(
    files: Iterable[Path],
    *,
    engine: str = "auto",
    ocr: bool = True,
    max_pages: int = 2000,
    timeout: float | None = 600.0,
) -> Iterator[FileResult]:
    """Extract each file in turn; ``timeout`` None or 0 runs in this process without a limit."""
    options = {"engine": engine, "ocr": ocr, "max_pages": max_pages}
    worker = None
    if timeout:
        from svmine.extract.worker import ExtractWorker

        worker = ExtractWorker()
    try:
        for path in files:
            started = time.perf_counter()
            try:
                reason = special_file_reason(path)
                if reason is not None and reason != "no such file":  # checked here: no child for it
                    raise NotRegularFileError(reason, str(path))
                if worker is not None:
                    doc = worker.extract(path, timeout, **options)
                else:
                    doc = extract_document(path, **options)
                yield FileResult(path, doc, None, time.perf_counter() - started)
            except ExtractionError as exc:
                yield FileResult(path, None, exc, time.perf_counter() - started)
    finally:
        if worker is not None:
            worker.close()


def collect_files(paths: Iterable[str | os.PathLike], include=(), exclude=()) -> list[Path]:
    """The files to extract, special files (FIFO, device, socket, dangling link) included.

    Special files stay in the list so the batch reports each with its reason
    (``NotRegularFileError``, raised before anything opens them) instead of dropping it silently.
    """
    skipped: list[tuple[Path, str]] = []
    files = list(iter_input_files(paths, include=include, exclude=exclude, skipped=skipped))
    return files + [path for path, _ in skipped]


def page_records(doc: Document) -> Iterator[dict]:
    """One JSON-able record per page: what ``svmine extract`` writes as a line.

    ``document`` is the path as text; a name that is not UTF-8 has ``\\xNN`` escapes (JSON
    text cannot carry the raw bytes).
    """
    for page in doc.pages:
        record = {
            "document": display_path(doc.path),
            "sha256": doc.sha256,
            "format": doc.format,
            "page_unit": doc.page_unit,
            "page": page.number,
            "method": page.method,
            "engine": page.engine,
            "flags": page.flags,
            "headers": page.headers,
            "text": page.text,
        }
        if page.number == 1 and doc.metadata.get("timestamps"):  # transcripts: text files are one page
            record["timestamps"] = doc.metadata["timestamps"]
        yield record


def failure_lines(results: list[FileResult]) -> list[str]:
    return [f"{r.error.code:<18} {r.error}" for r in results if r.error is not None]


def summary_text(results: list[FileResult], seconds: float, destination: str | None = None) -> str:
    """A human summary: one row per document, then warnings, failures and totals."""
    ok = [r for r in results if r.ok]
    pages = sum(len(r.document.pages) for r in ok)
    base = _common_folder([r.path for r in results])
    where = f" -> {destination}" if destination else ""
    lines = [f"Extracted {len(ok)} of {len(results)} files ({_plural(pages, 'page')}) in {seconds:.1f} s{where}"]
    if base:
        lines.append(f"Files under {base}/")
    lines.append("")
    if ok:
        names = {r.path: _name(r.path, base) for r in results}
        width = max(8, *(len(names[r.path]) for r in ok))
        lines.append(f"{'document':<{width}}  {'format':<6} {'pages':<11} {'methods':<20} flags")
        lines += [_row(r, names[r.path], width) for r in ok]
    warnings = [(r.path, w) for r in ok for w in r.document.warnings]
    if warnings:
        lines += ["", f"Warnings ({len(warnings)}):"]
        lines += [f"  {_name(path, base)}: {w}" for path, w in warnings]
    failed = [r for r in results if not r.ok]
    if failed:
        lines += ["", f"Failed ({len(failed)}) - these files were skipped:"]
        lines += [f"  {_name(r.path, base)}: [{r.error.code}] {_message(r.error)}" for r in failed]
    methods = Counter(p.method for r in ok for p in r.document.pages)
    flags = Counter(f for r in ok for p in r.document.pages for f in p.flags)
    formats = Counter(r.document.format for r in ok)
    lines += [
        "",
        f"Totals: {_plural(len(ok), 'document')} ({_counts(formats) or '-'}), {_plural(pages, 'page')}, "
        f"{_plural(len(failed), 'failed file')}",
        f"  pages by method: {_counts(methods) or '-'}",
        f"  page flags:      {_counts(flags) or '-'}",
    ]
    return "\n".join(lines)


def _row(r: FileResult, name: str, width: int) -> str:
    doc = r.document
    methods = Counter(p.method for p in doc.pages)
    flags = Counter(f for p in doc.pages for f in p.flags if f != "logical_page")
    unit = {"pdf_page": "", "section": " sections" if len(doc.pages) > 1 else " section"}.get(doc.page_unit, " whole doc")
    stripped = sum(1 for p in doc.pages if p.headers)
    notes = []
    if flags:
        notes.append(_counts(flags))
    if stripped and doc.format == "pdf":
        notes.append(f"running header/footer removed on {_plural(stripped, 'page')}")
    return f"{name:<{width}}  {doc.format:<6} {str(len(doc.pages)) + unit:<11} {_counts(methods):<20} {'; '.join(notes) or '-'}"


def _counts(counter: Counter) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(counter.items()))


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _common_folder(paths: list[Path]) -> str:
    if not paths:
        return ""
    try:
        common = os.path.commonpath([str(p.parent) for p in paths])
    except ValueError:
        return ""
    return "" if common in ("", ".") else common


def _name(path: Path, base: str = "") -> str:
    return display_path(os.path.relpath(path, base) if base else str(path))


def _message(error: ExtractionError) -> str:
    text = str(error)
    prefix = f"{error.path}: "
    return text[len(prefix) :] if error.path and text.startswith(prefix) else text
