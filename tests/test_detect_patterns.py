"""Rules as data: loading, validation messages, user folders, hashing."""

from __future__ import annotations

import json

import pytest

from svmine.detect.context import ContextRule, load_context_rules
from svmine.detect.patterns import MentionRule, files_hash, load_rules, rule_files
from svmine.errors import PatternError


def test_packaged_rules_load_with_both_categories_and_exclusions():
    rules = load_rules()
    categories = {r.category for r in rules}
    assert categories == {"social_value", "vcse", "exclude"}
    assert len({r.id for r in rules}) == len(rules)
    assert all(r.category == "vcse" for r in load_rules(category="vcse"))


def test_packaged_files_are_read_through_importlib_resources():
    names = sorted(f.name for f in rule_files())
    # levers.jsonl holds the implicit-social-value gate's cues (levers.py); it is listed so the
    # detector fingerprint changes when the gate changes, and is never parsed as mention rules.
    assert names == ["<package>/context.jsonl", "<package>/exclusions.jsonl", "<package>/levers.jsonl",
                     "<package>/social_value.jsonl", "<package>/vcse.jsonl"]


@pytest.mark.parametrize(
    "rule",
    [
        {"id": "a", "category": "vcse", "pattern": "third sector"},
        {"id": "b", "category": "social_value", "pattern": [{"LOWER": "social"}, {"LOWER": "value"}], "note": "n"},
    ],
)
def test_rule_round_trip(rule):
    assert MentionRule.from_dict(rule).to_dict() == rule


@pytest.mark.parametrize(
    "line, message",
    [
        ('{"id": "x", "category": "vcse"}', "rules.jsonl:2: rule has no 'pattern'"),
        ('{"id": "x", "category": "health", "pattern": "a"}', "unknown category 'health'"),
        ('{"id": "x", "category": "vcse", "pattern": [{"LOWR": "a"}]}', "token 0 has unknown attribute(s) LOWR"),
        ('{"id": "x", "category": "vcse", "pattern": [{"LOWER": "a", "OP": "%"}]}', "unsupported OP '%'"),
        ('{"id": "x", "category": "vcse", "pattern": []}', "pattern must be a phrase string or a non-empty list"),
        ('{"id": "x", "category": "vcse", "pattern": "  "}', "empty phrase"),
        ('{"id": "x", "category": "vcse", "pattern": "a"', "rules.jsonl:2: invalid JSON"),
        ('["not", "an", "object"]', "rules.jsonl:2: a rule must be a JSON object"),
    ],
)
def test_invalid_rules_name_file_and_line(tmp_path, line, message):
    (tmp_path / "rules.jsonl").write_text('{"id": "ok", "category": "vcse", "pattern": "charity"}\n' + line + "\n")
    with pytest.raises(PatternError) as err:
        load_rules(tmp_path)
    assert message in str(err.value)
    assert str(tmp_path / "rules.jsonl") in str(err.value)


def test_duplicate_ids_are_an_error(tmp_path):
    rule = json.dumps({"id": "same", "category": "vcse", "pattern": "charity"})
    (tmp_path / "a.jsonl").write_text(rule + "\n")
    (tmp_path / "b.jsonl").write_text(rule + "\n")
    with pytest.raises(PatternError, match="duplicate rule id 'same'"):
        load_rules(tmp_path)


def test_user_folder_replaces_mention_rules_and_keeps_packaged_context(tmp_path):
    (tmp_path / "mine.jsonl").write_text('// my rules\n\n{"id": "ccg", "category": "vcse", "pattern": "patient groups"}\n')
    assert [r.id for r in load_rules(tmp_path)] == ["ccg"]
    assert {r.id for r in load_context_rules(tmp_path)} == {r.id for r in load_context_rules()}


def test_folder_without_mention_rules_is_an_error(tmp_path):
    with pytest.raises(PatternError, match="no mention pattern files"):
        rule_files(tmp_path)
    with pytest.raises(PatternError, match="not a folder"):
        rule_files(tmp_path / "missing")


def test_hash_changes_with_rule_bytes(tmp_path):
    (tmp_path / "a.jsonl").write_text('{"id": "x", "category": "vcse", "pattern": "charity"}\n')
    first = files_hash(rule_files(tmp_path))
    assert first == files_hash(rule_files(tmp_path))
    (tmp_path / "a.jsonl").write_text('{"id": "x", "category": "vcse", "pattern": "charities"}\n')
    assert files_hash(rule_files(tmp_path)) != first


@pytest.mark.parametrize(
    "rule, message",
    [
        ({"id": "c", "flag": "maybe", "pattern": "may"}, "unknown flag 'maybe'"),
        ({"id": "c", "flag": "negated", "pattern": "no", "direction": "sideways"}, "direction must be"),
        ({"id": "c", "flag": "negated", "pattern": "no", "window": -1}, "window must be a non-negative integer"),
        ({"id": "c", "flag": "negated"}, "has no 'pattern'"),
        ({"id": "c", "flag": "reference", "type": "line", "regex": "("}, "bad regex"),
        ({"id": "c", "flag": "reference", "type": "page"}, "unknown type 'page'"),
    ],
)
def test_invalid_context_rules(rule, message):
    with pytest.raises(PatternError, match=message):
        ContextRule.from_dict(rule, "ctx.jsonl:1")


def test_context_rule_round_trip():
    rule = {"id": "n", "flag": "negated", "type": "cue", "pattern": "no", "direction": "forward", "window": 3}
    assert ContextRule.from_dict(rule).to_dict() == rule
