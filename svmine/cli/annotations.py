"""Command group: see docs/architecture.md."""

import typer

app = typer.Typer(no_args_is_help=True)
