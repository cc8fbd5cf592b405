"""Formats without pages, read as text: deep HTML, short text encodings, hard-wrapped text and
transcripts (svmine.extract.structured and normalize)."""

from __future__ import annotations

import pytest

from svmine.extract import extract_document
from svmine.extract.structured import decode_text, html_pages
from svmine.model import TRUNCATED_WARNING

LAST = "In every contract we will ask suppliers for social value."


# ---------------------------------------------------------------- deep and unclosed HTML

@pytest.mark.parametrize("depth", [300, 1000, 5000])
@pytest.mark.parametrize("opening", ["<font size=2>", "<div>", "<font><div>", "<table><tr><td>", "<blockquote><span>"])
def test_unclosed_nesting_keeps_the_text_after_it(tmp_path, depth, opening):
    """libxml2 gives up at 256 (or 2,048) levels and keeps only what it read so far."""
    path = tmp_path / "legacy.html"
    path.write_text(f"<html><head><title>Plan</title></head><body>{(opening + 'Word ') * depth}<p>{LAST}", "ascii")
    doc = extract_document(path)
    assert LAST in doc.pages[0].text
    assert doc.pages[0].text.count("Word") == depth
    assert not doc.truncated and not doc.warnings


def test_a_parse_that_stops_early_is_flagged_truncated(tmp_path, monkeypatch):
    """When both parsers fail the part read is kept, and the document says it is partial."""
    import html5lib

    def broken(*args, **kwargs):
        raise RuntimeError("no luck")

    monkeypatch.setattr(html5lib, "HTMLParser", broken)
    path = tmp_path / "legacy.html"
    path.write_text(f"<html><body><p>First words.</p>{'<div>' * 3000}<p>{LAST}", "ascii")
    doc = extract_document(path)
    assert "First words." in doc.pages[0].text and LAST not in doc.pages[0].text
    assert doc.truncated is True
    assert doc.warnings and doc.warnings[0].startswith(f"{TRUNCATED_WARNING}: the HTML parser stopped at line 1")
    assert "Excessive depth" in doc.warnings[0]


def test_truncated_survives_the_time_limited_worker(tmp_path, monkeypatch):
    path = tmp_path / "page.html"
    path.write_text(f"<html><body><p>{LAST}</p></body></html>", "ascii")
    assert extract_document(path, timeout=60).truncated is False
    from svmine.model import Document

    assert Document.from_dict({**extract_document(path).to_dict(), "truncated": True}).truncated is True


def test_ordinary_html_is_unchanged_by_the_fallback():
    raw = b"<html><body><div><p>One <b>bold</b> line.</p><table><tr><td>a</td><td>b</td></tr></table></div></body></html>"
    pages, _, warnings = html_pages(raw, "x")
    assert pages[0].text == "One bold line.\n\na | b" and warnings == []


# ---------------------------------------------------------------- text encodings

SHORT_TEXTS = ["£5", "It’s", "“Yes”", "café", "2017–2021", "£30 for the café – it’s “ours”.", "Größe", "é"]
ENCODINGS = ["cp1252", "latin-1", "utf-8", "utf-8-sig", "utf-16", "utf-32"]


def _encodable(text: str, encoding: str) -> bool:
    try:
        return bool(text.encode(encoding))
    except UnicodeEncodeError:  # latin-1 has no curly quotes or dashes
        return False


@pytest.mark.parametrize("text, encoding", [(t, e) for t in SHORT_TEXTS for e in ENCODINGS if _encodable(t, e)])
def test_short_texts_decode_in_every_encoding(text, encoding):
    assert decode_text(text.encode(encoding))[0] == text


