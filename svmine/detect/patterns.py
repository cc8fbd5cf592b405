"""Mention rules as data: JSONL files, one rule per line.

A rule is ``{"id", "category", "pattern", "note"?}``. ``pattern`` is either a spaCy token
pattern (a list of token dicts, as for ``Matcher``) or a phrase string, which is matched
case-insensitively token by token. ``category`` is ``social_value``, ``vcse`` or ``exclude``:
exclusion rules are hard negatives that win against a shorter mention they overlap (see
``components.py`` for the counting rule).

The packaged rules live in ``svmine/detect/data/`` and are read with ``importlib.resources``;
a user folder given with ``--patterns DIR`` replaces them. In a folder, files named
``context*.jsonl`` hold context rules (``context.py``); every other ``*.jsonl`` holds mention
rules. A folder without context rules falls back to the packaged ones.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Iterable

from svmine.errors import PatternError

CATEGORIES = ("social_value", "vcse", "exclude")
EXCLUDE = "exclude"
DATA_PACKAGE = "svmine.detect.data"

# Token attributes a pattern may use; anything else is almost always a typo that would
# make spaCy's Matcher fail far from the rule that caused it.
ALLOWED_ATTRS = {
    "ORTH", "TEXT", "LOWER", "LEMMA", "NORM", "SHAPE", "IS_ALPHA", "IS_DIGIT", "IS_PUNCT",
    "IS_SPACE", "IS_TITLE", "IS_UPPER", "IS_LOWER", "LIKE_NUM", "IS_SENT_START", "LENGTH",
    "REGEX", "OP",
}
ALLOWED_OPS = {"?", "*", "+", "!", "{1,2}", "{1,3}", "{0,2}", "{0,3}"}


@dataclass(frozen=True)
class MentionRule:
    id: str
    category: str
    pattern: list[dict[str, Any]] | str
    note: str = ""

    @classmethod
    def from_dict(cls, data: dict[str, Any], where: str = "") -> "MentionRule":
        validate_rule(data, where)
        return cls(id=data["id"], category=data["category"], pattern=data["pattern"], note=data.get("note", ""))

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "category": self.category, "pattern": self.pattern}
        if self.note:
            out["note"] = self.note
        return out

    @property
    def is_phrase(self) -> bool:
        return isinstance(self.pattern, str)

    def pattern_text(self) -> str:
        return self.pattern if isinstance(self.pattern, str) else json.dumps(self.pattern, ensure_ascii=False)


def validate_rule(data: Any, where: str = "", categories: Iterable[str] = CATEGORIES) -> None:
    """Raise PatternError naming ``where`` (file:line) when ``data`` is not a valid mention rule."""
    if not isinstance(data, dict):
        raise PatternError(f"{where}: a rule must be a JSON object")
    for key in ("id", "category", "pattern"):
        if key not in data:
            raise PatternError(f"{where}: rule has no {key!r}")
    if not isinstance(data["id"], str) or not data["id"]:
        raise PatternError(f"{where}: 'id' must be a non-empty string")
    if data["category"] not in tuple(categories):
        raise PatternError(f"{where}: rule {data['id']!r}: unknown category {data['category']!r} (expected one of {', '.join(categories)})")
    validate_pattern(data["pattern"], f"{where}: rule {data['id']!r}")


def validate_pattern(pattern: Any, where: str) -> None:
    if isinstance(pattern, str):
        if not pattern.strip():
            raise PatternError(f"{where}: empty phrase")
        return
    if not isinstance(pattern, list) or not pattern:
        raise PatternError(f"{where}: pattern must be a phrase string or a non-empty list of token dicts")
    for i, token in enumerate(pattern):
        if not isinstance(token, dict):
            raise PatternError(f"{where}: token {i} is not an object")
        unknown = set(token) - ALLOWED_ATTRS
        if unknown:
            raise PatternError(f"{where}: token {i} has unknown attribute(s) {', '.join(sorted(unknown))}")
        if "OP" in token and token["OP"] not in ALLOWED_OPS:
            raise PatternError(f"{where}: token {i} has unsupported OP {token['OP']!r}")


def read_jsonl(path: str, text: str) -> list[tuple[str, dict[str, Any]]]:
    """Parse JSONL text into (where, object) pairs; blank lines and ``//`` comments are skipped."""
    out = []
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("//"):
            continue
        where = f"{path}:{number}"
        try:
            out.append((where, json.loads(line)))
        except json.JSONDecodeError as exc:
            raise PatternError(f"{where}: invalid JSON ({exc.msg})") from None
    return out


def parse_rules(path: str, text: str) -> list[MentionRule]:
    return [MentionRule.from_dict(obj, where) for where, obj in read_jsonl(path, text)]


@dataclass(frozen=True)
class RuleFile:
    """One rule file's name and bytes: kept so the fingerprint hashes exactly what was used."""

    name: str
    data: bytes

    @property
    def is_context(self) -> bool:
        return Path(self.name).name.startswith("context")

    @property
    def is_lever(self) -> bool:
        """Lever cues for the implicit-social-value gate (``levers.py``), not mention rules."""
        return Path(self.name).name.startswith("levers")


def rule_files(patterns_dir: str | Path | None = None) -> list[RuleFile]:
    """The mention and context rule files, packaged or from a user folder (sorted by name)."""
    if patterns_dir is None:
        root = resources.files(DATA_PACKAGE)
        files = [RuleFile(f"<package>/{p.name}", p.read_bytes()) for p in root.iterdir() if p.name.endswith(".jsonl")]
        return sorted(files, key=lambda f: f.name)
    folder = Path(patterns_dir)
    if not folder.is_dir():
        raise PatternError(f"{folder}: not a folder of pattern files")
    files = [RuleFile(str(p), p.read_bytes()) for p in sorted(folder.glob("*.jsonl"))]
    if not any(not f.is_context and not f.is_lever for f in files):
        raise PatternError(f"{folder}: no mention pattern files (*.jsonl) found")
    if not any(f.is_context for f in files):
        files += [f for f in rule_files(None) if f.is_context]
    if not any(f.is_lever for f in files):
        files += [f for f in rule_files(None) if f.is_lever]
    return files


def decode(file: RuleFile) -> str:
    try:
        return file.data.decode("utf-8")
    except UnicodeDecodeError:
        raise PatternError(f"{file.name}: not UTF-8 text") from None


def load_rules(patterns_dir: str | Path | None = None, category: str | None = None) -> list[MentionRule]:
    """All mention rules (optionally one category); duplicate ids are an error."""
    rules: list[MentionRule] = []
    for file in rule_files(patterns_dir):
        if not file.is_context and not file.is_lever:
            rules += parse_rules(file.name, decode(file))
    seen: set[str] = set()
    for rule in rules:
        if rule.id in seen:
            raise PatternError(f"duplicate rule id {rule.id!r}")
        seen.add(rule.id)
    return [r for r in rules if category is None or r.category == category]


def files_hash(files: Iterable[RuleFile]) -> str:
    digest = hashlib.sha256()
    for file in sorted(files, key=lambda f: Path(f.name).name):
        digest.update(Path(file.name).name.encode() + b"\0" + file.data + b"\0")
    return digest.hexdigest()
