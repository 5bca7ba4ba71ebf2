"""The review view of the seed's goals, against numbers worked out by hand, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime, UTC
from decimal import Decimal
from uuid import UUID

from application.goals.service import Goals
from projections.reviews import Reviews
from tests.projections.conftest import OnDay
from tests.scenarios import (
    EMPLOYEE,
    HR,
    MANAGER,
    RESPONSE_TIME,
    agree_milestone,
    agreed,
    defect_rate_terms,
    survey_terms,
)


def recalibrated_defect_goal(goals: Goals, on_day: OnDay) -> UUID:
    """Defects 5.0% -> 2.0%; a 3.5% milestone at mid-year; 3.1% corrected to 3.0%; target moved to 2.5%."""
    with on_day(date(2026, 1, 10)):
        goal_id = agreed(goals, defect_rate_terms())  # v1-v4
        agree_milestone(goals, goal_id, kpi="defects", due=date(2026, 6, 30), target=Decimal("3.5"))  # v5-v6
    with on_day(date(2026, 7, 1)):
        goals.record_kpi(goal_id, EMPLOYEE, kpi="defects", value=Decimal("3.1"), observed_at=date(2026, 6, 30))
        goals.record_kpi(goal_id, EMPLOYEE, kpi="defects", value=Decimal("3.0"), observed_at=date(2026, 6, 30))
        goals.propose_recalibration(  # v9
            goal_id, MANAGER, reason="external_factor", justification="A new supplier doubled incoming defects.",
            targets={"defects": {"target": Decimal("2.5")}},
        )
    with on_day(date(2026, 7, 2)):
        goals.approve_recalibration(goal_id, HR, "r1", note="Supplier change confirmed.")  # v10
    return goal_id


def test_a_decrease_kpi_shows_the_corrected_reading_against_the_recalibrated_target(
    goals: Goals, reviews: Reviews, on_day: OnDay
) -> None:
    goal_id = recalibrated_defect_goal(goals, on_day)
    with on_day(date(2026, 7, 15)):
        view = reviews.review(HR, EMPLOYEE.id, "2026")
    [goal] = view["goals"]
    [kpi] = goal["kpis"]
    assert (goal["goal_id"], goal["status"], goal["weight"], goal["version"]) == (str(goal_id), "agreed", "40", 10)
    assert (kpi["baseline"], kpi["original_target"], kpi["target"], kpi["latest"]) == ("5.0", "2.0", "2.5", "3.0")
    assert kpi["attainment"] == 0.8  # (5.0 - 3.0) / (5.0 - 2.5)
    assert kpi["series"] == [{"observed_at": "2026-06-30", "value": "3.0", "version": 8, "corrects_version": 7}]
    assert [(c["replaced_value"], c["value"]) for c in kpi["corrections"]] == [("3.1", "3.0")]
    assert [(t["target"], t["version"]) for t in kpi["targets"]] == [("2.0", 1), ("2.5", 10)]
    # The path runs 0 on 01-10, 0.6 at the milestone (3.5%) on 06-30, 1 on 12-31: 0.6 + 0.4 * 15/184 on 07-15.
    assert kpi["expected_progress"] == 0.6326 and kpi["pace"] == "on_track" and goal["pace"] == "on_track"
    [milestone] = goal["milestones"]
    assert (milestone["status"], milestone["reading"], milestone["reading_version"]) == ("met", "3.0", 8)
    [recalibration] = goal["recalibrations"]
    assert (recalibration["reason"], recalibration["proposed_by"], recalibration["approved_by"]) == (
        "external_factor", MANAGER.id, HR.id,
    )
    assert recalibration["before"]["targets"] == {"defects": {"target": "2.0"}}
    assert recalibration["after"]["targets"] == {"defects": {"target": "2.5"}}
    assert recalibration["decided_at"].startswith("2026-07-02")


def test_as_of_shows_what_was_known_then_by_the_event_timestamps(
    goals: Goals, reviews: Reviews, on_day: OnDay
) -> None:
    recalibrated_defect_goal(goals, on_day)
    before_approval = datetime(2026, 7, 1, 23, 0, tzinfo=UTC)
    view = reviews.review(HR, EMPLOYEE.id, "2026", as_of=before_approval)
    [goal] = view["goals"]
    [kpi] = goal["kpis"]
    assert view["as_of"] == before_approval.isoformat() and view["today"] == "2026-07-01"
    assert goal["version"] == 9 and kpi["target"] == "2.0"
    assert kpi["attainment"] == 0.6667  # (5.0 - 3.0) / (5.0 - 2.0)
    assert [r["status"] for r in goal["recalibrations"]] == ["proposed"]
    assert reviews.review(HR, EMPLOYEE.id, "2026", as_of=datetime(2026, 1, 1, tzinfo=UTC))["goals"] == []


def test_a_range_kpi_is_fully_attained_inside_and_measured_by_its_distance_outside(
    goals: Goals, reviews: Reviews, on_day: OnDay
) -> None:
    terms = survey_terms(
        title="First response time", kpis=[RESPONSE_TIME],
        statement="Keep the average first response time between 0.5 and 2 hours every week, by the end of June",
    )
    with on_day(date(2026, 1, 5)):
        goal_id = agreed(goals, terms)
    with on_day(date(2026, 2, 2)):
        goals.record_kpi(goal_id, EMPLOYEE, kpi="response", value=Decimal("2.5"), observed_at=date(2026, 2, 1))
        [kpi] = reviews.review(EMPLOYEE, EMPLOYEE.id, "2026-H1")["goals"][0]["kpis"]
    # Baseline 3 h lies above the range: 0 at 3 h, 1 at the 2 h bound, so 2.5 h is halfway.
    assert (kpi["range"], kpi["target"]) == ({"low": "0.5", "high": "2"}, None)
    assert (kpi["attainment"], kpi["distance_outside"]) == (0.5, "0.5")
    with on_day(date(2026, 3, 2)):
        goals.record_kpi(goal_id, EMPLOYEE, kpi="response", value=Decimal("3.5"), observed_at=date(2026, 3, 1))
        [kpi] = reviews.review(EMPLOYEE, EMPLOYEE.id, "2026-H1")["goals"][0]["kpis"]
    assert (kpi["attainment"], kpi["distance_outside"]) == (-0.5, "1.5")  # the wrong way: negative, not progress
    with on_day(date(2026, 4, 2)):
        goals.record_kpi(goal_id, EMPLOYEE, kpi="response", value=Decimal("1.2"), observed_at=date(2026, 4, 1))
        [kpi] = reviews.review(EMPLOYEE, EMPLOYEE.id, "2026-H1")["goals"][0]["kpis"]
    assert (kpi["attainment"], kpi["distance_outside"], kpi["latest"]) == (1.0, "0", "1.2")
    assert [p["value"] for p in kpi["series"]] == ["2.5", "3.5", "1.2"]


def test_a_goal_past_its_deadline_and_not_closed_is_overdue(goals: Goals, reviews: Reviews, on_day: OnDay) -> None:
    with on_day(date(2026, 1, 5)):
        agreed(goals, survey_terms())
    with on_day(date(2026, 7, 1)):
        [goal] = reviews.review(MANAGER, EMPLOYEE.id, "2026-H1")["goals"]
    assert goal["pace"] == "overdue" and goal["kpis"][0]["pace"] is None
