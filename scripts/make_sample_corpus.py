#!/usr/bin/env python3
"""Regenerate corpora/sample/: small plan- and policy-like documents with planted traps.

    python scripts/make_sample_corpus.py corpora/sample

Every document's text is written here (our own words, in the register of NHS plans). The
output is deterministic: reportlab runs with ``invariant=1`` and fixed metadata, DOCX zip
entries get a fixed timestamp, images are drawn with the font bundled in reportlab, so a
rerun gives byte-identical files. ``planted.json`` lists what other stages must find:
explicit mentions (surface text as extraction gives it, e.g. after de-hyphenation), the
implicit one, distractors that must not count, policy facts, and the broken files with the
error code the extractor gives them.
"""

from __future__ import annotations

import io
import json
import sys
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import reportlab
from PIL import Image, ImageDraw, ImageFont
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader, simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

WIDTH, HEIGHT = A4
MARGIN = 56
BODY, LEADING, PARA_GAP = 10, 13, 8
FONT_DIR = Path(reportlab.__file__).parent / "fonts"
ORG = "North Shire Health and Care Partnership"
PDF_META = {"author": "North Shire Health and Care Partnership", "creator": "svmine sample corpus"}

# ---------------------------------------------------------------- text of the documents

ONE_COLUMN = [
    [
        ("title", "Five Year Forward Plan 2017 to 2021"),
        ("h", "1. Our ambition"),
        ("p", "This plan sets out how the councils, hospitals, GP practices and community services of North Shire "
              "will work as one system over the next five years. We serve 640,000 residents across three towns and "
              "a large rural area, and we know that health is shaped far more by housing, work and friendship than "
              "by the care we provide."),
        ("p", "We will spend every pound with care. Each scheme in this plan has been tested for value for money, "
              "and the financial gap we face by 2021 is set out in section 5 with the actions that close it."),
        ("p", "Our \u201cShire Promise\u201d to residents is simple: tell your story once, get help close to home, "
              "and be treated as a partner in your own care."),
        ("h", "2. Where we are now"),
        ("p", "Demand for urgent care has grown by 4% a year since 2013. Too many older people stay in hospital "
              "after they are well enough to leave, often because adult social care packages cannot start in time."),
    ],
    [
        ("h", "3. Buying services differently"),
        ("p", "The partnership spends around \u00a3310 million a year on goods and services. How we buy matters as "
              "much as what we buy, because our contracts can create jobs and training for local people."),
        ("p", "Every tender we run will carry a social value weighting of 10%, and bidders will be asked to show "
              "how their offer supports employment, training and a healthier environment in North Shire."),
        ("p", "We will publish a single procurement pipeline each spring so that smaller local suppliers can plan "
              "ahead and form consortia where a contract is too large for one of them alone."),
        ("h", "4. Working with communities"),
        ("p", "Community groups already run lunch clubs, befriending schemes and walking groups in every town. We "
              "will fund these through three-year grants rather than annual awards, so that they can keep staff "
              "and plan their work."),
    ],
    [
        ("h", "5. Our workforce"),
        ("p", "Staff are our biggest asset and our biggest cost. Bringing back-office teams together will reduce "
              "some posts; we will manage this through vacancies and retraining first, and offer voluntary "
              "redundancy only where no suitable role can be found."),
        ("p", "We will create 120 new apprenticeships across health and care by 2019, with a guaranteed interview "
              "for every apprentice who completes the programme."),
        ("h", "6. Next steps"),
        ("p", "The partnership board will review progress against this plan every quarter and publish the papers "
              "on its website."),
    ],
]

