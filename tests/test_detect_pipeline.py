"""The spaCy pipeline: lemmatizer really active, PDF-robust sentence boundaries."""

from __future__ import annotations

import pytest

from svmine.detect.pipeline import make_pipeline, split_points


@pytest.fixture(scope="module")
def nlp():
    return make_pipeline()


def test_pipeline_is_blank_english_with_svmine_components(nlp):
    assert nlp.lang == "en"
    assert nlp.pipe_names == ["svmine_sentences", "svmine_lemmatizer", "svmine_mentions", "svmine_context"]


@pytest.mark.parametrize(
    "word, lemma",
    [
        ("charities", "charity"),
        ("Charities", "charity"),  # spaCy's own lookup mode would leave this unchanged
        ("organisations", "organisation"),
        ("enterprises", "enterprise"),
        ("groups", "group"),
        ("Sectors", "sector"),
        ("VCSE", "vcse"),
    ],
)
def test_lookup_lemmatizer_is_active(nlp, word, lemma):
    # LEMMA patterns fail silently when no lemma table is loaded, so check real lookups.
    assert nlp(f"The {word} met.")[1].lemma_ == lemma


def _sentences(text: str) -> list[str]:
    points = [0, *split_points(text), len(text)]
    return [text[a:b].strip() for a, b in zip(points, points[1:]) if text[a:b].strip()]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("We will act. The CCG agrees.", ["We will act.", "The CCG agrees."]),
        # a heading without a full stop, then text
        ("Our priorities\nWe will reduce waiting times.", ["Our priorities", "We will reduce waiting times."]),
        # numbered heading keeps its number
        ("1. Introduction\nThis plan sets out our aims.", ["1. Introduction", "This plan sets out our aims."]),
        ("2.3 Working with partners\nWe will meet.", ["2.3 Working with partners", "We will meet."]),
        # bullet lists with several markers
        (
            "We will:\n• reduce waiting\n- improve access\n(a) involve charities\n1) publish results",
            ["We will:", "• reduce waiting", "- improve access", "(a) involve charities", "1) publish results"],
        ),
        # blank-line paragraph break without a full stop
        ("Prevention and early help is our aim\n\nthe second paragraph", ["Prevention and early help is our aim", "the second paragraph"]),
        # a wrapped line inside a sentence is not a boundary
        (
            "This plan sets out how we will work with the voluntary\nsector across North Shire over the next five years.",
            ["This plan sets out how we will work with the voluntary\nsector across North Shire over the next five years."],
        ),
        # wrapped line starting with a number is not a list item
        ("Social value is weighted at\n10 per cent of the score.", ["Social value is weighted at\n10 per cent of the score."]),
        # abbreviations do not end sentences
        ("Partners, e.g. Age UK, agreed. Dr. Smith chaired.", ["Partners, e.g. Age UK, agreed.", "Dr. Smith chaired."]),
    ],
)
def test_sentence_boundaries(text, expected):
    assert _sentences(text) == expected


def test_pipeline_sentences_follow_split_points(nlp):
    doc = nlp("Our priorities\n• social value in contracts\n• charities\n\nWe will report.")
    assert [s.text.strip() for s in doc.sents] == ["Our priorities", "• social value in contracts", "• charities", "We will report."]
