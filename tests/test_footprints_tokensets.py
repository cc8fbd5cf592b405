"""The sparse token-set scorer agrees with rapidfuzz's token_set_ratio where the resolver relies on it."""

import pytest
from rapidfuzz import fuzz

from svmine.footprints.tokensets import TokenSets

NAMES = ["west yorkshire", "south yorkshire bassetlaw", "west london", "north west london", "medway", "devon"]
PLACES = frozenset({"west", "yorkshire", "south", "bassetlaw", "london", "north", "medway", "devon", "kent"})


@pytest.mark.parametrize(
    "query",
    ["west yorkshire harrogate", "yorkshire", "south west london", "kent medway", "devon delivery plan",
     "north london", "bassetlaw doncaster", "cornwall", "west"],
)
def test_scores_match_rapidfuzz(query):
    scores, _ = TokenSets(NAMES, PLACES).score([query])
    for name, score in zip(NAMES, scores[0]):
        expected = fuzz.token_set_ratio(query, name)
        if expected == 100 or score == 100:
            assert score == expected, name  # subsets: identical
        else:
            assert score <= expected + 1e-3, name  # otherwise never above rapidfuzz (its third term is left out)
            if set(query.split()) & set(name.split()):
                assert score > 0


def test_extra_place_words():
    _, extra = TokenSets(NAMES, PLACES).score(["south west london", "devon delivery plan", "west"])
    by_name = [dict(zip(NAMES, row)) for row in extra]
    assert by_name[0]["west london"]  # "south" only in the query
    assert not by_name[1]["devon"]  # "delivery plan" are not place words
    assert by_name[2]["west yorkshire"]  # "yorkshire" only in the name


def test_unknown_words_and_empty_batch():
    scores, extra = TokenSets(NAMES, PLACES).score(["zzz qqq"])
    assert scores.max() == 0 and extra.shape == (1, len(NAMES))
    scores, _ = TokenSets(NAMES, PLACES).score([])
    assert scores.shape == (0, len(NAMES))
