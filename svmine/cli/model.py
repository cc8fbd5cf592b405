"""Commands: see docs/architecture.md."""

import typer

app = typer.Typer()
