#!/usr/bin/env python3
"""Extraction speed and memory: plain pdfplumber, raw pypdfium2, and svmine's three engines.

    python benchmarks/bench_extract.py                 # 20 documents x 60 pages (slow: minutes)
    python benchmarks/bench_extract.py --docs 4        # fewer documents on a busy machine
    python benchmarks/bench_extract.py --compare DIR   # engine agreement on real PDFs in DIR

Generates long plan-like PDFs (mixed one- and two-column pages, hyphenated line ends, a
table page in every sixth page of half the documents) into build/bench/, then runs each
reader in a fresh child process so peak memory (VmHWM) is per reader. Prints pages per CPU-second
(fair on a busy machine) and wall pages/s, peak memory, the ratios the targets are stated in, the share of pages where auto and
pdfplumber engines agree, peak memory on one 120-page document, and OCR pages separately.

Targets: svmine pdfplumber engine <= 1.3x plain pdfplumber's cost; auto >= 20x plain
pdfplumber's pages/s on text pages; peak memory < 200 MB on a 120-page document.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORDS = (
    "health care partnership community services plan local people residents hospital primary "
    "support commissioning budget quality workforce prevention integrated neighbourhood urgent "
    "mental wellbeing carers housing transformation sustainability outcomes population priorities "
    "delivery engagement improvement governance procurement partners networks digital access"
).split()


# ---------------------------------------------------------------- documents


def sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(8, 18))]
    return " ".join(words).capitalize() + "."


def paragraph(rng: random.Random) -> str:
    return " ".join(sentence(rng) for _ in range(rng.randint(2, 5)))


def hyphenate(lines: list[str], width: float, font: str, size: float) -> list[str]:
    """Move the first half of the next line's long first word up, with a hyphen, where it fits."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    out = list(lines)
    for i in range(len(out) - 1):
        head, _, rest = out[i + 1].partition(" ")
        if len(head) >= 8 and rest:
            cut = len(head) // 2
            candidate = f"{out[i]} {head[:cut]}-"
            if stringWidth(candidate, font, size) <= width:
                out[i], out[i + 1] = candidate, f"{head[cut:]} {rest}"
    return out


def make_document(path: Path, pages: int, seed: int, tables: bool) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import simpleSplit
    from reportlab.pdfgen import canvas

    rng = random.Random(seed)
    width, height = A4
    c = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    for number in range(1, pages + 1):
        c.setFont("Helvetica", 8)
        c.drawString(56, height - 36, "Benchmark Health and Care Partnership")
        c.drawRightString(width - 56, 30, f"Page {number} of {pages}")
        if tables and number % 6 == 0:
            _table_page(c, rng, height)
        else:
            columns = 2 if number % 3 == 0 else 1
            col_width = (width - 112 - 24 * (columns - 1)) / columns
            for col in range(columns):
                x, y = 56 + col * (col_width + 24), height - 70
                while y > 90:
                    lines = hyphenate(simpleSplit(paragraph(rng), "Helvetica", 10, col_width), col_width, "Helvetica", 10)
                    c.setFont("Helvetica", 10)
                    for line in lines:
                        if y <= 90:
                            break
                        y -= 13
                        c.drawString(x, y, line)
                    y -= 8
        c.showPage()
    c.save()


def _table_page(c, rng: random.Random, height: float) -> None:
    y = height - 90
    c.setFont("Helvetica", 10)
    c.drawString(56, y, sentence(rng))
    y -= 20
    for _ in range(18):
        x = 56
        for w in (160, 200, 123):
            c.rect(x, y - 22, w, 22)
            c.drawString(x + 4, y - 15, " ".join(rng.choice(WORDS) for _ in range(3))[: int(w / 6)])
            x += w
        y -= 22


