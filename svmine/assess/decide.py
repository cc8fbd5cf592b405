"""From signals to the three ratings: a short ordered table per scale, read top to bottom; the
first step whose condition holds gives the rating. ``svmine assess --explain ORG`` prints the path.

Commitment (policies; the 2017 report: "whether CCGs had a standalone social value policy ... and
how embedded social value appeared to be"):

  1. highly committed      a stand-alone social value policy/strategy/framework AND social value
                           written into the procurement policy
  2. apparently committed  one of those two
  3. committed             only "we adhere to the principles of the Act", or a general statement
                           that social value is considered when commissioning
  4. uncommitted           none of these (nothing found, only negative signals, or only the Act's
                           own words repeated)

Evidence ("commissioners should be able to point to specific instances ... a number or percentage
of contracts"):

  1. evidenced             a named procurement where social value was applied, a count or share
                           of contracts above zero, or social value outcomes monitored
  2. not evidenced         none of these

Approach (weighting in tender evaluation; "a weighting above 5% appears to make a difference";
use below the threshold and for goods and works):

  1. active                a social value weighting of 5 % or more; or a weighting of any size
                           together with use below the threshold or for goods and works
  2. limited               any weighting, a pass/fail question, use below the threshold or for
                           goods and works, market engagement on social value, or evidence of use
                           (a named procurement, a count or share of contracts)
  3. passive               none of these

Conflicts (the rating stands, but goes to the review queue, ``needs_review``, and its confidence
is at most 0.5): "no procurements" or "not applicable" beside evidence of use; "we do not hold this
information" beside a policy or evidence; "no social value policy" beside a stand-alone policy.

Confidence: per scale, 0.9 when two or more signals support the step taken, 0.75 for one, 0.6 for
the last step reached because nothing was found (0.7 when a negative signal says so outright);
the organisation's confidence is the lowest of its three scales.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from svmine.assess.model import APPROACH, COMMITMENT, EVIDENCE, Assessment, Signal

WEIGHTING_ACTIVE = 5.0  # percent; the report's "a weighting above 5 % appears to make a difference"

# Signal names in plain words (the rules file gives signals; the table reads them by name).
WORDS = {
    "standalone_policy": "a stand-alone social value policy, strategy or framework",
    "procurement_policy": "social value written into the procurement policy",
    "principles_only": "'adheres to the principles' of the Act",
    "considers": "a general statement that social value is considered",
    "named_procurement": "a named procurement where social value was applied",
    "contract_count": "a count of procurements where social value was applied",
    "contract_share": "a share of contracts where social value was applied",
    "outcomes_monitored": "social value outcomes monitored",
    "weighting": "a social value weighting",
    "weighting_5": f"a social value weighting of {WEIGHTING_ACTIVE:g} % or more",
    "pass_fail": "a pass/fail social value question",
    "below_threshold": "social value applied below the procurement threshold",
    "goods_works": "social value applied to goods and works",
    "market_engagement": "market engagement on social value",
    "no_procurement": "no procurements",
    "not_applicable": "'not applicable'",
    "not_held": "'we do not hold this information'",
    "no_policy": "'no social value policy'",
    "act_text": "the Act's own words only",
}
NEGATIVE = ("no_procurement", "not_applicable", "not_held", "no_policy", "act_text")
EVIDENCE_SIGNALS = ("named_procurement", "contract_count", "contract_share", "outcomes_monitored")


@dataclass(frozen=True)
class Step:
    """A rating and when it applies: any one of ``when``'s groups, each group all of its signals
    (an empty ``when`` always applies: the last step of a scale)."""

    rating: str
    when: tuple[tuple[str, ...], ...] = ()

    def describe(self) -> str:
        if not self.when:
            return "otherwise"
        return " OR ".join(" AND ".join(WORDS.get(s, s) for s in group) for group in self.when)


TABLE: dict[str, tuple[Step, ...]] = {
    COMMITMENT: (
        Step("highly committed", (("standalone_policy", "procurement_policy"),)),
        Step("apparently committed", (("standalone_policy",), ("procurement_policy",))),
        Step("committed", (("principles_only",), ("considers",))),
        Step("uncommitted"),
    ),
    EVIDENCE: (
        Step("evidenced", tuple((s,) for s in EVIDENCE_SIGNALS)),
        Step("not evidenced"),
    ),
    APPROACH: (
        Step("active", (("weighting_5",), ("weighting", "below_threshold"), ("weighting", "goods_works"))),
        Step("limited", (("weighting",), ("pass_fail",), ("below_threshold",), ("goods_works",),
                         ("market_engagement",), *((s,) for s in EVIDENCE_SIGNALS[:3]))),
        Step("passive"),
    ),
}

# (one signal, any of these, why it is a conflict)
CONFLICTS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("no_procurement", EVIDENCE_SIGNALS[:3], "says no procurements were run, yet names or counts one"),
    ("not_applicable", EVIDENCE_SIGNALS, "answers 'not applicable', yet gives evidence of use"),
    ("not_held", ("standalone_policy", "procurement_policy", *EVIDENCE_SIGNALS),
     "says it does not hold the information, yet claims a policy or evidence"),
    ("no_policy", ("standalone_policy",), "says it has no social value policy, yet names one"),
)


def _by_name(signals: list[Signal]) -> dict[str, list[Signal]]:
    out: dict[str, list[Signal]] = {}
    for s in signals:
        out.setdefault(s.signal, []).append(s)
        if s.signal == "weighting" and s.value is not None and s.value >= WEIGHTING_ACTIVE:
            out.setdefault("weighting_5", []).append(s)
    return out


def _where(s: Signal) -> str:
    size = f" {s.value:g}{' %' if s.signal in ('weighting', 'contract_share') else ''}" if s.value is not None else ""
    return f"{s.document.rsplit('/', 1)[-1]} p.{s.page}{size}"


def decide_scale(scale: str, found: dict[str, list[Signal]]) -> tuple[str, float, list[str]]:
    """The rating of one scale, its confidence and the decision path (one line per step tried)."""
    path = []
    for number, step in enumerate(TABLE[scale], 1):
        groups = [g for g in step.when if all(s in found for s in g)]
        if step.when and not groups:
            path.append(f"{scale} step {number} ({step.rating}): no -- needs {step.describe()}")
            continue
        support = [x for g in groups for s in g for x in found[s]]
        if step.when:
            held = "; ".join(f"{WORDS.get(s, s)} ({', '.join(_where(x) for x in found[s][:3])})" for g in groups for s in g)
            path.append(f"{scale} step {number} ({step.rating}): YES -- {held}")
            confidence = 0.9 if len({(x.sha256, x.start) for x in support}) >= 2 else 0.75
        else:
            negatives = [s for s in NEGATIVE if s in found]
            said = f"; negative signals: {', '.join(WORDS[s] for s in negatives)}" if negatives else ""
            path.append(f"{scale} step {number} ({step.rating}): nothing above holds{said}")
            confidence = 0.7 if negatives else 0.6
        return step.rating, confidence, path
    raise AssertionError(f"the table for {scale} has no final step")  # the last step has no condition


def conflicts(found: dict[str, list[Signal]]) -> list[str]:
    out = []
    for negative, positives, why in CONFLICTS:
        hit = [p for p in positives if p in found]
        if negative in found and hit:
            out.append(f"conflict: {why} ({WORDS[negative]}: {_where(found[negative][0])};"
                       f" {WORDS[hit[0]]}: {_where(found[hit[0]][0])})")
    return out


def decide(org_code: str, org_name: str, signals: list[Signal], **org: object) -> Assessment:
    """One organisation's Assessment from its signals (``org``: org_type, region, documents)."""
    found = _by_name(signals)
    ratings, reasons, confidence = {}, [], 1.0
    for scale in TABLE:
        ratings[scale], conf, path = decide_scale(scale, found)
        reasons += path
        confidence = min(confidence, conf)
    clashes = conflicts(found)
    if clashes:
        confidence = min(confidence, 0.5)
        reasons += clashes
    return Assessment(org_code=org_code, org_name=org_name, confidence=round(confidence, 2),
                      needs_review=bool(clashes), reasons=reasons, signals=list(signals),
                      **ratings, **org)  # type: ignore[arg-type]


def table_text() -> str:
    """The decision table in plain words (``svmine assess --explain`` prints it first)."""
    lines = []
    for scale, steps in TABLE.items():
        lines.append(f"{scale}:")
        for i, step in enumerate(steps, 1):
            lines += textwrap.wrap(step.describe(), 100, initial_indent=f"  {i}. {step.rating:<21} ",
                                   subsequent_indent=" " * 27, break_on_hyphens=False)
    return "\n".join(lines)
