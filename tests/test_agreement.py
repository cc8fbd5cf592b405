"""Agreement figures against cases worked out by hand."""

from __future__ import annotations

import pytest
from pytest import approx

from svmine.review.agreement import agreement_report, cohen_kappa, format_report, krippendorff_alpha_nominal

# Case 1: two auditors, six items, labels x/y.
#   item:   1  2  3  4  5  6
#   A:      x  x  y  y  x  y
#   B:      x  y  y  y  x  x
# Cohen: p_o = 4/6 (items 1, 3, 4, 5 agree). A has x 3 times, y 3; B has x 3, y 3.
#   p_e = (3/6)(3/6) + (3/6)(3/6) = 1/2. kappa = (2/3 - 1/2) / (1 - 1/2) = (1/6)/(1/2) = 1/3.
# Krippendorff (nominal): every unit has m = 2 values, each ordered pair of values weighs 1/(m-1) = 1.
#   Agreeing units add 2 to o_cc: o_xx = 2+2 = 4 (items 1, 5), o_yy = 4 (items 3, 4).
#   Items 2 and 6 each add 1 to o_xy and 1 to o_yx: o_xy = o_yx = 2.
#   n_x = 4 + 2 = 6, n_y = 6, n = 12.
#   alpha = 1 - (n-1)(n - sum o_cc) / (n^2 - sum n_c^2) = 1 - 11 * (12 - 8) / (144 - 72) = 1 - 44/72 = 7/18.
CASE1_A = ["x", "x", "y", "y", "x", "y"]
CASE1_B = ["x", "y", "y", "y", "x", "x"]

# Case 2: three auditors with gaps. Units: [x, x, y], [y, y], [x] (single value: dropped), [x, y, y].
#   [x, x, y]: m = 3, weight 1/2. Ordered same-value pairs x-x: 2 -> o_xx += 1; x-y pairs: 2 -> o_xy += 1,
#              y-x pairs: 2 -> o_yx += 1.
#   [y, y]:    m = 2, weight 1 -> o_yy += 2.
#   [x, y, y]: m = 3, weight 1/2 -> o_yy += 1, o_xy += 1, o_yx += 1.
#   o_xx = 1, o_yy = 3, o_xy = o_yx = 2; n_x = 3, n_y = 5, n = 8 (the 8 pairable values).
#   alpha = 1 - 7 * (8 - 4) / (64 - (9 + 25)) = 1 - 28/30 = 1/15.
CASE2 = [["x", "x", "y"], ["y", "y"], ["x"], ["x", "y", "y"]]


def test_cohen_kappa_hand_computed():
    assert cohen_kappa(CASE1_A, CASE1_B) == approx(1 / 3)


def test_krippendorff_alpha_hand_computed_two_coders():
    assert krippendorff_alpha_nominal(list(zip(CASE1_A, CASE1_B))) == approx(7 / 18)


def test_krippendorff_alpha_hand_computed_three_coders_with_gaps():
    assert krippendorff_alpha_nominal(CASE2) == approx(1 / 15)


@pytest.mark.parametrize(
    "a, b, expected",
    [
        (["x", "y", "x"], ["x", "y", "x"], 1.0),  # perfect agreement
        (["x", "y"], ["y", "x"], -1.0),  # perfect disagreement, balanced margins
        (["x", "x"], ["x", "x"], None),  # one label only: chance agreement is certain, kappa undefined
        ([], [], None),
    ],
)
def test_cohen_kappa_edges(a, b, expected):
    assert cohen_kappa(a, b) == (approx(expected) if expected is not None else None)


@pytest.mark.parametrize(
    "units, expected",
    [
        ([["x", "x"], ["y", "y"]], 1.0),
        ([["x", "x"], ["x", "x"]], None),  # no variation at all
        ([["x"], ["y"]], None),  # nothing pairable
    ],
)
def test_krippendorff_alpha_edges(units, expected):
    assert krippendorff_alpha_nominal(units) == (approx(expected) if expected is not None else None)


def test_kappa_needs_equal_lengths():
    with pytest.raises(ValueError):
        cohen_kappa(["x"], ["x", "y"])


def test_report_pairs_and_categories():
    rows = [{"item_key": f"i{i}", "auditor": a, "label": v, "category": "social_value"}
            for a, labels in (("A", CASE1_A), ("B", CASE1_B)) for i, v in enumerate(labels)]
    rows += [{"item_key": "v1", "auditor": "A", "label": "vcse", "category": "vcse"},
             {"item_key": "v1", "auditor": "C", "label": "vcse", "category": "vcse"},
             {"item_key": "v2", "auditor": "A", "label": "other", "category": "vcse"},
             {"item_key": "v2", "auditor": "C", "label": "vcse", "category": "vcse"}]
    report = agreement_report(rows)
    assert report["auditors"] == ["A", "B", "C"]
    pairs = {tuple(p["auditors"]): p for p in report["pairs"]}
    assert pairs[("A", "B")]["kappa"] == approx(1 / 3) and pairs[("A", "B")]["items"] == 6
    assert pairs[("B", "C")]["items"] == 0 and pairs[("B", "C")]["kappa"] is None
    assert report["categories"]["social_value"]["alpha"] == approx(7 / 18)
    # vcse units [vcse, vcse], [other, vcse]: o_vv = 2 + 0, o_ov = o_vo = 1; n_v = 3, n_o = 1, n = 4:
    # alpha = 1 - 3 * (4 - 2) / (16 - 10) = 0.
    assert report["categories"]["vcse"]["alpha"] == approx(0.0)
    text = format_report(report)
    assert "A / B: kappa 0.333 on 6 shared items (4 agree)" in text
    assert "social_value: 0.389 on 6 items" in text
