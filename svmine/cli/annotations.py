"""Command group ``annotations``: export, import, and agreement between auditors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from svmine.cli.common import fail
from svmine.cli.options import StoreOption

app = typer.Typer(no_args_is_help=True, help="Export, import and measure auditors' annotations.")


@app.command()
def export(
    db: StoreOption,
    out: Annotated[Path, typer.Option("--out", "-o", dir_okay=False, help="File to write.")],
    format: Annotated[str, typer.Option("--format", "-f",
                                        help="jsonl | prodigy | doccano | labelstudio | spacy")] = "jsonl",
) -> None:
    """Write annotations: jsonl (native, every row) or a labelling tool's format."""
    from svmine.errors import SvmineError
    from svmine.review.formats import FORMATS, export_annotations

    if format not in FORMATS:
        raise fail(f"unknown format {format!r}; choose one of {', '.join(FORMATS)}", 2)
    try:
        n = export_annotations(db, format, out)
    except SvmineError as exc:
        raise fail(str(exc), 2)
    typer.echo(f"{n} records written to {out} ({format})")


@app.command("import")
def import_(
    db: StoreOption,
    path: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="File to read.")],
    format: Annotated[str, typer.Option("--format", "-f", help="jsonl | prodigy | doccano")] = "jsonl",
) -> None:
    """Read annotations into the store (rows already present are skipped)."""
    from svmine.errors import StoreError
    from svmine.review.formats import import_annotations

    try:
        counts = import_annotations(db, path, format)
    except (ValueError, StoreError) as exc:
        raise fail(str(exc), 2)
    typer.echo(f"{counts['inserted']} imported, {counts['duplicate']} already present,"
               f" {counts['skipped']} records skipped (no unambiguous decision)")


@app.command()
def agreement(
    db: StoreOption,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Cohen's kappa per auditor pair and Krippendorff's alpha (nominal) per category."""
    from svmine.errors import StoreError
    from svmine.review.agreement import agreement_for_db, format_report

    try:
        report = agreement_for_db(db)
    except StoreError as exc:
        raise fail(str(exc), 2)
    typer.echo(json.dumps(report, indent=1) if as_json else format_report(report))
