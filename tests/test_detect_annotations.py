"""Patterns against the annotated sentences: explicit labels should be found by the rules alone."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from svmine.detect import Detector


@pytest.fixture(scope="module")
def sentences(root):
    path = root / "annotations" / "sentences.jsonl"
    if not path.is_file():
        pytest.skip("annotations/sentences.jsonl not present")
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.mark.parametrize("label, category", [("social_value_explicit", "social_value"), ("vcse", "vcse")])
def test_patterns_agree_with_explicit_annotations(sentences, label, category):
    detector = Detector(use_classifier=False)
    counts = Counter()
    for row in sentences:
        found = any(m.category == category for m in detector.detect_text(row["text"]).mentions)
        counts[(label in row["labels"], found)] += 1
    tp, fp, fn = counts[(True, True)], counts[(False, True)], counts[(True, False)]
    assert tp / (tp + fp) >= 0.98, counts
    assert tp / (tp + fn) >= 0.97, counts
