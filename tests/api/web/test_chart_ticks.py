"""The value axis of a KPI chart reads in round numbers that cover the data; a count's axis in whole numbers; and
the chart marks today, never outside its plot."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from api.web.charts import BOTTOM, HEIGHT, LEFT, RIGHT, TOP, WIDTH, day_ticks, kpi_chart
from api.web.ticks import MAX_TICKS, is_whole, nice_ticks
from application.goals.service import Goals
from tests.conftest import Clock
from tests.scenarios import EMPLOYEE, agreed, customer_service_terms
import itertools

ROUND_MULTIPLES = {Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5)}
decimals = st.decimals(min_value=-10**6, max_value=10**6, places=3, allow_nan=False, allow_infinity=False)
whole_numbers = st.integers(min_value=-10**6, max_value=10**6).map(Decimal)


def is_round(step: Decimal) -> bool:
    """1, 2, 2.5 or 5 times a power of ten."""
    mantissa = step.scaleb(-step.adjusted())
    return mantissa.normalize() in ROUND_MULTIPLES


@settings(max_examples=300, deadline=None)
@given(st.lists(decimals, min_size=1, max_size=20))
def test_ticks_are_round_evenly_spaced_and_cover_the_data(values: list[Decimal]) -> None:
    ticks = nice_ticks(values)
    steps = {b - a for a, b in itertools.pairwise(ticks)}
    assert len(steps) == 1
    step = steps.pop()
    assert step > 0 and is_round(step)
    assert all((tick / step) == (tick / step).to_integral_value() for tick in ticks)  # multiples of the step
    assert ticks[0] <= min(values) and ticks[-1] >= max(values)
    assert 2 <= len(ticks) <= MAX_TICKS + 1


@settings(max_examples=300, deadline=None)
@given(st.lists(whole_numbers, min_size=1, max_size=20))
def test_a_count_gets_whole_ticks(values: list[Decimal]) -> None:
    ticks = nice_ticks(values, whole=is_whole(values))
    assert all(tick == tick.to_integral_value() for tick in ticks)
    assert ticks[1] - ticks[0] >= 1
    assert ticks[0] <= min(values) and ticks[-1] >= max(values)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.decimals(min_value=0, max_value=10**4, places=2), min_size=1, max_size=20))
def test_values_never_below_zero_keep_the_axis_at_or_above_zero(values: list[Decimal]) -> None:
    assert nice_ticks(values)[0] >= 0


def test_the_reported_odd_ticks_become_round_ones() -> None:
    """Issue 25: ticks of 20.6, 18.8 and -1.2 for a count of tickets."""
    assert nice_ticks([Decimal(0), Decimal(18), Decimal(20)], whole=True) == [Decimal(v) for v in (0, 5, 10, 15, 20)]
    assert nice_ticks([Decimal(80), Decimal("88.4"), Decimal(90)]) == [Decimal(v) for v in (80, 82, 84, 86, 88, 90)]


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 1, 1)), st.integers(0, 3000))
def test_day_ticks_lie_within_the_axis_and_are_few(start: date, length: int) -> None:
    end = date.fromordinal(start.toordinal() + length)
    days = day_ticks(start, end)
    assert days and all(start <= day <= end for day in days) and len(days) <= 7


def test_the_chart_draws_a_today_line_inside_the_plot_with_round_ticks(goals: Goals, clock: Clock) -> None:
    clock.current = date(2026, 3, 15)
    goal_id = agreed(goals, customer_service_terms())
    goals.record_kpi(goal_id, EMPLOYEE, kpi="tickets", value=Decimal("17.1"), observed_at=date(2026, 3, 1))
    goal = goals.get_goal(goal_id)

    chart = kpi_chart(goal, goal.kpi("tickets"), goals.readings(goal), today=clock())

    line = re.search(r'<line class="today" x1="([0-9.]+)" y1="([0-9.]+)" x2="[0-9.]+" y2="([0-9.]+)"', chart.svg)
    assert line is not None and "2026-03-15" in chart.svg
    assert LEFT <= float(line.group(1)) <= WIDTH - RIGHT
    assert float(line.group(2)) == TOP and float(line.group(3)) == HEIGHT - BOTTOM
    labels = re.findall(r'<text class="tick" x="[0-9.]+" y="[0-9.]+" text-anchor="end">([^<]+)</text>', chart.svg)
    assert labels and all(re.fullmatch(r"-?\d+(\.\d)?|-?\d+\.25|-?\d+\.5|-?\d+\.75", label) for label in labels)


def test_a_chart_draws_no_today_line_outside_its_period(goals: Goals) -> None:
    goal = goals.get_goal(agreed(goals, customer_service_terms()))
    chart = kpi_chart(goal, goal.kpi("tickets"), goals.readings(goal), today=date(2031, 1, 1))
    assert 'class="today"' not in chart.svg