def make_scanned(path: Path, pages: int) -> None:
    """A document of image-only pages (text drawn into a 300 dpi image)."""
    import io

    import reportlab
    from PIL import Image, ImageDraw, ImageFont
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    rng = random.Random(7)
    font = ImageFont.truetype(str(Path(reportlab.__file__).parent / "fonts" / "Vera.ttf"), 42)
    c = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    for _ in range(pages):
        image = Image.new("L", (2480, 3508), 255)
        draw = ImageDraw.Draw(image)
        for row in range(40):
            draw.text((220, 250 + row * 70), sentence(rng)[:70], fill=0, font=font)
        buf = io.BytesIO()
        image.save(buf, format="PNG")
        buf.seek(0)
        c.drawImage(ImageReader(buf), 0, 0, width=A4[0], height=A4[1])
        c.showPage()
    c.save()


# ---------------------------------------------------------------- readers (run in a child)


def peak_mb() -> float:
    """This process's own peak resident memory (VmHWM). Not ru_maxrss: on Linux that carries the
    parent's peak over fork and exec, so a large parent would inflate every reader alike."""
    with open("/proc/self/status", encoding="ascii") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith("VmHWM:")) / 1024


def read_plain_pdfplumber(files):
    import pdfplumber

    pages = 0
    for f in files:
        with pdfplumber.open(f) as pdf:
            for page in pdf.pages:
                page.extract_text()
                pages += 1
    return pages, []


def read_raw_pdfium(files):
    import pypdfium2 as pdfium

    pages = 0
    for f in files:
        pdf = pdfium.PdfDocument(f)
        for page in pdf:
            textpage = page.get_textpage()
            textpage.get_text_range()
            textpage.close()
            page.close()
            pages += 1
        pdf.close()
    return pages, []


def read_svmine(engine: str):
    def read(files):
        from svmine.extract import extract_document

        pages, digests = 0, []
        for f in files:
            doc = extract_document(f, engine=engine)
            pages += len(doc.pages)
            digests += [hashlib.sha1(p.text.encode()).hexdigest() for p in doc.pages]
        return pages, digests

    return read


READERS = {
    "plain pdfplumber extract_text()": read_plain_pdfplumber,
    "raw pypdfium2 get_text_range()": read_raw_pdfium,
    "svmine engine=pdfplumber": read_svmine("pdfplumber"),
    "svmine engine=pdfium": read_svmine("pdfium"),
    "svmine engine=auto": read_svmine("auto"),
}


def child(reader: str, files: list[str]) -> None:
    # imports and library start-up are paid before the clock starts, for every reader alike
    import pdfplumber  # noqa: F401
    import pypdfium2  # noqa: F401

    import svmine.extract.pdf  # noqa: F401
    import svmine.extract.structured  # noqa: F401

    usage = resource.getrusage(resource.RUSAGE_SELF)
    started, cpu0 = time.perf_counter(), usage.ru_utime + usage.ru_stime
    pages, digests = READERS[reader](files)
    seconds = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = usage.ru_utime + usage.ru_stime - cpu0  # OCR runs in a Tesseract child: see wall time
    print(json.dumps({"pages": pages, "seconds": seconds, "cpu": cpu, "peak_mb": peak_mb(), "digests": digests}))


def measure(reader: str, files: list[Path]) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", reader, *map(str, files)], capture_output=True, text=True, check=True
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    # pages per CPU-second of the reading process: fair on a shared, busy machine
    result["pages_per_s"] = result["pages"] / max(result.get("cpu", result["seconds"]), 1e-9)
    result["wall_pages_per_s"] = result["pages"] / result["seconds"]
    return result


def compare(folder: Path) -> int:
    """Agreement of the auto and pdfplumber engines, page by page, on real PDFs."""
    from svmine.errors import ExtractionError
    from svmine.extract import extract_document, iter_input_files

    same = total = 0
    for path in iter_input_files([folder], include=["*.pdf"]):
        try:
            auto = extract_document(path, engine="auto", ocr=False)
            reference = extract_document(path, engine="pdfplumber", ocr=False)
        except ExtractionError as exc:
            print(f"{path.name[:60]:<60} {exc.code}")
            continue
        agree = sum(a.text == b.text for a, b in zip(auto.pages, reference.pages))
        same, total = same + agree, total + len(auto.pages)
        print(f"{path.name[:60]:<60} {agree:>4} of {len(auto.pages):>4} pages identical")
    print(f"\nauto = pdfplumber on {same} of {total} pages ({100 * same / max(total, 1):.0f}%)")
    return 0


