"""Candidate sentences for the real-text gold set (``annotations/gold/real.jsonl``), repeatably.

    .venv/bin/svmine detect --format jsonl -o /tmp/mentions.jsonl ../shared/data/uk_public_docs_text ../shared/data/uk_public_pdfs
    .venv/bin/python scripts/gold_candidates.py list [--shared DIR] [--mentions /tmp/mentions.jsonl] > /tmp/candidates.tsv
    .venv/bin/python scripts/gold_candidates.py apply LABELS.tsv [--shared DIR]
    .venv/bin/python scripts/gold_candidates.py stats

``list`` splits the reference text of every real document (see ``svmine/detect/gold.py``) into
sentences and prints, one per line, ``key<TAB>why<TAB>folded sentence`` for each candidate:

- every sentence matching :data:`KEYWORDS` (procurement, commissioning, contracts, suppliers,
  spend, employment, apprenticeships, the living wage, anchor institutions, local economy,
  carbon, and near relatives), so negatives in that register are covered;
- with ``--mentions FILE`` (the JSONL of ``svmine detect --format jsonl``, from any svmine version;
  the gold set was built from the first model's output, which reported 86 implicit sentences):
  every sentence holding a pattern mention or called implicit, mapped back to the reference text
  by its letters (:func:`svmine.detect.gold.letter_key`).

Sentences already in the gold file are marked ``done`` in ``why``. The TSV goes to a scratch
folder, never into the repository (it holds document text). The annotator writes a labels file,
``key<TAB>label[+label]<TAB>reason`` per line, and ``apply`` turns it into gold records (offsets,
sha256, text_sha1, split by :func:`svmine.detect.gold.split_of`), keeping existing records.

The sentence splitter here is the gold's own, independent of svmine's pipeline: transcript
timestamps are blanked, single and blank line breaks inside a sentence are folded, and a sentence
ends at ., ! or ? before a capital, digit or bullet, at a bullet or Markdown heading line, and at a
blank line after a line that ends a sentence, or after a short mostly capitalised line (a heading)
when the next line starts with a capital. A line break before a lower-case word never ends one.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from svmine.detect.gold import (  # noqa: E402
    GoldSentence,
    default_shared_dir,
    fold,
    letter_key,
    read_gold_records,
    reference_pages,
    split_of,
    text_sha1,
)
from svmine.hashing import sha256_file  # noqa: E402

GOLD = ROOT / "annotations" / "gold" / "real.jsonl"
FOLDERS = ("data/uk_public_docs_text", "data/uk_public_pdfs")
SUFFIXES = {".md", ".txt", ".pdf", ".docx"}

KEYWORDS = re.compile(
    r"procur|commission|contract|supplier|supply chain|\bspend|\bspent\b|purchas|\bbuy|\bbought\b|tender"
    r"|employ|apprentic|living wage|fair work|good work|anchor|local econom|econom\w* (?:growth|development|"
    r"inclusion|benefit|wellbeing|well-being|activity|inactiv)|inclusive (?:econom|growth)|community wealth"
    r"|carbon|net zero|net-zero|greener|green plan|sustainab|\bjobs?\b|recruit|\bestates?\b|social value"
    r"|\bsmes?\b|local business|social enterprise|voluntary|vcse|vcfse|third sector|charit",
    re.IGNORECASE,
)

_TIMESTAMP = re.compile(r"^\d{1,2}:\d\d:\d\d(?:\.\d+)?[ \t]*", re.MULTILINE)
_SENT_END = re.compile(r"[.!?][\"'”’)\]*]*(?=\s+[\"'“‘(\[*#]*[A-Z0-9•▪●])")
_LINE_BREAK_ITEM = re.compile(r"\n[ \t]*(?=(?:[•▪◦●➢►■–—]|[-*][ \t]|#{1,6}[ \t]|\d{1,2}[.)][ \t]))")
_BLANK = re.compile(r"\n[ \t]*\n\s*")
MIN_CHARS = 12


def mask_timestamps(text: str) -> str:
    """Same length, timestamps turned into spaces (offsets stay those of the source)."""
    return _TIMESTAMP.sub(lambda m: " " * len(m.group()), text)


_SMALL = {"and", "or", "the", "of", "to", "for", "in", "with", "a", "an", "by", "on", "our", "that", "at", "&"}


def _heading_like(line: str) -> bool:
    s = line.strip()
    if not s:
        return False
    if s.startswith("#") or (s.startswith("**") and s.endswith("**")):
        return True
    words = s.split()
    if len(words) > 8 or s.endswith((",", ";", "-", "–")) or words[-1].lower() in _SMALL:
        return False
    content = [w for w in words if w.lower() not in _SMALL]
    return sum(1 for w in content if w.lstrip("(*\"'‘“")[:1].isupper()) >= 0.6 * len(content)


def split_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) spans of sentences in ``text`` (rules in the module docstring)."""
    work = mask_timestamps(text)
    cuts = {0, len(work)}
    cuts.update(m.end() for m in _SENT_END.finditer(work))
    cuts.update(m.start() + 1 for m in _LINE_BREAK_ITEM.finditer(work))
    for m in _BLANK.finditer(work):
        before = work[: m.start()].rstrip()
        last_line = before[before.rfind("\n") + 1 :]
        nxt = work[m.end() : m.end() + 1]
        if nxt.islower():
            continue
        if before.endswith((".", "!", "?", ":", "**", '"', "”")) or _heading_like(last_line) or nxt in "#•▪●*-–":
            cuts.add(m.end())
    for m in re.finditer(r"^#{1,6}[^\n]*$|^\*\*[^\n]*\*\*[ \t]*$", work, re.MULTILINE):
        cuts.update((m.start(), m.end()))
    spans = []
    edges = sorted(cuts)
    for a, b in zip(edges, edges[1:]):
        seg = work[a:b]
        lead = len(seg) - len(seg.lstrip())
        trail = len(seg.rstrip())
        if trail - lead >= MIN_CHARS:
            spans.append((a + lead, a + trail))
    return spans


