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
from dataclasses import dataclass

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


def text_to_paragraphs(text: str, markdown: bool = False) -> list[str]:
    """Plain text (or Markdown) re-flowed into paragraphs; see ``reflow``."""
    return reflow(text, markdown).paragraphs


# ---------------------------------------------------------------- re-flowing plain text

_TIME = r"\d{1,2}:\d{2}:\d{2}(?:[.,]\d{1,3})?|\d{1,2}:\d{2}[.,]\d{1,3}"  # 00:43:02.160, 43:02.160
_ANY_TIME = r"\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?"
# "00:43:02.160 --> 00:43:05.000" (WebVTT/SRT cue timing, settings after it) or a leading
# "00:43:02.160" / "[00:01:02]" / "(00:01:02)" before the words spoken.
_CUE_TIMING = re.compile(rf"^({_ANY_TIME})\s*-->\s*{_ANY_TIME}\b.*$")
_LEADING_TIME = re.compile(rf"^(?:\[({_ANY_TIME})\]|\(({_ANY_TIME})\)|({_TIME}))(?:\s*[-–:]?\s+|$)")
_SENTENCE_END = re.compile(r"[.!?;:…][\"')\]]*$")
_CONNECTIVE_END = re.compile(
    r"(?:[,(&/–-]|\b(?:and|or|but|nor|the|a|an|of|to|for|in|on|at|by|with|from|as|that|which|who|our|their|its|"
    r"this|these|those|is|are|was|were|be|been|will|would|can|could|should|may|must|has|have|had|into|onto|"
    r"across|between|through|within|without|including|such|than|not|also|both|each|every|all|more|most|"
    r"very|so|if|when|where|while|we|they|it|you|he|she|i|um|uh))$",
    re.IGNORECASE,
)
_LIST_ITEM = re.compile(r"^(?:[•▪◦●‣∙·➢►■□✓]|[*+–—-](?=\s)|\(?\d{1,2}[.)](?=\s)|\(?[a-zA-Z][.)](?=\s)|\(?[ivxIVX]{1,4}[.)](?=\s))")
_URL_END = re.compile(r"(?:https?://|www\.)\S+$")
_PAGE_NUMBER = re.compile(r"^(?:page\s+)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?$", re.IGNORECASE)
_MD_HEADING = re.compile(r"^#{1,6}\s+")
_MD_BOLD = re.compile(r"\*\*|__")
_MD_ITALIC = re.compile(r"(?<![\w*])\*(?=[^\s*])|(?<=[^\s*])\*(?![\w*])|(?<=\s)\*$")
_MD_BOLD_LINE = re.compile(r"(?:\*\*|__)(?:(?!\*\*|__).)+(?:\*\*|__)")
_MD_TABLE_RULE = re.compile(r"\|?(?:\s*:?-{3,}:?\s*\|)+\s*(?::?-{3,}:?)?\s*")
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~])")
_MD_LINK = re.compile(r"!?\[([^\]\n]*)\]\([^)\s]*\)")
SHORT_LINE = 0.6  # of the longest line of its block: a heading or the last line of a paragraph


@dataclass
class Reflowed:
    """Paragraphs of a text, and the transcript times taken out of it.

    ``times`` holds ``(offset, time)``: the character offset in ``text`` (the paragraphs joined
    by blank lines, as the page text is) where the words said at that time start."""

    paragraphs: list[str]
    times: list[tuple[int, str]]

    @property
    def text(self) -> str:
        return join_paragraphs(self.paragraphs)


@dataclass
class _Line:
    text: str
    kind: str  # "text", "heading", "bold" (a line all in bold), "item", "row", "number"
    blank_before: bool
    time: str | None = None
    longest: int = 0  # longest line of its block (lines not separated by a blank line)