# ---------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=20, help="number of long documents (default 20)")
    parser.add_argument("--pages", type=int, default=60, help="pages per document (default 60)")
    parser.add_argument("--ocr-pages", type=int, default=3, help="image-only pages for the OCR figure")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "bench")
    parser.add_argument("--compare", type=Path, help="only count pages where auto and pdfplumber agree, for real PDFs here")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[1:])
        return 0
    if args.compare:
        return compare(args.compare)

    args.out.mkdir(parents=True, exist_ok=True)
    mixed = [args.out / f"plan_{i:02d}.pdf" for i in range(args.docs)]
    for i, path in enumerate(mixed):
        if not path.exists():
            make_document(path, args.pages, seed=i, tables=i % 2 == 0)
    text_only = [p for i, p in enumerate(mixed) if i % 2 == 1]
    long_doc = args.out / "long_120.pdf"
    if not long_doc.exists():
        make_document(long_doc, 120, seed=999, tables=True)
    scanned = args.out / f"scanned_{args.ocr_pages}.pdf"
    if not scanned.exists():
        make_scanned(scanned, args.ocr_pages)

    total = args.docs * args.pages
    print(f"Mixed set: {args.docs} documents x {args.pages} pages = {total} pages "
          f"(one and two columns, hyphenation; tables in every 6th page of half the documents)\n")
    results = {}
    print("pages/s = pages per CPU-second of the reading process (one core); wall = elapsed time")
    print(f"{'reader':<34} {'pages/s':>9} {'wall p/s':>9} {'peak MB':>9}")
    for name in READERS:
        results[name] = r = measure(name, mixed)
        print(f"{name:<34} {r['pages_per_s']:>9.1f} {r['wall_pages_per_s']:>9.1f} {r['peak_mb']:>9.0f}")

    plain = results["plain pdfplumber extract_text()"]
    ratio_cost = plain["pages_per_s"] / results["svmine engine=pdfplumber"]["pages_per_s"]
    auto_plain = results["svmine engine=auto"]["pages_per_s"] / plain["pages_per_s"]
    same = sum(a == b for a, b in zip(results["svmine engine=auto"]["digests"], results["svmine engine=pdfplumber"]["digests"]))
    print(f"\nsvmine pdfplumber engine cost vs plain pdfplumber: {ratio_cost:.2f}x   (target <= 1.3x)")
    print(f"auto pages/s vs plain pdfplumber (mixed set):      {auto_plain:.1f}x")
    print(f"auto and pdfplumber engines give the same text on {same} of {total} pages")

    if text_only:
        plain_text = measure("plain pdfplumber extract_text()", text_only)
        auto_text = measure("svmine engine=auto", text_only)
        print(f"\nText pages only ({len(text_only) * args.pages} pages): plain pdfplumber "
              f"{plain_text['pages_per_s']:.1f} pages/s, auto {auto_text['pages_per_s']:.1f} pages/s "
              f"= {auto_text['pages_per_s'] / plain_text['pages_per_s']:.1f}x   (target >= 20x)")

    print("\nPeak memory on one 120-page document (tables included):")
    for name in ("plain pdfplumber extract_text()", "svmine engine=pdfplumber", "svmine engine=auto"):
        r = measure(name, [long_doc])
        print(f"  {name:<34} {r['peak_mb']:>6.0f} MB   (target < 200 MB for svmine)")

    r = measure("svmine engine=auto", [scanned])
    print(f"\nOCR (Tesseract, 300 dpi): {r['pages']} image-only pages, {r['seconds'] / r['pages']:.1f} s/page wall, "
          f"peak {r['peak_mb']:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
