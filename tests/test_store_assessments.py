"""Assessments in the store: saved, read back, overridden by auditors (latest wins, undo-able,
kept across re-runs), refusals of unknown scales and ratings."""

import pytest

from svmine.assess.model import Assessment, Signal
from svmine.store import Store
from svmine.store.assessments import (
    latest_overrides, load_assessments, record_override, save_assessments, stored_assessments,
)
from svmine.store.review import DecisionConflict


def _assessment(code="00C", **kw):
    base = dict(org_code=code, org_name=f"NHS Test {code} CCG", commitment="committed", evidence="not evidenced",
                approach="passive", confidence=0.7, needs_review=True, region="North East and Yorkshire",
                reasons=["no stand-alone policy"],
                signals=[Signal(rule_id="policy.principles_only", kind="policy", document="a.txt", sha256="ab",
                                page=2, quote="We adhere to the principles of the Act.", start=3, end=40)])
    base.update(kw)
    return Assessment(**base)


@pytest.fixture
def store(tmp_path):
    with Store.open(tmp_path / "s.db") as s:
        yield s


def test_round_trip_keeps_signals_and_reasons(store):
    save_assessments(store, [_assessment("00C"), _assessment("01A", approach="active")], rules_hash="h1")
    got = stored_assessments(store)
    assert [a.org_code for a in got] == ["00C", "01A"]
    assert got[0] == _assessment("00C")
    assert got[1].approach == "active"


def test_save_replaces_previous_run(store):
    save_assessments(store, [_assessment("00C"), _assessment("01A")])
    save_assessments(store, [_assessment("02Q")])
    assert [a.org_code for a in stored_assessments(store)] == ["02Q"]


def test_override_applies_latest_and_survives_rerun(store):
    save_assessments(store, [_assessment("00C")])
    record_override(store, "00C", "approach", "limited", "ann", note="two tenders named on p.3")
    record_override(store, "00C", "approach", "active", "bob")
    save_assessments(store, [_assessment("00C")])  # a re-run of assess
    (a,) = load_assessments(store)
    assert (a.approach, a.overridden, a.needs_review) == ("active", {"approach": "bob"}, False)
    assert a.commitment == "committed"  # scales not overridden keep the computed rating
    assert latest_overrides(store)[("00C", "approach")]["auditor"] == "bob"


def test_override_note_kept(store):
    record_override(store, "00C", "evidence", "evidenced", "ann", note="FOI names two tenders")
    assert latest_overrides(store)[("00C", "evidence")]["note"] == "FOI names two tenders"


@pytest.mark.parametrize("scale, rating", [("approach", "very active"), ("colour", "active"), ("evidence", "")])
def test_override_refuses_unknown_scale_or_rating(store, scale, rating):
    with pytest.raises(ValueError):
        record_override(store, "00C", scale, rating, "ann")


def test_stale_override_is_refused(store):
    first = record_override(store, "00C", "approach", "limited", "ann")
    record_override(store, "00C", "approach", "active", "bob")
    with pytest.raises(DecisionConflict):
        record_override(store, "00C", "approach", "passive", "ann", seen=first)


def test_same_nonce_stored_once(store):
    assert record_override(store, "00C", "approach", "limited", "ann", nonce="n1") is not None
    assert record_override(store, "00C", "approach", "limited", "ann", nonce="n1") is None
