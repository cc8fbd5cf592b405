"""Normalisation rules: two spellings of one name must meet, different names must not."""

import pytest

from svmine.footprints.normalise import normalise, tokens


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Cheshire & Merseyside STP", "cheshire merseyside"),
        ("Cheshire and Merseyside", "cheshire merseyside"),
        ("NHS Airedale, Wharfedale and Craven CCG", "airedale wharfedale craven"),
        ("Isle Of Wight", "isle wight"),
        ("Cornwall and the Isles of Scilly", "cornwall isles scilly"),
        ("Cornwall&theIslesOfScilly", "cornwall isles scilly"),  # CamelCase from plan URLs
        ("WestNorth&EastCumbria", "west north east cumbria"),
        ("West Yorkshire and Harrogate (Health and Care Partnership)", "west yorkshire harrogate"),
        ("Greater Manchester Health and Social Care Partnership", "greater manchester"),
        ("North London Partners in Health and Care", "north london"),
        ("Kent and Medway Sustainability and Transformation Partnership", "kent medway"),
        ("Frimley Health ICS", "frimley health"),
        ("NHS Bury Clinical Commissioning Group", "bury"),
        ("Staffordshire and Stoke-on-Trent", "staffordshire stoke trent"),
        ("Saint Helens", "st helens"),
        ("St. Helens", "st helens"),
        ("Bucks, Oxon & Berks West", "buckinghamshire oxfordshire berkshire west"),
        ("NE Lincolnshire", "north east lincolnshire"),
        ("Brist0l", "bristol"),  # OCR digit for a letter
        ("So1ihull", "solihull"),
        ("Devon STP 2016/17", "devon"),  # numbers alone are dropped
        ("King's Lynn", "kings lynn"),
        ("Bournemouth, Poole & Christchurch", "bournemouth poole christchurch"),
        ("Telford & Wrekin", "telford wrekin"),
        ("S Gloucestershire", "s gloucestershire"),  # a lone letter may be a lost start: kept
        ("oSuth Tyneside", "osuth tyneside"),  # a swapped capital is not CamelCase
        ("Malmö", "malmo"),
        ("", ""),
        ("NHS CCG", ""),
    ],
)
def test_normalise(raw, expected):
    assert normalise(raw) == expected


def test_org_words_kept_for_cues():
    assert tokens("NHS Bury CCG", strip_org=False) == ["nhs", "bury", "ccg"]
    assert tokens("NHS Bury CCG") == ["bury"]
