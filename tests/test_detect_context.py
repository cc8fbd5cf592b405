"""ConText-style rules: one or more cases for every packaged context rule."""

from __future__ import annotations

import pytest

from svmine.detect import Detector
from svmine.detect.context import load_context_rules


@pytest.fixture(scope="module")
def detector():
    return Detector(use_classifier=False)


def context_of(detector, text, mention):
    found = [m for m in detector.detect_text(text).mentions if m.text == mention]
    assert found, f"no mention {mention!r} in {text!r}"
    return found[0].context


# (rule id, text, mention, flag, expected cue; None = the flag must NOT be set)
CASES = [
    ("neg_no", "We have no social value policy.", "social value policy", "negated", "no"),
    ("neg_no", "There is no reference to social value in the plan.", "social value", "negated", "no"),
    ("neg_not", "The CCG has not considered social value.", "social value", "negated", "not"),
    ("neg_not", "Social value was not considered at all.", "Social value", "negated", "not"),
    ("neg_not", "The board hasn't discussed social value.", "social value", "negated", "n't"),
    ("neg_without", "Contracts were let without social value criteria.", "social value criteria", "negated", "without"),
    ("neg_lack", "There is a lack of VCSE involvement.", "VCSE", "negated", "lack of"),
    ("neg_fail", "The plan fails to mention social value.", "social value", "negated", "fails to"),
    ("neg_absent", "Social value is absent from the strategy.", "Social value", "negated", "is absent"),
    ("pseudo_not_only", "We will not only save money but also add social value.", "social value", "negated", None),
    ("pseudo_not_only", "There is no doubt that social value matters.", "social value", "negated", None),
    ("pseudo_whether_or_not", "Whether or not social value is scored, we report it.", "social value", "negated", None),
    ("pseudo_not_limited", "Benefits include, but are not limited to, social value.", "social value", "negated", None),
    ("pseudo_no_longer", "Charities are no longer just partners.", "Charities", "negated", None),
    ("pseudo_number", "No. 3 priority: social value.", "social value", "negated", None),
    ("term_but", "We do not tender often, but charities will be involved.", "charities", "negated", None),
    ("term_but", "No budget is set; charities are funded.", "charities", "negated", None),
    ("hyp_modal", "Commissioners should consider social value.", "social value", "hypothetical", "should"),
    ("hyp_modal", "Social value could be scored in future.", "Social value", "hypothetical", "could"),
    ("hyp_may", "The CCG may include social value.", "social value", "hypothetical", "may"),
    ("hyp_may", "In May the CCG adopted social value.", "social value", "hypothetical", None),
    ("hyp_aim", "We aim to grow the VCSE sector.", "VCSE", "hypothetical", "aim to"),
    ("hyp_aspiration", "Our ambition is that social value shapes every contract.", "social value", "hypothetical", "ambition"),
    ("hyp_potential", "Charities have the potential to run more services.", "Charities", "hypothetical", "potential to"),
    ("hyp_potential", "There is an opportunity for social value in the new estate.", "social value", "hypothetical", "opportunity for"),
    ("hyp_potential", "Charities offer volunteering opportunities in every ward.", "Charities", "hypothetical", None),
    ("pseudo_would_say", "What I would say is that the VCSE is at the table.", "VCSE", "hypothetical", None),
    ("hyp_will_consider", "We will consider social value in tenders.", "social value", "hypothetical", "will consider"),
    ("hyp_will_consider", "We will consider social value in tenders.", "social value", "committed", None),
    ("hyp_where_possible", "Where possible, contracts include social value.", "social value", "hypothetical", "Where possible"),
    ("hyp_if", "If funding allows, charities join the board.", "charities", "hypothetical", "If"),
    ("com_will", "We will embed social value in all contracts.", "social value", "committed", "will"),
    ("com_will", "Every tender will include a social value question.", "social value question", "committed", "will"),
    ("com_will", "Bidders must evidence social value.", "social value", "committed", "must"),
    ("com_required", "Social value is required in every evaluation.", "Social value", "committed", "is required"),
    ("com_commit", "The board is committed to social value.", "social value", "committed", "committed to"),
    ("com_have", "We have adopted a social value policy.", "social value policy", "committed", "have adopted"),
    ("ref_heading", "Our plan.\n\nReferences\n\nHealth Board. Social value in practice. London.", "Social value", "reference", "References"),
    ("ref_heading", "2. Bibliography\nNotes on social value and the third sector.", "third sector", "reference", "2. Bibliography"),
    ("ref_et_al", "Jones et al. studied social value in 2019.", "social value", "reference", "et al."),
    ("ref_available", "Social value toolkit. Available at: the council website.", "Social value toolkit", "reference", "Available at"),
    ("ref_author_year", "Smith, J. (2015) Social value in the NHS. Leeds.", "Social value", "reference", "Smith, J. (2015"),
    ("ref_org_year", "Cabinet Office (2012). Procurement policy note: the Social Value Act.", "Social Value Act", "reference", "Cabinet Office (2012)."),
    ("ref_doi", "Social value and health. BMJ. doi: 10.1136/bmj.1", "Social value", "reference", "doi: 10."),
    ("bp_page_of", "North Shire CCG social value plan   Page 3 of 20", "social value plan", "boilerplate", "Page 3 of 20"),
    ("bp_copyright", "© 2017 North Shire social value partnership", "social value", "boilerplate", "©"),
    ("bp_registered", "North Shire Charities is a registered charity number 12345", "Charities", "boilerplate", "registered charity number"),
    ("bp_formats", "This document is available in alternative formats from the charities team.", "charities", "boilerplate", "This document is available"),
    # negation scope: the negator must govern the mention (issue 11.5)
    ("pseudo_not_adjective", "We are not light on the VCSE in this plan.", "VCSE", "negated", None),
    ("pseudo_not_adjective", "The partnership has never been short of charities willing to help.", "charities", "negated", None),
    ("pseudo_double_negative", "We will not forget the part charities play.", "charities", "negated", None),
    ("pseudo_double_negative", "Social enterprises are not excluded from bidding.", "Social enterprises", "negated", None),
    ("pseudo_no_shortage", "There is no shortage of community groups in the north.", "community groups", "negated", None),
    ("pseudo_not_for_profit", "Not-for-profit social enterprises run both clinics.", "social enterprises", "negated", None),
    ("term_relative", "We meet the voluntary sector, which are not statutory bodies, every month.", "voluntary sector", "negated", None),
    ("term_relative", "Charities who do not hold contracts still sit on the board.", "Charities", "negated", None),
    ("term_relative", "Our thanks go to VCSE colleagues who might be watching today.", "VCSE", "hypothetical", None),
    ("term_relative", "There is no plan which names social value.", "social value", "negated", "no"),  # backward only
    ("com_should_require", "The new contracts should require suppliers to report social value.", "social value", "committed", "should require"),
    ("com_should_require", "The new contracts should require suppliers to report social value.", "social value", "hypothetical", None),
    ("com_should_require", "Every bid should include a social value statement.", "social value statement", "committed", "should include"),
]

