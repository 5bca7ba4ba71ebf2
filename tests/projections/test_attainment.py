"""Attainment, pace and bands as pure functions: the documented formulas, cap, floor and thresholds."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from projections.review.attainment import (
    ATTAINMENT_CAP,
    ATTAINMENT_FLOOR,
    capped,
    progress,
)
from projections.review.pace import goal_pace, kpi_pace
from projections.review.scoring import FIVE_BANDS_2026

TICKETS = {"direction": "increase", "baseline": "14", "target": "20", "low": None, "high": None}
DEFECTS = {"direction": "decrease", "baseline": "5.0", "target": "2.0", "low": None, "high": None}
INSIDE_RANGE = {"direction": "range", "baseline": "1", "target": None, "low": "0.5", "high": "2"}


@pytest.mark.parametrize(
    ("kpi", "value", "expected"),
    [
        (TICKETS, "20", "1"),  # the target exactly is 100%
        (TICKETS, "17", "0.5"),
        (TICKETS, "11", "-0.5"),  # the wrong way is negative, never progress
        (TICKETS, "29", "2.5"),  # uncapped here; the cap applies on top
        (DEFECTS, "2.0", "1"),
        (DEFECTS, "2.6", "0.8"),
        (DEFECTS, "6.5", "-0.5"),
        (INSIDE_RANGE, "0.5", "1"),
        (INSIDE_RANGE, "2.75", "0.5"),  # baseline inside: the span is the range's width, 1.5
        (INSIDE_RANGE, "-1", "0"),
    ],
)
def test_progress_follows_the_kpis_direction(kpi: dict[str, Any], value: str, expected: str) -> None:
    assert progress(kpi, Decimal(value)) == Decimal(expected)


def test_attainment_is_capped_above_and_floored_below() -> None:
    assert capped(Decimal("2.5")) == ATTAINMENT_CAP == Decimal("1.5")
    assert capped(Decimal("-7")) == ATTAINMENT_FLOOR == Decimal(-1)
    assert capped(Decimal("0.83")) == Decimal("0.83")


def straight_line_state() -> dict[str, Any]:
    return {"status": "agreed", "agreed_at": "2026-01-01T09:00:00+00:00", "deadline": "2026-12-31", "milestones": []}


@pytest.mark.parametrize(
    ("actual", "pace"),
    [("0.5", "on_track"), ("0.40", "on_track"), ("0.39", "at_risk"), ("0.25", "at_risk"), ("0.24", "behind")],
)
def test_pace_is_set_by_the_gap_to_the_straight_line(actual: str, pace: str) -> None:
    # 2026-07-02 is 182 of 364 days from 01-01 to 12-31: half the way is expected.
    assert kpi_pace(straight_line_state(), TICKETS | {"id": "t"}, Decimal(actual), date(2026, 7, 2)) == (
        pace, Decimal("0.5"),
    )


def test_the_goal_takes_its_worst_kpi_pace_and_is_overdue_after_the_deadline() -> None:
    state = straight_line_state()
    assert goal_pace(state, ["on_track", "behind", "at_risk"], date(2026, 7, 1)) == "behind"
    assert goal_pace(state, ["on_track"], date(2027, 1, 1)) == "overdue"
    assert goal_pace({**state, "status": "closed"}, ["behind"], date(2026, 7, 1)) is None


@pytest.mark.parametrize(
    ("score", "band"),
    [("1.2", "outstanding"), ("1.1999", "exceeds_expectations"), ("1.05", "exceeds_expectations"),
     ("0.9", "meets_expectations"), ("0.8999", "needs_improvement"), ("0.6", "needs_improvement"),
     ("0.5999", "unsatisfactory"), ("-1", "unsatisfactory")],
)
def test_the_default_policy_has_five_bands_with_documented_thresholds(score: str, band: str) -> None:
    assert FIVE_BANDS_2026.band(Decimal(score)) == band
