"""Helpers shared by command modules: exit codes and failure messages."""

from __future__ import annotations

import sys

import typer

EXIT_OK = 0
EXIT_SOME_FAILED = 1  # a batch finished, but some files failed
EXIT_USAGE = 2  # bad arguments or unusable input: nothing was done


def fail(message: str, code: int = EXIT_USAGE) -> "typer.Exit":
    """Print ``message`` to stderr and return the Exit to raise."""
    typer.echo(f"svmine: {message}", err=True)
    return typer.Exit(code)


def manifest_warnings(manifest, strict: bool, *, before: bool) -> None:
    """List a checked manifest's warnings on stderr (``svmine.footprints.manifest``).

    Called twice by a command: ``before=True`` ahead of any output, where ``--strict`` turns
    warnings into an error (exit 2, nothing written); ``before=False`` at the end of the output,
    where they are listed as warnings. (``scan`` checks again after scanning, with
    ``before=strict``: a sha256 row can only be checked once the files are hashed.)
    """
    if manifest is None or not manifest.warnings or before != strict:
        return
    word = "error" if strict else "warning"
    for warning in manifest.warnings:
        typer.echo(f"svmine: manifest {word}: {warning}", err=True)
    if strict:
        raise fail(f"{len(manifest.warnings)} manifest problem(s) (--strict makes warnings errors)")
    typer.echo(f"svmine: {len(manifest.warnings)} manifest warning(s); --strict makes them errors", err=True)


def echo_output(text: str | None, out) -> None:
    """A command's output: the text on stdout, or (written to ``out``) a "wrote" line on stderr."""
    if text is not None:
        typer.echo(text, nl=False)
    else:
        typer.echo(f"wrote {out}", err=True)


def is_terminal() -> bool:
    return sys.stderr.isatty()
