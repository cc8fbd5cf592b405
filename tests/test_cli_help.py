"""Every svmine command and group has help text (walks the live command tree)."""

from __future__ import annotations

import pytest
import typer
from typer.testing import CliRunner

from svmine.cli.main import app


def _walk(command, path: tuple[str, ...] = ()):
    # duck-typed: typer may ship its own copy of click, so isinstance(click.Group) is unreliable
    yield path, command
    if hasattr(command, "commands"):
        for name, sub in sorted(command.commands.items()):
            yield from _walk(sub, path + (name,))


COMMANDS = list(_walk(typer.main.get_command(app)))


def test_the_tree_has_the_extract_command():
    assert ("extract",) in {path for path, _ in COMMANDS}


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[" ".join(p) or "svmine" for p, _ in COMMANDS])
def test_command_has_help(path, command):
    assert (command.help or command.short_help or "").strip(), f"`svmine {' '.join(path)}` has no help text"
    result = CliRunner().invoke(app, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[" ".join(p) or "svmine" for p, _ in COMMANDS])
def test_every_option_has_help(path, command):
    options = [p for p in command.params if getattr(p, "param_type_name", "") == "option" and not getattr(p, "hidden", False)]
    missing = [p.name for p in options if not (p.help or "").strip()]
    assert not missing, f"`svmine {' '.join(path)}` options without help: {missing}"


def _help(path: tuple[str, ...]) -> str:
    result = CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": "80", "TERM": "dumb"})
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[" ".join(p) or "svmine" for p, _ in COMMANDS])
def test_help_fits_80_columns_with_whole_option_names(path, command):
    text = _help(path)
    assert "<bool>" not in text, "a flag shows a <bool> metavar"
    too_wide = [line for line in text.splitlines() if len(line) > 80]
    assert not too_wide, f"lines wider than 80 columns: {too_wide}"
    names = [o for p in command.params if getattr(p, "param_type_name", "") == "option" and not p.hidden
             for o in (*p.opts, *p.secondary_opts)]
    cut = [name for name in names if name not in text]
    assert not cut, f"option names cut or missing in help: {cut}"
    assert "╭" not in text and "│" not in text, "help is drawn in boxes (rich); plain click help expected"
