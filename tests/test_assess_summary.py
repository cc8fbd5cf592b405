"""Counts, shares, the matrix and the top group's regions, checked against hand-counted cases."""

import pytest

from svmine.assess.model import Assessment
from svmine.assess.summary import matrix, scale_counts, top_group_by_region


def _a(code, c, e, a, region):
    return Assessment(org_code=code, org_name=code, commitment=c, evidence=e, approach=a, confidence=1.0,
                      region=region)


SAMPLE = [
    _a("A", "highly committed", "evidenced", "active", "North West"),
    _a("B", "highly committed", "evidenced", "active", "North West"),
    _a("C", "highly committed", "evidenced", "active", "London"),
    _a("D", "committed", "not evidenced", "passive", "London"),
]


def test_scale_counts_shares_in_scale_order():
    got = scale_counts(SAMPLE)
    assert got["approach"] == [("active", 3, 0.75), ("limited", 0, 0.0), ("passive", 1, 0.25)]
    assert [v for v, _, _ in got["commitment"]] == ["highly committed", "apparently committed", "committed",
                                                    "uncommitted"]


def test_matrix_has_every_cell_and_sums_to_total():
    cells = matrix(SAMPLE)
    assert len(cells) == 4 * 2 * 3
    assert sum(c.count for c in cells) == 4
    top = next(c for c in cells if (c.commitment, c.evidence, c.approach) == ("highly committed", "evidenced", "active"))
    assert (top.count, top.share) == (3, 0.75)


@pytest.mark.parametrize("rows, expected", [
    (SAMPLE, [("North West", 2, 2), ("London", 1, 2)]),
    ([], []),
    ([_a("X", "committed", "evidenced", "active", "")], [("", 0, 1)]),
])
def test_top_group_by_region(rows, expected):
    assert top_group_by_region(rows) == expected


def test_empty_input_gives_zero_shares():
    assert all(share == 0.0 for rows in scale_counts([]).values() for _, _, share in rows)
