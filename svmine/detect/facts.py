"""Policy facts: social value weightings, pass/fail questions and contract-value thresholds.

A fact is only read from a sentence that mentions social value (by pattern or classifier) or
follows one that does, because percentages and thresholds are everywhere in commissioning
policies ("price 60%, quality 40%") and mean something else there. In a sentence holding
several percentages the one nearest to the social value mention is its weighting
("price 60%, quality 30% and social value 10%" → 10).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from svmine.model import PolicyFact

PERCENT = re.compile(r"(\d{1,3}(?:\.\d+)?)\s*(?:%|per\s*cent\b|percent\b)", re.IGNORECASE)
WEIGHT_WORDS = re.compile(r"\b(?:weight\w*|scor\w*|marks?|evaluat\w*|criteri\w*|quality|award\w*|tender\w*|assess\w*)\b", re.IGNORECASE)
BASIS = re.compile(
    r"^\s*(?:of|towards?)\s+(?:the\s+|a\s+|each\s+)?((?:[\w-]+\s+){0,3}?(?:score|scores|marks|mark|evaluation|weighting|criteria|assessment|award))\b",
    re.IGNORECASE,
)
PASS_FAIL = re.compile(r"\bpass\s*(?:/|or|-)\s*fail\b", re.IGNORECASE)
_THRESHOLD = r"(?:the\s+)?(?:relevant\s+|applicable\s+|current\s+)?(?:(?:eu|ojeu|procurement|pcr|uk|public\s+contracts?|regulations?|find\s+a\s+tender|fts|light\s+touch)\s+)*thresholds?\b"
BELOW = re.compile(rf"\b(?:below|under|beneath|less\s+than|lower\s+than|sub)[\s-]+{_THRESHOLD}", re.IGNORECASE)
ABOVE = re.compile(rf"\b(?:above|over|exceed(?:s|ing)?|more\s+than|higher\s+than)\s+{_THRESHOLD}", re.IGNORECASE)
BOTH_SIDES = re.compile(rf"\b(?:above\s+(?:and|or)\s+below|below\s+(?:and|or)\s+above)\s+{_THRESHOLD}", re.IGNORECASE)
ALL_VALUES = re.compile(r"\b(?:regardless|irrespective)\s+of\s+(?:their\s+|the\s+|its\s+)?(?:contract\s+|total\s+)?(?:value|size)\b|\ball\s+contracts\s+of\s+(?:any|all)\s+values?\b", re.IGNORECASE)
MONEY = re.compile(r"\b(above|over|exceeding|below|under|more\s+than|less\s+than)\s+£\s?(\d[\d,]*(?:\.\d+)?)\s*(k|m|million)?\b", re.IGNORECASE)
_MULTIPLIER = {"k": 1e3, "m": 1e6, "million": 1e6}


@dataclass
class Sentence:
    start: int
    end: int
    text: str
    social_value: list[tuple[int, int]]  # (start, end) in the sentence of social value mentions


def facts_for_page(sentences: list[Sentence], page: int, document: str, sha256: str) -> list[PolicyFact]:
    facts = []
    for i, sent in enumerate(sentences):
        if not (sent.social_value or (i and sentences[i - 1].social_value)):
            continue
        for kind, value, unit, basis in sentence_facts(sent.text, sent.social_value):
            facts.append(PolicyFact(document, sha256, page, kind, sent.text, sent.start, sent.end, value, unit, basis))
    return facts


def sentence_facts(text: str, anchors: list[tuple[int, int]]) -> list[tuple[str, float | None, str | None, str | None]]:
    """(kind, value, unit, basis) tuples found in one sentence; ``anchors`` = social value offsets."""
    out = []
    weighting = _weighting(text, anchors)
    if weighting:
        out.append(weighting)
    if PASS_FAIL.search(text):
        out.append(("pass_fail", None, None, "pass/fail question"))
    threshold = _threshold(text)
    if threshold:
        out.append(threshold)
    return out


def _gap(match: re.Match, anchor: tuple[int, int]) -> int:
    """Characters between a percentage and a mention, whichever comes first."""
    return match.start() - anchor[1] if match.start() >= anchor[1] else max(anchor[0] - match.end(), 0)


def _weighting(text: str, anchors: list[tuple[int, int]]):
    percents = list(PERCENT.finditer(text))
    if not percents or not WEIGHT_WORDS.search(text):
        return None
    if anchors:
        m = min(percents, key=lambda p: min(_gap(p, a) for a in anchors))
    else:
        m = percents[0]
    basis = BASIS.match(text[m.end():])
    return ("weighting", float(m.group(1)), "percent", " ".join(basis.group(1).lower().split()) if basis else None)


def _threshold(text: str):
    if ALL_VALUES.search(text):
        return ("threshold", None, None, "all contracts")
    below, above = BELOW.search(text), ABOVE.search(text)
    if (below and above) or BOTH_SIDES.search(text):
        return ("threshold", None, None, "above and below threshold")
    if below or above:
        return ("threshold", None, None, "below threshold" if below else "above threshold")
    money = MONEY.search(text)
    if money:
        value = float(money.group(2).replace(",", "")) * _MULTIPLIER.get((money.group(3) or "").lower(), 1)
        side = "below" if " ".join(money.group(1).lower().split()) in ("below", "under", "less than") else "above"
        return ("threshold", value, "GBP", f"{side} value")
    return None


# -- counts and shares of procurements (svmine assess) ----------------------------------------------

_NUMBER_WORDS = {"no": 0, "none": 0, "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
                 "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12}
_NUM = r"(\d{1,4}|" + "|".join(_NUMBER_WORDS) + r")"
_PLURAL = r"(?:procurements|tenders|contracts|(?:procurement|tendering)\s+exercises|exercises)"
_PROCUREMENTS = r"(?:procurements?|tenders?|contracts?|procurement\s+exercises?|tendering\s+exercises?|exercises?)"
# "in 4 of the 5 tenders", "in three of them": the number the Act was applied in comes first.
OF_TOTAL = re.compile(
    rf"\b{_NUM}\s+(?:out\s+)?of\s+(?:(?:them|these|those)\b|(?:the\s+|these\s+|those\s+|our\s+|its\s+)?"
    rf"(?:{_NUM}\s+)?(?:[a-z-]+\s+)?{_PLURAL}\b)", re.IGNORECASE)
COUNT = re.compile(rf"\b{_NUM}\s+(?:[a-z-]+\s+){{0,2}}?{_PLURAL}\b|\b(one|1)\s+(?:[a-z-]+\s+){{0,2}}?{_PROCUREMENTS}\b",
                   re.IGNORECASE)
COUNT_EQUALS = re.compile(rf"{_PROCUREMENTS}[^.;=:]{{0,40}}?[=:]\s*(\d{{1,4}})\b", re.IGNORECASE)
# A number after these words points at a part of a document ("Service Condition 18"), not a count.
REFERENCE_WORD = re.compile(r"\b(?:condition|section|paragraph|para|clause|page|schedule|appendix|annex|question|q|"
                            r"item|table|figure|chapter|part|lot|version|v)s?\s*(?:\d+\s*(?:to|and|-|–)\s*)?$",
                            re.IGNORECASE)
SHARE = re.compile(rf"(\d{{1,3}}(?:\.\d+)?)\s*(?:%|per\s*cent\b|percent\b)\s+of\s+(?:the\s+|our\s+|its\s+|all\s+)?(?:[a-z-]+\s+){{0,2}}?{_PROCUREMENTS}\b", re.IGNORECASE)
ALL_OF = re.compile(rf"\ball\s+(?:of\s+)?(?:the\s+|our\s+|its\s+)?(?:[a-z-]+\s+){{0,2}}?{_PLURAL}\b", re.IGNORECASE)


def _number(word: str) -> float:
    return float(word) if word.isdigit() else float(_NUMBER_WORDS[word.lower()])


def _is_count(text: str, m: re.Match, group: str) -> bool:
    return not re.fullmatch(r"(19|20)\d\d", group) and not REFERENCE_WORD.search(text[:m.start()])


def procurement_count(text: str) -> float | None:
    """How many procurements a sentence says social value was applied in, or None.

    "in 4 of the 5 tenders" -> 4 (the part, not the whole); "we ran three procurements" -> 3;
    "No. where SV considered = 0" -> 0. A year ("2016 tenders") or a numbered part of a document
    ("Service Condition 18 of the contract") is not a count.
    """
    for m in OF_TOTAL.finditer(text):
        if _is_count(text, m, m.group(1)):
            return _number(m.group(1))
    equals = list(COUNT_EQUALS.finditer(text))
    if equals:
        return float(equals[-1].group(1))
    for m in COUNT.finditer(text):
        number = m.group(1) or m.group(2)
        if _is_count(text, m, number):
            return _number(number)
    return None


def contract_share(text: str) -> float | None:
    """The share of contracts (percent) a sentence says social value was applied in, or None.

    "80% of our tenders" -> 80; "in all of our contracts" -> 100.
    """
    m = SHARE.search(text)
    if m:
        return float(m.group(1))
    return 100.0 if ALL_OF.search(text) else None


def weighting_percent(text: str, anchors: list[tuple[int, int]]) -> float | None:
    """The social value weighting (percent) of a sentence, or None: the percentage nearest to a
    social value mention, in a sentence about scoring (``sentence_facts``)."""
    found = _weighting(text, anchors)
    return found[1] if found else None
