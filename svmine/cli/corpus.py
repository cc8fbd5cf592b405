"""Command group ``corpus``: get a corpus's documents (``fetch``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from svmine.cli.common import EXIT_SOME_FAILED, EXIT_USAGE, fail

app = typer.Typer(no_args_is_help=True, help="Download the documents a corpus manifest lists.")


@app.command("fetch")
def fetch_command(
    manifest: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="CSV with a url column (e.g. corpora/stp2016/manifest.csv).")],
    dest: Annotated[Path, typer.Argument(file_okay=False, help="Folder to save the documents in.")],
    retries: Annotated[int, typer.Option(min=0, max=10, help="Extra attempts after a network error, timeout, 429 or 5xx.")] = 3,
    timeout: Annotated[float, typer.Option(min=1.0, help="Seconds to wait for a server.")] = 30.0,
    url_column: Annotated[str, typer.Option("--url-column", help="Manifest column holding the address.")] = "url",
) -> None:
    """Download each listed document, record its sha256 in DEST/checksums.csv; exit 1 if any failed."""
    from svmine.corpus import fetch_corpus
    from svmine.errors import SvmineError

    try:
        summary = fetch_corpus(manifest, dest, retries=retries, timeout=timeout, url_column=url_column,
                               report=lambda outcome: typer.echo(outcome.line(), err=True))
    except SvmineError as exc:
        raise fail(str(exc), EXIT_USAGE)
    typer.echo(summary.line())
    if summary.failed:
        raise fail(f"{len(summary.failed)} document(s) could not be fetched", EXIT_SOME_FAILED)
