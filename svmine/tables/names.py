"""How tables and the report name things a user typed or a store holds.

``short_names``: a document is shown by its file name, or by the shortest path suffix that tells
it apart from every other document of the store (``2017/plan.pdf`` beside ``2016/plan.pdf``).

``pick_region`` / ``pick_footprints``: filter values are checked against the reference lists; a
value that matches nothing is refused with the valid values or the closest ones (rapidfuzz), so
a misspelling never yields an empty table that looks like a finding.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Iterable, Sequence

from svmine.errors import SvmineError
from svmine.tables.footprints import Footprint


class FilterValueError(SvmineError):
    """A filter value (region, footprint) that names nothing: a usage error."""

    code = "bad_filter"


def _parts(path: str) -> list[str]:
    return [p for p in path.replace("\\", "/").split("/") if p]


def short_names(paths: Iterable[str]) -> dict[str, str]:
    """path -> its shortest unique suffix of whole path components (the file name when unique)."""
    unique = list(dict.fromkeys(paths))
    parts = {p: _parts(p) or [p] for p in unique}
    out: dict[str, str] = {}
    depth = 1
    pending = unique
    while pending:
        tails = {p: "/".join(parts[p][-depth:]) for p in pending}
        seen = Counter("/".join(parts[p][-depth:]) for p in unique)
        left = []
        for p in pending:
            if seen[tails[p]] == 1 or depth >= len(parts[p]):
                out[p] = tails[p] if seen[tails[p]] == 1 else p
            else:
                left.append(p)
        pending, depth = left, depth + 1
    return out


def _fold(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower().replace("&", " and ")).strip()


def _words(text: str) -> list[str]:
    return [w for w in _fold(text).split() if w not in ("and", "the", "of")]


def _suggest(value: str, choices: Sequence[str], limit: int = 3, cutoff: float = 70.0) -> list[str]:
    """Choices closest to ``value``, word by word: each typed word scores against its best match
    among the choice's words (rapidfuzz ``ratio``), averaged. Whole-string scorers favour long
    names that happen to share letters ("Narnia" ~ "Cumbria"); words keep "Cornwal and Scily"
    next to "Cornwall and the Isles of Scilly"."""
    from rapidfuzz import fuzz

    typed = _words(value)
    if not typed:
        return []
    scored = []
    for choice in choices:
        words = _words(choice)
        score = sum(max((fuzz.ratio(t, w) for w in words), default=0.0) for t in typed) / len(typed)
        if score >= cutoff:
            scored.append((-score, choices.index(choice), choice))
    return [c for _, _, c in sorted(scored)[:limit]]


def pick_region(value: str, regions: Sequence[str]) -> str:
    """The region ``value`` names (case and punctuation ignored), or FilterValueError."""
    folded = _fold(value)
    for region in regions:
        if _fold(region) == folded:
            return region
    near = _suggest(value, regions)
    hint = f"did you mean {' or '.join(near)}? " if near else ""
    raise FilterValueError(f"--region: no region {value!r}; {hint}valid regions: {', '.join(regions)}")


def pick_footprints(value: str, footprints: Sequence[Footprint]) -> list[Footprint]:
    """Footprints ``value`` names: a code, a whole name, or a part of one name.

    A part that fits several names is refused with the candidates (a filter must be deliberate);
    one that fits none is refused with the closest names.
    """
    folded = _fold(value)
    if not folded:
        raise FilterValueError("--footprint: empty value")
    for f in footprints:
        if f.code.lower() == value.strip().lower() or _fold(f.name) == folded:
            return [f]
    parts = [f for f in footprints if folded in _fold(f.name)]
    if len(parts) == 1:
        return parts
    if parts:
        names = "; ".join(f"{f.name} ({f.code})" for f in parts)
        raise FilterValueError(f"--footprint: {value!r} fits several footprints: {names}")
    near = _suggest(value, [f.name for f in footprints])
    hint = ("did you mean " + " or ".join(near) + "?") if near else "`svmine footprints` lists them all"
    raise FilterValueError(f"--footprint: no footprint {value!r} (a code E54…, a name or part of one); {hint}")
