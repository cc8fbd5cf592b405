"""A light sentence rule for text no spaCy pipeline reads: the sentence around an auditor's added mention."""

from __future__ import annotations

import re

_SENTENCE_END = re.compile(r"[.!?](?=\s)|\n\s*\n")


def sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence around ``text[start:end]`` (a light rule: . ! ? before space, or a blank line)."""
    s = 0
    for match in _SENTENCE_END.finditer(text, 0, start):
        s = match.end()
    found = _SENTENCE_END.search(text, end)
    e = found.end() if found else len(text)
    while s < start and text[s].isspace():
        s += 1
    while e > end and text[e - 1].isspace():
        e -= 1
    return s, e
