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
    region: str | None = None,
    footprint: str | None = None,
    geography: str = "stp2017",
) -> Table:
    """Open the store at ``db`` and build the table (with comparison if asked).

    Refused (``SvmineError``, a usage error): a region or footprint that names nothing; Appendix 3
    beside anything but the social value table by footprint (it answers that question only); a CCG
    table when no stored document is placed at CCG level (it would be empty, which reads as a
    finding).
    """
    from svmine.store import Store

    if compare_with == "appendix3" and (category != "social_value" or level != "footprint"):
        raise SvmineError("--compare appendix3 answers 'does the footprint mention social value?':"
                          " use it with --category social_value --level footprint")
    if compare_with and compare_with != "appendix3" and level == "ccg":
        raise SvmineError("--compare needs footprint or document codes: not available with --level ccg")
    from svmine.tables.footprints import load_geography

    if geography != "stp2017" and (compare_with == "appendix3" or level == "ccg"):
        raise SvmineError(f"--geography {geography}: --compare appendix3 and --level ccg are for the 2017 footprints"
                          " (stp2017) only")
    rows_of = load_geography(geography)
    only = _selected_codes(region, footprint, rows_of if geography != "stp2017" else None)
    store = Store.open(db, mode="ro")  # refuses what is not an svmine store before the manifest is read
    try:
        placed = manifest if isinstance(manifest, Manifest) else load_manifest(manifest) if manifest else None
    except BaseException:
        store.close()
        raise
    try:
        table = build_table(store, category=category, level=level, manifest=placed,
                            min_probability=min_probability, only=only, footprints=rows_of, geography=geography)
    finally:
        store.close()
    if level == "ccg" and not table.rows:
        where = " in the footprints chosen" if only is not None else ""
        raise NoRowsError(
            f"--level ccg: no stored document{where} is placed at CCG level, so a CCG table would be empty;"
            " place CCG documents with a manifest (a ccg_code column) or use --level footprint/document")
    if compare_with:
        path = appendix3_path() if compare_with == "appendix3" else Path(compare_with)
        name = "Appendix 3 (2017)" if compare_with == "appendix3" else path.name
        compare(table, load_reference_verdicts(path), name)
    if only is not None:
        table.notes.insert(0, "rows shown: " + "; ".join(
            x for x in (f"region {region}" if region else "", f"footprint {footprint}" if footprint else "") if x))
    return table


class NoRowsError(SvmineError):
    """The data cannot support the table asked for."""

    code = "no_rows"


def _selected_codes(region: str | None, footprint: str | None, rows_of=None) -> list[str] | None:
    """Footprint codes a ``--region``/``--footprint`` filter keeps (None: no filter).

    ``rows_of``: the footprints of another geography (ICBs) to pick from; default the 2017 STPs."""
    if not region and not footprint:
        return None
    from svmine.tables.footprints import load_footprints, region_order
    from svmine.tables.names import FilterValueError, pick_footprints, pick_region

    every = tuple(rows_of) if rows_of is not None else load_footprints()[0]
    stps = every
    if region:
        regions = region_order() if rows_of is None else tuple(dict.fromkeys(f.region for f in every))
        chosen = pick_region(region, regions)
        stps = tuple(f for f in stps if f.region == chosen)
    if not footprint:
        return [f.code for f in stps]
    picked = [f.code for f in pick_footprints(footprint, every) if f in stps]
    if not picked:
        raise FilterValueError(f"--footprint {footprint!r} is not in --region {region!r}")
    return picked


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
