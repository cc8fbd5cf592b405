"""Resolve CCG, STP, Sub ICB Location, ICB and region names of any era, 2016-2022.

Two resolvers share the scoring of ``resolver.Resolver`` (same thresholds, same guarantees):

- ``GeographyResolver`` over a tuple of geographies (``eras.GEOGRAPHIES``). An organisation is
  keyed by its code: a code that stays (NHS Cheshire and Merseyside STP, ICS and ICB are all
  E54000008) is one candidate with all its names, so its old and new names never compete.
- ``EraResolver(kind, year)`` puts them together:

  * ``year=None``: the name is resolved over every era of the kind's lineage (CCG -> Sub ICB
    Location, or STP -> ICB) and the result says which era(s) the matched name belongs to. When
    one name belongs to two *codes* of different eras ("Birmingham and Solihull" is the STP
    E54000017 and the ICB E54000055), an organisation word in the query ("ICB", "CCG", "STP")
    picks the era; without one the answer is ``review``, naming both.
  * ``year=Y``: the geography in force in Y (``eras.geography_for``) is the target. A name of the
    target era is resolved as usual. A name that belongs to another era -- a predecessor (a 2016
    CCG for 2022) or a successor -- comes back as the organisation(s) of the target era that hold
    its area, largest LSOA share first, always with status ``review`` and the reason (which era
    the name is from, the shares). It is never ``exact`` or ``accepted``: the name does not
    name a target-era organisation, and a split area has no single answer.

Decisions:
- Organisation words are a cue only, never a score: normalisation drops them (``normalise``),
  so "NHS Barnsley CCG" and the Sub ICB Location's place name "Barnsley" tie, and the cue "CCG"
  says the name is the CCG's -- for 2022 that is a predecessor name, so ``review``.
- Years without a list in the sources (CCGs of 2018 and 2019) are refused, not guessed.
- A CCG name given as an ICB ("NHS Cumbria CCG" with ``--kind icb``): the organisation word says
  it is a CCG, so it is resolved among the CCGs of 2016-2021, and when that is confident the
  answer is every ICB holding the CCG's area with its LSOA share (Cumbria: North East and North
  Cumbria 64 %, Lancashire and South Cumbria 36 %), status ``review``. Resolved as an ICB name it
  would only reach the STP whose name is closest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable

from svmine.errors import ReferenceDataError
from svmine.footprints.eras import GEOGRAPHIES, LINEAGES, Eras, Organisation, geography_for, load_eras
from svmine.footprints.normalise import normalise
from svmine.footprints.reference import load_reference
from svmine.footprints.resolver import (
    CONFIDENT,
    EXACT,
    GENERIC_WORDS,
    REVIEW,
    Candidate,
    Resolution,
    Resolver,
    _Choice,
)
from svmine.footprints.resolver import _CODE

ERA_KINDS = ("ccg", "stp", "sub_icb", "icb", "region")
CCG_GEOGRAPHIES = ("ccg2016", "ccg2017", "ccg2020", "ccg2021")
_CODE_SUFFIX = re.compile(r"[-(]\s*([0-9][0-9A-Za-z]{2}|[A-Za-z][0-9][0-9A-Za-z]{3}|E\d{8})\s*\)?\s*$")
_ICB_ODS = re.compile(r"\d\d[A-Z0-9]|Q[A-Z0-9]{2}|Y\d\d")

# Organisation words in a query, and the geographies they point to.
_CUES: tuple[tuple[re.Pattern, frozenset[str]], ...] = (
    (re.compile(r"\b(ccgs?|clinical commissioning groups?)\b", re.I),
     frozenset({"ccg2016", "ccg2017", "ccg2020", "ccg2021"})),
    (re.compile(r"\b(icb|integrated care board)\b(?!\s*-?\s*\d\d[a-z0-9]\b)", re.I), frozenset({"icb2022"})),
    (re.compile(r"\bicb\s*-?\s*\d\d[a-z0-9]\b|\bsub[ -]?icb\b", re.I), frozenset({"sub_icb2022"})),
    (re.compile(r"\b(stps?|sustainability and transformation)\b", re.I), frozenset({"stp2017", "stp2020"})),
)


@dataclass
class EraResolution(Resolution):
    """A ``Resolution`` that says which era(s) the matched name belongs to (``era``)."""

    era: str = ""  # geographies of the matched name, e.g. "ccg2016" or "stp2017, stp2020, icb2022"
    geography: str = ""  # geography of ``best`` (the target one when a year was given)


class GeographyResolver(Resolver):
    """``Resolver`` over the organisations (official names and variants) of some geographies."""

    _ods_pattern = _ICB_ODS

    def __init__(self, geographies: Iterable[str], *, eras: Eras | None = None, **thresholds: Any):
        self.geographies = tuple(geographies)
        unknown = [g for g in self.geographies if g not in GEOGRAPHIES]
        if not self.geographies or unknown:
            raise ReferenceDataError(f"unknown geography {unknown}; use {', '.join(GEOGRAPHIES)}")
        self.eras = eras or load_eras()
        self._geos_of: dict[tuple[str, str], set[str]] = {}
        kind = GEOGRAPHIES[self.geographies[-1]][0]
        super().__init__(kind, GEOGRAPHIES[self.geographies[-1]][1], reference=load_reference(), **thresholds)

    @staticmethod
    def _check_kind(kind: str, year: int) -> None:
        if kind not in ERA_KINDS:
            raise ReferenceDataError(f"unknown kind {kind!r}; use one of {', '.join(ERA_KINDS)}")

    def _official_names(self) -> dict[str, str]:
        names: dict[str, str] = {}
        for geo in self.geographies:  # chronological: a code's latest name is its official one
            names.update({code: org.name for code, org in self.eras.geography(geo).items()})
        return names

    def _choices(self) -> Iterable[_Choice]:
        def choice(geo: str, code: str, name: str, source: str) -> _Choice:
            norm = normalise(name)
            self._geos_of.setdefault((code, norm), set()).add(geo)
            return _Choice(norm, code, name, source)

        for geo in self.geographies:
            for code, org in self.eras.geography(geo).items():
                yield choice(geo, code, org.name, geo)
                if GEOGRAPHIES[geo][0] == "region":
                    short = self.ref.regions[code].short_name if code in self.ref.regions else ""
                    if short:
                        yield choice(geo, code, short, f"{geo} short_name")
        for v in self.eras.variants:
            if v.geography in self.geographies:
                yield choice(v.geography, v.code, v.name, f"{v.geography} {v.source}")
        if "stp2017" in self.geographies:  # the 2017 resolver's public STP variants
            for v in self.ref.variants:
                yield choice("stp2017", v.stp_code, v.name, f"stp2017 {v.source}")

    def _place_words(self) -> frozenset[str]:
        words = {w for geo in self.eras.orgs.values() for org in geo.values() for w in normalise(org.name).split()}
        return frozenset(w for w in words if not any(ch.isdigit() for ch in w)) - GENERIC_WORDS

    def _ods_codes(self) -> dict[str, str]:
        ods: dict[str, str] = {}
        for geo in self.geographies:  # a reused ODS code means its latest organisation
            ods.update({org.ods.upper(): code for code, org in self.eras.geography(geo).items() if org.ods})
        return ods

    def _constraint(self, context) -> tuple[Any, str]:
        if context:
            raise ReferenceDataError(f"a context column is supported for the 2016/2017 lists only, not {self.geographies}")
        return None, ""

    def _splits(self, whole: Resolution) -> list[list[str]]:
        """As ``Resolver._splits``, but "NHS Frimley ICB - 15A" is one name with a (here wrong)
        code, the form of Sub ICB Location names, not two footprints: a part that is only a code is
        no footprint name."""
        return [parts for parts in super()._splits(whole)
                if not any(self._ods_pattern.fullmatch(p.strip().upper()) or _CODE.fullmatch(p.strip().upper())
                           for p in parts)]

    def geographies_of(self, cand: Candidate) -> list[str]:
        """The geographies in which ``cand``'s code carries the name that matched (in era order)."""
        if cand.source == "code" or not cand.matched:
            geos = {g for g in self.geographies if cand.code in self.eras.geography(g)}
        else:
            geos = self._geos_of.get((cand.code, normalise(cand.matched)), set())
        return [g for g in self.geographies if g in geos]


