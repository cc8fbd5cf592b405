"""Commands ``table`` (Appendix-3-style tables) and ``report`` (one self-contained HTML file)."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from svmine.cli.common import EXIT_USAGE, echo_output, fail, manifest_warnings
from svmine.cli.options import Category
from svmine.cli.options import ManifestOption as Manifest
from svmine.cli.options import StoreOption as Db
from svmine.cli.options import StrictOption as Strict
from svmine.cli.options import TableFormat as Format

app = typer.Typer()


class Level(str, Enum):
    footprint = "footprint"
    ccg = "ccg"
    document = "document"


class TableGeography(str, Enum):
    stp2017 = "stp2017"
    icb2022 = "icb2022"


MinProb = Annotated[float, typer.Option("--min-probability", min=0.0, max=1.0, help="Classifier mentions below this probability are not counted.")]


@app.command("table")
def table_command(
    db: Db,
    category: Annotated[Category, typer.Option(help="Which mentions decide the verdict.")] = Category.social_value,
    level: Annotated[Level, typer.Option(help="One row per footprint, per CCG, or per document.")] = Level.footprint,
    fmt: Annotated[Format, typer.Option("--format", help="Output format.")] = Format.table,
    out: Annotated[Optional[Path], typer.Option("--out", dir_okay=False, help="Write to this file instead of stdout.")] = None,
    manifest: Manifest = None,
    compare: Annotated[Optional[str], typer.Option("--compare", help="Reference CSV (code, verdict) or 'appendix3' (the 2017 report).")] = None,
    min_probability: MinProb = 0.5,
    region: Annotated[Optional[str], typer.Option("--region", help="Only this NHS England region: North, Midlands and East, London or South.")] = None,
    footprint: Annotated[Optional[str], typer.Option("--footprint", help="Only this footprint: its code (E54...), name, or a part of the name that fits one.")] = None,
    strict: Strict = False,
    geography: Annotated[Optional[TableGeography], typer.Option("--geography", help="Rows: the 44 STPs of 2016/17 or the 42 ICBs of July 2022 (documents placed on ICBs by the ICB and Sub ICB names in their text, their STP when it lies in one ICB, or --manifest).")] = None,
) -> None:
    """Mentions by footprint, like Appendix 3 of the 2017 report, with the evidence behind each yes.

    "yes" means an explicit mention of social value (or, with --category vcse, of the VCSE sector)
    that is not negated, hypothetical, boilerplate or a reference; implicit sentences alone give
    "no (implicit only)" and wait in the review queue.
    """
    from svmine.errors import SvmineError
    from svmine.tables import make_table, write_table

    _check_compare(compare)
    checked = None
    try:
        checked = _checked_manifest(manifest, db, strict)
        table = make_table(db, category=category.value, level=level.value, manifest=checked,
                           compare_with=compare, min_probability=min_probability, region=region,
                           footprint=footprint, geography=(geography or TableGeography.stp2017).value)
        text = write_table(table, fmt.value, out, inputs=[db, manifest, compare if compare != "appendix3" else None])
    except SvmineError as exc:
        raise fail(str(exc), EXIT_USAGE)
    echo_output(text, out)
    manifest_warnings(checked, strict, before=False)


@app.command("report")
def report_command(
    db: Db,
    out: Annotated[Path, typer.Option("--out", dir_okay=False, help="The HTML file to write.")] = Path("report.html"),
    manifest: Manifest = None,
    min_probability: MinProb = 0.5,
    title: Annotated[str, typer.Option(help="Title shown at the top of the report.")] = "Social value in NHS plans",
    compare: Annotated[Optional[str], typer.Option("--compare", help="Also show reference verdicts: 'appendix3' (the 2017 report's 44 STP plans) or a CSV (code, verdict). Off by default: only meaningful for a corpus of those plans.")] = None,
    strict: Strict = False,
    geography: Annotated[Optional[TableGeography], typer.Option("--geography", help="Rows and map: the 44 STPs of 2016/17 or the 42 ICBs of July 2022 (documents placed on ICBs by the ICB and Sub ICB names in their text, their STP when it lies in one ICB, or --manifest).")] = None,
) -> None:
    """One self-contained HTML report: summary, table, map, chart and every mention in context."""
    from svmine.errors import SvmineError
    from svmine.report import write_report

    if compare == "none":  # the old spelling of "no comparison", still accepted
        compare = None
    _check_compare(compare)
    checked = None
    try:
        checked = _checked_manifest(manifest, db, strict)
        write_report(db, out, manifest=checked, min_probability=min_probability, title=title,
                     compare_with=compare, geography=(geography or TableGeography.stp2017).value)
    except SvmineError as exc:
        raise fail(str(exc), EXIT_USAGE)
    typer.echo(f"wrote {out}", err=True)
    manifest_warnings(checked, strict, before=False)


def _check_compare(compare: str | None) -> None:
    """``--compare``: 'appendix3' or an existing CSV, else exit 2 before the store is read."""
    if compare and compare != "appendix3" and not Path(compare).is_file():
        raise fail(f"--compare: no such file: {compare}", EXIT_USAGE)


def _checked_manifest(manifest: Path | None, db: Path, strict: bool):
    """The checked manifest (None without ``--manifest``); with ``--strict`` its warnings stop here."""
    from svmine.footprints.manifest import load_checked

    checked = load_checked(manifest, db) if manifest else None
    manifest_warnings(checked, strict, before=True)
    return checked
