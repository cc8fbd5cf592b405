"""Resolve free-text CCG, STP and region names to official codes, saying how sure the answer is.

Scoring. Every query is compared with every reference name (official names plus known variants),
on normalised text, by four scorers, each aimed at a failure mode:

- ``fuzz.ratio`` (Indel similarity): misspellings, OCR confusions, lost first letters
  ("est Yorkshire" -> "West Yorkshire") -- whole-string, so a longer wrong name is penalised
  for every character it has in excess;
- ``fuzz.token_sort_ratio``: reordered place lists ("Milton Keynes, Bedfordshire and Luton");
- token-set similarity (``tokensets.py``: ``token_set_ratio``'s formula computed for all pairs
  with sparse matrices, as rapidfuzz's own is slow in ``cdist``) minus ``subset_penalty``:
  dropped or extra words ("West Yorkshire and Harrogate" vs "West Yorkshire"). token_set gives
  100 whenever one name's words are a subset of the other's, which is how ``WRatio`` ends up
  confidently wrong; the penalty caps such a match below an exact one, and when the shared words
  are in several footprints ("East London") the ties leave no margin, so the answer goes to
  review. When one side has a *place* word the other lacks ("South West London" vs "West
  London", "Kent and Medway" vs "Medway") the larger ``extra_place_penalty`` keeps the match
  below ``accept``;
- within ``typo_edits`` edits, an OSA similarity (a swap of two letters is one edit, where Indel
  counts two): swapped letters ("Droset" -> "Dorset").

The combined score of a footprint is the maximum over its reference names of
``max(ratio, token_sort, token_set - penalty, near-typo OSA)``, plus ratio/1000 to break ties.
No ``partial_ratio``: it scores a short fragment found inside a long wrong name as 100.

Status. ``exact``: the query literally equals a reference name (an official name or a listed
variant) once case, accents, punctuation, stopwords and organisation words are ignored, or it is an
official/ODS code. A query that meets a name only through the matching rules' rewrites -- "&" read
as "and", an abbreviation expanded ("NE" -> "north east", "Glos"), OCR digits read as letters,
CamelCase split -- is ``accepted`` at most: "Bath & NE Somerset" is very likely NHS Bath and North
East Somerset CCG, but it is not that name (``normalise.literal_form``). ``accepted``: score >= ``accept`` and margin (best minus best *other* footprint) >= ``min_margin``
and no other footprint is as few OSA edits away when the best is within ``typo_edits``
("Brnet" is one edit from Brent and from Barnet); ``review``: score >= ``review`` otherwise; ``no_match``: below ``review``. Defaults were set on the
evaluation in ``scripts/eval_resolver.py`` (see the README (Footprints)).

Two footprints in one name ("Frimley Health / Hampshire and Isle of Wight") are found by
splitting on separators, or on "and"/"&" when the whole name is not accepted, and keeping the
split only when every part is accepted, scores higher than the whole did, and the parts name
different footprints.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Iterable, Mapping

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from svmine.errors import ReferenceDataError
from svmine.footprints.normalise import literal_form, normalise
from svmine.footprints.reference import Reference, load_reference
from svmine.footprints.tokensets import TokenSets
from svmine.model import NameMatch

KINDS = ("stp", "ccg", "region")
EXACT, ACCEPTED, REVIEW, NO_MATCH = "exact", "accepted", "review", "no_match"
CONFIDENT = (EXACT, ACCEPTED)

DEFAULT_ACCEPT = 88.0  # combined score (0-100) from which an answer may be accepted
DEFAULT_REVIEW = 60.0  # below this nothing is proposed: no_match
DEFAULT_MIN_MARGIN = 8.0  # best minus runner-up (another footprint) needed to accept
DEFAULT_SUBSET_PENALTY = 8.0  # taken off token_set_ratio: a subset match is never "exact-like"
DEFAULT_EXTRA_PLACE_PENALTY = 13.0  # instead, when one side has a place word the other lacks
DEFAULT_TYPO_EDITS = 2  # a best answer this few edits away must not tie with another footprint

# Words of official names that do not say *where*: dropping or adding them is not naming another area.
GENERIC_WORDS = frozenset({"health", "city", "district", "districts", "rural", "borough", "county", "heartlands"})

_CODE = re.compile(r"E(38|40|54)\d{6}")
_ODS = re.compile(r"\d\d[A-Z0-9]")
_SEPARATORS = re.compile(r"\s*(?:/|;|\||\+|\s-\s|\n)\s*")
_AND = re.compile(r"\s+(?:and|&)\s+|\s*&\s*", re.IGNORECASE)


@dataclass(frozen=True)
class Candidate:
    code: str
    name: str  # official name
    matched: str = ""  # the reference name that scored best (official or a variant)
    source: str = "official"  # where that reference name comes from


@dataclass
class Resolution:
    query: str
    status: str
    best: Candidate | None = None
    score: float = 0.0
    runner_up: Candidate | None = None
    runner_up_score: float = 0.0
    margin: float = 0.0
    matches: list[Candidate] = field(default_factory=list)
    reason: str = ""
    normalised: str = ""
    closest: Candidate | None = None  # for no_match: the best-scoring name, too far to be proposed

    @property
    def confident(self) -> bool:
        return self.status in CONFIDENT

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def name_match(self, kind: str) -> NameMatch:
        """This resolution as a document result's ``name_matches`` row."""
        return NameMatch(
            kind, self.query,
            candidate_code=self.best.code if self.best else None,
            candidate_name=self.best.name if self.best else None,
            score=round(self.score, 1),
            runner_up_code=self.runner_up.code if self.runner_up else None,
            runner_up_name=self.runner_up.name if self.runner_up else None,
            margin=round(self.margin, 1),
            status=self.status,
        )


