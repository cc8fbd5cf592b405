"""Commands ``match`` (resolve a CSV column of names) and ``footprints`` (list the reference)."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from svmine.cli.common import EXIT_USAGE, fail
from svmine.cli.options import ReferenceFormat as Format

app = typer.Typer()


class Kind(str, Enum):
    ccg = "ccg"
    stp = "stp"
    region = "region"


class ListKind(str, Enum):
    stp = "stp"
    ccg = "ccg"


class Year(str, Enum):
    y2016 = "2016"
    y2017 = "2017"


@app.command()
def match(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="CSV file with a column of names.")],
    column: Annotated[str, typer.Option("--column", "-c", help="Column holding the names to resolve.")],
    kind: Annotated[Kind, typer.Option("--kind", "-k", help="What the names are.")] = Kind.stp,
    context_column: Annotated[
        Optional[str], typer.Option("--context-column", help="Column naming the STP (for CCGs) or region (for STPs) of each row.")
    ] = None,
    year: Annotated[Year, typer.Option("--year", help="CCG list: 2016 (209 CCGs) or April 2017 (207).")] = Year.y2017,
    out: Annotated[Optional[Path], typer.Option("--out", "-o", dir_okay=False, help="Write the CSV here instead of stdout.")] = None,
) -> None:
    """Add official code, name, footprint, region, score, runner-up, margin and status columns to a CSV."""
    from svmine.errors import SvmineError
    from svmine.footprints.tabular import match_csv
    from svmine.outputs import atomic_write, check_output

    options = dict(kind=kind.value, year=int(year.value), context_column=context_column)
    try:
        if out:
            check_output(out, [file])  # refused before the input is read: x.csv --out x.csv
            with atomic_write(out, [file], newline="") as fh:
                summary = match_csv(file, column, out=fh, **options)
        else:
            summary = match_csv(file, column, **options)
    except SvmineError as exc:
        raise fail(str(exc), EXIT_USAGE)
    sys.stdout.flush()  # the CSV first, then the summary, when both go to one terminal
    typer.echo(f"{summary.rows} rows: {summary.review} need review, {summary.no_match} without a match", err=True)


@app.command()
def footprints(
    region: Annotated[Optional[str], typer.Option("--region", "-r", help="Only this NHS England region (e.g. North, London).")] = None,
    year: Annotated[Year, typer.Option("--year", help="CCG list: 2016 or April 2017.")] = Year.y2017,
    kind: Annotated[ListKind, typer.Option("--kind", "-k", help="List STP footprints or CCGs.")] = ListKind.stp,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.table,
) -> None:
    """List the official footprints (STPs) or CCGs with their region, in the 2017 report's order."""
    from svmine.errors import SvmineError
    from svmine.footprints.tabular import footprint_rows, format_csv, format_table

    try:
        rows = footprint_rows(kind.value, int(year.value), region)
    except SvmineError as exc:
        raise fail(str(exc), EXIT_USAGE)
    typer.echo(format_table(rows) if fmt is Format.table else format_csv(rows).rstrip("\n"))