@pytest.mark.parametrize(
    "raw, expected, encoding",
    [
        ("£5".encode("cp1252"), "£5", "cp1252"),  # charset-normalizer: UTF-16
        ("café".encode("cp1252"), "café", "cp1252"),  # charset-normalizer: UTF-16
        ("é".encode("latin-1"), "é", "cp1252"),  # charset-normalizer: EBCDIC
        ("café".encode("utf-8"), "café", "utf-8"),
        ("café".encode("utf-8") + b" \xff", "café \ufffd", "utf-8"),  # damaged UTF-8 stays UTF-8
        ("Это короткий текст на русском языке.".encode("cp1251"), "Это короткий текст на русском языке.", "cp1251"),
        ("Ένα μικρό κείμενο στα ελληνικά εδώ.".encode("cp1253"), "Ένα μικρό κείμενο στα ελληνικά εδώ.", "cp1253"),
    ],
)
def test_encoding_names(raw, expected, encoding):
    assert decode_text(raw) == (expected, encoding)


def test_short_cp1252_file_through_extract(tmp_path):
    path = tmp_path / "note.txt"
    path.write_bytes("Budget £5k – the café’s “social value” pilot.".encode("cp1252"))
    doc = extract_document(path)
    assert doc.pages[0].text == "Budget £5k – the café's \"social value\" pilot."
    assert doc.metadata["encoding"] == "cp1252"


# ---------------------------------------------------------------- hard-wrapped text and transcripts

FIXTURES = __import__("pathlib").Path(__file__).parent / "fixtures" / "text"


def _sentences(path):
    """The sentences the detector's pipeline makes of a file (``doc.sents``), and the document."""
    from svmine.detect.pipeline import make_pipeline

    doc = extract_document(path)
    nlp = make_pipeline(context=False)
    return [s.text.strip() for page in doc.pages for s in nlp(page.text).sents if s.text.strip()], doc


def test_hard_wrapped_markdown_gives_whole_sentences():
    sentences, doc = _sentences(FIXTURES / "hard_wrapped_plan.md")
    assert sentences == [
        "North Shire Community Health and Care Plan 2026",  # a bold heading wrapped over two lines
        "1. Why this plan matters",
        "Our hospitals, surgeries and community teams spend a large share of the county's money every year, "
        "and we want more of that spending to stay in North Shire.",
        "From April every new contract over £100,000 will include a question on social value, "
        "weighted at 10% of the quality score.",
        "We will work with the voluntary, community and social enterprise sector on the design of local services, "
        "and we will publish what suppliers deliver.",
        "Our three promises",
        "- Buy from local firms where we can, including small charities and co-operatives.",
        "- Pay the real living wage to everyone who works for us.",
        "| Promise | Lead |",
        "| Local buying | Finance director |",
        "12",
        "The board reviews progress twice a year.",
        "Results are reported to the public in the annual report.",
    ]
    assert "timestamps" not in doc.metadata


def test_hard_wrapped_markdown_mentions_are_found_in_whole_sentences():
    from svmine.detect import Detector

    result = Detector(use_classifier=False).detect(extract_document(FIXTURES / "hard_wrapped_plan.md"))
    sv = [m for m in result.mentions if m.category == "social_value"]
    assert [m.sentence for m in sv] == [
        "From April every new contract over £100,000 will include a question on social value, "
        "weighted at 10% of the quality score."
    ]
    assert sv[0].context == {"committed": "will"}


@pytest.mark.parametrize(
    "name, sentences, times",
    [
        (
            "board_meeting_transcript.txt",  # WebVTT: header, cue numbers and timing lines
            ["Good morning and welcome to the board meeting of North Shire health partnership.",
             "We have a full agenda today so let us begin with item one, which is the procurement update."],
            [("Good morning", "00:00:01.000"), ("North Shire", "00:00:04.500"), ("let us begin", "00:00:09.000")],
        ),
        (
            "tactiq_transcript.txt",  # a time before each line, bare or in brackets
            ["Thank you chair.",
             "So the next item is about how we spend money locally and what the voluntary sector gets from it.",
             "We have agreed that every tender will ask about social value.",
             "Any questions from members?",
             "Yes, I have one about the small grants scheme."],
            [("Thank you", "00:12:01.120"), ("spend money", "00:12:05.480"), ("gets from", "00:12:09.900"),
             ("will ask", "00:12:14.040"), ("Any questions", "00:12:18"), ("Yes, I have", "00:12:21")],
        ),
    ],
)
def test_transcripts_lose_their_timestamps_and_keep_them_as_metadata(name, sentences, times):
    got, doc = _sentences(FIXTURES / name)
    assert got == sentences
    text = doc.pages[0].text
    assert [(text[offset : offset + len(words)], time) for (offset, time), (words, _) in zip(doc.metadata["timestamps"], times)] == [
        (words, time) for words, time in times
    ]


