"""Invariants of the KPI chart and the session cookie, over generated input (Hypothesis)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine

from api.web.charts import BOTTOM, HEIGHT, LEFT, RIGHT, TOP, WIDTH, kpi_chart
from api.web.session import read_session, session_cookie_value
from application.sign_ins import SpentTokens
from domain.goal import Goal
from domain.values import Actor, Role
from tests.scenarios import EMPLOYEE, MANAGER, customer_service_terms, drafting

TODAY = date(2026, 6, 30)
SECRET = "a-secret-of-at-least-32-bytes-long!"
SPENT = SpentTokens(create_engine("sqlite://"))  # one in-memory table of spent ids
readings = st.lists(st.tuples(st.integers(0, 180), st.decimals(-1000, 1000, places=2)), max_size=12)


def agreed_goal() -> Goal:
    goal = Goal.draft(actor=EMPLOYEE, **drafting(customer_service_terms()))
    goal.sign(EMPLOYEE, today=date(2026, 1, 2))
    goal.sign(MANAGER, today=date(2026, 1, 2))
    return goal


@settings(max_examples=60, deadline=None)
@given(readings)
def test_every_mark_of_a_chart_lies_in_its_plot_and_every_reading_is_a_table_row(
    values: list[tuple[int, Decimal]],
) -> None:
    goal = agreed_goal()
    for offset, value in values:
        goal.record_kpi("tickets", value, date(2026, 1, 1) + timedelta(days=offset), EMPLOYEE, today=TODAY)

    series = [e.reading() for e in goal.pending_events if isinstance(e, Goal.KpiRecorded)]
    chart = kpi_chart(goal, goal.kpi("tickets"), series)

    xs = [float(x) for x in re.findall(r' (?:cx|x1|x2)="([-0-9.]+)"', chart.svg)]
    ys = [float(y) for y in re.findall(r' (?:cy|y1|y2)="([-0-9.]+)"', chart.svg)]
    assert all(LEFT <= x <= WIDTH - RIGHT for x in xs)
    assert all(TOP <= y <= HEIGHT - BOTTOM for y in ys)
    assert len([r for r in chart.rows if r.kind == "reading"]) == len(values)
    counted = len({offset for offset, _ in values})
    assert chart.svg.count('class="reading"') == counted
    assert chart.svg.count('class="corrected"') == len(values) - counted


@given(st.text(max_size=300))
def test_no_cookie_but_a_signed_session_opens_a_session(cookie: str) -> None:
    assert read_session(SECRET, cookie, SPENT) is None


def test_a_session_signed_with_another_secret_is_refused() -> None:
    actor = Actor("emp-1", Role.EMPLOYEE)
    assert read_session(SECRET, session_cookie_value(SECRET, actor), SPENT) is not None
    assert read_session(SECRET, session_cookie_value("another-secret-of-at-least-32-bytes", actor), SPENT) is None