# Two-column plan: explicit lines where the traps must sit exactly.
TWO_COLUMN_TITLE = "Community Services Plan 2017/18"
TWO_COLUMN = [
    {
        "left": [
            ("h", "Purpose of this plan"),
            ("lines", [
                "This plan describes how community services",
                "in North Shire will change during 2017/18.",
                "It builds on the long-term strategy agreed by",
                "the partnership board and on what residents",
                "told us at twelve listening events.",
            ]),
            ("lines", [
                "We want our contracts to deliver more than",
                "the service itself. When we commission so-",
                "cial value will be part of every evaluation,",
                "scored openly and checked at each review.",
            ]),
            ("p", "Local people should be able to see what difference this makes, so we will report the results "
                  "each year alongside our accounts."),
        ],
        "right": [
            ("h", "What will change"),
            ("p", "Community nursing teams will be organised around groups of GP practices, each serving between "
                  "30,000 and 50,000 people."),
            ("p", "Therapy, mental health and district nursing staff will share one base in each neighbourhood, "
                  "so that a person with several needs meets one team."),
            ("p", "Referrals will be accepted by telephone or online seven days a week, and urgent referrals will "
                  "be seen within two hours."),
        ],
    },
    {
        "left": [
            ("h", "Working with partners"),
            ("p", "We will agree a compact with the voluntary, community and social enterprise (VCSE) sector that "
                  "sets out how we share information, fund services and involve groups early in design."),
            ("p", "Small grants will be simple to apply for, with decisions within six weeks."),
        ],
        "right": [
            ("h", "Measuring success"),
            ("p", "We will track waiting times, emergency admissions and the experience of people using our "
                  "services, and share the figures with Healthwatch every quarter."),
            ("p", "Where a measure slips for two quarters running, the board will ask for a recovery plan."),
        ],
    },
]

TABLE_INTRO = ("This page summarises the commitments that the commissioning team will deliver in 2017/18 and "
               "names the lead for each one.")
TABLE_ROWS = [
    ["Commitment", "How we will do it", "Lead"],
    ["Use the Social Value Act", "Score local benefit in all tenders", "Director of Finance"],
    ["Grow local spend", "Publish a pipeline of contracts", "Head of Procurement"],
    ["Involve third sector partners", "Joint design of new services", "Director of Strategy"],
]
TABLE_OUTRO = "Progress on each commitment will be reported to the finance committee twice a year."

SCANNED_PAGE1 = [
    ("title", "Urgent Care Review 2017"),
    ("p", "This review looked at how people in North Shire use urgent care and where the system could work "
          "better. The findings and our response are set out in the main report; supporting material follows "
          "in the appendix."),
]
SCANNED_APPENDIX = [
    "Appendix A: Commitments to local partners",
    "",
    "We will ask every supplier of urgent care services to",
    "explain the social value of their offer, including",
    "jobs for local people and support for carers.",
    "",
    "Local charities will be invited to run the new",
    "welcome desks in each urgent treatment centre.",
]

DOCX_SECTIONS = [
    [
        ("h", "Commissioning and Procurement Policy"),
        ("p", "This policy applies to all staff who buy goods or services on behalf of North Shire Clinical "
              "Commissioning Group."),
        ("p", "It reflects our duties under the Public Services (Social Value) Act 2012 and the wider aim of "
              "improving the health of the people we serve."),
        ("p", "We will work with voluntary sector organisations when we design services, and we will make our "
              "tender documents short and clear."),
    ],
    [
        ("h", "Evaluation of tenders"),
        ("p", "Social value will be weighted at 10% of the total quality score."),
        ("p", "This requirement is applied to all contracts above the procurement threshold; below it, buyers "
              "should still ask suppliers how they will benefit the local area."),
        ("table", [
            ["Criterion", "Weight"],
            ["Quality of service", "60%"],
            ["Price", "30%"],
            ["Social value", "10%"],
        ]),
    ],
]

HTML_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="author" content="North Shire Health and Care Partnership">
<title>Partnership news: new fund for community groups</title>
<style>body { font-family: sans-serif; } nav a { margin: 0 1em; }</style>
<script>window.analytics = {page: "news", track: function () { return "tracking"; }};</script>
</head>
<body>
<header><p>North Shire Health and Care Partnership</p></header>
<nav><a href="/">Home</a> <a href="/news">News</a> <a href="/contact">Contact us</a></nav>
<main>
<article>
<h1>New fund for community groups</h1>
<p>The partnership has opened a &pound;400,000 fund for third sector groups that help people stay well at home.</p>
<p>Grants of up to &pound;20,000 are available to charities and social enterprises working in North Shire.</p>
<p>Research shows that many older people value social contact as much as medical care, so projects that reduce
loneliness are especially welcome.</p>
<p>The closing date for applications is 30&nbsp;June&nbsp;2017.</p>
</article>
</main>
<footer><p>&copy; 2017 North Shire Health and Care Partnership. Cookie settings.</p></footer>
<script>window.analytics.track();</script>
</body>
</html>
"""

MINUTES = """NORTH SHIRE CCG GOVERNING BODY
Minutes of the meeting held on 14 March 2017

