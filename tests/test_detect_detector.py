"""``Detector``: mention records, offsets, classifier wiring, fingerprint."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from svmine.detect import DetectionResult, Detector
from svmine.model import Document, Mention, Page


@pytest.fixture(scope="module")
def detector():
    return Detector(use_classifier=False)


def test_mention_record_fields_and_offsets(detector):
    pages = [
        Page(1, "Contents\n\n1. Introduction"),
        Page(2, "Our plan.\nWe will work with the voluntary\nsector and apply the Social Value Act."),
    ]
    doc = Document("plans/a.pdf", "ab" * 32, "pdf", pages=pages)
    result = detector.detect(doc)
    assert isinstance(result, DetectionResult)
    assert [(m.page, m.category, m.pattern_id, m.text) for m in result.mentions] == [
        (2, "vcse", "voluntary_sector", "voluntary\nsector"),
        (2, "social_value", "sv_act", "Social Value Act"),
    ]
    for m in result.mentions:
        text = pages[m.page - 1].text
        assert text[m.start : m.end] == m.text
        assert text[m.sentence_start : m.sentence_end] == m.sentence
        assert m.sentence == "We will work with the voluntary\nsector and apply the Social Value Act."
        assert (m.document, m.sha256, m.kind, m.source) == ("plans/a.pdf", "ab" * 32, "explicit", "pattern")
        assert m.context == {"committed": "will"}
        assert m.probability is None and m.label is None
    # records cross process boundaries as dicts
    again = [Mention.from_dict(d) for d in result.to_dict()["mentions"]]
    assert again == result.mentions


def test_detect_text_defaults(detector):
    result = detector.detect_text("Charities.", page=3)
    [m] = result.mentions
    assert (m.document, m.page) == ("<text>", 3)
    assert m.sha256 == hashlib.sha256(b"Charities.").hexdigest()


def test_empty_pages_are_fine(detector):
    result = detector.detect(Document("x.pdf", "0" * 64, "pdf", pages=[Page(1, ""), Page(2, "   \n")]))
    assert result.mentions == [] and result.facts == []


def test_fingerprint_hashes_rules_and_model(tmp_path):
    fp = Detector(use_classifier=False).fingerprint()
    assert fp["model_hash"] == "none" and len(fp["pattern_hash"]) == 64
    (tmp_path / "mine.jsonl").write_text('{"id": "x", "category": "vcse", "pattern": "patient groups"}\n')
    mine = Detector(patterns_dir=tmp_path, use_classifier=False)
    assert mine.fingerprint()["pattern_hash"] != fp["pattern_hash"]
    assert [m.text for m in mine.detect_text("patient groups and charities").mentions] == ["patient groups"]


class FakeClassifier:
    """Stands in for svmine.detect.classifier.SentenceClassifier: implicit if 'apprenticeships'."""

    def __init__(self, path: Path):
        self.path = path
        self.seen: list[str] = []

    def threshold(self, label):
        return 0.6

    def predict_proba(self, sentences):
        self.seen += sentences
        out = []
        for s in sentences:
            implicit = 0.9 if "apprenticeships" in s else 0.1
            out.append({"social_value_explicit": 0.8 if "social value" in s.lower() else 0.05,
                        "social_value_implicit": implicit, "vcse": 0.7 if "charit" in s else 0.1, "other": 0.2})
        return out


@pytest.fixture
def fake_model(monkeypatch, tmp_path):
    import svmine.detect.classifier as classifier

    model = tmp_path / "model.skops"
    model.write_bytes(b"model bytes")
    fake = FakeClassifier(model)
    monkeypatch.setattr(classifier, "load_classifier", lambda path=None: fake)
    return fake


def test_classifier_adds_implicit_mentions_and_probabilities(fake_model):
    detector = Detector()
    text = (
        "Suppliers will offer apprenticeships to local young people.\n\n"
        "Social value contracts will offer apprenticeships too.\n\n"
        "We fund charities. Ok."
    )
    mentions = detector.detect_text(text).mentions
    got = [(m.kind, m.source, m.category, m.label, m.probability, m.text[:30]) for m in mentions]
    assert got == [
        ("implicit", "classifier", "social_value", "social_value_implicit", 0.9, "Suppliers will offer apprentic"),
        # the second sentence names social value, so it is not also an implicit mention
        ("explicit", "pattern", "social_value", "social_value_explicit", 0.8, "Social value"),
        ("explicit", "pattern", "vcse", "vcse", 0.7, "charities"),
    ]
    implicit = mentions[0]
    assert text[implicit.start : implicit.end] == implicit.sentence == implicit.text
    assert implicit.context == {"committed": "will"}
    assert "Ok." not in fake_model.seen  # too short to classify
    fp = detector.fingerprint()
    assert fp["model_hash"] == hashlib.sha256(b"model bytes").hexdigest()


def test_no_classifier_option_skips_the_model(fake_model):
    detector = Detector(use_classifier=False)
    assert detector.detect_text("Suppliers will offer apprenticeships to local young people.").mentions == []
    assert detector.fingerprint()["model_hash"] == "none"


def test_real_classifier_when_a_model_is_present():
    from svmine.detect.classifier import default_model_path

    if not default_model_path().is_file():
        pytest.skip("no trained model in models/ yet")
    detector = Detector()
    assert detector.fingerprint()["model_hash"] != "none"
    text = ("The CCG will apply the Social Value Act to every contract.\n\n"
            "Our suppliers will pay the real living wage, offer apprenticeships to local young people "
            "and buy from local firms to benefit the local economy.")
    mentions = detector.detect_text(text).mentions
    explicit = [m for m in mentions if m.kind == "explicit"]
    assert explicit and all(0.0 <= m.probability <= 1.0 and m.label == "social_value_explicit" for m in explicit)
    implicit = [m for m in mentions if m.kind == "implicit"]
    assert [m.sentence_start for m in implicit] == [text.index("Our suppliers")]
    assert implicit[0].probability >= detector.classifier.threshold("social_value_implicit")


@pytest.mark.slow
def test_a_page_longer_than_spacys_default_limit(detector):
    text = ("Routine text about waiting times and budgets. " * 25_000) + "We fund charities."
    assert len(text) > 1_000_000
    [m] = detector.detect_text(text).mentions
    assert text[m.start : m.end] == "charities"