def _cued(query: str) -> frozenset[str]:
    found: set[str] = set()
    for pattern, geos in _CUES:
        if pattern.search(query):
            found |= geos
    return frozenset(found)


class EraResolver:
    """Resolve names of ``kind`` for ``year`` (or of any era when ``year`` is None); see the module docstring."""

    def __init__(self, kind: str, year: int | None = None, *, eras: Eras | None = None, **thresholds: Any):
        if kind not in LINEAGES:
            raise ReferenceDataError(f"unknown kind {kind!r}; use one of {', '.join(LINEAGES)}")
        self.kind, self.year = kind, year
        self.eras = eras or load_eras()
        self.lineage = LINEAGES[kind]
        self.target = geography_for(kind, int(year)) if year is not None else None
        self._thresholds = thresholds
        self._resolvers: dict[tuple[str, ...], GeographyResolver] = {}
        self._resolvers_by_kind: dict[str, GeographyResolver] = {}  # other lineages (CCGs asked as ICBs)
        self.family = self._resolver(self.lineage)

    def _resolver(self, geographies: Iterable[str]) -> GeographyResolver:
        key = tuple(g for g in self.lineage if g in set(geographies))
        if key not in self._resolvers:
            self._resolvers[key] = GeographyResolver(key, eras=self.eras, **self._thresholds)
        return self._resolvers[key]

    def resolve(self, name: str) -> EraResolution:
        return self.resolve_many([name])[0]

    def resolve_many(self, names: Iterable[str]) -> list[EraResolution]:
        names = ["" if n is None else str(n) for n in names]
        family = self.family.resolve_many(names)
        if self.target is None:
            out = [self._any_era(n, r) for n, r in zip(names, family)]
        else:
            only = self._resolver((self.target,)).resolve_many(names)
            out = [self._for_target(n, f, o) for n, f, o in zip(names, family, only)]
        for res in out:
            self._check_code_suffix(res)
        if self.kind == "icb":
            out = [self._ccg_named(n) or r for n, r in zip(names, out)]
        return out

    def _ccg_named(self, name: str) -> EraResolution | None:
        """A CCG name asked as an ICB: the ICBs holding its area, as ``review`` (module docstring)."""
        if not _cued(name) & set(CCG_GEOGRAPHIES):
            return None
        if "ccg" not in self._resolvers_by_kind:
            self._resolvers_by_kind["ccg"] = GeographyResolver(CCG_GEOGRAPHIES, eras=self.eras, **self._thresholds)
        ccgs = self._resolvers_by_kind["ccg"]
        res = ccgs.resolve(name)
        if res.status not in CONFIDENT or len(res.matches) > 1:
            return None
        geos = ccgs.geographies_of(res.best)
        source, target = geos[-1], self.target or "icb2022"
        links = [link for link in self.eras.links(source, res.best.code, target) if link.share >= 0.005]
        orgs = [self.eras.org(target, link.to_code) for link in links]
        old = self.eras.org(source, res.best.code)
        shares = ", ".join(f"{o.code} {o.name} ({100 * link.share:.0f}% of LSOAs)" for o, link in zip(orgs, links))
        reason = (f"{name!r} is the {source} name {res.best.matched!r} of the CCG {old.code} {old.name} ({old.era}),"
                  f" not an ICB; its area is in {target}: {shares}")
        cands = [Candidate(o.code, o.name, res.best.matched, source) for o in orgs]
        return EraResolution(
            query=name, status=REVIEW, best=cands[0], score=res.score, runner_up=None, runner_up_score=0.0,
            margin=res.margin, matches=cands, reason=reason, normalised=res.normalised,
            era=", ".join(geos), geography=target,
        )

    def _check_code_suffix(self, res: EraResolution) -> None:
        """"NHS Frimley ICB - 15A": the name says Frimley, its code says Berkshire West -> review."""
        m = _CODE_SUFFIX.search(res.query)
        if not m or res.status not in CONFIDENT or res.best is None or len(res.matches) != 1:
            return
        org = self.eras.orgs.get(res.geography, {}).get(res.best.code)
        if org is None or m.group(1).upper() in (org.ods.upper(), org.code):
            return
        res.status = REVIEW
        res.reason = f"the name ends in the code {m.group(1)!r}, but {org.name} has {org.ods or org.code}; " + res.reason

    # -- year not given ------------------------------------------------------------------------
    def _any_era(self, name: str, res: Resolution) -> EraResolution:
        out = self._wrap(res, self.family)
        if out.best is None or res.status in CONFIDENT:
            return out
        cued = _cued(name) & set(self.lineage)
        if cued and res.reason.startswith("equals names of"):
            narrowed = self._resolver(cued).resolve(name)
            if narrowed.status in CONFIDENT:
                done = self._wrap(narrowed, self._resolver(cued))
                done.reason += f" (the organisation word picks {done.era})"
                return done
        if res.reason.startswith("equals names of"):
            out.reason += "; " + self._eras_of_codes([m.code for m in res.matches] or [res.best.code], name)
        return out

    def _eras_of_codes(self, codes: list[str], name: str) -> str:
        norm = normalise(name)
        parts = []
        for code, geos in sorted(self.family._geos_of.items()):
            if code[1] == norm:
                parts.append(f"{code[0]} in {', '.join(g for g in self.lineage if g in geos)}")
        return "one name of several eras: " + "; ".join(parts) + " -- give --year or an organisation word (CCG, STP, ICB)"

    def _wrap(self, res: Resolution, resolver: GeographyResolver, era: list[str] | None = None) -> EraResolution:
        fields = {k: getattr(res, k) for k in Resolution.__dataclass_fields__}
        geos = era if era is not None else (resolver.geographies_of(res.best) if res.best else [])
        out = EraResolution(**fields, era=", ".join(geos), geography=geos[-1] if geos else "")
        out.matches = list(res.matches)
        return out

    # -- year given ------------------------------------------------------------------------------
    def _for_target(self, name: str, family: Resolution, only: Resolution) -> EraResolution:
        target = self.target
        only_r = self._resolver((target,))
        if family.best is None or len(family.matches) > 1:
            return self._wrap(only, only_r, [target] if only.best else [])
        geos = self.family.geographies_of(family.best)
        cued = _cued(name) & set(self.lineage)
        tie = family.status == REVIEW and family.reason.startswith("equals names of")
        if tie and only.status == EXACT and not (cued and target not in cued):
            # "Birmingham and Solihull ICB" equals the STP E54000017 and the ICB E54000055: for 2022, the ICB
            return self._wrap(only, only_r, [target])
        if cued and target not in cued and any(g in cued for g in geos):
            geos = [g for g in geos if g in cued]  # "NHS Barnsley CCG" is the CCG's name, not the Sub ICB's
        if target in geos:
            if only.status in CONFIDENT and only.best.code == family.best.code:
                return self._wrap(only, only_r, [target])
            if family.status in CONFIDENT and not (only.status in CONFIDENT and only.best.code != family.best.code):
                return self._wrap(family, self.family, [target])
            out = self._wrap(only, only_r, [target] if only.best else [])
            if out.status in CONFIDENT:  # confident here, but closer to another era's name of another code
                out.status = REVIEW
                out.reason = f"close to {family.best.matched!r} ({family.best.code}) of another era too; " + out.reason
            return out
        return self._moved(name, family, geos)

    def _moved(self, name: str, family: Resolution, geos: list[str]) -> EraResolution:
        """A name of another era: the target-era organisations holding its area, as ``review``."""
        target = self.target
        order = list(self.lineage)
        before = [g for g in geos if order.index(g) < order.index(target)]
        source = before[-1] if before else geos[0]
        code = family.best.code
        links = [link for link in self.eras.links(source, code, target) if link.share >= 0.005]
        if not links:
            out = self._wrap(family, self.family, geos)
            out.status, out.best, out.matches = REVIEW, out.best, [out.best]
            out.reason = f"a {source} name with no area in {target}"
            return out
        orgs: list[Organisation] = [self.eras.org(target, link.to_code) for link in links]
        cands = [Candidate(o.code, o.name, family.best.matched, source) for o in orgs]
        when = "later" if order.index(source) < order.index(target) else "earlier"
        old = self.eras.org(source, code)
        shares = ", ".join(f"{o.code} {o.name} ({100 * link.share:.0f}% of LSOAs)" for o, link in zip(orgs, links))
        certainty = "" if family.status in CONFIDENT else f" (the name itself is uncertain: {family.reason})"
        reason = (f"{name!r} is the {source} name {family.best.matched!r} of {code} {old.name} ({old.era}),"
                  f" not a name of {target}; its area {'is' if when == 'later' else 'was'} in {target}: {shares}{certainty}")
        return EraResolution(
            query=name, status=REVIEW, best=cands[0], score=family.score, runner_up=None, runner_up_score=0.0,
            margin=family.margin, matches=cands, reason=reason, normalised=family.normalised,
            era=", ".join(geos), geography=target,
        )


