"""One call from store file to rendered table: what ``svmine table`` runs."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from svmine.errors import SvmineError
from svmine.outputs import atomic_path, write_text
from svmine.tables.build import Table, build_table
from svmine.tables.compare import appendix3_path, compare, load_reference_verdicts
from svmine.tables.evidence import DEFAULT_MIN_PROBABILITY
from svmine.footprints.manifest import Manifest, load_manifest
from svmine.tables.render import TEXT_RENDERERS

FORMATS = ("table", "markdown", "csv", "xlsx", "json")


def make_table(
    db: str | Path,
    *,
    category: str = "social_value",
    level: str = "footprint",
    manifest: str | Path | Manifest | None = None,
    compare_with: str | None = None,
    min_probability: float = DEFAULT_MIN_PROBABILITY,
) -> Table:
    """Open the store at ``db`` read-only and build the table (with comparison if asked)."""
    from svmine.store import Store

    store = Store.open(db, mode="ro")  # refuses what is not an svmine store before the manifest is read
    try:
        placed = manifest if isinstance(manifest, Manifest) else load_manifest(manifest) if manifest else None
    except BaseException:
        store.close()
        raise
    try:
        table = build_table(store.conn, category=category, level=level, manifest=placed,
                            min_probability=min_probability)
    finally:
        store.close()
    if compare_with:
        path = appendix3_path() if compare_with == "appendix3" else Path(compare_with)
        name = "Appendix 3 (2017)" if compare_with == "appendix3" else path.name
        compare(table, load_reference_verdicts(path), name)
    return table


def write_table(table: Table, fmt: str = "table", out: str | Path | None = None,
                inputs: Iterable[str | Path | None] = ()) -> str | None:
    """Render ``table``; write it to ``out`` if given, else return the text (XLSX needs ``out``).

    ``out`` is written atomically and must not be one of ``inputs`` (``svmine.outputs``)."""
    if fmt == "xlsx":
        if out is None:
            raise SvmineError("--format xlsx needs --out FILE.xlsx")
        from svmine.tables.xlsx import write_xlsx

        with atomic_path(out, inputs) as tmp:
            write_xlsx(table, tmp)
        return None
    if fmt not in TEXT_RENDERERS:
        raise SvmineError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")
    text = TEXT_RENDERERS[fmt](table)
    if out is None:
        return text
    write_text(out, text, inputs)
    return None