def reflow(text: str, markdown: bool = False) -> Reflowed:
    """Re-flow hard-wrapped plain text or Markdown into paragraphs, taking timestamps out.

    Text converted from PDF, e-mail and transcripts breaks lines, often with blank lines in
    between, in the middle of sentences; sentence splitting needs the sentence in one piece.
    Decisions, for each pair of neighbouring lines:

    - Never joined: headings (Markdown ``#``, a line all in bold, a line in capitals), list items
      ("•", "-", "1.", "(a)"), table rows ("|"), page numbers; except that a heading or a list
      item continues on a next line that starts in lower case (a wrapped heading or item).
    - Joined when the first does not end a sentence and the next continues it: it starts in lower
      case or with punctuation, or the first ends with a comma, a dash or a small word ("the",
      "of", "and", "we"...).
    - Without a blank line between them (a wrapped paragraph), also joined when the first line is
      not short (< 60% of the longest line of its block, as a paragraph's last line or a heading
      is), whatever the next line starts with.
    - Otherwise a new paragraph starts.

    Transcript times at the start of a line ("00:43:02.160", "43:02.160", "[00:01:02]", and
    WebVTT/SRT cue lines "00:43:02.160 --> 00:43:05.000" with their cue numbers and the
    ``WEBVTT`` header) are removed from the text and returned in ``times``.

    ``markdown``: emphasis (``**``, ``__``, ``*``), backslash escapes, link targets and heading
    marks are removed from the text; a line all in bold is a heading.
    """
    text = normalize_text(text.replace("\r\n", "\n").replace("\r", "\n"))
    raw_lines = text.split("\n")
    if raw_lines and raw_lines[0].strip().upper().startswith("WEBVTT"):
        raw_lines = raw_lines[1:]
    lines: list[_Line] = []
    blank, pending = False, None
    for i, raw in enumerate(raw_lines):
        line = raw.strip()
        if not line:
            blank = True
            continue
        cue = _CUE_TIMING.match(line)
        if cue:
            pending = cue.group(1)
            continue
        if line.isdigit() and i + 1 < len(raw_lines) and _CUE_TIMING.match(raw_lines[i + 1].strip()):
            continue  # an SRT cue number
        stamp = _LEADING_TIME.match(line)
        if stamp:
            pending = next(g for g in stamp.groups() if g)
            line = line[stamp.end():].strip()
            if not line:
                continue
        if markdown and _MD_TABLE_RULE.fullmatch(line):
            continue  # "| --- | --- |" under a table's header row
        kind, line = _classify(line, markdown)
        if line:
            lines.append(_Line(line, kind, blank, pending))
            blank, pending = False, None
    _set_longest(lines)
    paragraphs: list[list[_Line]] = []
    for prev, line in zip([None] + lines, lines):
        if prev is not None and _joins(prev, line):
            paragraphs[-1].append(line)
        else:
            paragraphs.append([line])
    return _join(paragraphs)


def _classify(line: str, markdown: bool) -> tuple[str, str]:
    heading = _MD_HEADING.match(line)
    if markdown:
        bold = bool(_MD_BOLD_LINE.fullmatch(line))
        line = _MD_LINK.sub(r"\1", line)
        line = _MD_ITALIC.sub("", _MD_BOLD.sub("", line))
        line = _MD_ESCAPE.sub(r"\1", line)
        line = _SPACES.sub(" ", line[heading.end():] if heading else line).strip()
        if bold and line and not heading:
            return "bold", line
    if heading:
        return "heading", line
    if line.startswith("|") or line.count(" | ") >= 2:
        return "row", line
    if _LIST_ITEM.match(line):
        return "item", line
    if _PAGE_NUMBER.match(line):
        return "number", line
    letters = [c for c in line if c.isalpha()]
    if len(letters) >= 2 and line.isupper():
        return "heading", line
    return "text", line


def _set_longest(lines: list[_Line]) -> None:
    block: list[_Line] = []
    for line in lines + [_Line("", "text", True)]:
        if line.blank_before and block:
            longest = max(len(x.text) for x in block)
            for x in block:
                x.longest = longest
            block = []
        block.append(line)


def _continues(prev: str, line: str) -> bool:
    first = line[0]
    return first.islower() or first in ",;:)]–-&%" or bool(_CONNECTIVE_END.search(prev))


def _joins(prev: _Line, line: _Line) -> bool:
    if prev.kind == "item" and _LIST_ITEM.fullmatch(prev.text):
        return line.kind == "text"  # a bullet alone on its line: its text is on the next
    if line.kind in ("heading", "row", "number", "item") or prev.kind in ("row", "number"):
        return False
    if _SENTENCE_END.search(prev.text) or _URL_END.search(prev.text):
        return not line.blank_before and prev.kind == line.kind == "text" and len(prev.text) >= SHORT_LINE * prev.longest
    if prev.kind in ("heading", "bold") or line.kind == "bold":
        return prev.kind == line.kind and line.text[0].islower()  # a heading wrapped over two lines
    if _continues(prev.text, line.text):
        return True
    return not line.blank_before and prev.kind != "item" and len(prev.text) >= SHORT_LINE * prev.longest


def _join(paragraphs: list[list[_Line]]) -> Reflowed:
    texts: list[str] = []
    times: list[tuple[int, str]] = []
    offset = 0  # of the current paragraph in the joined text
    for lines in paragraphs:
        out = ""
        for line in lines:
            if not out:
                at, out = 0, line.text
            elif out.endswith("-") and line.text[0].islower() and _LINE_END_HYPHEN.search(out[-2:]):
                at, out = len(out) - 1, out[:-1] + line.text
            else:
                at, out = len(out) + 1, f"{out} {line.text}"
            if line.time:
                times.append((offset + at, line.time))
        texts.append(out)
        offset += len(out) + 2
    return Reflowed(texts, times)