def test_extract_cli_prints_the_timestamps(tmp_path):
    from typer.testing import CliRunner

    from svmine.cli.main import app

    result = CliRunner().invoke(app, ["extract", str(FIXTURES / "tactiq_transcript.txt")])
    assert result.exit_code == 0, result.output
    record = __import__("json").loads(result.stdout.splitlines()[0])
    assert record["timestamps"][0] == [0, "00:12:01.120"] and "00:12" not in record["text"]


@pytest.mark.parametrize(
    "text, markdown, paragraphs",
    [
        # blank lines inside a sentence (PDF converted to text)
        ("We will ask every \n\nsupplier for a plan.", False, ["We will ask every supplier for a plan."]),
        # a sentence that ends, then a capital after a blank line: two paragraphs
        ("The plan was agreed.\n\nThe board met.", False, ["The plan was agreed.", "The board met."]),
        # no final punctuation, a capital next, blank line between: a heading and its text
        ("Local buying\n\nWe buy from local firms.", False, ["Local buying", "We buy from local firms."]),
        # a comma or a small word at the end carries on over a capital
        ("We work with the\n\nVoluntary Action Leeds team.", False, ["We work with the Voluntary Action Leeds team."]),
        ("Partners include the council,\n\nHealthwatch and hospices.", False, ["Partners include the council, Healthwatch and hospices."]),
        # wrapped lines without blank lines join; a short last line ends the paragraph
        ("Our long paragraph runs over several lines of the page\nas text files do.\nHeading\nNext text.",
         False, ["Our long paragraph runs over several lines of the page as text files do.", "Heading", "Next text."]),
        # list items stay apart, their wrapped lines join them, a bullet alone takes the next line
        ("- First item that wraps\n  onto a second line\n- Second item", False,
         ["- First item that wraps onto a second line", "- Second item"]),
        ("•\n\nFund local charities.\n\n•\n\nPay the living wage.", False, ["• Fund local charities.", "• Pay the living wage."]),
        # table rows and page numbers are never joined
        ("| a | b |\n| c | d |\n7\nand then", False, ["| a | b |", "| c | d |", "7", "and then"]),
        # capitals are a heading
        ("SECTION TWO\nthe text", False, ["SECTION TWO", "the text"]),
        # de-hyphenation across a wrap
        ("our com-\nmunity partners", False, ["our community partners"]),
        # Markdown: headings, bold headings, emphasis and escapes
        ("## Our aims\nWe **will** pay \\(and *publish*\\) it.", True, ["Our aims", "We will pay (and publish) it."]),
        ("**Money spent **\n\n**in North Shire**\n\n**Next part**", True, ["Money spent in North Shire", "Next part"]),
        ("See [the policy](https://example.org/p) for details.", True, ["See the policy for details."]),
        # without markdown=True the markup is text
        ("We **will** pay.", False, ["We **will** pay."]),
        # a time of day is not a transcript time
        ("10:30 Welcome and apologies", False, ["10:30 Welcome and apologies"]),
    ],
)
def test_reflow_table(text, markdown, paragraphs):
    from svmine.extract.normalize import text_to_paragraphs

    assert text_to_paragraphs(text, markdown=markdown) == paragraphs