1. Apologies
Apologies were received from the Chief Finance Officer.

2. Chair\u2019s update
The Chair welcomed members and thanked staff for their work over the winter. She noted the \u201cexcellent\u201d
response to the public survey.

3. Community contracts
Members agreed that the new contracts for community equipment should require suppliers to offer
apprenticeships to young people from North Shire and to buy from local firms where they can.
The committee heard that three charitable organisations had asked to join the falls prevention service.

4. Workforce
The Director of Corporate Services reported that the voluntary redundancy scheme closed in February
with 14 applications.

5. Date of next meeting
The next meeting will be held on 11 April 2017.
"""
IMPLICIT_SENTENCE = (
    "Members agreed that the new contracts for community equipment should require suppliers to offer "
    "apprenticeships to young people from North Shire and to buy from local firms where they can."
)

# ---------------------------------------------------------------- ground truth


def planted() -> dict:
    def m(file, page, category, text, count=1):
        # count: occurrences of ``text`` (case-sensitive) on that page after extraction
        return {"file": file, "page": page, "category": category, "text": text, "count": count}

    def d(file, page, text):
        return {"file": file, "page": page, "text": text}

    return {
        "mentions": [
            m("plan_one_column.pdf", 2, "social_value", "social value"),
            m("plan_two_column.pdf", 1, "social_value", "social value"),
            m("plan_two_column.pdf", 2, "vcse", "voluntary, community and social enterprise (VCSE) sector"),
            m("plan_with_table.pdf", 1, "social_value", "Social Value Act"),
            m("plan_with_table.pdf", 1, "vcse", "third sector partners"),
            m("plan_scanned_appendix.pdf", 2, "social_value", "social value"),
            m("plan_scanned_appendix.pdf", 2, "vcse", "charities"),
            m("policy_procurement.docx", 1, "social_value", "Public Services (Social Value) Act 2012"),
            m("policy_procurement.docx", 1, "vcse", "voluntary sector organisations"),
            m("policy_procurement.docx", 2, "social_value", "Social value", count=2),  # sentence + table row
            m("news_page.html", 1, "vcse", "third sector"),
            m("news_page.html", 1, "vcse", "charities"),
            m("news_page.html", 1, "vcse", "social enterprises"),
            m("board_minutes.txt", 1, "vcse", "charitable organisations"),
        ],
        "implicit": [{"file": "board_minutes.txt", "page": 1, "category": "social_value", "text": IMPLICIT_SENTENCE}],
        "distractors": [
            d("plan_one_column.pdf", 1, "value for money"),
            d("plan_one_column.pdf", 1, "adult social care"),
            d("plan_one_column.pdf", 3, "voluntary redundancy"),
            d("plan_two_column.pdf", 1, "Community nursing"),
            d("news_page.html", 1, "value social contact"),
            d("board_minutes.txt", 1, "voluntary redundancy scheme"),
        ],
        "facts": [
            {"file": "plan_one_column.pdf", "page": 2, "kind": "weighting", "value": 10},
            {"file": "policy_procurement.docx", "page": 2, "kind": "weighting", "value": 10},
            {"file": "policy_procurement.docx", "page": 2, "kind": "threshold", "value": None},
        ],
        "failures": [
            {"file": "broken/empty.pdf", "error_code": "empty_file"},
            {"file": "broken/encrypted.pdf", "error_code": "encrypted"},
            {"file": "broken/truncated.pdf", "error_code": "corrupt_file"},
            {"file": "broken/unsupported.png", "error_code": "unsupported_format"},
            {"file": "broken/webpage_saved.pdf", "error_code": "format_mismatch"},
        ],
    }


# ---------------------------------------------------------------- PDF drawing


def new_canvas(path: Path, title: str, **kwargs) -> canvas.Canvas:
    c = canvas.Canvas(str(path), pagesize=A4, invariant=1, pageCompression=1, **kwargs)
    c.setTitle(title)
    c.setAuthor(PDF_META["author"])
    c.setCreator(PDF_META["creator"])
    c.setSubject("Sample document for svmine tests")
    return c


class Flow:
    """Draws headings and wrapped paragraphs down one column of a page."""

    def __init__(self, c: canvas.Canvas, x: float, width: float, y: float):
        self.c, self.x, self.width, self.y = c, x, width, y

    def add(self, kind: str, content) -> None:
        if kind == "title":
            self._lines([content], "Helvetica-Bold", 18, 24)
        elif kind == "h":
            self._lines([content], "Helvetica-Bold", 12.5, 16)
        elif kind == "p":
            self._lines(simpleSplit(content, "Helvetica", BODY, self.width), "Helvetica", BODY, LEADING)
        elif kind == "lines":
            for line in content:
                assert pdfmetrics.stringWidth(line, "Helvetica", BODY) <= self.width, line
            self._lines(content, "Helvetica", BODY, LEADING)
        self.y -= PARA_GAP

    def _lines(self, lines: list[str], font: str, size: float, leading: float) -> None:
        self.c.setFont(font, size)
        for line in lines:
            self.y -= leading
            self.c.drawString(self.x, self.y, line)


def running(c: canvas.Canvas, header: str, footer: str) -> None:
    c.setFont("Helvetica", 8.5)
    c.drawString(MARGIN, HEIGHT - 36, header)
    c.drawRightString(WIDTH - MARGIN, 30, footer)


def make_one_column(path: Path) -> None:
    c = new_canvas(path, "North Shire Five Year Forward Plan 2017 to 2021")
    for number, blocks in enumerate(ONE_COLUMN, start=1):
        running(c, ORG, f"Page {number} of {len(ONE_COLUMN)}")
        flow = Flow(c, MARGIN, WIDTH - 2 * MARGIN, HEIGHT - 70)
        for kind, content in blocks:
            flow.add(kind, content)
        c.showPage()
    c.save()


def make_two_column(path: Path) -> None:
    c = new_canvas(path, "North Shire Community Services Plan 2017/18")
    gutter = 24
    col = (WIDTH - 2 * MARGIN - gutter) / 2
    for number, page in enumerate(TWO_COLUMN, start=1):
        running(c, f"{ORG} | {TWO_COLUMN_TITLE}", f"{number}")
        top = HEIGHT - 70
        if number == 1:
            title = Flow(c, MARGIN, WIDTH - 2 * MARGIN, top)
            title.add("title", TWO_COLUMN_TITLE)
            top = title.y - 6
        for x, side in ((MARGIN, "left"), (MARGIN + col + gutter, "right")):
            flow = Flow(c, x, col, top)
            for kind, content in page[side]:
                flow.add(kind, content)
        c.showPage()
    c.save()


def make_table(path: Path) -> None:
    c = new_canvas(path, "North Shire Commissioning Commitments 2017/18")
    flow = Flow(c, MARGIN, WIDTH - 2 * MARGIN, HEIGHT - 60)
    flow.add("title", "Commissioning commitments 2017/18")
    flow.add("p", TABLE_INTRO)
    widths = [165, 190, 128]
    row_h = 22
    y = flow.y - 10
    for r, row in enumerate(TABLE_ROWS):
        x = MARGIN
        c.setFont("Helvetica-Bold" if r == 0 else "Helvetica", 9.5)
        for width, cell in zip(widths, row):
            c.rect(x, y - row_h, width, row_h, stroke=1, fill=0)
            c.drawString(x + 5, y - row_h + 7.5, cell)
            x += width
        y -= row_h
    after = Flow(c, MARGIN, WIDTH - 2 * MARGIN, y - 14)
    after.add("p", TABLE_OUTRO)
    c.showPage()
    c.save()


def scanned_image() -> Image.Image:
    """The appendix page as a 300 dpi greyscale 'scan' (text drawn with reportlab's Vera)."""
    dpi = 300
    size = (round(WIDTH / 72 * dpi), round(HEIGHT / 72 * dpi))
    image = Image.new("L", size, 255)
    draw = ImageDraw.Draw(image)
    heading = ImageFont.truetype(str(FONT_DIR / "VeraBd.ttf"), 58)
    body = ImageFont.truetype(str(FONT_DIR / "Vera.ttf"), 46)
    y = 300
    for i, line in enumerate(SCANNED_APPENDIX):
        if not line:
            y += 60
            continue
        draw.text((240, y), line, fill=0, font=heading if i == 0 else body)
        y += 80 if i == 0 else 64
    return image


def make_scanned(path: Path) -> None:
    c = new_canvas(path, "North Shire Urgent Care Review 2017")
    flow = Flow(c, MARGIN, WIDTH - 2 * MARGIN, HEIGHT - 60)
    for kind, content in SCANNED_PAGE1:
        flow.add(kind, content)
    c.showPage()
    buf = io.BytesIO()
    scanned_image().save(buf, format="PNG", optimize=False)
    buf.seek(0)
    c.drawImage(ImageReader(buf), 0, 0, width=WIDTH, height=HEIGHT)
    c.showPage()
    c.save()


def make_encrypted(path: Path) -> None:
    from reportlab.lib.pdfencrypt import StandardEncryption

    enc = StandardEncryption("board-only", ownerPassword="owner-secret", canPrint=0, strength=128)
    c = new_canvas(path, "Confidential board paper", encrypt=enc)
    Flow(c, MARGIN, WIDTH - 2 * MARGIN, HEIGHT - 60).add("p", "This board paper is confidential until the meeting.")
    c.showPage()
    c.save()


# ---------------------------------------------------------------- DOCX, HTML, text, broken


FIXED_ZIP_TIME = (2017, 3, 1, 9, 0, 0)


def make_docx(path: Path) -> None:
    import docx
    from docx.enum.section import WD_SECTION

    document = docx.Document()
    props = document.core_properties
    props.title = "Commissioning and Procurement Policy"
    props.author = "North Shire Clinical Commissioning Group"
    props.created = props.modified = datetime(2017, 3, 1, 9, 0, tzinfo=timezone.utc)
    props.last_modified_by = "svmine sample corpus"
    props.revision = 1
    for number, blocks in enumerate(DOCX_SECTIONS):
        if number:
            document.add_section(WD_SECTION.NEW_PAGE)
        for kind, content in blocks:
            if kind == "h":
                document.add_heading(content, level=1)
            elif kind == "p":
                document.add_paragraph(content)
            else:
                table = document.add_table(rows=len(content), cols=len(content[0]))
                for r, row in enumerate(content):
                    for col, text in enumerate(row):
                        table.cell(r, col).text = text
    document.sections[0].header.paragraphs[0].text = "North Shire CCG - Policy CP-07"
    buf = io.BytesIO()
    document.save(buf)
    path.write_bytes(_fixed_zip(buf.getvalue()))


def _fixed_zip(data: bytes) -> bytes:
    """Rewrite a zip with fixed timestamps so the DOCX is byte-identical across runs."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, FIXED_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def make_broken(folder: Path, one_column: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "empty.pdf").write_bytes(b"")
    data = one_column.read_bytes()
    (folder / "truncated.pdf").write_bytes(data[: len(data) // 2])
    (folder / "webpage_saved.pdf").write_text(
        "<!DOCTYPE html>\n<html><head><title>Page not found</title></head>\n"
        "<body><h1>Sorry, we cannot find that page</h1><p>The document may have moved.</p></body></html>\n",
        encoding="utf-8",
    )
    make_encrypted(folder / "encrypted.pdf")
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (0, 94, 184)).save(buf, format="PNG", optimize=False)
    (folder / "unsupported.png").write_bytes(buf.getvalue())


def main(argv: list[str]) -> int:
    out = Path(argv[1] if len(argv) > 1 else "corpora/sample")
    out.mkdir(parents=True, exist_ok=True)
    make_one_column(out / "plan_one_column.pdf")
    make_two_column(out / "plan_two_column.pdf")
    make_table(out / "plan_with_table.pdf")
    make_scanned(out / "plan_scanned_appendix.pdf")
    make_docx(out / "policy_procurement.docx")
    (out / "news_page.html").write_text(HTML_PAGE, encoding="utf-8")
    (out / "board_minutes.txt").write_bytes(MINUTES.replace("\n", "\r\n").encode("cp1252"))
    make_broken(out / "broken", out / "plan_one_column.pdf")
    (out / "planted.json").write_text(json.dumps(planted(), indent=2) + "\n", encoding="utf-8")
    print(f"sample corpus written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
