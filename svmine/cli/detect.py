"""Commands ``detect`` (mentions and policy facts in files) and ``patterns`` (list the rules)."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from svmine.cli.common import EXIT_SOME_FAILED, fail, is_terminal
from svmine.cli.options import Category
from svmine.cli.options import MentionFormat as Format

app = typer.Typer()


class RuleCategory(str, Enum):
    social_value = "social_value"
    vcse = "vcse"
    exclude = "exclude"  # hard negatives


PatternsOpt = Annotated[
    Optional[Path],
    typer.Option("--patterns", exists=True, file_okay=False, help="Folder of your own rule files (*.jsonl) instead of the packaged ones."),
]


@app.command()
def detect(
    paths: Annotated[list[Path], typer.Argument(exists=True, help="Files or folders (walked recursively).")],
    fmt: Annotated[Format, typer.Option("--format", "-f", help="text: keyword in context; jsonl/csv: one record per mention or fact.")] = Format.text,
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="Write to this file instead of standard output.")] = None,
    category: Annotated[Optional[Category], typer.Option("--category", "-c", help="Only mentions of this category.")] = None,
    no_classifier: Annotated[bool, typer.Option("--no-classifier", help="Patterns only; no implicit mentions.")] = False,
    patterns: PatternsOpt = None,
    timeout: Annotated[float, typer.Option(min=0, metavar="SECONDS", help="Seconds allowed per file (extraction and detection); the file is stopped and reported after that (0 = no limit).")] = 300,
) -> None:
    """Find social value and VCSE mentions and policy facts in documents."""
    from svmine.errors import SvmineError

    try:
        from svmine.scan.detecting import detect_files

        options = {"patterns_dir": patterns, "use_classifier": not no_classifier}
        results = detect_files(paths, options, timeout=timeout or None)
        first = next(results, None)  # builds the detector: a bad pattern folder or model stops here
    except SvmineError as exc:
        raise fail(str(exc)) from None
    from contextlib import nullcontext

    from svmine.outputs import atomic_write

    try:
        import itertools

        batch = itertools.chain([first] if first is not None else [], results)
        with atomic_write(out, paths, newline="") if out else nullcontext(sys.stdout) as stream:
            failed, total = _run(batch, stream, fmt, category, progress=out is not None)
            if total == 0:
                raise fail("no input files found")  # inside: an existing --out is kept
    except SvmineError as exc:
        raise fail(str(exc)) from None
    if failed:
        raise fail(f"{failed} of {total} files failed", EXIT_SOME_FAILED)


def _run(results, stream, fmt: Format, category: Category | None, progress: bool) -> tuple[int, int]:
    from svmine.detect import output

    writer = output.csv_writer(stream) if fmt is Format.csv else None
    failed = total = n_mentions = n_facts = 0
    for item in results:
        total += 1
        if item.error:
            failed += 1
            from svmine.extract.files import display_path

            typer.echo(f"svmine: {display_path(item.error)}", err=True)
            continue
        mentions = [m for m in item.result.mentions if category is None or m.category == category.value]
        facts = item.result.facts if category in (None, Category.social_value) else []
        n_mentions, n_facts = n_mentions + len(mentions), n_facts + len(facts)
        if progress:
            _progress(item.path, len(mentions), len(facts))
        if fmt is Format.jsonl:
            stream.writelines(line + "\n" for line in output.jsonl_records(mentions, facts))
        elif writer is not None:
            writer.writerows(output.csv_rows(mentions, facts))
        else:
            _write_text(stream, item.path, mentions, facts, item.result)
    if progress:
        if is_terminal():
            sys.stderr.write("\n")
        typer.echo(f"detect: {total} files, {n_mentions} mentions, {n_facts} facts, {failed} failed", err=True)
    return failed, total


def _write_text(stream, path: Path, mentions, facts, result) -> None:
    from svmine.detect import output

    from svmine.extract.files import display_path

    pages = result.page_texts
    stream.write(f"{display_path(path)}  ({len(mentions)} mentions, {len(facts)} facts)\n")
    for mention in mentions:
        stream.write("  " + output.kwic(mention, pages.get(mention.page, "")) + "\n")
    for fact in facts:
        stream.write("  " + output.fact_line(fact) + "\n")


def _progress(path: Path, mentions: int, facts: int) -> None:
    # On a terminal a one-line status that overwrites itself; otherwise plain log lines.
    from svmine.extract.files import display_path

    line = f"detect: {display_path(path)}: {mentions} mentions, {facts} facts"
    if is_terminal():
        sys.stderr.write("\r\033[K" + line[-150:])
        sys.stderr.flush()
    else:
        typer.echo(line, err=True)


@app.command()
def patterns(
    category: Annotated[Optional[RuleCategory], typer.Option("--category", "-c", help="Only rules of this category.")] = None,
    patterns_dir: PatternsOpt = None,
    context: Annotated[bool, typer.Option("--context", help="List the context rules (negation, modality, references, boilerplate) instead.")] = False,
) -> None:
    """List the mention rules (id, category, pattern, note) or, with --context, the context rules."""
    from svmine.errors import SvmineError

    try:
        if context:
            from svmine.detect.context import load_context_rules

            rows = [(r.id, r.flag, r.pattern_text(), r.note) for r in load_context_rules(patterns_dir)]
        else:
            from svmine.detect.patterns import load_rules

            rows = [(r.id, r.category, r.pattern_text(), r.note) for r in load_rules(patterns_dir, category and category.value)]
    except SvmineError as exc:
        raise fail(str(exc)) from None
    width_id = max((len(r[0]) for r in rows), default=2)
    width_cat = max((len(r[1]) for r in rows), default=8)
    for rule_id, cat, pattern, note in rows:
        typer.echo(f"{rule_id:<{width_id}}  {cat:<{width_cat}}  {pattern}" + (f"\n{'':<{width_id + width_cat + 4}}# {note}" if note else ""))
    typer.echo(f"{len(rows)} rules", err=True)