def resolve_any(names: Iterable[str], kind: str, year: int | None = None) -> list[EraResolution]:
    """Shortcut: ``EraResolver(kind, year).resolve_many(names)``."""
    return EraResolver(kind, year).resolve_many(names)


def region_name(eras: Eras, org: Organisation) -> str:
    region = eras.region_of(org)
    return region.name if region else ""


def describe_era(res: EraResolution, eras: Eras) -> dict[str, str]:
    """The ``svmine match`` columns for one era resolution."""
    geo = res.geography
    parents, regions = [], []
    for m in res.matches:
        org = eras.orgs.get(geo, {}).get(m.code) if geo else None
        if org is None:
            continue
        if org.parent_code:
            parent_geo = {"ccg2016": "stp2017", "ccg2017": "stp2017", "ccg2020": "stp2020", "ccg2021": "stp2020",
                          "sub_icb2022": "icb2022"}[geo]
            parent = eras.orgs[parent_geo].get(org.parent_code)
            parents.append(f"{org.parent_code} {parent.name if parent else ''}".strip())
        regions.append(region_name(eras, org))
    return {
        "code": "; ".join(m.code for m in res.matches),
        "official_name": "; ".join(m.name for m in res.matches),
        "footprint": "; ".join(dict.fromkeys(parents)),
        "region": "; ".join(dict.fromkeys(r for r in regions if r)),
        "score": f"{res.score:.1f}",
        "runner_up": res.runner_up.name if res.runner_up else "",
        "margin": f"{res.margin:.1f}",
        "status": res.status,
        "era": res.era,
        "reason": res.reason,
    }


__all__ = ["EraResolution", "EraResolver", "GeographyResolver", "describe_era", "resolve_any"]
