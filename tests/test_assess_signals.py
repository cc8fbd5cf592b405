"""Signals found in sentences by the packaged assessment rules: what each rule must find (with its
size), and the sentences it must leave alone (negated, hypothetical, a repeated FOI question, a
restatement of the Act, a numbered part of a document)."""

from __future__ import annotations

import pytest

from svmine.assess.rules import load_rules
from svmine.assess.signals import PageText, SignalFinder
from svmine.detect.facts import contract_share, procurement_count


@pytest.fixture(scope="module")
def finder():
    return SignalFinder(load_rules())


def _found(finder, text: str) -> set[tuple[str, float | None]]:
    return {(s.signal, s.value) for s in finder.find([PageText("reply.txt", "ab" * 32, 3, text)])}


@pytest.mark.parametrize("text, expected", [
    ("Our Social Value Strategy was approved by the Governing Body in May 2016.", ("standalone_policy", None)),
    ("Social value is written into our procurement policy, section 4.", ("procurement_policy", None)),
    ("We adhere to the principles of the Social Value Act.", ("principles_only", None)),
    ("The CCG regards social value as a strategic consideration when it designs services.", ("considers", None)),
    ("In the procurement of the Community Stroke Service, social value was evaluated as a separate section.",
     ("named_procurement", None)),
    ("Social value was applied in 4 of the 5 tenders we ran last year.", ("contract_count", 4.0)),
    ("Social value was considered in 75% of our contracts let in the last year.", ("contract_share", 75.0)),
    ("Social value was weighted at 10% of the evaluation score.", ("weighting", 10.0)),
    ("Bidders answered a social value question worth 3% of the quality score.", ("weighting", 3.0)),
    ("Our tenders include a pass/fail question on social value.", ("pass_fail", None)),
    ("We apply social value below the procurement threshold as well.", ("below_threshold", None)),
    ("We also apply social value to goods and works, not only to services.", ("goods_works", None)),
    ("Providers heard about social value at a market engagement event.", ("market_engagement", None)),
    ("The provider's social value commitments have been monitored quarterly at contract review meetings.",
     ("outcomes_monitored", None)),
    ("Social value questions: there have been no procurements in the last 12 months.", ("no_procurement", None)),
    ("Social value was applied in 0 of our tenders this year.", ("no_procurement", 0.0)),
    ("About the Social Value Act: the CCG does not hold this information.", ("not_held", None)),
    ("The CCG does not have a separate social value policy.", ("no_policy", None)),
    ("The Act asks commissioners to consider the economic, social and environmental well-being of the area.",
     ("act_text", None)),
])
def test_rule_finds_its_signal(finder, text, expected):
    assert expected in _found(finder, text)


@pytest.mark.parametrize("text, absent", [
    ("We have not applied social value below the procurement threshold.", "below_threshold"),
    ("Social value will be considered in the procurement of the Community Eye Care Service.", "named_procurement"),
    ("Where social value is weighted, what is the typical weighting for social value?", "weighting"),
    ("Every CCG should have a social value strategy.", "standalone_policy"),
    ("Service Condition 18 of the contract asks providers to consider social value.", "contract_count"),
    ("Questions 2 to 5 of the social value request concern individual procurements.", "contract_count"),
    ("Social value could be weighted at up to 10% of the score.", "weighting"),
    ("The procurement of healthcare services must consider social value.", "named_procurement"),
    ("The survey reported here looks at social value in commissioning.", "outcomes_monitored"),
    ("Version 1.0 | Not applicable | 1 July 2022", "not_applicable"),
])
def test_rule_leaves_sentence_alone(finder, text, absent):
    assert absent not in {name for name, _ in _found(finder, text)}


def test_signal_carries_document_page_and_quote(finder):
    text = "Introduction.\n\nSocial value was weighted at 10% of the evaluation score."
    (signal,) = [s for s in finder.find([PageText("a/reply.txt", "c" * 64, 4, text)]) if s.signal == "weighting"]
    assert (signal.document, signal.sha256, signal.page, signal.rule_id) == ("a/reply.txt", "c" * 64, 4,
                                                                             "approach.weighting_size")
    assert text[signal.start:signal.end] == signal.quote == "Social value was weighted at 10% of the evaluation score."


@pytest.mark.parametrize("text, count", [
    ("in 4 of the 5 tenders", 4.0), ("in three of them", 3.0), ("we ran 3 procurements", 3.0),
    ("No. of Procurements = 0; No. where SV considered = 0", 0.0), ("in 2016 tenders", None),
    ("Service Condition 18 of the contract", None), ("Questions 2 to 5 concern individual procurements", None),
])
def test_procurement_count(text, count):
    assert procurement_count(text) == count


@pytest.mark.parametrize("text, share", [
    ("75% of our contracts", 75.0), ("40 per cent of the tenders", 40.0), ("all of our tenders", 100.0),
    ("in all its commissioning", None),
])
def test_contract_share(text, share):
    assert contract_share(text) == share
