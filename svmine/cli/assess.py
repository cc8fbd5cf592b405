"""Command ``assess``: rate organisations on the 2017 report's three scales (commitment, evidence,
approach) from their policies and FOI replies in the store, with the evidence behind each rating."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from svmine.cli.common import EXIT_USAGE, echo_output, fail
from svmine.cli.options import StoreOption as Db

app = typer.Typer()


class AssessFormat(str, Enum):
    """`assess`: the table per organisation."""

    table = "table"
    csv = "csv"
    xlsx = "xlsx"
    json = "json"


@app.command("assess")
def assess_command(
    db: Db,
    manifest: Annotated[Optional[Path], typer.Option(
        "--manifest", dir_okay=False,
        help="CSV naming each document's organisation: file (or sha256) and org_code or org_name; optional"
             " org_type (council, ...) and region. Without it, the store's CCG or footprint attribution.")] = None,
    rules: Annotated[Optional[Path], typer.Option(
        "--rules", dir_okay=False, help="A JSON-lines rules file replacing the packaged one (see docs/assess.md).")] = None,
    fmt: Annotated[AssessFormat, typer.Option("--format", help="Output format.")] = AssessFormat.table,
    out: Annotated[Optional[Path], typer.Option("--out", dir_okay=False, help="Write to this file instead of stdout.")] = None,
    explain: Annotated[Optional[str], typer.Option(
        "--explain", metavar="ORG",
        help="Print one organisation's decision path (code or name) with each signal's rule, document, page"
             " and quote.")] = None,
    compare: Annotated[Optional[Path], typer.Option(
        "--compare", dir_okay=False,
        help="Reference ratings CSV (org_code,commitment,evidence,approach): agreement and Cohen's kappa per"
             " scale.")] = None,
) -> None:
    """Rate each organisation: commitment, evidence and approach, as in the 2017 report.

    Reads the stored pages, finds policy, evidence, approach and negative signals, decides the
    ratings by a small table (docs/assess.md), saves them in the store and prints them with
    auditors' overrides applied (marked *). Conflicting signals send a rating to review (!).
    """
    from svmine.assess.run import assess
    from svmine.errors import SvmineError

    for name, path in (("--manifest", manifest), ("--rules", rules), ("--compare", compare)):
        if path is not None and not path.is_file():
            raise fail(f"{name}: no such file: {path}", EXIT_USAGE)
    try:
        text, result = assess(db, manifest=manifest, rules=rules, fmt=fmt.value, out=out, explain=explain,
                              compare=compare)
    except SvmineError as exc:
        raise fail(str(exc), EXIT_USAGE)
    echo_output(text, out)
    for warning in result.warnings:
        typer.echo(f"svmine: manifest warning: {warning}", err=True)
