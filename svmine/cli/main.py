"""Entry point: joins each command group's ``typer.Typer()`` into one app."""

from __future__ import annotations

import importlib

import typer

from svmine import __version__

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

# (module, group name or None to merge its commands at the top level)
COMMAND_MODULES: list[tuple[str, str | None]] = [
    ("svmine.cli.extract", None),
    ("svmine.cli.detect", None),
    ("svmine.cli.model", None),
    ("svmine.cli.footprints", None),
    ("svmine.cli.scan", None),
    ("svmine.cli.tables", None),
    ("svmine.cli.review", None),
    ("svmine.cli.corpus", "corpus"),
    ("svmine.cli.annotations", "annotations"),
]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"svmine {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version and exit."),
) -> None:
    """Find social value and VCSE mentions in NHS plans and policies."""


for _module, _name in COMMAND_MODULES:
    _sub = importlib.import_module(_module).app
    if _name:
        app.add_typer(_sub, name=_name, help=_sub.info.help)
    else:
        app.add_typer(_sub)


def main() -> None:
    app()
