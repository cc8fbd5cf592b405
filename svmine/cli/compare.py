"""Command ``compare-plans``: each ICB's plan beside the 2016/17 STP plans of its area."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from svmine.cli.common import EXIT_USAGE, echo_output, fail, manifest_warnings
from svmine.cli.options import StoreOption as Db
from svmine.cli.options import StrictOption as Strict

app = typer.Typer()


class CompareFormat(str, Enum):
    """`compare-plans`: terminal text, CSV, JSON, or a self-contained HTML page."""

    table = "table"
    csv = "csv"
    json = "json"
    html = "html"


OldManifest = Annotated[Path, typer.Option(
    "--old-manifest", exists=True, dir_okay=False,
    help="CSV placing the 2016/17 plans: file or sha256, and an STP code (E54...) or CCG code (ccg_code).")]
NewManifest = Annotated[Path, typer.Option(
    "--new-manifest", exists=True, dir_okay=False,
    help="CSV placing the ICB plans: file or sha256, and an ICB code of July 2022 (E54...).")]


@app.command("compare-plans")
def compare_plans_command(
    db: Db,
    old_manifest: OldManifest,
    new_manifest: NewManifest,
    fmt: Annotated[CompareFormat, typer.Option("--format", help="Output format (html needs --out).")] = CompareFormat.table,
    out: Annotated[Optional[Path], typer.Option("--out", dir_okay=False, help="Write to this file instead of stdout.")] = None,
    min_share: Annotated[float, typer.Option(
        "--min-share", min=0.01, max=1.0,
        help="A predecessor STP counts when it covered at least this share of the ICB (or the ICB holds most of it).")] = 0.05,
    min_probability: Annotated[float, typer.Option(
        "--min-probability", min=0.0, max=1.0, help="Classifier mentions below this probability are not counted.")] = 0.5,
    strict: Strict = False,
) -> None:
    """Plans compared across eras: each ICB of July 2022 against its predecessor STPs' plans.

    Verdict then and now (as `svmine table` decides it: "yes" is an explicit social value
    mention; implicit sentences alone are "no (implicit only)"), mentions gained and lost by
    theme, policy facts gained and lost, and the strongest quote of each side. Plans count only
    where a manifest places them: --old-manifest on 2016/17 STP (or CCG) codes, --new-manifest on
    ICB codes. ICBs with no plan in either era are not listed.
    """
    from svmine.errors import SvmineError
    from svmine.footprints.manifest import load_checked
    from svmine.tables.compare_plans_output import make_comparison, write_comparison

    checked = []
    try:
        for path in (old_manifest, new_manifest):
            checked.append(load_checked(path, db))
            manifest_warnings(checked[-1], strict, before=True)
        comparison = make_comparison(db, *checked, min_share=min_share, min_probability=min_probability)
        text = write_comparison(comparison, fmt.value, out, inputs=[db, old_manifest, new_manifest])
    except SvmineError as exc:
        raise fail(str(exc), EXIT_USAGE)
    echo_output(text, out)
    for manifest in checked:
        manifest_warnings(manifest, strict, before=False)
