"""The Wilson lower bound against published values."""

from __future__ import annotations

import pytest

from gemeinsam.core.ranking import Z_95, wilson_lower_bound


@pytest.mark.parametrize(
    ("positives", "total", "expected"),
    [
        (1, 1, 0.2065),
        (10, 10, 0.7225),
        (5, 10, 0.2366),
        (20, 25, 0.6087),
        (50, 100, 0.4038),
        (600, 1000, 0.5693),
    ],
)
def test_wilson_lower_bound_matches_known_values(
    positives: int, total: int, expected: float
) -> None:
    assert wilson_lower_bound(positives, total) == pytest.approx(expected, abs=5e-5)


def test_no_votes_or_no_approvals_score_zero() -> None:
    assert wilson_lower_bound(0, 0) == 0.0
    assert wilson_lower_bound(0, -3) == 0.0
    assert wilson_lower_bound(0, 10) == pytest.approx(0.0, abs=1e-12)


def test_more_evidence_at_the_same_share_scores_higher() -> None:
    assert wilson_lower_bound(1, 2) < wilson_lower_bound(10, 20) < wilson_lower_bound(100, 200)


def test_a_lower_confidence_gives_a_higher_bound() -> None:
    assert Z_95 == 1.96
    assert wilson_lower_bound(5, 10, z=1.0) == pytest.approx(0.3492, abs=5e-5)
    assert wilson_lower_bound(5, 10, z=1.0) > wilson_lower_bound(5, 10)
