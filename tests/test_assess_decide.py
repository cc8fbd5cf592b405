"""The decision table: signals to the three ratings, conflicts to the review queue, confidence,
and the decision path kept as reasons."""

from __future__ import annotations

import pytest

from svmine.assess.decide import TABLE, decide, table_text
from svmine.assess.model import SCALES, Signal


def _signals(*names: str) -> list[Signal]:
    out = []
    for i, name in enumerate(names):
        signal, _, value = name.partition("=")
        kind = "negative" if signal in ("no_procurement", "not_applicable", "not_held", "no_policy", "act_text") else "x"
        out.append(Signal(rule_id=f"r.{signal}", kind=kind, document="d.txt", sha256="s", page=1, quote="q",
                          value=float(value) if value else None, start=i * 10, end=i * 10 + 5, signal=signal))
    return out


@pytest.mark.parametrize("names, commitment, evidence, approach", [
    (("standalone_policy", "procurement_policy"), "highly committed", "not evidenced", "passive"),
    (("standalone_policy",), "apparently committed", "not evidenced", "passive"),
    (("procurement_policy", "named_procurement"), "apparently committed", "evidenced", "limited"),
    (("principles_only",), "committed", "not evidenced", "passive"),
    (("considers", "market_engagement"), "committed", "not evidenced", "limited"),
    ((), "uncommitted", "not evidenced", "passive"),
    (("act_text",), "uncommitted", "not evidenced", "passive"),
    (("no_procurement", "not_applicable"), "uncommitted", "not evidenced", "passive"),
    (("contract_share=75", "weighting=3"), "uncommitted", "evidenced", "limited"),
    (("weighting=10",), "uncommitted", "not evidenced", "active"),
    (("weighting=5",), "uncommitted", "not evidenced", "active"),
    (("weighting=4.9",), "uncommitted", "not evidenced", "limited"),
    (("weighting=2", "below_threshold"), "uncommitted", "not evidenced", "active"),
    (("weighting", "goods_works"), "uncommitted", "not evidenced", "active"),
    (("pass_fail",), "uncommitted", "not evidenced", "limited"),
    (("outcomes_monitored",), "uncommitted", "evidenced", "passive"),
])
def test_table(names, commitment, evidence, approach):
    a = decide("E38000001", "NHS Test CCG", _signals(*names))
    assert (a.commitment, a.evidence, a.approach) == (commitment, evidence, approach)
    assert not a.needs_review


@pytest.mark.parametrize("names", [
    ("no_procurement", "named_procurement"),
    ("not_applicable", "contract_count=3"),
    ("not_held", "standalone_policy"),
    ("no_policy", "standalone_policy"),
])
def test_conflicting_signals_go_to_review(names):
    a = decide("E38000001", "NHS Test CCG", _signals(*names))
    assert a.needs_review and a.confidence <= 0.5
    assert any(r.startswith("conflict:") for r in a.reasons)


@pytest.mark.parametrize("names, confidence", [
    (("standalone_policy", "procurement_policy", "contract_count=2", "named_procurement", "weighting=10",
      "below_threshold"), 0.9),
    (("standalone_policy", "procurement_policy", "named_procurement", "weighting=10"), 0.75),
    ((), 0.6),
    (("not_held",), 0.7),
])
def test_confidence(names, confidence):
    assert decide("X", "X", _signals(*names)).confidence == confidence


def test_reasons_are_the_decision_path():
    a = decide("X", "X", _signals("principles_only"))
    assert a.reasons[0].startswith("commitment step 1 (highly committed): no")
    assert a.reasons[2].startswith("commitment step 3 (committed): YES -- 'adheres to the principles'")
    assert sum(r.startswith("evidence step") for r in a.reasons) == 2


def test_every_scale_ends_in_a_step_without_condition_and_uses_its_ratings():
    for scale, steps in TABLE.items():
        assert not steps[-1].when
        assert {s.rating for s in steps} == set(SCALES[scale])
    assert "highly committed" in table_text()
