"""Real public NHS and council documents (../shared): counts agree with hand-checked regex counts."""

from __future__ import annotations

from collections import Counter

import pytest

from svmine.detect import Detector

pytestmark = pytest.mark.shared

DOCS = "data/uk_public_docs_text/al26152-Langchain"


@pytest.fixture(scope="module")
def detector():
    return Detector(use_classifier=False)


# (file, {pattern_id: count}): every hit read by hand; agrees with the regex survey in SOURCES.md
CASES = [
    ("priorities-and-operational-planning-guidance-january-2025.md", {}),
    ("10-year-health-plan-for-england-executive-summary.md", {"third_sector": 1}),
    ("Healthy-Leeds-Plan-Executive-Summary_plain_text_DRAFT-v4.1.md", {"third_sector": 2}),
    (
        "leeds health wellbeing strategy 2023-2030.md",
        {"third_sector": 6, "sv_phrase": 2, "sv_compound": 1, "community_groups": 2, "community_sector": 1, "vcs_full": 1,
         "charity_described": 1},  # "an independent charity"
    ),
]


@pytest.mark.parametrize("name, expected", CASES)
def test_real_documents(shared_dir, detector, name, expected):
    path = shared_dir / DOCS / name
    if not path.is_file():
        pytest.skip(f"{path} not present")
    result = detector.detect_text(path.read_text(encoding="utf-8"), document=name)
    assert dict(Counter(m.pattern_id for m in result.mentions)) == expected
    text = path.read_text(encoding="utf-8")
    assert all(text[m.start : m.end] == m.text for m in result.mentions)
