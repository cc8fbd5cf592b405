"""Entry point: joins each command group's ``typer.Typer()`` into one app."""

from __future__ import annotations

import typer

from svmine import __version__
from svmine.cli import annotations, assess, compare, corpus, detect, extract, footprints, model, review, scan, tables

app = typer.Typer(
    name="svmine",
    help="Find social value and VCSE mentions in NHS plans and policies.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Plain click help and errors: rich's boxes cut long option names and choices at 80
    # columns and show flags as <bool>; click's formatter wraps the help text instead.
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"svmine {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version and exit."),
) -> None:
    """Find social value and VCSE mentions in NHS plans and policies."""


# The order of the help's command list: top-level commands module by module, then the groups.
for _module in (extract, detect, model, footprints, scan, tables, compare, assess, review):
    app.add_typer(_module.app)
for _name, _module in (("corpus", corpus), ("annotations", annotations)):
    app.add_typer(_module.app, name=_name, help=_module.app.info.help)


def main() -> None:
    app()
