"""Text clean-up shared by every engine and format, so the same page gives the same text.

Decisions:
- Unicode is NFKC-normalised (ligatures such as "ﬁ" become "fi", full-width forms and
  non-breaking spaces become plain ones); curly quotes become straight ones and the
  Unicode hyphens U+2010/U+2011 become "-", so patterns need one spelling only. En and em
  dashes are kept: they carry meaning ("2017–2021").
- Soft hyphens (U+00AD) are dropped; PDFium's line-break hyphen marker U+FFFE (and the
  U+0002 it returns from bounded text) become "-" so the shared de-hyphenation decides.
- De-hyphenation joins only *line-end* hyphens followed by a lower-case letter on the next
  line ("so-" + "cial" → "social"); a hyphen inside a line ("long-term") is never touched.
  A compound that happens to break at a line end ("long-" / "term") is joined too: without
  a dictionary the two cases cannot be told apart, and split words are far more common.
- Lines of one paragraph are joined with a space; paragraphs are separated by one blank line.
"""

from __future__ import annotations

import re
import unicodedata

_TRANSLATE = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u00ad": None,  # soft hyphen: only a hint where a word may break
        "\ufffe": "-",  # PDFium: hyphen at a line break
        "\u0002": "-",  # PDFium get_text_bounded's form of the same marker
        "\u200b": None,  # zero-width space
        "\u200c": None,
        "\u200d": None,
        "\u2060": None,
        "\ufeff": None,
        "\t": " ",
    }
)
_SPACES = re.compile(r"[^\S\n]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LINE_END_HYPHEN = re.compile(r"(?<=[^\W\d_])-$")


def normalize_text(text: str) -> str:
    """Unicode clean-up of one line or fragment (no line joining)."""
    if text.isascii():
        text = text.replace("\t", " ")
    else:
        text = unicodedata.normalize("NFKC", text.translate(_TRANSLATE))
    text = _CONTROL.sub("", text)
    return _SPACES.sub(" ", text)


def join_lines(lines: list[str]) -> str:
    """Join the lines of one paragraph, undoing line-end hyphenation."""
    out = ""
    for line in lines:
        line = line.strip()
        if not line:
            continue
        if not out:
            out = line
        elif out.endswith("-") and line[0].islower() and _LINE_END_HYPHEN.search(out[-2:]):
            out = out[:-1] + line
        else:
            out = f"{out} {line}"
    return out


def join_paragraphs(paragraphs: list[str]) -> str:
    return "\n\n".join(p for p in (p.strip() for p in paragraphs) if p)


def text_to_paragraphs(text: str) -> list[str]:
    """Plain text: blank lines end paragraphs, and so does a line in capitals or much shorter
    than the longest line of its block (a heading, or the last line of a paragraph); other
    line breaks are wrapping and are joined."""
    text = normalize_text(text.replace("\r\n", "\n").replace("\r", "\n"))
    paragraphs: list[str] = []
    for block in re.split(r"\n\s*\n", text):
        lines = [line.strip() for line in block.split("\n") if line.strip()]
        if not lines:
            continue
        longest = max(len(line) for line in lines)
        current: list[str] = []
        for line in lines:
            current.append(line)
            if len(line) < 0.6 * longest or line.isupper():  # short lines and capitals: headings
                paragraphs.append(join_lines(current))
                current = []
        if current:
            paragraphs.append(join_lines(current))
    return paragraphs
