"""Options and choices shared by command modules: one declaration each, so a flag reads the same
in every command that takes it.

Choices are enums, so a misspelt value ("implict") is refused with the valid values, exit 2,
instead of quietly matching nothing. Each output-format enum is the set one family of commands
can write; they differ on purpose (a table of runs has no xlsx, a document's mentions no markdown).
Light imports only (see ``svmine/cli/__init__.py``).
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from svmine.model import CATEGORY_SOCIAL_VALUE, CATEGORY_VCSE


class Category(str, Enum):
    """A mention category (``svmine.model.CATEGORIES``)."""

    social_value = CATEGORY_SOCIAL_VALUE
    vcse = CATEGORY_VCSE


class Engine(str, Enum):
    """PDF engines of ``svmine.extract`` (shared by `extract`, `detect` and `scan`)."""

    auto = "auto"
    pdfplumber = "pdfplumber"
    pdfium = "pdfium"


class ListFormat(str, Enum):
    """`runs`, `documents`, `mentions`: rows of the store."""

    table = "table"
    csv = "csv"
    jsonl = "jsonl"


class MentionFormat(str, Enum):
    """`detect`: keyword in context, or one record per mention or fact."""

    text = "text"
    jsonl = "jsonl"
    csv = "csv"


class TableFormat(str, Enum):
    """`table`: the Appendix-3-style table."""

    table = "table"
    markdown = "markdown"
    csv = "csv"
    xlsx = "xlsx"
    json = "json"


class ReportFormat(str, Enum):
    """`train`, `evaluate`: scores as a readable table or JSON."""

    table = "table"
    json = "json"


class ReferenceFormat(str, Enum):
    """`footprints`: the reference list."""

    table = "table"
    csv = "csv"


StoreOption = Annotated[Path, typer.Option("--db", exists=True, dir_okay=False, help="The svmine SQLite store.")]
NewStoreOption = Annotated[Path, typer.Option("--db", help="SQLite store file (created if missing).", dir_okay=False)]
ManifestOption = Annotated[
    Optional[Path],
    typer.Option("--manifest", exists=True, dir_okay=False,
                 help="CSV placing documents in footprints (file or sha256, footprint_code, optional ccg_code);"
                      " overrides the store's attribution."),
]
StrictOption = Annotated[bool, typer.Option(
    "--strict", help="Manifest warnings (unknown files, duplicates, CCGs outside their footprint, paths outside the"
                     " corpus) are errors: exit 2 (table and report then write nothing).")]
