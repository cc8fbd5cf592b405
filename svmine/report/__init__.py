"""One self-contained HTML report of a store: figures, the footprint table, a map, charts, and
every mention in context with its page.

Self-contained means no request leaves the file: CSS, JavaScript and SVG are inline, fonts are
the reader's own. All text goes through jinja2 with autoescape on, so a document that contains
``<script>`` shows it as text.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from svmine.report.build import report_context


def render_report(store, **options) -> str:
    """The report's HTML for ``store`` (a ``Store``)."""
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(
        loader=PackageLoader("svmine.report", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env.get_template("report.html.j2").render(**report_context(store, **options))


def write_report(db: str | Path, out: str | Path, *, manifest=None,
                 min_probability: float = 0.5, title: str = "Social value in NHS plans",
                 compare_with: str | None = None, geography: str = "stp2017") -> Path:
    """Read the store at ``db`` and write the report to ``out`` (atomically; never over an input).

    ``manifest`` is a CSV path or an already loaded (and checked) ``Manifest``; ``geography`` is
    ``stp2017`` (44 STPs, 2016/17) or ``icb2022`` (42 ICBs, July 2022): the table's rows and the map."""
    from svmine.footprints.manifest import Manifest, load_manifest
    from svmine.outputs import check_output, write_text
    from svmine.store import Store

    manifest_file = manifest.path if isinstance(manifest, Manifest) else manifest
    inputs = [db, manifest_file, compare_with if compare_with not in (None, "appendix3") else None]
    check_output(out, inputs)  # before anything is read: the report must never replace its inputs
    with Store.open(db, mode="ro") as store:
        placed = manifest if isinstance(manifest, Manifest) else load_manifest(manifest) if manifest else None
        html = render_report(
            store, manifest=placed, min_probability=min_probability, title=title, compare_with=compare_with,
            geography=geography, database=Path(db).name, generated=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        )
    return write_text(out, html, inputs)
