"""Unit level: normalisation, de-hyphenation and layout on synthetic word boxes."""

from __future__ import annotations

import pytest

from svmine.extract.layout import PageWords, Table, Word, compose, edge_rows, running_keys, strip_running
from svmine.extract.normalize import join_lines, normalize_text, text_to_paragraphs


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("\ufb01nancial of\ufb02ine", "financial offline"),  # ligatures
        ("30\u00a0June", "30 June"),  # non-breaking space
        ("pro\u00adcurement", "procurement"),  # soft hyphen
        ("\u201cShire\u201d \u2018Promise\u2019", "\"Shire\" 'Promise'"),  # curly quotes
        ("well\u2010being", "well-being"),  # Unicode hyphen
        ("2017\u20132021", "2017\u20132021"),  # en dash kept
        ("so\ufffe", "so-"),  # PDFium line-break hyphen marker
        ("a \t  b", "a b"),
        ("zero\u200bwidth", "zerowidth"),
    ],
)
def test_normalize_text(raw, expected):
    assert normalize_text(raw) == expected


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (["When we commission so-", "cial value will count"], "When we commission social value will count"),
        (["the long-term plan", "is agreed"], "the long-term plan is agreed"),  # mid-line hyphen survives
        (["see section 3 -", "below"], "see section 3 - below"),  # a dash, not a hyphen
        (["Health and Social-", "Care Act"], "Health and Social- Care Act"),  # next line capitalised
        (["year 2017-", "18 budget"], "year 2017- 18 budget"),  # digits are not hyphenated words
        (["", "  one  ", ""], "one"),
    ],
)
def test_join_lines_dehyphenates_line_ends_only(lines, expected):
    assert join_lines(lines) == expected


def test_text_paragraphs_break_at_blank_and_short_lines():
    text = "1. Apologies\nApologies were received from the Chief Finance Officer today.\n\nNext item\n"
    assert text_to_paragraphs(text) == ["1. Apologies", "Apologies were received from the Chief Finance Officer today.", "Next item"]


def _line(text: str, x: float, top: float, size: float = 10.0, char: float = 5.0) -> list[Word]:
    words, cursor = [], x
    for token in text.split():
        width = len(token) * char
        words.append(Word(token, cursor, top, cursor + width, top + size, size))
        cursor += width + 3
    return words


def _column(lines: list[str], x: float, top: float, pitch: float = 13.0) -> list[Word]:
    return [w for i, line in enumerate(lines) for w in _line(line, x, top + i * pitch)]


LEFT = ["alpha one two three", "alpha four five six", "alpha seven eight", "alpha nine ten", "alpha eleven end."]
RIGHT = ["beta one two three", "beta four five six", "beta seven eight", "beta nine ten", "beta eleven end."]


def test_two_columns_are_read_one_after_the_other():
    words = _column(LEFT, 50, 100) + _column(RIGHT, 320, 100)
    text, multi = compose(PageWords(words, 600, 800))
    assert multi
    assert text.index("alpha eleven end.") < text.index("beta one")
    assert "alpha one two three alpha four" in text


def test_a_title_spanning_both_columns_comes_first():
    title = _line("A very long title that runs right across both of the columns here", 50, 60, size=14, char=7)
    words = title + _column(LEFT, 50, 100) + _column(RIGHT, 320, 100)
    text, multi = compose(PageWords(words, 600, 800))
    assert multi and text.startswith("A very long title")
    assert text.index("alpha eleven") < text.index("beta one")


def test_single_column_with_short_lines_stays_single():
    lines = ["This line runs all the way across the page and on", "and this one also runs across the page to the end", "short", "Another full line that crosses the middle of page"] * 2
    text, multi = compose(PageWords(_column(lines, 50, 100), 600, 800))
    assert not multi
    assert text.startswith("This line runs all the way")


def test_three_columns():
    middle = ["gamma one two", "gamma three four", "gamma five six", "gamma seven", "gamma end."]
    words = _column(LEFT, 40, 100) + _column(middle, 240, 100) + _column(RIGHT, 440, 100)
    text, _ = compose(PageWords(words, 650, 800))
    assert text.index("alpha eleven") < text.index("gamma one") < text.index("gamma end.") < text.index("beta one")


def test_paragraph_break_on_gap_and_on_heading_size():
    words = _line("Heading", 50, 100, size=14) + _column(["first para line", "continues here."], 50, 120) + _column(["second para"], 50, 160)
    text, _ = compose(PageWords(words, 600, 800))
    assert text == "Heading\n\nfirst para line continues here.\n\nsecond para"


def test_running_lines_are_found_with_digits_ignored():
    pages = []
    for n in range(1, 5):
        words = _line("Partnership Plan", 50, 30) + _column(LEFT[:2], 50, 200) + _line(f"Page {n} of 4", 400, 770)
        pages.append(PageWords(words, 600, 800))
    edges = [edge_rows(p) for p in pages]
    keys = running_keys(edges)
    assert keys == {"partnership plan", "page # of #"}
    words, removed = strip_running(pages[2], keys, edges[2])
    assert removed == ["Partnership Plan", "Page 3 of 4"]
    assert compose(pages[2], words)[0] == "alpha one two three alpha four five six"


def test_a_line_on_one_page_only_is_not_running():
    pages = [PageWords(_line(f"Unique heading {t}", 50, 30) + _column(LEFT[:2], 50, 200), 600, 800) for t in "abc"]
    assert running_keys([edge_rows(p) for p in pages]) == set()


def test_table_text_is_placed_once_where_the_table_stands():
    above = _line("Before the table.", 50, 100)
    cells = _line("Social Value Act", 60, 140) + _line("third sector partners", 300, 140)
    below = _line("After the table.", 50, 200)
    table = Table((50, 130, 500, 160), [["Social Value Act", "third sector partners"]])
    text, _ = compose(PageWords(above + cells + below, 600, 800, [table]))
    assert text == "Before the table.\n\nSocial Value Act | third sector partners\n\nAfter the table."
