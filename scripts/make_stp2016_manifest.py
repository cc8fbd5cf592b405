"""Write corpora/stp2016/manifest.csv: the 44 STP footprints of 2016/17 and where their plans are.

Names, codes and regions come from svmine's footprint reference (ONS, OGL v3.0); the verdict from
Appendix 3 of "Healthy Commissioning" (2017). ``url`` (the STP plan itself) is left blank: no
address of a 2016 plan has been verified. ``related_url`` is optional: pass the Strategy Unit
table (stp17cd,colour,url) to fill it with each footprint's "Mental Health and Physical Health"
report of May 2017 — a report about the footprint, not its plan (see corpora/stp2016/README.md).

    python scripts/make_stp2016_manifest.py [--related ../shared/data/stp_name_variants/stp_extra_data.csv]
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

from svmine.footprints.reference import load_reference
from svmine.tables.footprints import load_footprints

OUT = Path(__file__).resolve().parent.parent / "corpora" / "stp2016" / "manifest.csv"
COLUMNS = ["code", "name", "report_name", "region", "appendix3_verdict", "url", "related_url"]


def main() -> None:
    parser = argparse.ArgumentParser(description="Write the 44-STP corpus manifest.")
    parser.add_argument("--related", type=Path, help="CSV with stp17cd and url of related reports")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    appendix3 = {row.stp_code: row for row in load_reference().appendix3}
    related = {}
    if args.related:
        with open(args.related, newline="", encoding="utf-8") as fh:
            related = {r["stp17cd"]: r["url"] for r in csv.DictReader(fh)}
    with open(args.out, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        for fp in load_footprints()[0]:
            writer.writerow({
                "code": fp.code, "name": fp.name, "report_name": appendix3[fp.code].footprint,
                "region": fp.region, "appendix3_verdict": appendix3[fp.code].verdict,
                "url": "", "related_url": related.get(fp.code, ""),
            })
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
