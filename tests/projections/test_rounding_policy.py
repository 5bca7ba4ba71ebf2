"""The rounding mode is part of the versioned scoring policy (ADR 0029): the default rounds half up at every band
threshold; the earlier policy keeps rounding half to even, so ratings decided under it recompute alike."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, strategies as st

from application.goals.service import Goals
from projections.review.scoring import DEFAULT_POLICY_VERSION, FIVE_BANDS_2026, policy
from projections.reviews import Reviews
from tests.projections.conftest import OnDay
from tests.scenarios import EMPLOYEE, MANAGER, TICKETS, agreed, customer_service_terms

# Half a percent below each threshold: rounded to a whole percent it reaches the threshold.
BOUNDARIES = [("0.595", "needs_improvement"), ("0.895", "meets_expectations"), ("1.045", "exceeds_expectations"),
              ("1.195", "outstanding")]


@pytest.mark.parametrize(("score", "band"), BOUNDARIES)
def test_a_score_half_a_percent_below_a_threshold_rounds_up_into_its_band(score: str, band: str) -> None:
    scoring = policy()
    rounded = scoring.rounded(Decimal(score))
    assert rounded is not None and scoring.band(rounded) == band


@pytest.mark.parametrize(("score", "band"), BOUNDARIES)
def test_just_below_half_a_percent_under_a_threshold_stays_in_the_band_below(score: str, band: str) -> None:
    scoring = policy()
    rounded = scoring.rounded(Decimal(score) - Decimal("0.0001"))
    assert rounded is not None and scoring.band(rounded) != band


def test_the_default_policy_rounds_half_up_and_names_its_mode() -> None:
    assert DEFAULT_POLICY_VERSION == FIVE_BANDS_2026.version == "2026.2"
    assert FIVE_BANDS_2026.rounding == "ROUND_HALF_UP"


def test_the_earlier_policy_keeps_its_half_to_even_rounding() -> None:
    earlier = policy("2026.1")
    assert (earlier.rounding, earlier.rounded(Decimal("1.045")), earlier.rounded(Decimal("0.895"))) == (
        "ROUND_HALF_EVEN", Decimal("1.04"), Decimal("0.90"))


@given(st.decimals(min_value=-2, max_value=3, places=3))
def test_rounding_half_up_never_moves_a_score_down_across_a_threshold(score: Decimal) -> None:
    scoring = policy()
    rounded = scoring.rounded(score)
    assert rounded is not None and abs(rounded - score) <= Decimal("0.005")
    assert [b.name for b in scoring.bands].index(scoring.band(rounded)) <= [b.name for b in scoring.bands].index(
        scoring.band(score))


def test_a_stored_review_scoring_1_045_is_banded_exceeds_expectations_under_the_current_policy(
    goals: Goals, reviews: Reviews, on_day: OnDay
) -> None:
    with on_day(date(2026, 1, 15)):
        goal_id = agreed(goals, customer_service_terms(kpis=[TICKETS]))
    with on_day(date(2026, 6, 20)):
        # (20.27 - 14) / (20 - 14) = 1.045 exactly: half a percent below the exceeds_expectations threshold.
        goals.record_kpi(goal_id, EMPLOYEE, kpi="tickets", value=Decimal("20.27"), observed_at=date(2026, 6, 19))
        current = reviews.justification(MANAGER, EMPLOYEE.id, "2026-H1")
        earlier = reviews.justification(MANAGER, EMPLOYEE.id, "2026-H1", policy_version="2026.1")
    assert (current["score"], current["band"], current["policy_version"]) == (1.05, "exceeds_expectations", "2026.2")
    assert (earlier["score"], earlier["band"]) == (1.04, "meets_expectations")  # half to even: the bug, kept as was
