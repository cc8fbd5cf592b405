"""Helpers shared by command modules: exit codes and failure messages."""

from __future__ import annotations

import sys
from enum import Enum

import typer

EXIT_OK = 0
EXIT_SOME_FAILED = 1  # a batch finished, but some files failed
EXIT_USAGE = 2  # bad arguments or unusable input: nothing was done


def fail(message: str, code: int = EXIT_USAGE) -> "typer.Exit":
    """Print ``message`` to stderr and return the Exit to raise."""
    typer.echo(f"svmine: {message}", err=True)
    return typer.Exit(code)


def is_terminal() -> bool:
    return sys.stderr.isatty()


class Engine(str, Enum):
    """PDF engines of ``svmine.extract`` (shared by `extract`, `detect` and `scan`)."""

    auto = "auto"
    pdfplumber = "pdfplumber"
    pdfium = "pdfium"
