"""Page-image rendering for the review app: time and peak memory per page size (prints figures).

Each size is rendered in its own process (so peak RSS is that render's), through
``svmine.review.pages.page_image`` with its pixel cap:

    .venv/bin/python benchmarks/bench_review_render.py [SIDE_PT ...]   (default: 842 3000 14400)
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import tempfile
from pathlib import Path

_CHILD = """
import json, sys, time
from svmine.review import pages
doc = json.loads(sys.argv[1])
start = time.perf_counter()
path = pages.page_image(sys.argv[2], doc, 1)
seconds = time.perf_counter() - start
from PIL import Image
with Image.open(path) as image:
    size = image.size
# VmHWM, not ru_maxrss: the latter carries the parent's peak over fork and exec
peak_kb = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(json.dumps({"size": size, "seconds": seconds, "rss_mb": peak_kb / 1024,
                  "png_kb": path.stat().st_size / 1024}))
"""


def make_page(path: Path, side: float) -> dict:
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path), pagesize=(side, side))
    pdf.setFont("Helvetica", max(side / 40, 10))
    pdf.drawString(side / 20, side * 0.9, "A square page about social value.")
    pdf.showPage()
    pdf.save()
    return {"id": 1, "path": str(path), "format": "pdf", "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}


def main(sides: list[float]) -> None:
    from svmine.review import pages

    print(f"pixel cap: {pages.MAX_PIXELS / 1e6:.1f} Mpx, scale at most {pages.RENDER_SCALE}")
    with tempfile.TemporaryDirectory() as tmp:
        for side in sides:
            doc = make_page(Path(tmp) / f"p{side:g}.pdf", side)
            done = subprocess.run([sys.executable, "-c", _CHILD, json.dumps(doc), str(Path(tmp) / f"b{side:g}.db")],
                                  capture_output=True, text=True, check=True)
            r = json.loads(done.stdout)
            print(f"{side:>7g} pt square: {r['size'][0]} x {r['size'][1]} px, {r['seconds']:.2f} s,"
                  f" peak RSS {r['rss_mb']:.0f} MB, PNG {r['png_kb']:.0f} kB")


if __name__ == "__main__":
    main([float(a) for a in sys.argv[1:]] or [842, 3000, 14400])
