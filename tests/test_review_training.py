"""Auditors' decisions retrain the classifier: a corrected false positive no longer fires.

Goes through the whole loop: a store holding classifier mentions -> auditors reject them in the
review app -> ``svmine train --from-db`` -> the new model's probability for the sentence.
"""

from __future__ import annotations

import re

import pytest
from test_review_support import result_for
from typer.testing import CliRunner

# Sentences that are not social value (estate and finance business) which a shipped model may call
# implicit social value, each with near-duplicates an auditor would reject alike. The test uses
# the first one the current shipped model fires on (the model is retrained as annotations grow).
CANDIDATES = [
    # Added after the retrain with the real gold and the 0.95 threshold (docs/accuracy.md), which
    # no longer fires on the groups below: capital spend on the service itself, "local residents"
    # as patients, is not social value.
    [
        "The trust will spend its capital budget on new beds for local residents this winter.",
        "The trust will spend its capital budget on new beds for local residents next winter.",
        "The trust will spend its capital budget on extra beds for local residents this winter.",
        "The trust will spend its capital allocation on new beds for local residents this winter.",
        "The hospital will spend its capital budget on new beds for local residents this winter.",
        "The trust will spend its capital budget on new trolleys for local residents this winter.",
        "The trust will spend this year's capital budget on new beds for local residents.",
        "The foundation trust will spend its capital budget on new beds for local residents this winter.",
    ],
    [
        "The trust will improve the wider economic position of its estate by selling surplus land.",
        "The trust will improve the wider economic position of its estate by selling surplus buildings.",
        "The trust will strengthen the wider economic position of its estate by selling surplus land.",
        "The trust will improve the overall economic position of its estate by selling surplus land.",
        "The foundation trust will improve the wider economic position of its estate by selling surplus land.",
        "The trust will improve the wider financial position of its estate by selling surplus land.",
        "The trust will improve the wider economic position of its estate by leasing surplus land.",
        "The CCG will improve the wider economic position of its estate by selling surplus land.",
    ],
    [
        "Community hospital beds will be reduced to improve the wider economic position of the trust.",
        "Community hospital beds will be reduced to improve the wider financial position of the trust.",
        "Ward beds will be reduced to improve the wider economic position of the trust.",
        "Community hospital beds will be closed to improve the economic position of the trust.",
        "Hospital beds will be reduced to improve the overall economic position of the trust.",
        "Community beds will be reduced to improve the wider economic position of the foundation trust.",
        "Community hospital beds will be reduced to strengthen the wider economic position of the trust.",
        "Inpatient beds will be reduced to improve the wider economic position of the trust.",
    ],
    [
        "Car parking charges will be reviewed to benefit local people and the wider community.",
        "Car parking charges will be revised to benefit local people and the wider community.",
        "Hospital car parking charges will be reviewed to benefit local people and the wider community.",
        "Car parking charges will be reviewed to benefit local residents and the wider community.",
        "Car parking fees will be reviewed to benefit local people and the wider community.",
        "Car parking charges will be reviewed each year to benefit local people and the wider community.",
        "Visitor car parking charges will be reviewed to benefit local people and the wider community.",
        "Car parking charges will be reviewed to benefit local people and the community.",
    ],
]


@pytest.fixture(scope="module")
def shipped():
    from svmine.detect.classifier import default_model_path, load_classifier

    if not default_model_path().is_file():
        pytest.skip("models/sentence-classifier.skops is not built yet")
    return load_classifier()


def _store_with_rejections(tmp_path, variants):
    from svmine.review import create_app
    from svmine.store import Store

    db = tmp_path / "decisions.db"
    with Store.open(db) as st:
        for n, sentence in enumerate(variants):
            path = tmp_path / f"plan-{n}.txt"
            path.write_text(sentence, encoding="utf-8")
            result = result_for(path, [[sentence]], [(1, sentence, "social_value", "implicit", "classifier", 0.65)])
            result["format"] = "text"
            st.save_result(result)
    client = create_app(db).test_client()
    csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)
    client.post("/login", data={"name": "auditor", "csrf": csrf})
    for _ in variants:
        page = client.get("/").text
        key = re.search(r'name="item_key" value="([^"]*)"', page).group(1)
        csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
        assert client.post("/decide", data={"csrf": csrf, "item_key": key, "action": "reject"}).status_code == 303
    return db


@pytest.mark.slow
def test_retraining_on_rejections_silences_a_false_positive(tmp_path, shipped):
    from svmine.cli.main import app
    from svmine.detect.classifier import load_classifier
    from svmine.store.decisions import training_examples

    threshold = shipped.threshold("social_value_implicit")
    firing = [c for c in CANDIDATES if shipped.predict_proba([c[0]])[0]["social_value_implicit"] >= threshold]
    # The premise of the test, not a reason to skip: after a retrain of the shipped model, add a
    # candidate it gets wrong, otherwise this test would silently stop testing anything.
    assert firing, "the shipped model fires on none of the candidate false positives: add a new candidate"
    variants = firing[0]
    target = variants[0]
    before = shipped.predict_proba([target])[0]["social_value_implicit"]
    db = _store_with_rejections(tmp_path, variants)
    assert sorted(e["text"] for e in training_examples(db)) == sorted(variants)
    assert all(e["labels"] == ["other"] for e in training_examples(db))

    out = tmp_path / "model.skops"
    # The whole shipped annotation set (no --limit), so the shipped model is the fair "before".
    argv = ["train", "--from-db", str(db), "--out", str(out), "--cv-folds", "2"]
    result = CliRunner().invoke(app, argv)
    assert result.exit_code == 0, result.output
    assert f"{len(variants)} labelled sentences from {db}" in result.output

    retrained = load_classifier(out)
    after = retrained.predict_proba([target])[0]["social_value_implicit"]
    print(f"p(social_value_implicit) for {target!r}: shipped {before:.3f} -> retrained {after:.3f}")
    assert after < retrained.threshold("social_value_implicit") and after < before - 0.2
    assert retrained.predict([target]) == [["other"]]
