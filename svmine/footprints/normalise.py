"""Normalise organisation names before fuzzy matching.

Both the reference names and the queries go through the same function, so a rule only has to
make two spellings of one name meet; it never has to produce the official spelling.

Decisions:
- "&" and "and", "of"/"Of", "the", "on"/"upon" carry no information about *which* footprint is
  meant, so they are dropped (``Stoke-on-Trent`` and ``Stoke on Trent`` meet, ``Kent & Medway``
  and ``Kent and Medway`` meet).
- Organisation words ("NHS", "CCG", "STP", "Clinical Commissioning Group", "Health and Care
  Partnership", "ICS", ...) are dropped with ``strip_org=True``; attribution keeps them as cues.
- CamelCase is split before lower-casing ("WestNorth&EastCumbria" from plan URLs).
- Digits touching letters are read as the letters OCR confuses them with (0->o, 1->l, 5->s),
  and numbers on their own ("2016/17") are dropped: no official name contains a digit.
- Single letters ("S Gloucestershire") are *not* expanded to north/south/east/west: a name
  that lost its first letters ("NHS Gloucestershire" -> "S Gloucestershire") looks the same,
  so the letter is left for the scorers, which then see two close candidates and ask for review.
- "Saint" is contracted to "st" (not the other way round): a name whose first letters were lost
  ("West" -> "st") must not become "saint".
"""

from __future__ import annotations

import functools
import re
import unicodedata

STOPWORDS = frozenset({"and", "the", "of", "on", "upon", "in", "for", "a"})

# Single-token abbreviations -> expansion (tokens are lower-case, punctuation already removed).
ABBREVIATIONS: dict[str, str] = {
    "ne": "north east",
    "nw": "north west",
    "se": "south east",
    "sw": "south west",
    "saint": "st",
    "bucks": "buckinghamshire",
    "beds": "bedfordshire",
    "herts": "hertfordshire",
    "glos": "gloucestershire",
    "gloucs": "gloucestershire",
    "notts": "nottinghamshire",
    "northants": "northamptonshire",
    "staffs": "staffordshire",
    "lincs": "lincolnshire",
    "leics": "leicestershire",
    "worcs": "worcestershire",
    "hants": "hampshire",
    "wilts": "wiltshire",
    "yorks": "yorkshire",
    "cambs": "cambridgeshire",
    "oxon": "oxfordshire",
    "berks": "berkshire",
    "lancs": "lancashire",
    "iow": "isle wight",
    "ctr": "centre",
}

# Organisation words, as token sequences *after* stopwords are gone. Longest first.
ORG_PHRASES: tuple[tuple[str, ...], ...] = tuple(
    sorted(
        (
            tuple(p.split())
            for p in (
                "clinical commissioning group",
                "clinical commissioning groups",
                "sustainability transformation partnership",
                "sustainability transformation plan",
                "sustainability transformation",
                "health social care partnership",
                "health care partnership",
                "partners health care",
                "integrated care system",
                "integrated care board",
                "integrated care partnership",
                "nhs england",
            )
        ),
        key=len,
        reverse=True,
    )
)
_PHRASE_STARTS = frozenset(p[0] for p in ORG_PHRASES)
ORG_WORDS = frozenset({"nhs", "ccg", "ccgs", "stp", "stps", "ics", "icb", "hcp", "partnership", "footprint"})

# Split "IslesOfScilly" but not "oSuth": a lone lower-case letter before a capital is more
# likely a swapped or stray letter than the end of a word.
_CAMEL = re.compile(r"(?<=[A-Za-z][a-z])(?=[A-Z][a-z])")
_OCR_DIGITS = {"0": "o", "1": "l", "5": "s"}
_DIGIT_IN_WORD = re.compile(r"(?<=[A-Za-z])[015]|[015](?=[A-Za-z])")
_APOSTROPHE = re.compile(r"['’`]")
_NON_WORD = re.compile(r"[^a-z0-9]+")
_AMPERSAND = "ampersand"  # a word no official name contains: "&" must not meet "and" literally


def tokens(name: str, *, strip_org: bool = True, literal: bool = False) -> list[str]:
    """The normalised tokens of ``name`` (see module docstring for the rules).

    ``literal=True`` keeps what the name literally says: no CamelCase split, no OCR digit
    reading, no abbreviation expansion, and "&" stays a token of its own ("&", not "and"). Case,
    accents, punctuation, stopwords and organisation words are still ignored. The resolver calls
    a match ``exact`` only when the literal forms agree (``literal_form``)."""
    text = name
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    if literal:
        text = text.replace("&", f" {_AMPERSAND} ").lower()
    else:
        text = _CAMEL.sub(" ", text)
        text = _DIGIT_IN_WORD.sub(lambda m: _OCR_DIGITS[m.group(0)], text)
        text = text.replace("&", " and ").lower()
    text = _NON_WORD.sub(" ", _APOSTROPHE.sub("", text))
    words: list[str] = []
    for word in text.split():
        words.extend(word.split() if literal else ABBREVIATIONS.get(word, word).split())
    words = [w for w in words if w not in STOPWORDS and not w.isdigit()]
    if strip_org:
        words = [w for w in _drop_phrases(words) if w not in ORG_WORDS]
    return words


@functools.lru_cache(maxsize=65536)
def normalise(name: str, *, strip_org: bool = True) -> str:
    """``"NHS Kent & Medway STP"`` -> ``"kent medway"``."""
    return " ".join(tokens(name, strip_org=strip_org))


@functools.lru_cache(maxsize=65536)
def literal_form(name: str) -> str:
    """``"NHS Kent & Medway STP"`` -> ``"kent ampersand medway"``; ``"Bath & NE Somerset"`` ->
    ``"bath ampersand ne somerset"``: ``normalise`` without the expansions (see ``tokens``)."""
    return " ".join(tokens(name, literal=True))


def _drop_phrases(words: list[str]) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(words):
        if words[i] not in _PHRASE_STARTS:
            out.append(words[i])
            i += 1
            continue
        for phrase in ORG_PHRASES:
            if tuple(words[i : i + len(phrase)]) == phrase:
                i += len(phrase)
                break
        else:
            out.append(words[i])
            i += 1
    return out
