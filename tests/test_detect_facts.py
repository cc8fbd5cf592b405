"""Policy facts: weightings, pass/fail questions, thresholds, as records with sentence and page."""

from __future__ import annotations

import pytest

from svmine.detect import Detector


@pytest.fixture(scope="module")
def detector():
    return Detector(use_classifier=False)


def facts(detector, text, page=1):
    return [(f.kind, f.value, f.unit, f.basis) for f in detector.detect_text(text, page=page).facts]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Social value will be weighted at 10%.", [("weighting", 10.0, "percent", None)]),
        ("Social value is 5% of the total quality score.", [("weighting", 5.0, "percent", "total quality score")]),
        ("Tenders carry a social value weighting of 2%.", [("weighting", 2.0, "percent", None)]),
        ("Social value counts for 10 per cent of the evaluation.", [("weighting", 10.0, "percent", "evaluation")]),
        ("Social value accounts for 7.5 percent of the overall score.", [("weighting", 7.5, "percent", "overall score")]),
        # several percentages: the one nearest the mention
        ("Tenders are scored on price 60%, quality 30% and social value 10%.", [("weighting", 10.0, "percent", None)]),
        ("Social value (15%) is scored alongside price (50%).", [("weighting", 15.0, "percent", None)]),
        # the sentence after a social value sentence
        ("We take social value seriously. It is weighted at 20% of the quality score.", [("weighting", 20.0, "percent", "quality score")]),
        ("Social value is a pass/fail question in every tender.", [("pass_fail", None, None, "pass/fail question")]),
        ("The social value question is scored pass or fail.", [("pass_fail", None, None, "pass/fail question")]),
        ("Social value applies below the procurement threshold too.", [("threshold", None, None, "below threshold")]),
        ("The Social Value Act applies only to contracts above the EU threshold.", [("threshold", None, None, "above threshold")]),
        ("Social value applies to all contracts regardless of value.", [("threshold", None, None, "all contracts")]),
        ("Social value is considered both above and below the threshold.", [("threshold", None, None, "above and below threshold")]),
        ("Social value is required in contracts over £100,000.", [("threshold", 100000.0, "GBP", "above value")]),
        ("Social value is optional for contracts under £25k.", [("threshold", 25000.0, "GBP", "below value")]),
        ("Social value is 10% of the score and a pass/fail question.", [("weighting", 10.0, "percent", "score"), ("pass_fail", None, None, "pass/fail question")]),
    ],
)
def test_facts(detector, text, expected):
    assert facts(detector, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Price is weighted at 60% and quality at 40%.",  # no social value near
        "Waiting times fell by 10% last year. Social value is a priority.",  # percent before the mention's sentence
        "Social value matters. Our budget grew. Quality is weighted at 40%.",  # two sentences away
        "Social value matters to 80% of residents.",  # a percentage, but no weighting words
    ],
)
def test_no_fact_without_social_value_weighting_context(detector, text):
    assert facts(detector, text) == []


def test_fact_record_has_sentence_offsets_and_page(detector):
    text = "Introduction.\nSocial value will be weighted at 10% of the total quality score."
    result = detector.detect_text(text, page=7, document="policy.docx")
    [fact] = result.facts
    assert fact.page == 7 and fact.document == "policy.docx"
    assert text[fact.start : fact.end] == fact.text == "Social value will be weighted at 10% of the total quality score."
