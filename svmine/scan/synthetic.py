"""A generated corpus of plan-like documents, for the scan tests and ``benchmarks/bench_scan.py``.

The text is made up of stock sentences in the register of STP plans, some naming social value
or the VCSE sector, most not, drawn with a seeded RNG so every run makes the same files.
PDFs need reportlab (a test dependency), imported only when PDFs are asked for.
"""

from __future__ import annotations

import random
from pathlib import Path

MENTION_SENTENCES = [
    "We will work with the voluntary, community and social enterprise sector to design local services.",
    "The partnership will apply the Public Services (Social Value) Act 2012 to all new contracts.",
    "Social value will be weighted at 10% of the total quality score in procurement.",
    "Community groups and charities in {place} will co-produce the prevention programme.",
    "Our VCSE partners already run social prescribing schemes across {place}.",
    "Commissioners will consider the wider social, economic and environmental wellbeing of the area.",
]
FILLER_SENTENCES = [
    "Demand for urgent care in {place} has grown by {n}% since 2014.",
    "The footprint serves a population of around {n}00,000 people.",
    "We will reduce delayed transfers of care by improving discharge planning.",
    "Primary care will be organised into hubs serving {n}0,000 patients each.",
    "Estates rationalisation is expected to save {n} million pounds by 2021.",
    "Mental health services will be integrated with physical health pathways.",
    "The financial gap across the system is forecast at {n}0 million pounds.",
    "Digital records will be shared between acute, community and social care providers.",
    "Workforce shortages in nursing remain the main risk to delivery.",
    "Clinical networks will standardise stroke and cardiology pathways.",
]
PLACES = ["Northshire", "Eastvale", "Riverton", "Westmoor", "Southport Bay", "Highfield"]


def page_texts(seed: int, pages: int, sentences_per_page: int = 12, mention_rate: float = 0.15) -> list[str]:
    rng = random.Random(seed)
    out = []
    for number in range(1, pages + 1):
        lines = [f"Sustainability and Transformation Plan {seed} - page {number}"]
        for _ in range(sentences_per_page):
            pool = MENTION_SENTENCES if rng.random() < mention_rate else FILLER_SENTENCES
            lines.append(rng.choice(pool).format(place=rng.choice(PLACES), n=rng.randint(2, 9)))
        out.append("\n".join(lines))
    return out


def write_text(path: Path, seed: int, pages: int = 1) -> Path:
    path.write_text("\n\n".join(page_texts(seed, pages)) + "\n", encoding="utf-8")
    return path


def write_pdf(path: Path, seed: int, pages: int = 2) -> Path:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path), pagesize=A4, invariant=1)  # invariant: same bytes every time
    pdf.setTitle(f"Plan {seed}")
    for text in page_texts(seed, pages):
        y = 800
        for line in text.splitlines():
            pdf.setFont("Helvetica-Bold" if y == 800 else "Helvetica", 9)
            pdf.drawString(40, y, line)
            y -= 14
        pdf.showPage()
    pdf.save()
    return path


def write_broken_pdf(path: Path, index: int = 0) -> Path:
    body = f"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >>\nfile {index} was cut short"
    path.write_bytes(body.encode("ascii"))
    return path


def make_corpus(folder: Path, *, pdfs: int = 0, texts: int = 0, pdf_pages: int = 2, text_pages: int = 1,
                broken: int = 0, seed: int = 0) -> list[Path]:
    """Write ``pdfs`` PDFs, ``texts`` text files and ``broken`` damaged PDFs into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    made = [write_pdf(folder / f"plan-{seed + i:04d}.pdf", seed + i, pdf_pages) for i in range(pdfs)]
    made += [write_text(folder / f"paper-{seed + i:04d}.txt", 10_000 + seed + i, text_pages) for i in range(texts)]
    made += [write_broken_pdf(folder / f"broken-{i:02d}.pdf", seed + i) for i in range(broken)]
    return made