@dataclass(frozen=True)
class _Choice:
    norm: str
    code: str
    matched: str
    source: str


class Resolver:
    """Resolve names of one ``kind`` ("stp", "ccg", "region"); ``year`` picks the CCG list.

    ``svmine.footprints.era_resolver`` subclasses it for the other eras (2020-2022, ICBs, Sub
    ICB Locations) through the hooks ``_check_kind``, ``_official_names``, ``_choices``,
    ``_place_words``, ``_ods_codes`` and ``_constraint``.
    """

    _ods_pattern = _ODS

    def __init__(
        self,
        kind: str = "stp",
        year: int = 2017,
        *,
        reference: Reference | None = None,
        accept: float = DEFAULT_ACCEPT,
        review: float = DEFAULT_REVIEW,
        min_margin: float = DEFAULT_MIN_MARGIN,
        subset_penalty: float = DEFAULT_SUBSET_PENALTY,
        extra_place_penalty: float = DEFAULT_EXTRA_PLACE_PENALTY,
        typo_edits: int = DEFAULT_TYPO_EDITS,
        exclude_sources: Iterable[str] = (),
    ):
        self._check_kind(kind, year)
        if not 0 <= review <= accept <= 100:
            raise ValueError(f"thresholds must satisfy 0 <= review ({review}) <= accept ({accept}) <= 100")
        self.kind, self.year = kind, int(year)
        self.ref = reference or load_reference()
        self.accept, self.review, self.min_margin, self.subset_penalty = accept, review, min_margin, subset_penalty
        self.typo_edits, self.extra_place_penalty = typo_edits, extra_place_penalty
        self.exclude_sources = frozenset(exclude_sources)
        self.names = self._official_names()
        choices = sorted(set(self._choices()), key=lambda c: (c.code, c.source != "official", c.norm))
        self._choices_list = choices
        self._norms = [c.norm for c in choices]
        self._lengths = np.array([len(n) for n in self._norms])
        self._token_sets = TokenSets(self._norms, self._place_words())
        self.codes = sorted(self.names)
        index = self._code_index = {code: i for i, code in enumerate(self.codes)}
        self._choice_code = np.array([index[c.code] for c in choices])
        self._starts = np.searchsorted(self._choice_code, np.arange(len(self.codes)))
        self._exact: dict[str, set[str]] = {}
        self._literal: dict[str, dict[str, _Choice]] = {}
        for c in choices:
            self._exact.setdefault(c.norm, set()).add(c.code)
            self._literal.setdefault(literal_form(c.matched), {}).setdefault(c.code, c)
        self._ods = self._ods_codes()
        self._sub: dict[str, Resolver] = {}

    # -- reference names (subclasses resolving other geographies override these) -----------
    @staticmethod
    def _check_kind(kind: str, year: int) -> None:
        if kind not in KINDS:
            raise ReferenceDataError(f"unknown kind {kind!r}; use one of {', '.join(KINDS)}")
        if int(year) not in (2016, 2017):
            raise ReferenceDataError(f"no CCG list for {year}; use 2016 or 2017")

    def _place_words(self) -> frozenset[str]:
        return _place_words(self.ref)

    def _ods_codes(self) -> dict[str, str]:
        return {c.ods.upper(): c.code for c in self.ref.ccgs[self.year].values()} if self.kind == "ccg" else {}

    def _official_names(self) -> dict[str, str]:
        if self.kind == "stp":
            return {s.code: s.name for s in self.ref.stps.values()}
        if self.kind == "region":
            return {r.code: r.name for r in self.ref.regions.values()}
        return {c.code: c.name for c in self.ref.ccgs[self.year].values()}

    def _choices(self) -> Iterable[_Choice]:
        for code, name in self.names.items():
            yield _Choice(normalise(name), code, name, "official")
        if self.kind == "stp":
            for v in self.ref.variants:
                if v.source not in self.exclude_sources:
                    yield _Choice(normalise(v.name), v.stp_code, v.name, v.source)
        elif self.kind == "region":
            for r in self.ref.regions.values():
                yield _Choice(normalise(r.short_name), r.code, r.short_name, "short_name")
        else:
            yield from self._other_year_names()

    def _other_year_names(self) -> Iterable[_Choice]:
        """Names of the other year that point to exactly one CCG of this year.

        2017: a 2016 CCG that went whole into one 2017 CCG ("NHS Central Manchester CCG" ->
        "NHS Manchester CCG"). 2016: a 2017 CCG formed from part of a single 2016 CCG
        ("NHS North Cumbria CCG" -> "NHS Cumbria CCG"). Merged or split names stay ambiguous.
        """
        if self.year == 2017:
            for ch in self.ref.changes:
                if ch.share >= 0.999:
                    name = self.ref.ccgs[2016][ch.ccg16_code].name
                    yield _Choice(normalise(name), ch.ccg17_code, name, "predecessor_2016")
        else:
            for code17 in {ch.ccg17_code for ch in self.ref.changes}:
                sources = {ch.ccg16_code for ch in self.ref.predecessors(code17)}
                if len(sources) == 1:
                    name = self.ref.ccgs[2017][code17].name
                    yield _Choice(normalise(name), sources.pop(), name, "successor_2017")

    # -- public ---------------------------------------------------------------------------
    def resolve(self, name: str, context: Mapping[str, Any] | str | None = None) -> Resolution:
        return self.resolve_many([name], [context])[0]

    def resolve_many(
        self, names: Iterable[str], contexts: Iterable[Mapping[str, Any] | str | None] | None = None
    ) -> list[Resolution]:
        names = ["" if n is None else str(n) for n in names]
        contexts = list(contexts) if contexts is not None else [None] * len(names)
        if len(contexts) != len(names):
            raise ValueError("contexts must be as many as names")
        results = self._resolve_plain(names, contexts)
        self._split_multi(results, contexts)
        return results

    # -- core -----------------------------------------------------------------------------
    def _resolve_plain(self, names: list[str], contexts: list) -> list[Resolution]:
        norms = [normalise(n) for n in names]
        unique = sorted({n for n in norms if n})
        choice_scores, choice_edits = self._score(unique)
        code_scores = np.maximum.reduceat(choice_scores, self._starts, axis=1) if unique else choice_scores
        edits = np.minimum.reduceat(choice_edits, self._starts, axis=1) if unique else choice_edits
        row = {n: i for i, n in enumerate(unique)}
        masks: dict[str, tuple[np.ndarray | None, str]] = {}
        decided: dict[tuple[str, str, str], Resolution] = {}
        out = []
        for name, norm, ctx in zip(names, norms, contexts):
            key = repr(sorted(ctx.items())) if isinstance(ctx, Mapping) else repr(ctx)
            if key not in masks:
                masks[key] = self._constraint(ctx)
            mask, note = masks[key]
            direct = self._direct_code(name, mask)
            if direct:
                out.append(direct)
            elif not norm:
                out.append(Resolution(name, NO_MATCH, reason="nothing left after normalisation"))
            elif (norm, literal_form(name), key) in decided:  # same names, same context: same answer
                done = decided[norm, literal_form(name), key]
                out.append(replace(done, query=name, matches=list(done.matches)))
            else:
                i = row[norm]
                done = self._decide(name, norm, code_scores[i], choice_scores[i], edits[i], mask, note)
                decided[norm, literal_form(name), key] = done
                out.append(done)
        return out

    def _score(self, queries: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """(combined scores, OSA edit counts), one row per query, one column per reference name.

        OSA counts a swap of two letters as one edit where Indel counts two, so "Droset" is as
        close to "Dorset" as a dropped letter would be; the near-typo score is used only within
        ``typo_edits`` edits, so unrelated names keep Indel's low floor. The edit counts also
        reveal ties Indel hides: "Brnet" is one edit from both Brent and Barnet.
        """
        if not queries:
            empty = np.zeros((0, len(self._norms)))
            return empty.astype(np.float32), empty.astype(np.int32)
        kw = {"dtype": np.float32, "workers": -1}
        ratio = process.cdist(queries, self._norms, scorer=fuzz.ratio, **kw)
        scores = ratio.copy()
        np.maximum(scores, process.cdist(queries, self._norms, scorer=fuzz.token_sort_ratio, **kw), out=scores)
        subset, extra_place = self._token_sets.score(queries)
        subset -= np.where(extra_place, self.extra_place_penalty, self.subset_penalty).astype(np.float32)
        np.maximum(scores, subset, out=scores)
        edits = process.cdist(queries, self._norms, scorer=OSA.distance, dtype=np.int32, workers=-1)
        lengths = np.array([len(q) for q in queries])[:, None] + self._lengths[None, :]
        typo = np.where(edits <= self.typo_edits, 100.0 * (1.0 - edits / np.maximum(lengths, 1)), 0.0)
        np.maximum(scores, typo.astype(np.float32), out=scores)
        scores += ratio * np.float32(0.001)  # breaks ties (at most 0.1) towards the closer whole string
        return scores, edits

    def _typo_tie(self, best_i: int, edits: np.ndarray, mask) -> str | None:
        """The name of another footprint as few edits away as the best one, if the best is a near-typo."""
        near = int(edits[best_i])
        if near > self.typo_edits:
            return None
        others = edits.copy()
        others[best_i] = np.iinfo(np.int32).max
        if mask is not None:
            others[~mask] = np.iinfo(np.int32).max
        j = int(np.argmin(others))
        return self.names[self.codes[j]] if others[j] <= near else None

    @staticmethod
    def _top_two(scores: np.ndarray) -> tuple[int, int | None]:
        """Indexes of the best and second-best allowed footprints (masked ones score below 0)."""
        best = int(np.argmax(scores))
        if len(scores) < 2:
            return best, None
        kept = scores[best]
        scores[best] = -np.inf
        second = int(np.argmax(scores))
        scores[best] = kept
        return best, (second if scores[second] >= 0 else None)

    def _decide(self, name, norm, code_scores, choice_scores, edits, mask, note) -> Resolution:
        scores = code_scores.copy()
        if mask is not None:
            scores[~mask] = -1.0
        exact = [c for c in sorted(self._exact.get(norm, ())) if mask is None or mask[self._code_index[c]]]
        if len(exact) == 1:
            scores[self._code_index[exact[0]]] = 100.0
        best_i, second_i = self._top_two(scores)
        best_score = float(scores[best_i])
        second_score = float(scores[second_i]) if second_i is not None else 0.0
        margin = best_score - second_score
        res = Resolution(name, NO_MATCH, score=round(best_score, 1), runner_up_score=round(second_score, 1),
                         margin=round(margin, 1), normalised=norm)
        if best_score < 0:
            res.reason = "no candidate left after the context constraint" + note
            return res
        res.best = self._candidate(best_i, choice_scores)
        res.runner_up = self._candidate(second_i, choice_scores) if second_i is not None else None
        res.status, res.reason = self._status(res, exact, edits, mask, best_i)
        if res.status == NO_MATCH:
            res.closest, res.best, res.runner_up = res.best, None, None
        res.matches = [res.best] if res.best else []
        res.reason += note
        return res

    def _status(self, res: Resolution, exact: list[str], edits, mask, best_i: int) -> tuple[str, str]:
        """(status, reason) for a scored resolution; see the module docstring for the rules."""
        best, margin, nxt = res.best, res.margin, res.runner_up.name if res.runner_up else "-"
        if len(exact) == 1:
            same = self._literal.get(literal_form(res.query), {}).get(best.code)
            if same is not None:
                return EXACT, f"equals the {same.source} name {same.matched!r}"
            return ACCEPTED, (f"matches the {best.source} name {best.matched!r} only once '&', abbreviations"
                              " or look-alike digits are rewritten")
        if len(exact) > 1:
            return REVIEW, f"equals names of {len(exact)} footprints: {', '.join(exact)}"
        if res.score < self.review:
            return NO_MATCH, (f"closest is {best.name!r} ({best.code}) at {res.score:.0f}, below"
                              f" {self.review:.0f}")
        if res.score < self.accept:
            return REVIEW, f"score {res.score:.0f} < {self.accept:.0f}: best {best.name!r}, next {nxt!r}"
        if margin < self.min_margin:
            return REVIEW, f"margin {margin:.0f} < {self.min_margin:.0f}: best {best.name!r}, next {nxt!r}"
        tie = self._typo_tie(best_i, edits, mask)
        if tie:
            return REVIEW, f"as few letters from {tie!r} as from {best.name!r}"
        return ACCEPTED, f"close to {best.matched!r}, {margin:.0f} ahead of the next"

    def _candidate(self, code_i: int, choice_scores: np.ndarray) -> Candidate:
        start = int(self._starts[code_i])
        end = int(self._starts[code_i + 1]) if code_i + 1 < len(self._starts) else len(self._norms)
        choice = self._choices_list[start + int(np.argmax(choice_scores[start:end]))]
        return Candidate(choice.code, self.names[choice.code], choice.matched, choice.source)

    def _direct_code(self, name: str, mask) -> Resolution | None:
        text = name.strip().upper()
        if _CODE.fullmatch(text):
            code = text if text in self.names else None
        else:
            code = self._ods.get(text) if self._ods_pattern.fullmatch(text) else None
        if not code or (mask is not None and not mask[self._code_index[code]]):
            return None
        cand = Candidate(code, self.names[code], text, "code")
        return Resolution(name, EXACT, best=cand, score=100.0, margin=100.0, matches=[cand],
                          reason="official code", normalised=text)

    # -- two footprints in one name --------------------------------------------------------
    @staticmethod
    def _splits(whole: Resolution) -> list[list[str]]:
        """Ways to cut a name into footprint names: at separators, or at each "and"/"&"."""
        name = whole.query
        splits: list[list[str]] = []
        if _SEPARATORS.search(name):
            splits.append([p for p in _SEPARATORS.split(name) if p.strip()])
        if whole.status not in CONFIDENT:
            splits += [[name[: m.start()], name[m.end() :]] for m in _AND.finditer(name)]
        return [parts for parts in splits if len(parts) >= 2]

    def _split_multi(self, results: list[Resolution], contexts: list) -> None:
        """Replace, in place, results whose name holds several footprints (parts resolved in one batch)."""
        todo = [(i, parts) for i, r in enumerate(results) if r.status != EXACT for parts in self._splits(r)]
        if not todo:
            return
        flat = [p for _, parts in todo for p in parts]
        found = iter(self._resolve_plain(flat, [contexts[i] for i, parts in todo for _ in parts]))
        done: set[int] = set()
        for i, parts in todo:
            got = [next(found) for _ in parts]
            if i in done:
                continue
            codes = [r.best.code for r in got if r.best]
            # every part must fit better than the whole does, or "North Eats Hampshire and Farnham"
            # would become two CCGs instead of a misspelt one
            better = all(r.score > results[i].score for r in got)
            if better and all(r.status in CONFIDENT for r in got) and len(set(codes)) == len(codes):
                results[i] = self._combine(results[i].query, got)
                done.add(i)

    def _combine(self, name: str, parts: list[Resolution]) -> Resolution:
        status = EXACT if all(p.status == EXACT for p in parts) else ACCEPTED
        names = "; ".join(p.best.name for p in parts)
        return Resolution(
            name, status, best=parts[0].best, score=min(p.score for p in parts), margin=min(p.margin for p in parts),
            matches=[p.best for p in parts], reason=f"names {len(parts)} footprints: {names}",
            normalised=" | ".join(p.normalised for p in parts),
        )

    # -- context --------------------------------------------------------------------------
    def _constraint(self, context) -> tuple[np.ndarray | None, str]:
        """(mask of allowed codes, note for the reason) from a context such as {"stp": ...}."""
        if not context:
            return None, ""
        if isinstance(context, str):
            context = {"stp": context} if self.kind == "ccg" else {"region": context}
        allowed: set[str] | None = None
        notes = []
        for key in ("stp", "region"):
            value = context.get(key)
            if not value or (key == "stp" and self.kind != "ccg") or self.kind == "region":
                continue
            res = self._sub_resolver(key).resolve(str(value))
            if res.status not in CONFIDENT:
                notes.append(f"; context {key} {value!r} not resolved ({res.status}), not used")
                continue
            codes = self._codes_within(key, [m.code for m in res.matches])
            allowed = codes if allowed is None else allowed & codes
            notes.append(f"; limited to {key} {', '.join(m.name for m in res.matches)}")
        if allowed is None:
            return None, "".join(notes)
        return np.array([c in allowed for c in self.codes]), "".join(notes)

    def _codes_within(self, key: str, codes: list[str]) -> set[str]:
        stps = set(codes) if key == "stp" else {s.code for r in codes for s in self.ref.stps_in_region(r)}
        if self.kind == "stp":
            return stps
        return {m.ccg_code for m in self.ref.ccg_stp[self.year] if m.stp_code in stps}

    def _sub_resolver(self, kind: str) -> "Resolver":
        if kind not in self._sub:
            self._sub[kind] = Resolver(kind, self.year, reference=self.ref)
        return self._sub[kind]


def _place_words(ref: Reference) -> frozenset[str]:
    """Words of the official CCG, STP and region names (not of variants, which add branding)."""
    names = [s.name for s in ref.stps.values()] + [r.name for r in ref.regions.values()]
    names += [c.name for year in ref.ccgs.values() for c in year.values()]
    return frozenset(w for name in names for w in normalise(name).split()) - GENERIC_WORDS
