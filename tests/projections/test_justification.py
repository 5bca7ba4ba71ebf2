"""The rating justification of the seed's H1 goals, worked out by hand; a past as_of answers the same every time."""

from __future__ import annotations

from datetime import date, datetime, UTC
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest

from application.goals.service import Goals
from projections.review.scoring import UnknownPolicyError
from projections.reviews import Reviews
from tests.projections.conftest import OnDay
from tests.scenarios import (
    EMPLOYEE,
    MANAGER,
    agree_milestone,
    agreed,
    customer_service_terms,
    draft,
    survey_terms,
)


def h1_goals(goals: Goals, on_day: OnDay) -> tuple[UUID, UUID]:
    """Customer service (weight 60) with a missed milestone; survey (weight 40) with a corrected reading."""
    with on_day(date(2026, 1, 5)):
        service = agreed(goals, customer_service_terms())  # v1-v4
        agree_milestone(goals, service, kpi="tickets", due=date(2026, 3, 31), target=Decimal(17))  # v5
        survey = agreed(goals, survey_terms())  # v1-v4
        draft(goals, survey_terms(title="Mentor a new hire", weight=Decimal(10)))
    with on_day(date(2026, 4, 1)):
        goals.record_kpi(service, EMPLOYEE, kpi="tickets", value=Decimal("16.5"), observed_at=date(2026, 3, 31))
        goals.record_kpi(service, EMPLOYEE, kpi="csat", value=Decimal(88), observed_at=date(2026, 3, 31))  # v7
    with on_day(date(2026, 6, 1)):
        goals.record_kpi(survey, EMPLOYEE, kpi="survey", value=Decimal(80), observed_at=date(2026, 5, 31))  # v5
        goals.record_kpi(survey, EMPLOYEE, kpi="survey", value=Decimal(82), observed_at=date(2026, 5, 31))  # v6
    with on_day(date(2026, 6, 20)):
        goals.record_kpi(service, EMPLOYEE, kpi="tickets", value=Decimal(19), observed_at=date(2026, 6, 19))  # v8
        goals.record_kpi(service, EMPLOYEE, kpi="csat", value=Decimal(90), observed_at=date(2026, 6, 19))  # v9
    return service, survey


def texts(justification: dict[str, Any], kind: str) -> list[str]:
    return [s["text"] for s in justification["statements"] if s["kind"] == kind]


def test_the_weighted_score_its_band_and_the_statements_rest_on_cited_events(
    goals: Goals, reviews: Reviews, on_day: OnDay
) -> None:
    service, survey = h1_goals(goals, on_day)
    with on_day(date(2026, 6, 20)):
        justification = reviews.justification(MANAGER, EMPLOYEE.id, "2026-H1")
    # tickets (19-14)/(20-14) = 5/6, csat (90-82)/(90-82) = 1: goal 11/12; survey (82-70)/(85-70) = 0.8.
    # (60 * 11/12 + 40 * 0.8) / 100 = (55 + 32) / 100 = 0.87: below 0.90, so needs_improvement.
    assert (justification["score"], justification["band"], justification["policy_version"]) == (
        0.87, "needs_improvement", "2026.2",
    )
    tickets = next(s for s in justification["statements"]
                   if "Tickets resolved" in s["text"] and s["kind"] == "attainment")
    assert tickets["text"] == ("Support throughput and satisfaction: Tickets resolved per day: target 20 tickets/day, "
                               "achieved 19 tickets/day on 2026-06-19: 83% attainment")
    assert tickets["evidence"] == [{"goal_id": str(service), "version": 4}, {"goal_id": str(service), "version": 9}]
    assert texts(justification, "context") == [
        "Support throughput and satisfaction: milestone tickets 17 due 2026-03-31 missed (reading 16.5)",
        "Customer satisfaction survey: Customer satisfaction survey score reading for 2026-05-31 corrected from 80 "
        "to 82 by emp-1",
    ]
    correction = next(s for s in justification["statements"] if "corrected" in s["text"])
    assert [e["version"] for e in correction["evidence"]] == [5, 6] and correction["goal_id"] == str(survey)
    assert texts(justification, "left_out") == ["Mentor a new hire: not counted in the score: not agreed yet"]
    [score] = texts(justification, "score")
    assert "weighted score 87% over 2 goal(s)" in score and score.endswith("needs_improvement under policy 2026.2")


def test_the_review_of_the_same_goals_shows_pace_along_the_milestone_path(
    goals: Goals, reviews: Reviews, on_day: OnDay
) -> None:
    h1_goals(goals, on_day)
    with on_day(date(2026, 6, 20)):
        service, survey = reviews.review(EMPLOYEE, EMPLOYEE.id, "2026-H1")["goals"][:2]
    tickets, csat = service["kpis"]
    # tickets: 0.5 at the 17/day milestone on 03-31, 1 on 06-30: 0.5 + 0.5 * 81/91 expected; 5/6 reached.
    assert (tickets["expected_progress"], tickets["attainment"], tickets["pace"]) == (0.9451, 0.8333, "at_risk")
    assert (csat["expected_progress"], csat["pace"]) == (0.9432, "on_track")  # straight line: 166/176 of the way
    assert service["pace"] == "at_risk" and service["attainment"] == 0.9167
    assert service["milestone_summary"] == {"met": 0, "missed": 1, "pending": 0}
    assert survey["pace"] == "at_risk" and survey["attainment"] == 0.8


def test_a_justification_at_a_past_moment_is_the_same_every_time(
    goals: Goals, reviews: Reviews, on_day: OnDay
) -> None:
    service, _ = h1_goals(goals, on_day)
    then = datetime(2026, 4, 15, tzinfo=UTC)
    first = reviews.justification(MANAGER, EMPLOYEE.id, "2026-H1", as_of=then)
    with on_day(date(2026, 6, 25)):
        goals.record_kpi(service, EMPLOYEE, kpi="tickets", value=Decimal(25), observed_at=date(2026, 6, 24))
        goals.close_goal(service, MANAGER, outcome="achieved", summary="Throughput above target.")
    assert reviews.justification(MANAGER, EMPLOYEE.id, "2026-H1", as_of=then) == first
    # Then: tickets 2.5/6, csat 6/8: goal 7/12; no survey reading yet: 0. 60 * 7/12 / 100 = 0.35.
    assert (first["score"], first["band"]) == (0.35, "unsatisfactory")


def test_an_unknown_scoring_policy_is_named_in_the_error(goals: Goals, reviews: Reviews) -> None:
    with pytest.raises(UnknownPolicyError, match=r"no scoring policy '1999\.1'"):
        reviews.justification(MANAGER, EMPLOYEE.id, "2026-H1", policy_version="1999.1")
