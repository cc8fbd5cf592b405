"""Detection speed: full pipeline vs a bare PhraseMatcher vs pdfplumber extraction.

Prints words/s of ``Detector.detect`` (patterns + context + facts; and with the classifier when
a model file exists), words/s of a bare spaCy PhraseMatcher over the same pages, sentences/s of
the classifier, and pages/s and words/s of pdfplumber extracting the same kind of pages from a
PDF written with reportlab. Target: detection at least 5x faster than extraction, so detection is
never the bottleneck of a scan.

    .venv/bin/python benchmarks/bench_detect.py [--pages 150] [--pdf-pages 15]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

# Sentence parts in the register of NHS plans; a few carry mentions, most do not.
SUBJECTS = ["The CCG", "Our partnership", "The STP", "Commissioners", "The Trust", "Each locality", "The board",
            "Primary care networks", "The local authority", "Our workforce programme"]
VERBS = ["will improve", "aims to reduce", "has agreed to develop", "should strengthen", "will review", "must deliver",
         "plans to expand", "will commission", "is committed to", "will work with partners to redesign"]
OBJECTS = ["access to urgent care", "waiting times for elective surgery", "mental health services for young people",
           "integrated community teams", "discharge from hospital", "the digital maturity of general practice",
           "prevention of cardiovascular disease", "care closer to home", "the financial position by 2020/21",
           "out-of-hospital services", "value for money in every contract", "adult social care capacity"]
TAILS = ["across the footprint", "in line with the Five Year Forward View", "by March 2019",
         "working with the voluntary sector", "through social value in procurement", "with local charities",
         "as set out in section 4", "with the third sector and community groups", "for the whole population",
         "under the Public Services (Social Value) Act 2012", "with VCSE partners", "where possible"]
HEADINGS = ["1. Introduction", "Our priorities", "2.3 Urgent and emergency care", "Working with communities",
            "Finance and efficiency", "Appendix A: Engagement"]
PHRASES = ["social value", "social value act", "public services (social value) act", "vcse", "voluntary sector",
           "third sector", "charities", "social enterprise", "social enterprises", "community groups",
           "voluntary and community sector", "voluntary, community and social enterprise sector"]


def make_pages(n: int, words_per_page: int = 450, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    pages = []
    for _ in range(n):
        lines, words = [rng.choice(HEADINGS)], 0
        while words < words_per_page:
            sentence = f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)} {rng.choice(TAILS)}."
            if rng.random() < 0.15:
                sentence = "• " + sentence
            lines.append(sentence)
            words += len(sentence.split())
        pages.append(_wrap(" ".join(lines), 90))
    return pages


def _wrap(text: str, width: int) -> str:
    """Break lines like a PDF text layer does (mid-sentence, at spaces)."""
    out, line = [], ""
    for word in text.split():
        if len(line) + len(word) + 1 > width:
            out.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return "\n".join(out + [line])


def timed(fn, repeat: int = 2) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def bench_detector(pages: list[str], words: int, use_classifier: bool) -> float | None:
    from svmine.detect import Detector
    from svmine.model import Document, Page

    detector = Detector(use_classifier=use_classifier)
    if use_classifier and detector.classifier is None:
        return None
    doc = Document("bench.pdf", "0" * 64, "pdf", pages=[Page(i + 1, t) for i, t in enumerate(pages)])
    detector.detect(Document("warm.pdf", "0" * 64, "pdf", pages=[Page(1, pages[0])]))
    seconds = timed(lambda: detector.detect(doc))
    count = len(detector.detect(doc).mentions)
    label = "with classifier" if use_classifier else "patterns only  "
    print(f"full detection ({label}): {words / seconds:10,.0f} words/s  ({count} mentions, {seconds:.2f} s)")
    return words / seconds


def bench_phrasematcher(pages: list[str], words: int) -> float:
    import spacy
    from spacy.matcher import PhraseMatcher

    nlp = spacy.blank("en")
    matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
    matcher.add("MENTION", [nlp.make_doc(p) for p in PHRASES])

    def run():
        return sum(len(matcher(doc)) for doc in nlp.tokenizer.pipe(pages))

    seconds = timed(run)
    print(f"bare PhraseMatcher:                {words / seconds:10,.0f} words/s  ({run()} matches, {seconds:.2f} s)")
    return words / seconds


def bench_classifier(pages: list[str]) -> None:
    try:
        from svmine.detect.classifier import load_classifier
    except ImportError:
        print("classifier: module not available")
        return
    classifier = load_classifier()
    if classifier is None:
        print("classifier: no model file (run `svmine train`)")
        return
    sentences = [s.strip() + "." for p in pages for s in " ".join(p.split()).split(".") if len(s.split()) > 3]
    seconds = timed(lambda: classifier.predict_proba(sentences))
    print(f"classifier:                        {len(sentences) / seconds:10,.0f} sentences/s ({len(sentences)} sentences)")


def bench_pdfplumber(pages: list[str]) -> float:
    import pdfplumber
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.pdf"
        pdf = canvas.Canvas(str(path), pagesize=A4)
        for text in pages:
            y = 800
            for line in text.split("\n"):
                pdf.drawString(50, y, line)
                y -= 14
            pdf.showPage()
        pdf.save()

        def run():
            with pdfplumber.open(path) as doc:
                return [p.extract_text() for p in doc.pages]

        seconds = timed(run, repeat=1)
        words = sum(len(t.split()) for t in run())
    print(f"pdfplumber extraction:             {words / seconds:10,.0f} words/s  ({len(pages) / seconds:.1f} pages/s)")
    return words / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=150, help="pages of generated text for detection")
    parser.add_argument("--pdf-pages", type=int, default=15, help="pages in the PDF for pdfplumber")
    args = parser.parse_args()
    pages = make_pages(args.pages)
    words = sum(len(p.split()) for p in pages)
    print(f"{args.pages} generated pages, {words:,} words")
    detect_rate = bench_detector(pages, words, use_classifier=False)
    with_model = bench_detector(pages, words, use_classifier=True)
    bench_phrasematcher(pages, words)
    bench_classifier(pages)
    extract_rate = bench_pdfplumber(pages[: args.pdf_pages])
    print(f"detection / extraction speed:      {detect_rate / extract_rate:10.1f}x (patterns only; target >= 5x)")
    if with_model:
        print(f"                                   {with_model / extract_rate:10.1f}x (with classifier)")


if __name__ == "__main__":
    main()
