"""Commands ``match`` (resolve a CSV column of names) and ``footprints`` (list the reference, crosswalks)."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from svmine.cli.common import EXIT_USAGE, fail
from svmine.cli.options import ReferenceFormat as Format

app = typer.Typer()
footprints_app = typer.Typer(invoke_without_command=True, help="List the official footprints of any era, or a crosswalk between eras.")
app.add_typer(footprints_app, name="footprints")


class Kind(str, Enum):
    ccg = "ccg"
    stp = "stp"
    region = "region"
    icb = "icb"
    sub_icb = "sub_icb"


class Geography(str, Enum):
    ccg2016 = "ccg2016"
    ccg2017 = "ccg2017"
    ccg2020 = "ccg2020"
    ccg2021 = "ccg2021"
    stp2017 = "stp2017"
    stp2020 = "stp2020"
    sub_icb2022 = "sub_icb2022"
    icb2022 = "icb2022"
    region2017 = "region2017"
    region2022 = "region2022"


class ListKind(str, Enum):
    stp = "stp"
    ccg = "ccg"


class Year(str, Enum):
    y2016 = "2016"
    y2017 = "2017"


_GEOS = ", ".join(g.value for g in Geography)
_LSOA_GEOS = ", ".join(g.value for g in Geography if not g.value.startswith("region"))


@app.command()
def match(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="CSV file with a column of names.")],
    column: Annotated[str, typer.Option("--column", "-c", help="Column holding the names to resolve.")],
    kind: Annotated[Kind, typer.Option("--kind", "-k", help="What the names are.")] = Kind.stp,
    context_column: Annotated[
        Optional[str], typer.Option("--context-column", help="Column naming the STP (for CCGs) or region (for STPs) of each row.")
    ] = None,
    year: Annotated[
        Optional[str],
        typer.Option("--year", help="Era of the names: a year (2016, 2017, 2020, 2021, 2022...) or 'any'."
                     " Default: 2017 for ccg, stp and region; any era for icb and sub_icb."),
    ] = None,
    out: Annotated[Optional[Path], typer.Option("--out", "-o", dir_okay=False, help="Write the CSV here instead of stdout.")] = None,
) -> None:
    """Add official code, name, footprint, region, score, runner-up, margin and status columns to a CSV.

    A name of another era than --year comes back as the organisation(s) of that year holding its
    area, with status review and the reason; without a year (icb, sub_icb, or --year any) an
    era column says which era each name belongs to."""
    from svmine.errors import SvmineError
    from svmine.footprints.tabular import match_csv
    from svmine.outputs import atomic_write, check_output

    options = dict(kind=kind.value, year=_match_year(year, kind.value), context_column=context_column)
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


def _match_year(year: str | None, kind: str) -> int | None:
    """None (any era) or a year; the 2017-report kinds keep 2017 as their default."""
    if year is None:
        return 2017 if kind in ("ccg", "stp", "region") else None
    if year.strip().lower() == "any":
        return None
    if not year.strip().isdigit() or not 2000 <= int(year) <= 2100:
        raise fail(f"--year must be a year such as 2021, or 'any'; got {year!r}", EXIT_USAGE)
    return int(year)


@footprints_app.callback()
def footprints(
    ctx: typer.Context,
    region: Annotated[Optional[str], typer.Option("--region", "-r", help="Only this NHS England region (e.g. North, London).")] = None,
    year: Annotated[Year, typer.Option("--year", help="CCG list: 2016 or April 2017.")] = Year.y2017,
    kind: Annotated[ListKind, typer.Option("--kind", "-k", help="List STP footprints or CCGs.")] = ListKind.stp,
    geography: Annotated[
        Optional[Geography],
        typer.Option("--geography", "-g", metavar="GEOGRAPHY",
                     help=f"List this era's organisations instead (overrides --kind and --year): {_GEOS}."),
    ] = None,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.table,
) -> None:
    """List the official footprints (STPs) or CCGs with their region, in the 2017 report's order.

    With --geography, any era: CCGs 2016/2017/2020/2021, STPs 2017/2020, Sub ICB Locations and
    ICBs 2022, regions 2017/2022 (2022 eras in NHS England's region order)."""
    if ctx.invoked_subcommand is not None:
        return
    from svmine.errors import SvmineError
    from svmine.footprints.tabular import footprint_rows, format_csv, format_table, geography_rows

    try:
        if geography is not None:
            rows = geography_rows(geography.value, region)
        else:
            rows = footprint_rows(kind.value, int(year.value), region)
    except SvmineError as exc:
        raise fail(str(exc), EXIT_USAGE)
    typer.echo(format_table(rows) if fmt is Format.table else format_csv(rows).rstrip("\n"))


@footprints_app.command()
def crosswalk(
    from_geo: Annotated[Geography, typer.Option("--from", metavar="GEOGRAPHY", help=f"Geography of the rows: {_LSOA_GEOS}.")],
    to_geo: Annotated[Geography, typer.Option("--to", metavar="GEOGRAPHY", help="Geography they are mapped to (same choices).")],
    out: Annotated[Optional[Path], typer.Option("--out", "-o", dir_okay=False, help="Write the CSV here instead of stdout.")] = None,
) -> None:
    """Print the crosswalk between two eras as CSV: from_code, from_name, to_code, to_name, share.

    share is the part of the from-organisation's LSOAs (2011) that lie in the to-organisation,
    so the shares of one from_code add up to 1."""
    from svmine.errors import SvmineError
    from svmine.footprints.tabular import crosswalk_rows, format_csv
    from svmine.outputs import atomic_write, check_output

    try:
        text = format_csv(crosswalk_rows(from_geo.value, to_geo.value))
        if out:
            check_output(out, [])
            with atomic_write(out, [], newline="") as fh:
                fh.write(text)
            return
    except SvmineError as exc:
        raise fail(str(exc), EXIT_USAGE)
    typer.echo(text.rstrip("\n"))
