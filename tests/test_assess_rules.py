"""Assessment rules as data: the packaged file loads, every rule round-trips through
from_dict/to_dict, and a broken rules file is refused with the file, line and reason."""

from __future__ import annotations

import json

import pytest

from svmine.assess.rules import AssessRule, load_rules, parse_rules
from svmine.errors import PatternError

PACKAGED = load_rules()


def test_packaged_rules_cover_every_kind():
    kinds = {r.kind for r in PACKAGED.rules}
    assert kinds == {"policy", "evidence", "approach", "negative"}
    assert PACKAGED.sha256 and PACKAGED.source.endswith("rules.jsonl")


@pytest.mark.parametrize("rule", PACKAGED.rules, ids=[r.id for r in PACKAGED.rules])
def test_rule_round_trips(rule):
    again = AssessRule.from_dict(json.loads(json.dumps(rule.to_dict())))
    assert again == rule


def test_cue_lists_expand_and_keep_their_exceptions():
    rule = PACKAGED.get("approach.goods_works")
    words = PACKAGED.unless_words(rule)
    assert "not" in words and "@negation" not in words
    assert "not only" in PACKAGED.unless_excepts(rule)


GOOD = {"id": "x", "kind": "policy", "signal": "standalone_policy", "pattern": "social value charter"}


@pytest.mark.parametrize("change, message", [
    ({"kind": "colour"}, "unknown kind 'colour'"),
    ({"signal": "two words"}, "'signal' must be a name"),
    ({"pattern": [{"LOWR": "x"}]}, "unknown attribute(s) LOWR"),
    ({"pattern": ""}, "empty phrase"),
    ({"needs": "always"}, "'needs' must be one of"),
    ({"fact": "colour"}, "'fact' must be one of"),
    ({"if_zero": "no_procurement"}, "'if_zero' needs a 'fact'"),
    ({"unless": "not"}, "'unless' must be a list"),
    ({"unless": ["@nowhere"]}, "no cue list @nowhere"),
    ({"max_words": 0}, "'max_words' must be a whole number"),
    ({"colour": "red"}, "unknown field(s) colour"),
    ({"id": "@x"}, "'id' must be a non-empty string"),
])
def test_bad_rule_is_refused_with_line(change, message):
    text = json.dumps(GOOD) + "\n" + json.dumps({**GOOD, "id": "y", **change}) + "\n"
    with pytest.raises(PatternError) as exc:
        parse_rules(text, "mine.jsonl")
    assert message in str(exc.value)
    assert "mine.jsonl:2" in str(exc.value)


@pytest.mark.parametrize("text, message", [
    ("", "no rules"),
    ("{not json\n", "invalid JSON"),
    (json.dumps(GOOD) + "\n" + json.dumps(GOOD) + "\n", "duplicate rule id 'x'"),
])
def test_bad_file_is_refused(text, message):
    with pytest.raises(PatternError, match=message):
        parse_rules(text, "mine.jsonl")


def test_user_file_replaces_the_packaged_one(tmp_path):
    path = tmp_path / "rules.jsonl"
    path.write_text(json.dumps(GOOD) + "\n", encoding="utf-8")
    rules = load_rules(path)
    assert [r.id for r in rules.rules] == ["x"] and rules.source == str(path)
    assert rules.sha256 != PACKAGED.sha256
