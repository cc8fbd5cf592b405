"""Put a reference verdict (e.g. the 2017 report's Appendix 3) beside svmine's and count agreement.

Only rows where both sides say ``yes`` or ``no`` are compared: "no document" or "not read" is
not a disagreement, it is a row svmine could not judge. Cohen's kappa corrects the raw agreement
for the agreement two raters would reach by chance with the same yes/no rates.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from svmine.errors import ReferenceDataError
from svmine.review.agreement import cohen_kappa  # the auditors' kappa: one definition for both
from svmine.tables.build import Row, Table
from svmine.footprints.manifest import CODE_COLUMNS

VERDICT_COLUMNS = ("verdict", "appendix3_verdict", "mentions_social_value", "mentions social value", "reference")
NAME_COLUMNS = ("footprint", "footprint area", "name", "stp_name", "stp17nm")
TRUE = {"yes", "y", "true", "1"}
FALSE = {"no", "n", "false", "0"}


@dataclass
class Comparison:
    reference: str
    compared: int = 0
    agree: int = 0
    kappa: float | None = None
    disagreements: list[Row] = field(default_factory=list)
    not_compared: int = 0

    def line(self) -> str:
        kappa = "n/a" if self.kappa is None else f"{self.kappa:.2f}"
        return (
            f"agreement with {self.reference}: {self.agree}/{self.compared}"
            f" (Cohen's kappa {kappa}); {self.not_compared} row(s) not compared"
        )

    def to_dict(self) -> dict:
        return {
            "reference": self.reference,
            "compared": self.compared,
            "agree": self.agree,
            "kappa": self.kappa,
            "not_compared": self.not_compared,
            "disagreements": [r.code for r in self.disagreements],
        }


def appendix3_path() -> Path:
    """The report's published Appendix 3, shipped by the footprints package."""
    return Path(str(resources.files("svmine.footprints").joinpath("data/appendix3_2017.csv")))


def _normal(value: str | None) -> str | None:
    text = (value or "").strip().lower()
    return "yes" if text in TRUE else "no" if text in FALSE else None


def load_reference_verdicts(path: str | Path) -> dict[str, str]:
    """footprint code -> "yes"/"no" from a CSV with a verdict column and a code column — or, failing
    that, a name column (``footprint``, ``name``, ``footprint area``) resolved to codes by the
    footprints resolver, so a table typed from a report works as it is."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            rows = list(csv.DictReader(fh))
    except OSError as exc:
        raise ReferenceDataError(f"cannot read reference ({exc.strerror})", str(path)) from exc
    columns = {c.strip().lower(): c for c in (rows[0] if rows else {})}
    code = next((columns[c] for c in CODE_COLUMNS if c in columns), None)
    name = next((columns[c] for c in NAME_COLUMNS if c in columns), None)
    verdict = next((columns[c] for c in VERDICT_COLUMNS if c in columns), None)
    if not (code or name) or not verdict:
        raise ReferenceDataError("reference needs a code (or footprint name) column and a verdict column", str(path))
    rows = [r for r in rows if _normal(r[verdict])]
    codes = [r[code].strip() for r in rows] if code else _resolve_names([r[name] for r in rows], path)
    return {c: _normal(r[verdict]) for c, r in zip(codes, rows) if c}


def _resolve_names(names: list[str], path: str | Path) -> list[str]:
    from svmine.footprints.resolver import Resolver

    results = Resolver("stp").resolve_many(names)
    unresolved = [n for n, r in zip(names, results) if r.status not in ("exact", "accepted") or not r.best]
    if unresolved:
        raise ReferenceDataError(f"footprint name(s) not recognised: {'; '.join(unresolved)}", str(path))
    return [r.best.code for r in results]


def compare(table: Table, reference: dict[str, str], name: str) -> Comparison:
    """Fill each row's ``reference`` and return the agreement figures."""
    result = Comparison(reference=name)
    pairs = []
    for row in table.rows:
        row.reference = reference.get(row.code)
        if row.reference in ("yes", "no") and row.verdict in ("yes", "no"):
            pairs.append((row.verdict, row.reference))
            if row.verdict != row.reference:
                result.disagreements.append(row)
        else:
            result.not_compared += 1
    result.compared, result.agree = len(pairs), sum(a == b for a, b in pairs)
    result.kappa = cohen_kappa([ours for ours, _ in pairs], [theirs for _, theirs in pairs])
    table.comparison = result
    return result
