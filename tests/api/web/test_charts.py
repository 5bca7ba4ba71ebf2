"""KPI charts: every mark has a shape of its own and a title, and the same figures come back as table rows."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal

from freezegun import freeze_time

from api.web.charts import kpi_chart, target_spans
from api.web.goal_summary import goal_review_at
from api.web.milestone_views import milestone_words
from application.goals.service import Goals
from application.store.settings import BusinessCalendar
from tests.conftest import Clock
from tests.scenarios import EMPLOYEE, HR, MANAGER, agree_milestone, agreed, customer_service_terms


def test_a_chart_shows_readings_a_correction_a_milestone_and_the_recalibration(goals: Goals, clock: Clock) -> None:
    goal_id = agreed(goals, customer_service_terms())
    agree_milestone(goals, goal_id, kpi="tickets", due=date(2026, 3, 31), target=Decimal(17))
    goals.record_kpi(goal_id, EMPLOYEE, kpi="tickets", value=Decimal(15), observed_at=date(2026, 1, 10))
    goals.record_kpi(goal_id, EMPLOYEE, kpi="tickets", value=Decimal("15.5"), observed_at=date(2026, 1, 10))
    proposal = goals.propose_recalibration(goal_id, MANAGER, reason="external_factor", targets={
        "tickets": {"target": Decimal(19)}}, justification="An outage in January cost a week of throughput.")
    goals.approve_recalibration(goal_id, HR, proposal.reference or "", note="Checked against the evidence.")
    goal = goals.get_goal(goal_id)

    chart = kpi_chart(goal, goal.kpi("tickets"), goals.readings(goal))

    assert chart.svg.count('class="reading"') == 1 and chart.svg.count('class="corrected"') == 1
    assert 'class="milestone"' in chart.svg and 'class="recalibration"' in chart.svg
    assert "<title" in chart.svg and 'role="img"' in chart.svg
    assert [(r.kind, r.value) for r in chart.rows if r.kind != "milestone"] == [
        ("target", "20"), ("reading", "15"), ("reading", "15.5"), ("target", "19")]
    assert "corrects the reading of version" in chart.rows[2].detail
    assert [span.values for span in target_spans(goal, goal.kpi("tickets"))] == [
        {"target": Decimal(20)}, {"target": Decimal(19)}]


def test_each_milestone_is_marked_met_missed_or_upcoming_in_the_chart_and_its_figures(goals: Goals) -> None:
    goal_id = agreed(goals, customer_service_terms())  # on 15 January, the test clock's day
    for due, target in ((date(2026, 1, 20), 15), (date(2026, 1, 25), 17), (date(2026, 3, 31), 18)):
        agree_milestone(goals, goal_id, kpi="tickets", due=due, target=Decimal(target))
    goals.record_kpi(goal_id, EMPLOYEE, kpi="tickets", value=Decimal("15.5"), observed_at=date(2026, 1, 10))
    goal, day = goals.get_goal(goal_id), date(2026, 2, 1)  # the page as of 1 February
    statuses = milestone_words(goal_review_at(goals.goal_events(goal_id), day))

    chart = kpi_chart(goal, goal.kpi("tickets"), goals.readings(goal), today=day, milestone_status=statuses)

    marks = re.findall(r'<polygon class="(milestone[^"]*)"[^>]*><title>([^<]*)</title>', chart.svg)
    assert marks == [("milestone met", "milestone 15 due 2026-01-20: met"),
                     ("milestone missed", "milestone 17 due 2026-01-25: missed"),
                     ("milestone upcoming", "milestone 18 due 2026-03-31: upcoming")]
    assert [(r.day, r.detail) for r in chart.rows if r.kind == "milestone"] == [
        (date(2026, 1, 20), "met"), (date(2026, 1, 25), "missed"), (date(2026, 3, 31), "upcoming")]


def test_text_in_a_chart_is_escaped(goals: Goals) -> None:
    terms = customer_service_terms()
    terms["kpis"] = [terms["kpis"][0].__class__(**{**terms["kpis"][0].__dict__, "unit": "<script>x</script>"})]
    goal = goals.get_goal(agreed(goals, terms))

    chart = kpi_chart(goal, goal.kpis[0], goals.readings(goal))

    assert "<script>" not in chart.svg and "&lt;script&gt;" in chart.svg


def test_a_recalibration_is_drawn_from_the_business_day_it_was_decided(goals: Goals) -> None:
    """03:00 UTC on 2 March is still 1 March in Los Angeles: the organisation's day, as every page shows it."""
    goal_id = agreed(goals, customer_service_terms())
    proposal = goals.propose_recalibration(goal_id, MANAGER, reason="external_factor", targets={
        "tickets": {"target": Decimal(19)}}, justification="An outage in January cost a week of throughput.")
    with freeze_time(datetime(2026, 3, 2, 3, tzinfo=UTC)):
        goals.approve_recalibration(goal_id, HR, proposal.reference or "", note="Checked against the evidence.")
    goal = goals.get_goal(goal_id)
    spans = target_spans(goal, goal.kpi("tickets"), BusinessCalendar("America/Los_Angeles").date_of)
    assert [span.start for span in spans] == [date(2026, 1, 1), date(2026, 3, 1)]
    assert target_spans(goal, goal.kpi("tickets"))[-1].start == date(2026, 3, 2)
