"""Commands ``scan``, ``runs``, ``documents``, ``mentions``: batch scanning into the store and reading it back."""

from __future__ import annotations

import json
import sys
import time
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from svmine.cli.common import EXIT_SOME_FAILED, fail, is_terminal, manifest_warnings
from svmine.cli.options import Category as MentionCategory
from svmine.cli.options import Engine, ManifestOption, NewStoreOption, StrictOption
from svmine.cli.options import ListFormat as OutputFormat
from svmine.cli.options import StoreOption as ExistingDb

app = typer.Typer()


class Executor(str, Enum):
    local = "local"
    dask = "dask"


# Filter values are choices: a misspelt one ("implict") is refused with the valid values, exit 2,
# instead of quietly matching nothing.
class RunStatus(str, Enum):
    running = "running"
    finished = "finished"
    interrupted = "interrupted"


class DocumentStatus(str, Enum):
    ok = "ok"
    failed = "failed"


class MentionKind(str, Enum):
    explicit = "explicit"
    implicit = "implicit"


FormatOption = Annotated[OutputFormat, typer.Option("--format", help="Output format.")]


@app.command()
def scan(
    paths: Annotated[list[Path], typer.Argument(exists=True, help="Files and folders to scan.")],
    db: NewStoreOption,
    workers: Annotated[Optional[int], typer.Option(min=1, help="Worker processes (default: number of cores).")] = None,
    executor: Annotated[Executor, typer.Option(help="Run workers locally or on a Dask cluster.")] = Executor.local,
    scheduler: Annotated[Optional[str], typer.Option(help="Dask scheduler address, e.g. tcp://host:8786 (default: a local cluster).")] = None,
    include: Annotated[Optional[list[str]], typer.Option(help="Only files whose name matches this glob (repeatable).")] = None,
    exclude: Annotated[Optional[list[str]], typer.Option(help="Skip files whose name matches this glob (repeatable).")] = None,
    timeout: Annotated[float, typer.Option(min=0, help="Seconds allowed per file; a stuck worker is killed (0 = no limit). A file that timed out is retried when the limit is raised.")] = 300,
    max_memory: Annotated[Optional[float], typer.Option("--max-memory", min=50, help="MB a worker may hold of its own; over it, it is recycled (or killed mid-file).")] = None,
    max_tasks_per_child: Annotated[int, typer.Option(min=1, help="Files a worker handles before it is replaced.")] = 200,
    engine: Annotated[Engine, typer.Option(help="PDF text engine.")] = Engine.auto,
    ocr: Annotated[bool, typer.Option("--ocr/--no-ocr", help="OCR pages without a text layer.")] = True,
    patterns: Annotated[Optional[Path], typer.Option("--patterns", exists=True, file_okay=False, help="Folder of pattern files instead of the built-in ones.")] = None,
    model: Annotated[Optional[Path], typer.Option("--model", exists=True, dir_okay=False, help="Sentence classifier file instead of the default.")] = None,
    no_classifier: Annotated[bool, typer.Option("--no-classifier", help="Patterns only: skip the sentence classifier.")] = False,
    manifest: ManifestOption = None,
    force: Annotated[bool, typer.Option("--force", help="Reprocess every document, even current ones.")] = False,
    retry_failed: Annotated[bool, typer.Option("--retry-failed", help="Try again files that failed before with the same bytes and svmine (otherwise reported, not re-run).")] = False,
    strict: StrictOption = False,
) -> None:
    """Scan files and folders into the store: new and changed documents are processed, current ones skipped."""
    from svmine.errors import SvmineError
    from svmine.footprints.manifest import check_for_scan, load_manifest
    from svmine.scan import scan as run_scan

    if scheduler and executor is not Executor.dask:
        raise fail("--scheduler needs --executor dask")
    reporter = _Reporter()
    checked = None
    try:
        if manifest:
            checked = load_manifest(manifest)
            check_for_scan(checked, paths, db, include=include or (), exclude=exclude or ())
            manifest_warnings(checked, strict, before=True)  # --strict: stops before any document is read
        summary = run_scan(
            paths, db, workers=workers, executor=executor.value, scheduler=scheduler,
            include=include or (), exclude=exclude or (), timeout=timeout or None, max_memory_mb=max_memory,
            max_tasks_per_child=max_tasks_per_child, force=force, retry_failed=retry_failed, progress=reporter,
            engine=engine.value, ocr=ocr, patterns_dir=patterns, model_path=model,
            use_classifier=not no_classifier, manifest=manifest,
        )
    except SvmineError as exc:
        raise fail(str(exc)) from None
    except KeyboardInterrupt as exc:
        signum = getattr(exc, "signum", 2)  # ScanInterrupted carries SIGTERM/SIGHUP; Ctrl-C is SIGINT
        raise fail("interrupted: finished documents are saved; run the same command to go on", 128 + signum) from None
    finally:
        reporter.close()
    if not summary.files:
        from svmine.extract.files import display_path

        skipped = "".join(f"\n  {display_path(p)}: {why}" for p, why in summary.special)
        raise fail("no input files found (check the paths and --include/--exclude)"
                   + (f"; skipped:{skipped}" if skipped else ""))
    for line in summary.lines():
        typer.echo(line, err=True)
    if checked is not None:
        check_for_scan(checked, paths, db, after=True)
        manifest_warnings(checked, strict, before=strict)
    if summary.failed or summary.failed_before:
        raise typer.Exit(EXIT_SOME_FAILED)


