"""The lever gate: which sentences may be scored for implicit social value (svmine/detect/levers.py)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from svmine.detect.levers import LeverGate, LeverRule, classifiable, lever_gate, load_levers
from svmine.detect.patterns import load_rules
from svmine.errors import PatternError

# Sentences written for this test. True: names a lever (buying, commissioning, contracting,
# spending, employing, estates) and an aim beyond the service; False: no lever, no aim, or not a
# sentence at all.
GATE = [
    ("We will buy more of our food from growers within thirty miles of the hospital.", True),
    ("Contracts for cleaning will require the contractor to pay staff the real Living Wage.", True),
    ("As an anchor institution we will open our vacancies to people from the poorest estates.", True),
    ("Suppliers will be asked to cut the carbon emissions of the goods they deliver to us.", True),
    ("Surplus land at the old hospital site will be sold for affordable homes for local families.", True),
    ("The ICB will commission the new service from a local social enterprise.", True),
    ("A share of our spending will go to small businesses in the county each year.", True),
    # lever without an aim beyond the service
    ("A single national supply chain lets trusts use the same products on every ward.", False),
    ("Our core role is to commission and contract for healthcare services across the area.", False),
    ("Work schedules include the rest breaks required under the resident doctors contract.", False),
    ("Organisations should reserve three per cent of annual spend for one-off investments.", False),
    # "jobs" alone is the labour market, not the body employing
    ("A thriving city economy should offer good local jobs to every resident.", False),
    ("The trust will recruit porters and cleaners from the most deprived wards of the city.", True),
    # aim without a lever
    ("The new clinic will bring genomic testing into the local community for the first time.", False),
    ("Health inequalities are widest in the most deprived neighbourhoods of the city.", False),
    # not a sentence: too short, heading, table of contents, table row, cut-off fragment
    ("Local suppliers and the Living Wage", False),
    ("## Buying from Local Suppliers and Paying the Living Wage", False),
    ("4.2 Working with Local Suppliers and Anchor Partners ........ 37", False),
    ("Local suppliers | 12 | 45% | spend with local firms | 2024", False),
    ("ensuring that a greater share of our spend goes to local suppliers and to the", False),
]


@pytest.mark.parametrize(("sentence", "gated"), GATE)
def test_lever_gate_table(sentence, gated):
    assert lever_gate().gated(sentence) is gated


CLASSIFIABLE = [
    ("The trust paid all of its suppliers within thirty days during the year.", True),
    ("• contracts will require suppliers to pay the real Living Wage to all staff", True),
    ("00:12:03.120 so we have been looking at how we buy food from local farms and growers.", True),
    ("00:12:03.120 00:12:05.400 um yes", False),
    ("Our Commitments To Local Suppliers And Small Businesses In Leeds", False),
    ("**Social Value and Local Procurement in the Integrated Care Board**", False),
    ("Appendix B: Local spend by supplier category 2024/25 ................. 112", False),
]


@pytest.mark.parametrize(("text", "expected"), CLASSIFIABLE)
def test_classifiable_table(text, expected):
    assert classifiable(text) is expected


def test_gate_names_levers_and_aims():
    gate = lever_gate()
    text = "Contracts will require suppliers to employ apprentices from deprived wards."
    assert {"contracting", "buying", "employing"} <= set(gate.levers(text))
    assert {"people", "good work"} <= set(gate.aims(text))


def test_packaged_levers_are_data_and_not_mention_rules():
    rules = load_levers()
    assert {r.kind for r in rules} == {"lever", "aim"}
    assert all(LeverRule.from_dict(r.to_dict()) == r for r in rules)
    assert not any(r.id.startswith(("lever_", "aim_")) for r in load_rules())


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"id": "x", "kind": "lever", "lever": "buying", "pattern": "(unclosed"}, "bad regular expression"),
        ({"id": "x", "kind": "maybe", "lever": "buying", "pattern": "buy"}, "kind must be"),
        ({"id": "x", "kind": "lever", "pattern": "buy"}, "'lever'"),
    ],
)
def test_bad_lever_rules_are_refused(data, message):
    with pytest.raises(PatternError, match=message):
        LeverRule.from_dict(data, "levers.jsonl:1")


def test_gate_needs_both_kinds():
    with pytest.raises(PatternError, match="needs at least one"):
        LeverGate([LeverRule("a", "buying", "buy")])


def test_patterns_folder_uses_its_own_levers_or_the_packaged_ones(tmp_path):
    from svmine.detect.patterns import DATA_PACKAGE
    from importlib import resources

    folder = tmp_path / "rules"
    folder.mkdir()
    shutil.copy(Path(str(resources.files(DATA_PACKAGE) / "vcse.jsonl")), folder / "vcse.jsonl")
    assert [r.id for r in load_levers(folder)] == [r.id for r in load_levers()]
    rules = [{"id": "l", "kind": "lever", "lever": "hiring", "pattern": r"\bhire\b"},
             {"id": "a", "kind": "aim", "lever": "town", "pattern": r"\btown\b"}]
    (folder / "levers.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rules))
    gate = LeverGate(load_levers(folder))
    assert gate.gated("We will hire more porters who live in the town over the coming year.")
    assert not gate.gated("We will buy more food from growers who farm near the town this year.")


def test_detector_scores_only_gated_and_mention_sentences_in_one_call():
    from svmine.detect import Detector

    detector = Detector()
    calls: list[list[str]] = []
    original = detector.classifier.predict_proba
    detector.classifier.predict_proba = lambda sentences: calls.append(list(sentences)) or original(sentences)
    text = ("The trust will buy more of its food from farms in the county to support local growers. "
            "The new clinic will bring genomic testing into the local community for the first time. "
            "We met the voluntary sector forum twice this year to plan the winter services. "
            "Car parking charges for staff will rise in April after the consultation closed.")
    result = detector.detect_text(text)
    assert len(calls) == 1  # one vectoriser pass for the document
    assert [s.split()[1] for s in calls[0]] == ["trust", "met"]  # gated sentence + VCSE mention sentence
    implicit = [m for m in result.mentions if m.kind == "implicit"]
    assert [m.sentence.split()[1] for m in implicit] in ([], ["trust"])
    assert not any("genomic" in m.sentence for m in implicit)


def test_page_furniture_is_never_scored():
    from svmine.detect import Detector
    from svmine.model import Document, Page

    detector = Detector()
    seen: list[str] = []
    original = detector.classifier.predict_proba
    detector.classifier.predict_proba = lambda sentences: seen.extend(sentences) or original(sentences)
    footer = "Our pledge: we buy from local suppliers and pay the real Living Wage to every worker"
    pages = [Page(i, f"Page {i} of the plan covers waiting times for outpatients.\n{footer}") for i in range(1, 5)]
    result = detector.detect(Document("plan.pdf", "0" * 64, "pdf", pages=pages))
    assert not any("pledge" in s for s in seen)
    assert not [m for m in result.mentions if m.kind == "implicit"]