def documents(shared: Path) -> list[Path]:
    return [p for folder in FOLDERS for p in sorted((shared / folder).rglob("*")) if p.suffix.lower() in SUFFIXES]


def key_of(doc: str, page: int, start: int, end: int) -> str:
    return hashlib.sha1(f"{doc}\0{page}\0{start}\0{end}".encode()).hexdigest()[:10]


def read_mentions(path: Path | None, shared: Path) -> dict[str, list[dict]]:
    """Mentions of ``svmine detect --format jsonl`` per document (relative to ``shared``)."""
    out: dict[str, list[dict]] = {}
    if path is None:
        return out
    for line in path.read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        if rec.get("record") != "mention":
            continue
        doc = Path(rec["document"]).resolve()
        try:
            rel = str(doc.relative_to(shared.resolve()))
        except ValueError:
            continue
        out.setdefault(rel, []).append(rec)
    return out


def detector_hits(mentions: list[dict], pages: tuple[str, ...]) -> dict[tuple[int, int], set[str]]:
    """(page, reference char) -> {"pattern:<category>", "implicit"}, found by the sentence's letters."""
    out: dict[tuple[int, int], set[str]] = {}
    keys = [letter_key(t) for t in pages]
    for m in mentions:
        if m["page"] - 1 >= len(pages):
            continue
        key, offsets = keys[m["page"] - 1]
        implicit = m["kind"] == "implicit"
        context = letter_key(m["sentence"])[0]
        needle = context if implicit else letter_key(m["text"])[0]
        at = key.find(context)
        if at < 0 or not needle:
            continue
        inner = 0 if implicit else max(context.find(needle), 0)
        mid = offsets[at + inner + len(needle) // 2]
        out.setdefault((m["page"], mid), set()).add("implicit" if implicit else f"pattern:{m['category']}")
    return out


def candidates(shared: Path, mentions: dict[str, list[dict]]):
    for path in documents(shared):
        doc = str(path.relative_to(shared))
        pages = reference_pages(path)
        hits = detector_hits(mentions.get(doc, []), pages)
        for number, text in enumerate(pages, 1):
            spans = split_sentences(text)
            for start, end in spans:
                sentence = text[start:end]
                why = []
                found = KEYWORDS.findall(sentence)
                if found:
                    why.append("kw:" + ",".join(sorted({f.lower() for f in found})))
                why += sorted({w for (pg, ch), ws in hits.items() if pg == number and start <= ch < end for w in ws})
                if why:
                    yield doc, path, number, start, end, sentence, why


def cmd_list(args) -> None:
    done = set()
    if GOLD.is_file():
        done = {(r.doc, r.page, r.start, r.end) for r in read_gold_records(GOLD)}
    for doc, _path, page, start, end, sentence, why in candidates(args.shared, read_mentions(args.mentions, args.shared)):
        state = "done" if (doc, page, start, end) in done else "new"
        print(f"{key_of(doc, page, start, end)}\t{state};{';'.join(why)}\t{doc.split('/')[-1][:40]}\t{fold(sentence)}")


def cmd_apply(args) -> None:
    labels: dict[str, tuple[list[str], str]] = {}
    for number, line in enumerate(Path(args.labels).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) < 3:
            sys.exit(f"{args.labels}:{number}: expected key<TAB>labels<TAB>reason")
        labels[parts[0].strip()] = (parts[1].strip().split("+"), parts[2].strip())
    existing = {r.id: r for r in read_gold_records(GOLD)} if GOLD.is_file() else {}
    sha_cache: dict[str, str] = {}
    added = 0
    # Keys may name any sentence of the splitter, not only keyword candidates (detector hits).
    for path in documents(args.shared):
        doc = str(path.relative_to(args.shared))
        for number, text in enumerate(reference_pages(path), 1):
            for start, end in split_sentences(text):
                key = key_of(doc, number, start, end)
                if key not in labels:
                    continue
                labs, reason = labels.pop(key)
                sha = sha_cache.setdefault(doc, sha256_file(path))
                rec = GoldSentence(f"g-{key}", doc, sha, number, start, end, text_sha1(text[start:end]),
                                   labs, reason, split_of(doc))
                GoldSentence.from_dict(rec.to_dict(), f"label {key}")  # same checks as the loader
                added += rec.id not in existing
                existing[rec.id] = rec
    if labels:
        sys.exit(f"{len(labels)} label key(s) match no sentence: {', '.join(list(labels)[:5])}")
    order = sorted(existing.values(), key=lambda r: (r.doc, r.page, r.start))
    GOLD.parent.mkdir(parents=True, exist_ok=True)
    GOLD.write_text("".join(json.dumps(r.to_dict(), ensure_ascii=False) + "\n" for r in order), encoding="utf-8")
    print(f"{added} added, {len(order)} gold sentences in {GOLD.relative_to(ROOT)}")


def cmd_stats(_args) -> None:
    from collections import Counter

    recs = read_gold_records(GOLD)
    print(f"{len(recs)} sentences, {len({r.doc for r in recs})} documents")
    for split in ("tune", "heldout"):
        part = [r for r in recs if r.split == split]
        counts = Counter(lab for r in part for lab in r.labels)
        print(f"{split}: {len(part)} sentences, {len({r.doc for r in part})} documents, "
              + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=default_shared_dir())
    sub = parser.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("list")
    p.add_argument("--mentions", type=Path, help="JSONL of `svmine detect --format jsonl`: add its hit sentences")
    p.set_defaults(func=cmd_list)
    p = sub.add_parser("apply")
    p.add_argument("labels")
    p.set_defaults(func=cmd_apply)
    sub.add_parser("stats").set_defaults(func=cmd_stats)
    args = parser.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