class _Reporter:
    """Progress: a bar with counts and rate on a terminal, one log line per document otherwise."""

    def __init__(self) -> None:
        self.bar = None
        self.started = time.monotonic()

    def __call__(self, event) -> None:
        if event.result is None:
            self._start(event)
        elif self.bar is not None:
            self.bar.current_item = self._status(event)  # shown by item_show_func
            self.bar.update(1)
        else:
            self._log(event)

    def _start(self, event) -> None:
        self.started = time.monotonic()
        if is_terminal() and event.total:
            self.bar = typer.progressbar(length=event.total, label="scanning", show_pos=True, file=sys.stderr,
                                         item_show_func=lambda text: text)
            self.bar.__enter__()
        else:
            s = event.summary
            extra = (f", {len(s.failed_before)} failed before" if s.failed_before else "") + (
                f", {len(s.special)} not regular files" if s.special else "")
            typer.echo(f"scan: {event.total} to process, {s.skipped} current, {s.duplicates} duplicate copies{extra}",
                       err=True)

    def _status(self, event) -> str:
        s = event.summary
        rate = s.pages / max(time.monotonic() - self.started, 1e-6)
        return f"{rate:.1f} pages/s, {s.failed_count} failed, {s.mentions} mentions"

    def _log(self, event) -> None:
        from svmine.extract.files import display_path
        from svmine.scan.summary import reason

        r = event.result
        if r.ok:
            detail = f"{len(r.mentions)} mentions"
        else:  # the message starts with the path: shown once, at the start of the line
            detail = f"{r.error_code}: {reason(r.path, r.error_message or '')}"
        typer.echo(f"[{event.done}/{event.total}] {r.status} {display_path(r.path)} ({detail}, {r.seconds:.2f} s)",
                   err=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


@app.command()
def runs(
    db: ExistingDb,
    status: Annotated[Optional[RunStatus], typer.Option(help="Only runs with this status.")] = None,
    limit: Annotated[Optional[int], typer.Option(min=1, help="Newest N runs only.")] = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """List scan runs, newest first."""
    from svmine.store import Store, queries

    with _open(db, Store) as store:
        rows = queries.list_runs(store, status=_value(status), limit=limit)
    columns = ["id", "started_at", "finished_at", "status", "processed", "skipped", "failed", "mentions",
               "svmine_version", "pattern_hash", "model_hash"]
    _emit(rows, fmt, columns, short={"pattern_hash": 12, "model_hash": 12})


@app.command()
def documents(
    db: ExistingDb,
    footprint: Annotated[Optional[str], typer.Option(help="Footprint code (E54...) or part of its name.")] = None,
    status: Annotated[Optional[DocumentStatus], typer.Option(help="Only documents with this status.")] = None,
    document: Annotated[Optional[str], typer.Option(help="Part of the path, or a sha256 prefix.")] = None,
    run: Annotated[Optional[int], typer.Option(help="Only documents processed in this run.")] = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """List documents with their status, footprint and mention counts."""
    from svmine.store import Store, queries

    footprint = _footprint(footprint)
    with _open(db, Store) as store:
        rows = queries.list_documents(store, footprint=footprint, status=_value(status), document=document, run_id=run)
    columns = ["id", "path", "format", "page_count", "status", "error_code", "footprint_code",
               "social_value_mentions", "vcse_mentions"]
    _emit(rows, fmt, columns, short={})


@app.command()
def mentions(
    db: ExistingDb,
    footprint: Annotated[Optional[str], typer.Option(help="Footprint code (E54...) or part of its name.")] = None,
    category: Annotated[Optional[MentionCategory], typer.Option(help="Only mentions of this category.")] = None,
    kind: Annotated[Optional[MentionKind], typer.Option(help="Only explicit (pattern) or implicit (classifier) mentions.")] = None,
    status: Annotated[Optional[DocumentStatus], typer.Option(help="Status of the document.")] = None,
    document: Annotated[Optional[str], typer.Option(help="Part of the path, or a sha256 prefix.")] = None,
    limit: Annotated[Optional[int], typer.Option(min=1, help="At most N mentions.")] = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """List mentions with their page and quote."""
    from svmine.store import Store, queries

    footprint = _footprint(footprint)
    with _open(db, Store) as store:
        rows = queries.list_mentions(store, footprint=footprint, category=_value(category), kind=_value(kind),
                                     status=_value(status), document=document, limit=limit)
    columns = ["path", "page", "category", "kind", "source", "text", "context_flags", "sentence"]
    _emit(rows, fmt, columns, short={"sentence": 70, "text": 30})


def _value(choice: Enum | None) -> str | None:
    return choice.value if choice is not None else None


def _footprint(text: str | None) -> str | None:
    """``--footprint``: an official E54 code or part of an official footprint name, else exit 2."""
    if not text:
        return text
    from svmine.footprints.reference import load_reference
    from svmine.footprints.resolver import Resolver

    ref = load_reference()
    if text.strip().upper() in ref.stps:
        return text.strip().upper()
    if any(text.strip().lower() in stp.name.lower() for stp in ref.stps.values()):
        return text.strip()
    guess = Resolver("stp", reference=ref).resolve(text).best  # proposed only when it is a fair guess
    hint = f"; did you mean {guess.name!r} ({guess.code})?" if guess else ""
    raise fail(f"--footprint {text!r}: no footprint code or name matches{hint} (`svmine footprints` lists them)")


def _open(db: Path, store_cls):
    from svmine.errors import StoreError

    try:
        return store_cls.open(db, mode="ro")
    except StoreError as exc:
        raise fail(str(exc)) from None


def _emit(rows: list[dict[str, Any]], fmt: OutputFormat, columns: list[str], short: dict[str, int]) -> None:
    if fmt is OutputFormat.jsonl:
        for row in rows:
            typer.echo(json.dumps(row, ensure_ascii=False, default=str))
    elif fmt is OutputFormat.csv:
        from svmine.outputs import SafeDictWriter

        writer = SafeDictWriter(sys.stdout, fieldnames=list(rows[0]) if rows else columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    else:
        _table(rows, columns, short)


def _table(rows: list[dict[str, Any]], columns: list[str], short: dict[str, int]) -> None:
    """A fixed-width table of ``columns``; long cells are cut (CSV/JSONL give them whole).

    Paths are shown by file name, or by the shortest trailing part that tells two equal
    names apart (``short_paths``): never cut from the left until every row reads the same."""
    if "path" in columns:
        from svmine.outputs import short_paths

        shown = short_paths(str(row.get("path") or "") for row in rows)
        rows = [{**row, "path": shown[str(row.get("path") or "")]} for row in rows]
    cells = [[_cell(row.get(c), short.get(c)) for c in columns] for row in rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    typer.echo("  ".join(c.ljust(w) for c, w in zip(columns, widths)).rstrip())
    for r in cells:
        typer.echo("  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip())
    typer.echo(f"({len(rows)} rows)", err=True)


def _cell(value: Any, limit: int | None) -> str:
    from svmine.outputs import truncate

    text = "" if value is None else " ".join(str(value).split())
    return truncate(text, limit) if limit else text