# Negators and modals that do govern the mention keep flagging it next to the cases above.
STILL_FLAGGED = [
    ("The voluntary sector was not consulted on the plan.", "voluntary sector", "negated", "not"),
    ("We have not yet engaged the third sector.", "third sector", "negated", "not"),
    ("There is no VCSE seat on the board.", "VCSE", "negated", "no"),
    ("The plan does not mention social value anywhere.", "social value", "negated", "not"),
    ("Charities are not represented on the board.", "Charities", "negated", "not"),
    ("We did not involve the voluntary sector, which was a mistake.", "voluntary sector", "negated", "not"),
    ("Commissioners should consider social value in tenders.", "social value", "hypothetical", "should"),
    ("Contracts should perhaps mention social value.", "social value", "hypothetical", "should"),
    ("Commissioners could ask charities to bid.", "charities", "hypothetical", "could"),
    ("Charities would welcome a longer contract.", "Charities", "hypothetical", "would"),
]


@pytest.mark.parametrize("text, mention, flag, cue", STILL_FLAGGED)
def test_governing_cues_still_flag(detector, text, mention, flag, cue):
    assert context_of(detector, text, mention).get(flag) == cue


@pytest.mark.parametrize("rule_id, text, mention, flag, cue", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_context_rule(detector, rule_id, text, mention, flag, cue):
    context = context_of(detector, text, mention)
    if cue is None:
        assert flag not in context
    else:
        assert context.get(flag) == cue


def test_every_packaged_context_rule_has_a_case():
    assert {r.id for r in load_context_rules()} == {c[0] for c in CASES}


@pytest.mark.parametrize(
    "text, mention",
    [
        ("We set out how social value is delivered.", "social value"),  # no cue at all
        ("The Social Value Act (2012) applies.", "Social Value Act"),  # a year in brackets is not a citation
        ("No new money is available this year for the whole programme of social value work.", "social value"),  # window
    ],
)
def test_plain_mentions_get_no_flags(detector, text, mention):
    assert context_of(detector, text, mention) == {}


def test_nearest_modality_cue_decides(detector):
    # 'must' is far from the mention, 'could' is next to it: hypothetical wins, committed dropped
    context = context_of(detector, "Providers must explain how they could add social value.", "social value")
    assert context == {"hypothetical": "could"}


def test_repeated_line_is_boilerplate(detector):
    from svmine.model import Document, Page

    words = ["one", "two", "three", "four"]
    pages = [Page(n, f"North Shire social value plan   {n}\nPage {words[n - 1]} is about charities.") for n in range(1, 5)]
    result = detector.detect(Document("plan.pdf", "0" * 64, "pdf", pages=pages))
    header = [m for m in result.mentions if m.category == "social_value"]
    body = [m for m in result.mentions if m.category == "vcse"]
    assert len(header) == 4 and all(m.context == {"boilerplate": "line repeated on 4 pages"} for m in header)
    assert all("boilerplate" not in m.context for m in body)


def test_reference_list_runs_on_to_following_citation_pages(detector):
    from svmine.model import Document, Page

    pages = [
        Page(1, "Our plan puts social value first.\n\nReferences\nSmith J and Patel R, 2016, Commissioning for social value, London"),
        Page(2, "Jones A, 2015, Third sector partnerships, Leeds\nKhan S, 2017, Charities in the NHS, York\nNHS England, 2014, Forward View"),
        Page(3, "Appendix A\nWe will involve charities in every locality plan we write."),
    ]
    mentions = detector.detect(Document("plan.pdf", "0" * 64, "pdf", pages=pages)).mentions
    got = [(m.page, m.text, m.context.get("reference")) for m in mentions]
    assert got == [
        (1, "social value", None),
        (1, "social value", "References"),
        (2, "Third sector", "References (page 1)"),
        (2, "Charities", "References (page 1)"),
        (3, "charities", None),  # not citation-like: the list has ended
    ]


# Filler without cues, mentions or line-rule triggers: it makes the mention's line long.
_FILLER = "The team met again in the spring to look at the figures for each ward. " * 8


@pytest.mark.parametrize("rule_id, text, mention, flag, cue", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_flags_are_the_same_on_a_long_line(detector, rule_id, text, mention, flag, cue):
    """Each case, with ~1,200 characters of other sentences on the same line around it, gets the
    flags it gets alone: rules look at a window around the mention, and the window is wide enough
    for every rule. (Line-start rules are only padded after the case; a cut line is not a start.)"""
    alone = context_of(detector, text, mention)
    line_rule = load_rule(rule_id).type != "cue"
    lines = text.split("\n")
    at = next(i for i, line in enumerate(lines) if mention in line)
    lines[at] = ("" if line_rule else _FILLER) + lines[at] + " " + _FILLER
    padded = "\n".join(lines)
    assert context_of(detector, padded, mention) == alone


def load_rule(rule_id):
    return next(r for r in load_context_rules() if r.id == rule_id)


@pytest.mark.parametrize(
    "text, mention, flag",
    [
        # a copyright line far along the same (very long) line no longer flags every mention on it
        ("We fund charities to run the cafe. " + _FILLER * 2 + "Copyright 2019 North Shire.", "charities", "boilerplate"),
        # a citation-like start of a line 2,000 characters back does not make this a reference
        ("Smith, J. (2015) Notes. " + _FILLER * 2 + "We fund charities to run the cafe.", "charities", "reference"),
    ],
)
def test_line_rules_see_a_window_not_the_whole_line(detector, text, mention, flag):
    assert flag not in context_of(detector, text, mention)


def test_line_rules_still_see_the_line_near_the_mention(detector):
    text = _FILLER + "We fund charities to run the cafe (page 4 of 20). " + _FILLER
    assert context_of(detector, text, "charities") == {"boilerplate": "page 4 of 20"}
