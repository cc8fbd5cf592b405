"""`svmine extract`: page text of PDF, DOCX, HTML and text files as JSON lines."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Annotated

import typer

from svmine.cli.common import EXIT_SOME_FAILED, fail, is_terminal
from svmine.cli.options import Engine

app = typer.Typer()


@app.command("extract")
def extract(
    paths: Annotated[
        list[Path], typer.Argument(exists=True, metavar="PATH", help="Files or folders (folders are walked in sorted order).", show_default=False)
    ],
    out: Annotated[
        Path | None, typer.Option("--out", "-o", dir_okay=False, metavar="FILE", help="Write the JSON lines to this file, not standard output.")
    ] = None,
    engine: Annotated[Engine, typer.Option(help="PDF engine: fast 'auto' (PDFium, tables too; pdfplumber only for pages whose PDFium text fails a quality check), or one engine only.")] = Engine.auto,
    no_ocr: Annotated[bool, typer.Option("--no-ocr", help="Do not OCR scanned pages (they are flagged needs_ocr).")] = False,
    max_pages: Annotated[int, typer.Option(min=1, metavar="N", help="Refuse documents with more pages than this.")] = 2000,
    timeout: Annotated[
        float, typer.Option(min=0, metavar="SECONDS", help="Seconds allowed per file; the file is stopped and reported after that (0 = no limit).")
    ] = 600.0,
    include: Annotated[list[str], typer.Option("--include", metavar="GLOB", help="Only files matching this glob (repeatable).")] = [],
    exclude: Annotated[list[str], typer.Option("--exclude", metavar="GLOB", help="Skip files matching this glob (repeatable).")] = [],
    summary: Annotated[bool, typer.Option("--summary", help="Print a readable summary of what was extracted.")] = False,
) -> None:
    """Extract page text: one JSON line per page (document, sha256, page, method, flags, text).

    Goes on past bad files, lists them at the end, and exits 1 when some file failed.
    """
    from svmine.extract.batch import collect_files, extract_files, failure_lines, page_records, summary_text

    files = collect_files(paths, include=include, exclude=exclude)
    if not files:
        raise fail("no input files found (check the paths and --include/--exclude)")
    from contextlib import nullcontext

    from svmine.errors import SvmineError
    from svmine.outputs import atomic_write

    started = time.perf_counter()
    results = []
    try:
        with atomic_write(out, files) if out else nullcontext(sys.stdout) as sink:
            batch = extract_files(files, engine=engine.value, ocr=not no_ocr, max_pages=max_pages, timeout=timeout or None)
            for result in _progress(batch, len(files)):
                results.append(result)
                if result.document is not None:
                    for record in page_records(result.document):
                        sink.write(json.dumps(record, ensure_ascii=False) + "\n")
    except SvmineError as exc:
        raise fail(str(exc)) from None
    report = typer.echo if out else (lambda text: typer.echo(text, err=True))
    if summary:
        report(summary_text(results, time.perf_counter() - started, str(out) if out else None))
    failed = failure_lines(results)
    if failed:
        if not summary:
            typer.echo(f"{len(failed)} of {len(results)} files failed:", err=True)
            for line in failed:
                typer.echo(f"  {line}", err=True)
        raise typer.Exit(EXIT_SOME_FAILED)


def _progress(batch, total: int):
    """Yield results, showing a bar on a terminal and one plain line per file otherwise."""
    from svmine.extract.files import display_path

    if is_terminal():
        with typer.progressbar(length=total, label="extracting", file=sys.stderr) as bar:
            for result in batch:
                bar.update(1)
                yield result
        return
    for n, result in enumerate(batch, start=1):
        status = f"{len(result.document.pages)} page(s)" if result.ok else f"failed: {result.error.code}"
        typer.echo(f"[{n}/{total}] {display_path(result.path)}: {status}", err=True)
        yield result
