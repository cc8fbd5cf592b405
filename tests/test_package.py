"""The package as installed: entry points work and `svmine --help` stays light."""

from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = ["spacy", "pdfplumber", "pypdfium2", "sklearn", "dask", "flask", "openpyxl", "docx", "rapidfuzz"]


def test_python_dash_m_reports_version():
    out = subprocess.run([sys.executable, "-m", "svmine", "--version"], capture_output=True, text=True, check=True)
    assert out.stdout.startswith("svmine ")


@pytest.mark.parametrize("module", HEAVY)
def test_help_does_not_import_heavy_libraries(module):
    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from svmine.cli.main import app\n"
        "r = CliRunner().invoke(app, ['--help'])\n"
        "assert r.exit_code == 0, r.output\n"
        f"print({module!r} in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False", f"`svmine --help` imported {module}"
